//! What reaches the directory from the gateway is untrusted: people are bound by account id,
//! never by a username someone else can type; every field is checked as an admin's input is;
//! a replayed or oversized page changes nothing.

use orgdesk_core::auth::SignInInput;
use orgdesk_core::invitations::{InvitationState, InviteChannel};
use orgdesk_core::join::{JoinRequestState, JoiningRules};
use orgdesk_core::types::{MemberId, MemberStatus};
use orgdesk_core::Directory;
use orgdesk_protocol::{Event, EventKind, JoinVia, JoinerDetails};

use crate::invitations::{password_hash_of, state_of};
use crate::{
    admin, column, event_at, invitee, linked, password_changed, personal_details, registered,
    with_org, with_org_admin, PASSWORD,
};

const STRANGER_PASSWORD: &str = "Stolen-Keys99";

fn event(seq: i64, kind: EventKind) -> Event {
    event_at(seq, 1_790_000_000, kind)
}

fn ann_email(d: &Directory) -> Option<String> {
    d.member_details(d.initial_admin_id().unwrap())
        .unwrap()
        .email
}

/// Ann (the initial admin) still signs in with her own password.
fn ann_unharmed(d: &mut Directory) {
    assert!(d
        .sign_in(&SignInInput {
            username: "ann".into(),
            password: PASSWORD.into(),
        })
        .is_ok());
    assert!(d
        .sign_in(&SignInInput {
            username: "ann".into(),
            password: STRANGER_PASSWORD.into(),
        })
        .is_err());
}

/// An invited member, invited by email, with the gateway's id for the invitation.
fn invited(d: &mut Directory, name: &str, gateway_id: &str) -> (MemberId, i64) {
    let a = admin(d);
    let root = d.department_tree().unwrap().id;
    let member = d
        .add_invitee(
            &a,
            &invitee(name, &format!("{}@example.com", name.to_lowercase()), root),
        )
        .unwrap();
    d.invite_members(&a, &[member], InviteChannel::Email)
        .unwrap();
    let id = linked(d, gateway_id);
    (member, id)
}

fn refusals(d: &Directory) -> Vec<String> {
    d.due_account_refusals(50)
        .unwrap()
        .into_iter()
        .map(|r| r.account_id)
        .collect()
}

fn audit_actions(d: &Directory) -> Vec<String> {
    column(d, "SELECT action FROM audit_log ORDER BY id")
}

#[test]
fn a_stranger_who_registers_under_the_admins_username_takes_nothing_over() {
    let (mut d, _) = with_org();
    let (dee, inv) = invited(&mut d, "Dee", "inv_1");
    let email_before = ann_email(&d);
    let stranger_hash = orgdesk_core::password::hash(STRANGER_PASSWORD).unwrap();
    let changed = d
        .apply_gateway_events(
            &[
                // The invitation link's holder registers as "ann"…
                event(
                    1,
                    registered("inv_1", "acc_x", "ann", stranger_hash.clone()),
                ),
                // …then changes "ann"'s password and email on the member page.
                event(2, password_changed("acc_x", "ann", stranger_hash.clone())),
                event(
                    3,
                    personal_details(
                        "acc_x",
                        "ann",
                        Some("Mallory"),
                        None,
                        Some("attacker@example.net"),
                    ),
                ),
                // An older gateway's events, naming no account at all.
                event(
                    4,
                    EventKind::PasswordChanged {
                        account_id: None,
                        username: "ann".into(),
                        password_hash: stranger_hash,
                    },
                ),
            ],
            4,
        )
        .unwrap();
    assert!(changed.is_empty(), "{changed:?}");
    ann_unharmed(&mut d);
    assert_eq!(ann_email(&d), email_before);
    let ann = d.member_details(d.initial_admin_id().unwrap()).unwrap();
    assert_eq!(ann.name, "Ann Lee");
    // Dee's invitation failed and says why; Dee is still waiting to join.
    assert_eq!(state_of(&d, inv), InvitationState::Failed);
    assert_eq!(
        d.member_details(dee).unwrap().status,
        MemberStatus::NotJoined
    );
    // The gateway is told to remove the stranger's account; the refusal is audited.
    assert_eq!(refusals(&d), ["acc_x"]);
    assert!(audit_actions(&d).contains(&"gateway.event_refused".to_owned()));
}

