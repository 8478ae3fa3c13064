//! Invitations in a team: sent, resent and cancelled through the change log, recorded alike on
//! every computer, told to the gateway by the computer that made the change only; the
//! gateway's id told to the others, so that its events reach every computer.

use orgdesk_core::clock::Clock;
use orgdesk_core::invitations::{
    GatewayAction, InvitationChange, InvitationQuery, InviteChannel, WorkResult,
};
use orgdesk_core::team::{Command, TeamCommand};
use orgdesk_core::types::{MemberId, MemberStatus};
use orgdesk_core::Directory;

use super::{enrolled, invitee, nothing_refused, refused_everywhere, team, Team};
use crate::{event_at, registered};

/// What each computer's Invitations screen shows of every invitation, oldest first: member,
/// channel, recipient, state, language, inviter, when made, when its link expires.
fn invitations_of(d: &Directory) -> Vec<String> {
    let mut rows = d.list_invitations(&InvitationQuery::default()).unwrap();
    rows.sort_by_key(|r| (r.created_at, r.member_name.clone()));
    rows.iter()
        .map(|r| {
            format!(
                "{} {:?} {} {:?} {:?} {} {} {:?}",
                r.member_name,
                r.channel,
                r.recipient,
                r.state,
                r.language,
                r.inviter_name,
                r.created_at,
                r.expires_at
            )
        })
        .collect()
}

/// The three computers' Invitations screens list the same rows.
pub(super) fn same_invitations(t: &Team) -> Vec<String> {
    let first = invitations_of(&t.dirs[0]);
    assert_eq!(first, invitations_of(&t.dirs[1]));
    assert_eq!(first, invitations_of(&t.dirs[2]));
    first
}

/// The row id of `member`'s newest invitation at computer `at` (each directory's own).
pub(super) fn invitation_of(t: &Team, at: usize, member: MemberId) -> i64 {
    let query = InvitationQuery {
        member_id: Some(member),
        limit: Some(1),
        ..InvitationQuery::default()
    };
    t.dirs[at].list_invitations(&query).unwrap()[0].id
}

/// The work computer `at` has queued for the gateway: (action, gateway id).
fn work_of(t: &Team, at: usize) -> Vec<(String, Option<String>)> {
    work_in(&t.dirs[at])
}

/// The work a directory has queued for the gateway: (action, gateway id).
fn work_in(d: &Directory) -> Vec<(String, Option<String>)> {
    d.due_gateway_work(50)
        .unwrap()
        .into_iter()
        .map(|w| {
            let action = match w.action {
                GatewayAction::Create(_) => "create",
                GatewayAction::Resend => "resend",
                GatewayAction::Cancel => "cancel",
            };
            (action.to_owned(), w.gateway_id)
        })
        .collect()
}

/// Computer `at` does its gateway work: each link made under `inv_<member name>` expiring at
/// `expires` (Unix seconds).
pub(super) fn gateway_answers(t: &mut Team, at: usize, expires: i64) {
    for w in t.dirs[at].due_gateway_work(50).unwrap() {
        let name: String = t.dirs[at]
            .connection()
            .query_row(
                "SELECT m.name FROM invitations i JOIN members m ON m.id = i.member_id WHERE i.id = ?1",
                [w.invitation_id],
                |r| r.get(0),
            )
            .unwrap();
        let gateway_id = format!("inv_{}", name.split(' ').next().unwrap().to_lowercase());
        let result = match w.action {
            GatewayAction::Cancel => WorkResult::Cancelled,
            _ => WorkResult::Linked {
                link: format!("https://gw.example/i/{gateway_id}-secret-token"),
                gateway_id,
                expires_at_secs: expires,
            },
        };
        t.dirs[at].gateway_work_done(&w, result).unwrap();
    }
}

/// The kinds of what computer `at` has queued for the log; no body holds a link or a token.
pub(super) fn queued_kinds(t: &Team, at: usize) -> Vec<String> {
    t.dirs[at]
        .pending_commands()
        .unwrap()
        .into_iter()
        .map(|p| {
            let text = serde_json::Value::Object(p.body.clone()).to_string();
            assert!(
                !text.contains("secret-token") && !text.contains("https://"),
                "{text}"
            );
            p.body["kind"].as_str().unwrap().to_owned()
        })
        .collect()
}

/// Ann adds `name` (`email`) in Sales to be invited, through the log; their id, the same on
/// every computer.
fn ann_adds_invitee(t: &mut Team, name: &str, email: &str) -> MemberId {
    t.make(0, "ann", invitee(name, email, t.dept("Sales")))
        .unwrap();
    t.send(0);
    nothing_refused(t);
    t.dirs[1].find_member(email).unwrap()
}

