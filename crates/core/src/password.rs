//! The password policy and Argon2id hashing, as the directory applies them. The rules live in
//! `orgdesk_rules::password` (the gateway applies the same ones); this module words them as
//! the directory's errors.

use orgdesk_rules::password as rules;

use crate::error::{CoreError, ErrorDetail};
use crate::types::Username;

pub use orgdesk_rules::password::{MAX_LEN, MIN_LEN};

/// Checks the policy: 8–64 characters, at least three of lowercase, uppercase, digits and
/// symbols, and not containing the username. Returns every problem found.
pub fn check_policy(password: &str, username: Option<&str>) -> Vec<ErrorDetail> {
    rules::check_policy(password, username)
        .into_iter()
        .map(|p| ErrorDetail::rule("password", p.into()))
        .collect()
}

/// Reads the username a person chose and checks their password against the policy (it may not
/// contain the username): the username when it is valid, every problem pushed to `problems`.
pub(crate) fn check_credentials(
    username: &str,
    password: &str,
    problems: &mut Vec<ErrorDetail>,
) -> Option<Username> {
    let username = Username::parse(username).map_err(|e| problems.push(e)).ok();
    problems.extend(check_policy(
        password,
        username.as_ref().map(|u| u.as_str()),
    ));
    username
}

/// Hashes with Argon2id and OWASP's parameters (m=19456 KiB, t=2, p=1), random salt.
pub fn hash(password: &str) -> Result<String, CoreError> {
    rules::hash(password).map_err(|e| CoreError::Internal(format!("Password hashing failed: {e}")))
}

/// Checks a hash made on another computer (a team change carries the hash its author's
/// computer made, never the password): an Argon2id string within the accepted bounds, else a
/// problem of the field `passwordHash`.
pub fn check_hash(phc: &str) -> Result<(), ErrorDetail> {
    rules::check_password_hash(phc).map_err(|p| {
        ErrorDetail::field(
            "passwordHash",
            "invalid",
            format!("The password could not be used: {p}."),
        )
    })
}

/// True when `password` matches the stored PHC string. A malformed hash never matches, and
/// neither does one whose Argon2id parameters are outside the accepted bounds (a huge memory
/// or time cost would hang the sign-in).
pub fn verify(password: &str, phc: &str) -> bool {
    rules::verify(password, phc)
}

/// A valid hash of nothing anyone knows, checked when the username does not exist so that a
/// wrong username costs the same time as a wrong password.
pub fn decoy_hash() -> &'static str {
    rules::decoy_hash()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn codes(p: &str, u: Option<&str>) -> Vec<String> {
        check_policy(p, u).into_iter().map(|d| d.code).collect()
    }

    #[test]
    fn policy() {
        assert!(codes("Correct-Horse1", Some("ann")).is_empty());
        assert!(codes("correcthorse1!", None).is_empty());
        assert_eq!(codes("", None), ["required"]);
        assert_eq!(codes("Ab1!", None), ["too_short"]);
        assert_eq!(codes("alllowercase", None), ["weak"]);
        assert_eq!(codes("lowerUPPER", None), ["weak"]);
        assert_eq!(
            codes("Annabel-2024", Some("Annabel")),
            ["contains_username"]
        );
        assert_eq!(codes(&"Aa1!".repeat(17), None), ["too_long"]);
    }

    #[test]
    fn hash_is_argon2id_and_verifies() {
        let h = hash("Correct-Horse1").unwrap();
        assert!(h.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{h}");
        assert!(verify("Correct-Horse1", &h));
        assert!(!verify("correct-horse1", &h));
        assert!(!verify("Correct-Horse1", "not a hash"));
        assert_eq!(orgdesk_protocol::check_password_hash(&h), Ok(()));
        // The same password under a memory cost of 4 GiB: refused without being computed.
        let huge = h.replace("m=19456", "m=4194304");
        assert!(!verify("Correct-Horse1", &huge));
        assert_ne!(h, hash("Correct-Horse1").unwrap(), "salts differ");
    }
}
