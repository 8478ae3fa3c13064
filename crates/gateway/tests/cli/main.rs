//! The standalone binary: `--help`, a configuration file, `create-organization`, serving an
//! invitation, and a clean stop on SIGTERM (what systemd sends).

use std::process::Command;
use std::time::{Duration, Instant};

#[path = "../common/mod.rs"]
mod common;

use common::binary::{self, BIN};
use common::self_signed;

mod package;
mod setup;

/// Kills the server if the test fails before stopping it.
pub(crate) struct Server(pub(crate) std::process::Child);

impl Drop for Server {
    fn drop(&mut self) {
        if let Ok(None) = self.0.try_wait() {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }
}

fn config(dir: &std::path::Path) -> std::path::PathBuf {
    let mail = format!(
        "transport = \"file\"\ndir = \"{}\"",
        dir.join("mail").display()
    );
    config_with_mail(dir, &mail)
}

/// `dir/gateway.toml`: loopback, any free port, the database and pepper in `dir`, and
/// `mail` (the `[mail]` section's keys but `from`).
pub(crate) fn config_with_mail(dir: &std::path::Path, mail: &str) -> std::path::PathBuf {
    let path = dir.join("gateway.toml");
    let text = format!(
        r#"listen = "127.0.0.1:0"
database = "{db}"
pepper_file = "{pepper}"

[mail]
{mail}
from = "Orgdesk <noreply@example.org>"
"#,
        db = dir.join("gateway.db").display(),
        pepper = dir.join("pepper").display(),
    );
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn help_lists_the_commands() {
    let out = Command::new(BIN).arg("--help").output().unwrap();
    assert!(out.status.success());
    let help = String::from_utf8(out.stdout).unwrap();
    for word in [
        "--config",
        "serve",
        "create-organization",
        "rotate-token",
        "init",
        "check",
    ] {
        assert!(help.contains(word), "{word} missing from:\n{help}");
    }
}

#[test]
fn a_bad_configuration_is_refused_with_the_reason() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("gateway.toml");
    std::fs::write(&path, "database = \"x.db\"\nlisten = \"0.0.0.0:0\"\n").unwrap();
    let out = Command::new(BIN)
        .arg("--config")
        .arg(&path)
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.contains("public_url"), "{err}");
}

#[tokio::test]
async fn the_binary_serves_and_stops_on_sigterm() {
    let dir = tempfile::tempdir().unwrap();
    let config = config(dir.path());

    let token = binary::create_organization(&config, "Acme");

    let (child, addr) = binary::serve(&config);
    let mut server = Server(child);

    let created = invite(&addr, &token, "cli-1", "email").await;
    assert_eq!(created.status(), 201);
    let body: serde_json::Value = created.json().await.unwrap();
    assert!(body["link"]
        .as_str()
        .unwrap()
        .starts_with(&format!("http://{addr}/i/")));

    wait_for_eml(&dir.path().join("mail")).await;
    let pepper = std::fs::metadata(dir.path().join("pepper")).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(pepper.permissions().mode() & 0o777, 0o600);
    }

    stops_on_sigterm(&mut server);
}

/// POST /api/v1/invitations for Li Wei of Acme Ltd on `channel`, as the quick start does.
pub(crate) async fn invite(addr: &str, token: &str, key: &str, channel: &str) -> reqwest::Response {
    reqwest::Client::new()
        .post(format!("http://{addr}/api/v1/invitations"))
        .bearer_auth(token)
        .header("Idempotency-Key", key)
        .json(&serde_json::json!({
            "channel": channel,
            "recipient": if channel == "email" { "li.wei@example.org" } else { "li.wei" },
            "invitee_name": "Li Wei",
            "organization_name": "Acme Ltd",
            "inviter_name": "Ann Admin"
        }))
        .send()
        .await
        .unwrap()
}

