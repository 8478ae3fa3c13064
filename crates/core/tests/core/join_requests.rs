//! Join requests: the Waiting / Rejected / All list and its search, re-approving a rejected
//! request, approval into a chosen department and role, deciding many in one transaction,
//! and the Overview's waiting count.

use orgdesk_core::auth::SignInInput;
use orgdesk_core::join::{JoinDecision, JoinPlacement, JoinRequestFilter, JoinRequestState};
use orgdesk_core::types::{DepartmentId, MemberId, RoleId};
use orgdesk_core::{CoreError, Directory};

use crate::invitations::{join_event, INVITEE_PASSWORD};
use crate::{admin, mkdept, with_org};

/// A directory with waiting requests from `usernames` (gateway ids `jr_<username>`).
fn with_requests(usernames: &[&str]) -> Directory {
    let (mut d, _) = with_org();
    add_requests(&mut d, usernames);
    d
}

/// Records in `d` waiting requests from `usernames` (gateway ids `jr_<username>`), as the
/// first page of the gateway's feed.
pub(crate) fn add_requests(d: &mut Directory, usernames: &[&str]) {
    let events = waiting_events(usernames);
    d.apply_gateway_events(&events, events.len() as i64)
        .unwrap();
}

/// The feed's events of requests from `usernames` waiting for approval (gateway ids
/// `jr_<username>`, emails `<username>@example.com`).
pub(crate) fn waiting_events(usernames: &[&str]) -> Vec<orgdesk_protocol::Event> {
    usernames
        .iter()
        .zip(1..)
        .map(|(u, seq)| {
            join_event(
                seq,
                &format!("jr_{u}"),
                u,
                Some(&format!("{u}@example.com")),
                true,
            )
        })
        .collect()
}

pub(crate) fn id_of(d: &Directory, username: &str) -> i64 {
    d.join_requests(false)
        .unwrap()
        .into_iter()
        .find(|r| r.username == username)
        .unwrap()
        .id
}

fn usernames(d: &Directory, filter: JoinRequestFilter, search: &str) -> (Vec<String>, u32) {
    let page = d.join_request_page(filter, search, 0, 100).unwrap();
    let mut names: Vec<String> = page.rows.into_iter().map(|r| r.username).collect();
    names.sort();
    (names, page.total)
}

/// The join decisions `d` would tell the gateway: (request, decision).
pub(crate) fn decisions(d: &Directory) -> Vec<(String, String)> {
    d.due_gateway_outbox(50)
        .unwrap()
        .into_iter()
        .filter(|i| i.kind == "join_decision")
        .map(|i| (i.target, i.value))
        .collect()
}

fn approve(placement: JoinPlacement) -> JoinDecision {
    JoinDecision::Approve(placement)
}

#[test]
fn the_list_filters_by_state_and_searches_name_username_email_and_mobile() {
    let mut d = with_requests(&["noa", "omar", "pia"]);
    let a = admin(&d);
    d.decide_join_request(&a, id_of(&d, "pia"), false).unwrap();
    let s = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();

    assert_eq!(
        usernames(&d, JoinRequestFilter::Waiting, ""),
        (s(&["noa", "omar"]), 2)
    );
    assert_eq!(
        usernames(&d, JoinRequestFilter::Rejected, ""),
        (s(&["pia"]), 1)
    );
    assert_eq!(
        usernames(&d, JoinRequestFilter::All, ""),
        (s(&["noa", "omar", "pia"]), 3)
    );
    // Name ("Person Omar"), any case; username; email; and the filter still applies.
    assert_eq!(
        usernames(&d, JoinRequestFilter::All, "person OMAR"),
        (s(&["omar"]), 1)
    );
    assert_eq!(
        usernames(&d, JoinRequestFilter::All, "  NO "),
        (s(&["noa"]), 1)
    );
    assert_eq!(
        usernames(&d, JoinRequestFilter::All, "pia@example"),
        (s(&["pia"]), 1)
    );
    assert_eq!(
        usernames(&d, JoinRequestFilter::Waiting, "pia"),
        (vec![], 0)
    );
    assert_eq!(
        usernames(&d, JoinRequestFilter::All, "example.com"),
        (s(&["noa", "omar", "pia"]), 3)
    );
    assert_eq!(usernames(&d, JoinRequestFilter::All, "nobody"), (vec![], 0));
    assert_eq!(
        JoinRequestFilter::parse("rejected"),
        Some(JoinRequestFilter::Rejected)
    );
    assert_eq!(JoinRequestFilter::parse("pending"), None);
}

