//! Organization settings the directory reads.

use rusqlite::params;
use serde::{Deserialize, Serialize};
use serde_json::json;
use ts_rs::TS;

use crate::audit::{self, Actor};
use crate::error::{CoreError, CoreResult, ErrorDetail};
use crate::store::Directory;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct Settings {
    /// ISO 3166 region ("US", "CN", "GB") that mobile numbers without "+" are read in.
    pub default_region: String,
}

impl Directory {
    pub fn settings(&self) -> CoreResult<Settings> {
        Ok(Settings {
            default_region: self.default_region()?,
        })
    }

    pub fn update_settings(&mut self, actor: &Actor, new: &Settings) -> CoreResult<Settings> {
        let region = new.default_region.trim().to_ascii_uppercase();
        if region.parse::<phonenumber::country::Id>().is_err() {
            return Err(CoreError::invalid(vec![ErrorDetail::field(
                "defaultRegion",
                "invalid_region",
                format!("\"{region}\" is not a known region code (e.g. US, CN, GB)."),
            )]));
        }
        let before = self.settings()?;
        let now = self.now_ms();
        let tx = self.conn.transaction()?;
        tx.execute(
            "INSERT INTO settings (key, value) VALUES ('default_region', ?1)
             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            params![region],
        )?;
        audit::record(
            &tx,
            now,
            actor,
            audit::Entry {
                action: "settings.update",
                target_type: "settings",
                target_id: None,
                target_name: None,
                before: Some(json!(before)),
                after: Some(json!({"defaultRegion": region})),
            },
        )?;
        tx.commit()?;
        self.settings()
    }
}

impl Directory {
    /// A value this installation keeps for itself (not shown in Settings): the gateway's
    /// organization id, the embedded gateway's port, and the like. Never a secret.
    pub fn local_value(&self, key: &str) -> CoreResult<Option<String>> {
        use rusqlite::OptionalExtension;
        Ok(self
            .conn
            .query_row("SELECT value FROM settings WHERE key = ?1", [key], |r| {
                r.get(0)
            })
            .optional()?)
    }

    pub fn set_local_value(&mut self, key: &str, value: &str) -> CoreResult<()> {
        self.conn.execute(
            "INSERT INTO settings (key, value) VALUES (?1, ?2)
             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            params![key, value],
        )?;
        Ok(())
    }
}
