//! The gateway's event feed applied to a directory: pages of events built from a dictionary of
//! the values that matter (the directory's usernames in other cases, the accounts members are
//! bound to, invitations in every state, invalid, huge and bidirectional text, Argon2id hashes
//! in and out of bounds) and from arbitrary text, then checked against what must always hold.
//!
//! The directory is set up once per process (the organization's setup hashes a password,
//! which takes far longer than an input) and saved; before each input the saved copy is put
//! back with SQLite's backup, which takes microseconds. A transaction around the input cannot
//! do it: applying a page opens a transaction of its own.

use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use arbitrary::Arbitrary;
use orgdesk_core::audit::Actor;
use orgdesk_core::clock::ManualClock;
use orgdesk_core::invitations::{InviteChannel, WorkResult};
use orgdesk_core::join::JoiningRules;
use orgdesk_core::members::NewInvitee;
use orgdesk_core::organization::SetupInput;
use orgdesk_core::types::{DepartmentId, MemberId};
use orgdesk_core::{CoreError, Directory};
use orgdesk_protocol::{check_password_hash, Event, EventKind, JoinVia};
use rusqlite::backup::Backup;
use rusqlite::{Connection, OptionalExtension};

/// The account the initial admin is bound to: only a password change naming it may change
/// the admin's password.
pub const ADMIN_ACCOUNT: &str = "acc_ann";

/// A valid Argon2id hash with the lowest accepted parameters (not of any password), and its
/// parameters swapped for others below.
const GOOD_HASH: &str =
    "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0$q2hXdXRsUW9ZZ1JtVnhwTGhpRmV4c3JZcUdnbk5oa0U";

const USERNAMES: &[&str] = &[
    "ann",
    "Ann",
    "ANN",
    " ann ",
    "ann\u{0}",
    "\u{FF41}nn",
    "carl",
    "CARL",
    "\u{212A}arl",
    "dee",
    "eve",
    "newbie",
    "newbie2",
    "li.wei",
    "ab",
    "ann.lee_2-x",
    "ann\u{202E}",
    "\u{0130}nn",
    "用户名",
    "",
    " ",
    "a-very-long-username-that-is-way-too-long-for-anyone",
];

const NAMES: &[&str] = &[
    "Dee",
    "Ann Lee",
    "Carl",
    "王伟",
    "Zoë",
    "",
    "   ",
    "\u{202E}evil",
    "A\nB",
    "\u{0}",
    "Bob Smith",
    "x\u{2066}y\u{2069}",
];

const EMAILS: &[&str] = &[
    "dee@example.com",
    "eve@example.com",
    "carl@example.com",
    "CARL@EXAMPLE.COM",
    "new@example.org",
    "",
    " ",
    "not-an-email",
    "a@b",
    "x@\u{202E}example.com",
    "\"quoted name\"@example.com",
];

const MOBILES: &[&str] = &[
    "+8613800138000",
    "13800138000",
    "+86 138-0013 8000",
    "+4915112345678",
    "",
    "+1",
    "+999999999999999999999",
    "abc",
    "+86\u{202E}138",
];

const ACCOUNTS: &[&str] = &[
    ADMIN_ACCOUNT,
    "acc_carl",
    "acc_new1",
    "acc_new2",
    "ACC_ANN",
    "acc_ann ",
    "",
    "acc/../x",
    "inv_1",
    "acc_ann\u{0}",
];

const INVITATIONS: &[&str] = &["inv_1", "inv_2", "inv_3", "inv_4", "INV_1", "", "inv_9"];

/// A string from the dictionary, or any string.
#[derive(Debug, Arbitrary)]
pub enum Text {
    Dict(u8),
    Huge(u8, u16),
    Any(String),
}

impl Text {
    fn pick(&self, dict: &[&str]) -> String {
        match self {
            Text::Dict(i) => dict[usize::from(*i) % dict.len()].to_owned(),
            Text::Huge(i, n) => dict[usize::from(*i) % dict.len()].repeat(usize::from(*n % 300)),
            Text::Any(s) => s.clone(),
        }
    }
}