/// The admin `by` at computer `at` resends (`action`: or cancels) `member`'s invitation there;
/// once the change is back everywhere, only that computer has the gateway work, naming the
/// gateway's id the author's computer told. Answers the rows every computer lists alike.
fn changed_at(
    t: &mut Team,
    (at, by): (usize, &str),
    member: MemberId,
    action: &str,
) -> Vec<String> {
    let id = invitation_of(t, at, member);
    let command = Command::change_invitations(
        &t.dirs[at],
        &[id],
        if action == "cancel" {
            InvitationChange::Cancel
        } else {
            InvitationChange::Resend
        },
    )
    .unwrap();
    t.make(at, by, command).unwrap();
    t.send(at);
    nothing_refused(t);
    for other in 0..3 {
        let expected = if other == at {
            vec![(action.to_owned(), Some("inv_finn".to_owned()))]
        } else {
            Vec::new()
        };
        assert_eq!(work_of(t, other), expected);
    }
    same_invitations(t)
}

/// A team of enrolled computers where Ann adds Eve and Finn in Sales to be invited and invites
/// both by mail on her computer, not sent to the log yet: the team, Eve, Finn.
pub(super) fn ann_invites_eve_and_finn() -> (Team, MemberId, MemberId) {
    let mut t = team();
    enrolled(&mut t);
    let eve = ann_adds_invitee(&mut t, "Eve Invitee", "eve@example.com");
    let finn = ann_adds_invitee(&mut t, "Finn Invitee", "finn@example.com");
    let send =
        Command::send_invitations(&t.dirs[0], &[eve, finn], InviteChannel::Email, None).unwrap();
    t.make(0, "ann", send).unwrap();
    (t, eve, finn)
}

#[test]
fn invitations_sent_resent_and_cancelled_in_a_team_end_alike_on_every_computer() {
    // Ann invites both by mail on her computer: the keys, the language and the time are
    // decided there, and the body reads back as it was written.
    let (mut t, eve, finn) = ann_invites_eve_and_finn();
    let body = t.dirs[0].pending_commands().unwrap()[0].body.clone();
    assert_eq!(body["kind"], "invitation.send");
    assert_eq!(body["args"]["keys"].as_array().unwrap().len(), 2);
    let read = TeamCommand::from_body(&body).unwrap();
    assert_eq!(read.to_body().unwrap(), body);
    // Nothing shows before it is back from the log.
    assert!(invitations_of(&t.dirs[0]).is_empty());
    t.send(0);
    nothing_refused(&mut t);
    let rows = same_invitations(&t);
    assert_eq!(rows.len(), 2);
    assert!(
        rows.iter()
            .all(|r| r.contains("Queued") && r.contains("Ann")),
        "{rows:?}"
    );
    // Only Ann's computer sends them.
    assert_eq!(work_of(&t, 0).len(), 2);
    assert!(work_of(&t, 1).is_empty() && work_of(&t, 2).is_empty());

    // The gateway answers Ann's computer, which tells the others its ids and the expiry
    // (never the link): every computer then shows them sent.
    gateway_answers(&mut t, 0, 1_790_600_000);
    assert_eq!(
        queued_kinds(&t, 0),
        ["invitation.linked", "invitation.linked"]
    );
    t.send(0);
    nothing_refused(&mut t);
    let rows = same_invitations(&t);
    assert!(
        rows.iter()
            .all(|r| r.contains("Sent") && r.contains("1790600000000")),
        "{rows:?}"
    );
    let links = |t: &Team, at: usize| -> Vec<Option<String>> {
        let rows = t.dirs[at]
            .list_invitations(&InvitationQuery::default())
            .unwrap();
        rows.into_iter().map(|r| r.link).collect()
    };
    assert!(links(&t, 0).iter().all(Option::is_some));
    assert!(links(&t, 1).iter().all(Option::is_none));

    // Eve registers: the gateway's event reaches every computer, each at its own moment;
    // each queues it for the log as the gateway sent it, and she joins alike on each once it
    // is back (joined when the gateway says), applied once.
    let hash = orgdesk_core::password::hash(crate::invitations::INVITEE_PASSWORD).unwrap();
    let joined = event_at(
        1,
        t.clock.now_secs(),
        registered("inv_eve", "acc_eve", "eve", hash),
    );
    for at in [2, 0, 1] {
        t.clock.advance_secs(7);
        let changed = t.dirs[at]
            .apply_gateway_events(std::slice::from_ref(&joined), 1)
            .unwrap();
        assert!(changed.is_empty());
        assert_eq!(queued_kinds(&t, at), ["member.event"]);
        t.send(at);
    }
    nothing_refused(&mut t);
    for d in &t.dirs {
        assert_eq!(d.member_details(eve).unwrap().status, MemberStatus::Enabled);
        assert!(d.pending_commands().unwrap().is_empty());
    }
    assert!(same_invitations(&t)[0].contains("Registered"));

    // Bo resends Finn's invitation from his computer: his computer asks the gateway for the
    // fresh link (it knows the gateway's id), and tells the others the new expiry.
    let rows = changed_at(&mut t, (1, "bohan"), finn, "resend");
    assert!(rows[1].contains("Queued"), "{rows:?}");
    gateway_answers(&mut t, 1, 1_790_700_000);
    t.send(1);
    nothing_refused(&mut t);
    let rows = same_invitations(&t);
    assert!(
        rows[1].contains("Sent") && rows[1].contains("1790700000000"),
        "{rows:?}"
    );
    // The link Ann's computer held stopped working with the resend: it is not shown.
    assert_eq!(links(&t, 0).iter().filter(|l| l.is_some()).count(), 1);

    // Cy cancels it from his computer, which alone tells the gateway.
    let rows = changed_at(&mut t, (2, "cyrus"), finn, "cancel");
    assert!(rows[1].contains("Cancelled"), "{rows:?}");

    // Cancelling it again is refused at once, naming why.
    let twice = Command::change_invitations(
        &t.dirs[1],
        &[invitation_of(&t, 1, finn)],
        InvitationChange::Cancel,
    )
    .unwrap();
    let refused = t.make(1, "bohan", twice).unwrap_err().to_string();
    assert!(refused.contains("already cancelled"), "{refused}");
}

