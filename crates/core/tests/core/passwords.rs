//! Passwords an admin sets for a member, "must change at next sign-in", and an admin changing
//! their own.

use orgdesk_core::audit::Actor;
use orgdesk_core::auth::SignInInput;
use orgdesk_core::members::{ChangeOwnPasswordInput, SetPasswordInput};
use orgdesk_core::types::MemberId;
use orgdesk_core::{CoreError, Directory};
use orgdesk_protocol::Event;

use crate::{admin, audited, invitee, new_member, password_changed, pos, with_org, PASSWORD};

const SET: &str = "Temp-Orchid-51";
const OWN: &str = "Quiet-Lantern-88";

fn sign_in(d: &mut Directory, username: &str, password: &str) -> Result<bool, CoreError> {
    d.sign_in(&SignInInput {
        username: username.into(),
        password: password.into(),
    })
    .map(|s| s.must_change_password)
}

fn set(password: &str, must_change: bool) -> SetPasswordInput {
    SetPasswordInput {
        password: password.into(),
        must_change,
    }
}

/// Bob, an Admin, in the root department.
fn add_admin(d: &mut Directory, name: &str, username: &str) -> MemberId {
    let root = d.department_tree().unwrap().id;
    let mut input = new_member(name, username, vec![pos(root, None)]);
    input.role_ids = vec![d.role_by_name("Admin").unwrap()];
    d.add_member(&admin(d), &input).unwrap()
}

fn hash_of(d: &Directory, id: MemberId) -> String {
    d.connection()
        .query_row(
            "SELECT password_hash FROM members WHERE id = ?1",
            [id],
            |r| r.get(0),
        )
        .unwrap()
}

#[test]
fn a_set_password_works_and_must_be_changed_at_the_next_sign_in() {
    let (mut d, _) = with_org();
    let bob = add_admin(&mut d, "Bob Stone", "bob");
    d.set_member_password(&admin(&d), bob, &set(SET, true))
        .unwrap();

    assert!(matches!(
        sign_in(&mut d, "bob", PASSWORD),
        Err(CoreError::InvalidCredentials)
    ));
    assert!(sign_in(&mut d, "bob", SET).unwrap(), "must change");
    let bob_actor = Actor::member(bob, "Bob Stone");
    d.change_own_password(
        &bob_actor,
        &ChangeOwnPasswordInput {
            current_password: SET.into(),
            new_password: OWN.into(),
        },
    )
    .unwrap();
    assert!(!sign_in(&mut d, "bob", OWN).unwrap());
    assert!(matches!(
        sign_in(&mut d, "bob", SET),
        Err(CoreError::InvalidCredentials)
    ));

    // Without "must change", the set password is simply theirs.
    d.set_member_password(&admin(&d), bob, &set(SET, false))
        .unwrap();
    assert!(!sign_in(&mut d, "bob", SET).unwrap());

    // The history says who set it and whether a change was asked for, never the password.
    assert_eq!(
        audited(
            &d,
            &format!("action = 'member.password_set' AND target_id = {}", bob.0)
        ),
        2
    );
    assert_eq!(
        audited(
            &d,
            &format!("coalesce(after_json, '') || coalesce(before_json, '') LIKE '%{SET}%'")
        ),
        0
    );
    assert_eq!(
        audited(
            &d,
            &format!(
                "action = 'member.password_changed' AND target_id = {}",
                bob.0
            )
        ),
        1
    );
}

#[test]
fn setting_a_password_ends_the_wait_after_failed_sign_ins() {
    let (mut d, _) = with_org();
    let bob = add_admin(&mut d, "Bob Stone", "bob");
    for _ in 0..6 {
        let _ = sign_in(&mut d, "bob", "Wrong-Guess-1");
    }
    assert!(matches!(
        sign_in(&mut d, "bob", PASSWORD),
        Err(CoreError::TooManyAttempts { .. })
    ));
    d.set_member_password(&admin(&d), bob, &set(SET, true))
        .unwrap();
    assert!(sign_in(&mut d, "bob", SET).unwrap());
}

