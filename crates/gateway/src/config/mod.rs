//! The gateway's configuration, read from a TOML file (see docs/gateway.sample.toml).
//! Secrets are never in the file: it names the environment variable that holds them. The
//! providers' sections are in `postmark.rs` (`[mail]` for Postmark) and `sms.rs` (`[sms]`).

use std::net::SocketAddr;
use std::path::PathBuf;

use serde::Deserialize;

use crate::error::GatewayError;

mod paths;
mod postmark;
mod sms;

pub use paths::{is_postgres_url, state_directory, under};

pub use postmark::{BounceWebhookConfig, PostmarkConfig};
pub use sms::{SmsConfig, TwilioConfig};

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Address and port to listen on; port 0 picks a free one.
    #[serde(default = "default_listen")]
    pub listen: SocketAddr,
    /// Where Prometheus scrapes `GET /metrics`: its own address, off when left out. Keep it
    /// on loopback or a private network; the metrics carry no tokens but are not public.
    #[serde(default)]
    pub metrics_listen: Option<SocketAddr>,
    /// The address people reach the gateway at (e.g. `https://join.example.org`). Every link
    /// is built from it, never from the request's Host header. May be left out only on
    /// loopback, where it defaults to `http://<bound address>`.
    #[serde(default)]
    pub public_url: String,
    /// SQLite database file, or `postgres://user@host:port/db` for several instances sharing
    /// one PostgreSQL database. Keep the password out of the URL: PostgreSQL's usual
    /// `PGPASSWORD` variable and `~/.pgpass` file are read.
    pub database: String,
    /// PostgreSQL connection pool size (ignored for SQLite).
    #[serde(default = "default_max_connections")]
    pub database_max_connections: u32,
    /// File holding the server pepper (created with mode 0600 on first start). Without it the
    /// pepper lives only as long as the process and links die with it.
    #[serde(default)]
    pub pepper_file: Option<PathBuf>,
    /// Serve HTTPS directly. Without it, the gateway speaks plain HTTP and must sit behind a
    /// TLS-terminating proxy when it listens beyond loopback.
    #[serde(default)]
    pub tls: Option<TlsConfig>,
    #[serde(default)]
    pub tokens: TokenConfig,
    #[serde(default)]
    pub mail: MailConfig,
    #[serde(default)]
    pub delivery: DeliveryConfig,
    #[serde(default)]
    pub limits: LimitsConfig,
    #[serde(default)]
    pub sign_in: SignInConfig,
    /// Connections: timeouts, caps, request size, graceful stop, trusted proxies.
    #[serde(default)]
    pub server: ServerConfig,
    /// Pruning of rows that no longer serve a purpose: ended sessions, stale counters.
    #[serde(default)]
    pub retention: RetentionConfig,
    /// Text messages for `sms` invitations; without it they are refused.
    #[serde(default)]
    pub sms: Option<SmsConfig>,
}

fn default_max_connections() -> u32 {
    10
}

