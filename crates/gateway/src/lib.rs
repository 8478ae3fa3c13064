//! Orgdesk gateway: the HTTP server that sends invitations and serves the pages invitees
//! open, plus the API and event feed the desktop uses. Runs standalone (`orgdesk-gateway`)
//! or embedded in the desktop app ([`serve`] on loopback, port 0).

pub mod admin;
mod api;
pub use orgdesk_rules::clock;
pub mod config;
pub mod error;
#[doc(hidden)]
pub mod fuzzing;
mod health;
mod i18n;
mod joining;
mod limits;
pub mod mail;
mod mail_join;
mod mail_reset;
mod metrics;
mod outbox;
mod pages;
pub mod postmark;
mod provider;
mod render;
mod retention;
mod routes;
pub mod secrets;
mod server;
pub mod sms;
pub mod store;
mod tls;

use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;

use tokio::sync::{watch, Notify};
use tokio::task::JoinHandle;

pub use crate::clock::{Clock, ManualClock, SystemClock};
pub use crate::config::Config;
use crate::config::MailConfig;
pub use crate::error::{GatewayError, Result};
use crate::limits::{RateLimiter, TrustedProxies};
use crate::mail::Mailer;
use crate::render::Templates;
pub use crate::secrets::Pepper;
use crate::store::{Feed, GatewayStore, PostgresStore, SqliteStore};

/// Everything a request handler needs.
pub(crate) struct AppState {
    store: Arc<dyn GatewayStore>,
    clock: Arc<dyn Clock>,
    pepper: Pepper,
    templates: Templates,
    /// Without a trailing slash.
    public_url: String,
    config: Config,
    /// Wakes the outbox worker when a message is queued.
    outbox_bell: Notify,
    /// Bumped whenever an instance appends events; wakes long-polls.
    events_bell: watch::Sender<u64>,
    /// Bumped whenever an instance appends to a change log (team mode); wakes long-polls.
    changes_bell: watch::Sender<u64>,
    /// Bumped whenever an instance revokes a device: its long-polls end at once.
    devices_bell: watch::Sender<u64>,
    shutdown: watch::Receiver<bool>,
    form_limiter: RateLimiter,
    invitation_limiter: RateLimiter,
    recipient_limiter: RateLimiter,
    /// Proxies whose forwarding header names the client.
    trusted: TrustedProxies,
    /// Rows the retention task deleted since start.
    pruned: std::sync::atomic::AtomicU64,
    /// Requests counted for the metrics listener.
    metrics: metrics::Metrics,
}

pub(crate) type Shared = Arc<AppState>;

impl AppState {
    fn invitation_link(&self, token: &str) -> String {
        format!("{}/i/{token}", self.public_url)
    }

    pub(crate) fn reset_link(&self, token: &str) -> String {
        format!("{}/r/{token}", self.public_url)
    }

    /// Where a member signs in to their own page.
    pub(crate) fn member_page_link(&self) -> String {
        format!("{}{}", self.public_url, pages::member::ME)
    }

    fn ring_events(&self) {
        ring(&self.events_bell);
    }

    /// The bell of `feed`'s long-polls.
    fn bell(&self, feed: Feed) -> &watch::Sender<u64> {
        match feed {
            Feed::Events => &self.events_bell,
            Feed::Changes => &self.changes_bell,
            Feed::Devices => &self.devices_bell,
        }
    }
}

/// Rings this instance's bells for the appends every instance sharing the store announces,
/// until the gateway stops.
async fn hear_other_instances(state: Shared) {
    let bells = Arc::clone(&state);
    let wake = move |feed| ring(bells.bell(feed));
    state
        .store
        .hear_appends(&wake, state.shutdown.clone())
        .await;
}

/// Wakes the long-polls waiting on `bell`.
pub(crate) fn ring(bell: &watch::Sender<u64>) {
    bell.send_modify(|n| *n = n.wrapping_add(1));
}

/// The client's address (for per-address limits and lockouts): the TCP peer, or, when the
/// peer is a trusted proxy, the address the proxy forwarded (see `server::client_address`).
#[derive(Debug, Clone, Copy)]
pub(crate) struct PeerAddr(pub SocketAddr);

/// What can be swapped for tests or embedding.
pub struct Options {
    pub clock: Arc<dyn Clock>,
    /// Overrides `pepper_file`.
    pub pepper: Option<Pepper>,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            clock: Arc::new(SystemClock),
            pepper: None,
        }
    }
}