#[test]
fn refused_passwords_write_nothing_and_say_why() {
    let (mut d, _) = with_org();
    let ann = d.initial_admin_id().unwrap();
    let bob = add_admin(&mut d, "Bob Stone", "bob");
    let before = hash_of(&d, bob);

    // The policy, with the field named.
    match d.set_member_password(&admin(&d), bob, &set("short", true)) {
        Err(CoreError::Validation { details, .. }) => {
            assert!(details
                .iter()
                .all(|p| p.field.as_deref() == Some("password")));
            assert!(details.iter().any(|p| p.code == "too_short"), "{details:?}");
        }
        other => panic!("{other:?}"),
    }
    match d.set_member_password(&admin(&d), bob, &set("Bob-Stone-bob-1", true)) {
        Err(CoreError::Validation { details, .. }) => {
            assert!(details.iter().any(|p| p.code == "contains_username"))
        }
        other => panic!("{other:?}"),
    }
    // Oneself: change it with the current password instead.
    let e = d
        .set_member_password(&admin(&d), ann, &set(SET, false))
        .unwrap_err();
    assert!(matches!(e, CoreError::Conflict(_)), "{e:?}");
    assert!(e.to_string().contains("Change password"), "{e}");
    // An Admin cannot set a Super Admin's password.
    let as_bob = Actor::member(bob, "Bob Stone");
    let e = d
        .set_member_password(&as_bob, ann, &set(SET, false))
        .unwrap_err();
    assert!(matches!(e, CoreError::Forbidden(_)), "{e:?}");
    assert!(e.to_string().contains("Super Admin"), "{e}");
    // Someone who has not joined has no account.
    let root = d.department_tree().unwrap().id;
    let dee = d
        .add_invitee(&admin(&d), &invitee("Dee", "dee@example.com", root))
        .unwrap();
    let e = d
        .set_member_password(&admin(&d), dee, &set(SET, false))
        .unwrap_err();
    assert!(e.to_string().contains("has not joined yet"), "{e}");

    assert_eq!(hash_of(&d, bob), before);
    assert!(sign_in(&mut d, "ann", PASSWORD).is_ok());
    assert_eq!(audited(&d, "action = 'member.password_set'"), 0);
}

#[test]
fn changing_ones_own_password_needs_the_current_one_and_a_new_one() {
    let (mut d, _) = with_org();
    let ann = d.initial_admin_id().unwrap();
    let me = admin(&d);
    let change = |current: &str, new: &str| ChangeOwnPasswordInput {
        current_password: current.into(),
        new_password: new.into(),
    };
    let field_of = |e: CoreError| match e {
        CoreError::Validation { details, .. } => details[0].field.clone().unwrap(),
        other => panic!("{other:?}"),
    };
    assert_eq!(
        field_of(
            d.change_own_password(&me, &change("Wrong-Horse-1", OWN))
                .unwrap_err()
        ),
        "currentPassword"
    );
    assert_eq!(
        field_of(
            d.change_own_password(&me, &change(PASSWORD, PASSWORD))
                .unwrap_err()
        ),
        "newPassword"
    );
    assert_eq!(
        field_of(
            d.change_own_password(&me, &change(PASSWORD, "weak"))
                .unwrap_err()
        ),
        "newPassword"
    );
    assert!(sign_in(&mut d, "ann", PASSWORD).is_ok());
    d.change_own_password(&me, &change(PASSWORD, OWN)).unwrap();
    assert!(sign_in(&mut d, "ann", OWN).is_ok());
    assert!(!d.must_change_password(ann).unwrap());
}

#[test]
fn the_mark_reaches_the_gateway_and_is_cleared_when_they_choose_their_own() {
    let (mut d, _) = with_org();
    let bob = add_admin(&mut d, "Bob Stone", "bob");
    let send_mirror = |d: &mut Directory| {
        let due = d.due_account_mirror(100).unwrap();
        let ids: Vec<String> = due.iter().map(|i| format!("acc_{}", i.member_id)).collect();
        d.account_mirror_done(&due, &ids).unwrap();
        due
    };
    send_mirror(&mut d);
    d.set_member_password(&admin(&d), bob, &set(SET, true))
        .unwrap();
    let due = d.due_account_mirror(100).unwrap();
    assert_eq!(due.len(), 1);
    assert_eq!(due[0].member_id, bob.0);
    assert!(due[0].account.must_change_password);
    assert!(due[0].account.password_hash.is_some());
    send_mirror(&mut d);
    assert!(d.due_account_mirror(100).unwrap().is_empty());

    // Bob chooses his own on his page: the event clears the mark here too.
    let own = orgdesk_core::password::hash(OWN).unwrap();
    d.apply_gateway_events(
        &[Event {
            seq: 1,
            id: "e1".into(),
            at: 1_790_000_000,
            kind: password_changed(&format!("acc_{}", bob.0), "bob", own),
        }],
        1,
    )
    .unwrap();
    assert!(!d.must_change_password(bob).unwrap());
    let due = d.due_account_mirror(100).unwrap();
    assert_eq!(due.len(), 1);
    assert!(!due[0].account.must_change_password);
    assert!(!sign_in(&mut d, "bob", OWN).unwrap());
}
