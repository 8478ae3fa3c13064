//! The gateway's member events in a team: a registration, a new password and a member's own
//! new details, pulled by several computers from the feed, go through the change log as the
//! gateway sent them and are applied once, in the log's order, alike on every computer.

use orgdesk_core::clock::Clock;
use orgdesk_core::team::{Command, TeamCommand};
use orgdesk_core::types::{MemberId, MemberStatus};
use orgdesk_core::Directory;

use super::invitations::{ann_invites_eve_and_finn, gateway_answers, queued_kinds};
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
        let details = d.member_details(eve).unwrap();
        assert_eq!(details.status, MemberStatus::Enabled);
        assert_eq!(details.username.as_deref(), Some("eve"));
        assert_eq!(
            d.gateway_account_of(eve).unwrap().as_deref(),
            Some("acc_eve")
        );
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
    let own_hash = orgdesk_core::password::hash("Dee's own pass 1").unwrap();
    let changed = event_at(
        3,
        t.clock.now_secs(),
        password_changed("acc_dee", "dee", own_hash.clone()),
    );
    pulled_by(&mut t, &[1], &changed);
    nothing_refused(&mut t);
    assert_eq!(alike(&t, dee).1, own_hash);
    let set = Command::SetPassword {
        member_id: dee,
        password_hash: orgdesk_core::password::hash("Ann's choice 22").unwrap(),
        must_change: true,
    };
    t.make(0, "ann", set).unwrap();
    t.send(0);
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
