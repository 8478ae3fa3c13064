use orgdesk_core::auth::SignInInput;
use orgdesk_core::clock::Clock;
use orgdesk_core::invitations::{
    GatewayAction, GatewayWork, InvitationQuery, InvitationState, InviteChannel, WorkResult,
};
use orgdesk_core::join::JoinRequestFilter;
use orgdesk_core::members::NewInvitee;
use orgdesk_core::types::{MemberId, MemberStatus};
use orgdesk_core::{CoreError, Directory};
use orgdesk_protocol::{Channel, Event, EventKind};

use crate::{
    admin, event_at, linked, new_member, password_changed, personal_details, pos, registered,
    with_org, with_org_admin,
};

pub(crate) const INVITEE_PASSWORD: &str = "Blue-Kettle42";

/// A Not Joined member in a team of their own; with neither email nor mobile, added for a link.
pub(crate) fn add_invitee(
    d: &mut Directory,
    name: &str,
    email: Option<&str>,
    mobile: Option<&str>,
) -> MemberId {
    let a = admin(d);
    let root = d.department_tree().unwrap().id;
    let sales = d
        .create_department(&a, root, &format!("Team {name}"))
        .unwrap();
    d.add_invitee(
        &a,
        &NewInvitee {
            name: name.into(),
            email: email.map(Into::into),
            mobile: mobile.map(Into::into),
            department_id: sales,
            position: Some("Engineer".into()),
            role_ids: Vec::new(),
            link_only: email.is_none() && mobile.is_none(),
        },
    )
    .unwrap()
}

fn event(seq: i64, kind: EventKind) -> Event {
    event_at(seq, 1, kind)
}

/// Dee (dee@example.com), added for invitation and invited by email by the admin.
fn invite_dee(d: &mut Directory) -> MemberId {
    let dee = add_invitee(d, "Dee", Some("dee@example.com"), None);
    d.invite_members(&admin(d), &[dee], InviteChannel::Email)
        .unwrap();
    dee
}

/// Invites Dee (see [`invite_dee`]) and takes the gateway's first due work: the creation of
/// her invitation.
fn dee_invitation_created(d: &mut Directory) -> GatewayWork {
    invite_dee(d);
    d.due_gateway_work(10).unwrap().remove(0)
}

/// Dee and Eve, both to be invited by email; only Dee's invitation is sent.
fn dee_invited_eve_not(d: &mut Directory) -> (MemberId, MemberId) {
    let dee = add_invitee(d, "Dee", Some("dee@example.com"), None);
    let eve = add_invitee(d, "Eve", Some("eve@example.com"), None);
    d.invite_members(&admin(d), &[dee], InviteChannel::Email)
        .unwrap();
    (dee, eve)
}

pub(crate) fn state_of(d: &Directory, id: i64) -> InvitationState {
    d.list_invitations(&InvitationQuery::default())
        .unwrap()
        .into_iter()
        .find(|r| r.id == id)
        .unwrap()
        .state
}

#[test]
fn an_invitation_is_queued_with_the_message_fields_until_the_gateway_takes_it() {
    let (mut d, a) = with_org_admin();
    let dee = add_invitee(&mut d, "Dee <b>", Some("dee@example.com"), None);
    let out = d.invite_members(&a, &[dee], InviteChannel::Email).unwrap();
    assert_eq!(out.invited, 1);
    assert!(out.skipped.is_empty());

    let rows = d.list_invitations(&InvitationQuery::default()).unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].state, InvitationState::Queued);
    assert_eq!(rows[0].recipient, "dee@example.com");
    assert!(rows[0].awaiting_gateway);
    assert_eq!(d.invitation_counts().unwrap().awaiting_gateway, 1);

    let work = d.due_gateway_work(10).unwrap();
    assert_eq!(work.len(), 1);
    let GatewayAction::Create(req) = &work[0].action else {
        panic!("expected a create, got {:?}", work[0].action);
    };
    assert_eq!(req.channel, Channel::Email);
    assert_eq!(req.invitee_name, "Dee <b>");
    assert_eq!(req.organization_name, "Acme");
    assert_eq!(req.department_label, "Team Dee <b>");
    assert_eq!(req.position_label, "Engineer");
    assert_eq!(req.inviter_name, "Ann Lee");
    assert_eq!(work[0].idempotency_key.len(), 32, "128-bit key in hex");

    let id = linked(&mut d, "inv_1");
    let row = &d.list_invitations(&InvitationQuery::default()).unwrap()[0];
    assert_eq!(row.id, id);
    assert_eq!(row.state, InvitationState::Sent);
    assert_eq!(row.link.as_deref(), Some("http://127.0.0.1:1/i/inv_1"));
    assert_eq!(row.expires_at, Some(1_790_259_200_000));
    assert!(!row.awaiting_gateway);
    assert!(d.due_gateway_work(10).unwrap().is_empty());
}