#[test]
fn member_events_apply_only_to_the_member_bound_to_the_account() {
    let (mut d, _) = with_org();
    let (dee, _) = invited(&mut d, "Dee", "inv_1");
    let dee_hash = orgdesk_core::password::hash("Blue-Kettle42").unwrap();
    d.apply_gateway_events(
        &[event(
            1,
            registered("inv_1", "acc_dee", "dee", dee_hash.clone()),
        )],
        1,
    )
    .unwrap();
    assert_eq!(
        d.gateway_account_of(dee).unwrap().as_deref(),
        Some("acc_dee")
    );

    // Dee's account names "ann" as its username: still only Dee changes.
    let new_hash = orgdesk_core::password::hash("Green-Teapot77").unwrap();
    let changed = d
        .apply_gateway_events(
            &[event(
                2,
                password_changed("acc_dee", "ann", new_hash.clone()),
            )],
            2,
        )
        .unwrap();
    assert_eq!(changed, [dee]);
    assert_eq!(password_hash_of(&d, dee), new_hash);
    ann_unharmed(&mut d);

    // A second registration naming Dee's account, through another invitation, binds nobody.
    let (eve, eve_inv) = invited(&mut d, "Eve", "inv_2");
    d.apply_gateway_events(
        &[event(3, registered("inv_2", "acc_dee", "eve", dee_hash))],
        3,
    )
    .unwrap();
    assert_eq!(
        d.member_details(eve).unwrap().status,
        MemberStatus::NotJoined
    );
    assert_eq!(state_of(&d, eve_inv), InvitationState::Failed);
    assert!(
        refusals(&d).is_empty(),
        "Dee's account is Dee's: the gateway is not told to remove it"
    );
}

#[test]
fn hashes_outside_the_bounds_are_refused_and_audited() {
    let (mut d, _) = with_org();
    let (dee, inv) = invited(&mut d, "Dee", "inv_1");
    let good = orgdesk_core::password::hash("Blue-Kettle42").unwrap();
    let huge = good.replace("m=19456", "m=4194304");
    d.apply_gateway_events(
        &[event(
            1,
            registered("inv_1", "acc_dee", "dee", huge.clone()),
        )],
        1,
    )
    .unwrap();
    assert_eq!(
        d.member_details(dee).unwrap().status,
        MemberStatus::NotJoined
    );
    assert_eq!(state_of(&d, inv), InvitationState::Failed);
    assert_eq!(refusals(&d), ["acc_dee"]);

    // A bound member's new password with a 4 GiB memory cost is refused; the old one stays.
    let (fay, _) = invited(&mut d, "Fay", "inv_2");
    d.apply_gateway_events(
        &[
            event(2, registered("inv_2", "acc_fay", "fay", good.clone())),
            event(3, password_changed("acc_fay", "fay", huge)),
            event(
                4,
                password_changed(
                    "acc_fay",
                    "fay",
                    "$argon2i$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaA".into(),
                ),
            ),
        ],
        4,
    )
    .unwrap();
    assert_eq!(password_hash_of(&d, fay), good);
    let refused = audit_actions(&d)
        .iter()
        .filter(|a| *a == "gateway.event_refused")
        .count();
    assert_eq!(refused, 3);
}

#[test]
fn personal_details_go_through_the_forms_validators() {
    let (mut d, _) = with_org();
    let (dee, _) = invited(&mut d, "Dee", "inv_1");
    d.apply_gateway_events(
        &[
            event(
                1,
                registered(
                    "inv_1",
                    "acc_dee",
                    "dee",
                    orgdesk_core::password::hash("Blue-Kettle42").unwrap(),
                ),
            ),
            event(
                2,
                personal_details(
                    "acc_dee",
                    "dee",
                    Some("   "),
                    Some("call me maybe"),
                    Some("not an address"),
                ),
            ),
        ],
        2,
    )
    .unwrap();
    let m = d.member_details(dee).unwrap();
    assert_eq!(m.name, "Dee");
    assert_eq!(m.email.as_deref(), Some("dee@example.com"));
    assert_eq!(m.mobile, None);
}

#[test]
fn a_late_or_replayed_decline_never_moves_a_registered_invitation() {
    let (mut d, _) = with_org();
    let (dee, inv) = invited(&mut d, "Dee", "inv_1");
    let registered = event(
        1,
        registered(
            "inv_1",
            "acc_dee",
            "dee",
            orgdesk_core::password::hash("Blue-Kettle42").unwrap(),
        ),
    );
    d.apply_gateway_events(std::slice::from_ref(&registered), 1)
        .unwrap();
    d.apply_gateway_events(
        &[event(
            2,
            EventKind::Declined {
                invitation_id: "inv_1".into(),
            },
        )],
        2,
    )
    .unwrap();
    assert_eq!(state_of(&d, inv), InvitationState::Registered);
    assert_eq!(d.member_details(dee).unwrap().status, MemberStatus::Enabled);
    assert!(!audit_actions(&d).contains(&"member.invite_declined".to_owned()));
}

