//! Integration tests of the core services over a real SQLite store.

mod bindings;
mod checksum;
mod corpus;
mod departments;
mod fuzz_regressions;
mod gateway_trust;
mod import_mapping;
mod import_quota;
mod import_repairs;
mod import_zh;
mod index;
mod invitation_batches;
mod invitations;
mod join_requests;
mod mailbox;
mod members;
mod migrations;
mod organization;
mod passwords;
mod pinyin;
mod settings;
mod sign_in;
mod snapshot;
mod spreadsheet;
mod super_admins;
mod team;

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use orgdesk_core::audit::Actor;
use orgdesk_core::clock::ManualClock;
use orgdesk_core::invitations::WorkResult;
use orgdesk_core::members::{MemberQuery, NewInvitee, NewMember, PositionInput};
use orgdesk_core::organization::SetupInput;
use orgdesk_core::spreadsheet::{ColumnMapping, Control, ImportReport, Stage};
use orgdesk_core::types::{DepartmentId, MemberId};
use orgdesk_core::{CoreError, Directory};
use orgdesk_protocol::{Event, EventKind};

pub const PASSWORD: &str = "Correct-Horse1";

pub fn setup_input(org: &str, username: &str) -> SetupInput {
    SetupInput {
        organization_name: org.into(),
        admin_name: "Ann Lee".into(),
        username: username.into(),
        password: PASSWORD.into(),
        password_confirm: PASSWORD.into(),
    }
}

/// A fresh directory with a clock the test moves by hand, in a real SQLite file in WAL mode
/// as the app runs it (an in-memory database would skip the write-ahead log and checkpoints).
pub fn fresh() -> (Directory, Arc<ManualClock>) {
    let clock = Arc::new(ManualClock::new(1_790_000_000_000));
    (
        Directory::open_with_clock(&scratch_db(), clock.clone()).unwrap(),
        clock,
    )
}

/// A new database path in this test process's scratch folder (under the target directory;
/// folders of earlier runs that are no longer running are removed on first use).
pub fn scratch_db() -> std::path::PathBuf {
    use std::sync::atomic::{AtomicU64, Ordering};
    use std::sync::LazyLock;
    static FOLDER: LazyLock<std::path::PathBuf> = LazyLock::new(|| {
        let root = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("core-tests");
        if let Ok(entries) = std::fs::read_dir(&root) {
            for e in entries.flatten() {
                let pid = e.file_name().to_string_lossy().into_owned();
                let running = std::path::Path::new("/proc").join(&pid).exists();
                if !running {
                    let _ = std::fs::remove_dir_all(e.path());
                }
            }
        }
        let mine = root.join(std::process::id().to_string());
        std::fs::create_dir_all(&mine).unwrap();
        mine
    });
    static NEXT: AtomicU64 = AtomicU64::new(0);
    FOLDER.join(format!("{}.db", NEXT.fetch_add(1, Ordering::Relaxed)))
}

/// The path of a file `name` in a new temporary folder, which is removed when the returned
/// handle is dropped.
pub fn temp_path(name: &str) -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join(name);
    (tmp, path)
}

/// A file `name` holding `contents`, in a new temporary folder (see [`temp_path`]).
pub fn temp_file(name: &str, contents: impl AsRef<[u8]>) -> (tempfile::TempDir, PathBuf) {
    let (tmp, path) = temp_path(name);
    std::fs::write(&path, contents).unwrap();
    (tmp, path)
}

/// A CSV file's text with `n` members, "M 0" (m0@example.com) on, each in the department
/// `dept` names for its number.
pub fn members_csv(n: usize, dept: impl Fn(usize) -> &'static str) -> String {
    let mut s = String::from("Name,Email,Department\n");
    for i in 0..n {
        s.push_str(&format!("M {i},m{i}@example.com,{}\n", dept(i)));
    }
    s
}

