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
mod spreadsheet;

use std::sync::Arc;

use orgdesk_core::audit::Actor;
use orgdesk_core::clock::ManualClock;
use orgdesk_core::members::{MemberQuery, NewMember, PositionInput};
use orgdesk_core::organization::SetupInput;
use orgdesk_core::types::{DepartmentId, MemberId};
use orgdesk_core::Directory;
use orgdesk_protocol::EventKind;

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

/// A directory with "Acme" set up and admin "ann".
pub fn with_org() -> (Directory, Arc<ManualClock>) {
    let (mut d, c) = fresh();
    d.setup_organization(&setup_input("Acme", "ann")).unwrap();
    (d, c)
}

/// The initial admin "Ann Lee" of `with_org`, as the actor of a change.
pub fn admin(d: &Directory) -> Actor {
    Actor::member(d.initial_admin_id().unwrap(), "Ann Lee")
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

/// How many audit entries meet `condition` (SQL on `audit_log`'s columns).
pub fn audited(d: &Directory, condition: &str) -> i64 {
    d.connection()
        .query_row(
            &format!("SELECT count(*) FROM audit_log WHERE {condition}"),
            [],
            |r| r.get(0),
        )
        .unwrap()
}