#[test]
fn a_replayed_page_changes_nothing_and_an_oversized_or_backward_page_is_refused() {
    let (mut d, _) = with_org();
    let (dee, _) = invited(&mut d, "Dee", "inv_1");
    let hash = orgdesk_core::password::hash("Blue-Kettle42").unwrap();
    let page = [
        event(1, registered("inv_1", "acc_dee", "dee", hash.clone())),
        event(
            2,
            EventKind::SignedIn {
                account_id: Some("acc_dee".into()),
                username: "dee".into(),
            },
        ),
    ];
    d.apply_gateway_events(&page, 2).unwrap();
    let audit_before = audit_actions(&d).len();
    let new_hash = orgdesk_core::password::hash("Green-Teapot77").unwrap();
    d.apply_gateway_events(
        &[event(
            3,
            password_changed("acc_dee", "dee", new_hash.clone()),
        )],
        3,
    )
    .unwrap();
    // The first page again (a retried request, or a gateway replaying it): nothing moves.
    assert!(d.apply_gateway_events(&page, 3).unwrap().is_empty());
    assert_eq!(audit_actions(&d).len(), audit_before + 1);
    assert_eq!(password_hash_of(&d, dee), new_hash);
    assert_eq!(d.gateway_event_cursor().unwrap(), 3);

    // A cursor that goes back is refused whole.
    assert!(d.apply_gateway_events(&[], 1).is_err());
    assert_eq!(d.gateway_event_cursor().unwrap(), 3);
    // More events than the feed ever sends on one page: refused, nothing applied.
    let flood: Vec<Event> = (4..4 + i64::from(orgdesk_protocol::MAX_EVENTS_LIMIT) + 1)
        .map(|seq| {
            event(
                seq,
                EventKind::SignedIn {
                    account_id: Some("acc_dee".into()),
                    username: "dee".into(),
                },
            )
        })
        .collect();
    let last = flood.last().unwrap().seq;
    assert!(d.apply_gateway_events(&flood, last).is_err());
    assert_eq!(d.gateway_event_cursor().unwrap(), 3);
}

fn join(seq: i64, request: &str, username: &str, approval_required: bool) -> Event {
    event(
        seq,
        EventKind::JoinRequested {
            request_id: request.into(),
            via: JoinVia::Link,
            details: JoinerDetails {
                name: format!("Person {username}"),
                ..JoinerDetails::default()
            },
            account_id: Some(format!("acc_{request}")),
            username: username.into(),
            password_hash: orgdesk_core::password::hash(STRANGER_PASSWORD).unwrap(),
            approval_required,
        },
    )
}

#[test]
fn joins_are_judged_by_the_directorys_own_rules() {
    let (mut d, _) = with_org();
    // The admin never switched approval off here: a join the event calls approved waits.
    let changed = d
        .apply_gateway_events(&[join(1, "jr_1", "mo", false)], 1)
        .unwrap();
    assert!(changed.is_empty());
    assert_eq!(d.join_requests(true).unwrap().len(), 1);

    // With approval off here, a join under the admin's username is refused, not merged.
    d.record_joining_rules(&JoiningRules {
        approval_required: false,
        required_fields: vec![],
    })
    .unwrap();
    let changed = d
        .apply_gateway_events(&[join(2, "jr_2", "ann", false)], 2)
        .unwrap();
    assert!(changed.is_empty(), "{changed:?}");
    d.record_joining_rules(&JoiningRules {
        approval_required: false,
        required_fields: vec!["employee_id".into()],
    })
    .unwrap();
    let changed = d
        .apply_gateway_events(&[join(3, "jr_3", "zed", false)], 3)
        .unwrap();
    assert!(changed.is_empty(), "{changed:?}");
    ann_unharmed(&mut d);
    let all = d.join_requests(false).unwrap();
    let ann_try = all.iter().find(|r| r.username == "ann").unwrap();
    assert_eq!(ann_try.state, JoinRequestState::Rejected);
    assert!(ann_try.problem.as_deref().unwrap().contains("already used"));
    // A required field missing: refused as well.
    let zed = all.iter().find(|r| r.username == "zed").unwrap();
    assert_eq!(zed.state, JoinRequestState::Rejected);
    assert!(zed.problem.as_deref().unwrap().contains("Employee ID"));
    let mut refused = refusals(&d);
    refused.sort();
    assert_eq!(refused, ["acc_jr_2", "acc_jr_3"]);
}

