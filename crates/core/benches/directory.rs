//! `make bench`: the directory at 100,000 members and 2,000 departments.
//! Prints a stable table of p50/p99 per operation beside its target.
//!
//! `cargo bench -p orgdesk-core --bench directory -- search` runs only the operations whose
//! name holds "search" (after the seeding and the index build every operation needs; the
//! department page, batch edit and account mirror rows, which build on each other, run together).

mod common;

use std::time::{Duration, Instant};

use bench_table::{directory_row, percentile, DIRECTORY};
use orgdesk_core::audit::Actor;
use orgdesk_core::batch::{BatchChange, Selection};
use orgdesk_core::members::{MemberPatch, MemberQuery, StatusFilter};
use orgdesk_core::team::{ChangeOutcome, Command, LoggedChange, TeamCommand};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

const MEMBERS: usize = 100_000;
const DEPARTMENTS: usize = 2_000;

/// Prints an operation's line of the table from its samples.
fn row(name: &str, samples: &[Duration], target_ms: f64) {
    let ms: Vec<f64> = samples.iter().map(|s| s.as_secs_f64() * 1000.0).collect();
    let (p50, p99) = (percentile(&ms, 0.5), percentile(&ms, 0.99));
    println!("{}", directory_row(name, ms.len(), p50, p99, target_ms));
}

/// Whether the operation named `name` runs: every one, or those whose name holds the filter
/// given on the command line (cargo's own `--bench` flag is passed over).
fn wanted(name: &str) -> bool {
    let filters: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .collect();
    filters.is_empty() || filters.iter().any(|f| name.contains(f.as_str()))
}

