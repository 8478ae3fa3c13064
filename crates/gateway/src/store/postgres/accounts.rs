//! Accounts, password resets, member sessions and sign-in failures on PostgreSQL. Where
//! instances race, the database decides: resets of one account and sign-in counters are
//! changed under row locks, reset messages are claimed with `SKIP LOCKED`.

use async_trait::async_trait;
use orgdesk_protocol::{AccountState, EventKind};
use sqlx::postgres::PgRow;
use sqlx::{AssertSqlSafe, Postgres, Row, Transaction};

use super::join::lock_username;
use super::{channel_str, insert_event, PostgresStore};
use crate::error::{GatewayError, Result};
use crate::secrets;
use crate::store::accounts::{
    account_state_str, account_throttle_key, details_change, parse_account_state,
    plan_sign_in_charge, AccountStore, FailureRow, LockoutPolicy, Member, MirrorItem,
    NewPasswordReset, PasswordReset, PersonalDetails, RefuseOutcome, ResetLookup, ResetOutboxItem,
    ResetOutcome, SignInCandidate, SignInCharge, MEMBER_COLUMNS, MEMBER_FROM, ORIGIN_DIRECTORY,
    USERNAME_IN_DIRECTORY,
};
use crate::store::{Pruned, StaleBefore};

const RESET_COLUMNS: &str = "r.id, r.org_id, a.username, r.channel, r.recipient, \
     r.organization_name, r.locale";

fn reset_from_row(row: &PgRow) -> Result<PasswordReset> {
    let channel: String = row.try_get("channel")?;
    Ok(PasswordReset {
        id: row.try_get("id")?,
        org_id: row.try_get("org_id")?,
        username: row.try_get("username")?,
        channel: match channel.as_str() {
            "email" => orgdesk_protocol::Channel::Email,
            "sms" => orgdesk_protocol::Channel::Sms,
            "link" => orgdesk_protocol::Channel::Link,
            other => return Err(GatewayError::Storage(format!("unknown channel {other}"))),
        },
        recipient: row.try_get("recipient")?,
        organization_name: row.try_get("organization_name")?,
        locale: row.try_get("locale")?,
    })
}

fn member_from_row(row: &PgRow) -> Result<Member> {
    Ok(Member {
        org_id: row.try_get(0)?,
        account_id: row.try_get(7)?,
        username_key: row.try_get(1)?,
        username: row.try_get(2)?,
        organization_name: row.try_get(3)?,
        name: row.try_get(4)?,
        mobile: row.try_get(5)?,
        email: row.try_get(6)?,
    })
}

fn state_from(s: &str) -> Result<AccountState> {
    parse_account_state(s).ok_or_else(|| GatewayError::Storage(format!("unknown state {s}")))
}

async fn member(
    tx: &mut Transaction<'_, Postgres>,
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
    row.as_ref().map(member_from_row).transpose()
}

