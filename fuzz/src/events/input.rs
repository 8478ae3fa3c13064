//! The events a fuzz input describes: dictionaries of the values that matter, the input's
//! shape (`Input` of `Page`s of `Ev`s), and how it turns into the gateway's events.

use arbitrary::Arbitrary;
use orgdesk_protocol::{Event, EventKind, JoinVia, JoinerDetails};

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

/// What a person joining gives about themselves, its values still to be drawn.
#[derive(Debug, Arbitrary)]
pub struct Joiner {
    name: Text,
    email: Opt,
    mobile: Opt,
    employee_id: Opt,
    work_location: Opt,
}

impl Joiner {
    fn pick(&self) -> JoinerDetails {
        JoinerDetails {
            name: self.name.pick(NAMES),
            email: self.email.pick(EMAILS),
            mobile: self.mobile.pick(MOBILES),
            employee_id: self.employee_id.pick(NAMES),
            work_location: self.work_location.pick(NAMES),
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
        joiner: Joiner,
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
    pub(super) rules: u8,
    pub(super) pages: Vec<Page>,
}

fn kind(k: &Kind, real_hash: &str) -> EventKind {
    let inv = |t: &Text| t.pick(INVITATIONS);
    let any = |t: &Text| t.pick(NAMES);
    match k {
        Kind::InvitationDelivered(i, m) => EventKind::InvitationDelivered {
            invitation_id: inv(i),
            message_id: any(m),
            kept: false,
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
            joiner,
            account,
            username,
            hash,
            approval_required,
        } => EventKind::JoinRequested {
            request_id: format!("jr_{}", request % 4),
            via: if *code { JoinVia::Code } else { JoinVia::Link },
            details: joiner.pick(),
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
pub(super) fn page(p: &Page, cursor: i64, real_hash: &str) -> (Vec<Event>, i64) {
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
