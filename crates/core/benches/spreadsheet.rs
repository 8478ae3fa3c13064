//! Bulk import / export at 100,000 rows, beside the floor (a bare calamine read plus a bare
//! rusqlite insert of the same file) and the targets. Medians of a few runs; peak RSS
//! per operation (VmHWM, reset before each run through /proc/self/clear_refs).
//!
//! The generated rows have no passwords (Not Joined members with emails): Argon2id costs
//! ~30–50 ms per password and would dominate; a mobile number is on every tenth row
//! (parsing one costs ~25 µs).

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use orgdesk_core::audit::Actor;
use orgdesk_core::members::MemberQuery;
use orgdesk_core::organization::SetupInput;
use orgdesk_core::spreadsheet::{Control, ImportOptions, Lang, Stage};
use orgdesk_core::{Directory, SystemClock};
use rust_xlsxwriter::Workbook;
use std::sync::atomic::AtomicBool;

const ROWS: usize = 100_000;
const RUNS: usize = 3;

fn reset_peak() {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

fn peak_mb() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse::<f64>().ok())
        })
        .map_or(f64::NAN, |kb| kb / 1024.0)
}

fn median(mut v: Vec<Duration>) -> f64 {
    v.sort();
    v[v.len() / 2].as_secs_f64()
}

fn fresh(dir: &Path, n: usize) -> Directory {
    let mut d =
        Directory::open_with_clock(&dir.join(format!("b{n}.db")), Arc::new(SystemClock)).unwrap();
    d.setup_organization(&SetupInput {
        organization_name: "Bench Corp".into(),
        admin_name: "Ann".into(),
        username: "ann".into(),
        password: "Correct-Horse1".into(),
        password_confirm: "Correct-Horse1".into(),
    })
    .unwrap();
    let a = admin(&d);
    let root = d.resolve_department_path("").unwrap();
    for i in 0..50 {
        let id = d.create_department(&a, root, &format!("Dept {i}")).unwrap();
        d.create_department(&a, id, "Team").unwrap();
    }
    d
}

fn admin(d: &Directory) -> Actor {
    Actor::member(d.initial_admin_id().unwrap(), "Ann")
}

fn generate(path: &Path) {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet_with_constant_memory();
    let head = [
        "Name*",
        "Username",
        "Password",
        "Email",
        "Mobile",
        "Department*",
        "Position",
        "Role",
        "Employee ID",
        "Work Location",
    ];
    for (c, h) in head.iter().enumerate() {
        ws.write_string(0, c as u16, *h).unwrap();
    }
    for i in 0..ROWS {
        let r = i as u32 + 1;
        ws.write_string(r, 0, format!("Member {i} 王")).unwrap();
        ws.write_string(r, 3, format!("m{i}@example.com")).unwrap();
        if i % 10 == 0 {
            ws.write_string(r, 4, format!("+1415{:07}", 2_000_000 + i))
                .unwrap();
        }
        ws.write_string(r, 5, format!("Dept {}/Team", i % 50))
            .unwrap();
        ws.write_string(r, 6, "Engineer").unwrap();
        ws.write_string(r, 7, "Member").unwrap();
        ws.write_string(r, 8, format!("E{i:06}")).unwrap();
        ws.write_string(r, 9, "Berlin").unwrap();
    }
    wb.save(path).unwrap();
}

/// The floor: calamine reads the sheet, rusqlite inserts the rows in one transaction.
fn floor(file: &Path, dir: &Path, n: usize) -> Duration {
    use calamine::Reader;
    let t = Instant::now();
    let mut wb: calamine::Xlsx<_> = calamine::open_workbook(file).unwrap();
    let range = wb.worksheet_range_at(0).unwrap().unwrap();
    let mut conn = rusqlite::Connection::open(dir.join(format!("floor{n}.db"))).unwrap();
    conn.execute_batch(
        "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;
         CREATE TABLE m (name TEXT, username TEXT, email TEXT UNIQUE, mobile TEXT, dept TEXT,
                         position TEXT, role TEXT, employee_id TEXT UNIQUE, work_location TEXT);",
    )
    .unwrap();
    let tx = conn.transaction().unwrap();
    {
        let mut st = tx
            .prepare("INSERT INTO m VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)")
            .unwrap();
        for row in range.rows().skip(1) {
            let s = |i: usize| row.get(i).map(|c| c.to_string()).filter(|s| !s.is_empty());
            st.execute(rusqlite::params![
                s(0),
                s(1),
                s(3),
                s(4),
                s(5),
                s(6),
                s(7),
                s(8),
                s(9)
            ])
            .unwrap();
        }
    }
    tx.commit().unwrap();
    t.elapsed()
}

fn line(name: &str, secs: f64, floor: f64, target: f64, mb: f64, mb_target: f64) {
    println!(
        "| {name:<40} | {secs:>8.2} | {:>8} | {target:>8.1} | {mb:>7.0} | {mb_target:>7.0} | {:<4} |",
        if floor.is_finite() { format!("{:.2}x", secs / floor) } else { "-".into() },
        if secs <= target && mb <= mb_target { "ok" } else { "SLOW" }
    );
}

