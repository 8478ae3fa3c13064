//! Bulk import / export at 10,000 and 100,000 rows, beside the floor (a bare calamine read
//! plus a bare rusqlite insert of the same file) and the targets. Medians of a few
//! runs. Every run is a process of its own (this binary started again with `--op`), so the
//! peak RSS printed is that operation's and nothing else's (VmHWM of the process at its end).
//!
//! The generated rows have no passwords (Not Joined members with emails): Argon2id costs
//! ~30–50 ms per password and would dominate; a mobile number is on every tenth row
//! (parsing one costs ~25 µs).

mod common;

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use bench_table::{percentile, spreadsheet_row, SPREADSHEET};
use orgdesk_core::audit::Actor;
use orgdesk_core::members::MemberQuery;
use orgdesk_core::spreadsheet::{Column, Control, ImportOptions, Lang, Stage};
use orgdesk_core::{Directory, SystemClock};
use rust_xlsxwriter::Workbook;
use std::sync::atomic::AtomicBool;

const RUNS: usize = 5;

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

fn fresh(dir: &Path, n: usize) -> Directory {
    let path = dir.join(format!("b{n}.db"));
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
    }
    let mut d = common::bench_corp(&path);
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

fn generate(path: &Path, rows: usize) {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet_with_constant_memory();
    for (c, column) in Column::ALL.iter().enumerate() {
        ws.write_string(0, c as u16, column.header(Lang::En))
            .unwrap();
    }
    for i in 0..rows {
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
    let path = dir.join(format!("floor{n}.db"));
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
    }
    let mut conn = rusqlite::Connection::open(path).unwrap();
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

/// Prints an operation's line of the table.
fn line(name: &str, secs: f64, floor: f64, target: f64, mb: f64, mb_target: f64) {
    println!(
        "{}",
        spreadsheet_row(name, secs, floor, target, mb, mb_target)
    );
}

/// One operation, in this process: prints "RESULT <seconds> <peak MB> [stages]".
fn child(op: &str, file: &Path, dir: &Path, n: usize) {
    let rows: usize = std::env::var("BENCH_ROWS").unwrap().parse().unwrap();
    if op.contains("import") {
        // As the app does when it starts.
        orgdesk_core::types::Mobile::warm_up();
    }
    let (secs, note) = match op {
        "floor" => (floor(file, dir, n).as_secs_f64(), String::new()),
        "import" => {
            let mut d = fresh(dir, n);
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
            let r = d
                .import_members(&a, file, &ImportOptions::default(), &ctl)
                .unwrap();
            let committed = Instant::now();
            // Searchable: the first search rebuilds the member index.
            let found = d
                .list_members(&MemberQuery {
                    search: Some(format!("m{}@", rows - 1)),
                    ..Default::default()
                })
                .unwrap();
            let secs = t.elapsed().as_secs_f64();
            assert_eq!(
                r.counts.create as usize,
                rows,
                "{:?}",
                &r.rows.iter().find(|x| !x.problems.is_empty())
            );
            assert_eq!(found.total, 1);
            // Where the time goes: the moment each stage reports it is done.
            let mut prev = t;
            let mut parts = Vec::new();
            for (stage, at) in marks.borrow().iter() {
                if at.duration_since(prev).as_secs_f64() >= 0.005 {
                    parts.push(format!(
                        "{stage:?} {:.2}",
                        at.duration_since(prev).as_secs_f64()
                    ));
                }
                prev = *at;
            }
            parts.push(format!("index {:.2}", committed.elapsed().as_secs_f64()));
            (secs, parts.join(", "))
        }
        "preview" => {
            // As the window asks them: the mapping step reads the file, then the preview, which
            // takes the cells the mapping step read. First, for comparison, a preview alone
            // (the command line's, or a file previewed with no mapping step before it).
            let d = fresh(dir, n);
            let t = Instant::now();
            let alone = d
                .preview_import(file, &ImportOptions::default(), &Control::none())
                .unwrap();
            let alone_secs = t.elapsed().as_secs_f64();
            let t = Instant::now();
            let info = orgdesk_core::spreadsheet::inspect_file(file, &Control::none()).unwrap();
            let inspected = t.elapsed().as_secs_f64();
            let r = d
                .preview_import(file, &ImportOptions::default(), &Control::none())
                .unwrap();
            let secs = t.elapsed().as_secs_f64();
            assert_eq!((info.rows as usize, r.counts.create as usize), (rows, rows));
            assert_eq!(r, alone);
            (
                secs,
                format!(
                    "mapping step {inspected:.2}, then preview {:.2} (a preview alone {alone_secs:.2})",
                    secs - inspected
                ),
            )
        }
        "reimport" => {
            let mut d =
                Directory::open_with_clock(&dir.join(format!("c{n}.db")), Arc::new(SystemClock))
                    .unwrap();
            let a = admin(&d);
            let t = Instant::now();
            let r = d
                .import_members(&a, file, &ImportOptions::default(), &Control::none())
                .unwrap();
            let secs = t.elapsed().as_secs_f64();
            assert_eq!(r.counts.unchanged as usize, rows);
            (secs, String::new())
        }
        "export_xlsx" | "export_csv" => {
            let d =
                Directory::open_with_clock(&dir.join(format!("c{n}.db")), Arc::new(SystemClock))
                    .unwrap();
            let ext = if op == "export_csv" { "csv" } else { "xlsx" };
            let out = dir.join(format!("export{n}.{ext}"));
            let t = Instant::now();
            let written = d
                .export_members(&MemberQuery::default(), Lang::En, &out, &Control::none())
                .unwrap();
            let secs = t.elapsed().as_secs_f64();
            assert_eq!(written, rows + 1);
            (secs, String::new())
        }
        other => panic!("unknown operation {other}"),
    };
    println!("RESULT {secs} {} {note}", peak_mb());
}

/// Runs `op` `RUNS` times, each in a new process; medians of the times, max of the peaks.
fn measure(
    op: &str,
    file: &Path,
    dir: &Path,
    rows: usize,
    base: Option<&Path>,
) -> (f64, f64, String) {
    let (mut times, mut peak, mut note) = (Vec::new(), 0f64, String::new());
    for n in 0..RUNS {
        if let Some(base) = base {
            std::fs::copy(base, dir.join(format!("c{n}.db"))).unwrap();
        }
        let out = std::process::Command::new(std::env::current_exe().unwrap())
            .args(["--op", op, "--file"])
            .arg(file)
            .arg("--dir")
            .arg(dir)
            .args(["--run", &n.to_string()])
            .env("BENCH_ROWS", rows.to_string())
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stdout);
        let Some(line) = text.lines().find_map(|l| l.strip_prefix("RESULT ")) else {
            panic!(
                "{op} failed:\n{text}\n{}",
                String::from_utf8_lossy(&out.stderr)
            );
        };
        let mut parts = line.splitn(3, ' ');
        times.push(parts.next().unwrap().parse::<f64>().unwrap());
        peak = peak.max(parts.next().unwrap().parse().unwrap());
        note = parts.next().unwrap_or("").trim().to_owned();
        if let Some(base) = base {
            let _ = std::fs::remove_file(dir.join(format!("c{n}.db")));
            let _ = base;
        }
    }
    (percentile(&times, 0.5), peak, note)
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let arg = |name: &str| {
        args.iter()
            .position(|a| a == name)
            .map(|i| args[i + 1].clone())
    };
    if let Some(op) = arg("--op") {
        let file = arg("--file").unwrap();
        let dir = arg("--dir").unwrap();
        let n = arg("--run").unwrap().parse().unwrap();
        child(&op, Path::new(&file), Path::new(&dir), n);
        return;
    }
    // BENCH_DIR keeps the generated files and databases (for profiling one operation).
    let tmp = tempfile::tempdir().unwrap();
    let kept = std::env::var_os("BENCH_DIR").map(std::path::PathBuf::from);
    let dir: &Path = kept.as_deref().unwrap_or(tmp.path());
    println!("Medians of {RUNS} runs, each run a process of its own; peak MB is that process's peak RSS.\n");
    println!("{}", SPREADSHEET.header());
    let mut notes = Vec::new();
    for rows in [10_000, 100_000] {
        let big = rows == 100_000;
        let k = rows / 1000;
        let file = dir.join(format!("members-{k}k.xlsx"));
        generate(&file, rows);
        let (floor_s, floor_mb, _) = measure("floor", &file, dir, rows, None);
        line(
            &format!("floor {k}k: calamine read + rusqlite insert"),
            floor_s,
            f64::NAN,
            f64::INFINITY,
            floor_mb,
            f64::INFINITY,
        );
        let (s, mb, note) = measure("import", &file, dir, rows, None);
        notes.push(format!("import {k}k stages (s): {note}"));
        let (t, m) = if big {
            (2.2, 250.0)
        } else {
            (f64::INFINITY, f64::INFINITY)
        };
        line(
            &format!("import {k}k new (.xlsx, searchable)"),
            s,
            floor_s,
            t,
            mb,
            m,
        );
        let (s, mb, note) = measure("preview", &file, dir, rows, None);
        notes.push(format!("preview {k}k (s): {note}"));
        let t = if big { 2.0 } else { f64::INFINITY };
        line(
            &format!("mapping step + preview {k}k"),
            s,
            floor_s,
            t,
            mb,
            f64::INFINITY,
        );
        // The directory the other operations start from: this file imported once.
        let base = dir.join(format!("base{k}.db"));
        {
            let mut d = fresh(dir, 900 + k);
            let a = admin(&d);
            d.import_members(&a, &file, &ImportOptions::default(), &Control::none())
                .unwrap();
            d.connection()
                .execute_batch("PRAGMA wal_checkpoint(TRUNCATE);")
                .unwrap();
            drop(d);
            std::fs::rename(dir.join(format!("b{}.db", 900 + k)), &base).unwrap();
        }
        let (s, mb, _) = measure("reimport", &file, dir, rows, Some(&base));
        let (t, m) = if big {
            (2.5, 250.0)
        } else {
            (f64::INFINITY, f64::INFINITY)
        };
        line(&format!("re-import {k}k unchanged"), s, floor_s, t, mb, m);
        let (t, m) = if big {
            (1.0, 80.0)
        } else {
            (f64::INFINITY, f64::INFINITY)
        };
        let (s, mb, _) = measure("export_xlsx", &file, dir, rows, Some(&base));
        line(
            &format!("export {k}k to .xlsx (constant memory)"),
            s,
            f64::NAN,
            t,
            mb,
            m,
        );
        let (s, mb, _) = measure("export_csv", &file, dir, rows, Some(&base));
        line(&format!("export {k}k to .csv"), s, f64::NAN, t, mb, m);
    }
    println!();
    for n in notes {
        println!("{n}");
    }
}
