//! What the fuzz targets share: one directory set up once per process, and the check that an
//! import preview of arbitrary bytes ends in a report or a clean refusal, never a panic.

pub mod events;

use std::sync::{Arc, Mutex, MutexGuard, Once, OnceLock};

use orgdesk_core::audit::Actor;
use orgdesk_core::clock::ManualClock;
use orgdesk_core::members::NewInvitee;
use orgdesk_core::organization::SetupInput;
use orgdesk_core::spreadsheet::{
    inspect_file, Column, ColumnMapping, Control, FieldSource, ImportOptions, Lang, RowOutcome,
    SpreadsheetError,
};
use orgdesk_core::Directory;

/// The extensions an import accepts; the first input byte picks one.
pub const EXTENSIONS: [&str; 4] = ["xlsx", "xls", "ods", "csv"];

/// A new directory in memory with the organization "Fuzz Corp" set up (its admin Ann), and
/// Ann acting.
fn fuzz_corp() -> (Directory, Actor) {
    let clock = Arc::new(ManualClock::new(1_790_000_000_000));
    let mut d = Directory::open_in_memory(clock).expect("open the directory");
    d.setup_organization(&SetupInput {
        organization_name: "Fuzz Corp".into(),
        admin_name: "Ann".into(),
        username: "ann".into(),
        password: "Correct-Horse1".into(),
        password_confirm: "Correct-Horse1".into(),
    })
    .expect("set up the organization");
    let a = Actor::member(d.initial_admin_id().expect("the admin"), "Ann");
    (d, a)
}

/// A directory with an organization, a few departments (English and Chinese names, nested)
/// and two Not Joined members to match rows against. Set up once: a preview writes nothing,
/// so every input sees the same directory.
pub fn directory() -> MutexGuard<'static, Directory> {
    static DIR: OnceLock<Mutex<Directory>> = OnceLock::new();
    DIR.get_or_init(|| {
        let (mut d, a) = fuzz_corp();
        let root = d.resolve_department_path("").expect("the root");
        let sales = d.create_department(&a, root, "Sales").expect("Sales");
        let emea = d.create_department(&a, sales, "EMEA").expect("EMEA");
        let rd = d.create_department(&a, root, "研发部").expect("研发部");
        d.create_department(&a, rd, "测试组").expect("测试组");
        for (name, email, dept) in [
            ("Bob Smith", "bob@example.com", emea),
            ("王伟", "wang@example.cn", rd),
        ] {
            d.add_invitee(
                &a,
                &NewInvitee {
                    name: name.into(),
                    email: Some(email.into()),
                    mobile: None,
                    department_id: dept,
                    position: Some("Engineer".into()),
                    role_ids: Vec::new(),
                    link_only: false,
                },
            )
            .expect("an invitee");
        }
        Mutex::new(d)
    })
    .lock()
    .unwrap_or_else(|e| e.into_inner())
}

/// libfuzzer-sys's panic hook aborts at once, before anything unwinds, so that every panic is
/// reported. Core reads with calamine under `catch_unwind` (its .xls reader panics on damaged
/// files) and refuses such a file: a panic raised in calamine's own source is let unwind to
/// that guard. One that core does not catch still ends in libfuzzer-sys's `catch_unwind`,
/// which aborts; every other panic aborts in the hook, as before.
fn let_calamine_panics_unwind() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let abort = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let in_calamine = info
                .location()
                .is_some_and(|l| l.file().contains("/calamine-"));
            if !in_calamine {
                abort(info);
            }
        }));
    });
}

/// A mapping as another system's export needs one: the Name joined from two columns.
fn mapping() -> ColumnMapping {
    let f = |field, headers: &[&str]| FieldSource {
        field,
        headers: headers.iter().map(|h| (*h).to_owned()).collect(),
    };
    ColumnMapping {
        fields: vec![
            f(Column::Name, &["First Name", "Last Name"]),
            f(Column::Department, &["Org Unit Path"]),
            f(Column::Email, &["Email Address"]),
            f(Column::Mobile, &["Mobile Phone"]),
            f(Column::EmployeeId, &["Employee ID"]),
        ],
    }
}

/// Previews an import of `bytes` named `*.{ext}` (problems worded in Chinese with `zh`): a
/// report whose counts add up, or a refusal of the whole file. Anything else (a panic, a
/// database error, a cancel) fails the target.
pub fn preview(bytes: &[u8], ext: &str, create_missing: bool, mapped: bool, zh: bool) {
    let_calamine_panics_unwind();
    let opts = ImportOptions {
        create_missing_departments: create_missing,
        mapping: mapped.then(mapping),
        lang: if zh { Lang::Zh } else { Lang::En },
        ..ImportOptions::default()
    };
    let d = directory();
    match d.preview_import_bytes(bytes.to_vec(), ext, &opts, &Control::none()) {
        Ok(report) => {
            assert!(!report.committed, "a preview never commits");
            let c = report.counts;
            let failed = report
                .rows
                .iter()
                .filter(|r| r.outcome == RowOutcome::Failed)
                .count();
            assert_eq!(c.failed as usize, failed, "failed rows counted");
            assert_eq!(
                (c.create + c.update + c.unchanged + c.failed) as usize,
                report.rows.len(),
                "every row has one outcome"
            );
            assert!(report
                .rows
                .iter()
                .all(|r| (r.outcome == RowOutcome::Failed) == !r.problems.is_empty()));
            let _ = report.summary(20);
        }
        Err(SpreadsheetError::Refused(r)) => {
            assert!(!r.code.is_empty() && !r.reason.is_empty(), "{r:?}");
        }
        Err(e) => {
            panic!("a preview of .{ext} bytes failed with something else than a refusal: {e:?}")
        }
    }
}

/// The mapping step's look at a file ([`inspect_file`] reads a path: the bytes go through a
/// folder of this process's own, removed again).
pub fn inspect(bytes: &[u8], ext: &str) {
    let_calamine_panics_unwind();
    let dir = std::env::temp_dir().join(format!("orgdesk-fuzz-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("a temp folder");
    let path = dir.join(format!("input.{ext}"));
    std::fs::write(&path, bytes).expect("write the input");
    let outcome = inspect_file(&path, &Control::none());
    let _ = std::fs::remove_file(&path);
    let _ = std::fs::remove_dir(&dir);
    match outcome {
        Ok(cols) => {
            assert!(cols.samples.len() <= 3);
            assert!(cols.samples.iter().all(|s| s.len() == cols.headers.len()));
        }
        Err(SpreadsheetError::Refused(_)) => {}
        Err(e) => {
            panic!("inspecting .{ext} bytes failed with something else than a refusal: {e:?}")
        }
    }
}