fn main() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("members-100k.xlsx");
    let t = Instant::now();
    generate(&file);
    println!(
        "Generated {ROWS} rows ({:.1} MB) in {:.2} s; medians of {RUNS} runs\n",
        std::fs::metadata(&file).unwrap().len() as f64 / 1_048_576.0,
        t.elapsed().as_secs_f64()
    );
    println!(
        "| {:<40} | {:>8} | {:>8} | {:>8} | {:>7} | {:>7} | {:<4} |",
        "operation", "s", "vs floor", "target s", "peak MB", "MB max", ""
    );
    println!(
        "|{:-<42}|{:-<10}|{:-<10}|{:-<10}|{:-<9}|{:-<9}|{:-<6}|",
        "", "", "", "", "", "", ""
    );

    let mut floors = Vec::new();
    let mut floor_mb: f64 = 0.0;
    for n in 0..RUNS {
        reset_peak();
        floors.push(floor(&file, dir.path(), n));
        floor_mb = floor_mb.max(peak_mb());
    }
    let floor_s = median(floors);
    line(
        "floor: calamine read + rusqlite insert",
        floor_s,
        f64::NAN,
        f64::INFINITY,
        floor_mb,
        f64::INFINITY,
    );

    let (mut imports, mut reimports, mut exports, mut csvs) = (vec![], vec![], vec![], vec![]);
    let (mut import_mb, mut reimport_mb, mut export_mb, mut csv_mb): (f64, f64, f64, f64) =
        (0.0, 0.0, 0.0, 0.0);
    for n in 0..RUNS {
        let mut d = fresh(dir.path(), n);
        let a = admin(&d);
        reset_peak();
        let t = Instant::now();
        let r = d
            .import_members(&a, &file, &ImportOptions::default(), &Control::none())
            .unwrap();
        // Searchable: the first search rebuilds the member index.
        let found = d
            .list_members(&MemberQuery {
                search: Some("m99999@".into()),
                ..Default::default()
            })
            .unwrap();
        imports.push(t.elapsed());
        import_mb = import_mb.max(peak_mb());
        assert_eq!(
            r.counts.create as usize,
            ROWS,
            "{:?}",
            &r.rows.iter().find(|x| !x.problems.is_empty())
        );
        assert_eq!(found.total, 1);

        reset_peak();
        let t = Instant::now();
        let r = d
            .import_members(&a, &file, &ImportOptions::default(), &Control::none())
            .unwrap();
        reimports.push(t.elapsed());
        reimport_mb = reimport_mb.max(peak_mb());
        assert_eq!(r.counts.unchanged as usize, ROWS);

        let out = dir.path().join(format!("export{n}.xlsx"));
        reset_peak();
        let t = Instant::now();
        let written = d
            .export_members(&MemberQuery::default(), Lang::En, &out, &Control::none())
            .unwrap();
        exports.push(t.elapsed());
        export_mb = export_mb.max(peak_mb());
        assert_eq!(written, ROWS + 1);

        let out = dir.path().join(format!("export{n}.csv"));
        reset_peak();
        let t = Instant::now();
        d.export_members(&MemberQuery::default(), Lang::En, &out, &Control::none())
            .unwrap();
        csvs.push(t.elapsed());
        csv_mb = csv_mb.max(peak_mb());
    }
    // Where an import's time goes: the moment each stage reports it is done.
    {
        let mut d = fresh(dir.path(), RUNS);
        let a = admin(&d);
        let marks = std::cell::RefCell::new(Vec::<(Stage, Instant)>::new());
        let progress = |stage: Stage, done: usize, total: usize| {
            if done == total {
                marks.borrow_mut().push((stage, Instant::now()));
            }
        };
        let cancel = AtomicBool::new(false);
        let ctl = Control {
            cancel: &cancel,
            progress: &progress,
        };
        let t = Instant::now();
        d.import_members(&a, &file, &ImportOptions::default(), &ctl)
            .unwrap();
        let t_commit = Instant::now();
        d.list_members(&MemberQuery {
            search: Some("x".into()),
            ..Default::default()
        })
        .unwrap();
        let t_index = Instant::now();
        let mut prev = t;
        let mut parts = Vec::new();
        for (stage, at) in marks.borrow().iter() {
            parts.push(format!(
                "{stage:?} {:.2} s",
                at.duration_since(prev).as_secs_f64()
            ));
            prev = *at;
        }
        parts.push(format!(
            "index rebuild {:.2} s",
            t_index.duration_since(t_commit).as_secs_f64()
        ));
        println!("(import stages, one run: {})", parts.join(", "));
    }
    line(
        "import 100k new (.xlsx, searchable)",
        median(imports),
        floor_s,
        2.2,
        import_mb,
        250.0,
    );
    line(
        "re-import 100k unchanged",
        median(reimports),
        floor_s,
        2.5,
        reimport_mb,
        250.0,
    );
    line(
        "export 100k to .xlsx (constant memory)",
        median(exports),
        f64::NAN,
        1.0,
        export_mb,
        80.0,
    );
    line(
        "export 100k to .csv",
        median(csvs),
        f64::NAN,
        1.0,
        csv_mb,
        80.0,
    );
    println!(
        "\nPeak MB is the process's peak RSS during the operation (the directory stays open)."
    );
}