/// A password hash: the setup's real one, the good one with other parameters, or any string.
#[derive(Debug, Arbitrary)]
pub enum Hash {
    Real,
    Good,
    Params { m: u32, t: u32, p: u32 },
    Edge(u8),
    Any(String),
}

impl Hash {
    fn pick(&self, real: &str) -> String {
        match self {
            Hash::Real => real.to_owned(),
            Hash::Good => GOOD_HASH.to_owned(),
            Hash::Params { m, t, p } => {
                GOOD_HASH.replace("m=19456,t=2,p=1", &format!("m={m},t={t},p={p}"))
            }
            Hash::Edge(i) => {
                let edges = [
                    "m=65536,t=4,p=4",
                    "m=65537,t=2,p=1",
                    "m=19455,t=2,p=1",
                    "m=19456,t=1,p=1",
                    "m=19456,t=5,p=1",
                    "m=19456,t=2,p=0",
                    "m=19456,t=2,p=5",
                    "m=4194304,t=2,p=1",
                    "m=19456,t=2",
                ];
                GOOD_HASH.replace("m=19456,t=2,p=1", edges[usize::from(*i) % edges.len()])
            }
            Hash::Any(s) => s.clone(),
        }
    }
}

/// An optional account id, mostly from the dictionary.
#[derive(Debug, Arbitrary)]
pub enum Account {
    None,
    Some(Text),
}

impl Account {
    fn pick(&self) -> Option<String> {
        match self {
            Account::None => None,
            Account::Some(t) => Some(t.pick(ACCOUNTS)),
        }
    }
}

#[derive(Debug, Arbitrary)]
pub enum Opt {
    None,
    Some(Text),
}

impl Opt {
    fn pick(&self, dict: &[&str]) -> Option<String> {
        match self {
            Opt::None => None,
            Opt::Some(t) => Some(t.pick(dict)),
        }
    }
}

/// Every kind of event, with its values still to be drawn.
#[derive(Debug, Arbitrary)]
pub enum Kind {
    InvitationDelivered(Text, Text),
    InvitationFailed(Text, Text),
    InvitationOpened(Text),
    Registered(Text, Account, Text, Hash),
    Declined(Text),
    PasswordChanged(Account, Text, Hash),
    SignedIn(Account, Text),
    PersonalDetailsChanged {
        account: Account,
        username: Text,
        name: Opt,
        mobile: Opt,
        email: Opt,
    },
    InvitationExpired(Text),
    PasswordResetDelivered(Text, Text),
    PasswordResetFailed(Text, Text),
    JoinRequested {
        request: u8,
        code: bool,
        name: Text,
        email: Opt,
        mobile: Opt,
        employee_id: Opt,
        work_location: Opt,
        account: Account,
        username: Text,
        hash: Hash,
        approval_required: bool,
    },
    InvitationBounced(Text, Text),
}

/// Where an event's `seq` lies from the one before it.
#[derive(Debug, Arbitrary)]
pub enum Seq {
    Next,
    Same,
    Back(u8),
    Jump(u16),
    Exactly(i64),
}

#[derive(Debug, Arbitrary)]
pub struct Ev {
    seq: Seq,
    at: i64,
    kind: Kind,
}

/// Where the page's `next_cursor` lies.
#[derive(Debug, Arbitrary)]
pub enum Cursor {
    AtLast,
    Unmoved,
    Ahead(u16),
    Exactly(i64),
}

#[derive(Debug, Arbitrary)]
pub struct Page {
    events: Vec<Ev>,
    cursor: Cursor,
}

/// One input: the directory's joining rules, then a few pages in a row.
#[derive(Debug, Arbitrary)]
pub struct Input {
    rules: u8,
    pages: Vec<Page>,
}

