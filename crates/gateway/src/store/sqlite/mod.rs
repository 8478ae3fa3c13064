//! The SQLite store: one connection in WAL mode behind a mutex, used from blocking threads so
//! that the async server never waits on disk. A single writer is what SQLite wants anyway.
//!
//! One file per domain, each implementing that domain's trait (`organizations.rs`,
//! `invitations.rs`, `events.rs`, `outbox.rs`, `accounts.rs`, `resets.rs`, `sessions.rs`,
//! `join.rs`, `team.rs`, `changes.rs`); this file holds the connection, the migrations and the helpers several domains
//! share.

use orgdesk_protocol::{AccountState, EventKind};
use rusqlite::types::FromSql;
use rusqlite::{params, Connection, ErrorCode, OptionalExtension, Params, Row, Transaction};
use rusqlite_migration::{Migrations, M};
use std::path::Path;
use std::sync::{Arc, Mutex, MutexGuard};

use crate::error::{GatewayError, Result};
use crate::secrets;
use crate::store::columns::read_member;
use crate::store::rows::{KeyedOutcome, NewKey};
use crate::store::sql;
use crate::store::{parse_account_state, KeyedRequest, Member, MEMBER_COLUMNS, MEMBER_FROM};

mod accounts;
mod changes;
mod events;
mod health;
mod invitations;
mod join;
mod organizations;
mod outbox;
mod resets;
mod sessions;
mod snapshots;
mod team;
#[cfg(test)]
mod tests;
mod wakes;

/// Forward-only, compiled in; the index is the schema version.
const MIGRATIONS: &[M<'static>] = &[
    M::up(include_str!("../../../migrations/sqlite/0001_initial.sql")),
    M::up(include_str!("../../../migrations/sqlite/0003_accounts.sql")),
    M::up(include_str!("../../../migrations/sqlite/0004_join.sql")),
    M::up(include_str!("../../../migrations/sqlite/0005_identity.sql")),
    M::up(include_str!(
        "../../../migrations/sqlite/0006_outbox_owner.sql"
    )),
    M::up(include_str!(
        "../../../migrations/sqlite/0008_must_change_password.sql"
    )),
    M::up(include_str!(
        "../../../migrations/sqlite/0009_invitation_language.sql"
    )),
    M::up(include_str!(
        "../../../migrations/sqlite/0010_join_decision_mail.sql"
    )),
    M::up(include_str!("../../../migrations/sqlite/0011_team.sql")),
    M::up(include_str!(
        "../../../migrations/sqlite/0012_snapshots.sql"
    )),
    M::up(include_str!(
        "../../../migrations/sqlite/0014_event_readers.sql"
    )),
];

#[derive(Clone)]
pub struct SqliteStore {
    conn: Arc<Mutex<Connection>>,
}

impl SqliteStore {
    /// Opens (creating if needed) and migrates the database file.
    pub fn open(path: &Path) -> Result<Self> {
        if let Some(dir) = path.parent() {
            if !dir.as_os_str().is_empty() {
                std::fs::create_dir_all(dir)?;
            }
        }
        Self::init(Connection::open(path)?)
    }

    /// A private in-memory database, for tests.
    pub fn in_memory() -> Result<Self> {
        Self::init(Connection::open_in_memory()?)
    }

    fn init(mut conn: Connection) -> Result<Self> {
        // WAL lets readers of the file (backups, inspection) work beside the writer;
        // synchronous=NORMAL is durable across process crashes, which is what WAL needs.
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        Migrations::from_slice(MIGRATIONS).to_latest(&mut conn)?;
        Ok(Self {
            conn: Arc::new(Mutex::new(conn)),
        })
    }

    /// Runs `f` with the connection on a blocking thread.
    async fn with<T, F>(&self, f: F) -> Result<T>
    where
        T: Send + 'static,
        F: FnOnce(&mut Connection) -> Result<T> + Send + 'static,
    {
        let conn = Arc::clone(&self.conn);
        tokio::task::spawn_blocking(move || {
            let mut guard: MutexGuard<'_, Connection> = conn
                .lock()
                // A panic inside a transaction rolled it back; the connection is still sound.
                .unwrap_or_else(|poisoned| poisoned.into_inner());
            f(&mut guard)
        })
        .await?
    }

    /// The first row `sql` answers for `params`, read by `read`, if any.
    async fn optional_row<T: Send + 'static>(
        &self,
        sql: String,
        params: impl Params + Send + 'static,
        read: fn(&Row<'_>) -> rusqlite::Result<T>,
    ) -> Result<Option<T>> {
        self.with(move |c| Ok(c.query_row(&sql, params, read).optional()?))
            .await
    }

    /// Every row `sql` answers for `params`, read by `read`.
    async fn all_rows<T: Send + 'static>(
        &self,
        sql: &'static str,
        params: impl Params + Send + 'static,
        read: fn(&Row<'_>) -> rusqlite::Result<T>,
    ) -> Result<Vec<T>> {
        self.with(move |c| {
            let mut stmt = c.prepare_cached(sql)?;
            let rows = stmt.query_map(params, read)?;
            Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
        })
        .await
    }

