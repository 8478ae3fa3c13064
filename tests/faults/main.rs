//! Faults with nothing lost and nothing doubled: the desktop (`orgdesk sync`, the same rounds
//! the window runs) is killed with SIGKILL while its requests are in flight, twice, and started
//! again; a real gateway process sends 1,000 email invitations to a real SMTP server (Debian's
//! aiosmtpd). Every recipient gets exactly one message and every invitation ends Delivered in
//! the directory. Loopback only; bounded in time; every process it starts is stopped.

#[path = "../support/mod.rs"]
mod support;
use support::orgdesk;

use std::io::Write;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use orgdesk_core::audit::Actor;
use orgdesk_core::invitations::{InvitationQuery, InvitationState, InviteChannel};
use orgdesk_core::members::{MemberQuery, StatusFilter};
use orgdesk_core::Directory;

const INVITATIONS: usize = 1_000;

/// A child process killed (and reaped) when dropped, so a failing test leaves nothing running.
struct Proc(Child);

impl Drop for Proc {
    fn drop(&mut self) {
        if let Ok(None) = self.0.try_wait() {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn wait_for_port(port: u16, what: &str) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "{what} did not start");
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// The gateway binary beside this one (built with the workspace); built here if missing.
fn gateway_bin() -> PathBuf {
    let bin = Path::new(env!("CARGO_BIN_EXE_orgdesk"))
        .with_file_name(format!("orgdesk-gateway{}", std::env::consts::EXE_SUFFIX));
    if !bin.exists() {
        let built = Command::new(env!("CARGO"))
            .args(["build", "-p", "orgdesk-gateway", "--bin", "orgdesk-gateway"])
            .status()
            .unwrap();
        assert!(built.success());
    }
    bin
}

/// `orgdesk sync --follow` in the background: the desktop, as a process that can be killed.
fn desktop(db: &Path, url: &str, token: &str) -> Proc {
    let mut child = Command::new(env!("CARGO_BIN_EXE_orgdesk"))
        .arg("--db")
        .arg(db)
        .args(["sync", "--gateway", url, "--token-stdin", "--follow", "300"])
        .env_remove("DISPLAY")
        .env_remove("WAYLAND_DISPLAY")
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut input = child.stdin.take().unwrap();
    writeln!(input, "{token}").unwrap();
    drop(input);
    Proc(child)
}

fn messages(inbox: &Path) -> Vec<PathBuf> {
    std::fs::read_dir(inbox)
        .map(|d| d.flatten().map(|e| e.path()).collect())
        .unwrap_or_default()
}

/// The invitations' states as the directory has them, counted.
fn states(db: &Path) -> (usize, usize) {
    let d = Directory::open(db).unwrap();
    let all = d.list_invitations(&InvitationQuery::default()).unwrap();
    let delivered = all
        .iter()
        .filter(|i| i.state == InvitationState::Delivered)
        .count();
    (all.len(), delivered)
}

#[test]
fn a_desktop_killed_with_requests_in_flight_sends_each_invitation_once() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();

    // The SMTP server.
    let smtp_port = free_port();
    let maildir = root.join("maildir");
    for sub in ["tmp", "new", "cur"] {
        std::fs::create_dir_all(maildir.join(sub)).unwrap();
    }
    let _smtp = Proc(
        Command::new("/usr/bin/python3")
            .args([
                "-m",
                "aiosmtpd",
                "-n",
                "-l",
                &format!("127.0.0.1:{smtp_port}"),
            ])
            .args(["-c", "aiosmtpd.handlers.Mailbox"])
            .arg(&maildir)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("python3-aiosmtpd is installed (make test installs it)"),
    );
    wait_for_port(smtp_port, "aiosmtpd");

    // The gateway, as its own process.
    let gw_port = free_port();
    let url = format!("http://127.0.0.1:{gw_port}");
    let config = root.join("gateway.toml");
    std::fs::write(
        &config,
        format!(
            r#"listen = "127.0.0.1:{gw_port}"
public_url = "{url}"
database = "{db}"
pepper_file = "{pepper}"

[mail]
transport = "smtp"
from = "Orgdesk <noreply@example.org>"
host = "127.0.0.1"
port = {smtp_port}
tls = "none"

[delivery]
retry_initial_secs = 1
retry_max_secs = 2
max_attempts = 1000
poll_interval_ms = 100

[limits]
invitations_per_minute = 100000
"#,
            db = root.join("gateway.db").display(),
            pepper = root.join("pepper").display(),
        ),
    )
    .unwrap();
    let created = Command::new(gateway_bin())
        .arg("--config")
        .arg(&config)
        .args(["create-organization", "--name", "Acme"])
        .output()
        .unwrap();
    assert!(created.status.success(), "{created:?}");
    let out = String::from_utf8(created.stdout).unwrap();
    let token = out
        .lines()
        .find_map(|l| l.strip_prefix("api_token = "))
        .expect("the token is printed")
        .to_owned();
    let _gateway = Proc(
        Command::new(gateway_bin())
            .arg("--config")
            .arg(&config)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    wait_for_port(gw_port, "the gateway");

    // The directory: 1,000 people added by import, each invited by email.
    let db = root.join("acme.db");
    let init = orgdesk(
        &db,
        &[
            "org",
            "init",
            "--name",
            "Acme",
            "--admin",
            "ann",
            "--password-stdin",
        ],
        Some("Correct-Horse1\n"),
    );
    assert!(init.status.success(), "{init:?}");
    // With the built-in gateway, which lives inside the window, the command line says so.
    let refused = orgdesk(&db, &["sync"], None);
    assert_eq!(refused.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&refused.stderr).contains("built-in gateway"));
    let people = root.join("people.csv");
    let mut csv = String::from("Name,Email,Department\n");
    for i in 0..INVITATIONS {
        csv.push_str(&format!("Person {i},p{i}@example.com,Acme\n"));
    }
    std::fs::write(&people, csv).unwrap();
    let imported = orgdesk(&db, &["import", &people.display().to_string()], None);
    assert!(imported.status.success(), "{imported:?}");
    {
        let mut d = Directory::open(&db).unwrap();
        let ids = d
            .member_ids(&MemberQuery {
                status: StatusFilter::PendingJoin,
                ..Default::default()
            })
            .unwrap();
        assert_eq!(ids.len(), INVITATIONS);
        let admin = Actor::member(d.initial_admin_id().unwrap(), "Ann");
        let out = d
            .invite_members(&admin, &ids, InviteChannel::Email)
            .unwrap();
        assert_eq!(out.invited as usize, INVITATIONS);
    }

    // The desktop runs, and is killed twice while its requests are on their way: once early,
    // once when a good part of the mail has gone out.
    let inbox = maildir.join("new");
    let deadline = Instant::now() + Duration::from_secs(240);
    let mut sync = desktop(&db, &url, &token);
    std::thread::sleep(Duration::from_millis(700));
    sync.0.kill().unwrap();
    sync.0.wait().unwrap();
    let mut sync = desktop(&db, &url, &token);
    while messages(&inbox).len() < INVITATIONS / 3 {
        assert!(Instant::now() < deadline, "mail stopped arriving");
        std::thread::sleep(Duration::from_millis(20));
    }
    sync.0.kill().unwrap();
    sync.0.wait().unwrap();
    let sync = desktop(&db, &url, &token);

    // Every message arrives, and every invitation is Delivered in the directory.
    loop {
        let arrived = messages(&inbox).len();
        let (total, delivered) = states(&db);
        assert_eq!(total, INVITATIONS, "no invitation made twice or lost");
        if arrived >= INVITATIONS && delivered == INVITATIONS {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "{arrived} messages arrived, {delivered} invitations delivered"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
    drop(sync);
    // A moment for anything doubled to show up.
    std::thread::sleep(Duration::from_secs(2));
    let files = messages(&inbox);
    let mut recipients: Vec<String> = files
        .iter()
        .map(|f| {
            let text = std::fs::read_to_string(f).unwrap();
            text.lines()
                .find_map(|l| l.strip_prefix("To: "))
                .unwrap_or_default()
                .trim()
                .to_owned()
        })
        .collect();
    recipients.sort();
    let sent = recipients.len();
    recipients.dedup();
    eprintln!(
        "invitations {INVITATIONS}, messages received {sent}, distinct recipients {}",
        recipients.len()
    );
    assert_eq!(sent, INVITATIONS, "exactly one message per invitation");
    assert_eq!(recipients.len(), INVITATIONS, "no recipient twice");
}
