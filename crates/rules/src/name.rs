//! People's and organizations' names: 1–64 characters after trimming, no control characters.
//! The desktop words its refusals with the field's label; the gateway's pages with their own
//! sentences.

pub const MAX_LEN: usize = 64;

/// Why a name was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NameProblem {
    Empty,
    /// Longer than [`MAX_LEN`] characters; `len` is how many it has, trimmed.
    TooLong {
        len: usize,
    },
    ControlCharacters,
}

impl NameProblem {
    /// The stable code callers translate.
    pub fn code(self) -> &'static str {
        match self {
            Self::Empty => "required",
            Self::TooLong { .. } => "too_long",
            Self::ControlCharacters => "invalid_chars",
        }
    }
}

/// The name as it is kept (trimmed), if it keeps the rule.
pub fn clean(raw: &str) -> Result<&str, NameProblem> {
    let s = raw.trim();
    let len = s.chars().count();
    if len == 0 {
        Err(NameProblem::Empty)
    } else if len > MAX_LEN {
        Err(NameProblem::TooLong { len })
    } else if s.chars().any(char::is_control) {
        Err(NameProblem::ControlCharacters)
    } else {
        Ok(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_accepted_are_trimmed() {
        assert_eq!(clean("  Li Wei "), Ok("Li Wei"));
        assert_eq!(clean(&"字".repeat(64)), Ok("字".repeat(64).as_str()));
        assert_eq!(clean(&"x".repeat(64)), Ok("x".repeat(64).as_str()));
        assert_eq!(clean("O'Brien-Smith"), Ok("O'Brien-Smith"));
    }

    #[test]
    fn names_refused() {
        assert_eq!(clean(""), Err(NameProblem::Empty));
        assert_eq!(clean("   "), Err(NameProblem::Empty));
        assert_eq!(
            clean(&"x".repeat(65)),
            Err(NameProblem::TooLong { len: 65 })
        );
        assert_eq!(
            clean(&"x".repeat(100)),
            Err(NameProblem::TooLong { len: 100 })
        );
        assert_eq!(clean("a\u{0}b"), Err(NameProblem::ControlCharacters));
        assert_eq!(clean("Li\u{7}Wei"), Err(NameProblem::ControlCharacters));
        assert_eq!(clean("Li\nWei"), Err(NameProblem::ControlCharacters));
        assert_eq!(NameProblem::TooLong { len: 65 }.code(), "too_long");
        assert_eq!(NameProblem::Empty.code(), "required");
        assert_eq!(NameProblem::ControlCharacters.code(), "invalid_chars");
    }
}
