//! Team mode's directory half: commands made on different computers, ordered by one log and
//! applied everywhere, end in equal directories; conflicts and refusals are decided the same
//! way on every computer.

use std::collections::HashSet;
use std::sync::Arc;

use orgdesk_core::audit::Actor;
use orgdesk_core::auth::AdminRank;
use orgdesk_core::clock::{Clock, ManualClock};
use orgdesk_core::members::{MemberAction, MemberPatch, MemberQuery, NewInvitee, SetPasswordInput};
use orgdesk_core::roles::NewRole;
use orgdesk_core::settings::Settings;
use orgdesk_core::spreadsheet::{Control, ImportOptions, ImportReport};
use orgdesk_core::team::{ChangeFate, ChangeOutcome, Command, Edit, ImportMade, LoggedChange};
use orgdesk_core::types::{DepartmentId, MemberId, MemberStatus};
use orgdesk_core::{CoreError, Directory};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::{json, Map, Value};

use crate::{admin, mkdepts, new_member, pos, scratch_db, setup_input};

mod invitations;
mod member_events;

/// Three computers holding the same directory: Ann (Super Admin) on the first, Bo and Cy
/// (Admins) on the second and third, each bound to the gateway account `acc_<username>`.
struct Team {
    dirs: Vec<Directory>,
    clock: Arc<ManualClock>,
    log: Vec<LoggedChange>,
    sent: HashSet<String>,
}

fn team() -> Team {
    let clock = Arc::new(ManualClock::new(1_790_000_000_000));
    let first = scratch_db();
    {
        let mut d = Directory::open_with_clock(&first, clock.clone()).unwrap();
        d.setup_organization(&setup_input("Acme", "ann")).unwrap();
        let a = admin(&d);
        mkdepts(&mut d, &["Sales", "Engineering"]);
        let root = d.resolve_department_path("").unwrap();
        let admin_role = d.role_by_name("Admin").unwrap();
        for (name, user, role) in [
            ("Bo Admin", "bohan", Some(admin_role)),
            ("Cy Admin", "cyrus", Some(admin_role)),
            ("Dee Member", "dee", None),
        ] {
            let mut m = new_member(name, user, vec![pos(root, None)]);
            m.role_ids = role.into_iter().collect();
            d.add_member(&a, &m).unwrap();
        }
        let items = d.due_account_mirror(500).unwrap();
        let accounts: Vec<String> = items
            .iter()
            .map(|i| format!("acc_{}", i.account.username))
            .collect();
        d.account_mirror_done(&items, &accounts).unwrap();
    }
    // Closing the last connection folds the write-ahead log into the file: copy the file.
    let dirs = (0..3)
        .map(|i| {
            let path = if i == 0 {
                first.clone()
            } else {
                let p = scratch_db();
                std::fs::copy(&first, &p).unwrap();
                p
            };
            Directory::open_with_clock(&path, clock.clone()).unwrap()
        })
        .collect();
    Team {
        dirs,
        clock,
        log: Vec::new(),
        sent: HashSet::new(),
    }
}

impl Team {
    /// Cy's computer (the third) joins anew from a snapshot of computer `from` at the end of the
    /// log, as `orgdesk team join` does.
    fn cy_joins_anew_from(&mut self, from: usize) {
        let snapshot = self.dirs[from]
            .write_snapshot(self.log.len() as u64)
            .unwrap();
        let path = scratch_db();
        drop(Directory::load_snapshot(&path, &snapshot).unwrap());
        self.dirs[2] = Directory::open_with_clock(&path, self.clock.clone()).unwrap();
        self.dirs[2].set_team_device_account("acc_cyrus").unwrap();
    }

    fn member(&self, username: &str) -> MemberId {
        self.dirs[0].find_member(username).unwrap()
    }

    fn dept(&self, path: &str) -> DepartmentId {
        self.dirs[0].resolve_department_path(path).unwrap()
    }

    /// The admin `username` at computer `at`, as the actor of what they do there.
    fn actor(&self, at: usize, username: &str) -> Actor {
        let id = self.dirs[at].find_member(username).unwrap();
        self.dirs[at].admin_actor(id, AdminRank::Admin).unwrap()
    }

    /// `username` makes `command` at computer `at`; a second passes.
    fn make(&mut self, at: usize, username: &str, command: Command) -> Result<String, CoreError> {
        self.clock.advance_secs(1);
        let actor = self.actor(at, username);
        self.dirs[at].queue_command(&actor, command)
    }

    /// Ann removes `member` on her computer, handing what they held over to herself.
    fn ann_removes(&mut self, member: MemberId) {
        let ann = self.member("ann");
        let remove = Command::RemoveMember {
            member_id: member,
            transfer_to: Some(ann),
        };
        self.make(0, "ann", remove).unwrap();
    }

    /// Computer `at` sends what it has not sent yet: the log numbers it after what is there,
    /// each change under the account of the admin who made it.
    /// Ann, on the first computer, and Cy, on the third, each add a member with the username
    /// `bob` (Bob One in Sales, Bob Two in Engineering); neither change is sent yet.
    fn two_admins_add_bob(&mut self) {
        let bob_one = add(self, "Bob One", "bob", "Sales");
        self.make(0, "ann", bob_one).unwrap();
        let bob_two = add(self, "Bob Two", "bob", "Engineering");
        self.make(2, "cyrus", bob_two).unwrap();
    }

    fn send(&mut self, at: usize) {
        for p in self.dirs[at].pending_commands().unwrap() {
            if !self.sent.insert(p.change_id.clone()) {
                continue;
            }
            let account = self.dirs[at]
                .gateway_account_of(p.author_id)
                .unwrap()
                .unwrap();
            self.append(&format!("dev_{at}"), &account, &p.change_id, p.body);
        }
    }

    /// Appends a change as the gateway does (any body a device sends).
    fn append(&mut self, device: &str, account: &str, change_id: &str, body: Map<String, Value>) {
        self.log.push(LoggedChange {
            seq: self.log.len() as i64 + 1,
            change_id: change_id.into(),
            device_id: device.into(),
            account_id: account.into(),
            at: self.clock.now_secs() + 1,
            body,
        });
    }

    /// Every computer applies the log to its end; the outcomes of the first one's.
    fn apply_all(&mut self) -> Vec<ChangeOutcome> {
        let mut first = Vec::new();
        for (i, d) in self.dirs.iter_mut().enumerate() {
            for c in &self.log {
                let o = d.apply_change(c).unwrap();
                if i == 0 {
                    first.push(o);
                }
            }
        }
        first
    }

    /// The three checksums are one, and the refusals recorded the same everywhere.
    fn assert_equal(&self) {
        let sums: Vec<String> = self
            .dirs
            .iter()
            .map(|d| d.directory_checksum().unwrap().digest)
            .collect();
        assert_eq!(sums[0], sums[1]);
        assert_eq!(sums[0], sums[2]);
        let refusals: Vec<Vec<Refusal>> = self.dirs.iter().map(refusals).collect();
        assert_eq!(refusals[0], refusals[1]);
        assert_eq!(refusals[0], refusals[2]);
    }
}

/// Every computer applies the log: every change of it is applied, and the directories stay
/// equal.
fn applied_everywhere(t: &mut Team) {
    let outcomes = t.apply_all();
    assert!(
        outcomes
            .iter()
            .all(|o| matches!(o, ChangeOutcome::Applied { .. })),
        "{outcomes:?}"
    );
    t.assert_equal();
}

/// Every computer applies the log: the change at `index` is refused on each, for a reason
/// saying `why`, and the directories stay equal. What its author, at computer `author`, reads
/// it would have done.
fn refused_everywhere(t: &mut Team, index: usize, why: &str, author: usize) -> String {
    let outcomes = t.apply_all();
    assert!(
        matches!(&outcomes[index], ChangeOutcome::Refused { reason, .. } if reason.contains(why)),
        "{outcomes:?}"
    );
    t.assert_equal();
    let mine = t.dirs[author].my_refused_changes().unwrap();
    mine[0].what.clone()
}

/// One refusal recorded: (seq, what, field, reason).
type Refusal = (i64, String, Option<String>, String);

/// Every refusal recorded.
fn refusals(d: &Directory) -> Vec<Refusal> {
    d.connection()
        .prepare("SELECT seq, what, field, reason FROM team_refusals ORDER BY seq")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
}

fn create(parent: DepartmentId, name: &str) -> Command {
    Command::CreateDepartment {
        parent_id: parent,
        name: name.into(),
    }
}

fn update(member_id: MemberId, patch: MemberPatch) -> Command {
    Command::UpdateMember { member_id, patch }
}

