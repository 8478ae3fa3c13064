//! `cargo bench -p orgdesk-link --bench team`: team mode against real gateways in this
//! process, on loopback, with two directories of the same organization, each its own device of
//! the admin's account. Prints a table: how long a change takes from one directory's queue to
//! the other's applying it (the other polling the log with a long wait), how long 10,000
//! changes take from the first send to the other directory's last apply, and how many changes a
//! second the gateway takes in (batches of 500 from one device), on SQLite; then on a throwaway
//! PostgreSQL (Debian's `postgresql`, started as the gateway's suites start it: `initdb
//! --no-sync`, fsync off) with two gateway instances, the intake, and how long a change takes
//! from a directory sending through one instance to a directory following the other. Without
//! PostgreSQL installed, a line after the table says that part was skipped.

#[path = "../tests/common/mod.rs"]
mod common;
#[path = "../../gateway/tests/common/loopback.rs"]
mod loopback;

use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use bench_table::{percentile, team_row, TEAM};
use orgdesk_core::auth::AdminRank;
use orgdesk_core::members::{MemberPatch, MemberQuery};
use orgdesk_core::team::Command;
use orgdesk_core::types::MemberId;
use orgdesk_core::Directory;
use orgdesk_gateway::{Config, Gateway};
use orgdesk_link::{send_round, team_round, GatewayClient, SharedDirectory};
use orgdesk_protocol::{AppendChanges, NewChange};
use tokio::sync::watch;
use tokio::task::JoinHandle;

use common::{client, join_laptop, office_pc};
use loopback::PgCluster;

const PASSWORD: &str = "Correct-Horse1";
const MEMBERS: usize = 5_000;
const DEPARTMENTS: usize = 100;
const PROPAGATED: usize = 50;
const REPLICATED: usize = 10_000;
const INTAKE: usize = 20_000;
const BATCH: usize = 500;
/// The long-poll's wait of the following directory, in seconds.
const WAIT: u64 = 5;
/// The target of a change's propagation, p95, in ms.
const PROPAGATION_MS: f64 = 1000.0;

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

/// Two directories of Acme, each a device of Ann's gateway account: the office's, seeded, and
/// the laptop's, a copy of it.
struct Pair {
    office_dir: SharedDirectory,
    laptop_dir: SharedDirectory,
    office: GatewayClient,
    laptop: GatewayClient,
    account: String,
    /// Everyone but Ann.
    members: Vec<MemberId>,
}

/// The pair, its files named after `name` in `files`: the office on the gateway at `base`
/// (`token`: its organization's API token), the laptop joining through `laptop_base`.
async fn pair(files: &Path, name: &str, (base, laptop_base): (&str, &str), token: String) -> Pair {
    let admin = client(base, token);
    // The office's directory: Ann, bound to her gateway account by the mirror, then seeded.
    let office_db = files.join(format!("{name}-office.db"));
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
            "Seeded {MEMBERS} members in {DEPARTMENTS} departments in {:.2} s ({name})",
            t.elapsed().as_secs_f64()
        );
        let mut members = d.member_ids(&MemberQuery::default()).unwrap();
        members.retain(|&m| m != ann);
        (members, account)
    };
    // The directory closed, its file is the laptop's too.
    let laptop_db = files.join(format!("{name}-laptop.db"));
    std::fs::copy(&office_db, &laptop_db).unwrap();
    let open =
        |db: &Path| -> SharedDirectory { Arc::new(Mutex::new(Directory::open(db).unwrap())) };
    // The office becomes a device of Ann's account; the laptop joins as her second one.
    let first = office_pc(&admin, &account).await;
    let office = client(base, first.device_token);
    let laptop = join_laptop(laptop_base, &office, &account, "ann", PASSWORD).await;
    Pair {
        office_dir: open(&office_db),
        laptop_dir: open(&laptop_db),
        office,
        laptop,
        account,
        members,
    }
}

/// The laptop following the log with a long-poll: the task, and its cursor after each round.
fn follow(pair: &Pair) -> (JoinHandle<()>, watch::Receiver<i64>) {
    let (tell, followed) = watch::channel(cursor(&pair.laptop_dir));
    let (dir, laptop, account) = (
        pair.laptop_dir.clone(),
        pair.laptop.clone(),
        pair.account.clone(),
    );
    let follower = tokio::spawn(async move {
        loop {
            team_round(&dir, &laptop, &account, WAIT).await.unwrap();
            tell.send_replace(cursor(&dir));
        }
    });
    (follower, followed)
}

