//! Password resets on SQLite: creating one (with idempotency keys), looking a link up and
//! consuming it.

use async_trait::async_trait;
use orgdesk_protocol::AccountState;
use rusqlite::{params, params_from_iter};

use super::{
    insert_key, optional_pair, revoke_resets, seen_key, set_password, state_from, SqliteStore,
};
use crate::error::{GatewayError, Result};
use crate::store::columns::read_reset_lookup;
use crate::store::sql;
use crate::store::{
    account_throttle_key, KeyedRequest, NewPasswordReset, ResetConsumption, ResetLookup,
    ResetOutcome, ResetStore,
};

#[async_trait]
impl ResetStore for SqliteStore {
    async fn create_password_reset(&self, new: NewPasswordReset, now: i64) -> Result<ResetOutcome> {
        self.in_transaction(move |tx| {
            // Checked and inserted in one transaction, so racing retries create one reset.
            if let Some(seen) = seen_key(&tx, new.key().request())? {
                return Ok(seen);
            }
            let row: Option<(String, bool)> = optional_pair(
                &tx,
                sql::ACCOUNT_STATE_FOR_RESET,
                params![new.org_id, new.username_key],
            )?;
            let Some((state, reserved)) = row else {
                return Ok(ResetOutcome::UnknownAccount);
            };
            match state_from(state, 0)? {
                AccountState::Enabled => {}
                other => return Ok(ResetOutcome::AccountNotEnabled(other)),
            }
            if reserved {
                return Ok(ResetOutcome::NoPassword);
            }
            revoke_resets(&tx, &new.org_id, &new.username_key, "superseded", now)?;
            tx.execute(sql::INSERT_RESET, params_from_iter(new.insert_args(now)))?;
            insert_key::<ResetOutcome>(&tx, &new.key(), now)?;
            if new.link.enqueue {
                tx.execute(
                    sql::ENQUEUE_RESET,
                    params![new.id, new.link.sealed_token, now],
                )?;
            }
            tx.commit()?;
            Ok(ResetOutcome::Created)
        })
        .await
    }

    async fn seen_reset_key(&self, request: KeyedRequest<'_>) -> Result<Option<ResetOutcome>> {
        self.seen(request).await
    }

    async fn lookup_reset(&self, token_hash: [u8; 32]) -> Result<Option<ResetLookup>> {
        self.optional_row(sql::lookup_reset(), [token_hash], |r| read_reset_lookup(r))
            .await
    }

    async fn consume_reset(&self, reset: ResetConsumption, now: i64) -> Result<Option<String>> {
        let (token_hash, password_hash) = (reset.token_hash, reset.password_hash);
        self.in_transaction(move |tx| {
            let consumed: Option<(String, String)> =
                optional_pair(&tx, sql::CONSUME_RESET, params![token_hash, now])?;
            let Some((org_id, username_key)) = consumed else {
                return Ok(None);
            };
            let account = (org_id.as_str(), username_key.as_str());
            let username =
                set_password(&tx, account, password_hash, None, now)?.ok_or_else(|| {
                    GatewayError::Storage("the account changed during a reset".into())
                })?;
            tx.execute(
                sql::FORGET_FAILURES,
                [account_throttle_key(&org_id, &username_key)],
            )?;
            tx.commit()?;
            Ok(Some(username))
        })
        .await
    }
}