    /// Runs `f` in a transaction of its own, on a blocking thread. `f` commits; a transaction
    /// it drops (an early return, an error) is rolled back.
    async fn in_transaction<T, F>(&self, f: F) -> Result<T>
    where
        T: Send + 'static,
        F: FnOnce(Transaction<'_>) -> Result<T> + Send + 'static,
    {
        self.with(move |c| f(c.transaction()?)).await
    }
}

/// What an idempotency key already answered a request with digest `request_sha256`.
fn seen_key<O: KeyedOutcome>(conn: &Connection, request: KeyedRequest<'_>) -> Result<Option<O>> {
    let seen: Option<([u8; 32], String, Vec<u8>, i64)> = conn
        .query_row(&O::seen_sql(), params![request.org_id, request.key], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
        })
        .optional()?;
    Ok(seen.map(|(digest, id, sealed_token, expires_at)| {
        O::answer(
            &digest,
            request.request_sha256,
            id,
            sealed_token,
            expires_at,
        )
    }))
}

impl SqliteStore {
    /// What an idempotency key already answered, read on its own.
    async fn seen<O: KeyedOutcome + Send + 'static>(
        &self,
        request: KeyedRequest<'_>,
    ) -> Result<Option<O>> {
        let (org_id, key) = (request.org_id.to_owned(), request.key.to_owned());
        let request_sha256 = request.request_sha256;
        self.with(move |c| {
            let request = KeyedRequest {
                org_id: &org_id,
                key: &key,
                request_sha256,
            };
            seen_key(c, request)
        })
        .await
    }
}

/// Records an idempotency key with what it created.
fn insert_key<O: KeyedOutcome>(tx: &Transaction<'_>, k: &NewKey<'_>, now: i64) -> Result<()> {
    tx.execute(
        &O::insert_sql(),
        params![
            k.org_id,
            k.key,
            k.request_sha256,
            k.id,
            k.sealed_token,
            k.expires_at,
            now
        ],
    )?;
    Ok(())
}

fn insert_event(tx: &Transaction<'_>, org_id: &str, kind: &EventKind, now: i64) -> Result<()> {
    let body = serde_json::to_string(kind).map_err(|e| GatewayError::Internal(e.to_string()))?;
    tx.execute(
        sql::INSERT_EVENT,
        params![secrets::new_id("evt"), org_id, now, body],
    )?;
    Ok(())
}

fn is_unique_violation(e: &rusqlite::Error) -> bool {
    matches!(e, rusqlite::Error::SqliteFailure(f, _) if f.code == ErrorCode::ConstraintViolation)
}

fn state_from(s: String, column: usize) -> rusqlite::Result<AccountState> {
    parse_account_state(&s).ok_or(rusqlite::Error::InvalidColumnType(
        column,
        s,
        rusqlite::types::Type::Text,
    ))
}

fn member(tx: &Transaction<'_>, org_id: &str, username_key: &str) -> Result<Option<Member>> {
    Ok(tx
        .query_row(
            &format!(
                "SELECT {MEMBER_COLUMNS} FROM {MEMBER_FROM}
                 WHERE a.org_id = ?1 AND a.username_key = ?2 AND a.state = 'enabled'"
            ),
            params![org_id, username_key],
            |r| read_member(r),
        )
        .optional()?)
}

/// The first row `sql` answers, if any, as its first two columns.
fn optional_pair<A: FromSql, B: FromSql>(
    c: &Connection,
    sql: &str,
    params: impl Params,
) -> Result<Option<(A, B)>> {
    Ok(c.query_row(sql, params, |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?)
}

/// Gives an enabled account a new password, ends its sessions (all but `keep_session`) and
/// appends `password_changed`. The username; `None` when the account is not enabled.
fn set_password(
    tx: &Transaction<'_>,
    (org_id, username_key): (&str, &str),
    password_hash: String,
    keep_session: Option<[u8; 32]>,
    now: i64,
) -> Result<Option<String>> {
    let changed: Option<(String, String)> = optional_pair(
        tx,
        sql::SET_PASSWORD,
        params![org_id, username_key, password_hash, now],
    )?;
    let Some((username, account_id)) = changed else {
        return Ok(None);
    };
    tx.execute(
        "DELETE FROM member_sessions
         WHERE org_id = ?1 AND username_key = ?2 AND hash IS NOT ?3",
        params![org_id, username_key, keep_session],
    )?;
    let kind = EventKind::PasswordChanged {
        account_id: Some(account_id),
        username: username.clone(),
        password_hash,
    };
    insert_event(tx, org_id, &kind, now)?;
    Ok(Some(username))
}

/// Voids the account's unused reset links and drops their unsent messages.
fn revoke_resets(
    tx: &Transaction<'_>,
    org_id: &str,
    username_key: &str,
    outbox_state: &str,
    now: i64,
) -> Result<()> {
    tx.execute(
        sql::END_RESET_MESSAGES,
        params![org_id, username_key, outbox_state],
    )?;
    tx.execute(sql::REVOKE_RESETS, params![org_id, username_key, now])?;
    Ok(())
}