/// A new organization's credentials. The API token is shown once; only its hash is kept.
#[derive(Debug, Clone)]
pub struct OrganizationCredentials {
    pub organization_id: String,
    pub api_token: String,
}

/// Opens the store named by `config.database`: a `postgres://` URL, or a SQLite file path.
pub async fn open_store(config: &Config) -> Result<Arc<dyn GatewayStore>> {
    let db = config.database.as_str();
    if config::is_postgres_url(db) {
        let store = PostgresStore::connect(db, config.database_max_connections).await?;
        return Ok(Arc::new(store));
    }
    let path = db.strip_prefix("sqlite://").unwrap_or(db);
    Ok(Arc::new(SqliteStore::open(Path::new(path))?))
}

/// Registers an organization and returns its first API token.
pub async fn create_organization(
    store: &dyn GatewayStore,
    name: &str,
    now: i64,
) -> Result<OrganizationCredentials> {
    let organization_id = secrets::new_id("org");
    let (api_token, hash) = secrets::new_api_token(&organization_id);
    let org = crate::store::NewOrganization {
        id: &organization_id,
        name,
        api_token_hash: hash,
    };
    store.create_organization(org, now).await?;
    Ok(OrganizationCredentials {
        organization_id,
        api_token,
    })
}

/// Replaces an organization's API token (the old one stops working at once).
pub async fn rotate_api_token(store: &dyn GatewayStore, organization_id: &str) -> Result<String> {
    let (api_token, hash) = secrets::new_api_token(organization_id);
    if store.set_api_token_hash(organization_id, hash).await? {
        Ok(api_token)
    } else {
        Err(GatewayError::NotFound)
    }
}

/// A running gateway.
pub struct Gateway {
    addr: SocketAddr,
    metrics_addr: Option<SocketAddr>,
    state: Shared,
    shutdown: watch::Sender<bool>,
    server: JoinHandle<std::io::Result<()>>,
    metrics: Option<JoinHandle<std::io::Result<()>>>,
    worker: JoinHandle<()>,
    /// Hears the appends of other instances sharing the database.
    wakes: JoinHandle<()>,
}

impl Gateway {
    /// The address actually bound (useful with port 0).
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// The address the metrics listener bound, when `metrics_listen` is set.
    pub fn metrics_addr(&self) -> Option<SocketAddr> {
        self.metrics_addr
    }

    /// The base of every link, without a trailing slash.
    pub fn public_url(&self) -> &str {
        &self.state.public_url
    }

    pub fn store(&self) -> Arc<dyn GatewayStore> {
        Arc::clone(&self.state.store)
    }

    /// Runs the retention pruning now (it also runs every `retention.interval_secs`);
    /// returns how many rows it deleted.
    pub async fn prune_now(&self) -> Result<u64> {
        retention::prune(&self.state).await
    }

    /// Rows the retention pruning deleted since this instance started.
    pub fn pruned_rows(&self) -> u64 {
        self.state.pruned.load(std::sync::atomic::Ordering::Relaxed)
    }

    pub async fn create_organization(&self, name: &str) -> Result<OrganizationCredentials> {
        create_organization(self.state.store.as_ref(), name, self.state.clock.now_secs()).await
    }

    /// Stops accepting connections, ends long-polls, lets requests in flight finish and
    /// stops the outbox worker (a message being sent completes first) — but waits no longer
    /// than `server.shutdown_grace_secs`: then open connections are dropped and the worker
    /// is stopped (a message it was sending is sent again after the restart).
    pub async fn shutdown(self) -> Result<()> {
        let _ = self.shutdown.send(true);
        let grace = std::time::Duration::from_secs(self.state.config.server.shutdown_grace_secs);
        let mut worker = self.worker;
        let (worker_done, server_done) =
            tokio::join!(tokio::time::timeout(grace, &mut worker), self.server);
        if worker_done.is_err() {
            tracing::warn!("the outbox worker did not stop within the grace period");
            worker.abort();
        }
        server_done??;
        if let Some(metrics) = self.metrics {
            metrics.await??;
        }
        self.wakes
            .await
            .map_err(|e| GatewayError::Internal(e.to_string()))?;
        Ok(())
    }
}

