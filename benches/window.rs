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

#[path = "../tests/e2e/harness.rs"]
#[allow(dead_code)]
mod harness;

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use orgdesk_core::audit::Actor;
use orgdesk_core::invitations::InviteChannel;
use orgdesk_core::members::MemberQuery;
use orgdesk_core::organization::SetupInput;
use orgdesk_core::types::{DepartmentId, MemberId};
use orgdesk_core::{Directory, SystemClock};
use orgdesk_protocol::{Event, EventKind, JoinVia};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::{json, Value};
use thirtyfour::prelude::*;

use harness::Harness;

const DEPARTMENTS: usize = 2_000;
const PASSWORD: &str = "Correct-Horse1";
const PAGE: u32 = 50;
const QUERIES: usize = 24;
const JOIN_REQUESTS: i64 = 2_000;

/// Installed once in the page (it is a single-page app: it stays until the window closes).
/// `arm(conditions)` starts a measurement: the next keydown or mousedown is its start (each
/// later one moves the start: the last keystroke counts), and it ends at the first painted
/// frame after every condition holds.
const PROBE: &str = r#"
if (!window.__odBench) {
  const state = { start: null, end: null, conds: null, armed: false, shown: null };
  const holds = () => state.conds.every(([sel, kind, want]) => {
    const el = document.querySelector(sel);
    if (kind === 'absent') return el === null;
    if (!el) return false;
    if (kind === 'present') return true;
    if (kind === 'digits') return el.textContent.replace(/\D/g, '') === want;
    if (kind === 'text') return el.textContent === want;
    if (kind === 'testid') return el.getAttribute('data-testid') === want;
    return false;
  });
  const painted = () => {
    requestAnimationFrame(() => {
      const ch = new MessageChannel();
      ch.port1.onmessage = () => { if (state.end === null) state.end = performance.now(); };
      ch.port2.postMessage(0);
    });
  };
  const check = () => {
    if (!state.armed || state.start === null || state.end !== null) return;
    if (holds()) { state.armed = false; state.shown = performance.now(); painted(); }
  };
  new MutationObserver(check).observe(document.documentElement, {
    subtree: true, childList: true, characterData: true, attributes: true,
  });
  const onStart = (e) => { if (state.armed) state.start = e.timeStamp; };
  document.addEventListener('keydown', onStart, true);
  document.addEventListener('mousedown', onStart, true);
  window.__odBench = {
    arm(conds) { state.start = null; state.end = null; state.conds = conds; state.armed = true; state.shown = null; },
    detail() {
      const at = (t) => Math.round(t - state.start);
      return { shown: at(state.shown), painted: at(state.end) };
    },
    read() {
      if (state.start !== null && state.end === null && state.armed) check();
      return state.end === null ? null : [state.start, state.end];
    },
  };
}
"#;

