//! The pieces of a delivery campaign, each a real process on loopback that can be killed and
//! started again: the SMTP server (Debian's aiosmtpd, writing a Maildir), the gateway binary,
//! a throwaway PostgreSQL cluster, and the desktop (`orgdesk sync --follow`). Every process is
//! killed and reaped when its handle is dropped, so a failing test leaves nothing running.

use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use orgdesk_core::audit::Actor;
use orgdesk_core::invitations::{InvitationQuery, InvitationState, InviteChannel};
use orgdesk_core::members::{MemberQuery, StatusFilter};
use orgdesk_core::Directory;

use crate::support::{init_acme, orgdesk};

pub const INVITATIONS: usize = 1_000;

/// A child process killed (SIGKILL) and reaped when dropped.
pub struct Proc(Child);

impl Proc {
    /// Starts `command` with its output discarded, and waits until it listens on `port`.
    pub fn listening(command: &mut Command, port: u16, what: &str) -> Self {
        let child = command
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("{what} could not be started: {e}"));
        wait_for_port(port, what);
        Self(child)
    }

    /// `kill -9`, and wait for it to be gone.
    pub fn kill(mut self) {
        self.0.kill().unwrap();
        self.0.wait().unwrap();
    }
}

impl Drop for Proc {
    fn drop(&mut self) {
        if let Ok(None) = self.0.try_wait() {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }
}

#[path = "../../crates/gateway/tests/common/loopback.rs"]
mod loopback;
pub use loopback::{free_port, wait_for_port, PgCluster};

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

/// aiosmtpd on a fixed loopback port, delivering into a Maildir that outlives its restarts.
pub struct Smtp {
    pub port: u16,
    pub maildir: PathBuf,
    proc: Option<Proc>,
}

impl Smtp {
    pub fn start(root: &Path) -> Self {
        let maildir = root.join("maildir");
        for sub in ["tmp", "new", "cur"] {
            std::fs::create_dir_all(maildir.join(sub)).unwrap();
        }
        let mut smtp = Self {
            port: free_port(),
            maildir,
            proc: None,
        };
        smtp.start_again();
        smtp
    }

    pub fn start_again(&mut self) {
        assert!(self.proc.is_none());
        self.proc = Some(Proc::listening(
            Command::new("/usr/bin/python3")
                .args(["-m", "aiosmtpd", "-n", "-l"])
                .arg(format!("127.0.0.1:{}", self.port))
                .args(["-c", "aiosmtpd.handlers.Mailbox"])
                .arg(&self.maildir),
            self.port,
            "aiosmtpd (python3-aiosmtpd, which make test installs)",
        ));
    }

    /// Stopped at once (SIGKILL), whatever it was in the middle of.
    pub fn stop(&mut self) {
        self.proc.take().expect("the SMTP server runs").kill();
    }

