use orgdesk_core::audit::{self, Actor};
use orgdesk_core::invitations::{InvitationQuery, InvitationRow, InviteChannel};
use orgdesk_core::members::{MemberAction, MemberPatch, MemberQuery, NewInvitee, StatusFilter};
use orgdesk_core::types::{DepartmentId, MemberId, MemberStatus};
use orgdesk_core::{Directory, ErrorCode};

use crate::{
    field_codes, invitee, listed_names, new_member, place, places, pos, with_org_admin, PASSWORD,
};

/// The organization's root department, Sales below it and EMEA below Sales.
struct Depts {
    root: DepartmentId,
    sales: DepartmentId,
    emea: DepartmentId,
}

/// A fresh organization with its admin and the departments of [`Depts`].
fn org() -> (Directory, Actor, Depts) {
    let (mut d, a) = with_org_admin();
    let root = d.department_tree().unwrap().id;
    let sales = d.create_department(&a, root, "Sales").unwrap();
    let emea = d.create_department(&a, sales, "EMEA").unwrap();
    (d, a, Depts { root, sales, emea })
}

/// Adds a member with a username and the shared password, in department `dept`.
fn add_in(
    d: &mut Directory,
    a: &Actor,
    name: &str,
    username: &str,
    dept: DepartmentId,
) -> MemberId {
    add_placed(d, a, name, username, &[(dept, None)])
}

/// Adds a member with a username and the shared password, holding `positions` (department,
/// title; the first is the primary department).
fn add_placed(
    d: &mut Directory,
    a: &Actor,
    name: &str,
    username: &str,
    positions: &[(DepartmentId, Option<&str>)],
) -> MemberId {
    let positions = positions.iter().map(|&(dept, title)| pos(dept, title));
    d.add_member(a, &new_member(name, username, positions.collect()))
        .unwrap()
}

/// Adds Dee, to be invited by email, in department `dept`.
fn add_dee(d: &mut Directory, a: &Actor, dept: DepartmentId) -> MemberId {
    d.add_invitee(a, &invitee("Dee", "dee@example.com", dept))
        .unwrap()
}

#[test]
fn add_member_by_username_is_enabled_with_positions_and_roles() {
    let (mut d, a, Depts { sales, emea, .. }) = org();
    let admin_role = d.role_by_name("admin").unwrap();
    let mut input = new_member(
        "Bob Stone",
        "bob",
        vec![pos(emea, Some("Account Executive")), pos(sales, None)],
    );
    input.role_ids = vec![admin_role];
    input.email = Some("Bob@Example.com".into());
    let id = d.add_member(&a, &input).unwrap();
    let m = d.member_details(id).unwrap();
    assert_eq!(m.status, MemberStatus::Enabled);
    assert_eq!(m.username.as_deref(), Some("bob"));
    assert_eq!(m.positions[0].department_path, "Sales/EMEA");
    assert!(m.positions[0].is_primary && !m.positions[1].is_primary);
    assert_eq!(m.positions[0].title.as_deref(), Some("Account Executive"));
    assert_eq!(
        m.roles.iter().map(|r| r.name.as_str()).collect::<Vec<_>>(),
        ["Admin"]
    );
    assert_eq!(m.created_by.unwrap().name, "Ann Lee");
    assert!(m.activated_at.is_some());
    assert_eq!(m.history[0].action, "member.add");
    // The new member can sign in to the console (Admin role).
    d.sign_in(&orgdesk_core::auth::SignInInput {
        username: "BOB".into(),
        password: PASSWORD.into(),
    })
    .unwrap();
    // Default role is Member.
    let id2 = add_in(&mut d, &a, "Cy", "cyd", sales);
    assert_eq!(d.member_details(id2).unwrap().roles[0].name, "Member");
}

