//! Applying the organization's change log: in order, each change in one transaction with the
//! cursor, run by its author through the core at the time it was made; a change the core
//! refuses is recorded as refused, the same on every computer.

use std::collections::BTreeMap;

use rusqlite::{params, OptionalExtension};

use super::words::refusal_code;
use super::{ChangeOutcome, LoggedChange, RefusedChange, TeamCommand};
use crate::audit::Actor;
use crate::error::{CoreError, CoreResult, ErrorDetail};
use crate::gateway_accounts::member_by_account;
use crate::join::TellGateway;
use crate::store::Directory;

/// What a change would have done: in English, and as its kind and values for the window.
struct Described {
    what: String,
    kind: Option<String>,
    values: BTreeMap<String, String>,
}

/// A change refused, with what it would have done, who sent it and why (in English and as a
/// code, `words::refusal_code`).
struct Refusal {
    what: Described,
    author: Option<Actor>,
    field: Option<String>,
    reason: String,
    code: String,
}

impl Refusal {
    /// A refusal by the log's own rules, `code` naming which.
    fn new(what: Described, detail: ErrorDetail, code: &str) -> Self {
        Self {
            what,
            author: None,
            field: detail.field,
            reason: detail.reason,
            code: code.to_owned(),
        }
    }
}

/// How far ahead of the gateway's clock an author's computer may say it made a change: its
/// clock may run fast, but a change is not made long after it was placed in the log.
const CLOCK_TOLERANCE_MS: i64 = 5 * 60 * 1000;

impl Directory {
    /// The seq of the last change of the log this directory applied or refused (0: none).
    pub fn team_cursor(&self) -> CoreResult<i64> {
        Ok(self
            .conn
            .query_row("SELECT applied_seq FROM team_cursor", [], |r| r.get(0))?)
    }

    /// Applies the next change of the organization's log, in one transaction with the cursor.
    /// A change already applied is passed over ([`ChangeOutcome::AlreadyApplied`]); one that
    /// is not the next is an error and nothing is written. A change that cannot be read, whose
    /// author is not an enabled admin allowed to make it, or that the core refuses, is
    /// recorded as refused and the cursor moves past it. Only a failure of this computer (its
    /// disk, say) is an error, and then nothing is written and the same change is tried again.
    pub fn apply_change(&mut self, change: &LoggedChange) -> CoreResult<ChangeOutcome> {
        let cursor = self.team_cursor()?;
        if change.seq <= cursor {
            return Ok(ChangeOutcome::AlreadyApplied);
        }
        if change.seq != cursor + 1 {
            return Err(CoreError::Conflict(format!(
                "Change {} of the organization's log cannot be applied yet: this directory has applied up to {cursor}, so {} comes first.",
                change.seq,
                cursor + 1
            )));
        }
        self.in_savepoint("team_apply", true, |d| d.apply_next(change))
    }

    fn apply_next(&mut self, change: &LoggedChange) -> CoreResult<ChangeOutcome> {
        let pending: Option<String> = self
            .conn
            .query_row(
                "SELECT body FROM team_pending WHERE change_id = ?1",
                [&change.change_id],
                |r| r.get(0),
            )
            .optional()?;
        // Mine only if the body is the one queued here: a change id alone proves nothing.
        let mine = pending.is_some_and(|b| {
            serde_json::from_str::<serde_json::Value>(&b).ok()
                == Some(serde_json::Value::Object(change.body.clone()))
        });
        let history_before: i64 =
            self.conn
                .query_row("SELECT ifnull(max(id), 0) FROM audit_log", [], |r| r.get(0))?;
        let outcome = match self.judge(change, mine)? {
            None => {
                self.conn.execute(
                    "UPDATE audit_log SET team_seq = ?1, team_device_id = ?2 WHERE id > ?3",
                    params![change.seq, change.device_id, history_before],
                )?;
                ChangeOutcome::Applied { mine }
            }
            Some(r) => {
                self.conn.execute(
                    "INSERT INTO team_refusals (seq, change_id, device_id, account_id, author_id, author_name, what, field, reason, logged_at, mine, kind, what_values, code)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
                    params![
                        change.seq,
                        change.change_id,
                        change.device_id,
                        change.account_id,
                        r.author.as_ref().and_then(|a| a.id),
                        r.author.as_ref().map(|a| a.name.as_str()),
                        r.what.what,
                        r.field,
                        r.reason,
                        change.at,
                        mine,
                        r.what.kind,
                        serde_json::to_string(&r.what.values).unwrap_or_default(),
                        r.code,
                    ],
                )?;
                ChangeOutcome::Refused {
                    mine,
                    reason: r.reason,
                }
            }
        };
        if mine {
            self.conn.execute(
                "DELETE FROM team_pending WHERE change_id = ?1",
                [&change.change_id],
            )?;
        }
        self.conn
            .execute("UPDATE team_cursor SET applied_seq = ?1", [change.seq])?;
        Ok(outcome)
    }

