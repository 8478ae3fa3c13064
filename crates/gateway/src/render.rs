//! Templates, compiled into the binary. Files ending in `.html` are auto-escaped by
//! minijinja, so every name and label that reaches a page or a mail is escaped unless a
//! template says otherwise (none does).

use minijinja::Environment;
use serde::Serialize;

use crate::error::{GatewayError, Result};

pub const STYLESHEET: &str = include_str!("../templates/gateway.css");

pub struct Templates {
    env: Environment<'static>,
}

impl Templates {
    pub fn new() -> Self {
        let mut env = Environment::new();
        // A missing variable is a bug; fail loudly in tests rather than render blanks.
        env.set_undefined_behavior(minijinja::UndefinedBehavior::Strict);
        // Each built-in template under its file name.
        macro_rules! built_in {
            ($($name:literal),* $(,)?) => {
                [$(($name, include_str!(concat!("../templates/", $name)))),*]
            };
        }
        for (name, source) in built_in![
            "layout.html",
            "forms.html",
            "mail_layout.html",
            "invitation.html",
            "register.html",
            "decline.html",
            "accept.html",
            "message.html",
            "join_code.html",
            "join_form.html",
            "join_done.html",
            "invitation_mail.html",
            "invitation_mail.txt",
            "reset.html",
            "member_message.html",
            "me_sign_in.html",
            "me.html",
            "reset_mail.html",
            "reset_mail.txt",
            "join_decision_mail.html",
            "join_decision_mail.txt",
        ] {
            env.add_template(name, source)
                .expect("built-in templates are valid");
        }
        Self { env }
    }

    pub fn render<S: Serialize>(&self, name: &str, context: S) -> Result<String> {
        self.env
            .get_template(name)
            .and_then(|t| t.render(context))
            .map_err(|e| GatewayError::Internal(format!("template {name}: {e}")))
    }
}

impl Default for Templates {
    fn default() -> Self {
        Self::new()
    }
}

/// `2026-11-25 21:18:05 UTC`, for waits measured in seconds.
pub fn format_time_seconds(unix: i64) -> String {
    let format =
        time::macros::format_description!("[year]-[month]-[day] [hour]:[minute]:[second] UTC");
    time::OffsetDateTime::from_unix_timestamp(unix)
        .ok()
        .and_then(|t| t.format(&format).ok())
        .unwrap_or_else(|| unix.to_string())
}

/// `2026-11-25 21:18 UTC`: unambiguous in both languages.
pub fn format_time(unix: i64) -> String {
    let format = time::macros::format_description!("[year]-[month]-[day] [hour]:[minute] UTC");
    time::OffsetDateTime::from_unix_timestamp(unix)
        .ok()
        .and_then(|t| t.format(&format).ok())
        .unwrap_or_else(|| unix.to_string())
}

/// Characters refused in names and other text people type that the pages show: control
/// characters, and the bidirectional overrides, embeddings, isolates and marks
/// (U+202A–U+202E, U+2066–U+2069, U+200E, U+200F), which can make a name read as something
/// else (`Li\u{202E}nimda` shows as "Liadmin").
pub fn forbidden_in_text(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}'
        )
}

#[cfg(test)]
mod tests {
    use super::forbidden_in_text;

    #[test]
    fn bidi_controls_are_forbidden() {
        for c in [
            '\u{202A}', '\u{202E}', '\u{2066}', '\u{2069}', '\u{200E}', '\u{200F}', '\n',
        ] {
            assert!(forbidden_in_text(c), "{c:?}");
        }
        for c in "Li Wei 李伟 Zoë مرحبا".chars() {
            assert!(!forbidden_in_text(c), "{c:?}");
        }
    }
}
