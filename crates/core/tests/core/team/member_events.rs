//! The gateway's member events in a team: a registration, a new password and a member's own
//! new details, pulled by several computers from the feed, go through the change log as the
//! gateway sent them and are applied once, in the log's order, alike on every computer.

use orgdesk_core::clock::Clock;
use orgdesk_core::invitations::{InvitationChange, InvitationState};
use orgdesk_core::team::{Command, TeamCommand};
use orgdesk_core::types::{MemberId, MemberStatus};
use orgdesk_core::Directory;

use super::invitations::{
    ann_invites_eve_and_finn, gateway_answers, invitation_of, queued_kinds, same_invitations,
};
use super::{add, enrolled, nothing_refused, team, Team};
use crate::{event_at, password_changed, personal_details, registered};

/// Computers `at` each pull `event` (seq `seq`) from the feed: nothing changes there, each
/// queues it as a `member.event` change; then each sends it, in that order.
fn pulled_by(t: &mut Team, at: &[usize], event: &orgdesk_protocol::Event) {
    for &i in at {
        let changed = t.dirs[i]
            .apply_gateway_events(std::slice::from_ref(event), event.seq)
            .unwrap();
        assert!(changed.is_empty());
        assert_eq!(queued_kinds(t, i).last().unwrap(), "member.event");
    }
    for &i in at {
        t.send(i);
    }
}

/// Dee sets a password of her own on the gateway (the feed's event `seq`), which computer
/// `at` pulls and the log applies everywhere: its hash and the event, for a late copy.
fn dee_sets_her_own_password(
    t: &mut Team,
    seq: i64,
    at: usize,
) -> (String, orgdesk_protocol::Event) {
    let own_hash = orgdesk_core::password::hash("Dee's own pass 1").unwrap();
    let changed = event_at(
        seq,
        t.clock.now_secs(),
        password_changed("acc_dee", "dee", own_hash.clone()),
    );
    pulled_by(t, &[at], &changed);
    nothing_refused(t);
    (own_hash, changed)
}

/// Ann sets Dee's password from her computer, and sends it through the log.
fn ann_sets_dees_password(t: &mut Team, dee: MemberId) {
    let set = Command::SetPassword {
        member_id: dee,
        password_hash: orgdesk_core::password::hash("Ann's choice 22").unwrap(),
        must_change: true,
    };
    t.make(0, "ann", set).unwrap();
    t.send(0);
}

/// Eve has joined on `d`: Enabled, with her username, bound to her gateway account.
fn eve_joined(d: &Directory, eve: MemberId) {
    let details = d.member_details(eve).unwrap();
    assert_eq!(details.status, MemberStatus::Enabled);
    assert_eq!(details.username.as_deref(), Some("eve"));
    assert_eq!(
        d.gateway_account_of(eve).unwrap().as_deref(),
        Some("acc_eve")
    );
}

/// `member`'s email and password hash on computer `d`.
fn email_and_hash(d: &Directory, member: MemberId) -> (Option<String>, String) {
    let hash = d
        .connection()
        .query_row(
            "SELECT password_hash FROM members WHERE id = ?1",
            [member],
            |r| r.get(0),
        )
        .unwrap();
    (d.member_details(member).unwrap().email, hash)
}

/// The same on every computer; what the first one holds.
fn alike(t: &Team, member: MemberId) -> (Option<String>, String) {
    let first = email_and_hash(&t.dirs[0], member);
    for d in &t.dirs[1..] {
        assert_eq!(email_and_hash(d, member), first);
    }
    first
}

