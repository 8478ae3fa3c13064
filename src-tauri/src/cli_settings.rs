//! `orgdesk settings show|set`: the organization's settings, through the same core calls as
//! the window's Settings screen (read them all, change one, save them all).

use clap::{Subcommand, ValueEnum};
use orgdesk_core::settings::{Settings, MAX_IMPORT_QUOTA};
use orgdesk_core::spreadsheet::Lang;
use orgdesk_core::team::Command;
use orgdesk_core::{CommandError, Directory, ErrorCode};
use serde_json::json;

use crate::cli_directory::actor;
use crate::cli_edit::edit;
use crate::cli_output::Output;

#[derive(Debug, Subcommand)]
pub enum SettingsCommand {
    /// Show every setting.
    Show {
        /// Print JSON instead of text (the keys of `settings set`).
        #[arg(long)]
        json: bool,
    },
    /// Change one setting. A refused value exits 1 with the reason; an unknown key exits 2.
    #[command(
        long_about = "Change one setting. A refused value exits 1 with the reason; an \
        unknown key exits 2.\n\n\
        default-region       the region (ISO 3166 alpha-2: US, CN, GB …) mobile numbers without \
        \"+\" are read in, in imports and forms\n\
        import-quota         committed imports each admin may run per UTC day, 1 to 10000, or \
        \"off\" (previews do not count)\n\
        invitation-language  en or zh-CN: the organization's language for invitations: the \
        mail, the text message and the invitee's pages of every invitation sent without a \
        language of its own.\n\
        notifications        on or off: the desktop's notification when people ask to join \
        (on until switched off)"
    )]
    Set { key: SettingKey, value: String },
}

/// The settings `settings set` changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SettingKey {
    DefaultRegion,
    ImportQuota,
    InvitationLanguage,
    Notifications,
}

impl SettingKey {
    fn name(self) -> &'static str {
        match self {
            SettingKey::DefaultRegion => "default-region",
            SettingKey::ImportQuota => "import-quota",
            SettingKey::InvitationLanguage => "invitation-language",
            SettingKey::Notifications => "notifications",
        }
    }
}

pub fn settings(d: &mut Directory, as_admin: Option<&str>, c: SettingsCommand) -> Output {
    match c {
        SettingsCommand::Show { json } => Ok(show(&d.settings()?, json)),
        SettingsCommand::Set { key, value } => {
            let who = actor(d, as_admin)?;
            let mut s = d.settings()?;
            let refused = |reason: String| refusal(key, reason);
            match key {
                SettingKey::DefaultRegion => s.default_region = value,
                SettingKey::ImportQuota => {
                    s.import_quota_per_day = parse_quota(&value).map_err(refused)?
                }
                SettingKey::InvitationLanguage => {
                    s.invitation_language = Some(parse_language(&value).map_err(refused)?)
                }
                SettingKey::Notifications => {
                    s.join_notifications = Some(parse_on_off(&value).map_err(refused)?)
                }
            }
            let say = |_: &mut Directory, saved: Settings| {
                Ok(format!("Saved {}: {}.", key.name(), shown(&saved, key)))
            };
            let saved = if key == SettingKey::Notifications {
                // This computer's own choice, not the organization's: never a change of the
                // team's log.
                let saved = d.update_settings(&who, &s)?;
                say(d, saved)
            } else {
                let update = Command::update_settings(s.clone());
                edit(
                    d,
                    &who,
                    |_| Ok(update),
                    |d, a| d.update_settings(a, &s),
                    say,
                )
            };
            saved.map_err(|e| match e.code {
                ErrorCode::Validation => refusal(key, e.message),
                _ => e,
            })
        }
    }
}

fn refusal(key: SettingKey, reason: String) -> CommandError {
    CommandError::new(ErrorCode::Validation, format!("{}: {reason}", key.name()))
}

/// "off", or a whole number of imports a day; the core checks its range.
fn parse_quota(value: &str) -> Result<Option<u32>, String> {
    let v = value.trim();
    if v.eq_ignore_ascii_case("off") {
        return Ok(None);
    }
    v.parse::<u32>().map(Some).map_err(|_| {
        format!("\"{v}\" is not a number of imports a day: give a whole number from 1 to {MAX_IMPORT_QUOTA}, or \"off\".")
    })
}

/// `en` or `zh-CN` (letter case aside): the values a message's language takes on the wire.
pub(crate) fn parse_language(value: &str) -> Result<Lang, String> {
    let v = value.trim();
    [Lang::En, Lang::Zh]
        .into_iter()
        .find(|l| l.code().eq_ignore_ascii_case(v))
        .ok_or_else(|| {
            format!("\"{v}\" is not a language invitations are written in: give en or zh-CN.")
        })
}

/// `on` or `off` (letter case aside).
fn parse_on_off(value: &str) -> Result<bool, String> {
    match value.trim().to_ascii_lowercase().as_str() {
        "on" => Ok(true),
        "off" => Ok(false),
        _ => Err(format!("\"{}\" is neither on nor off.", value.trim())),
    }
}

fn shown(s: &Settings, key: SettingKey) -> String {
    match key {
        SettingKey::DefaultRegion => s.default_region.clone(),
        SettingKey::ImportQuota => match s.import_quota_per_day {
            Some(n) => format!("{n} a day"),
            None => "off".into(),
        },
        SettingKey::InvitationLanguage => s.invitation_language.unwrap_or_default().code().into(),
        SettingKey::Notifications => if notifications_on(s) { "on" } else { "off" }.into(),
    }
}

/// Notifications are on until switched off.
fn notifications_on(s: &Settings) -> bool {
    s.join_notifications != Some(false)
}

fn show(s: &Settings, as_json: bool) -> String {
    if as_json {
        return json!({
            "default-region": s.default_region,
            "import-quota": s.import_quota_per_day,
            "invitation-language": s.invitation_language.unwrap_or_default().code(),
            "notifications": notifications_on(s),
        })
        .to_string();
    }
    SettingKey::value_variants()
        .iter()
        .map(|k| format!("{:<21}{}", k.name(), shown(s, *k)))
        .collect::<Vec<_>>()
        .join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_read_as_the_help_says() {
        assert_eq!(parse_quota(" OFF "), Ok(None));
        assert_eq!(parse_quota("25"), Ok(Some(25)));
        assert!(parse_quota("-1")
            .unwrap_err()
            .contains("whole number from 1 to 10000"));
        assert!(parse_quota("ten").is_err());
        assert_eq!(parse_language("en"), Ok(Lang::En));
        assert_eq!(parse_language("zh-cn"), Ok(Lang::Zh));
        assert!(parse_language("zh").unwrap_err().contains("en or zh-CN"));
        assert!(parse_language("fr").is_err());
        assert_eq!(parse_on_off(" ON "), Ok(true));
        assert_eq!(parse_on_off("off"), Ok(false));
        assert_eq!(
            parse_on_off("yes").unwrap_err(),
            "\"yes\" is neither on nor off."
        );
    }

    #[test]
    fn every_key_has_the_name_clap_accepts() {
        for k in SettingKey::value_variants() {
            assert_eq!(SettingKey::from_str(k.name(), false), Ok(*k));
        }
    }
}
