//! A real SMTP server for the suites: Debian's aiosmtpd on a loopback port, storing what it
//! receives in a Maildir.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use orgdesk_gateway::config::{MailConfig, SmtpConfig, SmtpTls};

/// An aiosmtpd process; killed (and reaped) when dropped, so a failing test leaves nothing.
pub struct SmtpServer {
    child: Child,
    maildir: PathBuf,
}

impl SmtpServer {
    pub fn start(port: u16, root: &Path) -> Self {
        Self::start_with(port, root, &[])
    }

    /// With extra aiosmtpd options, e.g. `--tlscert`/`--tlskey` (STARTTLS, required) or
    /// `--smtpscert`/`--smtpskey` (TLS from the first byte).
    pub fn start_with(port: u16, root: &Path, extra: &[&std::ffi::OsStr]) -> Self {
        let maildir = root.join("maildir");
        for sub in ["tmp", "new", "cur"] {
            std::fs::create_dir_all(maildir.join(sub)).unwrap();
        }
        let child = Command::new("/usr/bin/python3")
            .args(["-m", "aiosmtpd", "-n", "-l", &format!("127.0.0.1:{port}")])
            .args(extra)
            .args(["-c", "aiosmtpd.handlers.Mailbox"])
            .arg(&maildir)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("python3-aiosmtpd is installed (make test installs it)");
        let server = Self { child, maildir };
        super::loopback::wait_for_port(port, "aiosmtpd");
        server
    }

    pub fn inbox(&self) -> PathBuf {
        self.maildir.join("new")
    }
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A gateway on the system clock that mails through SMTP to a free loopback port where
/// nothing listens yet (start a server there with `SmtpServer::start`); and the port.
pub async fn gateway_mailing_to_a_free_port() -> (super::TestGateway, u16) {
    let port = free_port();
    let clock = std::sync::Arc::new(orgdesk_gateway::SystemClock);
    (super::TestGateway::start(clock, smtp_to(port)).await, port)
}

/// A gateway on the system clock that mails through a real SMTP server, started for it.
pub async fn gateway_with_smtp() -> (super::TestGateway, SmtpServer) {
    let (gw, port) = gateway_mailing_to_a_free_port().await;
    let smtp = SmtpServer::start(port, gw.dir.path());
    (gw, smtp)
}

pub use super::loopback::free_port;

pub fn smtp_to(port: u16) -> impl FnOnce(&mut orgdesk_gateway::Config, &Path) {
    move |config, _| {
        config.mail = MailConfig::Smtp(SmtpConfig {
            host: "127.0.0.1".into(),
            port,
            tls: SmtpTls::None,
            from: "Orgdesk <noreply@example.org>".into(),
            username: None,
            password_env: None,
            timeout_secs: 5,
            ca_file: None,
            allow_plaintext_auth: false,
        });
        config.delivery.retry_initial_secs = 1;
        config.delivery.retry_max_secs = 1;
    }
}

/// Mail through `tls` to 127.0.0.1:`port`, trusting `ca` (the server's self-signed cert).
pub fn smtp_tls_to(
    port: u16,
    tls: SmtpTls,
    ca: PathBuf,
) -> impl FnOnce(&mut orgdesk_gateway::Config, &Path) {
    move |config, dir| {
        smtp_to(port)(config, dir);
        if let MailConfig::Smtp(smtp) = &mut config.mail {
            smtp.tls = tls;
            smtp.ca_file = Some(ca);
        }
    }
}