/// Waits (10 s at most) for the file mailer to write an .eml file into `dir`.
pub(crate) async fn wait_for_eml(dir: &std::path::Path) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while std::fs::read_dir(dir)
        .map(|d| {
            d.filter_map(Result::ok)
                .all(|e| e.path().extension().is_none_or(|x| x != "eml"))
        })
        .unwrap_or(true)
    {
        assert!(
            Instant::now() < deadline,
            "no .eml file written in {}",
            dir.display()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Sends SIGTERM (what systemd sends) and checks the server exits cleanly within 10 s.
pub(crate) fn stops_on_sigterm(server: &mut Server) {
    let term = Command::new("kill")
        .args(["-TERM", &server.0.id().to_string()])
        .status()
        .unwrap();
    assert!(term.success());
    let deadline = Instant::now() + Duration::from_secs(10);
    let status = loop {
        if let Some(status) = server.0.try_wait().unwrap() {
            break status;
        }
        if Instant::now() > deadline {
            panic!("the gateway did not stop within 10 s of SIGTERM");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(status.success(), "{status:?}");
}

/// One HTTP/1.1 request over TLS, trusting only `cert`; returns the raw response.
async fn https_get(addr: std::net::SocketAddr, cert: &std::path::Path, path: &str) -> String {
    use rustls::pki_types::pem::PemObject;
    use rustls::pki_types::{CertificateDer, ServerName};
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    let mut roots = rustls::RootCertStore::empty();
    roots
        .add(CertificateDer::from_pem_file(cert).unwrap())
        .unwrap();
    let provider = std::sync::Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(roots)
        .with_no_client_auth();
    let connector = tokio_rustls::TlsConnector::from(std::sync::Arc::new(config));
    let tcp = tokio::net::TcpStream::connect(addr).await.unwrap();
    let name = ServerName::try_from("127.0.0.1").unwrap();
    let mut tls = connector.connect(name, tcp).await.expect("TLS handshake");
    let request = format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n");
    tls.write_all(request.as_bytes()).await.unwrap();
    let mut response = Vec::new();
    tls.read_to_end(&mut response).await.unwrap();
    String::from_utf8_lossy(&response).into_owned()
}

#[tokio::test]
async fn the_gateway_serves_https_when_configured() {
    let dir = tempfile::tempdir().unwrap();
    let (cert_file, key_file) = self_signed(dir.path());
    let mut config = orgdesk_gateway::Config::local(
        dir.path().join("gateway.db").to_string_lossy().into_owned(),
        dir.path().join("mail"),
    );
    config.tls = Some(orgdesk_gateway::config::TlsConfig {
        cert_file: cert_file.clone(),
        key_file,
    });
    let gateway = orgdesk_gateway::serve(config).await.unwrap();
    let addr = gateway.local_addr();
    assert_eq!(gateway.public_url(), format!("https://{addr}"));

    let page = https_get(addr, &cert_file, "/i/unknown-token").await;
    assert!(page.starts_with("HTTP/1.1 404"), "{page}");
    assert!(page.contains("This link is not valid"), "{page}");
    assert!(
        page.to_ascii_lowercase()
            .contains("strict-transport-security: max-age=31536000"),
        "{page}"
    );
    let css = https_get(addr, &cert_file, "/static/gateway.css").await;
    assert!(css.starts_with("HTTP/1.1 200"), "{css}");

    // Plain HTTP on the TLS port gets no page.
    let plain = reqwest::get(format!("http://{addr}/static/gateway.css")).await;
    assert!(plain.is_err() || !plain.unwrap().status().is_success());

    tokio::time::timeout(Duration::from_secs(10), gateway.shutdown())
        .await
        .expect("stops in time")
        .unwrap();
}

#[test]
fn a_missing_provider_credential_stops_the_start_with_the_reason() {
    let dir = tempfile::tempdir().unwrap();
    let path = config(dir.path());
    let mut text = std::fs::read_to_string(&path).unwrap();
    text.push_str(
        r#"
[sms]
provider = "twilio"
account_sid = "AC0123456789abcdef0123456789abcdef"
auth_token_env = "ORGDESK_TEST_TWILIO_TOKEN_NOT_SET"
from = "+15005550006"
"#,
    );
    std::fs::write(&path, text).unwrap();
    let out = Command::new(BIN)
        .arg("--config")
        .arg(&path)
        .env_remove("ORGDESK_TEST_TWILIO_TOKEN_NOT_SET")
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.contains("ORGDESK_TEST_TWILIO_TOKEN_NOT_SET"), "{err}");
}
