//! Faults with nothing lost and nothing doubled. A real gateway process sends 1,000 email
//! invitations from a directory to a real SMTP server (Debian's aiosmtpd) while, in turn:
//! the desktop (`orgdesk sync`, the same rounds the window runs) is killed with SIGKILL with
//! requests in flight; the gateway is killed with SIGKILL mid-delivery and started again; the
//! SMTP server is stopped for 30 s; and, on PostgreSQL, the gateway is killed, the database
//! server is crashed and restarted, and the SMTP server stopped. Every recipient gets exactly
//! one message (one Message-ID; a fault between the server's acceptance and the outbox's record
//! can repeat that same message, which is counted and bounded) and every invitation ends
//! Delivered in the directory. Loopback only; bounded in time; every process it starts is
//! stopped (see `harness`).

#[path = "../support/mod.rs"]
mod support;
use support::orgdesk;

mod harness;
use harness::*;

use std::path::PathBuf;
use std::time::{Duration, Instant};

/// One fault scenario's world: an SMTP server, a gateway (on SQLite, or on a PostgreSQL
/// server of its own) and a directory of `INVITATIONS` people invited by email. The fields
/// are stopped in the order they are listed.
struct World {
    started: Instant,
    deadline: Instant,
    db: PathBuf,
    inbox: PathBuf,
    gateway: Gateway,
    smtp: Smtp,
    pg: Option<PgCluster>,
    _dir: tempfile::TempDir,
}

/// What a scenario takes down.
#[derive(Clone, Copy)]
enum Part {
    Gateway,
    Smtp,
    Database,
}

impl World {
    fn start(on_postgres: bool) -> Self {
        let started = Instant::now();
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        let pg = on_postgres.then(|| postgres_in(root));
        let smtp = Smtp::start(root);
        let gateway = match &pg {
            Some(pg) => Gateway::start(root, &pg.url("postgres"), smtp.port),
            None => Gateway::start_on_sqlite(root, smtp.port),
        };
        let db = directory_with_invitations(root);
        Self {
            started,
            deadline: Instant::now() + Duration::from_secs(240),
            db,
            inbox: smtp.inbox(),
            gateway,
            smtp,
            pg,
            _dir: dir,
        }
    }

    /// `orgdesk sync --follow` against this world's gateway.
    fn desktop(&self) -> Proc {
        desktop(&self.db, &self.gateway)
    }

    /// Waits until `n` messages have arrived.
    fn wait_for_mail(&self, n: usize) {
        wait_for_mail(&self.inbox, n, self.deadline);
    }

    /// Takes `part` down at once (SIGKILL; the database crashes) for `down_for`, then starts
    /// it again. Returns how many messages had arrived when it went down, and when it came
    /// back.
    fn outage(&mut self, part: Part, down_for: Duration) -> (usize, usize) {
        match part {
            Part::Gateway => self.gateway.kill(),
            Part::Smtp => self.smtp.stop(),
            Part::Database => self.postgres().stop(),
        }
        let at_down = arrived(&self.inbox);
        std::thread::sleep(down_for);
        let at_up = arrived(&self.inbox);
        match part {
            Part::Gateway => self.gateway.start_again(),
            Part::Smtp => self.smtp.start_again(),
            Part::Database => self.postgres().start_again(),
        }
        (at_down, at_up)
    }

    fn postgres(&self) -> &PgCluster {
        self.pg.as_ref().expect("a world started on PostgreSQL")
    }

    /// Waits until every invitation is delivered, stops the desktop, and counts the messages
    /// after a moment for anything doubled to show up.
    fn tally(&self, sync: Proc) -> Tally {
        wait_until_all_delivered(&self.db, &self.inbox, self.deadline);
        drop(sync);
        std::thread::sleep(Duration::from_secs(2));
        Tally::of(&self.inbox)
    }
}

#[test]
fn a_desktop_killed_with_requests_in_flight_sends_each_invitation_once() {
    let world = World::start(false);
    // With the built-in gateway, which lives inside the window, the command line says so.
    let refused = orgdesk(&world.db, &["sync"], None);
    assert_eq!(refused.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&refused.stderr).contains("built-in gateway"));

    // The desktop runs, and is killed twice while its requests are on their way: once early,
    // once when a good part of the mail has gone out.
    let sync = world.desktop();
    std::thread::sleep(Duration::from_millis(700));
    sync.kill();
    let sync = world.desktop();
    world.wait_for_mail(INVITATIONS / 3);
    sync.kill();
    let sync = world.desktop();

    let tally = world.tally(sync);
    // Neither the gateway nor the SMTP server was touched: not even a repeat is allowed.
    tally.check("desktop killed twice", world.started, 0);
    assert_eq!(
        tally.received, INVITATIONS,
        "exactly one message per invitation"
    );
}

#[test]
fn a_gateway_killed_mid_delivery_loses_and_doubles_nothing() {
    let mut world = World::start(false);
    let sync = world.desktop();

    // Killed while mail is going out, and started again at once; then killed again and left
    // down for a moment (the desktop's requests fail meanwhile).
    world.wait_for_mail(INVITATIONS / 3);
    let (at_first_kill, _) = world.outage(Part::Gateway, Duration::ZERO);
    world.wait_for_mail(2 * INVITATIONS / 3);
    let (at_second_kill, _) = world.outage(Part::Gateway, Duration::from_secs(1));
    assert!(
        at_first_kill < INVITATIONS && at_second_kill < INVITATIONS,
        "killed mid-delivery ({at_first_kill}, {at_second_kill} messages in)"
    );

    // Each kill may strike one message between the server's 250 and the outbox's commit.
    world
        .tally(sync)
        .check("gateway killed twice", world.started, 2);
}

#[test]
fn an_smtp_server_stopped_for_30_seconds_delays_but_loses_nothing() {
    let mut world = World::start(false);
    let sync = world.desktop();

    world.wait_for_mail(INVITATIONS / 3);
    let (at_stop, while_down) = world.outage(Part::Smtp, Duration::from_secs(30));
    assert_eq!(while_down, at_stop, "nothing arrives while it is down");
    assert!(at_stop < INVITATIONS, "stopped mid-delivery");

    // Killing the server between writing a message and answering 250 makes the gateway send
    // that one again.
    world
        .tally(sync)
        .check("SMTP server stopped for 30 s", world.started, 1);
}

#[test]
fn on_postgresql_a_killed_gateway_a_restarted_database_and_a_stopped_smtp_server_lose_and_double_nothing(
) {
    let mut world = World::start(true);
    let sync = world.desktop();

    world.wait_for_mail(INVITATIONS / 4);
    world.outage(Part::Gateway, Duration::ZERO);
    // The database crashes (every session aborted) and comes back 3 s later; the gateway's
    // pool reconnects, and a result it could not record meanwhile is recorded then.
    world.wait_for_mail(INVITATIONS / 2);
    let (at_db_stop, _) = world.outage(Part::Database, Duration::from_secs(3));
    world.wait_for_mail(3 * INVITATIONS / 4);
    let (at_smtp_stop, _) = world.outage(Part::Smtp, Duration::from_secs(5));
    assert!(
        at_db_stop < INVITATIONS && at_smtp_stop < INVITATIONS,
        "faults mid-delivery ({at_db_stop}, {at_smtp_stop} messages in)"
    );

    // One repeat possible for the gateway's kill, one for the SMTP server's.
    world.tally(sync).check(
        "PostgreSQL: gateway killed, database restarted, SMTP stopped",
        world.started,
        2,
    );
}
