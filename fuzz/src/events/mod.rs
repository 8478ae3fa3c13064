//! The gateway's event feed applied to a directory: pages of events built from a dictionary of
//! the values that matter (the directory's usernames in other cases, the accounts members are
//! bound to, invitations in every state, invalid, huge and bidirectional text, Argon2id hashes
//! in and out of bounds) and from arbitrary text, then checked against what must always hold.
//!
//! The directory is set up once per process (the organization's setup hashes a password,
//! which takes far longer than an input) and saved; before each input the saved copy is put
//! back with SQLite's backup, which takes microseconds. A transaction around the input cannot
//! do it: applying a page opens a transaction of its own.

mod input;

use std::sync::{Mutex, OnceLock};
use std::time::Duration;

use orgdesk_core::audit::Actor;
use orgdesk_core::invitations::{InviteChannel, WorkResult};
use orgdesk_core::join::JoiningRules;
use orgdesk_core::members::NewInvitee;
use orgdesk_core::types::{DepartmentId, MemberId};
use orgdesk_core::{CoreError, Directory};
use orgdesk_protocol::{check_password_hash, Event, EventKind};
use rusqlite::backup::Backup;
use rusqlite::{Connection, OptionalExtension};

use input::page;
pub use input::{Input, ADMIN_ACCOUNT};

/// The directory every input starts from, and what the checks need to know about it.
pub struct Scratch {
    dir: Directory,
    template: Connection,
    admin: MemberId,
    admin_hash: String,
}

fn invite(d: &mut Directory, a: &Actor, root: DepartmentId, name: &str, gateway_id: &str) {
    let member = d
        .add_invitee(
            a,
            &NewInvitee {
                name: name.into(),
                email: Some(format!("{}@example.com", name.to_lowercase())),
                mobile: None,
                department_id: root,
                position: Some("Engineer".into()),
                role_ids: Vec::new(),
                link_only: false,
            },
        )
        .expect("an invitee");
    d.invite_members(a, &[member], InviteChannel::Email)
        .expect("invite");
    let work = d.due_gateway_work(10).expect("work").pop().expect("one");
    d.gateway_work_done(
        &work,
        WorkResult::Linked {
            gateway_id: gateway_id.into(),
            link: format!("http://127.0.0.1:1/i/{gateway_id}"),
            expires_at_secs: 1_790_259_200,
        },
    )
    .expect("linked");
}

fn setup() -> Scratch {
    let (mut d, a) = crate::fuzz_corp();
    let admin = d.initial_admin_id().expect("the admin");
    let root = d.department_tree().expect("the tree").id;
    // Dee and Eve wait on open invitations; Carl registers (bound to acc_carl); Fay declines.
    invite(&mut d, &a, root, "Dee", "inv_1");
    invite(&mut d, &a, root, "Eve", "inv_2");
    invite(&mut d, &a, root, "Carl", "inv_3");
    invite(&mut d, &a, root, "Fay", "inv_4");
    let carl_hash = orgdesk_core::password::hash("Carl-Horse22").expect("hash");
    let setup_events = [
        Event {
            seq: 1,
            id: "s1".into(),
            at: 1_790_000_000,
            kind: EventKind::Registered {
                invitation_id: "inv_3".into(),
                account_id: Some("acc_carl".into()),
                username: "carl".into(),
                password_hash: carl_hash,
            },
        },
        Event {
            seq: 2,
            id: "s2".into(),
            at: 1_790_000_000,
            kind: EventKind::Declined {
                invitation_id: "inv_4".into(),
            },
        },
    ];
    d.apply_gateway_events(&setup_events, 2)
        .expect("Carl registers, Fay declines");
    // The gateway heard of the members with a username: the admin's account is acc_ann.
    let items = d.due_account_mirror(50).expect("mirror");
    let ids: Vec<String> = items
        .iter()
        .map(|i| {
            if i.member_id == admin.0 {
                ADMIN_ACCOUNT.to_owned()
            } else {
                i.account
                    .account_id
                    .clone()
                    .unwrap_or_else(|| format!("acc_m{}", i.member_id))
            }
        })
        .collect();
    d.account_mirror_done(&items, &ids).expect("mirrored");
    assert_eq!(
        d.gateway_account_of(admin).expect("bound").as_deref(),
        Some(ADMIN_ACCOUNT)
    );
    let admin_hash = password_hash(&d, admin);
    check(&d, admin, &admin_hash, &[], 0);
    let mut template = Connection::open_in_memory().expect("the template");
    Backup::new(d.connection(), &mut template)
        .and_then(|b| b.run_to_completion(1000, Duration::ZERO, None))
        .expect("save the template");
    Scratch {
        dir: d,
        template,
        admin,
        admin_hash,
    }
}

fn password_hash(d: &Directory, id: MemberId) -> String {
    d.connection()
        .query_row(
            "SELECT password_hash FROM members WHERE id = ?1",
            [id.0],
            |r| r.get(0),
        )
        .expect("the admin's hash")
}