#[test]
fn a_registration_pulled_by_two_computers_joins_once_and_a_username_taken_first_refuses_it_everywhere(
) {
    let (mut t, eve, finn) = ann_invites_eve_and_finn();
    t.send(0);
    nothing_refused(&mut t);
    gateway_answers(&mut t, 0, 1_790_600_000);
    t.send(0);
    nothing_refused(&mut t);

    // Eve registers; two computers pull it and queue it as the gateway sent it (the hash,
    // never a password): she joins once, alike everywhere.
    let hash = orgdesk_core::password::hash(crate::invitations::INVITEE_PASSWORD).unwrap();
    let joined = event_at(
        1,
        t.clock.now_secs(),
        registered("inv_eve", "acc_eve", "eve", hash),
    );
    pulled_by(&mut t, &[1, 2], &joined);
    let body = t.log.last().unwrap().body.clone();
    assert_eq!(body["args"]["event"]["id"], "e1");
    assert!(body["args"]["event"]["password_hash"]
        .as_str()
        .unwrap()
        .starts_with("$argon2id$"));
    assert!(!serde_json::Value::Object(body.clone())
        .to_string()
        .contains(crate::invitations::INVITEE_PASSWORD));
    assert_eq!(
        TeamCommand::from_body(&body).unwrap().to_body().unwrap(),
        body
    );
    nothing_refused(&mut t);
    for d in &t.dirs {
        eve_joined(d, eve);
    }

    // Cy adds a member as "finn" while Finn registers as "finn": the log orders Cy's change
    // first, so the registration is refused on every computer alike, and only the computer
    // whose change it was tells the gateway.
    let taken = add(&t, "Finn Other", "finn", "Sales");
    t.make(2, "cyrus", taken).unwrap();
    t.send(2);
    let hash = orgdesk_core::password::hash(crate::invitations::INVITEE_PASSWORD).unwrap();
    let late = event_at(
        2,
        t.clock.now_secs(),
        registered("inv_finn", "acc_finn", "finn", hash),
    );
    pulled_by(&mut t, &[0, 1], &late);
    nothing_refused(&mut t);
    let told = |d: &Directory| -> i64 {
        d.connection()
            .query_row("SELECT count(*) FROM gateway_refusals", [], |r| r.get(0))
            .unwrap()
    };
    for (at, d) in t.dirs.iter().enumerate() {
        assert_eq!(
            d.member_details(finn).unwrap().status,
            MemberStatus::NotJoined
        );
        assert_eq!(told(d), i64::from(at == 0), "computer {at}");
    }
}

#[test]
fn a_member_s_own_new_details_and_password_and_an_admin_s_edit_end_in_the_log_s_order_everywhere() {
    let mut t = team();
    enrolled(&mut t);
    let dee = t.member("dee");
    // Whom an admin adds with `email`, as a change.
    let with_email = |t: &Team, name: &str, username: &str, e: &str| {
        let mut m = crate::new_member(name, username, vec![crate::pos(t.dept("Sales"), None)]);
        m.email = Some(e.into());
        Command::add_member(m).unwrap()
    };

    // Bo adds Gil with an email, which Dee gives as her own on the gateway's page in the
    // meantime: Bo's change comes first in the log, so Dee's email is kept out everywhere,
    // though one computer pulled her change before Bo's came back.
    let gil = with_email(&t, "Gil New", "gil", "shared@example.com");
    t.make(1, "bohan", gil).unwrap();
    let own = personal_details("acc_dee", "dee", None, None, Some("shared@example.com"));
    let first = event_at(1, t.clock.now_secs(), own);
    t.send(1);
    pulled_by(&mut t, &[2, 0], &first);
    nothing_refused(&mut t);
    assert_eq!(alike(&t, dee).0, None);

    // Dee gives another email first, Bo adds Hana with it after: Dee's stands and Bo's
    // change is refused, on every computer alike; the copies other computers queued of Dee's
    // change come later and are passed over.
    let own = personal_details("acc_dee", "dee", None, None, Some("dee.own@example.com"));
    let second = event_at(2, t.clock.now_secs(), own);
    pulled_by(&mut t, &[0], &second);
    let hana = with_email(&t, "Hana New", "hana", "dee.own@example.com");
    t.make(1, "bohan", hana).unwrap();
    t.send(1);
    let index = t.log.len() - 1;
    pulled_by(&mut t, &[1, 2], &second);
    let what = super::refused_everywhere(&mut t, index, "already", 1);
    assert!(what.contains("Hana New"), "{what}");
    assert_eq!(alike(&t, dee).0.as_deref(), Some("dee.own@example.com"));
    for d in &t.dirs {
        assert!(d.find_member("hana").is_err());
    }

    // Dee sets a new password on the gateway, then Ann sets another: Ann's stands, and the
    // copy of Dee's a late computer queued does not bring hers back.
    let (own_hash, changed) = dee_sets_her_own_password(&mut t, 3, 1);
    assert_eq!(alike(&t, dee).1, own_hash);
    ann_sets_dees_password(&mut t, dee);
    pulled_by(&mut t, &[2], &changed);
    nothing_refused(&mut t);
    assert_ne!(alike(&t, dee).1, own_hash);

    // A body about no account, or of another kind, is refused, naming the field.
    let mut body = t.log.last().unwrap().body.clone();
    body["args"]["event"]["account_id"] = serde_json::json!("not an account");
    let refused = TeamCommand::from_body(&body).unwrap_err();
    assert_eq!(refused.field.as_deref(), Some("args.event.account_id"));
    body["args"]["event"] = serde_json::json!({
        "seq": 4, "id": "e4", "at": 1, "kind": "signed_in", "account_id": "acc_dee", "username": "dee"
    });
    let refused = TeamCommand::from_body(&body).unwrap_err();
    assert_eq!(refused.field.as_deref(), Some("args.event.kind"));
}