#[test]
fn add_member_rejects_bad_and_duplicate_input_and_writes_nothing() {
    let (mut d, a, Depts { sales, .. }) = org();
    d.add_member(&a, &{
        let mut m = new_member("Bob", "bob", vec![pos(sales, None)]);
        m.email = Some("bob@example.com".into());
        m
    })
    .unwrap();
    let before = d.list_members(&MemberQuery::default()).unwrap().total;
    let mut dup = new_member("Bobby", "BOB", vec![pos(sales, None)]);
    dup.email = Some("BOB@example.COM".into());
    assert_eq!(
        field_codes(d.add_member(&a, &dup).unwrap_err()),
        [
            ("username".into(), "taken".into()),
            ("email".into(), "taken".into())
        ]
    );
    let mut bad = new_member("", "b b", vec![pos(sales, None)]);
    bad.password = "short".into();
    bad.email = Some("not-an-email".into());
    assert_eq!(
        field_codes(d.add_member(&a, &bad).unwrap_err()),
        [
            ("name".into(), "required".into()),
            ("username".into(), "invalid_chars".into()),
            ("password".into(), "too_short".into()),
            ("password".into(), "weak".into()),
            ("email".into(), "invalid_email".into())
        ]
    );
    assert_eq!(
        field_codes(
            d.add_member(&a, &new_member("X", "xyz", vec![]))
                .unwrap_err()
        ),
        [("positions".into(), "required".into())]
    );
    assert_eq!(
        d.add_member(
            &a,
            &new_member("X", "xyz", vec![pos(DepartmentId(999), None)])
        )
        .unwrap_err()
        .code(),
        ErrorCode::NotFound
    );
    assert_eq!(
        d.list_members(&MemberQuery::default()).unwrap().total,
        before
    );
}

#[test]
fn invitee_is_not_joined_and_needs_email_or_mobile() {
    let (mut d, a, Depts { emea, .. }) = org();
    let id = d
        .add_invitee(
            &a,
            &NewInvitee {
                name: "Dee".into(),
                email: None,
                mobile: Some("+44 7911 123456".into()),
                department_id: emea,
                position: Some("Analyst".into()),
                role_ids: Vec::new(),
                link_only: false,
            },
        )
        .unwrap();
    let m = d.member_details(id).unwrap();
    assert_eq!(m.status, MemberStatus::NotJoined);
    assert_eq!(m.mobile.as_deref(), Some("+447911123456"));
    assert_eq!(
        m.allowed_actions,
        [MemberAction::Edit, MemberAction::Remove]
    );
    // No contact, a mobile already used (Dee's, written another way) and one that is no number.
    for (mobile, field, code) in [
        (None, "email", "required"),
        (Some("+447911123456"), "mobile", "taken"),
        (Some("12"), "mobile", "invalid_mobile"),
    ] {
        let refused = d
            .add_invitee(
                &a,
                &NewInvitee {
                    name: "E".into(),
                    email: None,
                    mobile: mobile.map(Into::into),
                    department_id: emea,
                    position: None,
                    role_ids: Vec::new(),
                    link_only: false,
                },
            )
            .unwrap_err();
        assert_eq!(
            field_codes(refused),
            [(field.into(), code.into())],
            "{mobile:?}"
        );
    }
}

#[test]
fn personal_fields_are_editable_only_before_joining() {
    let (mut d, a, Depts { sales, emea, .. }) = org();
    let inv = add_dee(&mut d, &a, emea);
    let patch = MemberPatch {
        name: Some("Dee Dee".into()),
        email: Some("dee2@example.com".into()),
        ..Default::default()
    };
    d.update_member(&a, inv, &patch).unwrap();
    assert_eq!(
        d.member_details(inv).unwrap().email.as_deref(),
        Some("dee2@example.com")
    );

    let bob = add_in(&mut d, &a, "Bob", "bob", sales);
    let patch = MemberPatch {
        name: Some("Robert".into()),
        mobile: Some("+14155552671".into()),
        ..Default::default()
    };
    let e = d.update_member(&a, bob, &patch).unwrap_err();
    assert_eq!(
        field_codes(e),
        [
            ("name".into(), "personal_field".into()),
            ("mobile".into(), "personal_field".into())
        ]
    );
    // Sending the unchanged value back is not an edit of it.
    let patch = MemberPatch {
        name: Some("Bob".into()),
        employee_id: Some("E-1".into()),
        work_location: Some("Berlin".into()),
        org_email: Some("bob@corp.example".into()),
        ..Default::default()
    };
    let out = d.update_member(&a, bob, &patch).unwrap();
    assert!(!out.must_sign_in_again);
    let m = d.member_details(bob).unwrap();
    assert_eq!(
        (m.employee_id.as_deref(), m.work_location.as_deref()),
        (Some("E-1"), Some("Berlin"))
    );
    assert!(m.personal_fields_locked);
    // Employee IDs are unique, case-insensitively.
    let cy = add_in(&mut d, &a, "Cy", "cyd", sales);
    let patch = MemberPatch {
        employee_id: Some("e-1".into()),
        ..Default::default()
    };
    assert_eq!(
        field_codes(d.update_member(&a, cy, &patch).unwrap_err()),
        [("employeeId".into(), "taken".into())]
    );
    // A department change asks the member to sign in again; so does a role change.
    let patch = MemberPatch {
        positions: Some(vec![pos(emea, Some("Rep"))]),
        ..Default::default()
    };
    let out = d.update_member(&a, cy, &patch).unwrap();
    assert!(out.must_sign_in_again);
    let admin_role = d.role_by_name("Admin").unwrap();
    let patch = MemberPatch {
        role_ids: Some(vec![admin_role]),
        ..Default::default()
    };
    assert!(d.update_member(&a, cy, &patch).unwrap().must_sign_in_again);
    assert_eq!(
        d.update_member(&a, MemberId(999), &MemberPatch::default())
            .unwrap_err()
            .code(),
        ErrorCode::NotFound
    );
}