fn rows(d: &Directory, sql: &str) -> Vec<String> {
    let mut stmt = d.connection().prepare(sql).expect(sql);
    let rows = stmt
        .query_map([], |r| r.get::<_, rusqlite::types::Value>(0))
        .expect(sql);
    rows.map(|v| format!("{:?}", v.expect(sql))).collect()
}

/// What must hold after every page: one primary position per member, usernames and accounts
/// held once, the admin's password changed only through the admin's own account, no broken
/// references.
fn check(d: &Directory, admin: MemberId, admin_hash: &str, allowed: &[String], min_cursor: i64) {
    let no_primary = rows(
        d,
        "SELECT m.id FROM members m
         WHERE (SELECT count(*) FROM positions p WHERE p.member_id = m.id AND p.is_primary = 1) <> 1",
    );
    assert!(
        no_primary.is_empty(),
        "members without one primary position: {no_primary:?}"
    );
    let usernames = rows(
        d,
        "SELECT username_key FROM members WHERE username_key IS NOT NULL
         GROUP BY username_key HAVING count(*) > 1",
    );
    assert!(usernames.is_empty(), "usernames held twice: {usernames:?}");
    let accounts = rows(
        d,
        "SELECT gateway_account_id FROM members WHERE gateway_account_id IS NOT NULL
         GROUP BY gateway_account_id HAVING count(*) > 1",
    );
    assert!(accounts.is_empty(), "accounts bound twice: {accounts:?}");
    let fk = rows(d, "SELECT \"table\" FROM pragma_foreign_key_check");
    assert!(fk.is_empty(), "broken references: {fk:?}");
    let now = password_hash(d, admin);
    assert!(
        now == admin_hash || allowed.contains(&now),
        "the admin's password changed to {now:?} without an event of {ADMIN_ACCOUNT}"
    );
    let bound: Option<String> = d
        .connection()
        .query_row(
            "SELECT gateway_account_id FROM members WHERE id = ?1",
            [admin.0],
            |r| r.get(0),
        )
        .optional()
        .expect("the admin")
        .flatten();
    assert_eq!(bound.as_deref(), Some(ADMIN_ACCOUNT), "the admin's account");
    let cursor = d.gateway_event_cursor().expect("the cursor");
    assert!(
        cursor >= min_cursor,
        "the cursor went back from {min_cursor} to {cursor}"
    );
}

const RULES: [(bool, &[&str]); 5] = [
    (false, &[]),
    (false, &["email"]),
    (false, &["mobile", "employee_id"]),
    (true, &[]),
    (false, &["email", "mobile", "employee_id", "work_location"]),
];

/// Puts the template back, sets the joining rules and applies each page, checking after each.
pub fn run(input: &Input) {
    static SCRATCH: OnceLock<Mutex<Scratch>> = OnceLock::new();
    let mut s = SCRATCH
        .get_or_init(|| Mutex::new(setup()))
        .lock()
        .unwrap_or_else(|e| e.into_inner());
    let Scratch {
        dir,
        template,
        admin,
        admin_hash,
    } = &mut *s;
    Backup::new(template, dir.connection_mut_for_fuzzing())
        .and_then(|b| b.run_to_completion(1000, Duration::ZERO, None))
        .expect("restore the template");
    let (approval_required, fields) = RULES[usize::from(input.rules) % RULES.len()];
    dir.record_joining_rules(&JoiningRules {
        approval_required,
        required_fields: fields.iter().map(|f| (*f).to_owned()).collect(),
    })
    .expect("the joining rules");
    let real_hash = admin_hash.clone();
    let mut allowed: Vec<String> = Vec::new();
    for p in input.pages.iter().take(6) {
        let cursor = dir.gateway_event_cursor().expect("the cursor");
        let (events, next) = page(p, cursor, &real_hash);
        let before = password_hash(dir, *admin);
        match dir.apply_gateway_events(&events, next) {
            Ok(_) => {
                assert_eq!(dir.gateway_event_cursor().expect("cursor"), next);
                // Password changes of the admin's own account, in this page, valid.
                allowed.extend(events.iter().filter_map(|e| match &e.kind {
                    EventKind::PasswordChanged {
                        account_id: Some(a),
                        password_hash,
                        ..
                    } if a == ADMIN_ACCOUNT
                        && e.seq > cursor
                        && check_password_hash(password_hash).is_ok() =>
                    {
                        Some(password_hash.clone())
                    }
                    _ => None,
                }));
            }
            Err(CoreError::Conflict(why)) => {
                assert!(!why.is_empty());
                assert_eq!(dir.gateway_event_cursor().expect("cursor"), cursor);
                assert_eq!(
                    password_hash(dir, *admin),
                    before,
                    "a refused page changed nothing"
                );
            }
            Err(e) => panic!("a page of {} events failed: {e:?}", events.len()),
        }
        check(dir, *admin, admin_hash, &allowed, cursor);
    }
}