#[test]
fn inviting_someone_removed_first_is_refused_and_a_send_the_gateway_refuses_fails_everywhere() {
    let mut t = team();
    enrolled(&mut t);
    let gus = ann_adds_invitee(&mut t, "Gus Invitee", "gus@example.com");
    // Ann removes Gus while Bo, not yet told, invites him.
    t.ann_removes(gus);
    let send = Command::send_invitations(&t.dirs[1], &[gus], InviteChannel::Email, None).unwrap();
    t.make(1, "bohan", send).unwrap();
    t.send(0);
    t.send(1);
    let index = t.log.len() - 1;
    let what = refused_everywhere(&mut t, index, "no longer exists", 1);
    assert!(what.starts_with("Invite member"), "{what}");
    for d in &t.dirs {
        assert!(invitations_of(d).is_empty());
        assert!(d.due_gateway_work(10).unwrap().is_empty());
    }

    // Bo invites Hal; the gateway refuses to send it for good: Bo's computer tells the others,
    // and the invitation is failed everywhere with the gateway's reason.
    let hal = ann_adds_invitee(&mut t, "Hal Invitee", "hal@example.com");
    let send = Command::send_invitations(&t.dirs[1], &[hal], InviteChannel::Email, None).unwrap();
    t.make(1, "bohan", send).unwrap();
    t.send(1);
    nothing_refused(&mut t);
    let work = t.dirs[1].due_gateway_work(10).unwrap().remove(0);
    let refused = WorkResult::Refused("550 mailbox unavailable".into());
    t.dirs[1].gateway_work_done(&work, refused).unwrap();
    assert_eq!(queued_kinds(&t, 1), ["invitation.failed"]);
    t.send(1);
    nothing_refused(&mut t);
    let rows = same_invitations(&t);
    assert!(rows[0].contains("Failed"), "{rows:?}");
    for d in &t.dirs {
        let row = &d.list_invitations(&InvitationQuery::default()).unwrap()[0];
        assert_eq!(row.last_error.as_deref(), Some("550 mailbox unavailable"));
    }

    // A body whose keys do not match its members is refused, naming the field.
    let bad = serde_json::json!({
        "format": 1, "at": 1, "kind": "invitation.send",
        "args": {"memberIds": [gus.0], "keys": [], "channel": "email", "language": "en"}
    });
    let refused = TeamCommand::from_body(bad.as_object().unwrap()).unwrap_err();
    assert_eq!(refused.field.as_deref(), Some("args.memberIds"));
}

/// The admin `by` at computer `at` cancels `member`'s invitation there; the change is made,
/// not sent.
fn cancels(t: &mut Team, (at, by): (usize, &str), member: MemberId) {
    let id = invitation_of(t, at, member);
    let command =
        Command::change_invitations(&t.dirs[at], &[id], InvitationChange::Cancel).unwrap();
    t.make(at, by, command).unwrap();
}

