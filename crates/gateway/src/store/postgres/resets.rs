//! Password resets on PostgreSQL: creating one (with idempotency keys; resets of one account
//! under a row lock), looking a link up and consuming it.

use async_trait::async_trait;
use orgdesk_protocol::AccountState;
// Only compile-time constants are spliced into SQL (the shared column list); every value is a
// bind parameter. `AssertSqlSafe` records that for sqlx.
use sqlx::{AssertSqlSafe, Row};

use super::{
    channel_str, record_key, reset_from_row, revoke_resets, seen_key, set_password, shared,
    shared_with, state_from, PostgresStore, RESET_COLUMNS,
};
use crate::error::{GatewayError, Result};
use crate::store::sql;
use crate::store::{
    account_throttle_key, KeyedRequest, NewPasswordReset, ResetConsumption, ResetLookup,
    ResetOutcome, ResetStore,
};

#[async_trait]
impl ResetStore for PostgresStore {
    async fn create_password_reset(&self, new: NewPasswordReset, now: i64) -> Result<ResetOutcome> {
        let mut tx = self.pool.begin().await?;
        // The account row lock serializes resets of one account (a newer one voids the
        // older ones) and orders them after a concurrent state change.
        let row: Option<(String, bool)> =
            sqlx::query_as(shared_with(sql::ACCOUNT_STATE_FOR_RESET, "FOR UPDATE"))
                .bind(&new.org_id)
                .bind(&new.username_key)
                .fetch_optional(&mut *tx)
                .await?;
        // A concurrent retry of the same request waited on that lock and now finds the key.
        if let Some(seen) = seen_key(&mut *tx, new.key().request()).await? {
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
        sqlx::query(shared(sql::INSERT_RESET))
            .bind(&new.id)
            .bind(&new.org_id)
            .bind(&new.username_key)
            .bind(channel_str(new.channel))
            .bind(&new.recipient)
            .bind(&new.organization_name)
            .bind(&new.locale)
            .bind(&new.link.token_hash[..])
            .bind(now)
            .bind(new.link.expires_at)
            .execute(&mut *tx)
            .await?;
        if !record_key::<ResetOutcome>(&mut tx, &new.key(), now).await? {
            // Another instance answered this key for another account meanwhile.
            tx.rollback().await?;
            return self.answer_of_key(&new.key()).await;
        }
        if new.link.enqueue {
            sqlx::query(shared(sql::ENQUEUE_RESET))
                .bind(&new.id)
                .bind(&new.link.sealed_token)
                .bind(now)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(ResetOutcome::Created)
    }

    async fn seen_reset_key(&self, request: KeyedRequest<'_>) -> Result<Option<ResetOutcome>> {
        let mut tx = self.pool.begin().await?;
        let seen = seen_key(&mut *tx, request).await?;
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

    async fn consume_reset(&self, reset: ResetConsumption, now: i64) -> Result<Option<String>> {
        let (token_hash, password_hash) = (reset.token_hash, &reset.password_hash);
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
        let account = (org_id.as_str(), username_key.as_str());
        let username = set_password(&mut tx, account, password_hash, None, now)
            .await?
            .ok_or_else(|| GatewayError::Storage("the account changed during a reset".into()))?;
        sqlx::query(shared(sql::FORGET_FAILURES))
            .bind(account_throttle_key(&org_id, &username_key))
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(Some(username))
    }
}