/// The ids of the member events the log took: those applied, and (second) the registrations
/// waiting for their invitation's gateway id, with that id.
fn taken(d: &Directory) -> (Vec<String>, Vec<(String, String)>) {
    let all: Vec<(String, Option<String>)> = d
        .connection()
        .prepare("SELECT event_id, waiting_for FROM team_member_events ORDER BY event_id")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    let applied = all
        .iter()
        .filter(|(_, w)| w.is_none())
        .map(|(id, _)| id.clone())
        .collect();
    let waiting = all
        .into_iter()
        .filter_map(|(id, w)| Some((id, w?)))
        .collect();
    (applied, waiting)
}

#[test]
fn the_applied_event_ids_move_from_the_settings_into_their_own_table() {
    use orgdesk_core::store::migrations;
    let m = migrations();
    let mut conn = rusqlite::Connection::open_in_memory().unwrap();
    m.to_version(&mut conn, 14).unwrap();
    conn.execute_batch(
        "INSERT INTO settings (key, value) VALUES ('team_member_event:ev_7', '1');
         INSERT INTO settings (key, value) VALUES ('team_member_event:ev_9', '1');
         INSERT INTO settings (key, value) VALUES ('gateway_event_cursor', '12');",
    )
    .unwrap();
    m.to_latest(&mut conn).unwrap();
    let ids: Vec<String> = crate::column_of(
        &conn,
        "SELECT event_id FROM team_member_events WHERE waiting_for IS NULL ORDER BY 1",
    );
    assert_eq!(ids, ["ev_7", "ev_9"]);
    let keys: Vec<String> = crate::column_of(
        &conn,
        "SELECT key FROM settings WHERE key LIKE 'team%' OR key LIKE 'gateway%'",
    );
    assert_eq!(
        keys,
        ["gateway_event_cursor"],
        "only the moved rows are gone"
    );
}

#[test]
fn a_computer_joined_from_a_snapshot_passes_over_an_event_applied_before_it() {
    let mut t = team();
    enrolled(&mut t);
    let dee = t.member("dee");
    // Dee sets a password on the gateway, which Ann's computer pulls; Ann then sets another.
    let (own_hash, changed) = dee_sets_her_own_password(&mut t, 1, 0);
    ann_sets_dees_password(&mut t, dee);
    nothing_refused(&mut t);

    // Cy's computer joins anew from a snapshot of the second computer: it holds the id of
    // the event applied before the snapshot's position.
    t.cy_joins_anew_from(1);
    assert_eq!(taken(&t.dirs[2]), taken(&t.dirs[0]));
    assert_eq!(taken(&t.dirs[2]).0, ["e1"]);

    // Bo's computer pulls Dee's change late: every computer, the joined one too, passes the
    // copy over, and Ann's password stands everywhere.
    pulled_by(&mut t, &[1], &changed);
    nothing_refused(&mut t);
    assert_ne!(alike(&t, dee).1, own_hash);
}

/// Ann's computer has sent Eve's and Finn's invitations and heard the gateway's ids
/// (`inv_eve`, `inv_finn`), but its `invitation.linked` changes are not in the log yet; Eve
/// registers, and Bo's computer, past the feed's hold, puts her registration in the log
/// first. Answers the team, Eve, Finn and the event.
fn eve_registers_before_her_link_is_told() -> (Team, MemberId, MemberId, orgdesk_protocol::Event) {
    let (mut t, eve, finn) = ann_invites_eve_and_finn();
    t.send(0);
    nothing_refused(&mut t);
    gateway_answers(&mut t, 0, 1_790_600_000);
    assert_eq!(
        queued_kinds(&t, 0),
        ["invitation.linked", "invitation.linked"]
    );
    let hash = orgdesk_core::password::hash(crate::invitations::INVITEE_PASSWORD).unwrap();
    let joined = event_at(
        1,
        t.clock.now_secs(),
        registered("inv_eve", "acc_eve", "eve", hash),
    );
    // Bo's computer does not know the invitation by the gateway's id yet: a recent event
    // about it holds its feed, as before.
    assert!(t.dirs[1]
        .apply_gateway_events(std::slice::from_ref(&joined), 1)
        .unwrap()
        .is_empty());
    assert_eq!(t.dirs[1].gateway_event_cursor().unwrap(), 0);
    assert!(queued_kinds(&t, 1).is_empty());
    // Ann's computer stays quiet past the hold: Bo's feed lets the event go into the log.
    t.clock
        .advance_secs(orgdesk_core::invitations::HOLD_UNKNOWN_MS / 1000 + 1);
    pulled_by(&mut t, &[1], &joined);
    (t, eve, finn, joined)
}