#[test]
fn rejecting_a_request_tells_the_gateway_to_remove_any_account_it_made() {
    let (mut d, a) = with_org_admin();
    d.apply_gateway_events(&[join(1, "jr_1", "mo", false)], 1)
        .unwrap();
    let request = d.join_requests(true).unwrap().pop().unwrap();
    d.decide_join_request(&a, request.id, false).unwrap();
    assert_eq!(refusals(&d), ["acc_jr_1"]);

    // Approving binds the new member to the request's account.
    d.apply_gateway_events(&[join(2, "jr_2", "noor", true)], 2)
        .unwrap();
    let request = d.join_requests(true).unwrap().pop().unwrap();
    let member = d
        .decide_join_request(&a, request.id, true)
        .unwrap()
        .unwrap();
    assert_eq!(
        d.gateway_account_of(member).unwrap().as_deref(),
        Some("acc_jr_2")
    );
}

/// An organization whose account mirror the gateway has taken, binding Ann to account
/// `account`: nothing more is due.
fn mirrored_org(account: &str) -> Directory {
    let (mut d, _) = with_org();
    let first = d.due_account_mirror(500).unwrap();
    d.account_mirror_done(&first, &[account.into()]).unwrap();
    assert!(d.due_account_mirror(500).unwrap().is_empty());
    d
}

#[test]
fn another_gateway_gets_the_whole_mirror_and_binds_its_own_accounts() {
    let mut d = mirrored_org("acc_old");
    let ann = d.initial_admin_id().unwrap();
    assert_eq!(
        d.gateway_account_of(ann).unwrap().as_deref(),
        Some("acc_old")
    );

    d.reset_gateway_event_cursor().unwrap();
    assert_eq!(d.gateway_account_of(ann).unwrap(), None);
    let again = d.due_account_mirror(500).unwrap();
    assert_eq!(again.len(), 1);
    assert_eq!(
        again[0].account.account_id, None,
        "the old gateway's id means nothing there"
    );
    // An event naming the old gateway's account no longer reaches anyone.
    let changed = d
        .apply_gateway_events(
            &[event(
                1,
                EventKind::SignedIn {
                    account_id: Some("acc_old".into()),
                    username: "ann".into(),
                },
            )],
            1,
        )
        .unwrap();
    assert!(changed.is_empty());
}

#[test]
fn the_mirror_notices_changes_made_by_another_connection() {
    let d = mirrored_org("acc_ann");
    assert!(
        d.due_account_mirror(500).unwrap().is_empty(),
        "still in step"
    );
    // The command line (another connection) renames Ann: the next round sees it.
    let path = d.connection().path().unwrap().to_owned();
    let other = rusqlite::Connection::open(path).unwrap();
    other
        .execute(
            "UPDATE members SET name = 'Ann B. Lee' WHERE username = 'ann'",
            [],
        )
        .unwrap();
    let due = d.due_account_mirror(500).unwrap();
    assert_eq!(due.len(), 1);
    assert_eq!(due[0].account.name, "Ann B. Lee");
}

/// Ann and 30 seeded members in the file `org.db` in `dir`, their accounts mirrored in rounds
/// of 5 until the first `rounds` rounds are heard (every member of them bound to `acc_{id}`).
fn mirrored_in_rounds(dir: &std::path::Path, rounds: usize) -> Directory {
    let (mut d, _) = crate::org_in_file(dir);
    orgdesk_core::seed::seed(&mut d, 3, 30, 1).unwrap();
    for _ in 0..rounds {
        send_round(&mut d);
    }
    d
}

/// One round of the account mirror, 5 members at most, heard by the gateway; answers the
/// member ids sent.
fn send_round(d: &mut Directory) -> Vec<i64> {
    let due = d.due_account_mirror(5).unwrap();
    let ids: Vec<String> = due.iter().map(|i| format!("acc_{}", i.member_id)).collect();
    d.account_mirror_done(&due, &ids).unwrap();
    due.iter().map(|i| i.member_id).collect()
}

