//! `cargo bench -p orgdesk-link --bench team`: team mode against a real gateway in this
//! process, on loopback, with two directories of the same organization, each its own device of
//! the admin's account. Prints a table: how long a change takes from one directory's queue to
//! the other's applying it (the other polling the log with a long wait), how long 10,000
//! changes take from the first send to the other directory's last apply, and how many changes a
//! second the gateway takes in on SQLite (batches of 500 from one device).
//!
//! PostgreSQL is left out: reaching the throwaway server the gateway's suites start needs their
//! database driver here too.

#[path = "../tests/common/mod.rs"]
mod common;

use std::sync::{Arc, Mutex};
use std::time::Instant;

use bench_table::{percentile, team_row, TEAM};
use orgdesk_core::auth::AdminRank;
use orgdesk_core::members::{MemberPatch, MemberQuery};
use orgdesk_core::team::Command;
use orgdesk_core::types::MemberId;
use orgdesk_core::Directory;
use orgdesk_link::{send_round, team_round, SharedDirectory};
use orgdesk_protocol::{AppendChanges, NewChange};
use tokio::sync::watch;

use common::{client, join_laptop, office_pc};

const PASSWORD: &str = "Correct-Horse1";
const MEMBERS: usize = 5_000;
const DEPARTMENTS: usize = 100;
const PROPAGATED: usize = 50;
const REPLICATED: usize = 10_000;
const INTAKE: usize = 20_000;
const BATCH: usize = 500;
/// The long-poll's wait of the following directory, in seconds.
const WAIT: u64 = 5;

/// Queues on `dir`, as its initial admin, a new work location for `member_id`.
fn queue_move(dir: &SharedDirectory, member_id: MemberId, n: usize) {
    let mut d = dir.lock().unwrap();
    let admin = d.initial_admin_id().unwrap();
    let actor = d.admin_actor(admin, AdminRank::Admin).unwrap();
    let patch = MemberPatch {
        work_location: Some(format!("Floor {n}")),
        ..Default::default()
    };
    d.queue_command(&actor, Command::UpdateMember { member_id, patch })
        .unwrap();
}

fn cursor(dir: &SharedDirectory) -> i64 {
    dir.lock().unwrap().team_cursor().unwrap()
}

/// Waits until the follower's cursor reaches `seq`.
async fn reached(cursor: &mut watch::Receiver<i64>, seq: i64) {
    cursor.wait_for(|&c| c >= seq).await.unwrap();
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let files = tempfile::tempdir().unwrap();
    let (gateway, base, token) = common::acme_gateway(files.path()).await;
    let admin = client(&base, token);

    // The office's directory: Ann, bound to her gateway account by the mirror, then seeded.
    let office_db = files.path().join("office.db");
    let (members, account) = {
        let d = common::acme_directory(&office_db, PASSWORD);
        let shared: SharedDirectory = Arc::new(Mutex::new(d));
        send_round(&shared, &admin, true).await;
        let mut d = shared.lock().unwrap();
        let ann = d.initial_admin_id().unwrap();
        let account = d.gateway_account_of(ann).unwrap().unwrap();
        let t = Instant::now();
        orgdesk_core::seed::seed(&mut d, DEPARTMENTS, MEMBERS, 42).unwrap();
        println!(
            "Seeded {MEMBERS} members in {DEPARTMENTS} departments in {:.2} s",
            t.elapsed().as_secs_f64()
        );
        let mut members = d.member_ids(&MemberQuery::default()).unwrap();
        members.retain(|&m| m != ann);
        (members, account)
    };
    // The directory closed, its file is the laptop's too.
    let laptop_db = files.path().join("laptop.db");
    std::fs::copy(&office_db, &laptop_db).unwrap();
    let office_dir: SharedDirectory = Arc::new(Mutex::new(Directory::open(&office_db).unwrap()));
    let laptop_dir: SharedDirectory = Arc::new(Mutex::new(Directory::open(&laptop_db).unwrap()));

    // The office becomes a device of Ann's account; the laptop joins as her second one.
    let first = office_pc(&admin, &account).await;
    let office = client(&base, first.device_token);
    let laptop = join_laptop(&base, &office, &account, "ann", PASSWORD).await;

    // The laptop follows the log with a long-poll, telling its cursor after each round.
    let (tell, mut followed) = watch::channel(cursor(&laptop_dir));
    let follower = {
        let (dir, account) = (laptop_dir.clone(), account.clone());
        tokio::spawn(async move {
            loop {
                team_round(&dir, &laptop, &account, WAIT).await.unwrap();
                tell.send_replace(cursor(&dir));
            }
        })
    };

    println!("\n{}", TEAM.header());

    // One change at a time: from the office's queue to the laptop's applying it.
    let mut ms = Vec::with_capacity(PROPAGATED);
    for n in 0..PROPAGATED {
        let t = Instant::now();
        queue_move(&office_dir, members[n % members.len()], n);
        team_round(&office_dir, &office, &account, 0).await.unwrap();
        reached(&mut followed, cursor(&office_dir)).await;
        ms.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    let (p50, p95) = (percentile(&ms, 0.5), percentile(&ms, 0.95));
    let name = "propagation, one directory to another";
    println!("{}", team_row(name, PROPAGATED, p50, p95, "ms", 1000.0));

    // 10,000 changes queued on the office, sent, and applied by both directories.
    for n in 0..REPLICATED {
        queue_move(&office_dir, members[n % members.len()], PROPAGATED + n);
    }
    let last = cursor(&office_dir) + REPLICATED as i64;
    let t = Instant::now();
    let r = team_round(&office_dir, &office, &account, 0).await.unwrap();
    assert_eq!(r.sent, REPLICATED, "{r:?}");
    reached(&mut followed, last).await;
    let secs = t.elapsed().as_secs_f64();
    let name = "10,000 changes replicated";
    println!("{}", team_row(name, REPLICATED, f64::NAN, secs, "s", 10.0));
    follower.abort();
    let _ = follower.await;
    let sum = |dir: &SharedDirectory| dir.lock().unwrap().directory_checksum().unwrap();
    assert_eq!(sum(&office_dir), sum(&laptop_dir), "both directories equal");

    // The gateway's intake: one device appending batches of 500 changes.
    let t = Instant::now();
    for batch in 0..INTAKE / BATCH {
        let changes = (0..BATCH)
            .map(|i| {
                let body = serde_json::json!({"format": 1, "kind": "bench", "n": i});
                NewChange {
                    change_id: format!("intake-{batch}-{i}"),
                    body: body.as_object().unwrap().clone(),
                }
            })
            .collect();
        let placed = office
            .append_changes(&AppendChanges { changes })
            .await
            .unwrap();
        assert_eq!(placed.changes.len(), BATCH);
    }
    let rate = INTAKE as f64 / t.elapsed().as_secs_f64();
    let name = "change intake on SQLite, batches of 500";
    println!(
        "{}",
        team_row(name, INTAKE, f64::NAN, rate, "changes/s", f64::INFINITY)
    );

    drop((office_dir, laptop_dir));
    gateway.shutdown().await.unwrap();
}
