//! Unit tests of the member's page: the personal fields' rules, throttle keys, the wait
//! message and the decoy hash.

use std::net::IpAddr;

use super::profile::{clean_email, clean_mobile, clean_name};
use super::sign_in::{address_key, decoy_hash, locked_message, verify};
use crate::i18n::Lang;
use crate::store::account_throttle_key;

/// Checks `clean` against each `(input, what it answers)`.
fn check(clean: fn(&str) -> Option<String>, cases: &[(&str, Option<&str>)]) {
    for &(input, expected) in cases {
        assert_eq!(clean(input), expected.map(str::to_owned), "{input:?}");
    }
}

#[test]
fn names_and_emails_are_checked_and_tidied() {
    let (long, chinese) = ("x".repeat(65), "伟".repeat(64));
    check(
        clean_name,
        &[
            ("  Li Wei ", Some("Li Wei")),
            ("", None),
            (&long, None),
            (&chinese, Some(&chinese)),
            ("Li\u{7}Wei", None),
        ],
    );
    check(
        clean_email,
        &[
            (" li@example.org ", Some("li@example.org")),
            ("", Some("")),
            ("not an address", None),
            ("a@b@c", None),
        ],
    );
}

#[test]
fn mobiles_are_read_by_the_shared_rule() {
    check(
        clean_mobile,
        &[
            ("+86 138-0013-8000", Some("+8613800138000")),
            ("", Some("")),
            ("13800138000", None),
            ("+0123456789", None),
            ("+1234567", None),
            ("+1234567890123456", None),
            ("+12345abc90", None),
            // "+" and 11 digits, but no such number: the desktop refuses it, and so does the
            // page.
            ("+1 555 010 0000", None),
            ("+15550100000", None),
            ("+1 (415) 555-2671", Some("+14155552671")),
            ("  ", Some("")),
        ],
    );
    let kept = clean_mobile("+44 7911 123456").unwrap();
    assert_eq!(
        clean_mobile(&kept),
        Some(kept.clone()),
        "E.164 reads as itself"
    );
}

#[test]
fn throttle_keys_group_ipv6_by_prefix_and_accounts_by_organization() {
    let a: IpAddr = "2001:db8:1:2:aaaa::1".parse().unwrap();
    let b: IpAddr = "2001:db8:1:2:bbbb::9".parse().unwrap();
    assert_eq!(address_key(a), address_key(b));
    assert_eq!(
        address_key("::ffff:10.0.0.1".parse().unwrap()),
        "addr:10.0.0.1"
    );
    assert_ne!(
        account_throttle_key("org_a", "alice"),
        account_throttle_key("org_b", "alice")
    );
}

#[test]
fn locked_message_says_when() {
    let en = locked_message(Lang::En, 1_000_030, 1_000_000);
    assert!(en.contains("in about 30 seconds"), "{en}");
    let long = locked_message(Lang::En, 1_000_000 + 600, 1_000_000);
    assert!(long.contains("in about 10 minutes"), "{long}");
}

#[test]
fn the_decoy_hash_checks_like_a_real_one() {
    assert!(decoy_hash().starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
    assert!(!verify(b"anything", decoy_hash()));
}
