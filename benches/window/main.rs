//! The window benchmark: the real app (release build) in a real window under Xvfb, driven
//! through tauri-driver and WebKitWebDriver as a person would, on a directory of 100,000
//! members in 2,000 departments. Prints a table; asserts nothing about time.
//!
//! Every figure is taken inside the page, from the `timeStamp` of the input event (the key or
//! the mouse button going down) to the first frame painted after the expected rows are in the
//! document (a `requestAnimationFrame` followed by a task: the frame has been drawn by then).
//! The expected rows come from the core, asked the same question on the same file.
//!
//! `cargo bench --bench window` (part of `make bench`). `WINDOW_BENCH_MEMBERS` sets the size.
//!
//! This file holds the steps in order; the directory is prepared in `setup`, the in-page probe
//! is in `probe`, driving the window in `drive`, and the table and memory figures in `report`.

mod drive;
#[path = "../../tests/e2e/harness.rs"]
#[allow(dead_code)]
mod harness;
mod import;
mod probe;
mod report;
mod setup;
#[path = "../../tests/support/mod.rs"]
mod support;

use std::time::{Duration, Instant};

use orgdesk_core::members::MemberQuery;
use orgdesk_core::types::DepartmentId;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use thirtyfour::prelude::*;

use drive::{by_id, click, open_screen, picture};
use harness::Harness;
use probe::{arm, breakdown, measured, rows_of};
use report::{resident_mb, Table};
use setup::{prepare, settle};

