//! The PostgreSQL store, for several gateway instances behind a load balancer sharing one
//! database. Same rules as the SQLite store; where instances can race, the database decides:
//! idempotency keys by primary key, outbox rows by `FOR UPDATE SKIP LOCKED` leases, and the
//! event feed's order by a per-organization lock held until commit (so sequence numbers
//! become visible in order and a reader's cursor never skips a late-committing event).
//!
//! One file per domain, each implementing that domain's trait (`organizations.rs`,
//! `invitations.rs`, `events.rs`, `outbox.rs`, `accounts.rs`, `resets.rs`, `sessions.rs`,
//! `join.rs`, `team.rs`, `changes.rs`, `snapshots.rs`, `wakes.rs`: appends announced to the
//! other instances); this file holds the connection, the migrations and the helpers several
//! domains share.

use orgdesk_protocol::{AccountState, EventKind};
use sqlx::postgres::{PgArguments, PgPool, PgPoolOptions, PgRow};
use sqlx::query::Query;
// Only compile-time constants are spliced into SQL (the shared column list); every value is a
// bind parameter. `AssertSqlSafe` records that for sqlx.
use sqlx::{AssertSqlSafe, Postgres, Row, Transaction};

use crate::error::{GatewayError, Result};
use crate::secrets;
use crate::store::args::Arg;
use crate::store::columns::{read_member, ColumnValue, StoreRow};
use crate::store::rows::{self, KeyedOutcome, NewKey};
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
mod wakes;

/// Forward-only, compiled in; applied in order, each once, under an advisory lock so that
/// instances starting together do not race.
const MIGRATIONS: &[(i32, &str)] = &[
    (
        1,
        include_str!("../../../migrations/postgres/0001_initial.sql"),
    ),
    (
        3,
        include_str!("../../../migrations/postgres/0003_accounts.sql"),
    ),
    (
        4,
        include_str!("../../../migrations/postgres/0004_join.sql"),
    ),
    (
        5,
        include_str!("../../../migrations/postgres/0005_identity.sql"),
    ),
    (
        6,
        include_str!("../../../migrations/postgres/0006_outbox_owner.sql"),
    ),
    (
        8,
        include_str!("../../../migrations/postgres/0008_must_change_password.sql"),
    ),
    (
        9,
        include_str!("../../../migrations/postgres/0009_invitation_language.sql"),
    ),
    (
        10,
        include_str!("../../../migrations/postgres/0010_join_decision_mail.sql"),
    ),
    (
        11,
        include_str!("../../../migrations/postgres/0011_team.sql"),
    ),
    (
        12,
        include_str!("../../../migrations/postgres/0012_snapshots.sql"),
    ),
    (
        13,
        include_str!("../../../migrations/postgres/0013_device_order.sql"),
    ),
    (
        14,
        include_str!("../../../migrations/postgres/0014_event_readers.sql"),
    ),
];

/// Arbitrary constant naming the migration lock.
const MIGRATION_LOCK: i64 = 0x6f72_6764_6573_6b01;

impl From<sqlx::Error> for GatewayError {
    fn from(e: sqlx::Error) -> Self {
        Self::Storage(e.to_string())
    }
}

#[derive(Clone)]
pub struct PostgresStore {
    pool: PgPool,
}

impl PostgresStore {
    /// Connects (`postgres://user:pass@host:port/db`) and migrates.
    pub async fn connect(url: &str, max_connections: u32) -> Result<Self> {
        let pool = PgPoolOptions::new()
            .max_connections(max_connections)
            .connect(url)
            .await?;
        let store = Self { pool };
        store.migrate().await?;
        Ok(store)
    }

    async fn migrate(&self) -> Result<()> {
        let mut tx = self.pool.begin().await?;
        sqlx::query("SELECT pg_advisory_xact_lock($1)")
            .bind(MIGRATION_LOCK)
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "CREATE TABLE IF NOT EXISTS gateway_schema_migrations (
                version INTEGER PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())",
        )
        .execute(&mut *tx)
        .await?;
        let current: i32 =
            sqlx::query_scalar("SELECT COALESCE(MAX(version), 0) FROM gateway_schema_migrations")
                .fetch_one(&mut *tx)
                .await?;
        for (version, sql) in MIGRATIONS.iter().filter(|(v, _)| *v > current) {
            sqlx::raw_sql(*sql).execute(&mut *tx).await?;
            sqlx::query("INSERT INTO gateway_schema_migrations (version) VALUES ($1)")
                .bind(version)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(())
    }
}