#[test]
fn the_list_searches_mobile_numbers() {
    use orgdesk_protocol::EventKind;
    let (mut d, _) = with_org();
    let mut event = join_event(1, "jr_m", "mia", None, true);
    if let EventKind::JoinRequested { details, .. } = &mut event.kind {
        details.mobile = Some("+4915112345678".into());
    }
    d.apply_gateway_events(&[event], 1).unwrap();
    let (found, total) = usernames(&d, JoinRequestFilter::Waiting, "1511234");
    assert_eq!((found, total), (vec!["mia".to_string()], 1));
}

#[test]
fn a_rejected_request_keeps_its_data_and_can_be_approved_later() {
    let mut d = with_requests(&["noa"]);
    let a = admin(&d);
    let id = id_of(&d, "noa");
    assert_eq!(d.decide_join_request(&a, id, false).unwrap(), None);
    assert!(matches!(
        d.decide_join_request(&a, id, false),
        Err(CoreError::Conflict(_))
    ));
    assert_eq!(
        decisions(&d),
        vec![("jr_noa".to_string(), "rejected".to_string())]
    );
    assert_eq!(d.due_account_refusals(10).unwrap().len(), 1);

    // Re-approved as an admin, so that signing in proves the password they chose was kept.
    let admin_role = d.role_by_name("Admin").unwrap();
    let member = d
        .decide_join_requests(
            &a,
            &[id],
            approve(JoinPlacement {
                department_id: None,
                role_id: Some(admin_role),
            }),
        )
        .unwrap();
    assert_eq!(member.len(), 1);
    d.sign_in(&SignInInput {
        username: "noa".into(),
        password: INVITEE_PASSWORD.into(),
    })
    .expect("the kept password hash became the member's");
    let row = d.join_requests(false).unwrap().pop().unwrap();
    assert_eq!(row.state, JoinRequestState::Approved);
    assert_eq!(row.member_id, Some(member[0].0));
    // The gateway hears only the latest decision, and no refusal undoes it.
    assert_eq!(
        decisions(&d),
        vec![("jr_noa".to_string(), "approved".to_string())]
    );
    assert!(d.due_account_refusals(10).unwrap().is_empty());
    assert!(matches!(
        d.decide_join_request(&a, id, true),
        Err(CoreError::Conflict(_))
    ));
}

#[test]
fn approval_places_the_member_in_the_chosen_department_and_role() {
    let mut d = with_requests(&["noa", "omar"]);
    let a = admin(&d);
    mkdept(&mut d, "Sales");
    let sales = d.resolve_department_path("Sales").unwrap();
    let admin_role = d.role_by_name("Admin").unwrap();

    for (placement, field) in [
        (
            JoinPlacement {
                department_id: Some(DepartmentId(9_999)),
                role_id: None,
            },
            "departmentId",
        ),
        (
            JoinPlacement {
                department_id: Some(sales),
                role_id: Some(RoleId(9_999)),
            },
            "roleId",
        ),
    ] {
        let err = d
            .decide_join_requests(&a, &[id_of(&d, "noa")], approve(placement))
            .unwrap_err();
        match err {
            CoreError::Validation { details, .. } => {
                assert_eq!(details[0].field.as_deref(), Some(field))
            }
            other => panic!("{other:?}"),
        }
    }
    assert_eq!(d.pending_join_requests().unwrap(), 2, "nothing was written");

    let placed = JoinPlacement {
        department_id: Some(sales),
        role_id: Some(admin_role),
    };
    let m = d
        .decide_join_requests(&a, &[id_of(&d, "noa")], approve(placed))
        .unwrap()[0];
    let details = d.member_details(m).unwrap();
    assert_eq!(details.positions[0].department_id, sales);
    assert_eq!(details.roles[0].name, "Admin");

    // By default: the root department and the plain member role.
    let m = d
        .decide_join_request(&a, id_of(&d, "omar"), true)
        .unwrap()
        .unwrap();
    let details = d.member_details(m).unwrap();
    assert_eq!(
        details.positions[0].department_id,
        d.department_tree().unwrap().id
    );
    assert_eq!(details.roles[0].name, "Member");
}

