//! `orgdesk template`, `import` and `export` through the real binary: template → import →
//! export → edit → re-import, with the exit codes a script relies on (0 all rows succeeded,
//! 3 some rows failed, 1 the file was refused).

mod mapping;
#[path = "../support/mod.rs"]
mod support;
use support::{assert_refused, init_acme, json, ok, orgdesk, orgdesk_command, text};

use std::path::Path;
use std::process::Stdio;

#[test]
fn template_import_export_reimport_with_exit_codes() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("org.db");
    let p = |n: &str| dir.path().join(n).to_string_lossy().into_owned();
    ok(&init_acme(&db, None));
    ok(&orgdesk(&db, &["dept", "add", "Sales"], None));
    ok(&orgdesk(&db, &["dept", "add", "Sales/EMEA"], None));

    // The template, in both languages; it imports as is (its example row).
    let t = p("template.xlsx");
    assert!(ok(&orgdesk(&db, &["template", &t], None)).contains("template"));
    ok(&orgdesk(
        &db,
        &["template", &p("zh.xlsx"), "--lang", "zh"],
        None,
    ));
    let out = orgdesk(&db, &["import", &t, "--dry-run", "--json"], None);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let v = json(&out);
    assert_eq!(v["counts"]["create"], 1);
    assert_eq!(v["committed"], false);

    // A filled-in file with one bad row: the good rows go in, exit code 3, results saved.
    let filled = p("filled.csv");
    std::fs::write(
        &filled,
        "Name*,Username,Password,Email,Mobile,Department*,Position,Role,Employee ID,Work Location\n\
         Bob Stone,bob,Correct-Horse1,bob@example.com,+14155552671,Sales/EMEA,Lead,Admin,E1,Berlin\n\
         Cleo,,,cleo@example.com,,Sales,,,E2,\n\
         Dan,,,dan@example.com,,Nowhere,,,E3,\n",
    )
    .unwrap();
    let results = p("results.xlsx");
    let out = orgdesk(&db, &["import", &filled, "--results", &results], None);
    assert_row_4_failed(&out);
    assert!(Path::new(&results).metadata().unwrap().len() > 0);

    // With --create-departments the same file succeeds: the others are now unchanged.
    let out = orgdesk(
        &db,
        &["import", &filled, "--create-departments", "--json"],
        None,
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let v = json(&out);
    assert_eq!(v["counts"]["create"], 1);
    assert_eq!(v["counts"]["unchanged"], 2);
    assert_eq!(v["departmentsCreated"][0], "Nowhere");

    // Export → re-import is all unchanged, in both formats.
    for f in ["all.xlsx", "all.csv"] {
        let out_path = p(f);
        assert!(ok(&orgdesk(&db, &["export", &out_path], None)).contains("Exported 4 members"));
        let v = json(&orgdesk(&db, &["import", &out_path, "--json"], None));
        assert_eq!(v["counts"]["unchanged"], 4, "{f}: {v}");
        assert_eq!(v["counts"]["failed"], 0);
    }
    // Export of one department, with and without sub-departments, and by status.
    assert!(ok(&orgdesk(
        &db,
        &["export", &p("s.csv"), "--dept", "Sales"],
        None
    ))
    .contains("Exported 1 members"));
    assert!(ok(&orgdesk(
        &db,
        &["export", &p("s.csv"), "--dept", "Sales", "--subtree"],
        None
    ))
    .contains("Exported 2 members"));
    assert!(ok(&orgdesk(
        &db,
        &["export", &p("s.csv"), "--status", "pending-join"],
        None
    ))
    .contains("Exported 2 members"));

    // Edit the export and import it again: one update.
    let csv = p("all.csv");
    let edited = std::fs::read_to_string(&csv)
        .unwrap()
        .replace("Berlin", "Paris");
    std::fs::write(&csv, edited).unwrap();
    let v = json(&orgdesk(&db, &["import", &csv, "--json"], None));
    assert_eq!(v["counts"]["update"], 1, "{v}");
    let show = ok(&orgdesk(&db, &["member", "show", "bob", "--json"], None));
    assert!(show.contains("\"workLocation\":\"Paris\""), "{show}");

    // A refused file: exit code 1, the reason on stderr, nothing written.
    let bad = p("photo.xlsx");
    std::fs::write(&bad, b"\x89PNG\r\n\x1a\n").unwrap();
    let out = orgdesk(&db, &["import", &bad], None);
    assert_refused(&out, 1, "not a spreadsheet");
    let out = orgdesk(&db, &["import", &p("missing.csv")], None);
    assert_eq!(out.status.code(), Some(1));
}

