use orgdesk_core::audit::{self, Actor};
use orgdesk_core::organization::CODE_LEN;
use orgdesk_core::types::MemberId;
use orgdesk_core::{CoreError, ErrorCode};

use crate::{count, field_codes, fresh, setup_input, value, with_org};

#[test]
fn setup_creates_org_root_and_super_admin() {
    let (mut d, _) = fresh();
    assert!(!d.is_initialized().unwrap());
    let out = d
        .setup_organization(&setup_input("  Acme Ltd  ", "ann"))
        .unwrap();
    assert!(d.is_initialized().unwrap());
    assert_eq!(out.organization_code.len(), CODE_LEN);
    assert!(out
        .organization_code
        .chars()
        .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit()));

    let ov = d.overview(out.admin_id).unwrap();
    assert_eq!(ov.name, "Acme Ltd");
    // The code made at setup joins nothing (the gateway's join code does): it is not shown.
    assert!(serde_json::to_value(&ov).unwrap().get("code").is_none());
    assert_eq!(ov.root_department_id, out.root_department_id);
    assert_eq!(ov.counts.total, 1);
    assert_eq!(ov.counts.enabled, 1);
    assert_eq!(ov.department_count, 1);
    assert!(ov.can_rename);
    assert_eq!(ov.initial_admin.username.as_deref(), Some("ann"));

    let tree = d.department_tree().unwrap();
    assert_eq!(tree.name, "Acme Ltd");
    assert_eq!(tree.parent_id, None);
    assert_eq!((tree.direct_members, tree.total_members), (1, 1));
    assert!(tree.children.is_empty());

    assert_eq!(d.member_role_names(out.admin_id).unwrap(), ["Super Admin"]);
    let hash: String = value(
        &d,
        &format!(
            "SELECT password_hash FROM members WHERE id = {}",
            out.admin_id
        ),
    );
    assert!(hash.starts_with("$argon2id$"));
    let log = audit::recent(d.connection(), 10).unwrap();
    assert_eq!(log.len(), 1);
    assert_eq!(log[0].action, "organization.create");
    assert_eq!(log[0].actor_name, "Ann Lee");
}

#[test]
fn setup_reports_every_bad_field_and_writes_nothing() {
    let (mut d, _) = fresh();
    let mut input = setup_input("", "a b");
    input.admin_name = "x".repeat(65);
    input.password = "short".into();
    input.password_confirm = "other".into();
    let codes = field_codes(d.setup_organization(&input).unwrap_err());
    assert_eq!(
        codes,
        [
            ("organizationName".into(), "required".into()),
            ("adminName".into(), "too_long".into()),
            ("username".into(), "invalid_chars".into()),
            ("password".into(), "too_short".into()),
            ("password".into(), "weak".into()),
            ("passwordConfirm".into(), "mismatch".into()),
        ]
    );
    assert!(!d.is_initialized().unwrap());
    assert_eq!(count(&d, "members"), 0);
}

#[test]
fn password_may_not_contain_the_username() {
    let (mut d, _) = fresh();
    let mut input = setup_input("Acme", "annabel");
    input.password = "Annabel-2026".into();
    input.password_confirm = input.password.clone();
    assert_eq!(
        field_codes(d.setup_organization(&input).unwrap_err()),
        [("password".into(), "contains_username".into())]
    );
}

#[test]
fn setup_twice_is_refused() {
    let (mut d, _) = with_org();
    let e = d
        .setup_organization(&setup_input("Other", "bob"))
        .unwrap_err();
    assert!(matches!(e, CoreError::AlreadyInitialized));
    assert_eq!(d.organization_name().unwrap(), "Acme");
}

#[test]
fn only_the_initial_admin_renames_and_it_renames_the_root() {
    let (mut d, _) = with_org();
    let admin = d.initial_admin_id().unwrap();
    // Another admin, added directly: the member services arrive with the directory.
    d.connection()
        .execute(
            "INSERT INTO members (name, username, username_key, status, created_at, updated_at)
             VALUES ('Bob', 'bob', 'bob', 'enabled', 0, 0)",
            [],
        )
        .unwrap();
    let bob = MemberId(d.connection().last_insert_rowid());
    assert!(!d.overview(bob).unwrap().can_rename);
    let e = d
        .rename_organization(&Actor::member(bob, "Bob"), "Bobco")
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::Forbidden);
    assert_eq!(d.organization_name().unwrap(), "Acme");

    let ann = Actor::member(admin, "Ann Lee");
    let e = d.rename_organization(&ann, "   ").unwrap_err();
    assert_eq!(field_codes(e), [("name".into(), "required".into())]);

    d.rename_organization(&ann, "Acme Group").unwrap();
    assert_eq!(d.organization_name().unwrap(), "Acme Group");
    assert_eq!(d.department_tree().unwrap().name, "Acme Group");
    let log = audit::recent(d.connection(), 1).unwrap();
    assert_eq!(log[0].action, "organization.rename");
    assert_eq!(log[0].before.as_ref().unwrap()["name"], "Acme");
    assert_eq!(log[0].after.as_ref().unwrap()["name"], "Acme Group");
}

#[test]
fn queries_before_setup_say_not_initialized() {
    let (d, _) = fresh();
    assert!(matches!(
        d.department_tree().unwrap_err(),
        CoreError::NotInitialized
    ));
    assert!(matches!(
        d.overview(MemberId(1)).unwrap_err(),
        CoreError::NotInitialized
    ));
}

/// The initial admin is found by name and by username like every other member, also in a
/// directory set up by an earlier version (which left the admin's search text empty).
#[test]
fn the_initial_admin_is_found_by_name_and_username() {
    use orgdesk_core::members::MemberQuery;
    let path = crate::scratch_db();
    let clock = std::sync::Arc::new(orgdesk_core::clock::ManualClock::new(1_790_000_000_000));
    let mut d = orgdesk_core::Directory::open_with_clock(&path, clock.clone()).unwrap();
    d.setup_organization(&setup_input("Acme", "ann")).unwrap();
    let found = |d: &orgdesk_core::Directory, text: &str| -> Vec<String> {
        crate::listed_names(
            d,
            MemberQuery {
                search: Some(text.into()),
                limit: 50,
                ..Default::default()
            },
        )
    };
    for text in ["ann", "Ann L", "lee", "an"] {
        assert_eq!(found(&d, text), ["Ann Lee"], "searching {text:?}");
    }

    d.connection()
        .execute(
            "UPDATE members SET search_text = '' WHERE username = 'ann'",
            [],
        )
        .unwrap();
    drop(d);
    let d = orgdesk_core::Directory::open_with_clock(&path, clock).unwrap();
    assert_eq!(found(&d, "lee"), ["Ann Lee"], "repaired when opened");
}