/// A statement of [`sql`], its placeholders numbered as PostgreSQL takes them.
fn shared(sql: &str) -> AssertSqlSafe<String> {
    AssertSqlSafe(rows::postgres_sql(sql))
}

/// A statement of [`sql`] followed by what only PostgreSQL adds to it (a row lock, or what an
/// insert does on a conflict).
fn shared_with(sql: &str, clause: &str) -> AssertSqlSafe<String> {
    AssertSqlSafe(format!("{} {clause}", rows::postgres_sql(sql)))
}

/// A transaction on the shared database.
type Tx<'c> = Transaction<'c, Postgres>;

/// The row of `statement` (a [`sql`] statement taking `?1` the organization and `?2` an id),
/// locked for the rest of the transaction, if there is one.
async fn locked_row<T>(
    tx: &mut Tx<'_>,
    statement: &str,
    org_id: &str,
    id: &str,
) -> Result<Option<T>>
where
    T: for<'r> sqlx::FromRow<'r, PgRow> + Send + Unpin,
{
    Ok(sqlx::query_as(shared_with(statement, "FOR UPDATE"))
        .bind(org_id)
        .bind(id)
        .fetch_optional(&mut **tx)
        .await?)
}

/// `statement` (a [`sql`] statement, or PostgreSQL's own) with `args` bound in order to its
/// `?1`, `?2`, … (or `$1`, `$2`, …).
fn bound<'a>(statement: &str, args: &[Arg<'a>]) -> Query<'a, Postgres, PgArguments> {
    let mut query = sqlx::query(shared(statement));
    for arg in args {
        query = match *arg {
            Arg::Text(text) => query.bind(text),
            Arg::OptionalText(text) => query.bind(text),
            Arg::Int(n) => query.bind(n),
            Arg::OptionalInt(n) => query.bind(n),
            Arg::Flag(b) => query.bind(i32::from(b)),
            Arg::Bool(b) => query.bind(b),
            Arg::Bytes(bytes) => query.bind(bytes),
        };
    }
    query
}

/// Runs `statement` with `args` (see [`bound`]) on `executor`; answers how many rows it
/// changed.
async fn execute<'c, E>(executor: E, statement: &str, args: &[Arg<'_>]) -> Result<u64>
where
    E: sqlx::Executor<'c, Database = Postgres>,
{
    Ok(bound(statement, args)
        .execute(executor)
        .await?
        .rows_affected())
}

/// The first row `statement` with `args` (see [`bound`]) answers on `executor`, if any, as
/// its first two columns.
async fn optional_pair<'c, A, B, E>(
    executor: E,
    statement: &str,
    args: &[Arg<'_>],
) -> Result<Option<(A, B)>>
where
    A: ColumnValue,
    B: ColumnValue,
    E: sqlx::Executor<'c, Database = Postgres>,
{
    let row = bound(statement, args).fetch_optional(executor).await?;
    row.map(|row| Ok((row.value(0)?, row.value(1)?)))
        .transpose()
}

/// What an idempotency key already answered a request with digest `request_sha256`.
async fn seen_key<'c, O, E>(executor: E, request: KeyedRequest<'_>) -> Result<Option<O>>
where
    O: KeyedOutcome,
    E: sqlx::Executor<'c, Database = Postgres>,
{
    let row = sqlx::query(AssertSqlSafe(rows::postgres_sql(&O::seen_sql())))
        .bind(request.org_id)
        .bind(request.key)
        .fetch_optional(executor)
        .await?;
    let Some(row) = row else { return Ok(None) };
    let digest: Vec<u8> = row.try_get(0)?;
    Ok(Some(O::answer(
        &digest,
        request.request_sha256,
        row.try_get(1)?,
        row.try_get(2)?,
        row.try_get(3)?,
    )))
}

/// Records an idempotency key with what it created; false when another request holds the
/// key already (the database decides between racing instances).
async fn record_key<O: KeyedOutcome>(tx: &mut Tx<'_>, k: &NewKey<'_>, now: i64) -> Result<bool> {
    let sql = rows::postgres_sql(&O::insert_sql());
    let inserted = sqlx::query(AssertSqlSafe(format!(
        "{sql} ON CONFLICT (org_id, key) DO NOTHING"
    )))
    .bind(k.org_id)
    .bind(k.key)
    .bind(&k.request_sha256[..])
    .bind(k.id)
    .bind(k.sealed_token)
    .bind(k.expires_at)
    .bind(now)
    .execute(&mut **tx)
    .await?
    .rows_affected();
    Ok(inserted == 1)
}