fn add(t: &Team, name: &str, username: &str, dept: &str) -> Command {
    Command::add_member(new_member(name, username, vec![pos(t.dept(dept), None)])).unwrap()
}

#[test]
fn commands_made_on_three_computers_end_in_equal_directories() {
    let mut t = team();
    let root = t.dept("");
    let sales = t.dept("Sales");
    t.make(0, "ann", create(root, "Operations")).unwrap();
    t.make(1, "bohan", add(&t, "Eve Chen", "eve", "Sales"))
        .unwrap();
    t.make(
        2,
        "cyrus",
        Command::RenameDepartment {
            department_id: sales,
            name: "Sales & Marketing".into(),
        },
    )
    .unwrap();
    t.make(0, "ann", add(&t, "Fay Wu", "fay", "Engineering"))
        .unwrap();
    // Nothing shows before it comes back from the log.
    assert!(t.dirs[1].find_member("eve").is_err());
    assert_eq!(t.dirs[0].pending_commands().unwrap().len(), 2);
    // Interleaved: Cy's, then Ann's, then Bo's.
    t.send(2);
    t.send(0);
    t.send(1);
    applied_everywhere(&mut t);
    for d in &t.dirs {
        assert!(d.pending_commands().unwrap().is_empty());
        assert!(d.find_member("eve").is_ok() && d.find_member("fay").is_ok());
        assert!(d.resolve_department_path("Operations").is_ok());
        assert!(d.resolve_department_path("Sales & Marketing").is_ok());
        assert_eq!(d.team_cursor().unwrap(), 4);
    }
    // Ids are the directory's, equal everywhere: a second round names what the first made.
    let eve = t.member("eve");
    let ops = t.dept("Operations");
    t.make(
        1,
        "bohan",
        update(
            eve,
            MemberPatch {
                positions: Some(vec![pos(ops, Some("Lead")), pos(sales, None)]),
                work_location: Some("Berlin".into()),
                ..MemberPatch::default()
            },
        ),
    )
    .unwrap();
    t.make(
        2,
        "cyrus",
        Command::SetDepartmentHead {
            department_id: sales,
            head_id: Some(eve),
        },
    )
    .unwrap();
    t.make(
        0,
        "ann",
        Command::MoveDepartment {
            department_id: ops,
            parent_id: sales,
            index: None,
        },
    )
    .unwrap();
    t.make(
        0,
        "ann",
        Command::update_settings(Settings {
            default_region: "DE".into(),
            import_quota_per_day: Some(20),
            invitation_language: None,
            join_notifications: Some(false),
        }),
    )
    .unwrap();
    t.send(1);
    t.send(0);
    t.send(2);
    let outcomes = t.apply_all();
    assert!(
        outcomes[4..]
            .iter()
            .all(|o| matches!(o, ChangeOutcome::Applied { .. })),
        "{outcomes:?}"
    );
    t.assert_equal();
    let details = t.dirs[2].department_details(ops).unwrap();
    assert_eq!(details.path, "Sales & Marketing/Operations");
    let head = t.dirs[0].department_details(sales).unwrap().head;
    assert_eq!(head.unwrap().id, eve);
    assert_eq!(t.dirs[1].settings().unwrap().default_region, "DE");
    // The history says who made each change, and from which computer.
    let (actor, device): (String, String) = t.dirs[2]
        .connection()
        .query_row(
            "SELECT actor_name, team_device_id FROM audit_log WHERE action = 'department.set_head'",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!((actor.as_str(), device.as_str()), ("Cy Admin", "dev_2"));
}

#[test]
fn the_first_of_two_same_usernames_wins_and_the_second_author_is_told() {
    let mut t = team();
    t.two_admins_add_bob();
    t.send(0);
    t.send(2);
    let outcomes = t.apply_all();
    assert_eq!(outcomes[0], ChangeOutcome::Applied { mine: true });
    assert!(matches!(
        &outcomes[1],
        ChangeOutcome::Refused { mine: false, .. }
    ));
    t.assert_equal();
    for d in &t.dirs {
        let bob = d.find_member("bob").unwrap();
        assert_eq!(d.member_details(bob).unwrap().name, "Bob One");
    }
    assert!(t.dirs[0].my_refused_changes().unwrap().is_empty());
    assert!(t.dirs[1].my_refused_changes().unwrap().is_empty());
    let mine = t.dirs[2].my_refused_changes().unwrap();
    assert_eq!(mine.len(), 1, "{mine:?}");
    assert_eq!(mine[0].seq, 2);
    assert_eq!(mine[0].what, "Add member Bob Two (bob)");
    assert_eq!(mine[0].field.as_deref(), Some("username"));
    assert!(mine[0].reason.contains("bob"), "{}", mine[0].reason);
    // What and why as the window words them in its language: the kind, its names, a code.
    assert_eq!(mine[0].kind.as_deref(), Some("member.add"));
    let values: Vec<(&str, &str)> = mine[0]
        .values
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    assert_eq!(values, [("name", "Bob Two"), ("username", "bob")]);
    assert_eq!(mine[0].code, "taken");
    assert!(t.dirs[2].pending_commands().unwrap().is_empty());
    // A refusal recorded before these were kept reads as one the window words in English.
    t.dirs[2]
        .connection()
        .execute(
            "UPDATE team_refusals SET kind = NULL, what_values = NULL, code = NULL",
            [],
        )
        .unwrap();
    let older = t.dirs[2].my_refused_changes().unwrap();
    assert_eq!(
        (
            older[0].kind.as_deref(),
            older[0].values.len(),
            older[0].code.as_str()
        ),
        (None, 0, "")
    );
    assert_eq!(older[0].what, "Add member Bob Two (bob)");
}

/// The window's Team card and its notice of a refusal: what waits, what was refused, and each
/// refusal handed out for announcing once.
#[test]
fn a_computers_team_status_counts_what_waits_and_announces_each_refusal_once() {
    let mut t = team();
    t.two_admins_add_bob();
    let waiting = t.dirs[2].team_status(None).unwrap();
    assert_eq!((waiting.waiting, waiting.refused.len()), (1, 0));
    assert!(t.dirs[2].take_unannounced_refusals().unwrap().is_empty());
    t.send(0);
    t.send(2);
    t.apply_all();
    let status = t.dirs[2]
        .team_status(Some("https://gw.example".into()))
        .unwrap();
    assert_eq!(status.waiting, 0);
    assert_eq!(status.gateway.as_deref(), Some("https://gw.example"));
    assert_eq!(status.refused.len(), 1);
    let told = t.dirs[2].take_unannounced_refusals().unwrap();
    assert_eq!(told.len(), 1);
    assert_eq!(told[0].what, "Add member Bob Two (bob)");
    assert!(
        t.dirs[2].take_unannounced_refusals().unwrap().is_empty(),
        "once"
    );
    assert!(
        t.dirs[0].take_unannounced_refusals().unwrap().is_empty(),
        "not Ann's"
    );
}

#[test]
fn editing_a_member_another_admin_removed_is_refused_everywhere() {
    let mut t = team();
    let dee = t.member("dee");
    t.ann_removes(dee);
    // Dee held the largest id: the member added after her removal does not take it again.
    let gus = add(&t, "Gus Lin", "gus", "Sales");
    t.make(0, "ann", gus).unwrap();
    t.make(
        1,
        "bohan",
        update(
            dee,
            MemberPatch {
                work_location: Some("Paris".into()),
                ..MemberPatch::default()
            },
        ),
    )
    .unwrap();
    t.send(0);
    t.send(1);
    let what = refused_everywhere(&mut t, 2, "does not exist", 1);
    assert_eq!(what, format!("Edit member {dee}"));
    let mine = t.dirs[1].my_refused_changes().unwrap();
    assert_eq!(mine[0].kind.as_deref(), Some("member.update"));
    assert_eq!(mine[0].values["member"], format!("#{dee}"));
    assert_eq!(mine[0].code, "not_found");
    assert!(t.dirs[0].find_member("dee").is_err());
    assert!(t.member("gus") > dee);
    let gus = t.dirs[2].find_member("gus").unwrap();
    assert_eq!(t.dirs[2].member_details(gus).unwrap().work_location, None);
}

/// An Admin's change that gives himself the Super Admin role cannot be queued on his computer,
/// and one sent straight to the gateway is refused by every computer.
#[test]
fn an_admin_cannot_make_himself_a_super_admin_through_the_log() {
    let mut t = team();
    let bo = t.member("bohan");
    let super_admin = t.dirs[1].role_by_name("Super Admin").unwrap();
    let promote = Command::UpdateMember {
        member_id: bo,
        patch: MemberPatch {
            role_ids: Some(vec![super_admin]),
            ..Default::default()
        },
    };
    let e = t.make(1, "bohan", promote.clone()).unwrap_err();
    assert!(matches!(e, CoreError::Validation { .. }), "{e:?}");
    let body = orgdesk_core::team::TeamCommand {
        at: t.clock.now_ms(),
        command: promote,
    }
    .to_body()
    .unwrap();
    t.append("dev_1", "acc_bohan", "bo-promotes-himself", body);
    let outcomes = t.apply_all();
    assert!(
        matches!(&outcomes[0], ChangeOutcome::Refused { reason, .. }
            if reason.contains("Only a Super Admin can give or take away the Super Admin role")),
        "{outcomes:?}"
    );
    t.assert_equal();
    for d in &t.dirs {
        let roles: Vec<String> = d
            .member_details(bo)
            .unwrap()
            .roles
            .into_iter()
            .map(|r| r.name)
            .collect();
        assert_eq!(roles, ["Admin"]);
    }
}

#[test]
fn settings_are_a_super_admins_and_authors_must_be_enabled_admins() {
    let mut t = team();
    let settings = Command::update_settings(Settings {
        default_region: "FR".into(),
        import_quota_per_day: None,
        invitation_language: None,
        join_notifications: None,
    });
    // Bo cannot even queue it; a body his computer sends anyway is refused everywhere.
    let e = t.make(1, "bohan", settings.clone()).unwrap_err();
    assert!(matches!(e, CoreError::Forbidden(_)), "{e:?}");
    let body = orgdesk_core::team::TeamCommand {
        at: t.clock.now_ms(),
        command: settings,
    }
    .to_body()
    .unwrap();
    t.append("dev_1", "acc_bohan", "settings-by-bo", body.clone());
    // Ann disables Cy; then a change from Cy's account, and one from an account nobody holds.
    let cy = t.member("cyrus");
    t.make(
        0,
        "ann",
        Command::ChangeStatus {
            member_id: cy,
            action: MemberAction::Disable,
        },
    )
    .unwrap();
    t.send(0);
    let create_ops = orgdesk_core::team::TeamCommand {
        at: t.clock.now_ms(),
        command: create(t.dept(""), "Ops"),
    }
    .to_body()
    .unwrap();
    t.append("dev_2", "acc_cyrus", "ops-by-cy", create_ops.clone());
    t.append("dev_9", "acc_nobody", "ops-by-nobody", create_ops);
    let outcomes = t.apply_all();
    assert!(
        matches!(&outcomes[0], ChangeOutcome::Refused { reason, .. } if reason.contains("Only a Super Admin")),
        "{outcomes:?}"
    );
    assert_eq!(outcomes[1], ChangeOutcome::Applied { mine: true });
    assert!(
        matches!(&outcomes[2], ChangeOutcome::Refused { reason, .. } if reason.contains("not an enabled admin")),
        "{outcomes:?}"
    );
    assert!(
        matches!(&outcomes[3], ChangeOutcome::Refused { reason, .. } if reason.contains("no member")),
        "{outcomes:?}"
    );
    t.assert_equal();
    // Each refusal's code, the same everywhere: the author's role, then no enabled admin,
    // then no member at all.
    let codes: Vec<(Option<String>, String)> = {
        let conn = t.dirs[2].connection();
        let mut stmt = conn
            .prepare("SELECT kind, code FROM team_refusals ORDER BY seq")
            .unwrap();
        let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)));
        rows.unwrap().map(Result::unwrap).collect()
    };
    let settings_kind = Some("settings.update".to_owned());
    let create_kind = Some("department.create".to_owned());
    assert_eq!(
        codes,
        [
            (settings_kind, "not_allowed".to_owned()),
            (create_kind.clone(), "not_allowed".to_owned()),
            (create_kind, "unknown_author".to_owned()),
        ]
    );
    assert_ne!(t.dirs[2].settings().unwrap().default_region, "FR");
    assert!(t.dirs[2].resolve_department_path("Ops").is_err());
    // Ann may.
    t.make(
        0,
        "ann",
        Command::update_settings(Settings {
            default_region: "FR".into(),
            import_quota_per_day: None,
            invitation_language: None,
            join_notifications: None,
        }),
    )
    .unwrap();
    t.send(0);
    t.apply_all();
    t.assert_equal();
    assert_eq!(t.dirs[2].settings().unwrap().default_region, "FR");
}