    pub fn inbox(&self) -> PathBuf {
        self.maildir.join("new")
    }
}

/// A throwaway PostgreSQL cluster in `root`/pg, as the gateway's suites start one.
pub fn postgres_in(root: &Path) -> PgCluster {
    let home = root.join("pg");
    std::fs::create_dir_all(&home).unwrap();
    if loopback::runs_as_root() {
        // The test's temporary folder must let the `postgres` user reach `home`.
        loopback::run_tool(Command::new("chmod").arg("755").arg(root));
    }
    PgCluster::start_in(&home)
}

/// The gateway as its own process, on a fixed port so that it can be killed and started again
/// where the desktop expects it.
pub struct Gateway {
    config: PathBuf,
    pub port: u16,
    pub url: String,
    pub token: String,
    proc: Option<Proc>,
}

impl Gateway {
    /// Writes the configuration (mail to `smtp_port`, short retries and a short lease, so that
    /// a campaign with faults ends in bounded time), creates the organization, and starts it.
    pub fn start(root: &Path, database: &str, smtp_port: u16) -> Self {
        let port = free_port();
        let url = format!("http://127.0.0.1:{port}");
        let config = root.join("gateway.toml");
        std::fs::write(
            &config,
            format!(
                r#"listen = "127.0.0.1:{port}"
public_url = "{url}"
database = "{database}"
pepper_file = "{pepper}"

[mail]
transport = "smtp"
from = "Orgdesk <noreply@example.org>"
host = "127.0.0.1"
port = {smtp_port}
tls = "none"
timeout_secs = 5

[delivery]
retry_initial_secs = 1
retry_max_secs = 2
max_attempts = 1000
poll_interval_ms = 100
lease_secs = 3

[limits]
invitations_per_minute = 100000
"#,
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
        let mut gateway = Self {
            config,
            port,
            url,
            token,
            proc: None,
        };
        gateway.start_again();
        gateway
    }

    /// Another instance of this gateway, started: the same configuration (database, pepper,
    /// mail), written to a file of its own in `root` but for the port it listens on.
    #[allow(dead_code)] // the command-line suite's, not the campaign's
    pub fn another_instance(&self, root: &Path) -> Self {
        let port = free_port();
        let url = format!("http://127.0.0.1:{port}");
        let config = root.join(format!("gateway-{port}.toml"));
        let ours = std::fs::read_to_string(&self.config).unwrap();
        // `listen` and `public_url` both end with the address.
        let theirs = ours.replace(
            &format!("127.0.0.1:{}\"", self.port),
            &format!("127.0.0.1:{port}\""),
        );
        std::fs::write(&config, theirs).unwrap();
        let mut gateway = Self {
            config,
            port,
            url,
            token: self.token.clone(),
            proc: None,
        };
        gateway.start_again();
        gateway
    }

    /// A gateway that keeps its state in an SQLite file in `root`.
    pub fn start_on_sqlite(root: &Path, smtp_port: u16) -> Self {
        let database = root.join("gateway.db").display().to_string();
        Self::start(root, &database, smtp_port)
    }

    pub fn start_again(&mut self) {
        assert!(self.proc.is_none());
        self.proc = Some(Proc::listening(
            Command::new(gateway_bin())
                .arg("--config")
                .arg(&self.config),
            self.port,
            "the gateway",
        ));
    }

    /// `kill -9`.
    pub fn kill(&mut self) {
        self.proc.take().expect("the gateway runs").kill();
    }
}

/// `orgdesk sync --follow` in the background: the desktop, as a process that can be killed.
pub fn desktop(db: &Path, gateway: &Gateway) -> Proc {
    let mut child = crate::support::orgdesk_command(db)
        .args(["sync", "--gateway", &gateway.url, "--token-stdin"])
        .args(["--follow", "300"])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut input = child.stdin.take().unwrap();
    writeln!(input, "{}", gateway.token).unwrap();
    drop(input);
    Proc(child)
}

/// A directory at `db` with 1,000 people added by import, each invited by email (queued in
/// the directory until the desktop sends them).
pub fn directory_with_invitations(root: &Path) -> PathBuf {
    let db = root.join("acme.db");
    let init = init_acme(&db, None);
    assert!(init.status.success(), "{init:?}");
    let people = root.join("people.csv");
    let mut csv = String::from("Name,Email,Department\n");
    for i in 0..INVITATIONS {
        csv.push_str(&format!("Person {i},p{i}@example.com,Acme\n"));
    }
    std::fs::write(&people, csv).unwrap();
    let imported = orgdesk(&db, &["import", &people.display().to_string()], None);
    assert!(imported.status.success(), "{imported:?}");
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
    db
}

pub fn arrived(inbox: &Path) -> usize {
    std::fs::read_dir(inbox).map(|d| d.count()).unwrap_or(0)
}

/// Waits until at least `n` messages have arrived.
pub fn wait_for_mail(inbox: &Path, n: usize, deadline: Instant) {
    while arrived(inbox) < n {
        assert!(Instant::now() < deadline, "mail stopped arriving");
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// The invitations' states as the directory has them: (all, Delivered).
fn states(db: &Path) -> (usize, usize) {
    let d = Directory::open(db).unwrap();
    let all = d.list_invitations(&InvitationQuery::default()).unwrap();
    let delivered = all
        .iter()
        .filter(|i| i.state == InvitationState::Delivered)
        .count();
    (all.len(), delivered)
}

/// Waits until every invitation has a message and is Delivered in the directory.
pub fn wait_until_all_delivered(db: &Path, inbox: &Path, deadline: Instant) {
    loop {
        let arrived = arrived(inbox);
        let (total, delivered) = states(db);
        assert_eq!(total, INVITATIONS, "no invitation made twice or lost");
        if arrived >= INVITATIONS && delivered == INVITATIONS {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "{arrived} messages arrived, {delivered} invitations delivered"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
}

/// What reached the SMTP server.
#[derive(Debug)]
pub struct Tally {
    /// Messages received, counting a message received twice twice.
    pub received: usize,
    /// Distinct Message-IDs.
    pub distinct_ids: usize,
    pub distinct_recipients: usize,
    /// Recipients with more than one distinct Message-ID: different messages, a real double.
    pub recipients_with_two_messages: Vec<String>,
    /// Message-IDs received more than once (the same message sent again after a fault whose
    /// outcome was unknown), with how often.
    pub repeated_ids: Vec<(String, usize)>,
}

impl Tally {
    pub fn of(inbox: &Path) -> Self {
        let mut ids: BTreeMap<String, usize> = BTreeMap::new();
        let mut by_recipient: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        let mut received = 0;
        for entry in std::fs::read_dir(inbox).unwrap().flatten() {
            let text = std::fs::read_to_string(entry.path()).unwrap();
            let header = |name: &str| {
                text.lines()
                    .take_while(|l| !l.is_empty())
                    .find_map(|l| {
                        let (k, v) = l.split_once(':')?;
                        k.eq_ignore_ascii_case(name).then(|| v.trim().to_owned())
                    })
                    .unwrap_or_default()
            };
            let (id, to) = (header("Message-ID"), header("To"));
            assert!(!id.is_empty(), "every message has a Message-ID");
            received += 1;
            *ids.entry(id.clone()).or_default() += 1;
            by_recipient.entry(to).or_default().insert(id);
        }
        Self {
            received,
            distinct_ids: ids.len(),
            distinct_recipients: by_recipient.len(),
            recipients_with_two_messages: by_recipient
                .into_iter()
                .filter(|(_, ids)| ids.len() > 1)
                .map(|(to, _)| to)
                .collect(),
            repeated_ids: ids.into_iter().filter(|(_, n)| *n > 1).collect(),
        }
    }

    /// Prints the figures, and asserts exactly one message per invitation: 1,000 distinct
    /// Message-IDs to 1,000 distinct recipients, none with two different messages. The same
    /// message received again (same Message-ID) is allowed up to `max_repeats`: the faults
    /// that can cause one are those striking between the server's acceptance and the outbox's
    /// record of it, at most one message in flight each.
    pub fn check(&self, scenario: &str, started: Instant, max_repeats: usize) {
        let repeats: usize = self.repeated_ids.iter().map(|(_, n)| n - 1).sum();
        eprintln!(
            "{scenario}: invitations {INVITATIONS}, messages received {}, distinct Message-IDs {}, \
             distinct recipients {}, repeated deliveries {repeats} {:?}, {:.1} s",
            self.received,
            self.distinct_ids,
            self.distinct_recipients,
            self.repeated_ids,
            started.elapsed().as_secs_f64()
        );
        assert_eq!(self.distinct_ids, INVITATIONS, "one message per invitation");
        assert_eq!(self.distinct_recipients, INVITATIONS, "every recipient");
        assert!(
            self.recipients_with_two_messages.is_empty(),
            "no recipient sent two different messages: {:?}",
            self.recipients_with_two_messages
        );
        assert_eq!(self.received, INVITATIONS + repeats);
        assert!(
            repeats <= max_repeats,
            "at most {max_repeats} repeated deliveries, got {repeats}"
        );
    }
}
