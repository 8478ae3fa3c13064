//! The Super Admin role and the Super Admins themselves are a Super Admin's to manage: an Admin
//! can neither give nor take away the role (in a dialog, an edit, an import or a join
//! approval), nor change a Super Admin's status, remove them, or set or reset their password —
//! so an Admin cannot make themselves a Super Admin or take a Super Admin's account.

use orgdesk_core::audit::Actor;
use orgdesk_core::batch::{BatchChange, Selection};
use orgdesk_core::join::{JoinDecision, JoinPlacement};
use orgdesk_core::members::{MemberAction, MemberPatch, SetPasswordInput};
use orgdesk_core::spreadsheet::{Control, ImportOptions, RowOutcome};
use orgdesk_core::types::{MemberId, MemberStatus, RoleId};
use orgdesk_core::{CoreError, Directory};

use crate::{admin, column, count, field_codes, invitee, new_member, pos, temp_file, with_org};

struct Org {
    d: Directory,
    /// Bob, an Admin; Cy, a second Super Admin; Dan, a Member.
    bob: Actor,
    cy: MemberId,
    dan: MemberId,
    super_admin: RoleId,
    member: RoleId,
}

fn org() -> Org {
    let (mut d, _) = with_org();
    let root = d.department_tree().unwrap().id;
    let ann = admin(&d);
    let super_admin = d.role_by_name("Super Admin").unwrap();
    let member = d.role_by_name("Member").unwrap();
    let add = |d: &mut Directory, name: &str, username: &str, role: RoleId| {
        let mut input = new_member(name, username, vec![pos(root, None)]);
        input.role_ids = vec![role];
        d.add_member(&ann, &input).unwrap()
    };
    let admin_role = d.role_by_name("Admin").unwrap();
    let bob = add(&mut d, "Bob Stone", "bob", admin_role);
    let cy = add(&mut d, "Cy Park", "cyp", super_admin);
    let dan = add(&mut d, "Dan Ode", "dan", member);
    Org {
        d,
        bob: Actor::member(bob, "Bob Stone"),
        cy,
        dan,
        super_admin,
        member,
    }
}

fn roles(d: &Directory, id: MemberId) -> Vec<String> {
    d.member_details(id)
        .unwrap()
        .roles
        .into_iter()
        .map(|r| r.name)
        .collect()
}

/// Eve, added by an import, if she was.
fn eve(d: &Directory) -> Option<MemberId> {
    let ids: Vec<i64> = column(d, "SELECT id FROM members WHERE email = 'eve@example.com'");
    ids.first().map(|&id| MemberId(id))
}

fn forbidden(r: Result<impl std::fmt::Debug, CoreError>) -> String {
    match r {
        Err(CoreError::Forbidden(why)) => why,
        other => panic!("expected a refusal, got {other:?}"),
    }
}

fn super_admin_only(r: Result<impl std::fmt::Debug, CoreError>) {
    let e = r.expect_err("an Admin's change to the Super Admin role must be refused");
    assert_eq!(
        field_codes(e),
        [("roleIds".to_owned(), "super_admin_only".to_owned())]
    );
}

#[test]
fn an_admin_can_neither_give_nor_take_away_the_super_admin_role() {
    let Org {
        mut d,
        bob,
        cy,
        dan,
        super_admin,
        member,
    } = org();
    let root = d.department_tree().unwrap().id;
    let members = count(&d, "members");

    // Adding a Super Admin, by the wizard or for invitation.
    let mut new = new_member("Eve", "eve", vec![pos(root, None)]);
    new.role_ids = vec![super_admin];
    super_admin_only(d.add_member(&bob, &new));
    let mut inv = invitee("Fay", "fay@example.com", root);
    inv.role_ids = vec![super_admin, member];
    super_admin_only(d.add_invitee(&bob, &inv));
    assert_eq!(count(&d, "members"), members, "nothing written");

    // Making oneself or another a Super Admin, or taking the role from one.
    let to = |ids: Vec<RoleId>| MemberPatch {
        role_ids: Some(ids),
        ..Default::default()
    };
    let bob_id = bob.id.unwrap();
    super_admin_only(d.update_member(&bob, bob_id, &to(vec![super_admin])));
    super_admin_only(d.update_member(&bob, dan, &to(vec![super_admin, member])));
    super_admin_only(d.update_member(&bob, cy, &to(vec![member])));
    assert_eq!(roles(&d, bob_id), ["Admin"]);
    assert_eq!(roles(&d, dan), ["Member"]);
    assert_eq!(roles(&d, cy), ["Super Admin"]);

    // Other roles stay an Admin's, of a Super Admin too, who keeps the role.
    d.update_member(&bob, dan, &to(vec![d.role_by_name("Admin").unwrap()]))
        .unwrap();
    d.update_member(&bob, cy, &to(vec![super_admin, member]))
        .unwrap();
    assert_eq!(roles(&d, cy), ["Super Admin", "Member"]);

    // A Super Admin does all of it.
    let ann = admin(&d);
    d.update_member(&ann, dan, &to(vec![super_admin])).unwrap();
    d.update_member(&ann, cy, &to(vec![member])).unwrap();
    assert_eq!(roles(&d, dan), ["Super Admin"]);
    assert_eq!(roles(&d, cy), ["Member"]);
    d.add_member(&ann, &new).unwrap();
}