#[test]
fn an_unreachable_gateway_is_retried_with_growing_delays_and_the_same_key() {
    let (mut d, clock) = with_org();
    let first = dee_invitation_created(&mut d);
    d.gateway_work_done(&first, WorkResult::Retry("connection refused".into()))
        .unwrap();
    assert!(d.due_gateway_work(10).unwrap().is_empty(), "not due yet");
    let row = &d.list_invitations(&InvitationQuery::default()).unwrap()[0];
    assert_eq!(row.state, InvitationState::Queued);
    assert_eq!(row.last_error.as_deref(), Some("connection refused"));

    clock.advance_secs(5);
    let second = d.due_gateway_work(10).unwrap().remove(0);
    assert_eq!(second.idempotency_key, first.idempotency_key);
    assert_eq!(second.attempts, 1);
    d.gateway_work_done(&second, WorkResult::Retry("timeout".into()))
        .unwrap();
    clock.advance_secs(5);
    assert!(
        d.due_gateway_work(10).unwrap().is_empty(),
        "second wait is 10 s"
    );
    clock.advance_secs(5);
    assert_eq!(d.due_gateway_work(10).unwrap().len(), 1);
}

#[test]
fn only_not_joined_members_with_a_contact_are_invited() {
    let (mut d, a) = with_org_admin();
    let no_mobile = add_invitee(&mut d, "Eve", Some("eve@example.com"), None);
    let root = d.department_tree().unwrap().id;
    let joined = d
        .add_member(&a, &new_member("Joe", "joe", vec![pos(root, None)]))
        .unwrap();
    let out = d
        .invite_members(&a, &[no_mobile, joined], InviteChannel::Sms)
        .unwrap();
    assert_eq!(out.invited, 0);
    let reasons: Vec<(String, String)> = out
        .skipped
        .iter()
        .map(|s| (s.field.clone().unwrap(), s.code.clone()))
        .collect();
    assert_eq!(
        reasons,
        [
            ("Eve".to_owned(), "no_mobile".to_owned()),
            ("Joe".to_owned(), "already_joined".to_owned())
        ]
    );
    assert!(d
        .list_invitations(&InvitationQuery::default())
        .unwrap()
        .is_empty());
    let link = d
        .invite_members(&a, &[no_mobile], InviteChannel::Link)
        .unwrap();
    assert_eq!(link.invited, 1);
    assert!(matches!(
        d.invite_members(&a, &[], InviteChannel::Email),
        Err(CoreError::Validation { .. })
    ));
}

#[test]
fn inviting_again_cancels_the_open_invitation_and_resend_and_cancel_queue_work() {
    let (mut d, a) = with_org_admin();
    let dee = add_invitee(&mut d, "Dee", Some("dee@example.com"), Some("+14155550100"));
    d.invite_members(&a, &[dee], InviteChannel::Email).unwrap();
    let first = linked(&mut d, "inv_1");
    d.invite_members(&a, &[dee], InviteChannel::Sms).unwrap();
    assert_eq!(state_of(&d, first), InvitationState::Cancelled);
    let work = d.due_gateway_work(10).unwrap();
    let actions: Vec<_> = work
        .iter()
        .map(|w| match &w.action {
            GatewayAction::Create(c) => format!("create {:?}", c.channel),
            other => format!("{other:?} {}", w.gateway_id.clone().unwrap_or_default()),
        })
        .collect();
    assert_eq!(actions, ["Cancel inv_1", "create Sms"]);
    d.gateway_work_done(&work[0], WorkResult::Cancelled)
        .unwrap();
    let second = linked(&mut d, "inv_2");

    d.resend_invitation(&a, second).unwrap();
    let resend = d.due_gateway_work(10).unwrap().remove(0);
    assert_eq!(resend.action, GatewayAction::Resend);
    assert_eq!(resend.gateway_id.as_deref(), Some("inv_2"));
    assert_eq!(state_of(&d, second), InvitationState::Queued);
    d.gateway_work_done(
        &resend,
        WorkResult::Linked {
            gateway_id: "inv_2".into(),
            link: "http://127.0.0.1:1/i/new".into(),
            expires_at_secs: 1,
        },
    )
    .unwrap();
    assert_eq!(state_of(&d, second), InvitationState::Sent);

    d.cancel_invitation(&a, second).unwrap();
    assert_eq!(state_of(&d, second), InvitationState::Cancelled);
    assert!(matches!(
        d.resend_invitation(&a, second),
        Err(CoreError::Conflict(_))
    ));
    let cancel = d.due_gateway_work(10).unwrap().remove(0);
    assert_eq!(cancel.action, GatewayAction::Cancel);
}

