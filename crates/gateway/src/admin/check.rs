//! `orgdesk-gateway check`: reads the configuration as the server would, opens the database
//! (and applies the migrations, as a start would), reads the pepper, reaches the mail server,
//! and with a recipient sends it a test message. Each step is one finding; any failure makes
//! the whole check fail.

use std::path::Path;
use std::time::Duration;

use lettre::message::{header::ContentType, Mailbox};
use lettre::Message;
use tokio::io::AsyncBufReadExt;

use crate::config::{Config, MailConfig, SmtpTls};
use crate::error::GatewayError;
use crate::mail::DeliveryError;
use crate::secrets::Pepper;

/// One step of the check.
#[derive(Debug, Clone)]
pub struct Finding {
    /// `config`, `database`, `pepper`, `mail`, `test message`.
    pub what: &'static str,
    pub ok: bool,
    pub detail: String,
}

#[derive(Debug, Clone, Default)]
pub struct CheckReport {
    pub findings: Vec<Finding>,
}

impl CheckReport {
    pub fn ok(&self) -> bool {
        self.findings.iter().all(|f| f.ok)
    }

    fn note(&mut self, what: &'static str, outcome: Result<String, String>) -> bool {
        let ok = outcome.is_ok();
        let detail = outcome.unwrap_or_else(|e| e);
        self.findings.push(Finding { what, ok, detail });
        ok
    }
}

/// Checks the configuration at `path` (relative paths taken in `state_dir`, as the server
/// takes them), and sends a test message to `send_test_to` when given.
pub async fn check(
    path: &Path,
    state_dir: Option<&Path>,
    pepper_override: Option<&Path>,
    send_test_to: Option<&str>,
) -> CheckReport {
    let mut report = CheckReport::default();
    let config = match Config::load(path) {
        Ok(mut config) => {
            if let Some(dir) = state_dir {
                config.relative_to(dir);
            }
            if let Some(pepper) = pepper_override {
                config.pepper_file = Some(pepper.to_owned());
            }
            report.note(
                "config",
                Ok(format!("{} reads and is valid", path.display())),
            );
            config
        }
        Err(e) => {
            report.note("config", Err(e.to_string()));
            return report;
        }
    };
    let database = match crate::open_store(&config).await {
        Ok(store) => match (store.schema_status().await, store.outbox_depth().await) {
            (Ok(schema), Ok(depth)) if schema.is_current() => Ok(format!(
                "reachable, schema at migration {}, {depth} message(s) waiting",
                schema.applied
            )),
            (Ok(schema), Ok(_)) => Err(format!(
                "the schema is at migration {}, this build needs {}",
                schema.applied, schema.expected
            )),
            (Err(e), _) | (_, Err(e)) => Err(e.to_string()),
        },
        Err(e) => Err(format!("cannot open {}: {e}", config.database)),
    };
    report.note("database", database);
    let pepper = match &config.pepper_file {
        None => Err("pepper_file is not set: links would stop working at every restart".into()),
        Some(file) if !file.exists() => Ok(format!(
            "{} does not exist yet; the first start creates it",
            file.display()
        )),
        Some(file) => Pepper::load_or_create(file)
            .map(|_| format!("{} reads", file.display()))
            .map_err(|e| e.to_string()),
    };
    report.note("pepper", pepper);
    let reached = report.note("mail", reach_mail(&config.mail).await);
    if let Some(to) = send_test_to {
        let sent = if reached {
            send_test(&config.mail, to).await
        } else {
            Err("not sent: the mail server could not be reached".into())
        };
        report.note("test message", sent);
    }
    report
}

/// Whether the mail transport can take a message: the folder is writable, the SMTP server
/// answers (its 220 greeting, unless TLS comes first), or the HTTP provider is configured.
async fn reach_mail(mail: &MailConfig) -> Result<String, String> {
    match mail {
        MailConfig::File { dir, .. } => {
            let probe = dir.join(".orgdesk-check");
            std::fs::create_dir_all(dir)
                .and_then(|()| std::fs::write(&probe, b""))
                .and_then(|()| std::fs::remove_file(&probe))
                .map(|()| {
                    format!(
                        "messages are written as .eml files into {} (nothing is sent)",
                        dir.display()
                    )
                })
                .map_err(|e| format!("cannot write into {}: {e}", dir.display()))
        }
        MailConfig::Smtp(smtp) => {
            let at = format!("{}:{}", smtp.host, smtp.port);
            let timeout = Duration::from_secs(smtp.timeout_secs.clamp(1, 30));
            let stream = tokio::time::timeout(timeout, tokio::net::TcpStream::connect(&at))
                .await
                .map_err(|_| format!("{at} did not answer within {} s", timeout.as_secs()))?
                .map_err(|e| format!("cannot connect to {at}: {e}"))?;
            if smtp.tls == SmtpTls::Tls {
                return Ok(format!(
                    "{at} accepts connections (TLS from the first byte)"
                ));
            }
            let mut greeting = String::new();
            let mut reader = tokio::io::BufReader::new(stream);
            tokio::time::timeout(timeout, reader.read_line(&mut greeting))
                .await
                .map_err(|_| format!("{at} sent no greeting within {} s", timeout.as_secs()))?
                .map_err(|e| format!("{at}: {e}"))?;
            if greeting.starts_with("220") {
                Ok(format!("{at} answers as a mail server"))
            } else {
                Err(format!(
                    "{at} did not greet as a mail server: {}",
                    greeting.trim()
                ))
            }
        }
        MailConfig::Postmark(p) => Ok(format!(
            "Postmark's API at {} (not contacted; send a test message to try it)",
            p.base_url
        )),
    }
}

async fn send_test(mail: &MailConfig, to: &str) -> Result<String, String> {
    let from: Mailbox = mail
        .from_address()
        .parse()
        .map_err(|e| format!("mail.from {:?} is not an address: {e}", mail.from_address()))?;
    let recipient: Mailbox = to
        .parse()
        .map_err(|e| format!("--send-test-to {to:?} is not an address: {e}"))?;
    let message = Message::builder()
        .from(from)
        .to(recipient)
        .subject("Orgdesk gateway: test message")
        .header(ContentType::TEXT_PLAIN)
        .body(
            "This message was sent by `orgdesk-gateway check` to show that the gateway can \
             send mail.\n"
                .to_owned(),
        )
        .map_err(|e| format!("the test message could not be built: {e}"))?;
    let mailer = crate::mailer(mail).map_err(|e: GatewayError| e.to_string())?;
    match mailer.send(message).await {
        Ok(()) => Ok(format!("sent to {to}")),
        Err(DeliveryError::Transient(e) | DeliveryError::Permanent(e)) => {
            Err(format!("not sent to {to}: {e}"))
        }
    }
}