#[test]
fn bodies_that_cannot_be_read_are_refused_naming_the_field() {
    let mut t = team();
    let body = |v: Value| v.as_object().unwrap().clone();
    let cases = [
        (
            json!({"format": 1, "at": 1, "kind": "member.teleport", "args": {}}),
            "kind",
        ),
        (
            json!({"format": 2, "at": 1, "kind": "department.delete", "args": {"departmentId": 2}}),
            "format",
        ),
        (
            json!({"format": 1, "at": 1, "kind": "department.create", "args": {"parentId": "x", "name": "Ops"}}),
            "args.parentId",
        ),
        (
            json!({"format": 1, "at": 1, "kind": "department.create", "args": {"parentId": 1}}),
            "args",
        ),
        (
            json!({"format": 1, "at": 1, "kind": "department.create", "args": {"parentId": 1, "name": "Ops", "extra": 1}}),
            "args.extra",
        ),
        (
            json!({"format": 1, "kind": "department.delete", "args": {"departmentId": 2}}),
            "at",
        ),
        (
            json!({"format": 1, "at": 1, "kind": "department.create", "args": {"parentId": 1, "name": "Ops"}, "x": 1}),
            "x",
        ),
        (
            json!({"format": 1, "at": 1, "kind": "member.add", "args": {"member": {"name": "Eve", "positions": [], "roleIds": [], "username": "eve", "password": "Secret-Pass1", "email": null, "mobile": null}, "passwordHash": "x"}}),
            "args.member.password",
        ),
        (
            json!({"format": 1, "at": 1, "kind": "department.create", "args": {"parentId": 1, "name": "x".repeat(70_000)}}),
            "body",
        ),
        (
            json!({"format": 1, "at": 9_999_999_999_999_i64, "kind": "department.delete", "args": {"departmentId": 2}}),
            "at",
        ),
    ];
    for (i, (b, _)) in cases.iter().enumerate() {
        t.append("dev_0", "acc_ann", &format!("bad-{i}"), body(b.clone()));
    }
    let outcomes = t.apply_all();
    assert!(outcomes
        .iter()
        .all(|o| matches!(o, ChangeOutcome::Refused { .. })));
    t.assert_equal();
    let fields: Vec<Option<String>> = refusals(&t.dirs[0]).into_iter().map(|r| r.2).collect();
    let expected: Vec<Option<String>> = cases.iter().map(|c| Some(c.1.to_owned())).collect();
    assert_eq!(fields, expected, "{:#?}", refusals(&t.dirs[0]));
    let what = &refusals(&t.dirs[0])[0];
    assert_eq!(what.1, "A change of kind \"member.teleport\"");
    assert!(what.3.contains("unknown variant"), "{}", what.3);
    assert_eq!(t.dirs[0].team_cursor().unwrap(), cases.len() as i64);
}

#[test]
fn a_change_applied_again_does_nothing_and_a_gap_writes_nothing() {
    let mut t = team();
    t.make(0, "ann", create(t.dept(""), "Ops")).unwrap();
    t.make(0, "ann", create(t.dept(""), "Legal")).unwrap();
    t.send(0);
    let d = &mut t.dirs[1];
    assert_eq!(
        d.apply_change(&t.log[0]).unwrap(),
        ChangeOutcome::Applied { mine: false }
    );
    let sum = d.directory_checksum().unwrap();
    assert_eq!(
        d.apply_change(&t.log[0]).unwrap(),
        ChangeOutcome::AlreadyApplied
    );
    assert_eq!(d.directory_checksum().unwrap(), sum);
    let mut later = t.log[1].clone();
    later.seq = 3;
    let e = d.apply_change(&later).unwrap_err();
    assert!(e.to_string().contains("so 2 comes first"), "{e}");
    assert_eq!(d.directory_checksum().unwrap(), sum);
    assert_eq!(d.team_cursor().unwrap(), 1);
    assert!(refusals(d).is_empty());
    assert_eq!(
        d.apply_change(&t.log[1]).unwrap(),
        ChangeOutcome::Applied { mine: false }
    );
    assert!(d.resolve_department_path("Legal").is_ok());
}

