//! The PostgreSQL store, for several gateway instances behind a load balancer sharing one
//! database. Same rules as the SQLite store; where instances can race, the database decides:
//! idempotency keys by primary key, outbox rows by `FOR UPDATE SKIP LOCKED` leases, and the
//! event feed's order by a per-organization lock held until commit (so sequence numbers
//! become visible in order and a reader's cursor never skips a late-committing event).

use async_trait::async_trait;
use orgdesk_protocol::{Channel, Event, EventKind};
use sqlx::postgres::{PgPool, PgPoolOptions, PgRow};
// Only compile-time constants are spliced into SQL (the shared column list); every value is a
// bind parameter. `AssertSqlSafe` records that for sqlx.
use sqlx::{AssertSqlSafe, Postgres, Row, Transaction};

use super::{
    ConsumeOutcome, CreateOutcome, GatewayStore, Invitation, InvitationState, NewInvitation,
    NewLink, OutboxItem, TokenLookup,
};
use crate::error::{GatewayError, Result};
use crate::secrets;

mod accounts;
mod join;

/// Forward-only, compiled in; applied in order, each once, under an advisory lock so that
/// instances starting together do not race.
const MIGRATIONS: &[(i32, &str)] = &[
    (
        1,
        include_str!("../../migrations/postgres/0001_initial.sql"),
    ),
    (
        3,
        include_str!("../../migrations/postgres/0003_accounts.sql"),
    ),
    (4, include_str!("../../migrations/postgres/0004_join.sql")),
    (
        5,
        include_str!("../../migrations/postgres/0005_identity.sql"),
    ),
    (
        6,
        include_str!("../../migrations/postgres/0006_outbox_owner.sql"),
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

fn channel_str(c: Channel) -> &'static str {
    match c {
        Channel::Email => "email",
        Channel::Sms => "sms",
        Channel::Link => "link",
    }
}

fn hash32(bytes: Vec<u8>) -> Result<[u8; 32]> {
    bytes
        .try_into()
        .map_err(|_| GatewayError::Storage("a stored hash is not 32 bytes".into()))
}

const INVITATION_COLUMNS: &str = "i.id, i.org_id, i.channel, i.recipient, i.invitee_name, \
     i.organization_name, i.department_label, i.position_label, i.inviter_name, i.locale, \
     i.lifetime_secs, i.state, i.created_at";

fn invitation_from_row(row: &PgRow) -> Result<Invitation> {
    let channel: String = row.try_get("channel")?;
    let state: String = row.try_get("state")?;
    Ok(Invitation {
        id: row.try_get("id")?,
        org_id: row.try_get("org_id")?,
        channel: match channel.as_str() {
            "email" => Channel::Email,
            "sms" => Channel::Sms,
            "link" => Channel::Link,
            other => return Err(GatewayError::Storage(format!("unknown channel {other}"))),
        },
        recipient: row.try_get("recipient")?,
        invitee_name: row.try_get("invitee_name")?,
        organization_name: row.try_get("organization_name")?,
        department_label: row.try_get("department_label")?,
        position_label: row.try_get("position_label")?,
        inviter_name: row.try_get("inviter_name")?,
        locale: row.try_get("locale")?,
        lifetime_secs: row.try_get("lifetime_secs")?,
        state: InvitationState::parse(&state)
            .ok_or_else(|| GatewayError::Storage(format!("unknown state {state}")))?,
        created_at: row.try_get("created_at")?,
    })
}

async fn insert_event(
    tx: &mut Transaction<'_, Postgres>,
    org_id: &str,
    kind: &EventKind,
    now: i64,
) -> Result<()> {
    let body = serde_json::to_string(kind).map_err(|e| GatewayError::Internal(e.to_string()))?;
    // Held until commit: events of one organization commit in sequence order.
    sqlx::query("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))")
        .bind(org_id)
        .execute(&mut **tx)
        .await?;
    sqlx::query("INSERT INTO events (id, org_id, at, body) VALUES ($1, $2, $3, $4)")
        .bind(secrets::new_id("evt"))
        .bind(org_id)
        .bind(now)
        .bind(body)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

async fn enqueue(
    tx: &mut Transaction<'_, Postgres>,
    invitation_id: &str,
    sealed: &[u8],
    now: i64,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO outbox (invitation_id, sealed_token, next_attempt_at, created_at)
         VALUES ($1, $2, $3, $3)",
    )
    .bind(invitation_id)
    .bind(sealed)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Consumes the token (exactly one row) and moves the invitation from pending to `state`.
async fn consume(
    tx: &mut Transaction<'_, Postgres>,
    token_hash: [u8; 32],
    state: InvitationState,
    now: i64,
) -> Result<Option<(String, String)>> {
    let consumed = sqlx::query(
        "UPDATE invitation_tokens SET used_at = $2
         WHERE hash = $1 AND used_at IS NULL AND revoked_at IS NULL AND expires_at > $2",
    )
    .bind(&token_hash[..])
    .bind(now)
    .execute(&mut **tx)
    .await?
    .rows_affected();
    if consumed != 1 {
        return Ok(None);
    }
    let row = sqlx::query(
        "UPDATE invitations SET state = $2, finished_at = $3
         WHERE id = (SELECT invitation_id FROM invitation_tokens WHERE hash = $1)
           AND state = 'pending'
         RETURNING id, org_id",
    )
    .bind(&token_hash[..])
    .bind(state.as_str())
    .bind(now)
    .fetch_optional(&mut **tx)
    .await?;
    Ok(match row {
        Some(r) => Some((r.try_get(0)?, r.try_get(1)?)),
        None => None,
    })
}

/// The invitation's state, locked for the rest of the transaction.
async fn locked_state(
    tx: &mut Transaction<'_, Postgres>,
    org_id: &str,
    id: &str,
) -> Result<Option<String>> {
    Ok(
        sqlx::query_scalar(
            "SELECT state FROM invitations WHERE org_id = $1 AND id = $2 FOR UPDATE",
        )
        .bind(org_id)
        .bind(id)
        .fetch_optional(&mut **tx)
        .await?,
    )
}

#[async_trait]
impl GatewayStore for PostgresStore {
    async fn create_organization(
        &self,
        id: &str,
        name: &str,
        api_token_hash: [u8; 32],
        now: i64,
    ) -> Result<()> {
        sqlx::query(
            "INSERT INTO organizations (id, name, api_token_hash, created_at)
             VALUES ($1, $2, $3, $4)",
        )
        .bind(id)
        .bind(name)
        .bind(&api_token_hash[..])
        .bind(now)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    async fn set_api_token_hash(&self, org_id: &str, api_token_hash: [u8; 32]) -> Result<bool> {
        let n = sqlx::query("UPDATE organizations SET api_token_hash = $2 WHERE id = $1")
            .bind(org_id)
            .bind(&api_token_hash[..])
            .execute(&self.pool)
            .await?
            .rows_affected();
        Ok(n == 1)
    }

    async fn api_token_hash(&self, org_id: &str) -> Result<Option<[u8; 32]>> {
        let row: Option<Vec<u8>> =
            sqlx::query_scalar("SELECT api_token_hash FROM organizations WHERE id = $1")
                .bind(org_id)
                .fetch_optional(&self.pool)
                .await?;
        row.map(hash32).transpose()
    }

    async fn create_invitation(&self, new: NewInvitation, now: i64) -> Result<CreateOutcome> {
        let inv = &new.invitation;
        let mut tx = self.pool.begin().await?;
        sqlx::query(
            "INSERT INTO invitations (id, org_id, channel, recipient, invitee_name,
                organization_name, department_label, position_label, inviter_name, locale,
                lifetime_secs, state, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 'pending', $12)",
        )
        .bind(&inv.id)
        .bind(&inv.org_id)
        .bind(channel_str(inv.channel))
        .bind(&inv.recipient)
        .bind(&inv.invitee_name)
        .bind(&inv.organization_name)
        .bind(&inv.department_label)
        .bind(&inv.position_label)
        .bind(&inv.inviter_name)
        .bind(&inv.locale)
        .bind(inv.lifetime_secs)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        // The key decides: a concurrent retry waits here for the first transaction and then
        // finds its row, so only one of them creates the invitation.
        let claimed = sqlx::query(
            "INSERT INTO idempotency_keys (org_id, key, request_sha256, invitation_id,
                sealed_token, expires_at, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7)
             ON CONFLICT (org_id, key) DO NOTHING",
        )
        .bind(&inv.org_id)
        .bind(&new.idempotency_key)
        .bind(&new.request_sha256[..])
        .bind(&inv.id)
        .bind(&new.sealed_token)
        .bind(new.expires_at)
        .bind(now)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if claimed == 0 {
            tx.rollback().await?;
            return self
                .seen_key(&inv.org_id, &new.idempotency_key, new.request_sha256)
                .await?
                .ok_or_else(|| GatewayError::Storage("an idempotency key vanished".into()));
        }
        sqlx::query(
            "INSERT INTO invitation_tokens (hash, invitation_id, created_at, expires_at)
             VALUES ($1, $2, $3, $4)",
        )
        .bind(&new.token_hash[..])
        .bind(&inv.id)
        .bind(now)
        .bind(new.expires_at)
        .execute(&mut *tx)
        .await?;
        if new.enqueue {
            enqueue(&mut tx, &inv.id, &new.sealed_token, now).await?;
        }
        tx.commit().await?;
        Ok(CreateOutcome::Created)
    }

    async fn seen_key(
        &self,
        org_id: &str,
        key: &str,
        request_sha256: [u8; 32],
    ) -> Result<Option<CreateOutcome>> {
        let row = sqlx::query(
            "SELECT request_sha256, invitation_id, sealed_token, expires_at
             FROM idempotency_keys WHERE org_id = $1 AND key = $2",
        )
        .bind(org_id)
        .bind(key)
        .fetch_optional(&self.pool)
        .await?;
        let Some(row) = row else { return Ok(None) };
        let digest: Vec<u8> = row.try_get(0)?;
        Ok(Some(if digest[..] == request_sha256[..] {
            CreateOutcome::Replayed {
                invitation_id: row.try_get(1)?,
                sealed_token: row.try_get(2)?,
                expires_at: row.try_get(3)?,
            }
        } else {
            CreateOutcome::KeyReused
        }))
    }

    async fn invitation(&self, org_id: &str, id: &str) -> Result<Option<Invitation>> {
        let row = sqlx::query(AssertSqlSafe(format!(
            "SELECT {INVITATION_COLUMNS} FROM invitations i WHERE i.org_id = $1 AND i.id = $2"
        )))
        .bind(org_id)
        .bind(id)
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(invitation_from_row).transpose()
    }

    async fn resend_invitation(
        &self,
        org_id: &str,
        id: &str,
        link: NewLink,
        now: i64,
    ) -> Result<()> {
        let mut tx = self.pool.begin().await?;
        match locked_state(&mut tx, org_id, id).await?.as_deref() {
            None => return Err(GatewayError::NotFound),
            Some("pending") => {}
            Some(other) => return Err(GatewayError::InvitationClosed(other.to_owned())),
        }
        sqlx::query(
            "UPDATE invitation_tokens SET revoked_at = $2
             WHERE invitation_id = $1 AND revoked_at IS NULL",
        )
        .bind(id)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        sqlx::query(
            "UPDATE outbox SET state = 'superseded' WHERE invitation_id = $1 AND state = 'pending'",
        )
        .bind(id)
        .execute(&mut *tx)
        .await?;
        sqlx::query(
            "INSERT INTO invitation_tokens (hash, invitation_id, created_at, expires_at)
             VALUES ($1, $2, $3, $4)",
        )
        .bind(&link.token_hash[..])
        .bind(id)
        .bind(now)
        .bind(link.expires_at)
        .execute(&mut *tx)
        .await?;
        if link.enqueue {
            enqueue(&mut tx, id, &link.sealed_token, now).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    async fn cancel_invitation(&self, org_id: &str, id: &str, now: i64) -> Result<()> {
        let mut tx = self.pool.begin().await?;
        match locked_state(&mut tx, org_id, id).await?.as_deref() {
            None => return Err(GatewayError::NotFound),
            Some("cancelled") => return Ok(()),
            Some("pending") => {}
            Some(other) => return Err(GatewayError::InvitationClosed(other.to_owned())),
        }
        sqlx::query("UPDATE invitations SET state = 'cancelled', finished_at = $2 WHERE id = $1")
            .bind(id)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "UPDATE invitation_tokens SET revoked_at = $2
             WHERE invitation_id = $1 AND revoked_at IS NULL",
        )
        .bind(id)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        sqlx::query(
            "UPDATE outbox SET state = 'cancelled' WHERE invitation_id = $1 AND state = 'pending'",
        )
        .bind(id)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn lookup_token(&self, token_hash: [u8; 32]) -> Result<Option<TokenLookup>> {
        let row = sqlx::query(AssertSqlSafe(format!(
            "SELECT {INVITATION_COLUMNS}, t.expires_at AS token_expires_at,
                    t.revoked_at IS NOT NULL AS revoked, t.used_at IS NOT NULL AS used
             FROM invitation_tokens t JOIN invitations i ON i.id = t.invitation_id
             WHERE t.hash = $1"
        )))
        .bind(&token_hash[..])
        .fetch_optional(&self.pool)
        .await?;
        let Some(row) = row else { return Ok(None) };
        Ok(Some(TokenLookup {
            invitation: invitation_from_row(&row)?,
            expires_at: row.try_get("token_expires_at")?,
            revoked: row.try_get("revoked")?,
            used: row.try_get("used")?,
        }))
    }

    async fn mark_opened(&self, invitation_id: &str, now: i64) -> Result<bool> {
        let mut tx = self.pool.begin().await?;
        let org: Option<String> = sqlx::query_scalar(
            "UPDATE invitations SET opened_at = $2 WHERE id = $1 AND opened_at IS NULL
             RETURNING org_id",
        )
        .bind(invitation_id)
        .bind(now)
        .fetch_optional(&mut *tx)
        .await?;
        let Some(org) = org else { return Ok(false) };
        let kind = EventKind::InvitationOpened {
            invitation_id: invitation_id.to_owned(),
        };
        insert_event(&mut tx, &org, &kind, now).await?;
        tx.commit().await?;
        Ok(true)
    }

    async fn register(
        &self,
        token_hash: [u8; 32],
        username: &str,
        password_hash: &str,
        now: i64,
    ) -> Result<ConsumeOutcome> {
        let mut tx = self.pool.begin().await?;
        let Some((invitation_id, org_id)) =
            consume(&mut tx, token_hash, InvitationState::Registered, now).await?
        else {
            return Ok(ConsumeOutcome::NotUsable);
        };
        let account_id = secrets::new_account_id();
        let inserted = sqlx::query(
            "INSERT INTO accounts (org_id, username_key, username, password_hash,
                invitation_id, created_at, account_id)
             VALUES ($1, $2, $3, $4, $5, $6, $7)
             ON CONFLICT (org_id, username_key) DO NOTHING",
        )
        .bind(&org_id)
        .bind(username.to_lowercase())
        .bind(username)
        .bind(password_hash)
        .bind(&invitation_id)
        .bind(now)
        .bind(&account_id)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if inserted == 0 {
            // Rolling back leaves the token unused for another try.
            tx.rollback().await?;
            return Ok(ConsumeOutcome::UsernameTaken);
        }
        let kind = EventKind::Registered {
            invitation_id: invitation_id.clone(),
            account_id: Some(account_id),
            username: username.to_owned(),
            password_hash: password_hash.to_owned(),
        };
        insert_event(&mut tx, &org_id, &kind, now).await?;
        tx.commit().await?;
        Ok(ConsumeOutcome::Done { invitation_id })
    }

    async fn accept_with_account(
        &self,
        token_hash: [u8; 32],
        username_key: &str,
        password_hash: &str,
        now: i64,
    ) -> Result<ConsumeOutcome> {
        let mut tx = self.pool.begin().await?;
        let Some((invitation_id, org_id)) =
            consume(&mut tx, token_hash, InvitationState::Registered, now).await?
        else {
            return Ok(ConsumeOutcome::NotUsable);
        };
        // FOR SHARE: a concurrent disable or password change waits for this transaction.
        let row = sqlx::query(
            "SELECT username, account_id FROM accounts
             WHERE org_id = $1 AND username_key = $2 AND state = 'enabled'
               AND password_hash = $3 AND password_hash <> ''
             FOR SHARE",
        )
        .bind(&org_id)
        .bind(username_key)
        .bind(password_hash)
        .fetch_optional(&mut *tx)
        .await?;
        let Some(row) = row else {
            // Rolling back leaves the token unused.
            tx.rollback().await?;
            return Ok(ConsumeOutcome::AccountUnavailable);
        };
        let kind = EventKind::Registered {
            invitation_id: invitation_id.clone(),
            account_id: Some(row.try_get(1)?),
            username: row.try_get(0)?,
            password_hash: password_hash.to_owned(),
        };
        insert_event(&mut tx, &org_id, &kind, now).await?;
        tx.commit().await?;
        Ok(ConsumeOutcome::Done { invitation_id })
    }

    async fn decline(&self, token_hash: [u8; 32], now: i64) -> Result<ConsumeOutcome> {
        let mut tx = self.pool.begin().await?;
        let Some((invitation_id, org_id)) =
            consume(&mut tx, token_hash, InvitationState::Declined, now).await?
        else {
            return Ok(ConsumeOutcome::NotUsable);
        };
        let kind = EventKind::Declined {
            invitation_id: invitation_id.clone(),
        };
        insert_event(&mut tx, &org_id, &kind, now).await?;
        tx.commit().await?;
        Ok(ConsumeOutcome::Done { invitation_id })
    }

    async fn events_after(&self, org_id: &str, after: i64, limit: u32) -> Result<Vec<Event>> {
        let rows = sqlx::query(
            "SELECT seq, id, at, body FROM events
             WHERE org_id = $1 AND seq > $2 ORDER BY seq LIMIT $3",
        )
        .bind(org_id)
        .bind(after)
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                let seq: i64 = r.try_get(0)?;
                let body: String = r.try_get(3)?;
                let kind: EventKind = serde_json::from_str(&body)
                    .map_err(|e| GatewayError::Storage(format!("event {seq}: {e}")))?;
                Ok(Event {
                    seq,
                    id: r.try_get(1)?,
                    at: r.try_get(2)?,
                    kind,
                })
            })
            .collect()
    }

    async fn ack_events(&self, org_id: &str, up_to: i64) -> Result<u64> {
        Ok(
            sqlx::query("DELETE FROM events WHERE org_id = $1 AND seq <= $2")
                .bind(org_id)
                .bind(up_to)
                .execute(&self.pool)
                .await?
                .rows_affected(),
        )
    }

    async fn append_event(&self, org_id: &str, kind: EventKind, now: i64) -> Result<()> {
        let mut tx = self.pool.begin().await?;
        insert_event(&mut tx, org_id, &kind, now).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn claim_due_message(
        &self,
        now: i64,
        lease_secs: i64,
        owner: &str,
    ) -> Result<Option<OutboxItem>> {
        let mut tx = self.pool.begin().await?;
        // SKIP LOCKED: instances claiming at the same moment take different rows.
        let claimed = sqlx::query(
            "WITH due AS (
                SELECT o.id, o.lease_owner FROM outbox o JOIN invitations i ON i.id = o.invitation_id
                WHERE o.state = 'pending' AND i.state = 'pending' AND o.next_attempt_at <= $1
                  AND (o.lease_until IS NULL OR o.lease_until <= $1)
                ORDER BY o.next_attempt_at, o.id LIMIT 1
                FOR UPDATE OF o SKIP LOCKED)
             UPDATE outbox SET lease_until = $2, lease_owner = $3, attempts = outbox.attempts + 1
             FROM due WHERE outbox.id = due.id
             RETURNING outbox.id, outbox.attempts - 1 AS attempts, outbox.sealed_token,
                outbox.invitation_id, due.lease_owner IS NOT NULL AS resumed",
        )
        .bind(now)
        .bind(now + lease_secs)
        .bind(owner)
        .fetch_optional(&mut *tx)
        .await?;
        let Some(claimed) = claimed else {
            tx.commit().await?;
            return Ok(None);
        };
        let invitation_id: String = claimed.try_get("invitation_id")?;
        let row = sqlx::query(AssertSqlSafe(format!(
            "SELECT {INVITATION_COLUMNS}, t.expires_at AS token_expires_at
             FROM invitations i JOIN invitation_tokens t
                  ON t.invitation_id = i.id AND t.revoked_at IS NULL
             WHERE i.id = $1 ORDER BY t.created_at DESC LIMIT 1"
        )))
        .bind(&invitation_id)
        .fetch_one(&mut *tx)
        .await?;
        let attempts: i32 = claimed.try_get("attempts")?;
        let item = OutboxItem {
            id: claimed.try_get("id")?,
            attempts: u32::try_from(attempts).unwrap_or(0),
            sealed_token: claimed.try_get("sealed_token")?,
            expires_at: row.try_get("token_expires_at")?,
            invitation: invitation_from_row(&row)?,
            resumed: claimed.try_get("resumed")?,
        };
        tx.commit().await?;
        Ok(Some(item))
    }

    async fn renew_lease(&self, outbox_id: i64, owner: &str, until: i64) -> Result<bool> {
        let renewed = sqlx::query(
            "UPDATE outbox SET lease_until = $3
             WHERE id = $1 AND lease_owner = $2 AND state = 'pending'",
        )
        .bind(outbox_id)
        .bind(owner)
        .bind(until)
        .execute(&self.pool)
        .await?
        .rows_affected();
        Ok(renewed == 1)
    }

    async fn message_sent(&self, outbox_id: i64, message_id: &str, now: i64) -> Result<()> {
        let mut tx = self.pool.begin().await?;
        let row = sqlx::query(
            "UPDATE outbox SET state = 'sent', sent_at = $2, message_id = $3, lease_until = NULL,
                        lease_owner = NULL
             WHERE id = $1 AND state = 'pending'
             RETURNING invitation_id,
                (SELECT org_id FROM invitations WHERE id = outbox.invitation_id) AS org_id",
        )
        .bind(outbox_id)
        .bind(now)
        .bind(message_id)
        .fetch_optional(&mut *tx)
        .await?;
        if let Some(row) = row {
            let org_id: String = row.try_get("org_id")?;
            let kind = EventKind::InvitationDelivered {
                invitation_id: row.try_get("invitation_id")?,
                message_id: message_id.to_owned(),
            };
            insert_event(&mut tx, &org_id, &kind, now).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    async fn message_failed(
        &self,
        outbox_id: i64,
        error: &str,
        retry_at: Option<i64>,
        now: i64,
    ) -> Result<()> {
        let mut tx = self.pool.begin().await?;
        match retry_at {
            Some(at) => {
                sqlx::query(
                    "UPDATE outbox SET next_attempt_at = $2, last_error = $3, lease_until = NULL,
                        lease_owner = NULL
                     WHERE id = $1 AND state = 'pending'",
                )
                .bind(outbox_id)
                .bind(at)
                .bind(error)
                .execute(&mut *tx)
                .await?;
            }
            None => {
                let row = sqlx::query(
                    "UPDATE outbox SET state = 'failed', last_error = $2, lease_until = NULL,
                        lease_owner = NULL
                     WHERE id = $1 AND state = 'pending'
                     RETURNING invitation_id,
                        (SELECT org_id FROM invitations WHERE id = outbox.invitation_id) AS org_id",
                )
                .bind(outbox_id)
                .bind(error)
                .fetch_optional(&mut *tx)
                .await?;
                if let Some(row) = row {
                    let org_id: String = row.try_get("org_id")?;
                    let kind = EventKind::InvitationFailed {
                        invitation_id: row.try_get("invitation_id")?,
                        reason: error.to_owned(),
                    };
                    insert_event(&mut tx, &org_id, &kind, now).await?;
                }
            }
        }
        tx.commit().await?;
        Ok(())
    }
}
