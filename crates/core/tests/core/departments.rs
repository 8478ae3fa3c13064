use orgdesk_core::audit::{self, Actor};
use orgdesk_core::members::{MemberAction, NewInvitee};
use orgdesk_core::types::DepartmentId;
use orgdesk_core::{CoreError, Directory, ErrorCode};

use crate::{invitee, names_in, new_member, place, places, pos, with_org_admin};

fn root(d: &Directory) -> DepartmentId {
    d.department_tree().unwrap().id
}

fn names(d: &Directory, parent: DepartmentId) -> Vec<String> {
    fn find(
        n: &orgdesk_core::departments::DepartmentNode,
        id: DepartmentId,
    ) -> Option<&orgdesk_core::departments::DepartmentNode> {
        if n.id == id {
            return Some(n);
        }
        n.children.iter().find_map(|c| find(c, id))
    }
    let tree = d.department_tree().unwrap();
    find(&tree, parent)
        .unwrap()
        .children
        .iter()
        .map(|c| c.name.clone())
        .collect()
}

fn detail_codes(e: CoreError) -> Vec<String> {
    match e {
        CoreError::Validation { details, .. } => details.into_iter().map(|d| d.code).collect(),
        other => panic!("expected validation, got {other:?}"),
    }
}

/// An organization with its admin, and its departments: the root, Sales and EMEA below Sales.
fn sales_and_emea() -> (Directory, Actor, [DepartmentId; 3]) {
    let (mut d, a) = with_org_admin();
    let r = root(&d);
    let sales = d.create_department(&a, r, "Sales").unwrap();
    let emea = d.create_department(&a, sales, "EMEA").unwrap();
    (d, a, [r, sales, emea])
}

#[test]
fn create_rename_and_paths() {
    let (mut d, a) = with_org_admin();
    let r = root(&d);
    let sales = d.create_department(&a, r, " Sales ").unwrap();
    let emea = d.create_department(&a, sales, "EMEA").unwrap();
    d.create_department(&a, r, "Engineering").unwrap();
    assert_eq!(
        names(&d, r),
        ["Sales", "Engineering"],
        "new departments go last"
    );
    assert_eq!(d.department_path(emea).unwrap(), "Sales/EMEA");
    assert_eq!(d.resolve_department_path("sales/emea").unwrap(), emea);
    assert_eq!(d.resolve_department_path("").unwrap(), r);
    let e = d.resolve_department_path("Sales/APAC/Japan").unwrap_err();
    assert_eq!(e.to_string(), "No department \"APAC\" under \"Sales\".");
    let e = d.resolve_department_path("Marketing").unwrap_err();
    assert_eq!(
        e.to_string(),
        "No department \"Marketing\" under the root department."
    );

    // Sibling names are unique, case-insensitive and trimmed; cousins may share a name.
    assert_eq!(
        detail_codes(d.create_department(&a, r, "  SALES ").unwrap_err()),
        ["taken"]
    );
    d.create_department(&a, sales, "Engineering").unwrap();
    assert_eq!(
        detail_codes(d.create_department(&a, r, "").unwrap_err()),
        ["required"]
    );
    assert_eq!(
        detail_codes(d.create_department(&a, r, &"x".repeat(65)).unwrap_err()),
        ["too_long"]
    );

    d.rename_department(&a, emea, "Europe").unwrap();
    assert_eq!(d.department_path(emea).unwrap(), "Sales/Europe");
    assert_eq!(
        detail_codes(d.rename_department(&a, sales, "engineering").unwrap_err()),
        ["taken"]
    );
    assert_eq!(
        d.rename_department(&a, r, "X").unwrap_err().code(),
        ErrorCode::Forbidden
    );
    assert_eq!(
        d.create_department(&a, DepartmentId(999), "X")
            .unwrap_err()
            .code(),
        ErrorCode::NotFound
    );
}

#[test]
fn move_reorder_and_cycles() {
    let (mut d, a, [r, sales, emea]) = sales_and_emea();
    let uk = d.create_department(&a, emea, "UK").unwrap();
    let eng = d.create_department(&a, r, "Engineering").unwrap();
    let ops = d.create_department(&a, r, "Ops").unwrap();

    assert_eq!(
        detail_codes(d.move_department(&a, sales, uk, None).unwrap_err()),
        ["cycle"]
    );
    assert_eq!(
        detail_codes(d.move_department(&a, sales, sales, None).unwrap_err()),
        ["cycle"]
    );
    assert_eq!(
        d.move_department(&a, r, eng, None).unwrap_err().code(),
        ErrorCode::Forbidden
    );

    d.move_department(&a, emea, eng, None).unwrap();
    assert_eq!(d.department_path(uk).unwrap(), "Engineering/EMEA/UK");
    // Reorder among siblings.
    d.move_department(&a, ops, r, Some(0)).unwrap();
    assert_eq!(names(&d, r), ["Ops", "Sales", "Engineering"]);
    d.move_department(&a, ops, r, Some(2)).unwrap();
    assert_eq!(names(&d, r), ["Sales", "Engineering", "Ops"]);
    // A move into a parent with a same-named child is refused.
    let other = d.create_department(&a, sales, "EMEA").unwrap();
    assert_eq!(
        detail_codes(d.move_department(&a, other, eng, None).unwrap_err()),
        ["taken"]
    );
}