#[test]
fn cancelling_while_the_create_is_in_flight_keeps_the_cancel() {
    let (mut d, a) = with_org_admin();
    let create = dee_invitation_created(&mut d);
    let id = create.invitation_id;
    d.cancel_invitation(&a, id).unwrap();
    // Not known to the gateway yet: nothing to tell it…
    assert!(d.due_gateway_work(10).unwrap().is_empty());
    // …until the create that was already on its way comes back.
    d.gateway_work_done(
        &create,
        WorkResult::Linked {
            gateway_id: "inv_9".into(),
            link: "l".into(),
            expires_at_secs: 1,
        },
    )
    .unwrap();
    assert_eq!(state_of(&d, id), InvitationState::Cancelled);
    // The gateway made a live link meanwhile: its cancel is queued, once, under its id.
    let work = d.due_gateway_work(10).unwrap();
    assert_eq!(work.len(), 1, "{work:?}");
    assert_eq!(work[0].action, GatewayAction::Cancel);
    assert_eq!(work[0].gateway_id.as_deref(), Some("inv_9"));
    d.gateway_work_done(&work[0], WorkResult::Cancelled)
        .unwrap();
    assert!(d.due_gateway_work(10).unwrap().is_empty());
    assert_eq!(state_of(&d, id), InvitationState::Cancelled);
}

#[test]
fn registration_through_the_feed_makes_the_member_enabled_with_their_password() {
    let (mut d, _) = with_org();
    let dee = invite_dee(&mut d);
    let id = linked(&mut d, "inv_1");
    let hash = orgdesk_core::password::hash(INVITEE_PASSWORD).unwrap();
    let events = [
        event(
            1,
            EventKind::InvitationDelivered {
                invitation_id: "inv_1".into(),
                message_id: "<m@x>".into(),
                kept: false,
            },
        ),
        event(
            2,
            EventKind::InvitationOpened {
                invitation_id: "inv_1".into(),
            },
        ),
    ];
    assert!(d.apply_gateway_events(&events, 2).unwrap().is_empty());
    assert_eq!(state_of(&d, id), InvitationState::Opened);
    assert_eq!(d.gateway_event_cursor().unwrap(), 2);

    let joined = d
        .apply_gateway_events(&[event(3, registered("inv_1", "acc_dee", "dee", hash))], 3)
        .unwrap();
    assert_eq!(joined, [dee]);
    assert_eq!(state_of(&d, id), InvitationState::Registered);
    let details = d.member_details(dee).unwrap();
    assert_eq!(details.status, MemberStatus::Enabled);
    assert_eq!(details.username.as_deref(), Some("dee"));
    assert_eq!(d.gateway_event_cursor().unwrap(), 3);
    // Found by the username they chose.
    let search = orgdesk_core::members::MemberQuery {
        search: Some("dee".into()),
        ..Default::default()
    };
    assert_eq!(d.list_members(&search).unwrap().total, 1);
    // A later delivery report does not move a registered invitation back.
    d.apply_gateway_events(
        &[event(
            4,
            EventKind::InvitationDelivered {
                invitation_id: "inv_1".into(),
                message_id: "<m@x>".into(),
                kept: false,
            },
        )],
        4,
    )
    .unwrap();
    assert_eq!(state_of(&d, id), InvitationState::Registered);
    // The member is not an admin, so the console refuses them, but with the password they chose.
    let refused = d.sign_in(&SignInInput {
        username: "dee".into(),
        password: INVITEE_PASSWORD.into(),
    });
    assert!(
        matches!(refused, Err(CoreError::Forbidden(_))),
        "{refused:?}"
    );
}

#[test]
fn a_registration_under_a_username_already_used_here_fails_the_invitation_only() {
    let (mut d, _) = with_org();
    let dee = invite_dee(&mut d);
    let id = linked(&mut d, "inv_1");
    let applied = d
        .apply_gateway_events(
            &[
                event(
                    1,
                    registered(
                        "inv_1",
                        "acc_stranger",
                        "ANN",
                        orgdesk_core::password::hash(INVITEE_PASSWORD).unwrap(),
                    ),
                ),
                event(
                    2,
                    EventKind::Declined {
                        invitation_id: "unknown".into(),
                    },
                ),
            ],
            2,
        )
        .unwrap();
    assert!(applied.is_empty());
    let row = &d.list_invitations(&InvitationQuery::default()).unwrap()[0];
    assert_eq!(row.id, id);
    assert_eq!(row.state, InvitationState::Failed);
    assert!(row.last_error.as_deref().unwrap().contains("already used"));
    assert_eq!(
        d.member_details(dee).unwrap().status,
        MemberStatus::NotJoined
    );
    assert_eq!(d.gateway_event_cursor().unwrap(), 2);
}

