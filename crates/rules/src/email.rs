//! Email addresses, by the one rule the desktop and the gateway share: what either side
//! refused before is refused here.
//!
//! - a local part of at most 64 bytes in dot-atom form: letters, digits and
//!   ``!#$%&'*+/=?^_`{|}~-``, with dots only between them (none leading, trailing or doubled);
//!   no quoted local parts;
//! - one `@`;
//! - a domain of at least two labels separated by dots, each label 1–63 letters, digits or
//!   hyphens, neither starting nor ending with a hyphen;
//! - at most 254 bytes in all; compared case-insensitively.

use crate::Refusal;

pub const MAX_LOCAL_LEN: usize = 64;
pub const MAX_LEN: usize = 254;
const MAX_LABEL_LEN: usize = 63;

/// An address that has passed the rule, trimmed.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Email(String);

impl Email {
    /// The address with surrounding whitespace removed, if it keeps the rule.
    pub fn parse(raw: &str) -> Result<Self, Refusal> {
        let s = raw.trim();
        if is_valid(s) {
            Ok(Self(s.to_owned()))
        } else {
            Err(Refusal::new(
                "invalid_email",
                format!("\"{s}\" is not a valid email address."),
            ))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_string(self) -> String {
        self.0
    }

    /// The form two addresses are compared in.
    pub fn key(&self) -> String {
        self.0.to_lowercase()
    }
}

/// True when `s`, exactly as given (not trimmed), is an email address.
pub fn is_valid(s: &str) -> bool {
    let Some((local, domain)) = s.split_once('@') else {
        return false;
    };
    s.len() <= MAX_LEN && local_part_ok(local) && domain_ok(domain)
}

fn local_part_ok(local: &str) -> bool {
    local.len() <= MAX_LOCAL_LEN
        && local
            .split('.')
            .all(|atom| !atom.is_empty() && atom.chars().all(atext))
}

/// A character allowed in an unquoted local part (RFC 5322 `atext`, letters in any script).
fn atext(c: char) -> bool {
    c.is_alphanumeric() || "!#$%&'*+/=?^_`{|}~-".contains(c)
}

fn domain_ok(domain: &str) -> bool {
    domain.contains('.') && domain.split('.').all(label_ok)
}

fn label_ok(label: &str) -> bool {
    (1..=MAX_LABEL_LEN).contains(&label.chars().count())
        && !label.starts_with('-')
        && !label.ends_with('-')
        && label.chars().all(|c| c.is_alphanumeric() || c == '-')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_accepted() {
        for good in [
            "ann@example.com",
            "Ann.Lee@Example.COM",
            "a.b.c@c.com",
            "a+tag@mail.example.org",
            "o'brien@example.ie",
            "a_b-c{d}~@example.com",
            "x@a-b.co",
            "x@1.2",
            "王@例子.中国",
        ] {
            assert!(is_valid(good), "{good} should be accepted");
        }
    }

    #[test]
    fn addresses_refused() {
        for bad in [
            // once accepted by the gateway
            "a@b",
            "\"a b\"@c.com",
            "\"ab\"@c.com",
            // once accepted by the desktop
            "a..b@c.com",
            ".a@c.com",
            "a.@c.com",
            "a@-b.com",
            "a@b-.com",
            // refused by both before, and still
            "",
            "ann",
            "ann@",
            "@x.com",
            "a b@c.com",
            "a@@b.com",
            "a@b@c.com",
            "a@b..com",
            "a@.b.com",
            "a@b.com.",
            "a@b_c.com",
            "a@[127.0.0.1]",
            "a\u{7}@c.com",
            " a@c.com",
            "a(comment)@c.com",
            "a\\b@c.com",
            &format!("a@{}.com", "b.".repeat(125)),
        ] {
            assert!(!is_valid(bad), "{bad:?} should be refused");
        }
    }

    #[test]
    fn the_local_part_and_each_label_are_bounded_at_their_edges() {
        let local = |n: usize| format!("{}@c.com", "a".repeat(n));
        let label = |n: usize| format!("a@{}.com", "b".repeat(n));
        assert!(is_valid(&local(64)) && is_valid(&label(63)));
        assert!(
            !is_valid(&local(65)),
            "a 65-character local part should be refused"
        );
        assert!(
            !is_valid(&label(64)),
            "a 64-character label should be refused"
        );
    }

    #[test]
    fn the_whole_address_is_at_most_254_bytes() {
        let domain = format!(
            "{}.{}.{}.{}",
            "b".repeat(63),
            "c".repeat(63),
            "d".repeat(63),
            "e".repeat(60)
        );
        let at_limit = format!("a@{domain}");
        assert_eq!(at_limit.len(), 254);
        assert!(is_valid(&at_limit));
        assert!(!is_valid(&format!("aa@{domain}")));
    }

    #[test]
    fn parse_trims_and_compares_without_case() {
        let e = Email::parse(" Ann@Example.com ").unwrap();
        assert_eq!(e.as_str(), "Ann@Example.com");
        assert_eq!(e.key(), "ann@example.com");
        let refused = Email::parse(" a@b ").unwrap_err();
        assert_eq!(refused.code, "invalid_email");
        assert_eq!(refused.reason, "\"a@b\" is not a valid email address.");
    }
}