#[test]
fn queueing_checks_the_command_at_once_and_writes_nothing_of_it() {
    let mut t = team();
    let before = t.dirs[0].directory_checksum().unwrap();
    let e = t
        .make(0, "ann", add(&t, "Bo Again", "bohan", "Sales"))
        .unwrap_err();
    assert!(e.to_string().contains("bohan"), "{e}");
    let e = t
        .make(
            0,
            "ann",
            Command::DeleteDepartment {
                department_id: t.dept(""),
            },
        )
        .unwrap_err();
    assert!(matches!(e, CoreError::Forbidden(_)), "{e:?}");
    let id = t.make(0, "ann", create(t.dept(""), "Ops")).unwrap();
    assert!(
        id.len() >= 32 && id.bytes().all(|b| b.is_ascii_alphanumeric()),
        "{id}"
    );
    assert_eq!(t.dirs[0].directory_checksum().unwrap(), before);
    assert!(t.dirs[0].resolve_department_path("Ops").is_err());
    let p = t.dirs[0].pending_commands().unwrap();
    assert_eq!((p.len(), p[0].change_id.as_str()), (1, id.as_str()));
    assert_eq!(p[0].body["kind"], "department.create");
    assert!(!p[0].body.contains_key("password"));
    // On a computer enrolled as Ann's device, only Ann's changes can be sent.
    t.dirs[1].set_team_device_account("acc_ann").unwrap();
    let e = t.make(1, "bohan", create(t.dept(""), "Legal")).unwrap_err();
    assert!(e.to_string().contains("another admin's account"), "{e}");
    t.make(1, "ann", create(t.dept(""), "Legal")).unwrap();
}

/// 200 commands of every kind, made by three admins on computers that apply the log at
/// different moments (so each makes its commands against its own, sometimes older, state):
/// all three end equal.
#[test]
fn a_seeded_random_run_ends_in_equal_directories() {
    let mut t = team();
    let mut rng = StdRng::seed_from_u64(7);
    let admins = ["ann", "bohan", "cyrus"];
    let mut applied = [0usize; 3];
    for n in 0..200 {
        let at = rng.random_range(0..3);
        let d = &t.dirs[at];
        let depts: Vec<DepartmentId> = d.department_subtree(t.dept("")).unwrap();
        // The three admins stay enabled admins: the others are changed at random.
        let admin_ids: Vec<MemberId> = admins.iter().map(|a| d.find_member(a).unwrap()).collect();
        let mut members = d.member_ids(&MemberQuery::default()).unwrap();
        members.retain(|m| !admin_ids.contains(m));
        let dept = depts[rng.random_range(0..depts.len())];
        let other = depts[rng.random_range(0..depts.len())];
        let member = match members.len() {
            0 => MemberId(999),
            n => members[rng.random_range(0..n)],
        };
        let command = match rng.random_range(0..10) {
            0 => create(dept, &format!("D{}", rng.random_range(0..12))),
            1 => Command::RenameDepartment {
                department_id: dept,
                name: format!("D{}", rng.random_range(0..12)),
            },
            2 => Command::MoveDepartment {
                department_id: dept,
                parent_id: other,
                index: Some(0),
            },
            3 => Command::DeleteDepartment {
                department_id: dept,
            },
            4 if n % 3 == 0 => Command::add_member(new_member(
                &format!("P{n}"),
                &format!("user{}", rng.random_range(0..8)),
                vec![pos(dept, None)],
            ))
            .unwrap(),
            5 => update(
                member,
                MemberPatch {
                    positions: Some(vec![pos(dept, Some("T"))]),
                    ..MemberPatch::default()
                },
            ),
            6 => Command::ChangeStatus {
                member_id: member,
                action: [
                    MemberAction::Disable,
                    MemberAction::Enable,
                    MemberAction::Resign,
                    MemberAction::Restore,
                ][rng.random_range(0..4)],
            },
            7 => Command::SetDepartmentHead {
                department_id: dept,
                head_id: Some(member),
            },
            8 => Command::RemoveMember {
                member_id: member,
                transfer_to: Some(t.member("ann")),
            },
            _ => Command::SetPrimaryDepartment {
                member_id: member,
                department_id: dept,
            },
        };
        // Refused at once on its own computer, or queued and sent.
        let _ = t.make(at, admins[at], command);
        if rng.random_bool(0.3) {
            t.send(at);
        }
        if rng.random_bool(0.3) {
            let who = rng.random_range(0..3);
            for c in &t.log[applied[who]..] {
                t.dirs[who].apply_change(c).unwrap();
            }
            applied[who] = t.log.len();
        }
    }
    for at in 0..3 {
        t.send(at);
    }
    t.apply_all();
    t.assert_equal();
    // Some changes met the others' and were refused; most were applied.
    let refused = refusals(&t.dirs[0]).len();
    let applied = t.log.len() - refused;
    assert!(
        applied > 40 && refused > 5,
        "{applied} applied, {refused} refused"
    );
    assert!(t
        .dirs
        .iter()
        .all(|d| d.pending_commands().unwrap().is_empty()));
}

#[test]
fn an_edit_is_made_directly_outside_a_team_and_through_the_log_in_one() {
    let mut t = team();
    let sales = t.dept("Sales");
    t.dirs[1].set_team_device_account("acc_bohan").unwrap();
    t.dirs[2].set_team_device_account("acc_cyrus").unwrap();
    let ops = |d: &mut Directory, a: &Actor| d.create_department(a, sales, "Ops");
    t.clock.advance_secs(1);
    let bo = t.actor(1, "bohan");
    let Edit::Queued { tried, change_id } = t.dirs[1]
        .edit(&bo, |_| Ok(create(sales, "Ops")), ops)
        .unwrap()
    else {
        panic!("a computer in a team queues its edits");
    };
    // Tried, undone, and shown only once it is back from the log.
    assert!(t.dirs[1].resolve_department_path("Sales/Ops").is_err());
    assert_eq!(
        t.dirs[1].change_fate(&change_id).unwrap(),
        ChangeFate::Waiting
    );
    let cy = t.actor(2, "cyrus");
    let Edit::Queued {
        change_id: second, ..
    } = t.dirs[2]
        .edit(&cy, |_| Ok(create(sales, "Ops")), ops)
        .unwrap()
    else {
        panic!("a computer in a team queues its edits");
    };
    // What the try refuses is refused at once, and nothing is queued.
    let nowhere = DepartmentId(9_999);
    let refused = t.dirs[1].edit(
        &bo,
        |_| Ok(create(nowhere, "Lost")),
        |d, a| d.create_department(a, nowhere, "Lost"),
    );
    assert!(refused.is_err());
    assert_eq!(t.dirs[1].pending_commands().unwrap().len(), 1);

    t.send(1);
    t.send(2);
    t.apply_all();
    t.assert_equal();
    assert_eq!(
        t.dirs[1].change_fate(&change_id).unwrap(),
        ChangeFate::Applied
    );
    assert_eq!(
        t.dirs[1].resolve_department_path("Sales/Ops").unwrap(),
        tried
    );
    let ChangeFate::Refused(why) = t.dirs[2].change_fate(&second).unwrap() else {
        panic!("the second department of the same name is refused");
    };
    let said = why.refusal().to_string();
    assert!(
        said.starts_with("The team's change log refused it: Create department \"Ops\""),
        "{said}"
    );

    // Outside a team the edit is made at once, and no command is made.
    let ann = t.actor(0, "ann");
    let no_command = |_: &Directory| -> Result<Command, CoreError> {
        panic!("no command is made outside a team")
    };
    let made = t.dirs[0]
        .edit(&ann, no_command, |d, a| {
            d.create_department(a, sales, "Direct")
        })
        .unwrap();
    assert!(matches!(made, Edit::Done(_)));
    assert!(t.dirs[0].resolve_department_path("Sales/Direct").is_ok());
}

fn role(name: &str) -> Command {
    Command::CreateRole {
        role: NewRole {
            name: name.into(),
            description: "Reads the books".into(),
        },
    }
}

fn invitee(name: &str, email: &str, department_id: DepartmentId) -> Command {
    Command::AddInvitee {
        invitee: NewInvitee {
            name: name.into(),
            email: Some(email.into()),
            mobile: None,
            department_id,
            position: None,
            role_ids: Vec::new(),
            link_only: false,
        },
    }
}

