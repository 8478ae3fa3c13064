//! The password policy, Argon2id hashing and checking, and the parameters a stored hash may
//! carry.

use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use argon2::Argon2;

use crate::Refusal;

pub const MIN_LEN: usize = 8;
pub const MAX_LEN: usize = 64;

/// One way a password breaks the policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PolicyProblem {
    /// Empty (then nothing else is reported).
    Required,
    /// Fewer than [`MIN_LEN`] characters.
    TooShort,
    /// More than [`MAX_LEN`] characters.
    TooLong,
    /// Fewer than three of lowercase letters, uppercase letters, digits, symbols.
    Weak,
    /// Contains the username (of three characters or more), case-insensitively.
    ContainsUsername,
}

impl PolicyProblem {
    /// The stable code callers translate.
    pub fn code(self) -> &'static str {
        match self {
            Self::Required => "required",
            Self::TooShort => "too_short",
            Self::TooLong => "too_long",
            Self::Weak => "weak",
            Self::ContainsUsername => "contains_username",
        }
    }

    /// The English sentence.
    pub fn reason(self) -> String {
        match self {
            Self::Required => "Password is required.".into(),
            Self::TooShort => format!("Password must be at least {MIN_LEN} characters."),
            Self::TooLong => format!("Password must be at most {MAX_LEN} characters."),
            Self::Weak => "Password must mix at least three of: lowercase letters, uppercase letters, digits, symbols.".into(),
            Self::ContainsUsername => "Password must not contain the username.".into(),
        }
    }
}

impl From<PolicyProblem> for Refusal {
    fn from(p: PolicyProblem) -> Self {
        Refusal::new(p.code(), p.reason())
    }
}

/// Checks the policy: 8–64 characters, at least three of lowercase, uppercase, digits and
/// symbols, and not containing the username. Returns every problem found.
pub fn check_policy(password: &str, username: Option<&str>) -> Vec<PolicyProblem> {
    let mut problems = Vec::new();
    let len = password.chars().count();
    if len == 0 {
        problems.push(PolicyProblem::Required);
        return problems;
    }
    if len < MIN_LEN {
        problems.push(PolicyProblem::TooShort);
    }
    if len > MAX_LEN {
        problems.push(PolicyProblem::TooLong);
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
        problems.push(PolicyProblem::Weak);
    }
    if let Some(u) = username {
        let u = u.trim().to_lowercase();
        if u.len() >= 3 && password.to_lowercase().contains(&u) {
            problems.push(PolicyProblem::ContainsUsername);
        }
    }
    problems
}

/// Hashing failed (Argon2 refused its input); the message says why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HashError(pub String);

impl std::fmt::Display for HashError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for HashError {}

/// Hashes with Argon2id and OWASP's parameters (m=19456 KiB, t=2, p=1), random salt. Takes
/// tens of milliseconds: async callers run it on a blocking thread.
pub fn hash(password: &str) -> Result<String, HashError> {
    let hashed: Result<PasswordHash, _> = Argon2::default().hash_password(password.as_bytes());
    hashed
        .map(|h| h.to_string())
        .map_err(|e| HashError(e.to_string()))
}

/// True when `password` matches the stored PHC string. A malformed hash never matches, and
/// neither does one whose Argon2id parameters are outside the accepted bounds (a huge memory
/// or time cost would hang the sign-in): see [`check_password_hash`].
pub fn verify(password: impl AsRef<[u8]>, phc: &str) -> bool {
    if check_password_hash(phc).is_err() {
        return false;
    }
    match PasswordHash::new(phc) {
        Ok(parsed) => Argon2::default()
            .verify_password(password.as_ref(), &parsed)
            .is_ok(),
        Err(_) => false,
    }
}

/// A hash of a random password nobody knows, with the same parameters as real ones: checking
/// against it costs what checking a real account costs. Made once per process.
pub fn decoy_hash() -> &'static str {
    static DECOY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DECOY.get_or_init(|| {
        let secret: String = rand::random::<[u8; 16]>()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        hash(&format!("Decoy-{secret}")).unwrap_or_default()
    })
}

/// Spends the time of checking `password` against an account, for a username that has none,
/// so that an unknown username answers as slowly as a wrong password. Never matches.
pub fn verify_decoy(password: impl AsRef<[u8]>) {
    let _ = verify(password, decoy_hash());
}