    /// Runs the change if it may be: None when it was applied, else the refusal (with what it
    /// ran undone). An error is this computer's failure, not the change's.
    /// `mine`: the change is this computer's own, which alone tells the gateway what it must
    /// hear once (a join decision).
    fn judge(&mut self, change: &LoggedChange, mine: bool) -> CoreResult<Option<Refusal>> {
        let unreadable = || {
            let kind = change.body.get("kind").and_then(|k| k.as_str());
            match kind {
                Some(k) => format!(
                    "A change of kind \"{}\"",
                    k.chars().take(64).collect::<String>()
                ),
                None => "A change".to_owned(),
            }
        };
        let cmd = match TeamCommand::from_body(&change.body) {
            Ok(c) => c,
            Err(detail) => {
                let what = Described {
                    what: unreadable(),
                    kind: None,
                    values: BTreeMap::new(),
                };
                return Ok(Some(Refusal::new(what, detail, "unreadable")));
            }
        };
        let what = Described {
            what: cmd.command.describe(self),
            kind: cmd.command.kind(),
            values: cmd.command.values(self),
        };
        if cmd.at
            > change
                .at
                .saturating_mul(1000)
                .saturating_add(CLOCK_TOLERANCE_MS)
        {
            let detail = ErrorDetail::field(
                "at",
                "invalid",
                "The change says it was made after the gateway placed it in the log.",
            );
            return Ok(Some(Refusal::new(what, detail, "made_after_logged")));
        }
        let Some((author, _)) = member_by_account(&self.conn, &change.account_id)? else {
            let detail = ErrorDetail::field(
                "account_id",
                "unknown_author",
                "The change was sent by a gateway account that is no member of this directory.",
            );
            return Ok(Some(Refusal::new(what, detail, "unknown_author")));
        };
        let actor = match self.admin_actor(author, cmd.command.needs()) {
            Ok(a) => a,
            Err(CoreError::Forbidden(reason)) => {
                let detail = ErrorDetail::field("account_id", "forbidden", reason);
                return Ok(Some(Refusal::new(what, detail, "not_allowed")));
            }
            Err(e) => return Err(e),
        };
        let tell = if mine {
            TellGateway::Yes
        } else {
            TellGateway::LeftToAuthor
        };
        let ran = self.in_savepoint("team_command", true, |d| {
            d.at_time(cmd.at, |d| cmd.command.run(d, &actor, tell))
        });
        match ran {
            Ok(()) => Ok(None),
            Err(e) if is_refusal(&e) => {
                let field = match &e {
                    CoreError::Validation { details, .. } => {
                        details.iter().find_map(|d| d.field.clone())
                    }
                    _ => None,
                };
                Ok(Some(Refusal {
                    what,
                    author: Some(actor),
                    field,
                    reason: e.to_string(),
                    code: refusal_code(&e),
                }))
            }
            Err(e) => Err(e),
        }
    }

    /// The changes this computer sent that were refused, newest first, with what and why.
    pub fn my_refused_changes(&self) -> CoreResult<Vec<RefusedChange>> {
        crate::rows::all(
            &self.conn,
            "SELECT seq, change_id, what, field, reason, logged_at, kind, COALESCE(code, ''),
                    what_values
             FROM team_refusals WHERE mine = 1 ORDER BY seq DESC",
            [],
            |r| {
                let values: Option<String> = r.get(8)?;
                let values = values.and_then(|v| serde_json::from_str(&v).ok());
                Ok(crate::rows::row_into!(r => RefusedChange {
                    seq, change_id, what, field, reason, logged_at, kind, code;
                    values: values.unwrap_or_default(),
                }))
            },
        )
        .map_err(Into::into)
    }
}

/// Whether an error of the core is the change's refusal, the same on every computer (a rule
/// it breaks, a member it names that is gone, a constraint of the schema), rather than this
/// computer's failure (its disk, a lock), after which the change is tried again.
fn is_refusal(e: &CoreError) -> bool {
    match e {
        CoreError::Storage(rusqlite::Error::SqliteFailure(f, _)) => {
            f.code == rusqlite::ErrorCode::ConstraintViolation
        }
        CoreError::Storage(rusqlite::Error::QueryReturnedNoRows) => true,
        CoreError::Storage(_) | CoreError::Migration(_) | CoreError::Internal(_) => false,
        _ => true,
    }
}