#[test]
fn set_primary_department() {
    let (mut d, a, Depts { sales, emea, .. }) = org();
    let places = [(sales, Some("Rep")), (emea, Some("Lead"))];
    let bob = add_placed(&mut d, &a, "Bob", "bob", &places);
    d.set_primary_department(&a, bob, emea).unwrap();
    let m = d.member_details(bob).unwrap();
    assert_eq!(m.positions[0].department_name, "EMEA");
    assert!(m.positions[0].is_primary);
    assert_eq!(m.positions[1].title.as_deref(), Some("Rep"));
    let row = d
        .list_members(&MemberQuery {
            search: Some("bob".into()),
            ..Default::default()
        })
        .unwrap()
        .rows
        .remove(0);
    assert_eq!(
        (row.primary_department.as_deref(), row.position.as_deref()),
        (Some("EMEA"), Some("Lead"))
    );
    let root = d.department_tree().unwrap().id;
    assert_eq!(
        field_codes(d.set_primary_department(&a, bob, root).unwrap_err()),
        [("departmentId".into(), "not_in_department".into())]
    );
}

#[test]
fn status_transitions_and_their_guards() {
    let (mut d, a, Depts { sales, .. }) = org();
    let bob = add_in(&mut d, &a, "Bob", "bob", sales);
    assert_eq!(
        d.change_status(&a, bob, MemberAction::Disable).unwrap(),
        MemberStatus::Disabled
    );
    assert_eq!(
        d.change_status(&a, bob, MemberAction::Disable)
            .unwrap_err()
            .to_string(),
        "Bob is Disabled and cannot be disabled."
    );
    assert_eq!(
        d.change_status(&a, bob, MemberAction::Enable).unwrap(),
        MemberStatus::Enabled
    );
    assert_eq!(
        d.change_status(&a, bob, MemberAction::Resign).unwrap(),
        MemberStatus::Resigned
    );
    assert_eq!(
        d.update_member(&a, bob, &MemberPatch::default())
            .unwrap_err()
            .code(),
        ErrorCode::Conflict
    );
    assert_eq!(
        d.change_status(&a, bob, MemberAction::Restore).unwrap(),
        MemberStatus::Enabled
    );
    let me = d.initial_admin_id().unwrap();
    assert_eq!(
        d.change_status(&a, me, MemberAction::Disable)
            .unwrap_err()
            .to_string(),
        "You cannot disable yourself."
    );
    let log = audit::recent(d.connection(), 4).unwrap();
    assert_eq!(
        log.iter().map(|l| l.action.as_str()).collect::<Vec<_>>(),
        [
            "member.restore",
            "member.resign",
            "member.enable",
            "member.disable"
        ]
    );
}

