//! Sign-ins on PostgreSQL: candidates, failure counters and waits (under row locks),
//! sessions on the member's page, and the pruning of stale sessions and counters.

use async_trait::async_trait;
use orgdesk_protocol::EventKind;
use sqlx::{AssertSqlSafe, PgPool, Row};

use super::{insert_event, member, optional_pair, shared, Arg, PostgresStore, Tx};
use crate::error::Result;
use crate::store::columns::read_sign_in_candidate;
use crate::store::sql;
use crate::store::{
    plan_sign_in_charge, FailureRow, Member, NewSession, Pruned, SessionLookup, SessionStore,
    SignInAttempt, SignInCandidate, SignInCharge, StaleBefore,
};

/// Forgets the failures of the account that was opened and takes back the attempt counted
/// against the address and the other accounts.
async fn forgive(tx: &mut Tx<'_>, matched: &str, charged: &[String]) -> Result<()> {
    sqlx::query(shared(sql::FORGET_FAILURES))
        .bind(matched)
        .execute(&mut **tx)
        .await?;
    sqlx::query(
        "UPDATE sign_in_failures SET failures = GREATEST(failures - 1, 0), locked_until = NULL
         WHERE key = ANY($1)",
    )
    .bind(charged)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

#[async_trait]
impl SessionStore for PostgresStore {
    async fn sign_in_candidates(&self, username_key: &str) -> Result<Vec<SignInCandidate>> {
        let rows = sqlx::query(shared(sql::SIGN_IN_CANDIDATES))
            .bind(username_key)
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(read_sign_in_candidate).collect()
    }

    async fn charge_sign_in(&self, attempt: SignInAttempt<'_>, now: i64) -> Result<SignInCharge> {
        let (address, accounts) = (attempt.address, attempt.accounts);
        let mut tx = self.pool.begin().await?;
        // Lock every key's row (creating it if needed) in a fixed order, so that two
        // instances charging the same keys cannot deadlock. The no-op update takes the row
        // lock and reads the row in one statement, even if a sweep deletes it meanwhile.
        let mut sorted: Vec<&str> = std::iter::once(address.0)
            .chain(accounts.0.iter().map(String::as_str))
            .collect();
        sorted.sort_unstable();
        sorted.dedup();
        let mut rows = std::collections::HashMap::new();
        for key in sorted {
            let row = sqlx::query(
                "INSERT INTO sign_in_failures (key, failures, last_failure_at)
                 VALUES ($1, 0, $2)
                 ON CONFLICT (key) DO UPDATE SET key = EXCLUDED.key
                 RETURNING failures, last_failure_at, locked_until",
            )
            .bind(key)
            .bind(now)
            .fetch_one(&mut *tx)
            .await?;
            let failures: i32 = row.try_get(0)?;
            let stored: FailureRow = (
                u32::try_from(failures).unwrap_or(0),
                row.try_get(1)?,
                row.try_get(2)?,
            );
            rows.insert(key, stored);
        }
        let address_row = rows.get(address.0).copied();
        let account_rows: Vec<Option<FailureRow>> = accounts
            .0
            .iter()
            .map(|k| rows.get(k.as_str()).copied())
            .collect();
        let (charge, writes) =
            plan_sign_in_charge((address_row, address.1), (&account_rows, accounts.1), now);
        if writes.is_empty() {
            tx.rollback().await?;
            return Ok(charge);
        }
        for (index, failures, until) in writes {
            let key = if index == 0 {
                address.0
            } else {
                accounts.0[index - 1].as_str()
            };
            sqlx::query(
                "UPDATE sign_in_failures SET failures = $2, last_failure_at = $3, locked_until = $4
                 WHERE key = $1",
            )
            .bind(key)
            .bind(i32::try_from(failures).unwrap_or(i32::MAX))
            .bind(now)
            .bind(until)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(charge)
    }

    async fn forgive_sign_in(&self, matched: &str, charged: &[String]) -> Result<()> {
        let mut tx = self.pool.begin().await?;
        forgive(&mut tx, matched, charged).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn start_session(&self, session: NewSession<'_>, now: i64) -> Result<()> {
        let (org_id, username_key) = (session.org_id, session.username_key);
        let (session_hash, throttle) = (session.session_hash, session.throttle);
        let mut tx = self.pool.begin().await?;
        forgive(&mut tx, throttle.0, throttle.1).await?;
        let (username, account_id): (String, String) =
            sqlx::query_as(shared(sql::USERNAME_AND_ACCOUNT))
                .bind(org_id)
                .bind(username_key)
                .fetch_one(&mut *tx)
                .await?;
        sqlx::query(shared(sql::INSERT_SESSION))
            .bind(&session_hash[..])
            .bind(org_id)
            .bind(username_key)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        let kind = EventKind::SignedIn {
            account_id: Some(account_id),
            username,
        };
        insert_event(&mut tx, org_id, &kind, now).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn member_session(&self, lookup: SessionLookup, now: i64) -> Result<Option<Member>> {
        let mut tx = self.pool.begin().await?;
        let (hash, idle, max) = (lookup.hash, lookup.idle_secs, lookup.max_secs);
        let args = [Arg::from(&hash), now.into(), idle.into(), max.into()];
        let session: Option<(String, String)> =
            optional_pair(&mut *tx, sql::TOUCH_SESSION, &args).await?;
        let Some((org_id, username_key)) = session else {
            tx.rollback().await?;
            return Ok(None);
        };
        let found = member(&mut tx, &org_id, &username_key, false).await?;
        tx.commit().await?;
        Ok(found)
    }

    async fn end_session(&self, session_hash: [u8; 32]) -> Result<()> {
        sqlx::query(shared(sql::END_SESSION))
            .bind(&session_hash[..])
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    async fn prune_stale(&self, before: StaleBefore, now: i64, limit: u32) -> Result<Pruned> {
        // Each kind in its own statement (its own transaction), at most `limit` rows; SKIP
        // LOCKED leaves rows a sign-in or another instance holds to a later run.
        let limit = i64::from(limit);
        let prune = |table, key, stale, bounds| {
            delete_stale(&self.pool, (table, key, stale), bounds, limit)
        };
        Ok(Pruned {
            sessions: prune(
                "member_sessions",
                "hash",
                "last_seen_at < $1 OR created_at < $2",
                (before.session_seen, before.session_started),
            )
            .await?,
            sign_in_failures: prune(
                "sign_in_failures",
                "key",
                LOCK_LAPSED,
                (before.sign_in_failure, now),
            )
            .await?,
            code_failures: prune(
                "join_code_failures",
                "client",
                LOCK_LAPSED,
                (before.code_failure, now),
            )
            .await?,
            enrollment_codes: prune("enrollment_codes", "code_sha256", CODE_SPENT, (now, now))
                .await?,
        })
    }
}

/// A team enrollment code that can no longer be used: expired before `$1`, or used or voided
/// before `$2`.
const CODE_SPENT: &str = "expires_at < $1 OR COALESCE(used_at, voided_at) < $2";

/// A failure counter that is stale: its last failure before `$1`, and no wait running at `$2`.
const LOCK_LAPSED: &str = "last_failure_at < $1 AND (locked_until IS NULL OR locked_until <= $2)";

/// Deletes at most `limit` rows of `table` (keyed by `key`) that `stale` selects, `$1` and
/// `$2` bound to `bounds`; answers how many went.
async fn delete_stale(
    pool: &PgPool,
    (table, key, stale): (&str, &str, &str),
    bounds: (i64, i64),
    limit: i64,
) -> Result<u32> {
    let deleted = sqlx::query(AssertSqlSafe(format!(
        "DELETE FROM {table} WHERE {key} IN (
            SELECT {key} FROM {table} WHERE {stale} LIMIT $3 FOR UPDATE SKIP LOCKED)"
    )))
    .bind(bounds.0)
    .bind(bounds.1)
    .bind(limit)
    .execute(pool)
    .await?
    .rows_affected();
    Ok(u32::try_from(deleted).unwrap_or(u32::MAX))
}