/// Voids the account's unused reset links and drops their unsent messages.
async fn revoke_resets(
    tx: &mut Transaction<'_, Postgres>,
    org_id: &str,
    username_key: &str,
    outbox_state: &str,
    now: i64,
) -> Result<()> {
    sqlx::query(
        "UPDATE outbox SET state = $3
         WHERE state = 'pending' AND reset_id IN (
            SELECT id FROM password_resets
            WHERE org_id = $1 AND username_key = $2 AND used_at IS NULL AND revoked_at IS NULL)",
    )
    .bind(org_id)
    .bind(username_key)
    .bind(outbox_state)
    .execute(&mut **tx)
    .await?;
    sqlx::query(
        "UPDATE password_resets SET revoked_at = $3
         WHERE org_id = $1 AND username_key = $2 AND used_at IS NULL AND revoked_at IS NULL",
    )
    .bind(org_id)
    .bind(username_key)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Ends the account's sessions and voids its unused reset links: it may no longer be used
/// by whoever held it.
async fn end_access(
    tx: &mut Transaction<'_, Postgres>,
    org_id: &str,
    username_key: &str,
    now: i64,
) -> Result<()> {
    sqlx::query("DELETE FROM member_sessions WHERE org_id = $1 AND username_key = $2")
        .bind(org_id)
        .bind(username_key)
        .execute(&mut **tx)
        .await?;
    revoke_resets(tx, org_id, username_key, "cancelled", now).await
}

async fn forget_failures(
    tx: &mut Transaction<'_, Postgres>,
    org_id: &str,
    username_key: &str,
) -> Result<()> {
    sqlx::query("DELETE FROM sign_in_failures WHERE key = $1")
        .bind(account_throttle_key(org_id, username_key))
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Mirrors one member of the directory (see [`AccountStore::mirror_accounts`]).
async fn mirror_one(
    tx: &mut Transaction<'_, Postgres>,
    org_id: &str,
    item: &MirrorItem,
    now: i64,
) -> Result<String> {
    let hash = item.password_hash.clone().unwrap_or_default();
    let state = account_state_str(item.state);
    let email = item.email.clone().unwrap_or_default();
    let mobile = item.mobile.clone().unwrap_or_default();
    // The lock join requests and the accounts trigger take on this username.
    lock_username(tx, org_id, &item.username_key).await?;
    if let Some(id) = &item.account_id {
        let named: Option<(String, String)> = sqlx::query_as(
            "SELECT username_key, password_hash FROM accounts
             WHERE org_id = $1 AND account_id = $2 FOR UPDATE",
        )
        .bind(org_id)
        .bind(id)
        .fetch_optional(&mut **tx)
        .await?;
        match named {
            Some((key, old_hash)) if key == item.username_key => {
                sqlx::query(
                    "UPDATE accounts SET username = $3, password_hash = $4, state = $5,
                        name = $6, email = $7, mobile = $8, origin = $9, refused_reason = NULL,
                        updated_at = $10
                     WHERE org_id = $1 AND account_id = $2",
                )
                .bind(org_id)
                .bind(id)
                .bind(&item.username)
                .bind(&hash)
                .bind(state)
                .bind(&item.name)
                .bind(&email)
                .bind(&mobile)
                .bind(ORIGIN_DIRECTORY)
                .bind(now)
                .execute(&mut **tx)
                .await?;
                if old_hash != hash || item.state != AccountState::Enabled {
                    end_access(tx, org_id, &key, now).await?;
                }
                if old_hash != hash {
                    forget_failures(tx, org_id, &key).await?;
                }
                return Ok(id.clone());
            }
            Some((key, _)) => {
                // The directory renamed its member: the old username's account is over.
                sqlx::query(
                    "UPDATE accounts SET state = 'removed', updated_at = $3
                     WHERE org_id = $1 AND account_id = $2",
                )
                .bind(org_id)
                .bind(id)
                .bind(now)
                .execute(&mut **tx)
                .await?;
                end_access(tx, org_id, &key, now).await?;
            }
            None => {}
        }
    }
    // A pending request may not keep a username the directory uses.
    sqlx::query(
        "UPDATE join_requests SET state = 'rejected', decided_at = $3, refused_reason = $4
         WHERE org_id = $1 AND username_key = $2 AND state = 'pending'",
    )
    .bind(org_id)
    .bind(&item.username_key)
    .bind(now)
    .bind(USERNAME_IN_DIRECTORY)
    .execute(&mut **tx)
    .await?;
    // Whoever holds the username here (registered under a name the directory uses) loses it
    // to a fresh account id; otherwise the account is new.
    let account_id = secrets::new_account_id();
    sqlx::query(
        "INSERT INTO accounts (org_id, username_key, username, password_hash, created_at,
            account_id, state, name, email, mobile, origin)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
         ON CONFLICT (org_id, username_key) DO UPDATE SET
            account_id = EXCLUDED.account_id, username = EXCLUDED.username,
            password_hash = EXCLUDED.password_hash, state = EXCLUDED.state,
            name = EXCLUDED.name, email = EXCLUDED.email, mobile = EXCLUDED.mobile,
            origin = EXCLUDED.origin, invitation_id = NULL, join_request_id = NULL,
            refused_reason = NULL, updated_at = EXCLUDED.created_at",
    )
    .bind(org_id)
    .bind(&item.username_key)
    .bind(&item.username)
    .bind(&hash)
    .bind(now)
    .bind(&account_id)
    .bind(state)
    .bind(&item.name)
    .bind(&email)
    .bind(&mobile)
    .bind(ORIGIN_DIRECTORY)
    .execute(&mut **tx)
    .await?;
    end_access(tx, org_id, &item.username_key, now).await?;
    forget_failures(tx, org_id, &item.username_key).await?;
    Ok(account_id)
}

/// Forgets the failures of the account that was opened and takes back the attempt counted
/// against the address and the other accounts.
async fn forgive(
    tx: &mut Transaction<'_, Postgres>,
    matched: &str,
    charged: &[String],
) -> Result<()> {
    sqlx::query("DELETE FROM sign_in_failures WHERE key = $1")
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
impl AccountStore for PostgresStore {
    async fn mirror_accounts(
        &self,
        org_id: &str,
        items: Vec<MirrorItem>,
        now: i64,
    ) -> Result<Vec<String>> {
        let mut tx = self.pool.begin().await?;
        let mut ids = Vec::with_capacity(items.len());
        for item in &items {
            ids.push(mirror_one(&mut tx, org_id, item, now).await?);
        }
        tx.commit().await?;
        Ok(ids)
    }

    async fn refuse_account(
        &self,
        org_id: &str,
        account_id: &str,
        reason: &str,
        now: i64,
    ) -> Result<RefuseOutcome> {
        let mut tx = self.pool.begin().await?;
        let row: Option<(String, String, Option<String>)> = sqlx::query_as(
            "SELECT origin, username_key, join_request_id FROM accounts
             WHERE org_id = $1 AND account_id = $2 FOR UPDATE",
        )
        .bind(org_id)
        .bind(account_id)
        .fetch_optional(&mut *tx)
        .await?;
        let outcome = match row {
            Some((origin, _, _)) if origin == ORIGIN_DIRECTORY => RefuseOutcome::DirectoryOwned,
            Some((_, key, request)) => {
                sqlx::query(
                    "UPDATE accounts SET state = 'removed', refused_reason = $3, updated_at = $4
                     WHERE org_id = $1 AND account_id = $2",
                )
                .bind(org_id)
                .bind(account_id)
                .bind(reason)
                .bind(now)
                .execute(&mut *tx)
                .await?;
                end_access(&mut tx, org_id, &key, now).await?;
                if let Some(request) = request {
                    sqlx::query("UPDATE join_requests SET refused_reason = $2 WHERE id = $1")
                        .bind(request)
                        .bind(reason)
                        .execute(&mut *tx)
                        .await?;
                }
                RefuseOutcome::Refused
            }
            // A request still waiting for its decision names the account it would give.
            None => {
                let n = sqlx::query(
                    "UPDATE join_requests SET refused_reason = $3,
                        state = CASE WHEN state = 'pending' THEN 'rejected' ELSE state END,
                        decided_at = COALESCE(decided_at, $4)
                     WHERE org_id = $1 AND account_id = $2",
                )
                .bind(org_id)
                .bind(account_id)
                .bind(reason)
                .bind(now)
                .execute(&mut *tx)
                .await?
                .rows_affected();
                if n == 1 {
                    RefuseOutcome::Refused
                } else {
                    RefuseOutcome::Unknown
                }
            }
        };
        tx.commit().await?;
        Ok(outcome)
    }

    async fn set_account_state(
        &self,
        org_id: &str,
        username_key: &str,
        state: AccountState,
        now: i64,
    ) -> Result<bool> {
        let mut tx = self.pool.begin().await?;
        let n = sqlx::query(
            "UPDATE accounts SET state = $3, updated_at = $4
             WHERE org_id = $1 AND username_key = $2",
        )
        .bind(org_id)
        .bind(username_key)
        .bind(account_state_str(state))
        .bind(now)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if n != 1 {
            tx.rollback().await?;
            return Ok(false);
        }
        if state != AccountState::Enabled {
            sqlx::query("DELETE FROM member_sessions WHERE org_id = $1 AND username_key = $2")
                .bind(org_id)
                .bind(username_key)
                .execute(&mut *tx)
                .await?;
            revoke_resets(&mut tx, org_id, username_key, "cancelled", now).await?;
        }
        tx.commit().await?;
        Ok(true)
    }

    async fn create_password_reset(&self, new: NewPasswordReset, now: i64) -> Result<ResetOutcome> {
        let mut tx = self.pool.begin().await?;
        // The account row lock serializes resets of one account (a newer one voids the
        // older ones) and orders them after a concurrent state change.
        let row: Option<(String, bool)> = sqlx::query_as(
            "SELECT state, password_hash = '' FROM accounts
             WHERE org_id = $1 AND username_key = $2 FOR UPDATE",
        )
        .bind(&new.org_id)
        .bind(&new.username_key)
        .fetch_optional(&mut *tx)
        .await?;
        // A concurrent retry of the same request waited on that lock and now finds the key.
        if let Some(seen) = seen_key(
            &mut tx,
            &new.org_id,
            &new.idempotency_key,
            new.request_sha256,
        )
        .await?
        {
            tx.rollback().await?;
            return Ok(seen);
        }
        let Some((state, reserved)) = row else {
            tx.rollback().await?;
            return Ok(ResetOutcome::UnknownAccount);
        };
        match state_from(&state)? {
            AccountState::Enabled => {}
            other => {
                tx.rollback().await?;
                return Ok(ResetOutcome::AccountNotEnabled(other));
            }
        }
        if reserved {
            tx.rollback().await?;
            return Ok(ResetOutcome::NoPassword);
        }
        revoke_resets(&mut tx, &new.org_id, &new.username_key, "superseded", now).await?;
        sqlx::query(
            "INSERT INTO password_resets (id, org_id, username_key, channel, recipient,
                organization_name, locale, token_hash, created_at, expires_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        )
        .bind(&new.id)
        .bind(&new.org_id)
        .bind(&new.username_key)
        .bind(channel_str(new.channel))
        .bind(&new.recipient)
        .bind(&new.organization_name)
        .bind(&new.locale)
        .bind(&new.token_hash[..])
        .bind(now)
        .bind(new.expires_at)
        .execute(&mut *tx)
        .await?;
        let claimed = sqlx::query(
            "INSERT INTO password_reset_keys (org_id, key, request_sha256, reset_id,
                sealed_token, expires_at, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7)
             ON CONFLICT (org_id, key) DO NOTHING",
        )
        .bind(&new.org_id)
        .bind(&new.idempotency_key)
        .bind(&new.request_sha256[..])
        .bind(&new.id)
        .bind(&new.sealed_token)
        .bind(new.expires_at)
        .bind(now)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if claimed == 0 {
            // Another instance answered this key for another account meanwhile.
            tx.rollback().await?;
            return self
                .seen_reset_key(&new.org_id, &new.idempotency_key, new.request_sha256)
                .await?
                .ok_or_else(|| GatewayError::Storage("an idempotency key vanished".into()));
        }
        if new.enqueue {
            sqlx::query(
                "INSERT INTO outbox (kind, reset_id, sealed_token, next_attempt_at, created_at)
                 VALUES ('password_reset', $1, $2, $3, $3)",
            )
            .bind(&new.id)
            .bind(&new.sealed_token)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(ResetOutcome::Created)
    }

    async fn seen_reset_key(
        &self,
        org_id: &str,
        key: &str,
        request_sha256: [u8; 32],
    ) -> Result<Option<ResetOutcome>> {
        let mut tx = self.pool.begin().await?;
        let seen = seen_key(&mut tx, org_id, key, request_sha256).await?;
        tx.commit().await?;
        Ok(seen)
    }

    async fn lookup_reset(&self, token_hash: [u8; 32]) -> Result<Option<ResetLookup>> {
        let row = sqlx::query(AssertSqlSafe(format!(
            "SELECT {RESET_COLUMNS}, a.state, r.expires_at,
                    r.revoked_at IS NOT NULL AS revoked, r.used_at IS NOT NULL AS used
             FROM password_resets r JOIN accounts a
                  ON a.org_id = r.org_id AND a.username_key = r.username_key
             WHERE r.token_hash = $1"
        )))
        .bind(&token_hash[..])
        .fetch_optional(&self.pool)
        .await?;
        let Some(row) = row else { return Ok(None) };
        let state: String = row.try_get("state")?;
        Ok(Some(ResetLookup {
            reset: reset_from_row(&row)?,
            account_state: state_from(&state)?,
            expires_at: row.try_get("expires_at")?,
            revoked: row.try_get("revoked")?,
            used: row.try_get("used")?,
        }))
    }

    async fn consume_reset(
        &self,
        token_hash: [u8; 32],
        password_hash: &str,
        now: i64,
    ) -> Result<Option<String>> {
        let mut tx = self.pool.begin().await?;
        let consumed = sqlx::query(
            "UPDATE password_resets r SET used_at = $2
             WHERE token_hash = $1 AND used_at IS NULL AND revoked_at IS NULL
               AND expires_at > $2
               AND EXISTS (SELECT 1 FROM accounts a
                           WHERE a.org_id = r.org_id AND a.username_key = r.username_key
                             AND a.state = 'enabled' AND a.password_hash <> '')
             RETURNING org_id, username_key",
        )
        .bind(&token_hash[..])
        .bind(now)
        .fetch_optional(&mut *tx)
        .await?;
        let Some(consumed) = consumed else {
            tx.rollback().await?;
            return Ok(None);
        };
        let org_id: String = consumed.try_get(0)?;
        let username_key: String = consumed.try_get(1)?;
        let (username, account_id): (String, String) = sqlx::query_as(
            "UPDATE accounts SET password_hash = $3, updated_at = $4
             WHERE org_id = $1 AND username_key = $2 AND state = 'enabled'
             RETURNING username, account_id",
        )
        .bind(&org_id)
        .bind(&username_key)
        .bind(password_hash)
        .bind(now)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or_else(|| GatewayError::Storage("the account changed during a reset".into()))?;
        sqlx::query("DELETE FROM member_sessions WHERE org_id = $1 AND username_key = $2")
            .bind(&org_id)
            .bind(&username_key)
            .execute(&mut *tx)
            .await?;
        sqlx::query("DELETE FROM sign_in_failures WHERE key = $1")
            .bind(account_throttle_key(&org_id, &username_key))
            .execute(&mut *tx)
            .await?;
        let kind = EventKind::PasswordChanged {
            account_id: Some(account_id),
            username: username.clone(),
            password_hash: password_hash.to_owned(),
        };
        insert_event(&mut tx, &org_id, &kind, now).await?;
        tx.commit().await?;
        Ok(Some(username))
    }

    async fn claim_due_reset_message(
        &self,
        now: i64,
        lease_secs: i64,
        owner: &str,
    ) -> Result<Option<ResetOutboxItem>> {
        let mut tx = self.pool.begin().await?;
        let claimed = sqlx::query(
            "WITH due AS (
                SELECT o.id, o.lease_owner FROM outbox o JOIN password_resets r ON r.id = o.reset_id
                WHERE o.kind = 'password_reset' AND o.state = 'pending'
                  AND r.revoked_at IS NULL AND r.used_at IS NULL AND o.next_attempt_at <= $1
                  AND (o.lease_until IS NULL OR o.lease_until <= $1)
                ORDER BY o.next_attempt_at, o.id LIMIT 1
                FOR UPDATE OF o SKIP LOCKED)
             UPDATE outbox SET lease_until = $2, lease_owner = $3, attempts = outbox.attempts + 1
             FROM due WHERE outbox.id = due.id
             RETURNING outbox.id, outbox.attempts - 1 AS attempts, outbox.sealed_token,
                outbox.reset_id, due.lease_owner IS NOT NULL AS resumed",
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
        let reset_id: String = claimed.try_get("reset_id")?;
        let row = sqlx::query(AssertSqlSafe(format!(
            "SELECT {RESET_COLUMNS}, r.expires_at
             FROM password_resets r JOIN accounts a
                  ON a.org_id = r.org_id AND a.username_key = r.username_key
             WHERE r.id = $1"
        )))
        .bind(&reset_id)
        .fetch_one(&mut *tx)
        .await?;
        let attempts: i32 = claimed.try_get("attempts")?;
        let item = ResetOutboxItem {
            id: claimed.try_get("id")?,
            attempts: u32::try_from(attempts).unwrap_or(0),
            sealed_token: claimed.try_get("sealed_token")?,
            expires_at: row.try_get("expires_at")?,
            reset: reset_from_row(&row)?,
            resumed: claimed.try_get("resumed")?,
        };
        tx.commit().await?;
        Ok(Some(item))
    }

    async fn reset_message_sent(&self, outbox_id: i64, message_id: &str, now: i64) -> Result<()> {
        let mut tx = self.pool.begin().await?;
        let row = sqlx::query(
            "UPDATE outbox SET state = 'sent', sent_at = $2, message_id = $3, lease_until = NULL,
                        lease_owner = NULL
             WHERE id = $1 AND state = 'pending' AND kind = 'password_reset'
             RETURNING reset_id,
                (SELECT org_id FROM password_resets WHERE id = outbox.reset_id) AS org_id",
        )
        .bind(outbox_id)
        .bind(now)
        .bind(message_id)
        .fetch_optional(&mut *tx)
        .await?;
        if let Some(row) = row {
            let org_id: String = row.try_get("org_id")?;
            let kind = EventKind::PasswordResetDelivered {
                reset_id: row.try_get("reset_id")?,
                message_id: message_id.to_owned(),
            };
            insert_event(&mut tx, &org_id, &kind, now).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    async fn reset_message_failed(
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
                     WHERE id = $1 AND state = 'pending' AND kind = 'password_reset'
                     RETURNING reset_id,
                        (SELECT org_id FROM password_resets WHERE id = outbox.reset_id) AS org_id",
                )
                .bind(outbox_id)
                .bind(error)
                .fetch_optional(&mut *tx)
                .await?;
                if let Some(row) = row {
                    let org_id: String = row.try_get("org_id")?;
                    let kind = EventKind::PasswordResetFailed {
                        reset_id: row.try_get("reset_id")?,
                        reason: error.to_owned(),
                    };
                    insert_event(&mut tx, &org_id, &kind, now).await?;
                }
            }
        }
        tx.commit().await?;
        Ok(())
    }

    async fn sign_in_candidates(&self, username_key: &str) -> Result<Vec<SignInCandidate>> {
        let rows = sqlx::query(
            "SELECT org_id, username_key, username, password_hash, state, account_id,
                refused_reason
             FROM accounts
             WHERE username_key = $1 ORDER BY created_at, org_id LIMIT 10",
        )
        .bind(username_key)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                let state: String = r.try_get(4)?;
                Ok(SignInCandidate {
                    org_id: r.try_get(0)?,
                    account_id: r.try_get(5)?,
                    username_key: r.try_get(1)?,
                    username: r.try_get(2)?,
                    password_hash: r.try_get(3)?,
                    state: state_from(&state)?,
                    refused_reason: r.try_get(6)?,
                })
            })
            .collect()
    }

    async fn charge_sign_in(
        &self,
        address: (&str, LockoutPolicy),
        accounts: (&[String], LockoutPolicy),
        now: i64,
    ) -> Result<SignInCharge> {
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

    async fn start_session(
        &self,
        org_id: &str,
        username_key: &str,
        session_hash: [u8; 32],
        throttle: (&str, &[String]),
        now: i64,
    ) -> Result<()> {
        let mut tx = self.pool.begin().await?;
        forgive(&mut tx, throttle.0, throttle.1).await?;
        let (username, account_id): (String, String) = sqlx::query_as(
            "SELECT username, account_id FROM accounts WHERE org_id = $1 AND username_key = $2",
        )
        .bind(org_id)
        .bind(username_key)
        .fetch_one(&mut *tx)
        .await?;
        sqlx::query(
            "INSERT INTO member_sessions (hash, org_id, username_key, created_at, last_seen_at)
             VALUES ($1, $2, $3, $4, $4)",
        )
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

    async fn member_session(
        &self,
        session_hash: [u8; 32],
        now: i64,
        idle_secs: i64,
        max_secs: i64,
    ) -> Result<Option<Member>> {
        let mut tx = self.pool.begin().await?;
        let session = sqlx::query(
            "UPDATE member_sessions SET last_seen_at = $2
             WHERE hash = $1 AND last_seen_at > $2 - $3 AND created_at > $2 - $4
             RETURNING org_id, username_key",
        )
        .bind(&session_hash[..])
        .bind(now)
        .bind(idle_secs)
        .bind(max_secs)
        .fetch_optional(&mut *tx)
        .await?;
        let Some(session) = session else {
            tx.rollback().await?;
            return Ok(None);
        };
        let org_id: String = session.try_get(0)?;
        let username_key: String = session.try_get(1)?;
        let found = member(&mut tx, &org_id, &username_key, false).await?;
        tx.commit().await?;
        Ok(found)
    }

    async fn end_session(&self, session_hash: [u8; 32]) -> Result<()> {
        sqlx::query("DELETE FROM member_sessions WHERE hash = $1")
            .bind(&session_hash[..])
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    async fn password_hash(&self, org_id: &str, username_key: &str) -> Result<Option<String>> {
        Ok(sqlx::query_scalar(
            "SELECT password_hash FROM accounts
             WHERE org_id = $1 AND username_key = $2 AND state = 'enabled'",
        )
        .bind(org_id)
        .bind(username_key)
        .fetch_optional(&self.pool)
        .await?)
    }

    async fn change_password(
        &self,
        org_id: &str,
        username_key: &str,
        password_hash: &str,
        keep_session: [u8; 32],
        now: i64,
    ) -> Result<bool> {
        let mut tx = self.pool.begin().await?;
        let changed: Option<(String, String)> = sqlx::query_as(
            "UPDATE accounts SET password_hash = $3, updated_at = $4
             WHERE org_id = $1 AND username_key = $2 AND state = 'enabled'
             RETURNING username, account_id",
        )
        .bind(org_id)
        .bind(username_key)
        .bind(password_hash)
        .bind(now)
        .fetch_optional(&mut *tx)
        .await?;
        let Some((username, account_id)) = changed else {
            tx.rollback().await?;
            return Ok(false);
        };
        sqlx::query(
            "DELETE FROM member_sessions WHERE org_id = $1 AND username_key = $2 AND hash <> $3",
        )
        .bind(org_id)
        .bind(username_key)
        .bind(&keep_session[..])
        .execute(&mut *tx)
        .await?;
        let kind = EventKind::PasswordChanged {
            account_id: Some(account_id),
            username,
            password_hash: password_hash.to_owned(),
        };
        insert_event(&mut tx, org_id, &kind, now).await?;
        tx.commit().await?;
        Ok(true)
    }

    async fn change_personal_details(
        &self,
        org_id: &str,
        username_key: &str,
        details: PersonalDetails,
        now: i64,
    ) -> Result<Option<EventKind>> {
        let mut tx = self.pool.begin().await?;
        let Some(current) = member(&mut tx, org_id, username_key, true).await? else {
            tx.rollback().await?;
            return Ok(None);
        };
        let Some(event) = details_change(&current, details) else {
            tx.rollback().await?;
            return Ok(None);
        };
        let EventKind::PersonalDetailsChanged {
            name,
            mobile,
            email,
            ..
        } = &event
        else {
            return Err(GatewayError::Internal("unexpected change event".into()));
        };
        sqlx::query(
            "UPDATE accounts SET name = COALESCE($3, name), mobile = COALESCE($4, mobile),
                email = COALESCE($5, email), updated_at = $6
             WHERE org_id = $1 AND username_key = $2",
        )
        .bind(org_id)
        .bind(username_key)
        .bind(name)
        .bind(mobile)
        .bind(email)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        insert_event(&mut tx, org_id, &event, now).await?;
        tx.commit().await?;
        Ok(Some(event))
    }

    async fn report_expired_invitations(&self, now: i64, limit: u32) -> Result<u32> {
        let mut tx = self.pool.begin().await?;
        // SKIP LOCKED: instances sweeping together take different links; the condition on
        // expiry_reported_at makes each link's report happen once.
        let rows = sqlx::query(
            "UPDATE invitation_tokens t SET expiry_reported_at = $1
             FROM invitations i
             WHERE i.id = t.invitation_id AND t.hash IN (
                SELECT t2.hash FROM invitation_tokens t2
                JOIN invitations i2 ON i2.id = t2.invitation_id
                WHERE t2.revoked_at IS NULL AND t2.used_at IS NULL
                  AND t2.expiry_reported_at IS NULL AND t2.expires_at <= $1
                  AND i2.state = 'pending'
                ORDER BY t2.expires_at LIMIT $2
                FOR UPDATE OF t2 SKIP LOCKED)
               AND t.expiry_reported_at IS NULL
             RETURNING i.id, i.org_id",
        )
        .bind(now)
        .bind(i64::from(limit))
        .fetch_all(&mut *tx)
        .await?;
        let mut reported = 0;
        for row in &rows {
            let invitation_id: String = row.try_get(0)?;
            let org_id: String = row.try_get(1)?;
            let kind = EventKind::InvitationExpired { invitation_id };
            insert_event(&mut tx, &org_id, &kind, now).await?;
            reported += 1;
        }
        tx.commit().await?;
        Ok(reported)
    }

    async fn prune_stale(&self, before: StaleBefore, now: i64, limit: u32) -> Result<Pruned> {
        // Each kind in its own statement (its own transaction), at most `limit` rows; SKIP
        // LOCKED leaves rows a sign-in or another instance holds to a later run.
        let limit = i64::from(limit);
        let sessions = sqlx::query(
            "DELETE FROM member_sessions WHERE hash IN (
                SELECT hash FROM member_sessions
                WHERE last_seen_at < $1 OR created_at < $2
                LIMIT $3 FOR UPDATE SKIP LOCKED)",
        )
        .bind(before.session_seen)
        .bind(before.session_started)
        .bind(limit)
        .execute(&self.pool)
        .await?
        .rows_affected();
        let failures = sqlx::query(
            "DELETE FROM sign_in_failures WHERE key IN (
                SELECT key FROM sign_in_failures
                WHERE last_failure_at < $1 AND (locked_until IS NULL OR locked_until <= $2)
                LIMIT $3 FOR UPDATE SKIP LOCKED)",
        )
        .bind(before.sign_in_failure)
        .bind(now)
        .bind(limit)
        .execute(&self.pool)
        .await?
        .rows_affected();
        let codes = sqlx::query(
            "DELETE FROM join_code_failures WHERE client IN (
                SELECT client FROM join_code_failures
                WHERE last_failure_at < $1 AND (locked_until IS NULL OR locked_until <= $2)
                LIMIT $3 FOR UPDATE SKIP LOCKED)",
        )
        .bind(before.code_failure)
        .bind(now)
        .bind(limit)
        .execute(&self.pool)
        .await?
        .rows_affected();
        let count = |n: u64| u32::try_from(n).unwrap_or(u32::MAX);
        Ok(Pruned {
            sessions: count(sessions),
            sign_in_failures: count(failures),
            code_failures: count(codes),
        })
    }
}

async fn seen_key(
    tx: &mut Transaction<'_, Postgres>,
    org_id: &str,
    key: &str,
    request_sha256: [u8; 32],
) -> Result<Option<ResetOutcome>> {
    let row = sqlx::query(
        "SELECT request_sha256, reset_id, sealed_token, expires_at
         FROM password_reset_keys WHERE org_id = $1 AND key = $2",
    )
    .bind(org_id)
    .bind(key)
    .fetch_optional(&mut **tx)
    .await?;
    let Some(row) = row else { return Ok(None) };
    let digest: Vec<u8> = row.try_get(0)?;
    Ok(Some(if digest[..] == request_sha256[..] {
        ResetOutcome::Replayed {
            reset_id: row.try_get(1)?,
            sealed_token: row.try_get(2)?,
            expires_at: row.try_get(3)?,
        }
    } else {
        ResetOutcome::KeyReused
    }))
}