fn invitation_of(d: &Directory, member: MemberId) -> InvitationRow {
    let mut rows = d
        .list_invitations(&InvitationQuery {
            member_id: Some(member),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(rows.len(), 1);
    rows.remove(0)
}

#[test]
fn remove_not_joined_directly_and_joined_with_transfer_in_one_step() {
    let (mut d, a, Depts { sales, emea, .. }) = org();
    let inv = add_dee(&mut d, &a, emea);
    d.remove_member(&a, inv, None).unwrap();
    assert_eq!(
        d.member_details(inv).unwrap_err().code(),
        ErrorCode::NotFound
    );

    let bob = add_placed(&mut d, &a, "Bob", "bob", &[(sales, None), (emea, None)]);
    let cy = add_in(&mut d, &a, "Cy", "cyd", sales);
    d.set_department_head(&a, sales, Some(bob)).unwrap();
    d.set_department_head(&a, emea, Some(bob)).unwrap();
    // Bob sent two invitations; one is cancelled, so only the other is still his to hand over.
    let as_bob = Actor::member(bob, "Bob");
    let eve = d
        .add_invitee(&a, &invitee("Eve", "eve@example.com", emea))
        .unwrap();
    let fay = d
        .add_invitee(&a, &invitee("Fay", "fay@example.com", emea))
        .unwrap();
    d.invite_members(&as_bob, &[eve, fay], InviteChannel::Email)
        .unwrap();
    let fay_invitation = invitation_of(&d, fay).id;
    d.cancel_invitation(&a, fay_invitation).unwrap();
    let p = d.transfer_preview(bob).unwrap();
    assert!(p.needs_transfer);
    assert_eq!(p.departments_headed, ["EMEA", "Sales"]);
    assert_eq!(p.invitations_sent, 1);
    assert_eq!(
        field_codes(d.remove_member(&a, bob, None).unwrap_err()),
        [("transferTo".into(), "required".into())]
    );
    assert_eq!(
        field_codes(d.remove_member(&a, bob, Some(bob)).unwrap_err()),
        [("transferTo".into(), "same_member".into())]
    );
    d.change_status(&a, cy, MemberAction::Disable).unwrap();
    assert_eq!(
        field_codes(d.remove_member(&a, bob, Some(cy)).unwrap_err()),
        [("transferTo".into(), "not_enabled".into())]
    );
    d.change_status(&a, cy, MemberAction::Enable).unwrap();
    let moved = d.remove_member(&a, bob, Some(cy)).unwrap();
    assert_eq!(moved.transferred_to.map(|t| t.name).as_deref(), Some("Cy"));
    assert_eq!(moved.departments_headed, ["EMEA", "Sales"]);
    assert_eq!(moved.invitations_sent, 1);
    // The open invitation is Cy's now; the cancelled one still names who sent it.
    assert_eq!(invitation_of(&d, eve).inviter_name, "Cy");
    assert_eq!(invitation_of(&d, fay).inviter_name, "Bob");
    assert_eq!(d.transfer_preview(cy).unwrap().invitations_sent, 1);
    let log = audit::recent(d.connection(), 1).unwrap();
    assert_eq!(
        log[0].after.as_ref().unwrap()["invitationsSent"],
        serde_json::json!(1)
    );
    assert_eq!(
        d.department_details(sales).unwrap().head.unwrap().name,
        "Cy"
    );
    assert_eq!(d.department_details(emea).unwrap().head.unwrap().name, "Cy");
    let former = d.former_members().unwrap();
    assert_eq!(
        former.iter().map(|f| f.name.as_str()).collect::<Vec<_>>(),
        ["Bob", "Dee"]
    );
    // The initial admin cannot be removed.
    let me = d.initial_admin_id().unwrap();
    assert_eq!(
        d.remove_member(&a, me, Some(cy)).unwrap_err().code(),
        ErrorCode::Conflict
    );
}

#[test]
fn list_filters_search_and_pages() {
    let (mut d, a, Depts { root, sales, emea }) = org();
    add_placed(&mut d, &a, "José Álvarez", "jalvarez", &[(emea, None)]);
    add_placed(&mut d, &a, "王小明", "xiaoming", &[(sales, None)]);
    let z = add_in(&mut d, &a, "Zoe Park", "zpark", sales);
    let patch = MemberPatch {
        employee_id: Some("EMP-0042".into()),
        ..Default::default()
    };
    d.update_member(&a, z, &patch).unwrap();
    d.add_invitee(&a, &invitee("Ivy Invite", "ivy@example.com", emea))
        .unwrap();

    let q = |s: &str| MemberQuery {
        search: Some(s.into()),
        ..Default::default()
    };
    assert_eq!(
        listed_names(&d, q("jose")),
        ["José Álvarez"],
        "accent-insensitive"
    );
    assert_eq!(
        listed_names(&d, q("ÁLV")),
        ["José Álvarez"],
        "case-insensitive, 3 letters"
    );
    assert_eq!(listed_names(&d, q("小")), ["王小明"], "one character");
    assert_eq!(listed_names(&d, q("0042")), ["Zoe Park"], "employee ID");
    assert_eq!(
        listed_names(&d, q("zp")),
        ["Zoe Park"],
        "two characters, username"
    );
    assert_eq!(listed_names(&d, q("ivy@exa")), ["Ivy Invite"], "email");
    assert!(listed_names(&d, q("qqq")).is_empty());
    assert_eq!(
        listed_names(&d, q("\"")).len(),
        0,
        "a quote is just a character"
    );

    let in_dept = |dept, sub| MemberQuery {
        department_id: Some(dept),
        include_sub_departments: sub,
        ..Default::default()
    };
    // 王小明 sorts by its pinyin, "wang xiao ming", before "Zoe Park".
    assert_eq!(
        listed_names(&d, in_dept(sales, true)),
        ["Ivy Invite", "José Álvarez", "王小明", "Zoe Park"]
    );
    assert_eq!(
        listed_names(&d, in_dept(sales, false)),
        ["王小明", "Zoe Park"]
    );
    assert_eq!(listed_names(&d, in_dept(root, false)), ["Ann Lee"]);
    assert_eq!(d.list_members(&in_dept(root, true)).unwrap().total, 5);

    let st = |s| MemberQuery {
        status: s,
        ..Default::default()
    };
    assert_eq!(
        listed_names(&d, st(StatusFilter::PendingJoin)),
        ["Ivy Invite"]
    );
    d.change_status(&a, z, MemberAction::Resign).unwrap();
    assert_eq!(listed_names(&d, st(StatusFilter::Resigned)), ["Zoe Park"]);
    assert!(
        !listed_names(&d, st(StatusFilter::All)).contains(&"Zoe Park".to_owned()),
        "resigned members leave the default list"
    );

    let page = d
        .list_members(&MemberQuery {
            offset: 1,
            limit: 2,
            ..Default::default()
        })
        .unwrap();
    assert_eq!(page.total, 4);
    let names: Vec<_> = page.rows.iter().map(|r| r.name.as_str()).collect();
    assert_eq!(names, ["Ivy Invite", "José Álvarez"]);
    assert_eq!(
        d.member_ids(&MemberQuery {
            limit: 1,
            ..Default::default()
        })
        .unwrap()
        .len(),
        4,
        "ids ignore paging"
    );
}

#[test]
fn batch_changes_are_one_transaction_and_report_what_could_not_change() {
    use orgdesk_core::batch::{BatchChange, DepartmentMode, Selection};
    let (mut d, a, Depts { sales, emea, .. }) = org();
    let places = [(sales, Some("Rep")), (emea, None)];
    let bob = add_placed(&mut d, &a, "Bob", "bob", &places);
    let cyd = add_in(&mut d, &a, "Cyd", "cyd", sales);
    let ivy = d
        .add_invitee(&a, &invitee("Ivy", "ivy@example.com", emea))
        .unwrap();
    let me = d.initial_admin_id().unwrap();
    d.change_status(&a, cyd, MemberAction::Resign).unwrap();

    let to_berlin = BatchChange::SetWorkLocation {
        work_location: "Berlin".into(),
    };
    let everyone = Selection::Query {
        query: MemberQuery {
            department_id: Some(sales),
            limit: 1,
            ..Default::default()
        },
    };
    let out = d.batch_update(&a, &everyone, &to_berlin).unwrap();
    assert_eq!(
        (out.changed, out.unchanged, out.skipped.len()),
        (2, 0, 0),
        "all matching, beyond the page: Bob and Ivy"
    );
    let out = d.batch_update(&a, &everyone, &to_berlin).unwrap();
    assert_eq!((out.changed, out.unchanged), (0, 2));

    let ids = Selection::Ids {
        ids: vec![bob, cyd, ivy, me, MemberId(999)],
    };
    let out = d.batch_update(&a, &ids, &BatchChange::Disable).unwrap();
    assert_eq!(out.changed, 1, "only Bob");
    let reasons: Vec<(&str, &str)> = out
        .skipped
        .iter()
        .map(|s| (s.name.as_str(), s.reason.as_str()))
        .collect();
    assert_eq!(
        reasons,
        [
            ("Cyd", "Not allowed while resigned."),
            ("Ivy", "Not allowed while not joined."),
            ("Ann Lee", "You cannot change your own status."),
            ("#999", "No such member.")
        ]
    );
    assert_eq!(
        d.member_details(bob).unwrap().status,
        MemberStatus::Disabled
    );

    let out = d
        .batch_update(
            &a,
            &Selection::Ids {
                ids: vec![bob, ivy],
            },
            &BatchChange::SetDepartment {
                department_id: emea,
                title: Some("Analyst".into()),
                mode: DepartmentMode::Replace,
            },
        )
        .unwrap();
    assert_eq!(out.changed, 2);
    let m = d.member_details(bob).unwrap();
    assert_eq!(m.positions.len(), 1);
    assert_eq!(
        (
            m.positions[0].department_name.as_str(),
            m.positions[0].title.as_deref()
        ),
        ("EMEA", Some("Analyst"))
    );
    let out = d
        .batch_update(
            &a,
            &Selection::Ids { ids: vec![bob] },
            &BatchChange::SetPosition {
                title: "Lead".into(),
            },
        )
        .unwrap();
    assert_eq!(out.changed, 1);
    assert_eq!(
        d.member_details(bob).unwrap().positions[0].title.as_deref(),
        Some("Lead")
    );
    let e = d
        .batch_update(
            &a,
            &Selection::Ids { ids: vec![bob] },
            &BatchChange::SetDepartment {
                department_id: DepartmentId(999),
                title: None,
                mode: DepartmentMode::Add,
            },
        )
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::NotFound);
    let out = d
        .batch_update(&a, &Selection::Ids { ids: vec![bob] }, &BatchChange::Resign)
        .unwrap();
    assert_eq!(out.changed, 1);
}

#[test]
fn default_region_reads_numbers_without_plus() {
    use orgdesk_core::settings::Settings;
    let (mut d, a, Depts { sales, .. }) = org();
    assert_eq!(d.settings().unwrap().default_region, "US");
    assert_eq!(
        field_codes(
            d.update_settings(
                &a,
                &Settings {
                    default_region: "XX".into(),
                    import_quota_per_day: None,
                    invitation_language: None,
                    join_notifications: None,
                }
            )
            .unwrap_err()
        ),
        [("defaultRegion".into(), "invalid_region".into())]
    );
    d.update_settings(
        &a,
        &Settings {
            default_region: "cn".into(),
            import_quota_per_day: None,
            invitation_language: None,
            join_notifications: None,
        },
    )
    .unwrap();
    let id = d
        .add_invitee(
            &a,
            &NewInvitee {
                name: "Li".into(),
                email: None,
                mobile: Some("138 1234 5678".into()),
                department_id: sales,
                position: None,
                role_ids: Vec::new(),
                link_only: false,
            },
        )
        .unwrap();
    assert_eq!(
        d.member_details(id).unwrap().mobile.as_deref(),
        Some("+8613812345678")
    );
}

#[test]
fn batch_department_adds_beside_or_replaces_all() {
    use orgdesk_core::batch::{BatchChange, DepartmentMode, Selection};
    let (mut d, a, Depts { root, sales, emea }) = org();
    let bob = add_placed(&mut d, &a, "Bob", "bob", &[(emea, Some("Analyst"))]);
    let cy = add_in(&mut d, &a, "Cy", "cyd", sales);
    d.set_department_head(&a, emea, Some(bob)).unwrap();
    let both = Selection::Ids { ids: vec![bob, cy] };
    let batch = |d: &mut Directory, mode, dept, title: Option<&str>| {
        d.batch_update(
            &a,
            &both,
            &BatchChange::SetDepartment {
                department_id: dept,
                title: title.map(Into::into),
                mode,
            },
        )
        .unwrap()
    };
    // Add: Sales joins Bob's departments, his primary stays; Cy is already in Sales.
    let out = batch(&mut d, DepartmentMode::Add, sales, None);
    assert_eq!((out.changed, out.unchanged), (1, 1));
    assert_eq!(
        places(&d, bob),
        [
            place("EMEA", Some("Analyst"), true),
            place("Sales", None, false)
        ]
    );
    assert_eq!(places(&d, cy), [place("Sales", None, true)]);
    // A title given with Add applies to that department's position, even one already held.
    let out = batch(&mut d, DepartmentMode::Add, sales, Some("Rep"));
    assert_eq!((out.changed, out.unchanged), (2, 0));
    assert_eq!(places(&d, cy), [place("Sales", Some("Rep"), true)]);
    assert_eq!(
        d.department_details(emea).unwrap().head.unwrap().name,
        "Bob",
        "adding keeps headships"
    );
    // Replace: the root becomes each one's only department; the primary title is kept.
    let out = batch(&mut d, DepartmentMode::Replace, root, None);
    assert_eq!((out.changed, out.unchanged), (2, 0));
    assert_eq!(places(&d, bob), [place("Acme", Some("Analyst"), true)]);
    assert_eq!(places(&d, cy), [place("Acme", Some("Rep"), true)]);
    assert!(
        d.department_details(emea).unwrap().head.is_none(),
        "a head who left EMEA no longer heads it"
    );
    let out = batch(&mut d, DepartmentMode::Replace, root, None);
    assert_eq!((out.changed, out.unchanged), (0, 2));
}

#[test]
fn history_names_what_each_edit_changed() {
    use orgdesk_core::batch::{BatchChange, DepartmentMode, Selection};
    use orgdesk_core::members::HistoryChange;
    let (mut d, a, Depts { root, sales, emea }) = org();
    let dee = add_dee(&mut d, &a, sales);
    let changes = |d: &Directory| d.member_details(dee).unwrap().history[0].changes.clone();
    d.set_primary_department(&a, dee, sales).unwrap();
    let patch = MemberPatch {
        positions: Some(vec![pos(sales, None), pos(emea, Some("Rep"))]),
        ..Default::default()
    };
    d.update_member(&a, dee, &patch).unwrap();
    assert_eq!(
        changes(&d),
        [
            HistoryChange::DepartmentsAdded {
                departments: vec!["Sales/EMEA".into()]
            },
            HistoryChange::Title {
                department: Some("Sales/EMEA".into()),
                title: Some("Rep".into())
            }
        ]
    );
    d.set_primary_department(&a, dee, emea).unwrap();
    assert_eq!(
        changes(&d),
        [HistoryChange::PrimaryDepartment {
            department: "Sales/EMEA".into()
        }]
    );
    let admin_role = d
        .roles()
        .unwrap()
        .into_iter()
        .find(|r| r.name == "Admin")
        .unwrap();
    let patch = MemberPatch {
        name: Some("Dee Ray".into()),
        mobile: Some("+14155550123".into()),
        email: Some(String::new()),
        role_ids: Some(vec![admin_role.id]),
        ..Default::default()
    };
    d.update_member(&a, dee, &patch).unwrap();
    let got = changes(&d);
    assert!(got.contains(&HistoryChange::Field {
        field: "name".into(),
        to: Some("Dee Ray".into())
    }));
    assert!(got.contains(&HistoryChange::Field {
        field: "mobile".into(),
        to: Some("+14155550123".into())
    }));
    assert!(got.contains(&HistoryChange::Field {
        field: "email".into(),
        to: None
    }));
    assert!(got.contains(&HistoryChange::RolesAdded {
        roles: vec!["Admin".into()]
    }));
    assert!(got
        .iter()
        .any(|c| matches!(c, HistoryChange::RolesRemoved { roles } if roles == &["Member"])));
    d.batch_update(
        &a,
        &Selection::Ids { ids: vec![dee] },
        &BatchChange::SetDepartment {
            department_id: root,
            title: None,
            mode: DepartmentMode::Replace,
        },
    )
    .unwrap();
    assert_eq!(
        changes(&d),
        [
            HistoryChange::PrimaryDepartment {
                department: "Acme".into()
            },
            HistoryChange::DepartmentsRemoved {
                departments: vec!["Sales/EMEA".into(), "Sales".into()]
            },
            HistoryChange::Title {
                department: Some("Acme".into()),
                title: Some("Rep".into())
            }
        ]
    );
    // Entries with nothing more to say than their action have no changes.
    let history = d.member_details(dee).unwrap().history;
    let added = history.last().unwrap();
    assert_eq!(added.action, "member.add_for_invitation");
    assert!(added.changes.is_empty());
}