#[test]
fn the_organizations_name_a_role_and_an_invitee_go_through_the_log() {
    let mut t = team();
    let sales = t.dept("Sales");
    let bo = t.member("bohan");
    let super_admin = t.dirs[0].role_by_name("Super Admin").unwrap();
    let rename = |name: &str| Command::RenameOrganization { name: name.into() };
    t.make(0, "ann", rename("Acme Group")).unwrap();
    t.make(
        0,
        "ann",
        update(
            bo,
            MemberPatch {
                role_ids: Some(vec![super_admin]),
                ..MemberPatch::default()
            },
        ),
    )
    .unwrap();
    t.make(1, "bohan", role("Auditor")).unwrap();
    t.make(1, "bohan", invitee("Ivy Park", "ivy@example.com", sales))
        .unwrap();
    // Made on Cy's computer before Bo's came back: the log's order refuses them.
    t.make(2, "cyrus", role("AUDITOR")).unwrap();
    t.make(2, "cyrus", invitee("Ivy Two", "IVY@example.com", sales))
        .unwrap();
    t.send(0);
    t.send(1);
    t.send(2);
    // Bo, a Super Admin by now but not the initial admin, and Cy, an Admin, rename it; and
    // bodies the core's rules refuse before anything runs.
    let at = t.clock.now_ms();
    let body = |command: Command| {
        orgdesk_core::team::TeamCommand { at, command }
            .to_body()
            .unwrap()
    };
    t.append(
        "dev_1",
        "acc_bohan",
        "rename-by-bo",
        body(rename("Bo Corp")),
    );
    t.append(
        "dev_2",
        "acc_cyrus",
        "rename-by-cy",
        body(rename("Cy Corp")),
    );
    let bad = |v: Value| v.as_object().unwrap().clone();
    let root = t.dept("");
    for (i, b) in [
        json!({"format": 1, "at": at, "kind": "organization.rename", "args": {"name": " "}}),
        json!({"format": 1, "at": at, "kind": "role.create", "args": {"role": {"name": "Ops", "description": "x".repeat(201)}}}),
        json!({"format": 1, "at": at, "kind": "member.add_invitee", "args": {"invitee": {"name": "Jo", "email": null, "mobile": null, "departmentId": root, "position": null, "roleIds": [], "linkOnly": false}}}),
    ]
    .into_iter()
    .enumerate()
    {
        t.append("dev_0", "acc_ann", &format!("bad-{i}"), bad(b));
    }
    let outcomes = t.apply_all();
    // The first four applied, the seven after them refused.
    let applied: Vec<bool> = outcomes
        .iter()
        .map(|o| matches!(o, ChangeOutcome::Applied { .. }))
        .collect();
    assert_eq!(
        applied,
        [[true; 4].as_slice(), &[false; 7]].concat(),
        "{outcomes:?}"
    );
    t.assert_equal();
    let auditor = t.dirs[0].role_by_name("Auditor").unwrap();
    let ivy = t.member("ivy@example.com");
    for d in &t.dirs {
        assert_eq!(d.organization_name().unwrap(), "Acme Group");
        assert_eq!(d.role_by_name("auditor").unwrap(), auditor);
        let details = d.member_details(ivy).unwrap();
        assert_eq!(details.name, "Ivy Park");
        assert_eq!(details.status, MemberStatus::NotJoined);
    }
    let seen: Vec<(String, Option<String>)> = refusals(&t.dirs[0])
        .into_iter()
        .map(|r| (r.1, r.2))
        .collect();
    let expected = [
        ("Create role \"AUDITOR\"", Some("name")),
        ("Add Ivy Two to be invited", Some("email")),
        ("Rename the organization to \"Bo Corp\"", None),
        ("Rename the organization to \"Cy Corp\"", Some("account_id")),
        (
            "A change of kind \"organization.rename\"",
            Some("args.name"),
        ),
        (
            "A change of kind \"role.create\"",
            Some("args.role.description"),
        ),
        (
            "A change of kind \"member.add_invitee\"",
            Some("args.invitee.email"),
        ),
    ];
    let expected: Vec<(String, Option<String>)> = expected
        .iter()
        .map(|(w, f)| ((*w).to_owned(), f.map(str::to_owned)))
        .collect();
    assert_eq!(seen, expected, "{:#?}", refusals(&t.dirs[0]));
    let reasons: Vec<String> = refusals(&t.dirs[0]).into_iter().map(|r| r.3).collect();
    assert!(reasons[2].contains("Only the initial admin"), "{reasons:?}");
    assert!(reasons[3].contains("Only a Super Admin"), "{reasons:?}");
    let cy = t.dirs[2].my_refused_changes().unwrap();
    assert_eq!(cy.len(), 2, "{cy:?}");
    // A body that breaks the rules is not even queued.
    let e = t.make(0, "ann", role(" ")).unwrap_err();
    assert!(matches!(e, CoreError::Validation { .. }), "{e:?}");
    assert!(t.dirs[0].pending_commands().unwrap().is_empty());
}

