//! A real SMTP server for the suites: Debian's aiosmtpd on a loopback port, storing what it
//! receives in a Maildir.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

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
        let deadline = Instant::now() + Duration::from_secs(10);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "aiosmtpd did not start");
            std::thread::sleep(Duration::from_millis(20));
        }
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

/// A port nobody listens on right now.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

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