#[test]
fn a_mirror_sent_in_rounds_reaches_every_member_once_in_member_order() {
    let dir = tempfile::tempdir().unwrap();
    let mut d = mirrored_in_rounds(dir.path(), 0);
    let mut sent = Vec::new();
    loop {
        let round = send_round(&mut d);
        if round.is_empty() {
            break;
        }
        sent.extend(round);
    }
    let everyone: Vec<i64> = crate::column(
        &d,
        "SELECT id FROM members WHERE username IS NOT NULL ORDER BY id",
    );
    assert_eq!(sent, everyone);
}

#[test]
fn between_rounds_the_mirror_sees_changes_to_members_already_sent() {
    let dir = tempfile::tempdir().unwrap();
    let mut d = mirrored_in_rounds(dir.path(), 2);
    // Members 2 and 3 were heard in the first round; a change to either is due before the
    // members not sent yet, made here or by another connection (the command line).
    let first_due = |d: &Directory| {
        let due = d.due_account_mirror(5).unwrap();
        (due[0].member_id, due[0].account.name.clone())
    };
    d.connection()
        .execute("UPDATE members SET name = 'Renamed Here' WHERE id = 2", [])
        .unwrap();
    assert_eq!(first_due(&d), (2, "Renamed Here".to_owned()));
    send_round(&mut d);
    send_round(&mut d);
    let other = rusqlite::Connection::open(dir.path().join("org.db")).unwrap();
    other
        .execute("UPDATE members SET name = 'Renamed There' WHERE id = 3", [])
        .unwrap();
    assert_eq!(first_due(&d), (3, "Renamed There".to_owned()));
}

#[test]
fn a_record_of_members_already_sent_has_them_compared_again() {
    let dir = tempfile::tempdir().unwrap();
    let mut d = mirrored_in_rounds(dir.path(), 2);
    // What the gateway is said to have heard about member 2, who was sent in the first
    // round, is not what the directory holds: the next round sends them again.
    let mut stale = d.due_account_mirror(5).unwrap()[0].clone();
    stale.member_id = 2;
    stale.account.name = "Someone Else".into();
    d.account_mirror_done(&[stale], &["acc_2".into()]).unwrap();
    let due = d.due_account_mirror(5).unwrap();
    assert_eq!(due[0].member_id, 2);
    assert_ne!(due[0].account.name, "Someone Else");
}

/// Every event about an invitation, late or replayed, against an invitation that is already
/// closed (registered, or cancelled by the admin): none moves it.
#[test]
fn no_late_event_moves_a_closed_invitation() {
    let closing = |d: &mut Directory, gateway_id: &str, registered: bool| -> i64 {
        let (_, inv) = invited(d, &format!("P{gateway_id}"), gateway_id);
        if registered {
            d.apply_gateway_events(
                &[event(
                    d.gateway_event_cursor().unwrap() + 1,
                    EventKind::Registered {
                        invitation_id: gateway_id.into(),
                        account_id: Some(format!("acc_{gateway_id}")),
                        username: format!("user_{gateway_id}"),
                        password_hash: orgdesk_core::password::hash("Blue-Kettle42").unwrap(),
                    },
                )],
                d.gateway_event_cursor().unwrap() + 1,
            )
            .unwrap();
        } else {
            let a = admin(d);
            d.cancel_invitation(&a, inv).unwrap();
        }
        inv
    };
    let (mut d, _) = with_org();
    let registered = closing(&mut d, "inv_r", true);
    let cancelled = closing(&mut d, "inv_c", false);
    assert_eq!(state_of(&d, registered), InvitationState::Registered);
    assert_eq!(state_of(&d, cancelled), InvitationState::Cancelled);
    for gateway_id in ["inv_r", "inv_c"] {
        let id = || gateway_id.to_owned();
        let late = [
            EventKind::InvitationDelivered {
                invitation_id: id(),
                message_id: "<m@x>".into(),
                kept: false,
            },
            EventKind::InvitationOpened {
                invitation_id: id(),
            },
            EventKind::InvitationFailed {
                invitation_id: id(),
                reason: "550".into(),
            },
            EventKind::InvitationBounced {
                invitation_id: id(),
                reason: "bounced".into(),
            },
            EventKind::InvitationExpired {
                invitation_id: id(),
            },
            EventKind::Declined {
                invitation_id: id(),
            },
        ];
        for kind in late {
            let seq = d.gateway_event_cursor().unwrap() + 1;
            d.apply_gateway_events(&[event(seq, kind.clone())], seq)
                .unwrap();
            assert_eq!(
                state_of(&d, registered),
                InvitationState::Registered,
                "{kind:?}"
            );
            assert_eq!(
                state_of(&d, cancelled),
                InvitationState::Cancelled,
                "{kind:?}"
            );
        }
    }
}
