//! Joining through the public join link or the organization code: the secrets behind them
//! and the rules for what a joiner types.
//!
//! The link token is 32 bytes from the OS generator; the database keeps its SHA-256 (enough
//! for 256 random bits) for lookup and a copy sealed under the pepper, so that the desktop can
//! be shown the current link again at any time. The code is 8 characters from a 32-symbol
//! alphabet without 0/O/1/I (40 bits): short enough to type, too short for a plain hash, so
//! the lookup hash is keyed with a key derived from the pepper, and guessing is slowed by a
//! per-address lockout kept in the store.

use hmac::{Hmac, Mac};
use orgdesk_protocol::JoinField;
use sha2::Sha256;

use crate::secrets::{self, Pepper};
use crate::store::JoinSecrets;

/// The symbols of an organization code: digits and capitals without 0, O, 1 and I, which
/// people confuse. 32 of them, so one random byte's low 5 bits pick one without bias.
pub const CODE_ALPHABET: &[u8; 32] = b"23456789ABCDEFGHJKLMNPQRSTUVWXYZ";
pub const CODE_LEN: usize = 8;

/// A new organization code.
pub fn new_code() -> String {
    random_symbols::<CODE_LEN>()
}

/// A typed code in its canonical form (capitals, spaces and dashes dropped), or `None` when
/// it cannot be a code at all.
pub fn normalize_code(typed: &str) -> Option<String> {
    normalize_symbols(typed, CODE_LEN)
}

/// A typed code of `len` symbols of [`CODE_ALPHABET`] in its canonical form (capitals,
/// spaces and dashes dropped), or `None` when it cannot be one: the rule of every code people
/// type (the organization code, team enrollment codes).
pub fn normalize_symbols(typed: &str, len: usize) -> Option<String> {
    let code: String = typed
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .map(|c| c.to_ascii_uppercase())
        .collect();
    (code.len() == len && code.bytes().all(|b| CODE_ALPHABET.contains(&b))).then_some(code)
}

/// `LEN` random symbols of [`CODE_ALPHABET`] (5 random bits each).
pub fn random_symbols<const LEN: usize>() -> String {
    secrets::random_bytes::<LEN>()
        .iter()
        .map(|b| char::from(CODE_ALPHABET[usize::from(b & 31)]))
        .collect()
}

/// The key for code hashes: derived from the pepper, so a copy of the database cannot be
/// used to try all 2^40 codes offline.
fn code_key(pepper: &Pepper) -> [u8; 32] {
    pepper.token_hash(&secrets::sha256(b"orgdesk join-code key"))
}

pub fn code_hash(pepper: &Pepper, code: &str) -> [u8; 32] {
    let mut mac =
        Hmac::<Sha256>::new_from_slice(&code_key(pepper)).expect("HMAC takes any key length");
    mac.update(code.as_bytes());
    mac.finalize().into_bytes().into()
}

/// What the database keeps of a link token: its SHA-256.
pub fn link_hash(token: &[u8; 32]) -> [u8; 32] {
    secrets::sha256(token)
}

/// The code sealed under the pepper (padded to the sealed size with zeros).
pub fn seal_code(pepper: &Pepper, code: &str) -> Vec<u8> {
    let mut padded = [0u8; 32];
    let n = code.len().min(32);
    padded[..n].copy_from_slice(&code.as_bytes()[..n]);
    pepper.seal(&padded)
}

pub fn open_code(pepper: &Pepper, sealed: &[u8]) -> Option<String> {
    let padded = pepper.open(sealed)?;
    let end = padded.iter().position(|b| *b == 0).unwrap_or(padded.len());
    String::from_utf8(padded[..end].to_vec()).ok()
}

/// A fresh link and code, ready to store.
pub fn fresh_secrets(pepper: &Pepper) -> JoinSecrets {
    let (token, _) = secrets::new_token();
    let code = new_code();
    JoinSecrets {
        token_sha256: link_hash(&token),
        sealed_token: pepper.seal(&token),
        code_hash: code_hash(pepper, &code),
        sealed_code: seal_code(pepper, &code),
    }
}

pub use crate::limits::client_key;

/// Why a typed value is refused, as a translation key.
pub fn field_problem(field: JoinField, value: &str) -> Option<&'static str> {
    let ok = match field {
        JoinField::Email => orgdesk_rules::email::is_valid(value),
        JoinField::Mobile => mobile_ok(value),
        JoinField::EmployeeId => text_ok(value, 64),
        JoinField::WorkLocation => text_ok(value, 200),
    };
    (!ok).then_some(match field {
        JoinField::Email => "err_join_email",
        JoinField::Mobile => "err_join_mobile",
        JoinField::EmployeeId => "err_join_employee_id",
        JoinField::WorkLocation => "err_join_work_location",
    })
}

/// A person's name as it is kept, or `None` if it breaks the rule: the desktop's
/// (`orgdesk_rules::name`: 1–64 characters after trimming, no control characters), and no
/// bidirectional formatting characters either, which would make it read as another name.
pub fn clean_name(name: &str) -> Option<String> {
    orgdesk_rules::name::clean(name)
        .ok()
        .filter(|name| !name.chars().any(crate::render::forbidden_in_text))
        .map(str::to_owned)
}