/// The Argon2id parameters a password hash may carry to be stored or checked, on the desktop
/// and on the gateway alike. Anything else is refused: a weaker hash would lower the bar, and
/// a huge memory or time cost would make every later sign-in hang.
pub const ARGON2_MIN_MEMORY_KIB: u32 = 19_456;
pub const ARGON2_MAX_MEMORY_KIB: u32 = 65_536;
pub const ARGON2_MIN_TIME: u32 = 2;
pub const ARGON2_MAX_TIME: u32 = 4;
pub const ARGON2_MAX_LANES: u32 = 4;

/// Why a password hash was refused (see [`check_password_hash`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PasswordHashProblem {
    /// Not an `$argon2id$v=19$m=…,t=…,p=…$salt$hash` string.
    NotArgon2id,
    /// Memory, time or lanes outside the bounds above.
    ParametersOutOfBounds,
}

impl std::fmt::Display for PasswordHashProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::NotArgon2id => "the password hash is not an Argon2id PHC string",
            Self::ParametersOutOfBounds => {
                "the password hash's Argon2id parameters are outside the accepted bounds"
            }
        })
    }
}

/// Checks a password hash before anyone stores or verifies it: Argon2id, version 19, memory
/// [`ARGON2_MIN_MEMORY_KIB`]..=[`ARGON2_MAX_MEMORY_KIB`] KiB, time
/// [`ARGON2_MIN_TIME`]..=[`ARGON2_MAX_TIME`], 1..=[`ARGON2_MAX_LANES`] lanes, a salt of 8 to 64
/// bytes and an output of 16 to 64 bytes (unpadded standard base64, as PHC writes them).
pub fn check_password_hash(phc: &str) -> Result<(), PasswordHashProblem> {
    use PasswordHashProblem::*;
    if phc.len() > 256 {
        return Err(NotArgon2id);
    }
    let mut parts = phc.split('$');
    let (Some(""), Some("argon2id"), Some("v=19"), Some(params), Some(salt), Some(out), None) = (
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
    ) else {
        return Err(NotArgon2id);
    };
    let b64 = |s: &str, min_bytes: usize, max_bytes: usize| {
        s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'+' || b == b'/')
            && (min_bytes * 4).div_ceil(3) <= s.len()
            && s.len() <= (max_bytes * 4).div_ceil(3)
    };
    if !b64(salt, 8, 64) || !b64(out, 16, 64) {
        return Err(NotArgon2id);
    }
    let mut m = None;
    let mut t = None;
    let mut p = None;
    for pair in params.split(',') {
        let (k, v) = pair.split_once('=').ok_or(NotArgon2id)?;
        if v.is_empty() || v.len() > 10 || !v.bytes().all(|b| b.is_ascii_digit()) {
            return Err(NotArgon2id);
        }
        let v: u32 = v.parse().map_err(|_| NotArgon2id)?;
        let slot = match k {
            "m" => &mut m,
            "t" => &mut t,
            "p" => &mut p,
            _ => return Err(NotArgon2id),
        };
        if slot.replace(v).is_some() {
            return Err(NotArgon2id);
        }
    }
    let (Some(m), Some(t), Some(p)) = (m, t, p) else {
        return Err(NotArgon2id);
    };
    if !(ARGON2_MIN_MEMORY_KIB..=ARGON2_MAX_MEMORY_KIB).contains(&m)
        || !(ARGON2_MIN_TIME..=ARGON2_MAX_TIME).contains(&t)
        || !(1..=ARGON2_MAX_LANES).contains(&p)
    {
        return Err(ParametersOutOfBounds);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn codes(p: &str, u: Option<&str>) -> Vec<&'static str> {
        check_policy(p, u)
            .into_iter()
            .map(PolicyProblem::code)
            .collect()
    }

    #[test]
    fn policy() {
        assert!(codes("Correct-Horse1", Some("ann")).is_empty());
        assert!(codes("correcthorse1!", None).is_empty());
        assert!(codes("Aa1!aaaa", None).is_empty(), "exactly 8");
        assert!(codes(&"Aa1!".repeat(16), None).is_empty(), "exactly 64");
        assert_eq!(codes("", None), ["required"]);
        assert_eq!(codes("", Some("ann")), ["required"]);
        assert_eq!(codes("Ab1!", None), ["too_short"]);
        assert_eq!(codes("ab", None), ["too_short", "weak"]);
        assert_eq!(codes("alllowercase", None), ["weak"]);
        assert_eq!(codes("lowerUPPER", None), ["weak"]);
        assert_eq!(codes("lower UPPER", None), ["weak"], "a space is no symbol");
        assert!(
            codes("小写Upper1!", None).is_empty(),
            "classes count letters of any script"
        );
        assert_eq!(
            codes("Annabel-2024", Some(" Annabel ")),
            ["contains_username"]
        );
        assert!(
            codes("Ann-Correct1", Some("an")).is_empty(),
            "short usernames are ignored"
        );
        assert_eq!(codes(&"Aa1!".repeat(17), None), ["too_long"]);
        assert_eq!(
            Refusal::from(PolicyProblem::TooShort).reason,
            "Password must be at least 8 characters."
        );
    }

    #[test]
    fn hash_is_argon2id_and_verifies() {
        let h = hash("Correct-Horse1").unwrap();
        assert!(h.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{h}");
        assert!(verify("Correct-Horse1", &h));
        assert!(verify(b"Correct-Horse1", &h));
        assert!(!verify("correct-horse1", &h));
        assert!(!verify("Correct-Horse1", "not a hash"));
        assert!(!verify("Correct-Horse1", ""));
        assert_eq!(check_password_hash(&h), Ok(()));
        // The same password under a memory cost of 4 GiB: refused without being computed.
        let huge = h.replace("m=19456", "m=4194304");
        assert!(!verify("Correct-Horse1", &huge));
        assert_ne!(h, hash("Correct-Horse1").unwrap(), "salts differ");
    }

    #[test]
    fn the_decoy_checks_like_a_real_hash_and_matches_nothing() {
        let decoy = decoy_hash();
        assert!(
            decoy.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
            "{decoy}"
        );
        assert_eq!(check_password_hash(decoy), Ok(()));
        assert_eq!(decoy, decoy_hash(), "made once");
        for guess in ["", "anything", "decoy-Password-1", "Decoy-"] {
            assert!(!verify(guess, decoy));
            verify_decoy(guess);
        }
    }

    #[test]
    fn only_bounded_argon2id_hashes_pass() {
        let good = "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0$\
                    q2hXdXRsUW9ZZ1JtVnhwTGhpRmV4c3JZcUdnbk5oa0U";
        assert_eq!(check_password_hash(good), Ok(()));
        let with = |params: &str| good.replace("m=19456,t=2,p=1", params);
        for params in ["m=65536,t=4,p=4", "m=19456,t=2,p=1", "p=1,t=2,m=19456"] {
            assert_eq!(check_password_hash(&with(params)), Ok(()), "{params}");
        }
        use PasswordHashProblem::{NotArgon2id, ParametersOutOfBounds};
        for (params, problem) in [
            ("m=65537,t=2,p=1", ParametersOutOfBounds),
            ("m=19455,t=2,p=1", ParametersOutOfBounds),
            ("m=4194304,t=2,p=1", ParametersOutOfBounds),
            ("m=8,t=1,p=1", ParametersOutOfBounds),
            ("m=19456,t=5,p=1", ParametersOutOfBounds),
            ("m=19456,t=1,p=1", ParametersOutOfBounds),
            ("m=19456,t=1000,p=1", ParametersOutOfBounds),
            ("m=19456,t=2,p=0", ParametersOutOfBounds),
            ("m=19456,t=2,p=5", ParametersOutOfBounds),
            ("m=19456,t=2,p=64", ParametersOutOfBounds),
            ("m=19456,t=2", NotArgon2id),
            ("m=19456,t=2,p=1,m=8", NotArgon2id),
            ("m=19456,t=2,p=1,x=1", NotArgon2id),
            ("m=-1,t=2,p=1", NotArgon2id),
            ("m=99999999999,t=2,p=1", NotArgon2id),
        ] {
            assert_eq!(check_password_hash(&with(params)), Err(problem), "{params}");
        }
        for bad in [
            "",
            "plain",
            &good.replace("argon2id", "argon2i"),
            &good.replace("v=19", "v=16"),
            &good.replace("$c2FsdHNhbHRzYWx0$", "$c2!s$"),
            &format!("{good}$extra"),
            &good[..good.len() - 30],
            &"a".repeat(300),
        ] {
            assert_eq!(check_password_hash(bad), Err(NotArgon2id), "{bad}");
        }
    }
}