#[test]
fn an_admin_cannot_lock_out_remove_or_take_over_a_super_admin() {
    let Org {
        mut d,
        bob,
        cy,
        dan,
        ..
    } = org();
    for action in [MemberAction::Disable, MemberAction::Resign] {
        assert_eq!(
            forbidden(d.change_status(&bob, cy, action)),
            "Cy Park is a Super Admin: only a Super Admin can change their status."
        );
    }
    assert_eq!(
        forbidden(d.remove_member(&bob, cy, Some(dan))),
        "Cy Park is a Super Admin: only a Super Admin can remove them."
    );
    let set = SetPasswordInput {
        password: "Temp-Orchid-51".into(),
        must_change: false,
    };
    assert_eq!(
        forbidden(d.set_member_password(&bob, cy, &set)),
        "Cy Park is a Super Admin: only a Super Admin can set their password."
    );
    // A reset link could be shown to the admin who asks for it.
    assert_eq!(
        forbidden(d.password_reset_target(&bob, cy)),
        "Cy Park is a Super Admin: only a Super Admin can reset their password."
    );
    assert_eq!(d.member_details(cy).unwrap().status, MemberStatus::Enabled);

    // A batch passes the Super Admin over and changes the others.
    let out = d
        .batch_update(
            &bob,
            &Selection::Ids { ids: vec![cy, dan] },
            &BatchChange::Disable,
        )
        .unwrap();
    assert_eq!(out.changed, 1);
    assert_eq!(out.skipped.len(), 1);
    assert_eq!(out.skipped[0].id, cy);
    assert_eq!(
        out.skipped[0].reason,
        "Only a Super Admin can change a Super Admin's status."
    );
    assert_eq!(d.member_details(cy).unwrap().status, MemberStatus::Enabled);
    assert_eq!(
        d.member_details(dan).unwrap().status,
        MemberStatus::Disabled
    );

    // The same for an Admin as for anyone: a Member is theirs to manage.
    d.password_reset_target(&bob, dan).unwrap_err(); // disabled: no enabled account
    d.change_status(&bob, dan, MemberAction::Enable).unwrap();
    d.password_reset_target(&bob, dan).unwrap();

    // A Super Admin manages another.
    let ann = admin(&d);
    d.password_reset_target(&ann, cy).unwrap();
    d.set_member_password(&ann, cy, &set).unwrap();
    d.change_status(&ann, cy, MemberAction::Disable).unwrap();
    d.remove_member(&ann, cy, Some(dan)).unwrap();
}

#[test]
fn an_admins_import_cannot_give_or_take_away_the_super_admin_role() {
    let Org { mut d, bob, .. } = org();
    let (_dir, file) = temp_file(
        "people.csv",
        "Name,Username,Email,Department,Role\n\
         Eve,,eve@example.com,Acme,Super Admin\n\
         Cy Park,cyp,,Acme,Member\n\
         Gus,,gus@example.com,Acme,Admin\n",
    );
    let opts = ImportOptions::default();
    let report = d
        .import_members(&bob, &file, &opts, &Control::none())
        .unwrap();
    let outcomes: Vec<_> = report.rows.iter().map(|r| r.outcome).collect();
    assert_eq!(
        outcomes,
        [RowOutcome::Failed, RowOutcome::Failed, RowOutcome::Create]
    );
    for row in &report.rows[..2] {
        assert_eq!(row.problems.len(), 1, "{row:?}");
        assert_eq!(row.problems[0].column.as_deref(), Some("Role"));
        assert_eq!(
            row.problems[0].reason,
            "Only a Super Admin can give or take away the Super Admin role."
        );
    }
    let cy = d.find_member("cyp").unwrap();
    assert_eq!(roles(&d, cy), ["Super Admin"]);
    assert_eq!(eve(&d), None);

    // The preview says the same for the admin it is made for, and a Super Admin's import
    // makes both changes.
    let ann = admin(&d);
    let for_bob = opts.acting_as(&d, &bob).unwrap();
    let for_ann = opts.acting_as(&d, &ann).unwrap();
    let preview = |o: &ImportOptions| {
        d.preview_import(&file, o, &Control::none())
            .unwrap()
            .counts
            .failed
    };
    assert_eq!(preview(&for_bob), 2);
    assert_eq!(preview(&for_ann), 0);
    d.import_members(&ann, &file, &opts, &Control::none())
        .unwrap();
    assert_eq!(roles(&d, cy), ["Member"]);
    let eve = eve(&d).expect("Eve imported");
    assert_eq!(roles(&d, eve), ["Super Admin"]);
}

#[test]
fn an_admin_cannot_approve_a_join_request_into_the_super_admin_role() {
    let Org {
        mut d,
        bob,
        super_admin,
        member,
        ..
    } = org();
    crate::join_requests::add_requests(&mut d, &["noa", "omar"]);
    let noa = crate::join_requests::id_of(&d, "noa");
    let into = |role| {
        JoinDecision::Approve(JoinPlacement {
            department_id: None,
            role_id: Some(role),
        })
    };
    let e = d
        .decide_join_requests(&bob, &[noa], into(super_admin))
        .unwrap_err();
    assert_eq!(
        field_codes(e),
        [("roleId".to_owned(), "super_admin_only".to_owned())]
    );
    assert_eq!(d.join_requests(true).unwrap().len(), 2, "both still wait");
    let joined = d.decide_join_requests(&bob, &[noa], into(member)).unwrap();
    assert_eq!(roles(&d, joined[0]), ["Member"]);
    let omar = crate::join_requests::id_of(&d, "omar");
    let joined = d
        .decide_join_requests(&admin(&d), &[omar], into(super_admin))
        .unwrap();
    assert_eq!(roles(&d, joined[0]), ["Super Admin"]);
}
