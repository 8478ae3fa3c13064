//! Password resets on PostgreSQL: creating one (with idempotency keys; resets of one account
//! under a row lock), looking a link up and consuming it.

use async_trait::async_trait;
use orgdesk_protocol::AccountState;

use super::{
    execute, optional_pair, record_key, revoke_resets, seen_key, set_password, shared, shared_with,
    state_from, Arg, PostgresStore,
};
use crate::error::{GatewayError, Result};
use crate::store::columns::read_reset_lookup;
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
        execute(&mut *tx, sql::INSERT_RESET, &new.insert_args(now)).await?;
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
        let hash = [Arg::from(&token_hash)];
        self.optional_row(&sql::lookup_reset(), &hash, read_reset_lookup)
            .await
    }

    async fn consume_reset(&self, reset: ResetConsumption, now: i64) -> Result<Option<String>> {
        let (token_hash, password_hash) = (reset.token_hash, &reset.password_hash);
        let mut tx = self.pool.begin().await?;
        let consumed: Option<(String, String)> = optional_pair(
            &mut *tx,
            sql::CONSUME_RESET,
            &[(&token_hash).into(), now.into()],
        )
        .await?;
        let Some((org_id, username_key)) = consumed else {
            tx.rollback().await?;
            return Ok(None);
        };
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