fn kind(k: &Kind, real_hash: &str) -> EventKind {
    let inv = |t: &Text| t.pick(INVITATIONS);
    let any = |t: &Text| t.pick(NAMES);
    match k {
        Kind::InvitationDelivered(i, m) => EventKind::InvitationDelivered {
            invitation_id: inv(i),
            message_id: any(m),
        },
        Kind::InvitationFailed(i, r) => EventKind::InvitationFailed {
            invitation_id: inv(i),
            reason: any(r),
        },
        Kind::InvitationOpened(i) => EventKind::InvitationOpened {
            invitation_id: inv(i),
        },
        Kind::Registered(i, a, u, h) => EventKind::Registered {
            invitation_id: inv(i),
            account_id: a.pick(),
            username: u.pick(USERNAMES),
            password_hash: h.pick(real_hash),
        },
        Kind::Declined(i) => EventKind::Declined {
            invitation_id: inv(i),
        },
        Kind::PasswordChanged(a, u, h) => EventKind::PasswordChanged {
            account_id: a.pick(),
            username: u.pick(USERNAMES),
            password_hash: h.pick(real_hash),
        },
        Kind::SignedIn(a, u) => EventKind::SignedIn {
            account_id: a.pick(),
            username: u.pick(USERNAMES),
        },
        Kind::PersonalDetailsChanged {
            account,
            username,
            name,
            mobile,
            email,
        } => EventKind::PersonalDetailsChanged {
            account_id: account.pick(),
            username: username.pick(USERNAMES),
            name: name.pick(NAMES),
            mobile: mobile.pick(MOBILES),
            email: email.pick(EMAILS),
        },
        Kind::InvitationExpired(i) => EventKind::InvitationExpired {
            invitation_id: inv(i),
        },
        Kind::PasswordResetDelivered(r, m) => EventKind::PasswordResetDelivered {
            reset_id: any(r),
            message_id: any(m),
        },
        Kind::PasswordResetFailed(r, m) => EventKind::PasswordResetFailed {
            reset_id: any(r),
            reason: any(m),
        },
        Kind::JoinRequested {
            request,
            code,
            name,
            email,
            mobile,
            employee_id,
            work_location,
            account,
            username,
            hash,
            approval_required,
        } => EventKind::JoinRequested {
            request_id: format!("jr_{}", request % 4),
            via: if *code { JoinVia::Code } else { JoinVia::Link },
            name: name.pick(NAMES),
            email: email.pick(EMAILS),
            mobile: mobile.pick(MOBILES),
            employee_id: employee_id.pick(NAMES),
            work_location: work_location.pick(NAMES),
            account_id: account.pick(),
            username: username.pick(USERNAMES),
            password_hash: hash.pick(real_hash),
            approval_required: *approval_required,
        },
        Kind::InvitationBounced(i, r) => EventKind::InvitationBounced {
            invitation_id: inv(i),
            reason: any(r),
        },
    }
}

/// The events of a page and its next cursor, with `seq`s counted on from `cursor`.
fn page(p: &Page, cursor: i64, real_hash: &str) -> (Vec<Event>, i64) {
    let mut last = cursor;
    let events: Vec<Event> = p
        .events
        .iter()
        .enumerate()
        .map(|(n, e)| {
            last = match e.seq {
                Seq::Next => last.saturating_add(1),
                Seq::Same => last,
                Seq::Back(b) => last.saturating_sub(i64::from(b)),
                Seq::Jump(j) => last.saturating_add(i64::from(j)),
                Seq::Exactly(v) => v,
            };
            Event {
                seq: last,
                id: format!("e{n}"),
                at: e.at,
                kind: kind(&e.kind, real_hash),
            }
        })
        .collect();
    let top = events.iter().map(|e| e.seq).max().unwrap_or(cursor);
    let next = match p.cursor {
        Cursor::AtLast => top,
        Cursor::Unmoved => cursor,
        Cursor::Ahead(a) => top.saturating_add(i64::from(a)),
        Cursor::Exactly(v) => v,
    };
    (events, next)
}

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
    let admin = d.initial_admin_id().expect("the admin");
    let a = Actor::member(admin, "Ann");
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