#[test]
fn delete_refused_while_not_empty_with_counts_and_names() {
    let (mut d, a, [r, sales, emea]) = sales_and_emea();
    d.create_department(&a, sales, "APAC").unwrap();
    for (i, dept) in [emea, emea].iter().enumerate() {
        d.add_invitee(
            &a,
            &invitee(&format!("P{i}"), &format!("p{i}@example.com"), *dept),
        )
        .unwrap();
    }
    let e = d.delete_department(&a, sales).unwrap_err();
    assert_eq!(
        e.to_string(),
        "\"Sales\" cannot be deleted while it has 2 members (including sub-departments) and sub-departments \"EMEA\", \"APAC\". Move or remove them first."
    );
    let e = d.delete_department(&a, emea).unwrap_err();
    assert!(e.to_string().contains("2 members"), "{e}");
    assert_eq!(
        d.delete_department(&a, r).unwrap_err().code(),
        ErrorCode::Forbidden
    );
    let apac = d.resolve_department_path("Sales/APAC").unwrap();
    d.delete_department(&a, apac).unwrap();
    assert_eq!(names(&d, sales), ["EMEA"]);
}

#[test]
fn head_must_be_a_member_of_the_department_and_counts_are_distinct() {
    let (mut d, a, [_, sales, emea]) = sales_and_emea();
    let p = d
        .add_invitee(
            &a,
            &NewInvitee {
                position: Some("Lead".into()),
                ..invitee("Pat", "pat@example.com", emea)
            },
        )
        .unwrap();
    assert_eq!(
        detail_codes(d.set_department_head(&a, sales, Some(p)).unwrap_err()),
        ["not_in_department"]
    );
    d.set_department_head(&a, emea, Some(p)).unwrap();
    let det = d.department_details(emea).unwrap();
    assert_eq!(det.head.unwrap().name, "Pat");
    assert_eq!((det.direct_members, det.total_members), (1, 1));
    // Pat also joins Sales itself: counted once in the Sales subtree.
    let patch = orgdesk_core::members::MemberPatch {
        positions: Some(vec![pos(emea, None), pos(sales, None)]),
        ..Default::default()
    };
    d.update_member(&a, p, &patch).unwrap();
    let det = d.department_details(sales).unwrap();
    assert_eq!(
        (det.direct_members, det.total_members, det.sub_departments),
        (1, 1, 1)
    );
    let tree = d.department_tree().unwrap();
    assert_eq!(tree.total_members, 2, "the admin and Pat");
    assert_eq!(tree.children[0].total_members, 1);
}

#[test]
fn deleting_a_department_moves_resigned_members_positions_to_its_parent() {
    let (mut d, a, [_, sales, emea]) = sales_and_emea();
    // Rob held only EMEA (primary, with a title); Sue held EMEA (primary) and Sales.
    let rob = d
        .add_member(&a, &new_member("Rob", "rob", vec![pos(emea, Some("Rep"))]))
        .unwrap();
    let sue = d
        .add_member(
            &a,
            &new_member(
                "Sue",
                "sue",
                vec![pos(emea, None), pos(sales, Some("Lead"))],
            ),
        )
        .unwrap();
    for m in [rob, sue] {
        d.change_status(&a, m, MemberAction::Resign).unwrap();
    }
    let preview = d.department_deletion_preview(emea).unwrap();
    assert_eq!(preview.parent_path, "Sales");
    assert_eq!(
        names_in(&preview.resigned_moved, |m| &m.name),
        ["Rob", "Sue"]
    );
    let done = d.delete_department(&a, emea).unwrap();
    assert_eq!(done, preview);
    assert_eq!(places(&d, rob), [place("Sales", Some("Rep"), true)]);
    // Sue's own Sales position stays, with its title, and is her primary now.
    assert_eq!(places(&d, sue), [place("Sales", Some("Lead"), true)]);
    let history = d.member_details(rob).unwrap().history;
    assert_eq!(history[0].action, "member.position_moved");
    // Restored, Rob is back in the department his position moved to.
    d.change_status(&a, rob, MemberAction::Restore).unwrap();
    assert_eq!(d.department_details(sales).unwrap().direct_members, 1);
    let log = audit::recent(d.connection(), 4).unwrap();
    assert!(log.iter().any(|l| l.action == "department.delete"
        && l.after.as_ref().unwrap()["resignedMoved"] == serde_json::json!(["Rob", "Sue"])));
}