const DEPARTMENTS: usize = 2_000;
const PASSWORD: &str = "Correct-Horse1";
const PAGE: u32 = 50;
const QUERIES: usize = 24;
const JOIN_REQUESTS: i64 = 2_000;

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    // `cargo bench` passes `--bench`; this benchmark takes no other arguments.
    let members: usize = std::env::var("WINDOW_BENCH_MEMBERS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000);
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("orgdesk.db");
    let core = prepare(&db, members);
    let tree = core.department_tree().unwrap();
    let root = tree.id;
    let everyone = |search: Option<String>, department: DepartmentId, offset: u32| {
        core.list_members(&MemberQuery {
            department_id: Some(department),
            search,
            offset,
            limit: PAGE,
            ..Default::default()
        })
        .unwrap()
    };

    let sheet = dir.path().join("import-100k.xlsx");
    let names: Vec<String> = tree.children.iter().map(|c| c.name.clone()).collect();
    import::write_sheet(&sheet, &names);

    let h = Harness::start();
    let mut table = Table::default();

    // Cold start: from asking for the window to a sign-in field that takes keys. The first
    // start also warms the disk cache, as an admin's second start of the day would be.
    let mut starts = Vec::new();
    for _ in 0..4 {
        let t = Instant::now();
        let d = h.launch(&db).await;
        let field = by_id(&d, "signin-username").await;
        field.wait_until().enabled().await.unwrap();
        starts.push(t.elapsed().as_secs_f64() * 1000.0);
        d.quit().await.unwrap();
    }
    table.add(
        "cold start to the sign-in field",
        &starts[1..],
        1000.0,
        "ms",
    );

    let d = h.launch(&db).await;
    settle(&core).await;
    by_id(&d, "signin-username")
        .await
        .send_keys("ann")
        .await
        .unwrap();
    by_id(&d, "signin-password")
        .await
        .send_keys(PASSWORD)
        .await
        .unwrap();
    let all = everyone(None, root, 0);
    arm(&d, &rows_of(all.rows[0].id, all.total)).await;
    click(&d, &by_id(&d, "signin-submit").await).await;
    let first = measured(&d, "sign-in").await;
    table.add("sign-in to the first rows", &[first], 500.0, "ms");
    breakdown(&d, "sign-in").await;
    picture(&h, &d, "bench-01-directory").await;

    // Search as you type: a person's pace (120 ms between keys), 1 to 3 characters taken
    // from real names, usernames and employee IDs; measured from the last key.
    let sample: Vec<String> = all
        .rows
        .iter()
        .chain(everyone(None, root, 5_000).rows.iter())
        .flat_map(|r| [Some(r.name.clone()), r.username.clone()])
        .flatten()
        .collect();
    let mut rng = StdRng::seed_from_u64(12);
    let search = by_id(&d, "member-search").await;
    let mut typed = Vec::new();
    let mut queries = Vec::new();
    while queries.len() < QUERIES {
        let src: Vec<char> = sample[rng.random_range(0..sample.len())]
            .to_lowercase()
            .chars()
            .collect();
        let len = 1 + queries.len() % 3;
        if src.len() < len {
            continue;
        }
        let at = rng.random_range(0..=src.len() - len);
        let q: String = src[at..at + len].iter().collect();
        if q.trim() != q || queries.contains(&q) {
            continue;
        }
        queries.push(q);
    }
    for q in &queries {
        // Back to the whole list first, as a person clears the box.
        arm(&d, &rows_of(all.rows[0].id, all.total)).await;
        search.send_keys(Key::Control + "a").await.unwrap();
        search.send_keys(Key::Backspace).await.unwrap();
        measured(&d, "clearing the search").await;

        let want = everyone(Some(q.clone()), root, 0);
        let conds = match want.rows.first() {
            Some(r) => rows_of(r.id, want.total),
            None => vec![
                ("[data-testid=member-total]".into(), "digits", "0".into()),
                (
                    "[data-testid=member-table] tbody tr.ant-table-row".into(),
                    "absent",
                    String::new(),
                ),
            ],
        };
        arm(&d, &conds).await;
        for (i, ch) in q.chars().enumerate() {
            if i > 0 {
                tokio::time::sleep(Duration::from_millis(120)).await;
            }
            search.send_keys(ch.to_string()).await.unwrap();
        }
        typed.push(measured(&d, &format!("search {q:?}")).await);
        if typed.len() <= 2 {
            breakdown(&d, &format!("search {q:?}")).await;
        }
    }
    table.add(
        &format!(
            "keystroke to painted rows ({} queries of 1-3 chars)",
            typed.len()
        ),
        &typed,
        100.0,
        "ms",
    );
    picture(&h, &d, "bench-02-search").await;
    arm(&d, &rows_of(all.rows[0].id, all.total)).await;
    search.send_keys(Key::Control + "a").await.unwrap();
    search.send_keys(Key::Backspace).await.unwrap();
    measured(&d, "clearing the search").await;

    // Next page, five times.
    let mut pages = Vec::new();
    for p in 1..=5u32 {
        let want = everyone(None, root, p * PAGE);
        arm(&d, &rows_of(want.rows[0].id, want.total)).await;
        d.find(By::Css("li.ant-pagination-next button"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        pages.push(measured(&d, "next page").await);
        if p == 1 {
            breakdown(&d, "next page").await;
        }
    }
    table.add("next page", &pages, 100.0, "ms");

    // A member's details: the drawer shows the member's fields. Opened and closed 10 times.
    let shown = everyone(None, root, 5 * PAGE);
    let mut details = Vec::new();
    for r in shown.rows.iter().take(10) {
        arm(
            &d,
            &[
                ("[data-testid=detail-name]".into(), "text", r.name.clone()),
                // The drawer stays in the page between members: the member's id says the new
                // one is shown, not a name that the previous member may share.
                (
                    "[data-testid=detail-name]".into(),
                    "member",
                    r.id.to_string(),
                ),
                (
                    "[data-testid=detail-username]".into(),
                    "present",
                    String::new(),
                ),
            ],
        )
        .await;
        click(&d, &by_id(&d, &format!("member-name-{}", r.id)).await).await;
        details.push(measured(&d, "member details").await);
        if details.len() <= 2 {
            breakdown(&d, "member details").await;
        }
        if details.len() == 1 {
            picture(&h, &d, "bench-03-details").await;
        }
        arm(
            &d,
            &[(
                ".ant-drawer-open [data-testid=member-drawer]".into(),
                "absent",
                String::new(),
            )],
        )
        .await;
        d.action_chain()
            .send_keys(Key::Escape)
            .perform()
            .await
            .unwrap();
        measured(&d, "closing the details").await;
        // The drawer slides out (0.3 s) before the rows take clicks again.
        tokio::time::sleep(Duration::from_millis(600)).await;
    }
    table.add("a member's details", &details, 150.0, "ms");

    // Switching department in the tree: the root's children, each in turn.
    let mut switches = Vec::new();
    for dept in tree.children.iter().take(10) {
        let want = everyone(None, dept.id, 0);
        let mut conds = vec![("[data-testid=dept-title]".into(), "text", dept.name.clone())];
        match want.rows.first() {
            Some(r) => conds.extend(rows_of(r.id, want.total)),
            None => conds.push(("[data-testid=member-total]".into(), "digits", "0".into())),
        }
        arm(&d, &conds).await;
        click(&d, &by_id(&d, &format!("dept-node-{}", dept.id)).await).await;
        switches.push(measured(&d, "department switch").await);
        if switches.len() <= 2 {
            breakdown(&d, "department switch").await;
        }
    }
    table.add("switching department", &switches, 150.0, "ms");
    picture(&h, &d, "bench-04-department").await;

    // The Invitations screen (every invitation of the directory, a page of 50 at a time) and the
    // Join Requests screen, each opened from the navigation and left again five times.
    let opened = open_screen(&d, "nav-invitations", "invitations-table").await;
    table.add(
        "opening Invitations (first page of all)",
        &opened,
        150.0,
        "ms",
    );
    let opened = open_screen(&d, "nav-join-requests", "join-requests-table").await;
    table.add(
        &format!("opening Join Requests ({JOIN_REQUESTS} waiting)"),
        &opened,
        150.0,
        "ms",
    );

    let (app, web) = resident_mb();
    table.add("web process resident memory", &[web], 300.0, "MB");
    table.add("app process resident memory", &[app], f64::INFINITY, "MB");

    if let Some(took) = import::preview(&h, &d, &sheet).await {
        table.add(
            &format!(
                "import preview of {} rows (file picked to counts)",
                import::ROWS
            ),
            &[took],
            2000.0,
            "ms",
        );
    }

    d.quit().await.unwrap();
    drop(h);
    println!("\nWindow benchmark: {members} members, {DEPARTMENTS} departments, release build, Xvfb 1280x800");
    table.print();
}
