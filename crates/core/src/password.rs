//! The password policy and Argon2id hashing.

use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use argon2::Argon2;

use crate::error::{CoreError, ErrorDetail};

pub const MIN_LEN: usize = 8;
pub const MAX_LEN: usize = 64;

/// Checks the policy: 8–64 characters, at least three of lowercase, uppercase, digits and
/// symbols, and not containing the username. Returns every problem found.
pub fn check_policy(password: &str, username: Option<&str>) -> Vec<ErrorDetail> {
    let mut problems = Vec::new();
    let len = password.chars().count();
    if len == 0 {
        problems.push(ErrorDetail::field(
            "password",
            "required",
            "Password is required.",
        ));
        return problems;
    }
    if len < MIN_LEN {
        problems.push(ErrorDetail::field(
            "password",
            "too_short",
            format!("Password must be at least {MIN_LEN} characters."),
        ));
    }
    if len > MAX_LEN {
        problems.push(ErrorDetail::field(
            "password",
            "too_long",
            format!("Password must be at most {MAX_LEN} characters."),
        ));
    }
    let classes = [
        password.chars().any(|c| c.is_lowercase()),
        password.chars().any(|c| c.is_uppercase()),
        password.chars().any(|c| c.is_ascii_digit()),
        password
            .chars()
            .any(|c| !c.is_alphanumeric() && !c.is_whitespace()),
    ];
    if classes.iter().filter(|b| **b).count() < 3 {
        problems.push(ErrorDetail::field(
            "password",
            "weak",
            "Password must mix at least three of: lowercase letters, uppercase letters, digits, symbols.",
        ));
    }
    if let Some(u) = username {
        let u = u.trim().to_lowercase();
        if u.len() >= 3 && password.to_lowercase().contains(&u) {
            problems.push(ErrorDetail::field(
                "password",
                "contains_username",
                "Password must not contain the username.",
            ));
        }
    }
    problems
}

/// Hashes with Argon2id and OWASP's parameters (m=19456 KiB, t=2, p=1), random salt.
pub fn hash(password: &str) -> Result<String, CoreError> {
    let hashed: Result<PasswordHash, _> = Argon2::default().hash_password(password.as_bytes());
    hashed
        .map(|h| h.to_string())
        .map_err(|e| CoreError::Internal(format!("Password hashing failed: {e}")))
}

/// True when `password` matches the stored PHC string. A malformed hash never matches, and
/// neither does one whose Argon2id parameters are outside the accepted bounds (a huge memory
/// or time cost would hang the sign-in).
pub fn verify(password: &str, phc: &str) -> bool {
    if orgdesk_protocol::check_password_hash(phc).is_err() {
        return false;
    }
    match PasswordHash::new(phc) {
        Ok(parsed) => Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok(),
        Err(_) => false,
    }
}

/// A valid hash of nothing anyone knows, checked when the username does not exist so that a
/// wrong username costs the same time as a wrong password.
pub fn decoy_hash() -> &'static str {
    static DECOY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DECOY.get_or_init(|| hash("decoy-Password-1").unwrap_or_default())
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