fn main() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bench.db");
    let mut d = common::bench_corp(&path);
    let t = Instant::now();
    orgdesk_core::seed::seed(&mut d, DEPARTMENTS, MEMBERS, 42).unwrap();
    println!(
        "Seeded {MEMBERS} members in {DEPARTMENTS} departments in {:.2} s",
        t.elapsed().as_secs_f64()
    );
    let search_bytes: i64 = d
        .connection()
        .query_row(
            "SELECT sum(length(CAST(search_text AS BLOB))) FROM members",
            [],
            |r| r.get(0),
        )
        .unwrap();
    d.connection()
        .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))
        .unwrap();
    println!(
        "Database file {:.1} MB; search text {:.2} MB\n",
        std::fs::metadata(&path).unwrap().len() as f64 / 1e6,
        search_bytes as f64 / 1e6
    );

    println!("{}", DIRECTORY.header());

    // The first read after a bulk change builds the in-memory member index.
    let t = Instant::now();
    let tree = d.department_tree().unwrap();
    let s = [t.elapsed()];
    row(
        "first read after a bulk load (index build)",
        &s,
        f64::INFINITY,
    );
    std::hint::black_box(tree);

    // Team mode: a joining computer's directory, written by one and loaded by the other (the
    // target is the whole join, download included, in 10 s).
    if wanted("snapshot") {
        let mut bytes = Vec::new();
        let s: Vec<Duration> = (0..3)
            .map(|_| {
                let t = Instant::now();
                bytes = d.write_snapshot(1).unwrap();
                t.elapsed()
            })
            .collect();
        row(
            &format!("snapshot write ({:.1} MB)", bytes.len() as f64 / 1e6),
            &s,
            3000.0,
        );
        let s: Vec<Duration> = (0..3)
            .map(|i| {
                let path = dir.path().join(format!("joined-{i}.db"));
                let t = Instant::now();
                let (copy, _) = orgdesk_core::Directory::load_snapshot(&path, &bytes).unwrap();
                let took = t.elapsed();
                drop(copy);
                took
            })
            .collect();
        row("snapshot load into a new file", &s, 6000.0);
    }

    if wanted("tree load") {
        let s: Vec<Duration> = (0..30)
            .map(|_| {
                let t = Instant::now();
                let tree = d.department_tree().unwrap();
                assert!(tree.total_members > 0);
                t.elapsed()
            })
            .collect();
        row("tree load, 2,000 departments with counts", &s, 50.0);
    }

    // Queries are substrings of real names, usernames, emails and employee IDs.
    let mut rng = StdRng::seed_from_u64(7);
    let sample = d
        .list_members(&MemberQuery {
            limit: 500,
            ..Default::default()
        })
        .unwrap()
        .rows;
    let names: Vec<String> = sample
        .iter()
        .flat_map(|r| {
            [
                r.name.clone(),
                r.username.clone().unwrap_or_default(),
                r.employee_id.clone().unwrap_or_default(),
            ]
        })
        .collect();
    for len in (1..=6).filter(|_| wanted("search")) {
        let mut s = Vec::new();
        for _ in 0..200 {
            let src: Vec<char> = names[rng.random_range(0..names.len())].chars().collect();
            if src.len() < len {
                continue;
            }
            let start = rng.random_range(0..=src.len() - len);
            let q: String = src[start..start + len].iter().collect();
            let t = Instant::now();
            let page = d
                .list_members(&MemberQuery {
                    search: Some(q),
                    limit: 200,
                    ..Default::default()
                })
                .unwrap();
            s.push(t.elapsed());
            std::hint::black_box(page);
        }
        row(
            &format!("search, {len}-character query, first 200"),
            &s,
            5.0,
        );
    }

    let tree = d.department_tree().unwrap();
    let mut ids = Vec::new();
    fn walk(
        n: &orgdesk_core::departments::DepartmentNode,
        out: &mut Vec<orgdesk_core::types::DepartmentId>,
    ) {
        out.push(n.id);
        n.children.iter().for_each(|c| walk(c, out));
    }
    walk(&tree, &mut ids);
    if !wanted("page of a department subtree")
        && !wanted("batch edit")
        && !wanted("account mirror")
        && !wanted("team")
    {
        return;
    }
    let mut s = Vec::new();
    for _ in 0..300 {
        let dept = ids[rng.random_range(0..ids.len())];
        let t = Instant::now();
        let page = d
            .list_members(&MemberQuery {
                department_id: Some(dept),
                include_sub_departments: true,
                status: StatusFilter::All,
                search: None,
                offset: 0,
                limit: 200,
            })
            .unwrap();
        s.push(t.elapsed());
        std::hint::black_box(page);
    }
    row("200-row page of a department subtree by name", &s, 5.0);

    let admin = Actor::member(d.initial_admin_id().unwrap(), "Ann");
    let targets = d
        .member_ids(&MemberQuery {
            status: StatusFilter::Enabled,
            ..Default::default()
        })
        .unwrap();
    let mut s = Vec::new();
    for round in 0..3 {
        let chunk: Vec<_> = targets
            .iter()
            .skip(round * 10_000)
            .take(10_000)
            .copied()
            .collect();
        let t = Instant::now();
        let out = d
            .batch_update(
                &admin,
                &Selection::Ids { ids: chunk },
                &BatchChange::SetWorkLocation {
                    work_location: format!("Site {round}"),
                },
            )
            .unwrap();
        s.push(t.elapsed());
        assert!(out.changed > 9_000);
    }
    row("batch edit of 10,000 members", &s, 1000.0);

    // The account mirror: what the gateway has not heard yet is found by comparing every
    // member with what it was last told; the sender does this on each round.
    let mut s = Vec::new();
    let mut n = 0u32;
    loop {
        let t = Instant::now();
        let due = d.due_account_mirror(500).unwrap();
        s.push(t.elapsed());
        if due.is_empty() {
            break;
        }
        let ids: Vec<String> = due.iter().map(|i| format!("acc_{}", i.member_id)).collect();
        d.account_mirror_done(&due, &ids).unwrap();
        n += 1;
    }
    assert!(n >= 200, "every member with a username was mirrored");
    row(
        "account mirror, next 500 due (first sync)",
        &s,
        f64::INFINITY,
    );
    let s: Vec<Duration> = (0..30)
        .map(|_| {
            let t = Instant::now();
            assert!(d.due_account_mirror(500).unwrap().is_empty());
            t.elapsed()
        })
        .collect();
    row("account mirror, in step (nothing due)", &s, 50.0);
    // After any change the comparison runs over every member once (here the change is to a
    // field the gateway does not mirror, so nothing is due and the whole table is compared).
    let some = targets[0];
    let s: Vec<Duration> = (0..20)
        .map(|round| {
            d.batch_update(
                &admin,
                &Selection::Ids { ids: vec![some] },
                &BatchChange::SetWorkLocation {
                    work_location: format!("Desk {round}"),
                },
            )
            .unwrap();
            let t = Instant::now();
            assert!(d.due_account_mirror(500).unwrap().is_empty());
            t.elapsed()
        })
        .collect();
    row(
        "account mirror, full comparison after a change",
        &s,
        f64::INFINITY,
    );

    // Team mode: another admin's changes applied in the log's order (10,000 members' work
    // locations a round): what a directory spends replicating them once they have arrived. The mirror
    // above bound the admin to its gateway account, as the author of a change must be.
    if wanted("team") {
        let account = format!("acc_{}", admin.id.unwrap());
        let mut seq = d.team_cursor().unwrap();
        let s: Vec<Duration> = (0..3)
            .map(|round| {
                let changes: Vec<LoggedChange> = targets
                    .iter()
                    .skip(round * 10_000)
                    .take(10_000)
                    .map(|&member_id| {
                        seq += 1;
                        let patch = MemberPatch {
                            work_location: Some(format!("Floor {seq}")),
                            ..Default::default()
                        };
                        let command = Command::UpdateMember { member_id, patch };
                        let at = d.now_ms();
                        LoggedChange {
                            seq,
                            change_id: format!("bench-{seq}"),
                            device_id: "dev_bench".into(),
                            account_id: account.clone(),
                            at: at / 1000,
                            body: TeamCommand { at, command }.to_body().unwrap(),
                        }
                    })
                    .collect();
                let t = Instant::now();
                for c in &changes {
                    let outcome = d.apply_change(c).unwrap();
                    assert!(
                        matches!(outcome, ChangeOutcome::Applied { .. }),
                        "{outcome:?}"
                    );
                }
                t.elapsed()
            })
            .collect();
        row("team: 10,000 changes of the log applied", &s, 10_000.0);
    }
}