/// Present, at most `max` characters, no control or bidirectional formatting characters.
pub fn text_ok(value: &str, max: usize) -> bool {
    !value.trim().is_empty()
        && value.chars().count() <= max
        && !value.chars().any(crate::render::forbidden_in_text)
}

/// A valid number in E.164, by the same rule as the desktop's.
pub fn mobile_ok(value: &str) -> bool {
    orgdesk_rules::Mobile::parse_international(value).is_ok_and(|m| m.as_str() == value)
}

/// A typed mobile number as it is kept: without the spaces, dashes and brackets people add,
/// and in E.164 when it is then a valid number in international format (otherwise
/// [`mobile_ok`] refuses it). Cleaning it again changes nothing.
pub fn clean_mobile(value: &str) -> String {
    let compact: String = value
        .chars()
        .filter(|c| !c.is_whitespace() && !matches!(c, '-' | '(' | ')' | '.'))
        .collect();
    match orgdesk_rules::Mobile::parse_international(&compact) {
        Ok(m) => m.into_string(),
        Err(_) => compact,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_use_the_unambiguous_alphabet() {
        assert_eq!(CODE_ALPHABET.len(), 32);
        for confusing in b"01OI" {
            assert!(!CODE_ALPHABET.contains(confusing));
        }
        let a = new_code();
        assert_eq!(a.len(), CODE_LEN);
        assert_eq!(normalize_code(&a).as_deref(), Some(a.as_str()));
        assert_ne!(a, new_code());
        assert_eq!(normalize_code(" abcd-2345 ").as_deref(), Some("ABCD2345"));
        assert_eq!(normalize_code("ABCD2340"), None, "0 is not a symbol");
        assert_eq!(normalize_code("ABCD234"), None);
    }

    #[test]
    fn code_hashes_depend_on_the_pepper_and_codes_seal() {
        let (p, q) = (Pepper::ephemeral(), Pepper::ephemeral());
        assert_ne!(code_hash(&p, "ABCD2345"), code_hash(&q, "ABCD2345"));
        assert_ne!(code_hash(&p, "ABCD2345"), code_hash(&p, "ABCD2346"));
        let sealed = seal_code(&p, "ABCD2345");
        assert_eq!(open_code(&p, &sealed).as_deref(), Some("ABCD2345"));
        assert_eq!(open_code(&q, &sealed), None);
    }

    #[test]
    fn ipv6_clients_are_grouped_by_their_64() {
        let a: std::net::IpAddr = "2001:db8:1:2:aaaa::1".parse().unwrap();
        let b: std::net::IpAddr = "2001:db8:1:2:bbbb::9".parse().unwrap();
        let c: std::net::IpAddr = "2001:db8:1:3::1".parse().unwrap();
        assert_eq!(client_key(a), client_key(b));
        assert_ne!(client_key(a), client_key(c));
        assert_eq!(client_key("::ffff:10.0.0.1".parse().unwrap()), "10.0.0.1");
    }

    #[test]
    fn mobiles_are_read_by_the_shared_rule() {
        // "+" and 11 digits, but no such number.
        assert_eq!(
            field_problem(JoinField::Mobile, &clean_mobile("+1 555 010 0000")),
            Some("err_join_mobile")
        );
        assert_eq!(clean_mobile("+1 (415) 555-2671"), "+14155552671");
        assert_eq!(field_problem(JoinField::Mobile, "+14155552671"), None);
        // Only the E.164 form itself passes: the form keeps what `clean_mobile` made.
        assert_eq!(
            field_problem(JoinField::Mobile, "+1 415 555 2671"),
            Some("err_join_mobile")
        );
        for typed in ["+1 555 010 0000", "+86 138-0013 8000", "abc", "+86abc", ""] {
            let once = clean_mobile(typed);
            assert_eq!(clean_mobile(&once), once, "{typed:?}");
        }
    }

    #[test]
    fn typed_fields_are_checked() {
        assert_eq!(field_problem(JoinField::Email, "li@example.org"), None);
        assert_eq!(
            field_problem(JoinField::Email, "li at example"),
            Some("err_join_email")
        );
        assert_eq!(field_problem(JoinField::Mobile, "+8613800138000"), None);
        assert_eq!(
            field_problem(JoinField::Mobile, "13800138000"),
            Some("err_join_mobile")
        );
        assert_eq!(clean_mobile("+86 138-0013 8000"), "+8613800138000");
        assert_eq!(
            field_problem(JoinField::EmployeeId, "E\u{7}1"),
            Some("err_join_employee_id")
        );
        assert_eq!(field_problem(JoinField::WorkLocation, "Shanghai"), None);
    }

    #[test]
    fn emails_and_names_follow_the_desktops_rules() {
        for refused in ["a@b", "\"a b\"@c.com", "a..b@c.com", ".a@c.com", "a@-b.com"] {
            assert_eq!(
                field_problem(JoinField::Email, refused),
                Some("err_join_email"),
                "{refused}"
            );
        }
        assert_eq!(clean_name(&"x".repeat(64)), Some("x".repeat(64)));
        assert_eq!(clean_name(&"x".repeat(65)), None);
        assert_eq!(clean_name("Li\u{202E}Wei"), None);
        assert_eq!(clean_name(" Li Wei "), Some("Li Wei".into()));
    }
}