fn default_listen() -> SocketAddr {
    SocketAddr::from(([127, 0, 0, 1], 8470))
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TlsConfig {
    /// PEM certificate chain, leaf first.
    pub cert_file: PathBuf,
    /// PEM private key (PKCS#8, PKCS#1 or SEC1).
    pub key_file: PathBuf,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct TokenConfig {
    /// Lifetime of an invitation link when the desktop does not say (3 days).
    pub invitation_lifetime_secs: u64,
    /// The longest lifetime the desktop may ask for (30 days).
    pub max_invitation_lifetime_secs: u64,
    /// Lifetime of a password reset link when the desktop does not say (24 hours).
    pub password_reset_lifetime_secs: u64,
    /// The longest password reset lifetime the desktop may ask for (7 days).
    pub max_password_reset_lifetime_secs: u64,
    /// Lifetime of a team enrollment code (24 hours).
    pub enrollment_lifetime_secs: u64,
}

impl Default for TokenConfig {
    fn default() -> Self {
        Self {
            invitation_lifetime_secs: orgdesk_protocol::DEFAULT_INVITATION_LIFETIME_SECS,
            max_invitation_lifetime_secs: 30 * 24 * 60 * 60,
            password_reset_lifetime_secs: orgdesk_protocol::DEFAULT_PASSWORD_RESET_LIFETIME_SECS,
            max_password_reset_lifetime_secs: 7 * 24 * 60 * 60,
            enrollment_lifetime_secs: orgdesk_protocol::DEFAULT_ENROLLMENT_LIFETIME_SECS,
        }
    }
}

/// Where mail goes.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, tag = "transport", rename_all = "snake_case")]
pub enum MailConfig {
    /// Write each message as an .eml file into `dir` (the desktop's built-in mail catcher).
    File { dir: PathBuf, from: String },
    /// Send through an SMTP server.
    Smtp(SmtpConfig),
    /// Send through Postmark's HTTP API (bounces come back through a webhook).
    Postmark(PostmarkConfig),
}

impl Default for MailConfig {
    fn default() -> Self {
        Self::File {
            dir: PathBuf::from("outgoing-mail"),
            from: "Orgdesk <noreply@localhost>".to_owned(),
        }
    }
}

impl MailConfig {
    pub fn from_address(&self) -> &str {
        match self {
            Self::File { from, .. } => from,
            Self::Smtp(s) => &s.from,
            Self::Postmark(p) => &p.from,
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SmtpConfig {
    pub host: String,
    #[serde(default = "default_smtp_port")]
    pub port: u16,
    #[serde(default)]
    pub tls: SmtpTls,
    /// Sender, e.g. `Orgdesk <noreply@example.org>`.
    pub from: String,
    #[serde(default)]
    pub username: Option<String>,
    /// Name of the environment variable holding the SMTP password.
    #[serde(default)]
    pub password_env: Option<String>,
    #[serde(default = "default_provider_timeout")]
    pub timeout_secs: u64,
    /// A CA certificate (PEM) to trust besides the public ones, for a relay whose
    /// certificate comes from a private CA.
    #[serde(default)]
    pub ca_file: Option<PathBuf>,
    /// With `tls = "none"`, sending the username and password in the clear is refused at
    /// start unless this says the relay is one the gateway may do that with.
    #[serde(default)]
    pub allow_plaintext_auth: bool,
}

fn default_smtp_port() -> u16 {
    587
}

/// How long a mail or text-message provider (an SMTP server, Postmark, Twilio) may take to
/// answer unless the configuration says (20 s).
fn default_provider_timeout() -> u64 {
    20
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SmtpTls {
    /// Plain text; only for a relay on the same machine.
    None,
    /// Plain connection upgraded with STARTTLS (required, not opportunistic). Port 587.
    #[default]
    Starttls,
    /// TLS from the first byte. Port 465.
    Tls,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct DeliveryConfig {
    /// First retry after this many seconds; each further retry waits twice as long…
    pub retry_initial_secs: u64,
    /// …up to this.
    pub retry_max_secs: u64,
    /// Attempts before the invitation is reported failed.
    pub max_attempts: u32,
    /// How often the outbox is checked when nothing wakes it, in milliseconds.
    pub poll_interval_ms: u64,
    /// A claimed message is reserved for the process sending it this long, and the lease is
    /// renewed every third of it while the send is in flight; when a process dies mid-send,
    /// its message becomes due again at most this long after the last renewal.
    pub lease_secs: u64,
    /// How often pending invitations are checked for expired links (each one is reported
    /// once as `invitation_expired`), in milliseconds.
    pub expiry_check_interval_ms: u64,
}

impl Default for DeliveryConfig {
    fn default() -> Self {
        Self {
            retry_initial_secs: 30,
            retry_max_secs: 3600,
            max_attempts: 12,
            poll_interval_ms: 1000,
            lease_secs: 60,
            expiry_check_interval_ms: 30_000,
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct LimitsConfig {
    /// Form submissions (register, decline) accepted per client address per minute.
    pub form_posts_per_minute: u32,
    /// Invitations one organization may create per minute.
    pub invitations_per_minute: u32,
    /// Messages (invitations and resends) one recipient may be sent per hour, so that a
    /// mistake or a compromised desktop cannot flood someone's inbox.
    pub messages_per_recipient_per_hour: u32,
}

impl Default for LimitsConfig {
    fn default() -> Self {
        Self {
            form_posts_per_minute: 30,
            invitations_per_minute: 6000,
            messages_per_recipient_per_hour: 5,
        }
    }
}

/// How the gateway treats connections and requests, whoever sends them.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ServerConfig {
    /// The headers of each request must be complete this long after the connection opened or
    /// the previous answer was sent (so this also bounds how long a connection may sit idle).
    pub header_timeout_secs: u64,
    /// The whole body of a request must arrive within this long after its headers.
    pub body_timeout_secs: u64,
    /// A kept-alive connection with no request in progress is closed after this long.
    pub idle_timeout_secs: u64,
    /// Larger request bodies are refused with 413.
    pub max_body_bytes: usize,
    /// Team mode's directory snapshots (`PUT /api/v1/team/snapshot`) may be this large; the
    /// rest of the API keeps `max_body_bytes`.
    pub max_snapshot_bytes: usize,
    /// A snapshot's body must arrive within this long after its headers.
    pub snapshot_timeout_secs: u64,
    /// Open connections in all; beyond this, new ones are closed at once.
    pub max_connections: usize,
    /// Open connections from one client address (an IPv6 client by its /64). Connections
    /// from a trusted proxy count only against `max_connections`.
    pub max_connections_per_client: usize,
    /// On SIGTERM, requests in flight get this long to finish; then connections are dropped.
    pub shutdown_grace_secs: u64,
    /// Addresses or CIDR blocks (`10.0.0.0/8`, `::1`) of reverse proxies whose
    /// `client_address_header` is believed. Empty: the TCP peer is the client.
    pub trusted_proxies: Vec<String>,
    /// Where a trusted proxy puts the client's address: `x-forwarded-for` or `forwarded`.
    pub client_address_header: ClientAddressHeader,
}

impl Default for ServerConfig {
    fn default() -> Self {
        Self {
            header_timeout_secs: 10,
            body_timeout_secs: 10,
            idle_timeout_secs: 5,
            max_body_bytes: 256 * 1024,
            max_snapshot_bytes: orgdesk_protocol::DEFAULT_MAX_SNAPSHOT_BYTES,
            snapshot_timeout_secs: 300,
            max_connections: 1024,
            max_connections_per_client: 64,
            shutdown_grace_secs: 5,
            trusted_proxies: Vec::new(),
            client_address_header: ClientAddressHeader::XForwardedFor,
        }
    }
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ClientAddressHeader {
    /// `X-Forwarded-For: client, proxy1, …` (nginx `$proxy_add_x_forwarded_for`, Caddy).
    #[default]
    XForwardedFor,
    /// RFC 7239 `Forwarded: for=client, for=proxy1`.
    Forwarded,
}

impl ServerConfig {
    /// The trusted proxies, parsed.
    pub fn trusted_networks(&self) -> Result<Vec<ipnet::IpNet>, GatewayError> {
        self.trusted_proxies
            .iter()
            .map(|text| {
                let text = text.trim();
                text.parse::<ipnet::IpNet>()
                    .or_else(|_| text.parse::<std::net::IpAddr>().map(ipnet::IpNet::from))
                    .map_err(|_| {
                        GatewayError::Config(format!(
                            "server.trusted_proxies: {text:?} is not an address or CIDR block"
                        ))
                    })
            })
            .collect()
    }
}

/// The background pruning of rows the gateway no longer needs: member sessions past their
/// idle or absolute limit, and sign-in and wrong-code counters past their forget window.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RetentionConfig {
    /// How often the pruning runs (10 minutes).
    pub interval_secs: u64,
    /// Rows deleted per table in one transaction (500); a run takes batches until a table
    /// has no more, at most `MAX_BATCHES` per run, so no transaction holds the store long.
    pub batch_size: u32,
}

impl Default for RetentionConfig {
    fn default() -> Self {
        Self {
            interval_secs: 600,
            batch_size: 500,
        }
    }
}

/// Members signing in on their own page (`/me`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SignInConfig {
    /// A session ends after this long without a request (12 hours)…
    pub session_idle_secs: u64,
    /// …and in any case this long after signing in (7 days).
    pub session_max_secs: u64,
    /// Failed sign-ins against one account (organization and username) before its next
    /// attempt waits (5)…
    pub lockout_after_failures: u32,
    /// …and failed sign-ins from one client address (an IPv6 client by its /64) before its
    /// next attempt waits, whatever the username (30: higher, so that people sharing an
    /// address are not held up by one another's typing).
    pub address_lockout_after_failures: u32,
    /// The first refusal lasts this long; each further failure doubles it…
    pub lockout_initial_secs: u64,
    /// …up to this.
    pub lockout_max_secs: u64,
    /// Failures older than this are forgotten (24 hours).
    pub forget_failures_after_secs: u64,
}

impl Default for SignInConfig {
    fn default() -> Self {
        Self {
            session_idle_secs: 12 * 60 * 60,
            session_max_secs: 7 * 24 * 60 * 60,
            lockout_after_failures: 5,
            address_lockout_after_failures: 30,
            lockout_initial_secs: 30,
            lockout_max_secs: 15 * 60,
            forget_failures_after_secs: 24 * 60 * 60,
        }
    }
}

impl Config {
    /// A configuration for an embedded or test gateway: loopback, any free port, mail to files.
    pub fn local(database: impl Into<String>, mail_dir: impl Into<PathBuf>) -> Self {
        Self {
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            metrics_listen: None,
            public_url: String::new(),
            database: database.into(),
            database_max_connections: default_max_connections(),
            pepper_file: None,
            tls: None,
            tokens: TokenConfig::default(),
            mail: MailConfig::File {
                dir: mail_dir.into(),
                from: "Orgdesk <noreply@localhost>".to_owned(),
            },
            delivery: DeliveryConfig::default(),
            limits: LimitsConfig::default(),
            sign_in: SignInConfig::default(),
            server: ServerConfig::default(),
            retention: RetentionConfig::default(),
            sms: None,
        }
    }

    pub fn from_toml(text: &str) -> Result<Self, GatewayError> {
        let config: Self = toml::from_str(text).map_err(|e| GatewayError::Config(e.to_string()))?;
        config.validate()?;
        Ok(config)
    }

    pub fn load(path: &std::path::Path) -> Result<Self, GatewayError> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| GatewayError::Config(format!("cannot read {}: {e}", path.display())))?;
        Self::from_toml(&text)
    }

    /// Checks what serde cannot. An empty `public_url` is allowed only on loopback, where
    /// [`crate::serve`] fills it with the bound address.
    pub fn validate(&self) -> Result<(), GatewayError> {
        let url = self.public_url.trim_end_matches('/');
        let scheme_ok = url.starts_with("https://") || url.starts_with("http://");
        if !url.is_empty() && !scheme_ok {
            return Err(GatewayError::Config(
                "public_url must start with https:// (or http:// for loopback)".into(),
            ));
        }
        if !self.listen.ip().is_loopback() {
            if url.is_empty() {
                return Err(GatewayError::Config(
                    "public_url is required when listening beyond loopback".into(),
                ));
            }
            // Links carry secrets: beyond loopback they travel over TLS, ours or a proxy's.
            if self.tls.is_none() && !url.starts_with("https://") {
                return Err(GatewayError::Config(
                    "beyond loopback, configure [tls] or put a TLS proxy in front and give its \
                     https:// address as public_url"
                        .into(),
                ));
            }
        }
        if self
            .metrics_listen
            .is_some_and(|m| m.port() != 0 && m == self.listen)
        {
            return Err(GatewayError::Config(
                "metrics_listen must be another address than listen".into(),
            ));
        }
        if let Some(sms) = &self.sms {
            sms.validate()?;
        }
        if let MailConfig::Smtp(smtp) = &self.mail {
            let credentials = smtp.username.is_some() || smtp.password_env.is_some();
            if smtp.tls == SmtpTls::None && credentials && !smtp.allow_plaintext_auth {
                return Err(GatewayError::Config(
                    "mail: tls = \"none\" would send the SMTP username and password in the \
                     clear; use tls = \"starttls\" or \"tls\", drop the credentials for a \
                     local relay, or set allow_plaintext_auth = true if the relay is on a \
                     network you trust"
                        .into(),
                ));
            }
        }
        if let MailConfig::Postmark(postmark) = &self.mail {
            postmark.validate()?;
        }
        if self.delivery.max_attempts == 0 || self.delivery.retry_initial_secs == 0 {
            return Err(GatewayError::Config(
                "delivery.max_attempts and delivery.retry_initial_secs must be at least 1".into(),
            ));
        }
        // Renewed every third of the lease: shorter than 3 s would renew more than once a
        // second, longer than a day would hold a dead process's message for a day.
        if !(3..=86_400).contains(&self.delivery.lease_secs) {
            return Err(GatewayError::Config(
                "delivery.lease_secs must be between 3 and 86400".into(),
            ));
        }
        // A code is typed within the day it is given; a month is the most it may stay open.
        if !(60..=30 * 24 * 60 * 60).contains(&self.tokens.enrollment_lifetime_secs) {
            return Err(GatewayError::Config(
                "tokens.enrollment_lifetime_secs must be between 60 and 2592000 (30 days)".into(),
            ));
        }
        let srv = &self.server;
        srv.trusted_networks()?;
        if [
            srv.header_timeout_secs,
            srv.body_timeout_secs,
            srv.idle_timeout_secs,
            srv.snapshot_timeout_secs,
        ]
        .contains(&0)
            || srv.max_body_bytes == 0
            || srv.max_snapshot_bytes == 0
            || srv.max_connections == 0
            || srv.max_connections_per_client == 0
        {
            return Err(GatewayError::Config(
                "server: timeouts, max_body_bytes, max_snapshot_bytes and the connection caps must be \
                 at least 1"
                    .into(),
            ));
        }
        let r = &self.retention;
        if r.interval_secs == 0 || !(1..=10_000).contains(&r.batch_size) {
            return Err(GatewayError::Config(
                "retention: interval_secs must be at least 1 and batch_size between 1 and 10000"
                    .into(),
            ));
        }
        let s = &self.sign_in;
        if s.lockout_after_failures == 0
            || s.address_lockout_after_failures < s.lockout_after_failures
            || s.lockout_initial_secs == 0
            || s.session_idle_secs == 0
            || s.lockout_max_secs < s.lockout_initial_secs
            || s.forget_failures_after_secs < s.lockout_max_secs
        {
            return Err(GatewayError::Config(
                "sign_in: lockout_after_failures, lockout_initial_secs and session_idle_secs \
                 must be at least 1, address_lockout_after_failures at least \
                 lockout_after_failures, lockout_max_secs at least lockout_initial_secs, and \
                 forget_failures_after_secs at least lockout_max_secs"
                    .into(),
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests;
