use orgdesk_core::auth::SignInInput;

use crate::{admin, with_org, with_org_admin, PASSWORD};

#[test]
fn the_checksum_follows_the_content_and_not_this_computers_own_state() {
    let (mut d, _) = with_org();
    let first = d.directory_checksum().unwrap();
    assert_eq!(first.digest.len(), 64, "SHA-256 in hex");
    assert!(first.digest.chars().all(|c| c.is_ascii_hexdigit()));
    let parts: Vec<(&str, u64)> = first
        .parts
        .iter()
        .map(|p| (p.part.as_str(), p.rows))
        .collect();
    assert!(parts.contains(&("departments", 1)), "{parts:?}");
    assert!(parts.contains(&("members", 1)), "{parts:?}");
    assert_eq!(
        d.directory_checksum().unwrap(),
        first,
        "read twice, the same"
    );

    // What this computer keeps for itself: a sign-in, the gateway in use, a cursor.
    d.sign_in(&SignInInput {
        username: "ann".into(),
        password: PASSWORD.into(),
    })
    .unwrap();
    d.set_local_value("gateway_mode", "remote").unwrap();
    d.set_local_value("gateway_event_cursor", "42").unwrap();
    assert_eq!(d.directory_checksum().unwrap().digest, first.digest);

    // Content: a department changes it; deleting it again gives back the same content.
    let a = admin(&d);
    let root = d.department_tree().unwrap().id;
    let sales = d.create_department(&a, root, "Sales").unwrap();
    let with_sales = d.directory_checksum().unwrap();
    assert_ne!(with_sales.digest, first.digest);
    d.rename_department(&a, sales, "Sales EMEA").unwrap();
    let renamed = d.directory_checksum().unwrap();
    assert_ne!(renamed.digest, with_sales.digest, "a rename is content");
    d.delete_department(&a, sales).unwrap();
    assert_eq!(d.directory_checksum().unwrap().digest, first.digest);

    // An organization-wide setting is content.
    let mut s = d.settings().unwrap();
    s.default_region = "CN".into();
    d.update_settings(&a, &s).unwrap();
    assert_ne!(d.directory_checksum().unwrap().digest, first.digest);
}

#[test]
fn values_cannot_be_shifted_between_fields_to_give_the_same_digest() {
    let (mut d, a) = with_org_admin();
    let root = d.department_tree().unwrap().id;
    let one = d.create_department(&a, root, "ab").unwrap();
    let two = d.create_department(&a, root, "c").unwrap();
    let before = d.directory_checksum().unwrap().digest;
    d.rename_department(&a, one, "a").unwrap();
    d.rename_department(&a, two, "bc").unwrap();
    assert_ne!(d.directory_checksum().unwrap().digest, before);
}
