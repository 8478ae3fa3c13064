use orgdesk_core::auth::SignInInput;
use orgdesk_core::{CoreError, Directory};

use crate::{fresh, value, with_org, PASSWORD};

fn input(u: &str, p: &str) -> SignInInput {
    SignInInput {
        username: u.into(),
        password: p.into(),
    }
}

#[test]
fn correct_credentials_give_a_session_and_record_last_login() {
    let (mut d, clock) = with_org();
    let s = d.sign_in(&input(" ANN ", PASSWORD)).unwrap();
    assert_eq!(s.username, "ann");
    assert_eq!(s.name, "Ann Lee");
    assert!(s.is_initial_admin);
    assert_eq!(s.roles, ["Super Admin"]);
    assert_eq!(s.organization_name, "Acme");
    let last: i64 = value(
        &d,
        &format!(
            "SELECT last_login_at FROM members WHERE id = {}",
            s.member_id
        ),
    );
    assert_eq!(last, clock_now(&clock));
}

fn clock_now(c: &orgdesk_core::clock::ManualClock) -> i64 {
    use orgdesk_core::Clock;
    c.now_ms()
}

#[test]
fn wrong_password_and_unknown_user_get_the_same_answer() {
    let (mut d, _) = with_org();
    let a = d.sign_in(&input("ann", "Wrong-Pass1")).unwrap_err();
    let b = d.sign_in(&input("nobody", PASSWORD)).unwrap_err();
    assert!(matches!(a, CoreError::InvalidCredentials));
    assert!(matches!(b, CoreError::InvalidCredentials));
    assert_eq!(a.to_string(), b.to_string());
}

/// Signs "ann" in with a wrong password, which is refused as such.
fn refused(d: &mut Directory) {
    assert!(matches!(
        d.sign_in(&input("ann", "nope")).unwrap_err(),
        CoreError::InvalidCredentials
    ));
}

/// Signs "ann" in with her password, which must wait `secs` more seconds.
fn waits(d: &mut Directory, secs: u32) {
    match d.sign_in(&input("ann", PASSWORD)).unwrap_err() {
        CoreError::TooManyAttempts { retry_after_secs } => assert_eq!(retry_after_secs, secs),
        e => panic!("{e:?}"),
    }
}

#[test]
fn after_five_failures_each_attempt_waits_longer() {
    let (mut d, clock) = with_org();
    for _ in 0..5 {
        refused(&mut d);
    }
    // Even the right password waits now, so guessing gains nothing.
    waits(&mut d, 5);
    clock.advance_secs(3);
    waits(&mut d, 2);
    clock.advance_secs(2);
    // The sixth failure doubles the wait.
    refused(&mut d);
    waits(&mut d, 10);
    clock.advance_secs(10);
    d.sign_in(&input("ann", PASSWORD)).unwrap();
    // Success clears the count.
    for _ in 0..4 {
        let _ = d.sign_in(&input("ann", "nope"));
    }
    d.sign_in(&input("ann", PASSWORD)).unwrap();
}

#[test]
fn members_without_an_admin_role_or_not_enabled_cannot_sign_in() {
    let (mut d, _) = with_org();
    let hash = orgdesk_core::password::hash(PASSWORD).unwrap();
    d.connection()
        .execute(
            "INSERT INTO members (name, username, username_key, password_hash, status, created_at, updated_at)
             VALUES ('Bob', 'bob', 'bob', ?1, 'enabled', 0, 0),
                    ('Cy', 'cy', 'cy', ?1, 'disabled', 0, 0)",
            [&hash],
        )
        .unwrap();
    d.connection()
        .execute(
            "INSERT INTO member_roles SELECT m.id, r.id FROM members m, roles r
             WHERE (m.username = 'bob' AND r.builtin = 'member') OR (m.username = 'cy' AND r.builtin = 'admin')",
            [],
        )
        .unwrap();
    let e = d.sign_in(&input("bob", PASSWORD)).unwrap_err();
    assert!(
        matches!(e, CoreError::Forbidden(ref m) if m.contains("no admin role")),
        "{e:?}"
    );
    let e = d.sign_in(&input("cy", PASSWORD)).unwrap_err();
    assert!(
        matches!(e, CoreError::Forbidden(ref m) if m.contains("not enabled")),
        "{e:?}"
    );
}

#[test]
fn sign_in_before_setup_says_not_initialized() {
    let (mut d, _) = fresh();
    assert!(matches!(
        d.sign_in(&input("ann", PASSWORD)).unwrap_err(),
        CoreError::NotInitialized
    ));
}