#[test]
fn declines_and_failures_are_shown_on_the_invitation() {
    let (mut d, a) = with_org_admin();
    let (_, eve) = dee_invited_eve_not(&mut d);
    let dee_inv = linked(&mut d, "inv_d");
    d.invite_members(&a, &[eve], InviteChannel::Email).unwrap();
    let eve_inv = linked(&mut d, "inv_e");
    d.apply_gateway_events(
        &[
            event(
                1,
                EventKind::Declined {
                    invitation_id: "inv_d".into(),
                },
            ),
            event(
                2,
                EventKind::InvitationFailed {
                    invitation_id: "inv_e".into(),
                    reason: "550 mailbox unavailable".into(),
                },
            ),
        ],
        2,
    )
    .unwrap();
    assert_eq!(state_of(&d, dee_inv), InvitationState::Declined);
    assert_eq!(state_of(&d, eve_inv), InvitationState::Failed);
    let failed = d
        .list_invitations(&InvitationQuery {
            states: vec![InvitationState::Failed],
            ..Default::default()
        })
        .unwrap();
    assert_eq!(failed.len(), 1);
    assert_eq!(
        failed[0].last_error.as_deref(),
        Some("550 mailbox unavailable")
    );
    assert_eq!(d.invitation_counts().unwrap().failed, 1);
}

