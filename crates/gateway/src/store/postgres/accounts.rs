//! Accounts on PostgreSQL: the state and the mirror the desktop pushes, refusals, the password
//! and the personal fields a member changes.

use async_trait::async_trait;
use orgdesk_protocol::{AccountState, EventKind};

use super::join::{approve_waiting, lock_username};
use super::{
    execute, insert_event, locked_row, member, revoke_resets, set_password, shared, shared_with,
    PostgresStore, Tx,
};
use crate::error::Result;
use crate::secrets;
use crate::store::sql;
use crate::store::{
    account_state_str, account_throttle_key, details_change, directory_made_id, AccountStateChange,
    AccountStore, DetailsSubmission, DirectoryMirror, DirectoryRefusal, MirrorItem, PasswordChange,
    RefuseOutcome, ORIGIN_DIRECTORY, USERNAME_IN_DIRECTORY,
};

/// Ends the account's sessions and voids its unused reset links: it may no longer be used
/// by whoever held it.
async fn end_access(tx: &mut Tx<'_>, org_id: &str, username_key: &str, now: i64) -> Result<()> {
    execute(
        &mut **tx,
        sql::END_SESSIONS,
        &[org_id.into(), username_key.into()],
    )
    .await?;
    revoke_resets(tx, org_id, username_key, "cancelled", now).await
}

async fn forget_failures(tx: &mut Tx<'_>, org_id: &str, username_key: &str) -> Result<()> {
    let key = account_throttle_key(org_id, username_key);
    execute(&mut **tx, sql::FORGET_FAILURES, &[key.as_str().into()]).await?;
    Ok(())
}

