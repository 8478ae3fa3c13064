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

use std::time::{Duration, Instant};

#[test]
fn a_desktop_killed_with_requests_in_flight_sends_each_invitation_once() {
    let started = Instant::now();
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let smtp = Smtp::start(root);
    let gateway = Gateway::start(
        root,
        &root.join("gateway.db").display().to_string(),
        smtp.port,
    );
    let db = directory_with_invitations(root);
    // With the built-in gateway, which lives inside the window, the command line says so.
    let refused = orgdesk(&db, &["sync"], None);
    assert_eq!(refused.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&refused.stderr).contains("built-in gateway"));

    // The desktop runs, and is killed twice while its requests are on their way: once early,
    // once when a good part of the mail has gone out.
    let inbox = smtp.inbox();
    let deadline = Instant::now() + Duration::from_secs(240);
    let sync = desktop(&db, &gateway);
    std::thread::sleep(Duration::from_millis(700));
    sync.kill();
    let sync = desktop(&db, &gateway);
    wait_for_mail(&inbox, INVITATIONS / 3, deadline);
    sync.kill();
    let sync = desktop(&db, &gateway);

    wait_until_all_delivered(&db, &inbox, deadline);
    drop(sync);
    // A moment for anything doubled to show up.
    std::thread::sleep(Duration::from_secs(2));
    let tally = Tally::of(&inbox);
    // Neither the gateway nor the SMTP server was touched: not even a repeat is allowed.
    tally.check("desktop killed twice", started, 0);
    assert_eq!(
        tally.received, INVITATIONS,
        "exactly one message per invitation"
    );
}

#[test]
fn a_gateway_killed_mid_delivery_loses_and_doubles_nothing() {
    let started = Instant::now();
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let smtp = Smtp::start(root);
    let mut gateway = Gateway::start(
        root,
        &root.join("gateway.db").display().to_string(),
        smtp.port,
    );
    let db = directory_with_invitations(root);
    let inbox = smtp.inbox();
    let deadline = Instant::now() + Duration::from_secs(240);
    let sync = desktop(&db, &gateway);

    // Killed while mail is going out, and started again at once; then killed again and left
    // down for a moment (the desktop's requests fail meanwhile).
    wait_for_mail(&inbox, INVITATIONS / 3, deadline);
    gateway.kill();
    let at_first_kill = arrived(&inbox);
    gateway.start_again();
    wait_for_mail(&inbox, 2 * INVITATIONS / 3, deadline);
    gateway.kill();
    let at_second_kill = arrived(&inbox);
    std::thread::sleep(Duration::from_secs(1));
    gateway.start_again();
    assert!(
        at_first_kill < INVITATIONS && at_second_kill < INVITATIONS,
        "killed mid-delivery ({at_first_kill}, {at_second_kill} messages in)"
    );

    wait_until_all_delivered(&db, &inbox, deadline);
    drop(sync);
    std::thread::sleep(Duration::from_secs(2));
    // Each kill may strike one message between the server's 250 and the outbox's commit.
    Tally::of(&inbox).check("gateway killed twice", started, 2);
}

#[test]
fn an_smtp_server_stopped_for_30_seconds_delays_but_loses_nothing() {
    let started = Instant::now();
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let mut smtp = Smtp::start(root);
    let gateway = Gateway::start(
        root,
        &root.join("gateway.db").display().to_string(),
        smtp.port,
    );
    let db = directory_with_invitations(root);
    let inbox = smtp.inbox();
    let deadline = Instant::now() + Duration::from_secs(240);
    let sync = desktop(&db, &gateway);

    wait_for_mail(&inbox, INVITATIONS / 3, deadline);
    smtp.stop();
    let at_stop = arrived(&inbox);
    std::thread::sleep(Duration::from_secs(30));
    assert_eq!(arrived(&inbox), at_stop, "nothing arrives while it is down");
    smtp.start_again();
    assert!(at_stop < INVITATIONS, "stopped mid-delivery");

    wait_until_all_delivered(&db, &inbox, deadline);
    drop(sync);
    std::thread::sleep(Duration::from_secs(2));
    // Killing the server between writing a message and answering 250 makes the gateway send
    // that one again.
    Tally::of(&inbox).check("SMTP server stopped for 30 s", started, 1);
}

#[test]
fn on_postgresql_a_killed_gateway_a_restarted_database_and_a_stopped_smtp_server_lose_and_double_nothing(
) {
    let started = Instant::now();
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let pg = Postgres::start(root);
    let mut smtp = Smtp::start(root);
    let mut gateway = Gateway::start(root, &pg.url(), smtp.port);
    let db = directory_with_invitations(root);
    let inbox = smtp.inbox();
    let deadline = Instant::now() + Duration::from_secs(240);
    let sync = desktop(&db, &gateway);

    wait_for_mail(&inbox, INVITATIONS / 4, deadline);
    gateway.kill();
    gateway.start_again();
    // The database crashes (every session aborted) and comes back 3 s later; the gateway's
    // pool reconnects, and a result it could not record meanwhile is recorded then.
    wait_for_mail(&inbox, INVITATIONS / 2, deadline);
    pg.stop();
    let at_db_stop = arrived(&inbox);
    std::thread::sleep(Duration::from_secs(3));
    pg.start_again();
    wait_for_mail(&inbox, 3 * INVITATIONS / 4, deadline);
    smtp.stop();
    let at_smtp_stop = arrived(&inbox);
    std::thread::sleep(Duration::from_secs(5));
    smtp.start_again();
    assert!(
        at_db_stop < INVITATIONS && at_smtp_stop < INVITATIONS,
        "faults mid-delivery ({at_db_stop}, {at_smtp_stop} messages in)"
    );

    wait_until_all_delivered(&db, &inbox, deadline);
    drop(sync);
    std::thread::sleep(Duration::from_secs(2));
    // One repeat possible for the gateway's kill, one for the SMTP server's.
    Tally::of(&inbox).check(
        "PostgreSQL: gateway killed, database restarted, SMTP stopped",
        started,
        2,
    );
}