#[test]
fn members_own_changes_on_the_gateway_reach_the_directory() {
    let (mut d, _) = with_org();
    let (dee, _eve) = dee_invited_eve_not(&mut d);
    linked(&mut d, "inv_1");
    let hash = orgdesk_core::password::hash(INVITEE_PASSWORD).unwrap();
    d.apply_gateway_events(&[event(1, registered("inv_1", "acc_dee", "dee", hash))], 1)
        .unwrap();

    let changed = d
        .apply_gateway_events(
            &[
                event_at(
                    2,
                    1_790_000_100,
                    EventKind::SignedIn {
                        account_id: Some("acc_dee".into()),
                        username: "DEE".into(),
                    },
                ),
                event(
                    3,
                    // Eve's address: the directory keeps addresses unique, so this is refused.
                    personal_details(
                        "acc_dee",
                        "dee",
                        Some("Dee Quinn"),
                        Some("+14155550100"),
                        Some("eve@example.com"),
                    ),
                ),
            ],
            3,
        )
        .unwrap();
    assert_eq!(changed, [dee, dee]);
    let m = d.member_details(dee).unwrap();
    assert_eq!(m.name, "Dee Quinn");
    assert_eq!(m.mobile.as_deref(), Some("+14155550100"));
    assert_eq!(m.email.as_deref(), Some("dee@example.com"));
    assert_eq!(m.last_login_at, Some(1_790_000_100_000));
    let found = d
        .list_members(&orgdesk_core::members::MemberQuery {
            search: Some("quinn".into()),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(found.total, 1, "the new name is searchable");

    // A password changed on the gateway is the one the directory checks.
    let new_hash = orgdesk_core::password::hash("Green-Teapot77").unwrap();
    d.apply_gateway_events(
        &[event(
            4,
            password_changed("acc_dee", "dee", new_hash.clone()),
        )],
        4,
    )
    .unwrap();
    assert_eq!(
        d.member_details(dee).unwrap().username.as_deref(),
        Some("dee")
    );
    assert!(orgdesk_core::password::verify(
        "Green-Teapot77",
        &password_hash_of(&d, dee)
    ));
}

pub(crate) fn password_hash_of(d: &Directory, id: MemberId) -> String {
    d.connection()
        .query_row(
            "SELECT password_hash FROM members WHERE id = ?1",
            [id.0],
            |r| r.get(0),
        )
        .unwrap()
}

#[test]
fn an_expired_link_is_shown_as_expired_and_can_be_resent() {
    let (mut d, a) = with_org_admin();
    invite_dee(&mut d);
    let id = linked(&mut d, "inv_1");
    d.apply_gateway_events(
        &[event(
            1,
            EventKind::InvitationExpired {
                invitation_id: "inv_1".into(),
            },
        )],
        1,
    )
    .unwrap();
    assert_eq!(state_of(&d, id), InvitationState::Expired);
    assert!(matches!(
        d.cancel_invitation(&a, id),
        Err(CoreError::Conflict(_))
    ));
    // Resending gives a new link on the same invitation.
    d.resend_invitation(&a, id).unwrap();
    assert_eq!(state_of(&d, id), InvitationState::Queued);
    let work = d.due_gateway_work(10).unwrap();
    assert_eq!(work[0].action, GatewayAction::Resend);
}

#[test]
fn account_state_changes_of_members_reach_the_gateway_through_the_mirror() {
    use orgdesk_core::members::MemberAction;
    use orgdesk_protocol::AccountState;
    let (mut d, a) = with_org_admin();
    let root = d.department_tree().unwrap().id;
    let state_of_account = |d: &Directory, username: &str| {
        d.due_account_mirror(500)
            .unwrap()
            .into_iter()
            .filter(|i| i.account.username == username)
            .map(|i| i.account.state)
            .collect::<Vec<_>>()
    };
    // Everyone with a username is mirrored, the initial admin first, with their password.
    let first = d.due_account_mirror(500).unwrap();
    assert_eq!(first.len(), 1);
    assert_eq!(first[0].account.username, "ann");
    assert!(first[0].account.password_hash.is_some());
    assert_eq!(first[0].account.account_id, None);
    d.account_mirror_done(&first, &["acc_ann".into()]).unwrap();
    assert!(d.due_account_mirror(500).unwrap().is_empty(), "in step");
    assert_eq!(
        d.gateway_account_of(d.initial_admin_id().unwrap())
            .unwrap()
            .as_deref(),
        Some("acc_ann")
    );

    let joe = d
        .add_member(&a, &new_member("Joe", "joe", vec![pos(root, None)]))
        .unwrap();
    // Members who never joined have no username, so no account on the gateway.
    let dee = add_invitee(&mut d, "Dee", Some("dee@example.com"), None);
    d.remove_member(&a, dee, None).unwrap();
    assert_eq!(state_of_account(&d, "joe"), [AccountState::Enabled]);
    let joe_item = d.due_account_mirror(500).unwrap();
    d.account_mirror_done(&joe_item, &["acc_joe".into()])
        .unwrap();

    d.change_status(&a, joe, MemberAction::Disable).unwrap();
    let due = d.due_account_mirror(500).unwrap();
    assert_eq!(due.len(), 1);
    assert_eq!(due[0].account.state, AccountState::Disabled);
    assert_eq!(due[0].account.account_id.as_deref(), Some("acc_joe"));
    // Enabled again before anything was sent: the gateway already has it so, nothing is due;
    // but once the disable that was on its way lands, the enable is sent after it.
    d.change_status(&a, joe, MemberAction::Enable).unwrap();
    assert!(state_of_account(&d, "joe").is_empty());
    d.account_mirror_done(&due, &["acc_joe".into()]).unwrap();
    assert_eq!(
        state_of_account(&d, "joe"),
        [AccountState::Enabled],
        "the enable made after the disable was sent still differs"
    );
    let again = d.due_account_mirror(500).unwrap();
    d.account_mirror_done(&again, &["acc_joe".into()]).unwrap();
    assert!(d.due_account_mirror(500).unwrap().is_empty());

    d.change_status(&a, joe, MemberAction::Resign).unwrap();
    assert_eq!(state_of_account(&d, "joe"), [AccountState::Disabled]);
    let resigned = d.due_account_mirror(500).unwrap();
    d.account_mirror_done(&resigned, &["acc_joe".into()])
        .unwrap();
    let ann = d.initial_admin_id().unwrap();
    d.remove_member(&a, joe, Some(ann)).unwrap();
    let due = d.due_account_mirror(500).unwrap();
    assert_eq!(due.len(), 1);
    assert_eq!(
        (
            due[0].account.username.as_str(),
            due[0].account.state,
            due[0].account.account_id.as_deref()
        ),
        ("joe", AccountState::Removed, Some("acc_joe"))
    );
    d.account_mirror_done(&due, &["acc_joe".into()]).unwrap();
    assert!(d.due_account_mirror(500).unwrap().is_empty(), "said once");
}

pub(crate) fn join_event(
    seq: i64,
    request: &str,
    username: &str,
    email: Option<&str>,
    approval: bool,
) -> Event {
    event(
        seq,
        EventKind::JoinRequested {
            request_id: request.into(),
            via: orgdesk_protocol::JoinVia::Code,
            details: orgdesk_protocol::JoinerDetails {
                name: format!("Person {username}"),
                email: email.map(Into::into),
                work_location: Some("Berlin".into()),
                ..Default::default()
            },
            account_id: Some(format!("acc_{request}")),
            username: username.into(),
            password_hash: orgdesk_core::password::hash(INVITEE_PASSWORD).unwrap(),
            approval_required: approval,
        },
    )
}

#[test]
fn join_requests_wait_for_approval_and_approval_creates_the_member() {
    use orgdesk_core::join::JoinRequestState;
    let (mut d, a) = with_org_admin();
    let changed = d
        .apply_gateway_events(
            &[
                join_event(1, "jr_1", "noa", Some("noa@example.com"), true),
                join_event(2, "jr_2", "ANN", None, true),
                // A replayed page does not record the request twice.
                join_event(3, "jr_1", "noa", Some("noa@example.com"), true),
            ],
            3,
        )
        .unwrap();
    assert!(changed.is_empty(), "nobody joins before approval");
    let pending = d.join_requests(true).unwrap();
    assert_eq!(pending.len(), 2);
    assert_eq!(d.pending_join_requests().unwrap(), 2);
    let noa = pending.iter().find(|r| r.username == "noa").unwrap();
    assert_eq!(noa.via, "code");
    assert_eq!(noa.work_location.as_deref(), Some("Berlin"));
    assert!(noa.problem.is_none());

    let member = d.decide_join_request(&a, noa.id, true).unwrap().unwrap();
    let m = d.member_details(member).unwrap();
    assert_eq!(m.status, MemberStatus::Enabled);
    assert_eq!(m.username.as_deref(), Some("noa"));
    assert_eq!(m.email.as_deref(), Some("noa@example.com"));
    assert_eq!(
        m.positions[0].department_id,
        d.department_tree().unwrap().id
    );
    assert_eq!(m.roles[0].name, "Member");
    assert!(
        matches!(
            d.sign_in(&SignInInput {
                username: "noa".into(),
                password: INVITEE_PASSWORD.into()
            }),
            Err(CoreError::Forbidden(_))
        ),
        "their own password, but no admin role"
    );
    assert!(matches!(
        d.decide_join_request(&a, noa.id, false),
        Err(CoreError::Conflict(_))
    ));

    // "ANN" clashes with the admin's username: approval writes nothing and says why.
    let ann = d
        .join_requests(true)
        .unwrap()
        .into_iter()
        .find(|r| r.username == "ANN")
        .unwrap();
    let before = d.list_members(&Default::default()).unwrap().total;
    let refused = d.decide_join_request(&a, ann.id, true).unwrap_err();
    assert!(
        matches!(refused, CoreError::Validation { .. }),
        "{refused:?}"
    );
    assert!(refused.to_string().contains("already used"), "{refused}");
    assert_eq!(d.list_members(&Default::default()).unwrap().total, before);
    assert_eq!(d.decide_join_request(&a, ann.id, false).unwrap(), None);
    let all = d.join_requests(false).unwrap();
    assert!(all
        .iter()
        .any(|r| r.username == "ANN" && r.state == JoinRequestState::Rejected));

    // Both decisions wait in the outbox for the gateway.
    let decisions: Vec<(String, String)> = d
        .due_gateway_outbox(10)
        .unwrap()
        .into_iter()
        .filter(|i| i.kind == "join_decision")
        .map(|i| (i.target, i.value))
        .collect();
    assert_eq!(
        decisions,
        [
            ("jr_1".to_owned(), "approved".to_owned()),
            ("jr_2".to_owned(), "rejected".to_owned())
        ]
    );
}

#[test]
fn without_approval_the_member_is_created_at_once() {
    let (mut d, _) = with_org();
    d.record_joining_rules(&orgdesk_core::join::JoiningRules {
        approval_required: false,
        required_fields: vec![],
    })
    .unwrap();
    let changed = d
        .apply_gateway_events(&[join_event(1, "jr_9", "omer", None, false)], 1)
        .unwrap();
    assert_eq!(changed.len(), 1);
    let m = d.member_details(changed[0]).unwrap();
    assert_eq!(m.username.as_deref(), Some("omer"));
    assert_eq!(m.status, MemberStatus::Enabled);
    assert_eq!(
        d.gateway_account_of(changed[0]).unwrap().as_deref(),
        Some("acc_jr_9"),
        "bound to the account the gateway made"
    );
    assert!(d.join_requests(true).unwrap().is_empty());
    assert_eq!(
        d.join_requests(false).unwrap()[0].state,
        orgdesk_core::join::JoinRequestState::Approved
    );
}

#[test]
fn members_added_by_an_import_can_all_be_invited_at_once() {
    let (mut d, clock) = with_org();
    let a = admin(&d);
    let old = add_invitee(&mut d, "Old", Some("old@example.com"), None);
    clock.advance_secs(60);
    let since = d.now_ms();
    let by_mail = add_invitee(&mut d, "Mia", Some("mia@example.com"), Some("+14155550111"));
    let by_text = add_invitee(&mut d, "Tex", None, Some("+14155550112"));
    let already = add_invitee(&mut d, "Ada", Some("ada@example.com"), None);
    d.invite_members(&a, &[already], InviteChannel::Link)
        .unwrap();

    let out = d.invite_new_members_since(&a, since).unwrap();
    assert_eq!(out.invited, 2);
    let rows = d.list_invitations(&InvitationQuery::default()).unwrap();
    let channel_of = |m: MemberId| {
        rows.iter()
            .filter(|r| r.member_id == m)
            .map(|r| r.channel)
            .collect::<Vec<_>>()
    };
    assert_eq!(channel_of(by_mail), [InviteChannel::Email]);
    assert_eq!(channel_of(by_text), [InviteChannel::Sms]);
    assert_eq!(
        channel_of(already),
        [InviteChannel::Link],
        "not invited twice"
    );
    assert!(
        channel_of(old).is_empty(),
        "only members added since the import began"
    );
}

#[test]
fn invitations_and_join_requests_come_a_page_at_a_time_with_their_totals() {
    let (mut d, a) = with_org_admin();
    let ids: Vec<MemberId> = (0..7)
        .map(|i| {
            add_invitee(
                &mut d,
                &format!("Person {i}"),
                Some(&format!("p{i}@example.com")),
                None,
            )
        })
        .collect();
    d.invite_members(&a, &ids, InviteChannel::Email).unwrap();
    let all = d.list_invitations(&InvitationQuery::default()).unwrap();
    assert_eq!(all.len(), 7);
    let page = |offset: u32, limit: u32| {
        d.invitation_page(&InvitationQuery {
            offset,
            limit: Some(limit),
            ..Default::default()
        })
        .unwrap()
    };
    let first = page(0, 3);
    assert_eq!((first.rows.as_slice(), first.total), (&all[..3], 7));
    let last = page(6, 3);
    assert_eq!((last.rows.as_slice(), last.total), (&all[6..], 7));
    assert!(page(9, 3).rows.is_empty(), "past the end");
    assert_eq!(
        page(0, 1_000_000).rows.len(),
        7,
        "a huge limit is capped, not refused"
    );
    let failed = d
        .invitation_page(&InvitationQuery {
            states: vec![InvitationState::Failed],
            ..Default::default()
        })
        .unwrap();
    assert_eq!(
        (failed.rows.len(), failed.total),
        (0, 0),
        "the total follows the filter"
    );

    let events: Vec<Event> = (1..=5)
        .map(|i| join_event(i, &format!("jr_{i}"), &format!("joiner{i}"), None, true))
        .collect();
    d.apply_gateway_events(&events, 5).unwrap();
    let pending = d.join_requests(true).unwrap();
    assert_eq!(pending.len(), 5);
    let middle = d
        .join_request_page(JoinRequestFilter::Waiting, "", 2, 2)
        .unwrap();
    assert_eq!((middle.rows.as_slice(), middle.total), (&pending[2..4], 5));
    let capped = d
        .join_request_page(JoinRequestFilter::All, "", 0, u32::MAX)
        .unwrap();
    assert_eq!((capped.rows.len(), capped.total), (5, 5));
}

/// The gateway can send an invitation and report it before the answer that names its id has
/// been recorded here: the report waits for it instead of being passed over.
#[test]
fn a_report_that_outruns_the_answer_to_the_creation_waits_for_it() {
    let (mut d, clock) = with_org();
    let create = dee_invitation_created(&mut d);
    let id = create.invitation_id;
    let recent = |seq: i64, kind: EventKind| Event {
        at: clock.now_ms() / 1000,
        ..event(seq, kind)
    };
    let page = [
        recent(
            1,
            EventKind::PasswordResetFailed {
                reset_id: "rst_1".into(),
                reason: "mailbox full".into(),
            },
        ),
        recent(
            2,
            EventKind::InvitationDelivered {
                invitation_id: "inv_7".into(),
                message_id: "<m@x>".into(),
                kept: false,
            },
        ),
    ];
    // The page stops before the report about the invitation whose id is not known yet: the
    // event before it is applied, the cursor stays before it.
    d.apply_gateway_events(&page, 2).unwrap();
    assert_eq!(d.gateway_event_cursor().unwrap(), 1);
    assert_eq!(state_of(&d, id), InvitationState::Queued);

    d.gateway_work_done(
        &create,
        WorkResult::Linked {
            gateway_id: "inv_7".into(),
            link: "l".into(),
            expires_at_secs: clock.now_ms() / 1000 + 3600,
        },
    )
    .unwrap();
    assert_eq!(state_of(&d, id), InvitationState::Sent);
    // The next page starts with it and it is applied.
    d.apply_gateway_events(&page[1..], 2).unwrap();
    assert_eq!(d.gateway_event_cursor().unwrap(), 2);
    assert_eq!(state_of(&d, id), InvitationState::Delivered);
}

/// An event about an invitation this directory does not know is passed over when nothing waits
/// for a gateway id, or when it is older than the hold, so the feed never stalls on it.
#[test]
fn a_report_about_an_unknown_invitation_does_not_hold_the_feed_for_long() {
    let (mut d, clock) = with_org();
    let delivered = |seq: i64, at: i64| Event {
        at,
        ..event(
            seq,
            EventKind::InvitationDelivered {
                invitation_id: "inv_gone".into(),
                message_id: "<m@x>".into(),
                kept: false,
            },
        )
    };
    let now_secs = clock.now_ms() / 1000;
    // Nothing is waiting for the gateway: passed over at once.
    d.apply_gateway_events(&[delivered(1, now_secs)], 1)
        .unwrap();
    assert_eq!(d.gateway_event_cursor().unwrap(), 1);

    // A creation is in flight: a recent one waits…
    invite_dee(&mut d);
    d.apply_gateway_events(&[delivered(2, now_secs)], 2)
        .unwrap();
    assert_eq!(d.gateway_event_cursor().unwrap(), 1);
    // …but not past the hold.
    clock.advance_secs(11 * 60);
    d.apply_gateway_events(&[delivered(2, now_secs)], 2)
        .unwrap();
    assert_eq!(d.gateway_event_cursor().unwrap(), 2);
}

fn kept_mail(message_id: &str, text: &str) -> String {
    format!(
        "From: Orgdesk <noreply@localhost>\r\nTo: dee@example.com\r\nSubject: Ann invites you\r\n\
         Message-ID: {message_id}\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n{text}\r\n"
    )
}

#[test]
fn an_invitation_kept_in_the_gateways_mail_folder_is_kept_not_delivered_and_its_message_is_found() {
    let (mut d, a) = with_org_admin();
    invite_dee(&mut d);
    let id = linked(&mut d, "inv_1");
    let row_of = |d: &Directory| {
        d.list_invitations(&InvitationQuery::default())
            .unwrap()
            .into_iter()
            .find(|r| r.id == id)
            .unwrap()
    };
    assert!(!row_of(&d).kept, "not kept before the gateway says so");
    assert!(matches!(d.kept_message_id(id), Err(CoreError::NotFound(_))));
    let delivered = |message_id: &str, kept: bool| EventKind::InvitationDelivered {
        invitation_id: "inv_1".into(),
        message_id: message_id.into(),
        kept,
    };
    d.apply_gateway_events(&[event(1, delivered("<k1@localhost>", true))], 1)
        .unwrap();
    let row = row_of(&d);
    assert_eq!(row.state, InvitationState::Delivered);
    assert!(
        row.kept,
        "written into the gateway's folder: kept, not delivered"
    );

    // Its message is found in the folder by its Message-ID, among others.
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("1-a.eml"),
        kept_mail("<other@localhost>", "Someone else"),
    )
    .unwrap();
    std::fs::write(
        dir.path().join("2-b.eml"),
        kept_mail("<k1@localhost>", "Welcome, Dee"),
    )
    .unwrap();
    let message_id = d.kept_message_id(id).unwrap();
    let found = orgdesk_core::mailbox::find_mail(dir.path(), &message_id).unwrap();
    assert_eq!(found.file, "2-b.eml");
    assert!(found.text.contains("Welcome, Dee"), "{}", found.text);
    // Deleted from the folder: a clear "no longer there", not an error.
    std::fs::remove_file(dir.path().join("2-b.eml")).unwrap();
    assert!(matches!(
        orgdesk_core::mailbox::find_mail(dir.path(), &message_id),
        Err(CoreError::NotFound(m)) if m.contains("no longer")
    ));

    // Resent through a gateway that sends mail: delivered, and no longer kept.
    d.resend_invitation(&a, id).unwrap();
    linked(&mut d, "inv_1");
    d.apply_gateway_events(&[event(2, delivered("<s2@mail>", false))], 2)
        .unwrap();
    let row = row_of(&d);
    assert_eq!(row.state, InvitationState::Delivered);
    assert!(!row.kept);
    assert!(matches!(d.kept_message_id(id), Err(CoreError::NotFound(_))));
}