#[test]
fn many_requests_are_decided_in_one_transaction_all_or_nothing() {
    // "ann" clashes with the admin's username.
    let mut d = with_requests(&["noa", "ann", "omar"]);
    let a = admin(&d);
    let ids: Vec<i64> = ["noa", "ann", "omar"]
        .iter()
        .map(|u| id_of(&d, u))
        .collect();
    let before = d.list_members(&Default::default()).unwrap().total;

    let err = d
        .decide_join_requests(
            &a,
            &[ids[0], ids[1], 12_345],
            approve(JoinPlacement::default()),
        )
        .unwrap_err();
    let CoreError::Validation { details, .. } = &err else {
        panic!("{err:?}");
    };
    let codes: Vec<&str> = details.iter().map(|d| d.code.as_str()).collect();
    assert_eq!(codes, ["cannot_approve", "not_found"]);
    assert!(details[0].reason.contains("Person ann"), "{err}");
    assert!(details[0].reason.contains("already used"), "{err}");
    assert!(details[1].reason.contains("12345"), "{err}");
    assert_eq!(d.list_members(&Default::default()).unwrap().total, before);
    assert_eq!(d.pending_join_requests().unwrap(), 3, "nothing was written");
    assert!(decisions(&d).is_empty());

    assert!(matches!(
        d.decide_join_requests(&a, &[], JoinDecision::Reject),
        Err(CoreError::Validation { .. })
    ));

    // Without the clash: both are approved at once (a repeated id counts once).
    let members = d
        .decide_join_requests(
            &a,
            &[ids[0], ids[2], ids[0]],
            approve(JoinPlacement::default()),
        )
        .unwrap();
    assert_eq!(members.len(), 2);
    assert_eq!(
        d.list_members(&Default::default()).unwrap().total,
        before + 2
    );
    d.decide_join_requests(&a, &[ids[1]], JoinDecision::Reject)
        .unwrap();
    assert_eq!(d.pending_join_requests().unwrap(), 0);
    assert_eq!(decisions(&d).len(), 3);

    // Rejecting many where one is decided already writes nothing either.
    let mut d = with_requests(&["pia", "quinn"]);
    let ids: Vec<i64> = ["pia", "quinn"].iter().map(|u| id_of(&d, u)).collect();
    d.decide_join_request(&a, ids[0], true).unwrap();
    let err = d
        .decide_join_requests(&a, &ids, JoinDecision::Reject)
        .unwrap_err();
    assert!(err.to_string().contains("already approved"), "{err}");
    assert_eq!(usernames(&d, JoinRequestFilter::Waiting, "").0, ["quinn"]);
}

#[test]
fn the_overview_counts_waiting_join_requests() {
    let mut d = with_requests(&["noa", "omar", "pia"]);
    let a = admin(&d);
    let viewer: MemberId = d.initial_admin_id().unwrap();
    assert_eq!(d.overview(viewer).unwrap().counts.pending_approval, 3);
    d.decide_join_request(&a, id_of(&d, "noa"), true).unwrap();
    d.decide_join_request(&a, id_of(&d, "omar"), false).unwrap();
    let counts = d.overview(viewer).unwrap().counts;
    assert_eq!(counts.pending_approval, 1);
    assert_eq!(counts.total, 2, "the admin and the approved member");
}
