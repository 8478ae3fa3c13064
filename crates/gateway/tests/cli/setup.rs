//! `orgdesk-gateway init` and `orgdesk-gateway check`: the binary, with stdin not a
//! terminal (so nothing is asked), against the real test SMTP server.

use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use crate::common::binary::{self, BIN};
use crate::common::smtp::{free_port, SmtpServer};
use crate::{config_with_mail, invite, Server};

fn gateway(args: &[&str], config: &Path) -> Output {
    Command::new(BIN)
        .arg("--config")
        .arg(config)
        .args(args)
        .stdin(Stdio::null())
        .output()
        .unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn printed<'a>(out: &'a str, key: &str) -> &'a str {
    out.lines()
        .find_map(|l| l.strip_prefix(key)?.strip_prefix(" = "))
        .unwrap_or_else(|| panic!("{key} missing from:\n{out}"))
}

#[tokio::test]
async fn init_writes_a_config_the_pepper_and_an_organization_whose_token_works() {
    let dir = tempfile::tempdir().unwrap();
    let etc = dir.path().join("etc");
    let state = dir.path().join("state");
    std::fs::create_dir_all(&state).unwrap();
    let config = etc.join("gateway.toml");
    let state_arg = state.to_string_lossy().into_owned();
    let init = |extra: &[&str]| {
        let mut args = vec!["init", "--org", "Acme Ltd", "--state-dir", &state_arg];
        args.extend_from_slice(extra);
        gateway(&args, &config)
    };
    let out = init(&[]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    let token = printed(&stdout, "api_token").to_owned();
    assert!(printed(&stdout, "organization_id").starts_with("org_"));
    assert!(
        printed(&stdout, "pepper").ends_with("(created)"),
        "{stdout}"
    );
    assert!(text(&out.stderr).contains("shown only this once"));
    // The configuration is the sample with the answers; the database is in the state
    // directory; the pepper is beside the configuration, readable by its owner only.
    let written = std::fs::read_to_string(&config).unwrap();
    let db_line = format!("database = \"{}\"", state.join("gateway.db").display());
    assert!(written.contains(&db_line), "{written}");
    let pepper_line = format!("pepper_file = \"{}\"", etc.join("pepper").display());
    assert!(written.contains(&pepper_line), "{written}");
    assert!(state.join("gateway.db").exists());
    let pepper = std::fs::read_to_string(etc.join("pepper")).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(etc.join("pepper"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }

    // Not overwritten without --force; with it, the pepper is kept.
    let again = init(&[]);
    assert_eq!(again.status.code(), Some(1));
    assert!(
        text(&again.stderr).contains("--force"),
        "{}",
        text(&again.stderr)
    );
    assert_eq!(std::fs::read_to_string(&config).unwrap(), written);
    let forced = init(&["--force", "--public-url", "https://join.example.org"]);
    assert!(forced.status.success(), "{}", text(&forced.stderr));
    assert!(printed(&text(&forced.stdout), "pepper").ends_with("(kept)"));
    assert_eq!(std::fs::read_to_string(etc.join("pepper")).unwrap(), pepper);
    let forced_config = std::fs::read_to_string(&config).unwrap();
    assert!(forced_config.contains("public_url = \"https://join.example.org\""));

    // The first token works against the server started on that configuration.
    std::fs::write(&config, &written).unwrap();
    let mut child = Command::new(BIN);
    child.env("STATE_DIRECTORY", &state);
    let (child, addr) = binary::serve_command(child, &config);
    let _server = Server(child);
    let created = invite(&addr, &token, "init-1", "link").await;
    assert_eq!(created.status(), 201);
}

#[test]
fn init_without_an_organization_on_a_pipe_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("gateway.toml");
    let out = gateway(
        &["init", "--state-dir", &dir.path().to_string_lossy()],
        &config,
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("--org"), "{}", text(&out.stderr));
    assert!(!config.exists());
    // A bad public address is refused before anything is written.
    let bad = gateway(
        &[
            "init",
            "--org",
            "Acme",
            "--public-url",
            "ftp://x",
            "--state-dir",
            ".",
        ],
        &config,
    );
    assert_eq!(bad.status.code(), Some(1));
    assert!(
        text(&bad.stderr).contains("public_url"),
        "{}",
        text(&bad.stderr)
    );
    assert!(!config.exists() && !dir.path().join("pepper").exists());
}

/// A configuration sending through the SMTP server on `port`, in `dir`.
fn smtp_config(dir: &Path, port: u16) -> std::path::PathBuf {
    let smtp = format!(
        "transport = \"smtp\"\nhost = \"127.0.0.1\"\nport = {port}\ntls = \"none\"\ntimeout_secs = 5"
    );
    config_with_mail(dir, &smtp)
}

#[test]
fn check_reaches_the_mail_server_and_sends_a_test_message() {
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let smtp = SmtpServer::start(port, dir.path());
    let config = smtp_config(dir.path(), port);
    let out = gateway(&["check", "--send-test-to", "admin@example.org"], &config);
    let stdout = text(&out.stdout);
    assert!(out.status.success(), "{stdout}{}", text(&out.stderr));
    for line in [
        "ok   config:",
        "ok   database: reachable, schema at migration",
        "ok   pepper:",
        "ok   mail: 127.0.0.1:",
        "ok   test message: sent to admin@example.org",
    ] {
        assert!(
            stdout.lines().any(|l| l.starts_with(line)),
            "{line}:\n{stdout}"
        );
    }
    let deadline = Instant::now() + Duration::from_secs(10);
    let received = loop {
        let files: Vec<_> = std::fs::read_dir(smtp.inbox()).unwrap().flatten().collect();
        if let Some(file) = files.first() {
            break std::fs::read_to_string(file.path()).unwrap();
        }
        assert!(Instant::now() < deadline, "the test message did not arrive");
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(
        received.contains("Orgdesk gateway: test message"),
        "{received}"
    );
    assert!(received.contains("admin@example.org"), "{received}");
}

#[test]
fn check_fails_with_the_reasons() {
    let dir = tempfile::tempdir().unwrap();
    // Nobody listens on the mail port: the mail step fails, and the test message is not tried.
    let config = smtp_config(dir.path(), free_port());
    let out = gateway(&["check", "--send-test-to", "admin@example.org"], &config);
    assert_eq!(out.status.code(), Some(1));
    let stdout = text(&out.stdout);
    assert!(stdout.contains("ok   database:"), "{stdout}");
    assert!(
        stdout.contains("FAIL mail: cannot connect to 127.0.0.1:"),
        "{stdout}"
    );
    assert!(
        stdout.contains("FAIL test message: not sent: the mail server could not be reached"),
        "{stdout}"
    );
    // A configuration that does not read stops at the first step.
    std::fs::write(&config, "database = \"x.db\"\nbogus = 1\n").unwrap();
    let out = gateway(&["check"], &config);
    assert_eq!(out.status.code(), Some(1));
    let stdout = text(&out.stdout);
    assert!(
        stdout.starts_with("FAIL config:") && stdout.contains("bogus"),
        "{stdout}"
    );
    let findings = stdout
        .lines()
        .filter(|l| l.starts_with("ok ") || l.starts_with("FAIL"));
    assert_eq!(findings.count(), 1, "{stdout}");
}

/// The sample configuration passes the check as is (mail into files) in a fresh directory.
#[test]
fn the_sample_configuration_passes_the_check() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("gateway.toml");
    std::fs::write(&config, orgdesk_gateway::admin::SAMPLE_CONFIG).unwrap();
    let out = Command::new(BIN)
        .arg("--config")
        .arg(&config)
        .arg("check")
        .env("STATE_DIRECTORY", dir.path())
        .output()
        .unwrap();
    let stdout = text(&out.stdout);
    assert!(out.status.success(), "{stdout}");
    assert!(
        stdout.contains("does not exist yet; the first start creates it"),
        "{stdout}"
    );
    assert!(stdout.contains(".eml files into"), "{stdout}");
    assert!(dir.path().join("gateway.db").exists());
}