impl PostgresStore {
    /// The first row `statement` with `args` (see [`bound`]) answers, read by `read`, if any.
    async fn optional_row<T>(
        &self,
        statement: &str,
        args: &[Arg<'_>],
        read: fn(&PgRow) -> Result<T>,
    ) -> Result<Option<T>> {
        let row = bound(statement, args).fetch_optional(&self.pool).await?;
        row.as_ref().map(read).transpose()
    }

    /// What a key another request recorded answers (read after this request rolled back).
    async fn answer_of_key<O: KeyedOutcome>(&self, k: &NewKey<'_>) -> Result<O> {
        seen_key(&self.pool, k.request())
            .await?
            .ok_or_else(|| GatewayError::Storage("an idempotency key vanished".into()))
    }
}

async fn insert_event(tx: &mut Tx<'_>, org_id: &str, kind: &EventKind, now: i64) -> Result<()> {
    let body = serde_json::to_string(kind).map_err(|e| GatewayError::Internal(e.to_string()))?;
    // Held until commit: events of one organization commit in sequence order.
    sqlx::query("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))")
        .bind(org_id)
        .execute(&mut **tx)
        .await?;
    sqlx::query(shared(sql::INSERT_EVENT))
        .bind(secrets::new_id("evt"))
        .bind(org_id)
        .bind(now)
        .bind(body)
        .execute(&mut **tx)
        .await?;
    wakes::announce(tx, crate::store::Feed::Events).await
}

fn state_from(s: &str) -> Result<AccountState> {
    parse_account_state(s).ok_or_else(|| GatewayError::Storage(format!("unknown state {s}")))
}

async fn member(
    tx: &mut Tx<'_>,
    org_id: &str,
    username_key: &str,
    lock: bool,
) -> Result<Option<Member>> {
    let lock = if lock { " FOR UPDATE OF a" } else { "" };
    let row = sqlx::query(AssertSqlSafe(format!(
        "SELECT {MEMBER_COLUMNS} FROM {MEMBER_FROM}
         WHERE a.org_id = $1 AND a.username_key = $2 AND a.state = 'enabled'{lock}"
    )))
    .bind(org_id)
    .bind(username_key)
    .fetch_optional(&mut **tx)
    .await?;
    row.as_ref().map(read_member).transpose()
}

/// Gives an enabled account a new password, ends its sessions (all but `keep_session`) and
/// appends `password_changed`. The username; `None` when the account is not enabled.
async fn set_password(
    tx: &mut Tx<'_>,
    (org_id, username_key): (&str, &str),
    password_hash: &str,
    keep_session: Option<[u8; 32]>,
    now: i64,
) -> Result<Option<String>> {
    let changed: Option<(String, String)> = sqlx::query_as(shared(sql::SET_PASSWORD))
        .bind(org_id)
        .bind(username_key)
        .bind(password_hash)
        .bind(now)
        .fetch_optional(&mut **tx)
        .await?;
    let Some((username, account_id)) = changed else {
        return Ok(None);
    };
    sqlx::query(
        "DELETE FROM member_sessions
         WHERE org_id = $1 AND username_key = $2 AND hash IS DISTINCT FROM $3",
    )
    .bind(org_id)
    .bind(username_key)
    .bind(keep_session.as_ref().map(|hash| &hash[..]))
    .execute(&mut **tx)
    .await?;
    let kind = EventKind::PasswordChanged {
        account_id: Some(account_id),
        username: username.clone(),
        password_hash: password_hash.to_owned(),
    };
    insert_event(tx, org_id, &kind, now).await?;
    Ok(Some(username))
}

/// Voids the account's unused reset links and drops their unsent messages.
async fn revoke_resets(
    tx: &mut Tx<'_>,
    org_id: &str,
    username_key: &str,
    outbox_state: &str,
    now: i64,
) -> Result<()> {
    let account = [org_id.into(), username_key.into()];
    execute(
        &mut **tx,
        sql::END_RESET_MESSAGES,
        &[account[0], account[1], outbox_state.into()],
    )
    .await?;
    execute(
        &mut **tx,
        sql::REVOKE_RESETS,
        &[account[0], account[1], now.into()],
    )
    .await?;
    Ok(())
}