/// Runs `job` with a control that cancels it from the first progress report (stage, items
/// done) that `when` accepts.
pub fn with_cancel<T>(
    when: impl Fn(Stage, usize) -> bool,
    job: impl FnOnce(&Control<'_>) -> T,
) -> T {
    let cancel = AtomicBool::new(false);
    let progress = |stage: Stage, done: usize, _total: usize| {
        if when(stage, done) {
            cancel.store(true, Ordering::Relaxed);
        }
    };
    job(&Control {
        cancel: &cancel,
        progress: &progress,
    })
}

/// A directory with "Acme" set up and admin "ann".
pub fn with_org() -> (Directory, Arc<ManualClock>) {
    let (mut d, c) = fresh();
    d.setup_organization(&setup_input("Acme", "ann")).unwrap();
    (d, c)
}

/// [`with_org`] and its initial admin "Ann Lee" as the actor of the changes a test makes.
pub fn with_org_admin() -> (Directory, Actor) {
    let (d, _) = with_org();
    let a = admin(&d);
    (d, a)
}

/// "Acme" set up in the database file `org.db` in `dir`, for tests that open that file again
/// (another window, the command line); returns the directory and the file's path.
pub fn org_in_file(dir: &Path) -> (Directory, PathBuf) {
    let path = dir.join("org.db");
    let mut d = Directory::open(&path).unwrap();
    d.setup_organization(&setup_input("Acme", "ann")).unwrap();
    (d, path)
}

/// The initial admin "Ann Lee" of `with_org`, as the actor of a change.
pub fn admin(d: &Directory) -> Actor {
    Actor::member(d.initial_admin_id().unwrap(), "Ann Lee")
}

/// A validation error's problems as (field, code) pairs, in its order; panics on any other
/// error.
pub fn field_codes(e: CoreError) -> Vec<(String, String)> {
    match e {
        CoreError::Validation { details, .. } => details
            .into_iter()
            .map(|d| (d.field.unwrap_or_default(), d.code))
            .collect(),
        other => panic!("expected a validation error, got {other:?}"),
    }
}

/// The names of the members the list shows for `q`, in its order.
pub fn listed_names(d: &Directory, q: MemberQuery) -> Vec<String> {
    d.list_members(&q)
        .unwrap()
        .rows
        .into_iter()
        .map(|r| r.name)
        .collect()
}

/// The names of `items`, read by `name`, in their order.
pub fn names_in<'a, T>(items: &'a [T], name: impl Fn(&'a T) -> &'a String) -> Vec<&'a str> {
    items.iter().map(|item| name(item).as_str()).collect()
}

/// Creates a department by its path below the organization ("Sales/EMEA": EMEA under Sales,
/// which must exist).
pub fn mkdept(d: &mut Directory, path: &str) {
    let a = admin(d);
    let (parent, name) = match path.rsplit_once('/') {
        Some((p, n)) => (d.resolve_department_path(p).unwrap(), n),
        None => (d.resolve_department_path("").unwrap(), path),
    };
    d.create_department(&a, parent, name).unwrap();
}

/// [`mkdept`] for each of these paths, in order.
pub fn mkdepts(d: &mut Directory, paths: &[&str]) {
    for path in paths {
        mkdept(d, path);
    }
}

/// A position in department `d`.
pub fn pos(d: DepartmentId, title: Option<&str>) -> PositionInput {
    PositionInput {
        department_id: d,
        title: title.map(Into::into),
    }
}

/// A member's positions as (department name, title, primary), the primary first.
pub fn places(d: &Directory, m: MemberId) -> Vec<(String, Option<String>, bool)> {
    d.member_details(m)
        .unwrap()
        .positions
        .into_iter()
        .map(|p| (p.department_name, p.title, p.is_primary))
        .collect()
}

/// One of [`places`]' entries.
pub fn place(dept: &str, title: Option<&str>, primary: bool) -> (String, Option<String>, bool) {
    (dept.to_owned(), title.map(str::to_owned), primary)
}

/// A member to be invited by email, in department `dept`, with no title and the default role.
pub fn invitee(name: &str, email: &str, dept: DepartmentId) -> NewInvitee {
    NewInvitee {
        name: name.into(),
        email: Some(email.into()),
        mobile: None,
        department_id: dept,
        position: None,
        role_ids: Vec::new(),
        link_only: false,
    }
}

/// A member with a username and the shared password, in these departments, with the default
/// role and no email or mobile.
pub fn new_member(name: &str, username: &str, depts: Vec<PositionInput>) -> NewMember {
    NewMember {
        name: name.into(),
        positions: depts,
        role_ids: vec![],
        username: username.into(),
        password: PASSWORD.into(),
        email: None,
        mobile: None,
    }
}

