//! Usernames: 3–32 characters of ASCII letters, digits, `.`, `_`, `-`, compared
//! case-insensitively.

use crate::Refusal;

pub const MIN_LEN: usize = 3;
pub const MAX_LEN: usize = 32;

/// A username that has passed the rule, trimmed.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Username(String);

impl Username {
    pub fn parse(raw: &str) -> Result<Self, Refusal> {
        let s = raw.trim();
        let len = s.chars().count();
        if len == 0 {
            return Err(Refusal::new("required", "Username is required."));
        }
        if len < MIN_LEN {
            return Err(Refusal::new(
                "too_short",
                "Username must be at least 3 characters.",
            ));
        }
        if len > MAX_LEN {
            return Err(Refusal::new(
                "too_long",
                "Username must be at most 32 characters.",
            ));
        }
        if !s.chars().all(allowed) {
            return Err(Refusal::new(
                "invalid_chars",
                "Username may contain only letters, digits, '.', '_' and '-'.",
            ));
        }
        Ok(Self(s.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The form two usernames are compared in.
    pub fn key(&self) -> String {
        self.0.to_ascii_lowercase()
    }
}

fn allowed(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-')
}

/// True when `s`, exactly as given (not trimmed), is a username.
pub fn is_valid(s: &str) -> bool {
    (MIN_LEN..=MAX_LEN).contains(&s.chars().count()) && s.chars().all(allowed)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(raw: &str) -> &'static str {
        Username::parse(raw).unwrap_err().code
    }

    #[test]
    fn the_rule() {
        assert_eq!(
            Username::parse(" Ann.Lee-2_x ").unwrap().as_str(),
            "Ann.Lee-2_x"
        );
        assert_eq!(Username::parse("Ann.Lee-2_x").unwrap().key(), "ann.lee-2_x");
        assert_eq!(code(""), "required");
        assert_eq!(code("   "), "required");
        assert_eq!(code("ab"), "too_short");
        assert_eq!(code(&"a".repeat(33)), "too_long");
        assert!(Username::parse(&"a".repeat(32)).is_ok());
        assert_eq!(code("ann lee"), "invalid_chars");
        assert_eq!(code("安妮abc"), "invalid_chars");
        assert_eq!(code("<script>"), "invalid_chars");
    }

    #[test]
    fn is_valid_agrees_with_parse_on_trimmed_input() {
        for s in [
            "ann.lee_2-x",
            "ab",
            "abc",
            "ann lee",
            "<script>",
            "安妮abc",
            "",
        ] {
            assert_eq!(is_valid(s), Username::parse(s).is_ok(), "{s:?}");
        }
        assert!(!is_valid(&"a".repeat(33)));
        assert!(!is_valid(" ann "), "not trimmed");
    }
}