/// The password of `username` verifies `password` on computer `at`, and whether they must
/// change it.
fn password_of(t: &Team, at: usize, username: &str) -> (String, bool) {
    t.dirs[at]
        .connection()
        .query_row(
            "SELECT password_hash, must_change_password FROM members WHERE username = ?1",
            [username],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap()
}

#[test]
fn a_password_set_in_a_team_travels_as_its_hash_under_the_same_rules() {
    let mut t = team();
    let dee = t.member("dee");
    let ann = t.member("ann");
    let new = |password: &str, must_change: bool| SetPasswordInput {
        password: password.into(),
        must_change,
    };
    // Checked against the policy where it is typed: a weak one, or one holding the
    // username, is refused before it is a change.
    let e = Command::set_member_password(&t.dirs[1], dee, &new("short", false)).unwrap_err();
    assert!(matches!(e, CoreError::Validation { .. }), "{e:?}");
    let e = Command::set_member_password(&t.dirs[1], dee, &new("Dee-dee-dee1", false)).unwrap_err();
    assert!(e.to_string().contains("username"), "{e}");
    let set = Command::set_member_password(&t.dirs[1], dee, &new("Fresh-Pass-42", true)).unwrap();
    t.make(1, "bohan", set).unwrap();
    // An Admin cannot set a Super Admin's password: not even queued.
    let anns = Command::set_member_password(&t.dirs[1], ann, &new("Boss-Pass-77", false)).unwrap();
    let e = t.make(1, "bohan", anns.clone()).unwrap_err();
    assert!(e.to_string().contains("only a Super Admin"), "{e}");
    let body = t.dirs[1].pending_commands().unwrap()[0].body.clone();
    let written = Value::Object(body.clone()).to_string();
    assert_eq!(body["kind"], "member.set_password");
    assert!(!written.contains("Fresh-Pass-42"), "{written}");
    // Nothing changes before it is back.
    let (before, _) = password_of(&t, 1, "dee");
    assert!(!orgdesk_core::password::verify("Fresh-Pass-42", &before));
    t.send(1);
    // Bo's computer sends Ann's anyway: the log refuses it everywhere.
    let at = t.clock.now_ms();
    let forged = orgdesk_core::team::TeamCommand { at, command: anns }
        .to_body()
        .unwrap();
    t.append("dev_1", "acc_bohan", "anns-by-bo", forged);
    let bad = |v: Value| v.as_object().unwrap().clone();
    for (i, b) in [
        json!({"format": 1, "at": at, "kind": "member.set_password", "args": {"memberId": dee, "passwordHash": "Fresh-Pass-42", "mustChange": false}}),
        json!({"format": 1, "at": at, "kind": "member.set_password", "args": {"memberId": dee, "password": "Fresh-Pass-42", "mustChange": false}}),
    ]
    .into_iter()
    .enumerate()
    {
        t.append("dev_0", "acc_ann", &format!("bad-{i}"), bad(b));
    }
    let outcomes = t.apply_all();
    let refused = outcomes
        .iter()
        .filter(|o| matches!(o, ChangeOutcome::Refused { .. }))
        .count();
    let first = ChangeOutcome::Applied { mine: false };
    assert_eq!((&outcomes[0], refused), (&first, 3), "{outcomes:?}");
    t.assert_equal();
    for at in 0..3 {
        let (hash, must_change) = password_of(&t, at, "dee");
        assert!(orgdesk_core::password::verify("Fresh-Pass-42", &hash));
        assert!(must_change);
        let (anns, _) = password_of(&t, at, "ann");
        assert!(orgdesk_core::password::verify(crate::PASSWORD, &anns));
    }
    let seen: Vec<(String, Option<String>)> = refusals(&t.dirs[0])
        .into_iter()
        .map(|r| (r.1, r.2))
        .collect();
    assert_eq!(
        seen,
        [
            ("Set the password of Ann Lee".to_owned(), None),
            (
                "A change of kind \"member.set_password\"".to_owned(),
                Some("args.passwordHash".to_owned())
            ),
            (
                "A change of kind \"member.set_password\"".to_owned(),
                Some("args.password".to_owned())
            ),
        ]
    );
    assert!(refusals(&t.dirs[0])[0].3.contains("only a Super Admin"));

    // Dee removed by Ann while Cy, who had not heard of it, sets her password: refused.
    t.ann_removes(dee);
    let again =
        Command::set_member_password(&t.dirs[2], dee, &new("Third-Pass-43", false)).unwrap();
    t.make(2, "cyrus", again).unwrap();
    t.send(0);
    t.send(2);
    let what = refused_everywhere(&mut t, 5, "does not exist", 2);
    assert_eq!(what, format!("Set the password of member {dee}"));
}

/// Bo imports `text` (a CSV) on his computer, enrolled as his device: queued as the changes
/// of its parts.
fn import_in_team(t: &mut Team, text: &str) -> (ImportReport, Vec<String>) {
    t.dirs[1].set_team_device_account("acc_bohan").unwrap();
    t.clock.advance_secs(1);
    let (_dir, path) = crate::temp_file("people.csv", text);
    let opts = ImportOptions {
        create_missing_departments: true,
        ..ImportOptions::default()
    };
    let bo = t.actor(1, "bohan");
    match t.dirs[1]
        .import_file(&bo, &path, &opts, &Control::none())
        .unwrap()
    {
        ImportMade::Queued { report, change_ids } => (report, change_ids),
        ImportMade::Done(_) => panic!("a computer in a team queues its import"),
    }
}

const PEOPLE: &str = "Name,Username,Password,Email,Department,Employee ID\n\
    Gil Ray,gil,Fresh-Pass-42,,Ops/Field,E-1\n\
    Dee Member,dee,,,Sales,E-2\n\
    Hal Fox,,,hal@example.com,Sales,E-3\n";

#[test]
fn an_import_in_a_team_goes_through_the_log_all_or_nothing() {
    let mut t = team();
    // Ann adds a Gil first: Bo's import, made before that came back, is refused whole.
    t.make(0, "ann", add(&t, "Gil Lee", "gil", "Sales"))
        .unwrap();
    let (report, ids) = import_in_team(&mut t, PEOPLE);
    assert_eq!((report.counts.create, report.counts.update), (2, 1));
    assert!(!report.committed);
    assert_eq!(ids.len(), 1);
    let body = t.dirs[1].pending_commands().unwrap()[0].body.clone();
    assert_eq!(body["kind"], "member.import");
    let written = Value::Object(body).to_string();
    assert!(!written.contains("Fresh-Pass-42"), "{written}");
    assert!(written.contains("passwordHash"), "{written}");
    // Nothing shows before it is back.
    assert!(t.dirs[1].find_member("hal@example.com").is_err());
    t.send(0);
    t.send(1);
    let outcomes = t.apply_all();
    assert_eq!(outcomes[0], ChangeOutcome::Applied { mine: true });
    assert!(
        matches!(&outcomes[1], ChangeOutcome::Refused { reason, .. }
            if reason.contains("Row 2:") && reason.contains("Gil Lee")),
        "{outcomes:?}"
    );
    t.assert_equal();
    let mine = t.dirs[1].my_refused_changes().unwrap();
    assert_eq!(mine[0].what, "Import 3 rows (part 1 of 1)");
    for d in &t.dirs {
        assert!(d.find_member("hal@example.com").is_err());
        assert!(d.resolve_department_path("Ops").is_err());
        let dee = d.find_member("dee").unwrap();
        assert_eq!(d.member_details(dee).unwrap().employee_id, None);
    }

    // The same file with another username: applied on every computer, alike.
    let (_, ids) = import_in_team(&mut t, &PEOPLE.replace(",gil,", ",gus,"));
    t.send(1);
    let outcomes = t.apply_all();
    assert_eq!(outcomes[2], ChangeOutcome::Applied { mine: false });
    t.assert_equal();
    assert_eq!(t.dirs[1].change_fate(&ids[0]).unwrap(), ChangeFate::Applied);
    for d in &t.dirs {
        let gus = d.find_member("gus").unwrap();
        let details = d.member_details(gus).unwrap();
        assert_eq!(details.status, MemberStatus::Enabled);
        assert_eq!(details.employee_id.as_deref(), Some("E-1"));
        assert!(d.resolve_department_path("Ops/Field").is_ok());
        let hal = d.find_member("hal@example.com").unwrap();
        assert_eq!(
            d.member_details(hal).unwrap().status,
            MemberStatus::NotJoined
        );
        let dee = d.find_member("dee").unwrap();
        assert_eq!(
            d.member_details(dee).unwrap().employee_id.as_deref(),
            Some("E-2")
        );
    }
    for at in 0..3 {
        let (hash, _) = password_of(&t, at, "gus");
        assert!(orgdesk_core::password::verify("Fresh-Pass-42", &hash));
    }

    // Bodies that break the rules are refused naming the field.
    let at = t.clock.now_ms();
    let part = |row: Value| {
        json!({"format": 1, "at": at, "kind": "member.import", "args": {"part": 1, "parts": 1,
            "createMissingDepartments": false, "lang": "en",
            "columns": {"email": true, "mobile": false, "employeeId": false, "workLocation": false, "position": false},
            "rows": [row]}})
        .as_object()
        .unwrap()
        .clone()
    };
    let sales = t.dept("Sales");
    let cases = [
        (
            json!({"row": 2, "name": "Ivo", "email": "not an email", "positions": [{"department": {"id": sales}}]}),
            "args.rows[0].email",
        ),
        (
            json!({"row": 2, "name": "Ivo", "username": "ivo", "password": "Fresh-Pass-42", "positions": [{"department": {"id": sales}}]}),
            "args.rows[0].password",
        ),
        (
            json!({"row": 2, "name": "Ivo", "username": "ivo", "passwordHash": "Fresh-Pass-42", "positions": [{"department": {"id": sales}}]}),
            "args.rows[0].passwordHash",
        ),
    ];
    for (i, (row, _)) in cases.iter().enumerate() {
        t.append(
            "dev_0",
            "acc_ann",
            &format!("bad-import-{i}"),
            part(row.clone()),
        );
    }
    t.apply_all();
    t.assert_equal();
    let fields: Vec<Option<String>> = refusals(&t.dirs[0])[1..]
        .iter()
        .map(|r| r.2.clone())
        .collect();
    let expected: Vec<Option<String>> = cases.iter().map(|c| Some(c.1.to_owned())).collect();
    assert_eq!(fields, expected, "{:#?}", refusals(&t.dirs[0]));
}

#[test]
fn a_large_import_in_a_team_is_split_into_changes_of_whole_rows() {
    let mut t = team();
    let place = "x".repeat(60);
    let mut text = String::from("Name,Email,Department,Work Location\n");
    for n in 0..1200 {
        text.push_str(&format!("Person {n},p{n}@example.com,Sales,{place}\n"));
    }
    let (report, ids) = import_in_team(&mut t, &text);
    assert_eq!(report.counts.create, 1200);
    assert!(ids.len() >= 3, "{} changes", ids.len());
    let pending = t.dirs[1].pending_commands().unwrap();
    let mut rows = 0;
    for (i, p) in pending.iter().enumerate() {
        let size = Value::Object(p.body.clone()).to_string().len();
        assert!(size <= orgdesk_protocol::MAX_CHANGE_BODY_BYTES, "{size}");
        assert_eq!(p.body["args"]["part"], json!(i + 1));
        assert_eq!(p.body["args"]["parts"], json!(ids.len()));
        rows += p.body["args"]["rows"].as_array().unwrap().len();
    }
    assert_eq!(rows, 1200);
    t.send(1);
    applied_everywhere(&mut t);
    for d in &t.dirs {
        assert!(d.find_member("p0@example.com").is_ok());
        assert!(d.find_member("p1199@example.com").is_ok());
    }
    // The import counts once against the day's quota, whatever its parts.
    let imports: i64 = t.dirs[2]
        .connection()
        .query_row("SELECT count(*) FROM imports", [], |r| r.get(0))
        .unwrap();
    assert_eq!(imports, 1);
}

/// Each computer enrolled as a device of its admin's account (Ann, Bo, Cy), so that what the
/// feed brings goes through the log.
fn enrolled(t: &mut Team) {
    for (d, account) in t.dirs.iter_mut().zip(["acc_ann", "acc_bohan", "acc_cyrus"]) {
        d.set_team_device_account(account).unwrap();
    }
}

/// Every computer applies the log to its end, refusing none of it; the directories stay
/// equal.
fn nothing_refused(t: &mut Team) {
    let outcomes = t.apply_all();
    assert!(
        outcomes
            .iter()
            .all(|o| !matches!(o, ChangeOutcome::Refused { .. })),
        "{outcomes:?}"
    );
    t.assert_equal();
}

/// `username` is a member on every computer, with the same id.
fn member_alike(t: &Team, username: &str) {
    let id = t.dirs[0].find_member(username).unwrap();
    for d in &t.dirs {
        assert_eq!(d.find_member(username).unwrap(), id);
    }
}

/// The join requests a directory holds: (username, state).
fn join_requests_of(d: &Directory) -> Vec<(String, String)> {
    let mut all: Vec<(String, String)> = d
        .join_requests(false)
        .unwrap()
        .into_iter()
        .map(|r| (r.username, format!("{:?}", r.state)))
        .collect();
    all.sort();
    all
}

/// Computer `at` pulls waiting requests from `usernames` (gateway ids `jr_<username>`) from
/// the gateway's feed and sends the changes it queued; answers the feed's events.
fn pulled(t: &mut Team, at: usize, usernames: &[&str]) -> Vec<orgdesk_protocol::Event> {
    let events = crate::join_requests::waiting_events(usernames);
    t.dirs[at]
        .apply_gateway_events(&events, events.len() as i64)
        .unwrap();
    t.send(at);
    events
}

#[test]
fn a_join_request_pulled_by_several_computers_is_recorded_once_on_each() {
    use orgdesk_core::join::JoiningRules;
    let mut t = team();
    enrolled(&mut t);
    // Two computers pull the same request from the feed: nothing is recorded yet, each
    // queues it as a change of the log (the hash the gateway sent, never a password).
    let noa = crate::invitations::join_event(1, "jr_noa", "noa", Some("noa@example.com"), true);
    for at in [0, 1] {
        t.dirs[at]
            .apply_gateway_events(std::slice::from_ref(&noa), 1)
            .unwrap();
        assert!(join_requests_of(&t.dirs[at]).is_empty());
        let queued = t.dirs[at].pending_commands().unwrap();
        assert_eq!(queued.len(), 1);
        assert_eq!(queued[0].body["kind"], "join.request");
        assert!(queued[0].body["args"]["request"]["passwordHash"]
            .as_str()
            .unwrap()
            .starts_with("$argon2id$"));
    }
    t.send(1);
    t.send(0);
    nothing_refused(&mut t);
    for d in &t.dirs {
        assert_eq!(
            join_requests_of(d),
            [("noa".to_string(), "Pending".to_string())]
        );
        assert!(d.pending_commands().unwrap().is_empty());
    }

    // Without approval (the gateway's word and the organization's joining rules, set by a
    // change of the log), the member is created once, with the same id everywhere, as the
    // direct path does.
    let open = JoiningRules {
        approval_required: false,
        required_fields: Vec::new(),
    };
    t.make(2, "cyrus", Command::SetJoiningRules { rules: open })
        .unwrap();
    t.send(2);
    nothing_refused(&mut t);
    let omar = crate::invitations::join_event(2, "jr_omar", "omar", None, false);
    for at in [2, 0] {
        t.dirs[at]
            .apply_gateway_events(std::slice::from_ref(&omar), 2)
            .unwrap();
        t.send(at);
    }
    nothing_refused(&mut t);
    let id = t.dirs[0].find_member("omar").unwrap();
    for d in &t.dirs {
        assert_eq!(d.find_member("omar").unwrap(), id);
        assert!(join_requests_of(d).contains(&("omar".to_string(), "Approved".to_string())));
    }

    // Outside a team nothing changes: the request is recorded directly.
    let (mut alone, _) = crate::with_org();
    let pia = crate::invitations::join_event(1, "jr_pia", "pia", None, true);
    alone.apply_gateway_events(&[pia], 1).unwrap();
    assert_eq!(
        join_requests_of(&alone),
        [("pia".to_string(), "Pending".to_string())]
    );
    assert!(alone.pending_commands().unwrap().is_empty());
}

#[test]
fn a_join_decision_is_applied_everywhere_and_told_to_the_gateway_by_its_author_only() {
    use orgdesk_core::join::{JoinDecision, JoinPlacement};
    let mut t = team();
    enrolled(&mut t);
    pulled(&mut t, 2, &["noa", "omar"]);
    nothing_refused(&mut t);
    let request = |t: &Team, at: usize, username: &str| {
        t.dirs[at]
            .join_requests(false)
            .unwrap()
            .into_iter()
            .find(|r| r.username == username)
            .unwrap()
            .id
    };

    // Bo approves Noa into Sales on his computer; Cy rejects Omar on his.
    let sales = JoinPlacement {
        department_id: Some(t.dept("Sales")),
        role_id: None,
    };
    let approve = Command::decide_join(
        &t.dirs[1],
        &[request(&t, 1, "noa")],
        JoinDecision::Approve(sales),
    )
    .unwrap();
    t.make(1, "bohan", approve).unwrap();
    let reject =
        Command::decide_join(&t.dirs[2], &[request(&t, 2, "omar")], JoinDecision::Reject).unwrap();
    t.make(2, "cyrus", reject).unwrap();
    // Queued, not decided: nothing shows until the change is back.
    assert!(t.dirs[1].find_member("noa").is_err());
    t.send(1);
    t.send(2);
    nothing_refused(&mut t);
    member_alike(&t, "noa");
    for d in &t.dirs {
        assert_eq!(
            join_requests_of(d),
            [
                ("noa".to_string(), "Approved".to_string()),
                ("omar".to_string(), "Rejected".to_string())
            ]
        );
    }
    // The gateway hears each decision once, from the computer that made it.
    let told = |r: &str, v: &str| vec![(r.to_string(), v.to_string())];
    assert_eq!(crate::join_requests::decisions(&t.dirs[0]), []);
    assert_eq!(
        crate::join_requests::decisions(&t.dirs[1]),
        told("jr_noa", "approved")
    );
    assert_eq!(
        crate::join_requests::decisions(&t.dirs[2]),
        told("jr_omar", "rejected")
    );
    assert_eq!(t.dirs[0].due_account_refusals(10).unwrap().len(), 0);
    assert_eq!(t.dirs[2].due_account_refusals(10).unwrap().len(), 1);

    // Ann re-approves Omar: her computer tells the gateway; Cy's reject, not sent yet, is
    // no longer what the gateway must hear, and the refusal of the account is dropped.
    let again = Command::decide_join(
        &t.dirs[0],
        &[request(&t, 0, "omar")],
        JoinDecision::Approve(JoinPlacement::default()),
    )
    .unwrap();
    t.make(0, "ann", again).unwrap();
    t.send(0);
    nothing_refused(&mut t);
    assert_eq!(
        crate::join_requests::decisions(&t.dirs[0]),
        told("jr_omar", "approved")
    );
    assert_eq!(crate::join_requests::decisions(&t.dirs[2]), []);
    assert_eq!(t.dirs[2].due_account_refusals(10).unwrap().len(), 0);
    let omar = t.dirs[0].find_member("omar").unwrap();
    for d in &t.dirs {
        assert_eq!(d.find_member("omar").unwrap(), omar);
    }

    // Deciding a request again is refused everywhere alike, naming it.
    let twice =
        Command::decide_join(&t.dirs[1], &[request(&t, 1, "noa")], JoinDecision::Reject).unwrap();
    assert!(t.make(1, "bohan", twice).is_err());
}

#[test]
fn a_computer_that_joins_from_a_snapshot_holds_the_join_requests_and_decides_them() {
    use orgdesk_core::join::{JoinDecision, JoinPlacement};
    let mut t = team();
    enrolled(&mut t);
    let events = pulled(&mut t, 0, &["noa", "omar", "pia"]);
    // Only the first two computers follow the log: Ann rejects Omar and approves Pia.
    let follow = |t: &mut Team| {
        for d in &mut t.dirs[..2] {
            for c in &t.log {
                assert!(!matches!(
                    d.apply_change(c).unwrap(),
                    ChangeOutcome::Refused { .. }
                ));
            }
        }
    };
    follow(&mut t);
    let id = crate::join_requests::id_of;
    let reject = Command::decide_join(&t.dirs[0], &[id(&t.dirs[0], "omar")], JoinDecision::Reject);
    t.make(0, "ann", reject.unwrap()).unwrap();
    let approve = JoinDecision::Approve(JoinPlacement::default());
    let pia = Command::decide_join(&t.dirs[0], &[id(&t.dirs[0], "pia")], approve);
    t.make(0, "ann", pia.unwrap()).unwrap();
    t.send(0);
    follow(&mut t);

    // The third computer joins the team from a snapshot taken at the end of the log: it
    // holds the requests as the others do, waiting, rejected and approved.
    t.cy_joins_anew_from(0);
    assert_eq!(join_requests_of(&t.dirs[2]), join_requests_of(&t.dirs[0]));
    assert_eq!(join_requests_of(&t.dirs[2]).len(), 3);

    // Cy approves Noa into Sales and re-approves Omar there: applied on all three alike.
    let sales = JoinPlacement {
        department_id: Some(t.dept("Sales")),
        role_id: None,
    };
    let ids = [id(&t.dirs[2], "noa"), id(&t.dirs[2], "omar")];
    let both = Command::decide_join(&t.dirs[2], &ids, JoinDecision::Approve(sales)).unwrap();
    t.make(2, "cyrus", both).unwrap();
    t.send(2);
    nothing_refused(&mut t);
    let approved = |u: &str| (u.to_string(), "Approved".to_string());
    for d in &t.dirs {
        assert_eq!(
            join_requests_of(d),
            [approved("noa"), approved("omar"), approved("pia")]
        );
        assert!(d.find_member("noa").is_ok() && d.find_member("omar").is_ok());
    }
    let told = crate::join_requests::decisions(&t.dirs[2]);
    assert_eq!(told.len(), 2, "{told:?}");
    assert!(told.iter().all(|(_, v)| v == "approved"));

    // The second computer pulls Pia's request late: every computer finds it recorded,
    // the joined one too, and nothing changes.
    t.dirs[1]
        .apply_gateway_events(std::slice::from_ref(&events[2]), 3)
        .unwrap();
    t.send(1);
    nothing_refused(&mut t);
    assert_eq!(join_requests_of(&t.dirs[2]), join_requests_of(&t.dirs[1]));
}

#[test]
fn joining_rules_set_on_one_computer_judge_a_later_request_alike_on_all() {
    use orgdesk_core::join::JoiningRules;
    let mut t = team();
    enrolled(&mut t);
    // Bo lets people in without approval, asking for their email: a change of the log, so
    // every computer holds the same rules.
    let rules = JoiningRules {
        approval_required: false,
        required_fields: vec!["email".into()],
    };
    let set = Command::SetJoiningRules {
        rules: rules.clone(),
    };
    t.make(1, "bohan", set).unwrap();
    // Queued, not applied: the rules change when the change is back.
    assert!(t.dirs[1].joining_rules().unwrap().approval_required);
    t.send(1);
    nothing_refused(&mut t);
    for d in &t.dirs {
        assert_eq!(d.joining_rules().unwrap(), rules);
    }

    // Requests the gateway let in, pulled by Ann's and Cy's computers, are judged by those
    // rules on every computer: with an email the member is created, without one refused.
    let with_email =
        crate::invitations::join_event(1, "jr_noa", "noa", Some("n@example.com"), false);
    let without = crate::invitations::join_event(2, "jr_omar", "omar", None, false);
    t.dirs[0].apply_gateway_events(&[with_email], 1).unwrap();
    t.dirs[2].apply_gateway_events(&[without], 2).unwrap();
    t.send(0);
    t.send(2);
    nothing_refused(&mut t);
    member_alike(&t, "noa");
    for d in &t.dirs {
        assert!(d.find_member("omar").is_err());
        assert_eq!(
            join_requests_of(d),
            [
                ("noa".to_string(), "Approved".to_string()),
                ("omar".to_string(), "Rejected".to_string())
            ]
        );
    }
    // Only the computer whose change it was asks the gateway to remove Omar's account.
    assert_eq!(t.dirs[2].due_account_refusals(10).unwrap().len(), 1);
    assert_eq!(t.dirs[0].due_account_refusals(10).unwrap().len(), 0);

    // A field a person cannot be asked for is refused when the change is made, and a body
    // naming one is refused by every computer, naming the field.
    let bad = JoiningRules {
        approval_required: true,
        required_fields: vec!["shoe_size".into()],
    };
    let refused = t
        .make(0, "ann", Command::SetJoiningRules { rules: bad })
        .unwrap_err();
    assert!(refused.to_string().contains("shoe_size"), "{refused}");
    let body = json!({"format": 1, "at": 1, "kind": "join.rules",
        "args": {"rules": {"approvalRequired": true, "requiredFields": ["shoe_size"]}}});
    t.append(
        "dev_0",
        "acc_ann",
        "bad-rules",
        body.as_object().unwrap().clone(),
    );
    t.apply_all();
    t.assert_equal();
    let refused = refusals(&t.dirs[1]).pop().unwrap();
    assert_eq!(refused.2.as_deref(), Some("args.rules.requiredFields"));
    assert!(refused.3.contains("shoe_size"), "{}", refused.3);
    for d in &t.dirs {
        assert_eq!(d.joining_rules().unwrap(), rules);
    }
}

/// The gateway account `username` is bound to on each computer.
fn accounts_of(t: &Team, username: &str) -> Vec<Option<String>> {
    let member = t.member(username);
    t.dirs
        .iter()
        .map(|d| d.gateway_account_of(member).unwrap())
        .collect()
}

/// Three enrolled computers; Bo has added Eve on his, not sent yet.
fn eve_added_by_bo() -> Team {
    let mut t = team();
    enrolled(&mut t);
    t.make(1, "bohan", add(&t, "Eve Stone", "eve", "Sales"))
        .unwrap();
    t
}

#[test]
fn a_member_added_through_the_log_is_bound_to_one_account_everywhere_and_mirrored_by_all() {
    // Bo imports Gil (with a username) and Hal (without) too.
    let mut t = eve_added_by_bo();
    import_in_team(&mut t, PEOPLE);
    // A change of an older version carries no account id.
    let Command::AddMember {
        member,
        password_hash,
        ..
    } = add(&t, "Old Timer", "old", "Sales")
    else {
        unreachable!("member.add")
    };
    let old = Command::AddMember {
        member,
        password_hash,
        account_id: None,
    };
    t.make(2, "cyrus", old).unwrap();
    t.send(1);
    t.send(2);
    nothing_refused(&mut t);
    for username in ["eve", "gil"] {
        let ids = accounts_of(&t, username);
        let id = ids[0].clone().expect("bound to an account");
        assert!(orgdesk_rules::account::is_account_id(&id), "{id}");
        assert_eq!(ids, vec![Some(id.clone()); 3], "{username}");
        // Every computer mirrors the member, naming that account.
        for d in &t.dirs {
            let due = d.due_account_mirror(500).unwrap();
            let item = due.iter().find(|i| i.account.username == username).unwrap();
            assert_eq!(item.account.account_id.as_deref(), Some(id.as_str()));
        }
    }
    assert_ne!(accounts_of(&t, "eve"), accounts_of(&t, "gil"));
    let hal = t.dirs[0].find_member("hal@example.com").unwrap();
    assert_eq!(t.dirs[0].gateway_account_of(hal).unwrap(), None);
    // The older change's member stays unbound, and in a team unmirrored, as before.
    assert_eq!(accounts_of(&t, "old"), vec![None; 3]);
    for d in &t.dirs {
        let due = d.due_account_mirror(500).unwrap();
        assert!(due.iter().all(|i| i.account.username != "old"), "{due:?}");
    }
    // The gateway answers the named accounts: every computer records them alike.
    for d in &mut t.dirs {
        let due = d.due_account_mirror(500).unwrap();
        let answered: Vec<String> = due
            .iter()
            .map(|i| i.account.account_id.clone().unwrap())
            .collect();
        d.account_mirror_done(&due, &answered).unwrap();
        assert!(d.due_account_mirror(500).unwrap().is_empty());
    }
    t.assert_equal();
}

#[test]
fn an_account_id_a_change_carries_is_checked_and_never_another_members() {
    let mut t = eve_added_by_bo();
    t.send(1);
    applied_everywhere(&mut t);
    let eve = accounts_of(&t, "eve")[0].clone().unwrap();
    // Bodies adding a member under Eve's account, and under an id of another form.
    let bo = t.dirs[1]
        .gateway_account_of(t.member("bohan"))
        .unwrap()
        .unwrap();
    for (n, (id, username)) in [(eve.as_str(), "zed"), ("acc_1", "yan")]
        .into_iter()
        .enumerate()
    {
        t.make(1, "bohan", add(&t, "Zed Yan", username, "Sales"))
            .unwrap();
        let mut made = t.dirs[1].pending_commands().unwrap().pop().unwrap();
        made.body["args"]["accountId"] = json!(id);
        t.append("dev_1", &bo, &format!("forged-{n}"), made.body);
    }
    let outcomes = t.apply_all();
    let refused = |o: &ChangeOutcome, why: &str| matches!(o, ChangeOutcome::Refused { reason, .. } if reason.contains(why));
    assert!(refused(&outcomes[1], "another member's"), "{outcomes:?}");
    assert!(refused(&outcomes[2], "acc_ and 32"), "{outcomes:?}");
    t.assert_equal();
    assert_eq!(accounts_of(&t, "eve"), vec![Some(eve); 3]);
    assert!(t.dirs[0].find_member("zed").is_err());
}