type Cond = (String, &'static str, String);

fn rows_of(first_id: MemberId, total: u32) -> Vec<Cond> {
    vec![
        (
            "[data-testid=member-table] tbody tr.ant-table-row".into(),
            "testid",
            format!("member-row-{first_id}"),
        ),
        (
            "[data-testid=member-total]".into(),
            "digits",
            total.to_string(),
        ),
    ]
}

async fn arm(d: &WebDriver, conds: &[Cond]) {
    d.execute(PROBE, vec![]).await.expect("probe installs");
    let conds: Vec<Value> = conds.iter().map(|(s, k, w)| json!([s, k, w])).collect();
    d.execute(
        "window.__odBench.arm(arguments[0]);",
        vec![Value::Array(conds)],
    )
    .await
    .expect("probe arms");
}

/// Waits for the armed measurement to end; its duration in ms.
async fn measured(d: &WebDriver, what: &str) -> f64 {
    let started = Instant::now();
    loop {
        let v = d
            .execute("return window.__odBench.read();", vec![])
            .await
            .expect("probe reads")
            .json()
            .clone();
        if let Some(a) = v.as_array() {
            return a[1].as_f64().unwrap() - a[0].as_f64().unwrap();
        }
        if started.elapsed() > Duration::from_secs(60) {
            panic!("{what}: the expected rows never showed");
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

/// Prints where the last measurement's time went: when the expected rows were in the page
/// (the backend's answer and React's render) and when the frame with them was painted (WebKit's
/// style, layout and paint), in ms from the click or key.
async fn breakdown(d: &WebDriver, what: &str) {
    let Ok(v) = d.execute("return window.__odBench.detail();", vec![]).await else {
        return;
    };
    let v = v.json();
    println!(
        "    {what}: rows in the page at {} ms, painted at {} ms",
        v["shown"], v["painted"]
    );
}

async fn by_id(d: &WebDriver, id: &str) -> WebElement {
    let q = d.query(By::Css(format!("[data-testid='{id}']")));
    q.wait(Duration::from_secs(60), Duration::from_millis(10))
        .first()
        .await
        .unwrap_or_else(|e| panic!("{id}: {e}"))
}

/// Brings the element to the middle of its scroller, then clicks it as a mouse would (at the
/// edge of the scrolled area WebKit reports the click as intercepted by what covers it).
async fn click(d: &WebDriver, e: &WebElement) {
    d.execute(
        "arguments[0].scrollIntoView({block: 'center', inline: 'nearest'});",
        vec![e.to_json().unwrap()],
    )
    .await
    .unwrap();
    // A drawer or menu still sliding out may cover the element for a moment.
    for _ in 0..20 {
        match e.click().await {
            Err(err) if err.to_string().contains("intercepted") => {
                tokio::time::sleep(Duration::from_millis(100)).await
            }
            other => return other.unwrap(),
        }
    }
    panic!("the element stayed covered for 2 s");
}

/// A picture of the window for docs/performance.md; the figures do not depend on it.
async fn picture(h: &Harness, d: &WebDriver, name: &str) {
    h.screenshot(d, name).await;
}

/// Opens a screen from the navigation until its table shows rows, and goes back to the
/// directory, five times; the openings' durations.
async fn open_screen(d: &WebDriver, nav: &str, table: &str) -> Vec<f64> {
    let rows_of_table = |id: &str| {
        vec![(
            format!("[data-testid={id}] tbody tr.ant-table-row"),
            "present",
            String::new(),
        )]
    };
    let mut opened = Vec::new();
    for _ in 0..5 {
        arm(d, &rows_of_table(table)).await;
        click(d, &by_id(d, nav).await).await;
        opened.push(measured(d, nav).await);
        arm(d, &rows_of_table("member-table")).await;
        click(d, &by_id(d, "nav-directory").await).await;
        measured(d, "back to the directory").await;
    }
    opened
}

fn pct(samples: &[f64], p: f64) -> f64 {
    let mut s = samples.to_vec();
    s.sort_by(|a, b| a.partial_cmp(b).unwrap());
    let i = ((s.len() as f64 - 1.0) * p).round() as usize;
    s[i]
}

struct Table(Vec<(String, usize, f64, f64, String, bool)>);

impl Table {
    fn add(&mut self, name: &str, samples: &[f64], target: f64, unit: &str) {
        let (p50, p95) = (pct(samples, 0.5), pct(samples, 0.95));
        let ok = p95 <= target;
        self.0.push((
            name.into(),
            samples.len(),
            p50,
            p95,
            format!("{target} {unit}"),
            ok,
        ));
        println!(
            "  {name}: p50 {p50:.0} {unit}, p95 {p95:.0} {unit} ({} runs)",
            samples.len()
        );
    }

    fn print(&self) {
        println!(
            "\n| {:<52} | {:>4} | {:>8} | {:>8} | {:>10} | {:<4} |",
            "in the window", "runs", "p50", "p95", "target", ""
        );
        println!(
            "|{:-<54}|{:-<6}|{:-<10}|{:-<10}|{:-<12}|{:-<6}|",
            "", "", "", "", "", ""
        );
        for (name, n, p50, p95, target, ok) in &self.0 {
            println!(
                "| {name:<52} | {n:>4} | {p50:>8.0} | {p95:>8.0} | {target:>10} | {:<4} |",
                if *ok { "ok" } else { "OVER" }
            );
        }
    }
}

/// Resident memory (MB) of the app and of its WebKit web process, found through /proc.
fn resident_mb() -> (f64, f64) {
    let app_name = Path::new(harness::APP)
        .file_name()
        .unwrap()
        .to_str()
        .unwrap();
    let mut app = 0.0;
    let mut web = 0.0;
    let mut app_pids = Vec::new();
    let procs: Vec<(u32, u32, String, f64)> = std::fs::read_dir("/proc")
        .unwrap()
        .filter_map(|e| e.ok()?.file_name().to_str()?.parse::<u32>().ok())
        .filter_map(|pid| {
            let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
            let field = |k: &str| {
                status
                    .lines()
                    .find(|l| l.starts_with(k))
                    .map(|l| l[k.len()..].trim().to_string())
            };
            let name = field("Name:")?;
            let ppid = field("PPid:")?.parse().ok()?;
            let kb: f64 = field("VmRSS:")
                .and_then(|v| v.split_whitespace().next()?.parse().ok())
                .unwrap_or(0.0);
            Some((pid, ppid, name, kb / 1024.0))
        })
        .collect();
    for (pid, _, name, mb) in &procs {
        if app_name.starts_with(name.as_str()) {
            app += mb;
            app_pids.push(*pid);
        }
    }
    for (_, ppid, name, mb) in &procs {
        if name.starts_with("WebKitWebProces") && app_pids.contains(ppid) {
            web += mb;
        }
    }
    (app, web)
}

fn prepare(db: &Path, members: usize) -> Directory {
    let mut d = Directory::open_with_clock(db, Arc::new(SystemClock)).unwrap();
    d.setup_organization(&SetupInput {
        organization_name: "Bench Corp".into(),
        admin_name: "Ann".into(),
        username: "ann".into(),
        password: PASSWORD.into(),
        password_confirm: PASSWORD.into(),
    })
    .unwrap();
    let t = Instant::now();
    orgdesk_core::seed::seed(&mut d, DEPARTMENTS, members, 42).unwrap();
    println!(
        "Seeded {members} members in {DEPARTMENTS} departments in {:.1} s",
        t.elapsed().as_secs_f64()
    );
    // Every member who has not joined is invited by email: the Invitations screen's list.
    let waiting: Vec<MemberId> = {
        let conn = rusqlite::Connection::open(db).unwrap();
        let mut st = conn
            .prepare("SELECT id FROM members WHERE status = 'not_joined' ORDER BY id")
            .unwrap();
        st.query_map([], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap()
    };
    let admin = Actor::member(MemberId(1), "Ann");
    for chunk in waiting.chunks(1_000) {
        d.invite_members(&admin, chunk, InviteChannel::Email)
            .unwrap();
    }
    println!("Invited {} members by email", waiting.len());
    // Join requests waiting for approval, as the gateway's feed brings them.
    let hash = orgdesk_core::password::hash("Stranger-Pass1").unwrap();
    let mut seq = 0;
    for _ in 0..JOIN_REQUESTS / 500 {
        let page: Vec<Event> = (0..500)
            .map(|_| {
                seq += 1;
                Event {
                    seq,
                    id: format!("ev_{seq}"),
                    at: 1_780_000_000 + seq,
                    kind: EventKind::JoinRequested {
                        request_id: format!("jr_{seq}"),
                        via: JoinVia::Link,
                        name: format!("Applicant {seq}"),
                        email: Some(format!("applicant{seq}@example.net")),
                        mobile: None,
                        employee_id: None,
                        work_location: None,
                        account_id: Some(format!("acc_bench{seq}")),
                        username: format!("applicant{seq}"),
                        password_hash: hash.clone(),
                        approval_required: true,
                    },
                }
            })
            .collect();
        d.apply_gateway_events(&page, seq).unwrap();
    }
    println!("{JOIN_REQUESTS} join requests wait for approval");
    d
}

/// Waits until the app has handed its backlog to the embedded gateway: the account mirror of
/// every member, the invitations created above and the feed's answers to them. A freshly
/// seeded directory keeps both cores busy for a few minutes with this, which is real (it is
/// what follows a bulk invitation) but is not what the lines below measure.
async fn settle(core: &Directory) {
    let t = Instant::now();
    let mut last_cursor = -1;
    let mut quiet_since = Instant::now();
    loop {
        let mirror = core.due_account_mirror(1).unwrap().len();
        let work = core.due_gateway_work(1).unwrap().len();
        let outbox = core.due_gateway_outbox(1).unwrap().len();
        let cursor = core.gateway_event_cursor().unwrap();
        if cursor != last_cursor || mirror + work + outbox > 0 {
            last_cursor = cursor;
            quiet_since = Instant::now();
        }
        if quiet_since.elapsed() > Duration::from_secs(5) {
            break;
        }
        assert!(
            t.elapsed() < Duration::from_secs(900),
            "the app never caught up with the gateway: {mirror} mirror, {work} invitations, {outbox} decisions due"
        );
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    println!(
        "The app handed its backlog to the gateway in {:.0} s (feed cursor {last_cursor})",
        t.elapsed().as_secs_f64()
    );
}

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

    let h = Harness::start();
    let mut table = Table(Vec::new());

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

    d.quit().await.unwrap();
    drop(h);
    println!("\nWindow benchmark: {members} members, {DEPARTMENTS} departments, release build, Xvfb 1280x800");
    table.print();
}
