//! The rules that the desktop and the gateway both apply, written once: the form of an account's
//! id, the clock they read,
//! the two languages, what an email address and a person's name are, what a mobile number is
//! (and its E.164 form), what a username is, the password policy, and how passwords are
//! hashed and checked (Argon2id, with the parameters a stored hash may carry).
//!
//! No I/O: no files, no network; the system clock is only read. Each caller words its own messages (the desktop's
//! `ErrorDetail`, the gateway's pages in two languages) from the verdicts given here.

pub mod account;
pub mod clock;
pub mod email;
pub mod lang;
pub mod mobile;
pub mod name;
pub mod password;
pub mod username;

pub use clock::{Clock, ManualClock, Millis, SystemClock};
pub use email::Email;
pub use lang::Lang;
pub use mobile::Mobile;
pub use username::Username;

/// Why a value was refused: a stable `code` that callers translate, and the English sentence
/// for logs and the command line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub code: &'static str,
    pub reason: String,
}

impl Refusal {
    pub fn new(code: &'static str, reason: impl Into<String>) -> Self {
        Self {
            code,
            reason: reason.into(),
        }
    }
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.reason)
    }
}
