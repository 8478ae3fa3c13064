//! The SQLite store: one connection in WAL mode behind a mutex, used from blocking threads so
//! that the async server never waits on disk. A single writer is what SQLite wants anyway.

use std::path::Path;
use std::sync::{Arc, Mutex, MutexGuard};

use async_trait::async_trait;
use orgdesk_protocol::{Channel, Event, EventKind};
use rusqlite::{params, Connection, ErrorCode, OptionalExtension, Row, Transaction};
use rusqlite_migration::{Migrations, M};

use super::{
    ConsumeOutcome, CreateOutcome, GatewayStore, Invitation, InvitationState, NewInvitation,
    NewLink, OutboxItem, TokenLookup,
};
use crate::error::{GatewayError, Result};
use crate::secrets;

mod accounts;
mod join;

/// Forward-only, compiled in; the index is the schema version.
const MIGRATIONS: &[M<'static>] = &[
    M::up(include_str!("../../migrations/sqlite/0001_initial.sql")),
    M::up(include_str!("../../migrations/sqlite/0003_accounts.sql")),
    M::up(include_str!("../../migrations/sqlite/0004_join.sql")),
    M::up(include_str!("../../migrations/sqlite/0005_identity.sql")),
    M::up(include_str!(
        "../../migrations/sqlite/0006_outbox_owner.sql"
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
}

fn channel_str(c: Channel) -> &'static str {
    match c {
        Channel::Email => "email",
        Channel::Sms => "sms",
        Channel::Link => "link",
    }
}

fn parse_channel(s: &str) -> rusqlite::Result<Channel> {
    match s {
        "email" => Ok(Channel::Email),
        "sms" => Ok(Channel::Sms),
        "link" => Ok(Channel::Link),
        other => Err(rusqlite::Error::InvalidColumnType(
            0,
            format!("channel {other}"),
            rusqlite::types::Type::Text,
        )),
    }
}

const INVITATION_COLUMNS: &str = "i.id, i.org_id, i.channel, i.recipient, i.invitee_name, \
     i.organization_name, i.department_label, i.position_label, i.inviter_name, i.locale, \
     i.lifetime_secs, i.state, i.created_at";

/// Reads the columns of [`INVITATION_COLUMNS`] starting at `at`.
fn invitation_from_row(row: &Row<'_>, at: usize) -> rusqlite::Result<Invitation> {
    let state: String = row.get(at + 11)?;
    Ok(Invitation {
        id: row.get(at)?,
        org_id: row.get(at + 1)?,
        channel: parse_channel(&row.get::<_, String>(at + 2)?)?,
        recipient: row.get(at + 3)?,
        invitee_name: row.get(at + 4)?,
        organization_name: row.get(at + 5)?,
        department_label: row.get(at + 6)?,
        position_label: row.get(at + 7)?,
        inviter_name: row.get(at + 8)?,
        locale: row.get(at + 9)?,
        lifetime_secs: row.get(at + 10)?,
        state: InvitationState::parse(&state).ok_or_else(|| {
            rusqlite::Error::InvalidColumnType(at + 11, state, rusqlite::types::Type::Text)
        })?,
        created_at: row.get(at + 12)?,
    })
}

fn insert_event(tx: &Transaction<'_>, org_id: &str, kind: &EventKind, now: i64) -> Result<()> {
    let body = serde_json::to_string(kind).map_err(|e| GatewayError::Internal(e.to_string()))?;
    tx.execute(
        "INSERT INTO events (id, org_id, at, body) VALUES (?1, ?2, ?3, ?4)",
        params![secrets::new_id("evt"), org_id, now, body],
    )?;
    Ok(())
}

fn enqueue(tx: &Transaction<'_>, invitation_id: &str, sealed: &[u8], now: i64) -> Result<()> {
    tx.execute(
        "INSERT INTO outbox (invitation_id, sealed_token, next_attempt_at, created_at)
         VALUES (?1, ?2, ?3, ?3)",
        params![invitation_id, sealed, now],
    )?;
    Ok(())
}

fn is_unique_violation(e: &rusqlite::Error) -> bool {
    matches!(e, rusqlite::Error::SqliteFailure(f, _) if f.code == ErrorCode::ConstraintViolation)
}

/// The shared first step of register and decline: consume the token (exactly one row) and
/// move the invitation from pending to `state`. Returns the invitation, or `None` when the
/// token was not usable.
fn consume(
    tx: &Transaction<'_>,
    token_hash: [u8; 32],
    state: InvitationState,
    now: i64,
) -> Result<Option<(String, String)>> {
    let consumed = tx.execute(
        "UPDATE invitation_tokens SET used_at = ?2
         WHERE hash = ?1 AND used_at IS NULL AND revoked_at IS NULL AND expires_at > ?2",
        params![token_hash, now],
    )?;
    if consumed != 1 {
        return Ok(None);
    }
    let row: Option<(String, String)> = tx
        .query_row(
            "UPDATE invitations SET state = ?2, finished_at = ?3
             WHERE id = (SELECT invitation_id FROM invitation_tokens WHERE hash = ?1)
               AND state = 'pending'
             RETURNING id, org_id",
            params![token_hash, state.as_str(), now],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    Ok(row)
}

#[async_trait]
impl GatewayStore for SqliteStore {
    async fn create_organization(
        &self,
        id: &str,
        name: &str,
        api_token_hash: [u8; 32],
        now: i64,
    ) -> Result<()> {
        let (id, name) = (id.to_owned(), name.to_owned());
        self.with(move |c| {
            c.execute(
                "INSERT INTO organizations (id, name, api_token_hash, created_at)
                 VALUES (?1, ?2, ?3, ?4)",
                params![id, name, api_token_hash, now],
            )?;
            Ok(())
        })
        .await
    }

    async fn set_api_token_hash(&self, org_id: &str, api_token_hash: [u8; 32]) -> Result<bool> {
        let org_id = org_id.to_owned();
        self.with(move |c| {
            Ok(c.execute(
                "UPDATE organizations SET api_token_hash = ?2 WHERE id = ?1",
                params![org_id, api_token_hash],
            )? == 1)
        })
        .await
    }

    async fn api_token_hash(&self, org_id: &str) -> Result<Option<[u8; 32]>> {
        let org_id = org_id.to_owned();
        self.with(move |c| {
            Ok(c.query_row(
                "SELECT api_token_hash FROM organizations WHERE id = ?1",
                [org_id],
                |r| r.get::<_, [u8; 32]>(0),
            )
            .optional()?)
        })
        .await
    }

    async fn create_invitation(&self, new: NewInvitation, now: i64) -> Result<CreateOutcome> {
        self.with(move |c| {
            let tx = c.transaction()?;
            let inv = &new.invitation;
            // The key is checked first and inserted in the same transaction as the
            // invitation, so two racing retries cannot both create one.
            let seen: Option<([u8; 32], String, Vec<u8>, i64)> = tx
                .query_row(
                    "SELECT request_sha256, invitation_id, sealed_token, expires_at
                     FROM idempotency_keys WHERE org_id = ?1 AND key = ?2",
                    params![inv.org_id, new.idempotency_key],
                    |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
                )
                .optional()?;
            if let Some((digest, invitation_id, sealed_token, expires_at)) = seen {
                return Ok(if digest == new.request_sha256 {
                    CreateOutcome::Replayed {
                        invitation_id,
                        sealed_token,
                        expires_at,
                    }
                } else {
                    CreateOutcome::KeyReused
                });
            }
            tx.execute(
                "INSERT INTO invitations (id, org_id, channel, recipient, invitee_name,
                    organization_name, department_label, position_label, inviter_name, locale,
                    lifetime_secs, state, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, 'pending', ?12)",
                params![
                    inv.id,
                    inv.org_id,
                    channel_str(inv.channel),
                    inv.recipient,
                    inv.invitee_name,
                    inv.organization_name,
                    inv.department_label,
                    inv.position_label,
                    inv.inviter_name,
                    inv.locale,
                    inv.lifetime_secs,
                    now
                ],
            )?;
            tx.execute(
                "INSERT INTO invitation_tokens (hash, invitation_id, created_at, expires_at)
                 VALUES (?1, ?2, ?3, ?4)",
                params![new.token_hash, inv.id, now, new.expires_at],
            )?;
            tx.execute(
                "INSERT INTO idempotency_keys (org_id, key, request_sha256, invitation_id,
                    sealed_token, expires_at, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                params![
                    inv.org_id,
                    new.idempotency_key,
                    new.request_sha256,
                    inv.id,
                    new.sealed_token,
                    new.expires_at,
                    now
                ],
            )?;
            if new.enqueue {
                enqueue(&tx, &inv.id, &new.sealed_token, now)?;
            }
            tx.commit()?;
            Ok(CreateOutcome::Created)
        })
        .await
    }

    async fn seen_key(
        &self,
        org_id: &str,
        key: &str,
        request_sha256: [u8; 32],
    ) -> Result<Option<CreateOutcome>> {
        let (org_id, key) = (org_id.to_owned(), key.to_owned());
        self.with(move |c| {
            let seen: Option<([u8; 32], String, Vec<u8>, i64)> = c
                .query_row(
                    "SELECT request_sha256, invitation_id, sealed_token, expires_at
                     FROM idempotency_keys WHERE org_id = ?1 AND key = ?2",
                    params![org_id, key],
                    |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
                )
                .optional()?;
            Ok(
                seen.map(|(digest, invitation_id, sealed_token, expires_at)| {
                    if digest == request_sha256 {
                        CreateOutcome::Replayed {
                            invitation_id,
                            sealed_token,
                            expires_at,
                        }
                    } else {
                        CreateOutcome::KeyReused
                    }
                }),
            )
        })
        .await
    }

    async fn invitation(&self, org_id: &str, id: &str) -> Result<Option<Invitation>> {
        let (org_id, id) = (org_id.to_owned(), id.to_owned());
        self.with(move |c| {
            Ok(c.query_row(
                &format!(
                    "SELECT {INVITATION_COLUMNS} FROM invitations i
                     WHERE i.org_id = ?1 AND i.id = ?2"
                ),
                params![org_id, id],
                |r| invitation_from_row(r, 0),
            )
            .optional()?)
        })
        .await
    }

    async fn resend_invitation(
        &self,
        org_id: &str,
        id: &str,
        link: NewLink,
        now: i64,
    ) -> Result<()> {
        let (org_id, id) = (org_id.to_owned(), id.to_owned());
        self.with(move |c| {
            let tx = c.transaction()?;
            let state: Option<String> = tx
                .query_row(
                    "SELECT state FROM invitations WHERE org_id = ?1 AND id = ?2",
                    params![org_id, id],
                    |r| r.get(0),
                )
                .optional()?;
            match state.as_deref() {
                None => return Err(GatewayError::NotFound),
                Some("pending") => {}
                Some(other) => return Err(GatewayError::InvitationClosed(other.to_owned())),
            }
            tx.execute(
                "UPDATE invitation_tokens SET revoked_at = ?2
                 WHERE invitation_id = ?1 AND revoked_at IS NULL",
                params![id, now],
            )?;
            tx.execute(
                "UPDATE outbox SET state = 'superseded'
                 WHERE invitation_id = ?1 AND state = 'pending'",
                [&id],
            )?;
            tx.execute(
                "INSERT INTO invitation_tokens (hash, invitation_id, created_at, expires_at)
                 VALUES (?1, ?2, ?3, ?4)",
                params![link.token_hash, id, now, link.expires_at],
            )?;
            if link.enqueue {
                enqueue(&tx, &id, &link.sealed_token, now)?;
            }
            tx.commit()?;
            Ok(())
        })
        .await
    }

    async fn cancel_invitation(&self, org_id: &str, id: &str, now: i64) -> Result<()> {
        let (org_id, id) = (org_id.to_owned(), id.to_owned());
        self.with(move |c| {
            let tx = c.transaction()?;
            let state: Option<String> = tx
                .query_row(
                    "SELECT state FROM invitations WHERE org_id = ?1 AND id = ?2",
                    params![org_id, id],
                    |r| r.get(0),
                )
                .optional()?;
            match state.as_deref() {
                None => return Err(GatewayError::NotFound),
                Some("cancelled") => return Ok(()),
                Some("pending") => {}
                Some(other) => return Err(GatewayError::InvitationClosed(other.to_owned())),
            }
            tx.execute(
                "UPDATE invitations SET state = 'cancelled', finished_at = ?2 WHERE id = ?1",
                params![id, now],
            )?;
            tx.execute(
                "UPDATE invitation_tokens SET revoked_at = ?2
                 WHERE invitation_id = ?1 AND revoked_at IS NULL",
                params![id, now],
            )?;
            tx.execute(
                "UPDATE outbox SET state = 'cancelled'
                 WHERE invitation_id = ?1 AND state = 'pending'",
                [&id],
            )?;
            tx.commit()?;
            Ok(())
        })
        .await
    }

    async fn lookup_token(&self, token_hash: [u8; 32]) -> Result<Option<TokenLookup>> {
        self.with(move |c| {
            Ok(c.query_row(
                &format!(
                    "SELECT {INVITATION_COLUMNS}, t.expires_at, t.revoked_at IS NOT NULL,
                            t.used_at IS NOT NULL
                     FROM invitation_tokens t JOIN invitations i ON i.id = t.invitation_id
                     WHERE t.hash = ?1"
                ),
                [token_hash],
                |r| {
                    Ok(TokenLookup {
                        invitation: invitation_from_row(r, 0)?,
                        expires_at: r.get(13)?,
                        revoked: r.get(14)?,
                        used: r.get(15)?,
                    })
                },
            )
            .optional()?)
        })
        .await
    }

    async fn mark_opened(&self, invitation_id: &str, now: i64) -> Result<bool> {
        let invitation_id = invitation_id.to_owned();
        self.with(move |c| {
            let tx = c.transaction()?;
            let org: Option<String> = tx
                .query_row(
                    "UPDATE invitations SET opened_at = ?2 WHERE id = ?1 AND opened_at IS NULL
                     RETURNING org_id",
                    params![invitation_id, now],
                    |r| r.get(0),
                )
                .optional()?;
            let Some(org) = org else { return Ok(false) };
            insert_event(
                &tx,
                &org,
                &EventKind::InvitationOpened { invitation_id },
                now,
            )?;
            tx.commit()?;
            Ok(true)
        })
        .await
    }

    async fn register(
        &self,
        token_hash: [u8; 32],
        username: &str,
        password_hash: &str,
        now: i64,
    ) -> Result<ConsumeOutcome> {
        let (username, password_hash) = (username.to_owned(), password_hash.to_owned());
        self.with(move |c| {
            let tx = c.transaction()?;
            let Some((invitation_id, org_id)) =
                consume(&tx, token_hash, InvitationState::Registered, now)?
            else {
                return Ok(ConsumeOutcome::NotUsable);
            };
            let account_id = secrets::new_account_id();
            let inserted = tx.execute(
                "INSERT INTO accounts (org_id, username_key, username, password_hash,
                    invitation_id, created_at, account_id)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                params![
                    org_id,
                    username.to_lowercase(),
                    username,
                    password_hash,
                    invitation_id,
                    now,
                    account_id
                ],
            );
            match inserted {
                Ok(_) => {}
                // Dropping the transaction rolls the token back to unused.
                Err(e) if is_unique_violation(&e) => return Ok(ConsumeOutcome::UsernameTaken),
                Err(e) => return Err(e.into()),
            }
            insert_event(
                &tx,
                &org_id,
                &EventKind::Registered {
                    invitation_id: invitation_id.clone(),
                    account_id: Some(account_id),
                    username,
                    password_hash,
                },
                now,
            )?;
            tx.commit()?;
            Ok(ConsumeOutcome::Done { invitation_id })
        })
        .await
    }

    async fn accept_with_account(
        &self,
        token_hash: [u8; 32],
        username_key: &str,
        password_hash: &str,
        now: i64,
    ) -> Result<ConsumeOutcome> {
        let (username_key, password_hash) = (username_key.to_owned(), password_hash.to_owned());
        self.with(move |c| {
            let tx = c.transaction()?;
            let Some((invitation_id, org_id)) =
                consume(&tx, token_hash, InvitationState::Registered, now)?
            else {
                return Ok(ConsumeOutcome::NotUsable);
            };
            let account: Option<(String, String)> = tx
                .query_row(
                    "SELECT username, account_id FROM accounts
                     WHERE org_id = ?1 AND username_key = ?2 AND state = 'enabled'
                       AND password_hash = ?3 AND password_hash <> ''",
                    params![org_id, username_key, password_hash],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )
                .optional()?;
            // Dropping the transaction rolls the token back to unused.
            let Some((username, account_id)) = account else {
                return Ok(ConsumeOutcome::AccountUnavailable);
            };
            insert_event(
                &tx,
                &org_id,
                &EventKind::Registered {
                    invitation_id: invitation_id.clone(),
                    account_id: Some(account_id),
                    username,
                    password_hash,
                },
                now,
            )?;
            tx.commit()?;
            Ok(ConsumeOutcome::Done { invitation_id })
        })
        .await
    }

    async fn decline(&self, token_hash: [u8; 32], now: i64) -> Result<ConsumeOutcome> {
        self.with(move |c| {
            let tx = c.transaction()?;
            let Some((invitation_id, org_id)) =
                consume(&tx, token_hash, InvitationState::Declined, now)?
            else {
                return Ok(ConsumeOutcome::NotUsable);
            };
            insert_event(
                &tx,
                &org_id,
                &EventKind::Declined {
                    invitation_id: invitation_id.clone(),
                },
                now,
            )?;
            tx.commit()?;
            Ok(ConsumeOutcome::Done { invitation_id })
        })
        .await
    }

    async fn events_after(&self, org_id: &str, after: i64, limit: u32) -> Result<Vec<Event>> {
        let org_id = org_id.to_owned();
        self.with(move |c| {
            let mut stmt = c.prepare_cached(
                "SELECT seq, id, at, body FROM events
                 WHERE org_id = ?1 AND seq > ?2 ORDER BY seq LIMIT ?3",
            )?;
            let rows = stmt.query_map(params![org_id, after, limit], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get::<_, String>(3)?))
            })?;
            let mut events = Vec::new();
            for row in rows {
                let (seq, id, at, body) = row?;
                let kind: EventKind = serde_json::from_str(&body)
                    .map_err(|e| GatewayError::Storage(format!("event {seq}: {e}")))?;
                events.push(Event { seq, id, at, kind });
            }
            Ok(events)
        })
        .await
    }

    async fn ack_events(&self, org_id: &str, up_to: i64) -> Result<u64> {
        let org_id = org_id.to_owned();
        self.with(move |c| {
            let n = c.execute(
                "DELETE FROM events WHERE org_id = ?1 AND seq <= ?2",
                params![org_id, up_to],
            )?;
            Ok(n as u64)
        })
        .await
    }

    async fn append_event(&self, org_id: &str, kind: EventKind, now: i64) -> Result<()> {
        let org_id = org_id.to_owned();
        self.with(move |c| {
            let tx = c.transaction()?;
            insert_event(&tx, &org_id, &kind, now)?;
            tx.commit()?;
            Ok(())
        })
        .await
    }

    async fn claim_due_message(
        &self,
        now: i64,
        lease_secs: i64,
        owner: &str,
    ) -> Result<Option<OutboxItem>> {
        let owner = owner.to_owned();
        self.with(move |c| {
            let tx = c.transaction()?;
            let item = tx
                .query_row(
                    &format!(
                        "SELECT o.id, o.attempts, o.sealed_token, t.expires_at,
                                o.lease_owner IS NOT NULL, {INVITATION_COLUMNS}
                         FROM outbox o
                         JOIN invitations i ON i.id = o.invitation_id
                         JOIN invitation_tokens t ON t.invitation_id = i.id
                              AND t.revoked_at IS NULL
                         WHERE o.state = 'pending' AND i.state = 'pending'
                           AND o.next_attempt_at <= ?1
                           AND (o.lease_until IS NULL OR o.lease_until <= ?1)
                         ORDER BY o.next_attempt_at, o.id LIMIT 1"
                    ),
                    [now],
                    |r| {
                        Ok(OutboxItem {
                            id: r.get(0)?,
                            attempts: r.get(1)?,
                            sealed_token: r.get(2)?,
                            expires_at: r.get(3)?,
                            resumed: r.get(4)?,
                            invitation: invitation_from_row(r, 5)?,
                        })
                    },
                )
                .optional()?;
            if let Some(item) = &item {
                tx.execute(
                    "UPDATE outbox SET lease_until = ?2, lease_owner = ?3, attempts = attempts + 1
                     WHERE id = ?1",
                    params![item.id, now + lease_secs, owner],
                )?;
            }
            tx.commit()?;
            Ok(item)
        })
        .await
    }

    async fn renew_lease(&self, outbox_id: i64, owner: &str, until: i64) -> Result<bool> {
        let owner = owner.to_owned();
        self.with(move |c| {
            let n = c.execute(
                "UPDATE outbox SET lease_until = ?3
                 WHERE id = ?1 AND lease_owner = ?2 AND state = 'pending'",
                params![outbox_id, owner, until],
            )?;
            Ok(n == 1)
        })
        .await
    }

    async fn message_sent(&self, outbox_id: i64, message_id: &str, now: i64) -> Result<()> {
        let message_id = message_id.to_owned();
        self.with(move |c| {
            let tx = c.transaction()?;
            let row: Option<(String, String)> = tx
                .query_row(
                    "UPDATE outbox SET state = 'sent', sent_at = ?2, message_id = ?3,
                        lease_until = NULL, lease_owner = NULL
                     WHERE id = ?1 AND state = 'pending'
                     RETURNING invitation_id,
                        (SELECT org_id FROM invitations WHERE id = outbox.invitation_id)",
                    params![outbox_id, now, message_id],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )
                .optional()?;
            if let Some((invitation_id, org_id)) = row {
                insert_event(
                    &tx,
                    &org_id,
                    &EventKind::InvitationDelivered {
                        invitation_id,
                        message_id,
                    },
                    now,
                )?;
            }
            tx.commit()?;
            Ok(())
        })
        .await
    }

    async fn message_failed(
        &self,
        outbox_id: i64,
        error: &str,
        retry_at: Option<i64>,
        now: i64,
    ) -> Result<()> {
        let error = error.to_owned();
        self.with(move |c| {
            let tx = c.transaction()?;
            match retry_at {
                Some(at) => {
                    tx.execute(
                        "UPDATE outbox SET next_attempt_at = ?2, last_error = ?3,
                            lease_until = NULL, lease_owner = NULL
                         WHERE id = ?1 AND state = 'pending'",
                        params![outbox_id, at, error],
                    )?;
                }
                None => {
                    let row: Option<(String, String)> = tx
                        .query_row(
                            "UPDATE outbox SET state = 'failed', last_error = ?2,
                                lease_until = NULL, lease_owner = NULL
                             WHERE id = ?1 AND state = 'pending'
                             RETURNING invitation_id,
                                (SELECT org_id FROM invitations
                                 WHERE id = outbox.invitation_id)",
                            params![outbox_id, error],
                            |r| Ok((r.get(0)?, r.get(1)?)),
                        )
                        .optional()?;
                    if let Some((invitation_id, org_id)) = row {
                        insert_event(
                            &tx,
                            &org_id,
                            &EventKind::InvitationFailed {
                                invitation_id,
                                reason: error,
                            },
                            now,
                        )?;
                    }
                }
            }
            tx.commit()?;
            Ok(())
        })
        .await
    }
}