/// Asserts that an import took two rows and failed row 4 for its department "Nowhere",
/// which is not in the directory (exit code 3).
fn assert_row_4_failed(out: &std::process::Output) {
    assert_eq!(out.status.code(), Some(3), "{}", text(&out.stderr));
    let summary = text(&out.stdout);
    for expected in [
        "2 created, 0 updated, 0 unchanged, 1 failed",
        "row 4 (Department): No department \"Nowhere\"",
    ] {
        assert!(summary.contains(expected), "{expected}: {summary}");
    }
}

#[derive(Debug, Clone, Copy)]
enum KillAt {
    /// Milliseconds after the start.
    After(u64),
    /// Once the write-ahead log holds this many bytes.
    Wal(u64),
}

/// An import killed (SIGKILL, as a crash or a power cut would) while it reads, checks or
/// writes 100,000 rows leaves the directory as it was: no partial rows, and SQLite's own
/// integrity check passes. The three kill points fall in the read and twice in the write;
/// wherever a point lands, the directory holds either none of the rows or, had the import
/// finished first, all of them — never some.
#[test]
fn an_import_killed_at_any_point_writes_nothing_half_way() {
    const ROWS: usize = 100_000;
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("org.db");
    ok(&init_acme(&db, None));
    let file = dir.path().join("people.csv");
    let mut csv = String::with_capacity(ROWS * 48);
    csv.push_str("Name,Email,Department,Employee ID\n");
    for i in 0..ROWS {
        csv.push_str(&format!("Person {i},p{i}@example.com,Acme,E{i:06}\n"));
    }
    std::fs::write(&file, csv).unwrap();

    let members = || -> i64 {
        let conn = rusqlite::Connection::open(&db).unwrap();
        let check: String = conn
            .query_row("PRAGMA integrity_check", [], |r| r.get(0))
            .unwrap();
        assert_eq!(check, "ok");
        conn.query_row("SELECT count(*) FROM members", [], |r| r.get(0))
            .unwrap()
    };
    // The kill points: 300 ms in (reading and checking the file), then once the write-ahead
    // log shows the transaction under way (1 MB written), then deep into it (20 MB).
    let wal = dir.path().join("org.db-wal");
    let wal_bytes = || std::fs::metadata(&wal).map(|m| m.len()).unwrap_or(0);
    for point in [
        KillAt::After(300),
        KillAt::Wal(1 << 20),
        KillAt::Wal(20 << 20),
    ] {
        // Start from a folded log, so its size speaks of this import only.
        rusqlite::Connection::open(&db)
            .unwrap()
            .execute_batch("PRAGMA wal_checkpoint(TRUNCATE);")
            .unwrap();
        let mut child = orgdesk_command(&db)
            .arg("import")
            .arg(&file)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let started = std::time::Instant::now();
        let finished = loop {
            if child.try_wait().unwrap().is_some() {
                break true;
            }
            let reached = match point {
                KillAt::After(ms) => started.elapsed().as_millis() as u64 >= ms,
                KillAt::Wal(bytes) => wal_bytes() >= bytes,
            };
            if reached {
                break false;
            }
            assert!(
                started.elapsed() < std::time::Duration::from_secs(300),
                "the import neither finished nor reached {point:?}"
            );
            std::thread::sleep(std::time::Duration::from_millis(5));
        };
        if !finished {
            child.kill().unwrap();
            child.wait().unwrap();
            eprintln!(
                "killed at {point:?}, {} ms in, log {} KB",
                started.elapsed().as_millis(),
                wal_bytes() >> 10
            );
        }
        let n = members();
        if finished {
            assert_eq!(n, 1 + ROWS as i64, "finished before {point:?}");
            return;
        }
        assert_eq!(n, 1, "killed at {point:?}: only the admin, no partial rows");
    }
}