#[test]
fn a_registration_the_log_places_before_its_invitation_s_link_waits_and_joins_everywhere() {
    let (mut t, eve, _finn, joined) = eve_registers_before_her_link_is_told();
    // Ann's computer pulls it too; it knows the id from the gateway's answer, so nothing
    // holds it there, and its copy goes behind its links, none of them sent yet.
    assert!(t.dirs[0]
        .apply_gateway_events(std::slice::from_ref(&joined), 1)
        .unwrap()
        .is_empty());
    assert_eq!(
        queued_kinds(&t, 0),
        ["invitation.linked", "invitation.linked", "member.event"]
    );
    // Only Bo's copy is in the log: it waits on every computer, Ann's too, though hers
    // knows the invitation's id already.
    let in_log = t.log.len();
    assert_eq!(t.log[in_log - 1].body["kind"], "member.event");
    nothing_refused(&mut t);
    for d in &t.dirs {
        assert_eq!(
            d.member_details(eve).unwrap().status,
            MemberStatus::NotJoined
        );
        assert_eq!(
            taken(d),
            (Vec::new(), vec![("e1".to_owned(), "inv_eve".to_owned())])
        );
    }

    // Ann's links come: right after the one for Eve's invitation, she joins on every
    // computer, at the same point of the log; Ann's later copy is passed over.
    t.send(0);
    let eve_linked = in_log as i64 + 1;
    assert_eq!(t.log[in_log].body["kind"], "invitation.linked");
    assert_eq!(t.log[in_log].body["args"]["gatewayId"], "inv_eve");
    nothing_refused(&mut t);
    for d in &t.dirs {
        eve_joined(d, eve);
        assert_eq!(taken(d), (vec!["e1".to_owned()], Vec::new()));
        let joined_at: i64 = crate::value(
            d,
            "SELECT team_seq FROM audit_log WHERE action = 'member.joined'",
        );
        assert_eq!(joined_at, eve_linked);
        assert!(d.pending_commands().unwrap().is_empty());
    }
    assert!(same_invitations(&t)[0].contains("Registered"));
}

#[test]
fn a_waiting_registration_whose_invitation_is_cancelled_is_refused_everywhere_and_told_once() {
    let (mut t, eve, _finn, _) = eve_registers_before_her_link_is_told();
    nothing_refused(&mut t);
    // Cy cancels Eve's invitation from his computer before Ann's links are told.
    let id = invitation_of(&t, 2, eve);
    let cancel = Command::change_invitations(&t.dirs[2], &[id], InvitationChange::Cancel).unwrap();
    t.make(2, "cyrus", cancel).unwrap();
    t.send(2);
    nothing_refused(&mut t);
    for d in &t.dirs {
        let rows = d.list_invitations(&Default::default()).unwrap();
        let eve_s = rows.iter().find(|r| r.member_id == eve).unwrap();
        assert_eq!(eve_s.state, InvitationState::Cancelled);
    }

    // The link names the invitation everywhere: the registration through it, cancelled, is
    // refused on every computer as outside a team, and the gateway told by the computer
    // whose change put it in the log only.
    t.send(0);
    nothing_refused(&mut t);
    let told = |d: &Directory| -> Vec<String> {
        d.connection()
            .prepare("SELECT account_id FROM gateway_refusals")
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap()
    };
    for (at, d) in t.dirs.iter().enumerate() {
        assert_eq!(
            d.member_details(eve).unwrap().status,
            MemberStatus::NotJoined
        );
        assert_eq!(d.gateway_account_of(eve).unwrap(), None);
        let expected: Vec<String> = if at == 1 {
            vec!["acc_eve".into()]
        } else {
            Vec::new()
        };
        assert_eq!(told(d), expected, "computer {at}");
        assert_eq!(taken(d), (vec!["e1".to_owned()], Vec::new()));
        let why: String = d
            .connection()
            .query_row(
                "SELECT last_error FROM invitations WHERE member_id = ?1",
                [eve],
                |r| r.get(0),
            )
            .unwrap();
        assert!(why.contains("after the invitation was cancelled"), "{why}");
    }
    same_invitations(&t);
}

#[test]
fn a_waiting_registration_comes_along_in_a_snapshot_and_joins_there_too() {
    let (mut t, eve, _finn, _) = eve_registers_before_her_link_is_told();
    nothing_refused(&mut t);
    // Cy's computer joins anew from Bo's snapshot while the registration waits.
    t.cy_joins_anew_from(1);
    assert_eq!(taken(&t.dirs[2]), taken(&t.dirs[1]));
    assert_eq!(taken(&t.dirs[2]).1.len(), 1);

    t.send(0);
    nothing_refused(&mut t);
    for d in &t.dirs {
        assert_eq!(d.member_details(eve).unwrap().status, MemberStatus::Enabled);
        assert!(d.due_gateway_work(10).unwrap().is_empty());
    }
    assert!(same_invitations(&t)[0].contains("Registered"));
}