/// Computer `at` opened again from its file, as after a restart.
fn reopened(t: &Team, at: usize) -> Directory {
    let path = t.dirs[at].connection().path().unwrap().to_owned();
    Directory::open_with_clock(std::path::Path::new(&path), t.clock.clone()).unwrap()
}

/// A cancel(action, gateway id) of the gateway's work.
fn cancel_of(gateway_id: &str) -> (String, Option<String>) {
    ("cancel".to_owned(), Some(gateway_id.to_owned()))
}

#[test]
fn a_cancel_ordered_before_the_senders_linked_is_told_to_the_gateway_once_by_the_sender() {
    let (mut t, eve, finn) = ann_invites_eve_and_finn();
    t.send(0);
    nothing_refused(&mut t);
    // Bo cancels Finn's invitation on his computer, which has not heard its gateway id: it
    // cannot tell the gateway. Ann cancels Eve's on hers while the creates are still out.
    cancels(&mut t, (1, "bohan"), finn);
    t.send(1);
    cancels(&mut t, (0, "ann"), eve);
    // The gateway answers Ann's computer, which knows both ids from then on; its
    // `invitation.linked` changes are ordered after both cancels.
    gateway_answers(&mut t, 0, 1_790_600_000);
    t.send(0);
    nothing_refused(&mut t);
    // Ann's computer, the only one holding the ids when the cancels were applied, tells the
    // gateway of each, once; no other computer has work for it.
    assert_eq!(
        work_of(&t, 0),
        [cancel_of("inv_eve"), cancel_of("inv_finn")]
    );
    assert!(work_of(&t, 1).is_empty() && work_of(&t, 2).is_empty());
    // The work is in the directory's file: it is there after a restart.
    assert_eq!(work_in(&reopened(&t, 0)), work_of(&t, 0));
    // Every computer lists both cancelled, with the expiry Ann's computer told.
    let rows = same_invitations(&t);
    assert!(
        rows.iter()
            .all(|r| r.contains("Cancelled") && r.contains("1790600000000")),
        "{rows:?}"
    );

    // The gateway takes the cancels; nothing more is queued, for the gateway or the log, and
    // the log applied again changes nothing.
    gateway_answers(&mut t, 0, 0);
    assert!(queued_kinds(&t, 0).is_empty());
    nothing_refused(&mut t);
    for at in 0..3 {
        assert!(work_of(&t, at).is_empty(), "{at}");
    }
    assert_eq!(same_invitations(&t), rows);
}

#[test]
fn a_create_answered_after_its_cancel_was_applied_is_cancelled_on_the_gateway_once() {
    let (mut t, _eve, finn) = ann_invites_eve_and_finn();
    t.send(0);
    nothing_refused(&mut t);
    // Ann's computer takes both creates to the gateway; meanwhile Bo cancels Finn's
    // invitation and every computer applies the cancel: nothing to tell the gateway yet.
    let in_flight = t.dirs[0].due_gateway_work(50).unwrap();
    assert_eq!(in_flight.len(), 2);
    cancels(&mut t, (1, "bohan"), finn);
    t.send(1);
    nothing_refused(&mut t);
    assert_eq!(work_of(&t, 0), [("create".to_owned(), None)]);
    assert!(work_of(&t, 1).is_empty() && work_of(&t, 2).is_empty());

    // The gateway answers both: Finn's link is live, and Ann's computer queues its cancel
    // with the answer, once, besides telling the others the ids.
    for w in &in_flight {
        let name = if w.invitation_id == invitation_of(&t, 0, finn) {
            "inv_finn"
        } else {
            "inv_eve"
        };
        let linked = WorkResult::Linked {
            gateway_id: name.to_owned(),
            link: format!("https://gw.example/i/{name}-secret-token"),
            expires_at_secs: 1_790_600_000,
        };
        t.dirs[0].gateway_work_done(w, linked).unwrap();
    }
    assert_eq!(work_of(&t, 0), [cancel_of("inv_finn")]);
    assert_eq!(
        queued_kinds(&t, 0),
        ["invitation.linked", "invitation.linked"]
    );
    t.send(0);
    nothing_refused(&mut t);
    assert_eq!(work_of(&t, 0), [cancel_of("inv_finn")]);
    assert!(work_of(&t, 1).is_empty() && work_of(&t, 2).is_empty());
    let rows = same_invitations(&t);
    assert!(
        rows[0].contains("Sent") && rows[1].contains("Cancelled"),
        "{rows:?}"
    );

    gateway_answers(&mut t, 0, 0);
    nothing_refused(&mut t);
    for at in 0..3 {
        assert!(work_of(&t, at).is_empty(), "{at}");
    }
}
