//! Sign-ins on SQLite: candidates, failure counters and waits, sessions on the member's page,
//! and the pruning of stale sessions and counters.

use async_trait::async_trait;
use orgdesk_protocol::EventKind;
use rusqlite::{params, Connection, OptionalExtension, Transaction};

use super::{insert_event, member, optional_pair, SqliteStore};
use crate::error::Result;
use crate::store::columns::read_sign_in_candidate;
use crate::store::sql;
use crate::store::{
    plan_sign_in_charge, FailureRow, Member, NewSession, Pruned, SessionLookup, SessionStore,
    SignInAttempt, SignInCandidate, SignInCharge, StaleBefore,
};

/// Forgets the failures of the account that was opened and takes back the attempt counted
/// against the address and the other accounts.
fn forgive(tx: &Transaction<'_>, matched: &str, charged: &[String]) -> Result<()> {
    tx.execute(sql::FORGET_FAILURES, [matched])?;
    for key in charged {
        tx.execute(
            "UPDATE sign_in_failures SET failures = MAX(failures - 1, 0), locked_until = NULL
             WHERE key = ?1",
            [key],
        )?;
    }
    Ok(())
}

#[async_trait]
impl SessionStore for SqliteStore {
    async fn sign_in_candidates(&self, username_key: &str) -> Result<Vec<SignInCandidate>> {
        let args = [username_key.to_owned()];
        self.all_rows(sql::SIGN_IN_CANDIDATES, args, |r| read_sign_in_candidate(r))
            .await
    }

    async fn charge_sign_in(&self, attempt: SignInAttempt<'_>, now: i64) -> Result<SignInCharge> {
        let (address, accounts) = (attempt.address, attempt.accounts);
        let (address_key, address_policy) = (address.0.to_owned(), address.1);
        let (account_keys, account_policy) = (accounts.0.to_vec(), accounts.1);
        self.in_transaction(move |tx| {
            let read = |key: &str| -> Result<Option<FailureRow>> {
                Ok(tx
                    .query_row(
                        "SELECT failures, last_failure_at, locked_until
                         FROM sign_in_failures WHERE key = ?1",
                        [key],
                        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
                    )
                    .optional()?)
            };
            let address_row = read(&address_key)?;
            let rows = account_keys
                .iter()
                .map(|k| read(k))
                .collect::<Result<Vec<_>>>()?;
            let (charge, writes) =
                plan_sign_in_charge((address_row, address_policy), (&rows, account_policy), now);
            for (index, failures, until) in writes {
                let key = if index == 0 {
                    &address_key
                } else {
                    &account_keys[index - 1]
                };
                tx.execute(
                    "INSERT INTO sign_in_failures (key, failures, last_failure_at, locked_until)
                     VALUES (?1, ?2, ?3, ?4)
                     ON CONFLICT (key) DO UPDATE
                     SET failures = ?2, last_failure_at = ?3, locked_until = ?4",
                    params![key, failures, now, until],
                )?;
            }
            tx.commit()?;
            Ok(charge)
        })
        .await
    }

    async fn forgive_sign_in(&self, matched: &str, charged: &[String]) -> Result<()> {
        let (matched, charged) = (matched.to_owned(), charged.to_vec());
        self.in_transaction(move |tx| {
            forgive(&tx, &matched, &charged)?;
            tx.commit()?;
            Ok(())
        })
        .await
    }

    async fn start_session(&self, session: NewSession<'_>, now: i64) -> Result<()> {
        let (org_id, username_key) = (session.org_id, session.username_key);
        let (session_hash, throttle) = (session.session_hash, session.throttle);
        let (org_id, username_key) = (org_id.to_owned(), username_key.to_owned());
        let (matched, charged) = (throttle.0.to_owned(), throttle.1.to_vec());
        self.in_transaction(move |tx| {
            forgive(&tx, &matched, &charged)?;
            let (username, account_id): (String, String) = tx.query_row(
                sql::USERNAME_AND_ACCOUNT,
                params![org_id, username_key],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )?;
            tx.execute(
                sql::INSERT_SESSION,
                params![session_hash, org_id, username_key, now],
            )?;
            insert_event(
                &tx,
                &org_id,
                &EventKind::SignedIn {
                    account_id: Some(account_id),
                    username,
                },
                now,
            )?;
            tx.commit()?;
            Ok(())
        })
        .await
    }

    async fn member_session(&self, lookup: SessionLookup, now: i64) -> Result<Option<Member>> {
        let (hash, idle, max) = (lookup.hash, lookup.idle_secs, lookup.max_secs);
        self.in_transaction(move |tx| {
            let session: Option<(String, String)> =
                optional_pair(&tx, sql::TOUCH_SESSION, params![hash, now, idle, max])?;
            let Some((org_id, username_key)) = session else {
                return Ok(None);
            };
            let found = member(&tx, &org_id, &username_key)?;
            tx.commit()?;
            Ok(found)
        })
        .await
    }

    async fn end_session(&self, session_hash: [u8; 32]) -> Result<()> {
        self.with(move |c| {
            c.execute(sql::END_SESSION, [session_hash])?;
            Ok(())
        })
        .await
    }

    async fn prune_stale(&self, before: StaleBefore, now: i64, limit: u32) -> Result<Pruned> {
        self.with(move |c| {
            // Each kind in its own short transaction, at most `limit` rows: the one writer is
            // never held for long.
            let mut prune =
                |table, key, stale, bounds| delete_stale(c, (table, key, stale), bounds, limit);
            Ok(Pruned {
                sessions: prune(
                    "member_sessions",
                    "hash",
                    "last_seen_at < ?1 OR created_at < ?2",
                    (before.session_seen, before.session_started),
                )?,
                sign_in_failures: prune(
                    "sign_in_failures",
                    "key",
                    LOCK_LAPSED,
                    (before.sign_in_failure, now),
                )?,
                code_failures: prune(
                    "join_code_failures",
                    "client",
                    LOCK_LAPSED,
                    (before.code_failure, now),
                )?,
                enrollment_codes: prune("enrollment_codes", "code_sha256", CODE_SPENT, (now, now))?,
            })
        })
        .await
    }
}

/// A team enrollment code that can no longer be used: expired before `?1`, or used or voided
/// before `?2`.
const CODE_SPENT: &str = "expires_at < ?1 OR COALESCE(used_at, voided_at) < ?2";

/// A failure counter that is stale: its last failure before `?1`, and no wait running at `?2`.
const LOCK_LAPSED: &str = "last_failure_at < ?1 AND (locked_until IS NULL OR locked_until <= ?2)";

/// Deletes at most `limit` rows of `table` (keyed by `key`) that `stale` selects, `?1` and
/// `?2` bound to `bounds`; answers how many went.
fn delete_stale(
    c: &mut Connection,
    (table, key, stale): (&str, &str, &str),
    bounds: (i64, i64),
    limit: u32,
) -> Result<u32> {
    let deleted = c.execute(
        &format!(
            "DELETE FROM {table} WHERE {key} IN (SELECT {key} FROM {table} WHERE {stale} LIMIT ?3)"
        ),
        params![bounds.0, bounds.1, limit],
    )?;
    Ok(u32::try_from(deleted).unwrap_or(u32::MAX))
}