/// One change at a time, `PROPAGATED` of them: from the office's queue to the laptop's
/// applying it; the line of the table named `name`.
async fn propagation(pair: &Pair, followed: &mut watch::Receiver<i64>, name: &str) -> String {
    let mut ms = Vec::with_capacity(PROPAGATED);
    for n in 0..PROPAGATED {
        let t = Instant::now();
        queue_move(&pair.office_dir, pair.members[n % pair.members.len()], n);
        team_round(&pair.office_dir, &pair.office, &pair.account, 0)
            .await
            .unwrap();
        reached(followed, cursor(&pair.office_dir)).await;
        ms.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    let (p50, p95) = (percentile(&ms, 0.5), percentile(&ms, 0.95));
    team_row(name, PROPAGATED, p50, p95, "ms", PROPAGATION_MS)
}

/// The gateway's intake, `device` appending `INTAKE` changes in batches of `BATCH`; the line
/// of the table named `name`.
async fn intake(device: &GatewayClient, name: &str) -> String {
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
        let placed = device
            .append_changes(&AppendChanges { changes })
            .await
            .unwrap();
        assert_eq!(placed.changes.len(), BATCH);
    }
    let rate = INTAKE as f64 / t.elapsed().as_secs_f64();
    team_row(name, INTAKE, f64::NAN, rate, "changes/s", f64::INFINITY)
}

/// Two gateway instances on one throwaway PostgreSQL database, sharing a pepper, and the
/// pair: the office sending through the first, the laptop following the second.
struct OnPostgres {
    cluster: PgCluster,
    _home: tempfile::TempDir,
    gateways: Vec<Gateway>,
    pair: Pair,
}

/// Starts PostgreSQL and the two instances; `None` when PostgreSQL is not installed.
async fn on_postgres(files: &Path) -> Option<OnPostgres> {
    if !loopback::postgres_installed() {
        return None;
    }
    // A folder of its own, which the server may take over.
    let home = tempfile::tempdir().unwrap();
    let cluster = PgCluster::start_in(home.path());
    let mut gateways = Vec::new();
    for _ in 0..2 {
        let mut config = Config::local(cluster.url("postgres"), files.join("pg-mail"));
        config.pepper_file = Some(files.join("pg-pepper"));
        gateways.push(orgdesk_gateway::serve(config).await.unwrap());
    }
    let creds = gateways[0].create_organization("Acme").await.unwrap();
    let bases = (gateways[0].public_url(), gateways[1].public_url());
    let pair = pair(files, "postgres", bases, creds.api_token).await;
    Some(OnPostgres {
        cluster,
        _home: home,
        gateways,
        pair,
    })
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let files = tempfile::tempdir().unwrap();
    let (gateway, base, token) = common::acme_gateway(files.path()).await;
    let sqlite = pair(files.path(), "sqlite", (&base, &base), token).await;
    let postgres = on_postgres(files.path()).await;

    println!("\n{}", TEAM.header());
    let (follower, mut followed) = follow(&sqlite);
    let name = "propagation, one directory to another";
    println!("{}", propagation(&sqlite, &mut followed, name).await);

    // 10,000 changes queued on the office, sent, and applied by both directories.
    for n in 0..REPLICATED {
        queue_move(
            &sqlite.office_dir,
            sqlite.members[n % sqlite.members.len()],
            PROPAGATED + n,
        );
    }
    let last = cursor(&sqlite.office_dir) + REPLICATED as i64;
    let t = Instant::now();
    let r = team_round(&sqlite.office_dir, &sqlite.office, &sqlite.account, 0)
        .await
        .unwrap();
    assert_eq!(r.sent, REPLICATED, "{r:?}");
    reached(&mut followed, last).await;
    let secs = t.elapsed().as_secs_f64();
    let name = "10,000 changes replicated";
    println!("{}", team_row(name, REPLICATED, f64::NAN, secs, "s", 10.0));
    follower.abort();
    let _ = follower.await;
    let sum = |dir: &SharedDirectory| dir.lock().unwrap().directory_checksum().unwrap();
    assert_eq!(
        sum(&sqlite.office_dir),
        sum(&sqlite.laptop_dir),
        "both directories equal"
    );
    let name = "change intake on SQLite, batches of 500";
    println!("{}", intake(&sqlite.office, name).await);
    drop(sqlite);
    gateway.shutdown().await.unwrap();

    let Some(pg) = postgres else {
        println!("\nPostgreSQL: skipped, no server to start (install Debian's postgresql).");
        return;
    };
    let (follower, mut followed) = follow(&pg.pair);
    let name = "propagation, instance A to B (PostgreSQL)";
    println!("{}", propagation(&pg.pair, &mut followed, name).await);
    follower.abort();
    let _ = follower.await;
    assert_eq!(
        sum(&pg.pair.office_dir),
        sum(&pg.pair.laptop_dir),
        "both directories equal"
    );
    let name = "change intake on PostgreSQL, batches of 500";
    println!("{}", intake(&pg.pair.office, name).await);
    drop(pg.pair);
    for gateway in pg.gateways {
        gateway.shutdown().await.unwrap();
    }
    drop(pg.cluster);
}
