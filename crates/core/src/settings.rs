//! Organization settings the directory reads.

use rusqlite::{params, OptionalExtension};
use serde::{Deserialize, Serialize};
use serde_json::json;
use ts_rs::TS;

use crate::audit::{self, Actor};
use crate::error::{CoreError, CoreResult, ErrorDetail};
use crate::store::Directory;
use orgdesk_rules::Lang;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct Settings {
    /// ISO 3166 region ("US", "CN", "GB") that mobile numbers without "+" are read in.
    pub default_region: String,
    /// Committed imports each admin may run per UTC day; None (the default) is no limit.
    /// Previews do not count.
    #[serde(default)]
    pub import_quota_per_day: Option<u32>,
    /// The organization's language for invitations (the mail, the message and the page an
    /// invitee first sees) where the admin does not pick one. Always given when read; absent
    /// in an update (the window does not show it yet), it is left as it is. An invitation
    /// written without a language of its own takes this one.
    #[serde(default)]
    #[ts(optional)]
    pub invitation_language: Option<Lang>,
    /// Whether the desktop shows an OS notification when people ask to join (default on).
    /// This computer's own choice, so not part of the directory checksum. Always given when
    /// read; absent in an update, it is left as it is.
    #[serde(default)]
    #[ts(optional)]
    pub join_notifications: Option<bool>,
}

/// The settings key of [`Settings::invitation_language`]; the value is `en` or `zh-CN`.
pub(crate) const INVITATION_LANGUAGE: &str = "invitation_language";
/// The settings key of [`Settings::join_notifications`]; the value is `on` or `off`.
const JOIN_NOTIFICATIONS: &str = "join_notifications";

/// The largest daily import quota Settings accept.
pub const MAX_IMPORT_QUOTA: u32 = 10_000;

impl Directory {
    pub fn settings(&self) -> CoreResult<Settings> {
        Ok(Settings {
            default_region: self.default_region()?,
            import_quota_per_day: import_quota_in(&self.conn)?,
            invitation_language: Some(self.invitation_language()?),
            join_notifications: Some(self.join_notifications()?),
        })
    }

    /// Whether new join requests are announced by an OS notification: on until Settings say
    /// otherwise.
    pub fn join_notifications(&self) -> CoreResult<bool> {
        Ok(self.local_value(JOIN_NOTIFICATIONS)?.as_deref() != Some("off"))
    }

    /// This computer's own choice of the join request notification, which a team's change
    /// of the settings never carries.
    pub fn set_join_notifications(&mut self, on: bool) -> CoreResult<()> {
        self.set_local_value(JOIN_NOTIFICATIONS, if on { "on" } else { "off" })
    }

    /// The organization's language for invitations: English until Settings say otherwise.
    pub fn invitation_language(&self) -> CoreResult<Lang> {
        Ok(self
            .local_value(INVITATION_LANGUAGE)?
            .and_then(|v| Lang::parse(&v))
            .unwrap_or_default())
    }

    pub fn update_settings(&mut self, actor: &Actor, new: &Settings) -> CoreResult<Settings> {
        let region = new.default_region.trim().to_ascii_uppercase();
        let mut problems = Vec::new();
        if !orgdesk_rules::mobile::is_region(&region) {
            problems.push(ErrorDetail::field(
                "defaultRegion",
                "invalid_region",
                format!("\"{region}\" is not a known region code (e.g. US, CN, GB)."),
            ));
        }
        let quota = new.import_quota_per_day;
        if quota.is_some_and(|n| !(1..=MAX_IMPORT_QUOTA).contains(&n)) {
            problems.push(ErrorDetail::field(
                "importQuotaPerDay",
                "out_of_range",
                format!("The import quota must be between 1 and {MAX_IMPORT_QUOTA} imports a day."),
            ));
        }
        if !problems.is_empty() {
            return Err(CoreError::invalid(problems));
        }
        let before = self.settings()?;
        let (now, tx) = self.begin()?;
        tx.execute(
            "INSERT INTO settings (key, value) VALUES ('default_region', ?1)
             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            params![region],
        )?;
        // No row is "off": a directory from before the quota existed reads the same way.
        match quota {
            Some(n) => tx.execute(
                "INSERT INTO settings (key, value) VALUES ('import_quota_per_day', ?1)
                 ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                params![n.to_string()],
            )?,
            None => tx.execute(
                "DELETE FROM settings WHERE key = 'import_quota_per_day'",
                [],
            )?,
        };
        let mut after = json!({"defaultRegion": region, "importQuotaPerDay": quota});
        // An update that leaves the language out (the window's) leaves it as it is.
        if let Some(l) = new.invitation_language {
            tx.execute(
                "INSERT INTO settings (key, value) VALUES (?1, ?2)
                 ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                params![INVITATION_LANGUAGE, l.code()],
            )?;
            after["invitationLanguage"] = json!(l);
        }
        if let Some(on) = new.join_notifications {
            tx.execute(
                "INSERT INTO settings (key, value) VALUES (?1, ?2)
                 ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                params![JOIN_NOTIFICATIONS, if on { "on" } else { "off" }],
            )?;
            after["joinNotifications"] = json!(on);
        }
        audit::record(
            &tx,
            now,
            actor,
            audit::Entry::on("settings.update", "settings", None, None)
                .before(json!(before))
                .after(after),
        )?;
        tx.commit()?;
        self.settings()
    }
}

/// The daily import quota as seen by `conn` (inside a transaction too); None when off.
pub(crate) fn import_quota_in(conn: &rusqlite::Connection) -> CoreResult<Option<u32>> {
    use rusqlite::OptionalExtension;
    let value: Option<String> = conn
        .query_row(
            "SELECT value FROM settings WHERE key = 'import_quota_per_day'",
            [],
            |r| r.get(0),
        )
        .optional()?;
    Ok(value.and_then(|v| v.parse::<u32>().ok()).filter(|n| *n > 0))
}

/// [`Directory::local_value`] as `conn` sees it (inside a transaction too).
pub(crate) fn local_value_in(
    conn: &rusqlite::Connection,
    key: &str,
) -> rusqlite::Result<Option<String>> {
    use rusqlite::OptionalExtension;
    conn.query_row("SELECT value FROM settings WHERE key = ?1", [key], |r| {
        r.get(0)
    })
    .optional()
}

impl Directory {
    /// A value this installation keeps for itself (not shown in Settings): the gateway's
    /// organization id, the embedded gateway's port, and the like. Never a secret.
    pub fn local_value(&self, key: &str) -> CoreResult<Option<String>> {
        Ok(local_value_in(&self.conn, key)?)
    }

    pub fn set_local_value(&self, key: &str, value: &str) -> CoreResult<()> {
        Ok(set_value_in(&self.conn, key, value)?)
    }
}

/// Writes the setting `key` as `conn` sees it (inside a transaction too).
pub(crate) fn set_value_in(
    conn: &rusqlite::Connection,
    key: &str,
    value: &str,
) -> rusqlite::Result<()> {
    conn.execute(
        "INSERT INTO settings (key, value) VALUES (?1, ?2)
         ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        params![key, value],
    )
    .map(drop)
}

/// The default region as seen by `conn` (inside a transaction too): "US" until Settings say.
pub(crate) fn default_region_in(conn: &rusqlite::Connection) -> rusqlite::Result<String> {
    Ok(conn
        .query_row(
            "SELECT value FROM settings WHERE key = 'default_region'",
            [],
            |r| r.get(0),
        )
        .optional()?
        .unwrap_or_else(|| "US".into()))
}