/// Builds the configured mail transport: .eml files, SMTP or Postmark. The SMTP password is read from the environment variable
/// the configuration names, so it never sits in the file.
pub(crate) fn mailer(config: &MailConfig) -> Result<Box<dyn Mailer>> {
    Ok(match config {
        MailConfig::File { dir, .. } => {
            std::fs::create_dir_all(dir)?;
            Box::new(mail::FileMailer { dir: dir.clone() })
        }
        MailConfig::Smtp(smtp) => Box::new(mail::SmtpMailer::new(smtp)?),
        MailConfig::Postmark(postmark) => Box::new(postmark::PostmarkMailer::new(postmark)?),
    })
}

/// Starts the gateway with the real clock and the configured pepper.
pub async fn serve(config: Config) -> Result<Gateway> {
    serve_with(config, Options::default()).await
}

pub async fn serve_with(config: Config, options: Options) -> Result<Gateway> {
    config.validate()?;
    let store = open_store(&config).await?;
    serve_store(config, options, store).await
}

/// Starts the gateway on a store the caller opened (the PostgreSQL store, or a shared one).
pub async fn serve_store(
    config: Config,
    options: Options,
    store: Arc<dyn GatewayStore>,
) -> Result<Gateway> {
    let pepper = match (options.pepper, &config.pepper_file) {
        (Some(p), _) => p,
        (None, Some(path)) => Pepper::load_or_create(path)?,
        (None, None) => {
            tracing::warn!(
                "no pepper_file configured: links will stop working when the gateway restarts"
            );
            Pepper::ephemeral()
        }
    };
    let mailer = mailer(&config.mail)?;
    let acceptor = config.tls.as_ref().map(tls::acceptor).transpose()?;
    let listener = tokio::net::TcpListener::bind(config.listen).await?;
    let addr = listener.local_addr()?;
    let metrics_listener = match config.metrics_listen {
        Some(at) => Some(metrics::bind(at).await?),
        None => None,
    };
    let metrics_addr = metrics_listener
        .as_ref()
        .map(tokio::net::TcpListener::local_addr)
        .transpose()?;
    let scheme = if acceptor.is_some() { "https" } else { "http" };
    let public_url = match config.public_url.trim_end_matches('/') {
        "" => format!("{scheme}://{addr}"),
        url => url.to_owned(),
    };
    let (sms, twilio_status) = sms::from_config(config.sms.as_ref(), &public_url)?;
    let hooks = routes::Hooks {
        postmark_bounce: match &config.mail {
            MailConfig::Postmark(p) => postmark::bounce_hook(p)?,
            MailConfig::File { .. } | MailConfig::Smtp(_) => None,
        },
        twilio_status,
    };
    let (shutdown_tx, shutdown_rx) = watch::channel(false);
    let trusted = TrustedProxies::new(
        config.server.trusted_networks()?,
        config.server.client_address_header,
    );
    let settings = server::Settings::new(&config.server, trusted.clone());
    let state = Arc::new(AppState {
        store,
        clock: options.clock,
        pepper,
        templates: Templates::new(),
        public_url,
        form_limiter: RateLimiter::new(config.limits.form_posts_per_minute, 60),
        invitation_limiter: RateLimiter::new(config.limits.invitations_per_minute, 60),
        recipient_limiter: RateLimiter::new(config.limits.messages_per_recipient_per_hour, 3600),
        trusted,
        config,
        outbox_bell: Notify::new(),
        events_bell: watch::channel(0).0,
        changes_bell: watch::channel(0).0,
        devices_bell: watch::channel(0).0,
        shutdown: shutdown_rx.clone(),
        pruned: std::sync::atomic::AtomicU64::new(0),
        metrics: metrics::Metrics::default(),
    });

    let app = routes::router(Arc::clone(&state), hooks);
    let server = server::spawn(listener, acceptor, app, settings, shutdown_rx.clone());
    let metrics =
        metrics_listener.map(|l| metrics::spawn(l, Arc::clone(&state), shutdown_rx.clone()));
    let worker = tokio::spawn(outbox::run(Arc::clone(&state), mailer, sms, shutdown_rx));
    let wakes = tokio::spawn(hear_other_instances(Arc::clone(&state)));
    tracing::info!(%addr, public_url = %state.public_url, "gateway listening");
    if let Some(at) = metrics_addr {
        tracing::info!(%at, "metrics listening");
    }
    Ok(Gateway {
        addr,
        metrics_addr,
        state,
        shutdown: shutdown_tx,
        server,
        metrics,
        worker,
        wakes,
    })
}
