//! The daily import quota (Settings): committed imports per admin per UTC day. Every
//! committed import is logged in `imports` inside its own transaction, and the quota counts
//! those rows, so previews never count and an import that rolls back never counts either.

use rusqlite::{params, Connection};
use serde::Serialize;
use ts_rs::TS;

use super::ImportCounts;
use crate::audit::Actor;
use crate::clock::Millis;
use crate::error::{CoreError, CoreResult};
use crate::settings::import_quota_in;
use crate::store::Directory;

const DAY_MS: Millis = 86_400_000;

/// Where an admin stands against today's import quota.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ImportQuotaStatus {
    /// Imports allowed per UTC day; None when the quota is off.
    pub limit: Option<u32>,
    /// Imports this admin committed since 00:00 UTC today (counted even when the quota is off).
    pub used: u32,
    /// Imports left today; None when the quota is off.
    pub remaining: Option<u32>,
    /// The next 00:00 UTC, when the count starts again (ms since the epoch).
    pub resets_at_ms: Millis,
}

/// The UTC day `now` falls in, as [start, end). A fixed UTC day rather than the admin's
/// local one: admins of one organization may sit in different time zones, and the count
/// must not move when one of them travels.
fn utc_day(now: Millis) -> (Millis, Millis) {
    let start = now.div_euclid(DAY_MS) * DAY_MS;
    (start, start + DAY_MS)
}

fn status_in(conn: &Connection, now: Millis, actor: &Actor) -> CoreResult<ImportQuotaStatus> {
    let (start, end) = utc_day(now);
    // `IS` so that imports without an actor (none today) count together instead of never.
    let used: i64 = conn.query_row(
        "SELECT count(*) FROM imports WHERE actor_id IS ?1 AND at >= ?2 AND at < ?3",
        params![actor.id, start, end],
        |r| r.get(0),
    )?;
    let used = u32::try_from(used).unwrap_or(u32::MAX);
    let limit = import_quota_in(conn)?;
    Ok(ImportQuotaStatus {
        limit,
        used,
        remaining: limit.map(|l| l.saturating_sub(used)),
        resets_at_ms: end,
    })
}

fn refuse_if_used_up(s: &ImportQuotaStatus, now: Millis) -> CoreResult<()> {
    match s.limit {
        Some(limit) if s.used >= limit => {
            let wait_ms = (s.resets_at_ms - now).max(0);
            Err(CoreError::ImportQuotaReached {
                limit,
                resets_at_ms: s.resets_at_ms,
                retry_after_secs: u32::try_from((wait_ms + 999) / 1000)
                    .unwrap_or(u32::MAX)
                    .max(1),
            })
        }
        _ => Ok(()),
    }
}

impl Directory {
    /// Today's import count of `actor` against the quota, and when it resets.
    pub fn import_quota_status(&self, actor: &Actor) -> CoreResult<ImportQuotaStatus> {
        status_in(&self.conn, self.now_ms(), actor)
    }

    /// Refuses (`ImportQuotaReached`) when `actor` has used today's imports. An import calls
    /// it before reading its file; the window calls it before a preview too, so an admin does
    /// not map and preview a file the quota will not let through.
    pub fn check_import_quota(&self, actor: &Actor) -> CoreResult<()> {
        let now = self.now_ms();
        refuse_if_used_up(&status_in(&self.conn, now, actor)?, now)
    }
}

/// Logs a committed import; `conn` is the import's transaction. The quota is checked again
/// here because another connection (the command line beside the window) may have committed
/// an import since the check before reading: the write lock is held by now, so this count
/// is the final one, and a refusal rolls the whole import back.
pub(crate) fn log_import(
    conn: &Connection,
    at: Millis,
    actor: &Actor,
    counts: &ImportCounts,
) -> CoreResult<()> {
    refuse_if_used_up(&status_in(conn, at, actor)?, at)?;
    conn.execute(
        "INSERT INTO imports (actor_id, actor_name, at, created, updated, unchanged, failed)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![
            actor.id,
            actor.name,
            at,
            counts.create,
            counts.update,
            counts.unchanged,
            counts.failed
        ],
    )?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_day_is_the_utc_day() {
        // 2026-09-21 14:13 UTC.
        let now = 1_790_000_000_000;
        let (start, end) = utc_day(now);
        assert_eq!(super::super::format_time(start), "2026-09-21 00:00");
        assert_eq!(super::super::format_time(end), "2026-09-22 00:00");
        assert_eq!(utc_day(start), (start, end));
        assert_eq!(utc_day(end - 1), (start, end));
        assert_eq!(utc_day(end).0, end);
    }
}