/// The gateway's report that the holder of invitation `invitation` registered as `username`
/// (account `account`) with this password hash.
pub fn registered(
    invitation: &str,
    account: &str,
    username: &str,
    password_hash: String,
) -> EventKind {
    EventKind::Registered {
        invitation_id: invitation.into(),
        account_id: Some(account.into()),
        username: username.into(),
        password_hash,
    }
}

/// The gateway's report that account `account` ("username") changed its password.
pub fn password_changed(account: &str, username: &str, password_hash: String) -> EventKind {
    EventKind::PasswordChanged {
        account_id: Some(account.into()),
        username: username.into(),
        password_hash,
    }
}

/// The gateway's report that account `account` ("username") changed their personal details
/// on their page (`None`: left as it was).
pub fn personal_details(
    account: &str,
    username: &str,
    name: Option<&str>,
    mobile: Option<&str>,
    email: Option<&str>,
) -> EventKind {
    EventKind::PersonalDetailsChanged {
        account_id: Some(account.into()),
        username: username.into(),
        name: name.map(Into::into),
        mobile: mobile.map(Into::into),
        email: email.map(Into::into),
    }
}

/// Page entry `seq` of the gateway's event feed, at `at` (seconds).
pub fn event_at(seq: i64, at: i64, kind: EventKind) -> Event {
    Event {
        seq,
        id: format!("e{seq}"),
        at,
        kind,
    }
}

/// Tells the directory that the gateway made the newest due invitation, under `gateway_id`;
/// returns that invitation's id.
pub fn linked(d: &mut Directory, gateway_id: &str) -> i64 {
    let work = d.due_gateway_work(10).unwrap();
    let w = work.last().unwrap().clone();
    d.gateway_work_done(
        &w,
        WorkResult::Linked {
            gateway_id: gateway_id.into(),
            link: format!("http://127.0.0.1:1/i/{gateway_id}"),
            expires_at_secs: 1_790_259_200,
        },
    )
    .unwrap();
    w.invitation_id
}

/// How many rows `table` holds.
pub fn count(d: &Directory, table: &str) -> i64 {
    value(d, &format!("SELECT count(*) FROM {table}"))
}

/// The one value `sql` answers.
pub fn value<T: rusqlite::types::FromSql>(d: &Directory, sql: &str) -> T {
    d.connection().query_row(sql, [], |r| r.get(0)).unwrap()
}

/// The first column of every row `sql` answers, in its order.
pub fn column<T: rusqlite::types::FromSql>(d: &Directory, sql: &str) -> Vec<T> {
    column_of(d.connection(), sql)
}

/// [`column`] on a bare connection.
pub fn column_of<T: rusqlite::types::FromSql>(conn: &rusqlite::Connection, sql: &str) -> Vec<T> {
    conn.prepare(sql)
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
}

/// The cells of an .xlsx file's first sheet as text, row by row.
pub fn xlsx_rows(path: &Path) -> Vec<Vec<String>> {
    use calamine::Reader;
    let mut wb: calamine::Xlsx<_> = calamine::open_workbook(path).unwrap();
    let range = wb.worksheet_range_at(0).unwrap().unwrap();
    range
        .rows()
        .map(|r| r.iter().map(|c| c.to_string()).collect())
        .collect()
}

/// Writes the results file of `report` (a preview or an import of `file`, its columns read
/// through `mapping`) at `out`, and reads its first sheet back as text.
pub fn results_rows(
    file: &Path,
    mapping: Option<&ColumnMapping>,
    report: &ImportReport,
    out: &Path,
) -> Vec<Vec<String>> {
    orgdesk_core::spreadsheet::write_results(file, mapping, report, out).unwrap();
    xlsx_rows(out)
}

/// Writes an .xlsx file whose first sheet holds `rows` as text, each cell as `fix` gives it.
pub fn write_xlsx(path: &Path, rows: &[Vec<String>], fix: impl Fn(&str) -> &str) {
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    for (r, row) in rows.iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            ws.write_string(r as u32, c as u16, fix(v)).unwrap();
        }
    }
    wb.save(path).unwrap();
}

/// How many audit entries meet `condition` (SQL on `audit_log`'s columns).
pub fn audited(d: &Directory, condition: &str) -> i64 {
    value(
        d,
        &format!("SELECT count(*) FROM audit_log WHERE {condition}"),
    )
}