/// Mirrors one member of the directory (see [`AccountStore::mirror_accounts`]).
async fn mirror_one(tx: &mut Tx<'_>, org_id: &str, item: &MirrorItem, now: i64) -> Result<String> {
    let hash = item.password_hash.clone().unwrap_or_default();
    let state = account_state_str(item.state);
    let email = item.email.clone().unwrap_or_default();
    let mobile = item.mobile.clone().unwrap_or_default();
    // The lock join requests and the accounts trigger take on this username.
    lock_username(tx, org_id, &item.username_key).await?;
    let mut account_id = None;
    if let Some(id) = &item.account_id {
        let mut named: Option<(String, String)> =
            locked_row(tx, sql::ACCOUNT_KEY_AND_HASH, org_id, id).await?;
        // An approval the directory applied before its decision reached the gateway: the
        // account the request named is created now, and the member is mirrored onto it.
        if named.is_none() && approve_waiting(tx, org_id, id, &item.username_key, now).await? {
            named = locked_row(tx, sql::ACCOUNT_KEY_AND_HASH, org_id, id).await?;
        }
        match named {
            Some((key, old_hash)) if key == item.username_key => {
                sqlx::query(shared(sql::UPDATE_MIRRORED))
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
                sqlx::query(shared(sql::REMOVE_ACCOUNT))
                    .bind(org_id)
                    .bind(id)
                    .bind(now)
                    .execute(&mut **tx)
                    .await?;
                end_access(tx, org_id, &key, now).await?;
            }
            None => {
                let holders = sqlx::query_scalar(shared(sql::ACCOUNT_ID_HOLDERS))
                    .bind(id)
                    .fetch_one(&mut **tx)
                    .await?;
                account_id = directory_made_id(id, &item.username, holders)?;
            }
        }
    }
    // A pending request may not keep a username the directory uses.
    sqlx::query(shared(sql::REJECT_REQUESTS_FOR_USERNAME))
        .bind(org_id)
        .bind(&item.username_key)
        .bind(now)
        .bind(USERNAME_IN_DIRECTORY)
        .execute(&mut **tx)
        .await?;
    // Whoever holds the username here (registered under a name the directory uses) loses it
    // to the new account id; otherwise the account is new.
    let account_id = account_id.unwrap_or_else(secrets::new_account_id);
    sqlx::query(shared_with(
        sql::INSERT_MIRRORED,
        "ON CONFLICT (org_id, username_key) DO UPDATE SET
            account_id = EXCLUDED.account_id, username = EXCLUDED.username,
            password_hash = EXCLUDED.password_hash, state = EXCLUDED.state,
            name = EXCLUDED.name, email = EXCLUDED.email, mobile = EXCLUDED.mobile,
            origin = EXCLUDED.origin, invitation_id = NULL, join_request_id = NULL,
            refused_reason = NULL, updated_at = EXCLUDED.created_at",
    ))
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

#[async_trait]
impl AccountStore for PostgresStore {
    async fn set_account_state(&self, change: AccountStateChange, now: i64) -> Result<bool> {
        let (org_id, username_key, state) = (&change.org_id, &change.username_key, change.state);
        let mut tx = self.pool.begin().await?;
        let state_text = account_state_str(state);
        let args = [
            org_id.into(),
            username_key.into(),
            state_text.into(),
            now.into(),
        ];
        let n = execute(&mut *tx, sql::SET_ACCOUNT_STATE, &args).await?;
        if n != 1 {
            tx.rollback().await?;
            return Ok(false);
        }
        if state != AccountState::Enabled {
            end_access(&mut tx, org_id, username_key, now).await?;
        }
        tx.commit().await?;
        Ok(true)
    }

    async fn mirror_accounts(&self, mirror: DirectoryMirror, now: i64) -> Result<Vec<String>> {
        let DirectoryMirror { org_id, items } = &mirror;
        let mut tx = self.pool.begin().await?;
        let mut ids = Vec::with_capacity(items.len());
        for item in items {
            let id = mirror_one(&mut tx, org_id, item, now).await?;
            let must_change = i64::from(item.must_change_password);
            let args = [org_id.into(), (&id).into(), must_change.into()];
            execute(&mut *tx, sql::SET_MUST_CHANGE, &args).await?;
            ids.push(id);
        }
        tx.commit().await?;
        Ok(ids)
    }

    async fn refuse_account(&self, refusal: DirectoryRefusal, now: i64) -> Result<RefuseOutcome> {
        let (org_id, account_id, reason) = (&refusal.org_id, &refusal.account_id, &refusal.reason);
        let mut tx = self.pool.begin().await?;
        let row: Option<(String, String, Option<String>)> =
            sqlx::query_as(shared_with(sql::ACCOUNT_ORIGIN, "FOR UPDATE"))
                .bind(org_id)
                .bind(account_id)
                .fetch_optional(&mut *tx)
                .await?;
        let refusal_args = [org_id.into(), account_id.into(), reason.into(), now.into()];
        let outcome = match row {
            Some((origin, _, _)) if origin == ORIGIN_DIRECTORY => RefuseOutcome::DirectoryOwned,
            Some((_, key, request)) => {
                execute(&mut *tx, sql::REFUSE_ACCOUNT, &refusal_args).await?;
                end_access(&mut tx, org_id, &key, now).await?;
                if let Some(request) = request {
                    let args = [request.as_str().into(), reason.into()];
                    execute(&mut *tx, sql::SET_REQUEST_REFUSAL, &args).await?;
                }
                RefuseOutcome::Refused
            }
            // A request still waiting for its decision names the account it would give.
            None => {
                let n = execute(&mut *tx, sql::REFUSE_REQUEST_ACCOUNT, &refusal_args).await?;
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

    async fn password_hash(&self, org_id: &str, username_key: &str) -> Result<Option<String>> {
        Ok(sqlx::query_scalar(shared(sql::ENABLED_PASSWORD_HASH))
            .bind(org_id)
            .bind(username_key)
            .fetch_optional(&self.pool)
            .await?)
    }

    async fn change_password(&self, change: PasswordChange, now: i64) -> Result<bool> {
        let mut tx = self.pool.begin().await?;
        let account = (change.org_id.as_str(), change.username_key.as_str());
        let (hash, keep) = (&change.password_hash, Some(change.keep_session));
        let changed = set_password(&mut tx, account, hash, keep, now).await?;
        tx.commit().await?;
        Ok(changed.is_some())
    }

    async fn change_personal_details(
        &self,
        submission: DetailsSubmission,
        now: i64,
    ) -> Result<Option<EventKind>> {
        let (org_id, username_key) = (&submission.org_id, &submission.username_key);
        let mut tx = self.pool.begin().await?;
        let Some(current) = member(&mut tx, org_id, username_key, true).await? else {
            tx.rollback().await?;
            return Ok(None);
        };
        let Some(change) = details_change(&current, submission.details) else {
            tx.rollback().await?;
            return Ok(None);
        };
        sqlx::query(shared(sql::CHANGE_DETAILS))
            .bind(org_id)
            .bind(username_key)
            .bind(&change.name)
            .bind(&change.mobile)
            .bind(&change.email)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        insert_event(&mut tx, org_id, &change.event, now).await?;
        tx.commit().await?;
        Ok(Some(change.event))
    }
}
