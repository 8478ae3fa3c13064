//! Accounts on SQLite: the state and the mirror the desktop pushes, refusals, the password
//! and the personal fields a member changes.

use async_trait::async_trait;
use orgdesk_protocol::{AccountState, EventKind};
use rusqlite::{params, OptionalExtension, Transaction};

use super::join::approve_waiting;
use super::{insert_event, member, optional_pair, revoke_resets, set_password, SqliteStore};
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
fn end_access(tx: &Transaction<'_>, org_id: &str, username_key: &str, now: i64) -> Result<()> {
    tx.execute(sql::END_SESSIONS, params![org_id, username_key])?;
    revoke_resets(tx, org_id, username_key, "cancelled", now)
}

/// Mirrors one member of the directory (see [`AccountStore::mirror_accounts`]).
fn mirror_one(tx: &Transaction<'_>, org_id: &str, item: &MirrorItem, now: i64) -> Result<String> {
    let hash = item.password_hash.clone().unwrap_or_default();
    let state = account_state_str(item.state);
    let email = item.email.clone().unwrap_or_default();
    let mobile = item.mobile.clone().unwrap_or_default();
    let mut account_id = None;
    if let Some(id) = &item.account_id {
        let mut named: Option<(String, String)> =
            optional_pair(tx, sql::ACCOUNT_KEY_AND_HASH, params![org_id, id])?;
        // An approval the directory applied before its decision reached the gateway: the
        // account the request named is created now, and the member is mirrored onto it.
        if named.is_none() && approve_waiting(tx, org_id, id, &item.username_key, now)? {
            named = optional_pair(tx, sql::ACCOUNT_KEY_AND_HASH, params![org_id, id])?;
        }
        match named {
            Some((key, old_hash)) if key == item.username_key => {
                tx.execute(
                    sql::UPDATE_MIRRORED,
                    params![
                        org_id,
                        id,
                        item.username,
                        hash,
                        state,
                        item.name,
                        email,
                        mobile,
                        ORIGIN_DIRECTORY,
                        now
                    ],
                )?;
                if old_hash != hash || item.state != AccountState::Enabled {
                    end_access(tx, org_id, &key, now)?;
                }
                if old_hash != hash {
                    tx.execute(sql::FORGET_FAILURES, [account_throttle_key(org_id, &key)])?;
                }
                return Ok(id.clone());
            }
            Some((key, _)) => {
                // The directory renamed its member: the old username's account is over.
                tx.execute(sql::REMOVE_ACCOUNT, params![org_id, id, now])?;
                end_access(tx, org_id, &key, now)?;
            }
            None => {
                let holders = tx.query_row(sql::ACCOUNT_ID_HOLDERS, [id], |r| r.get(0))?;
                account_id = directory_made_id(id, &item.username, holders)?;
            }
        }
    }
    // A pending request may not keep a username the directory uses.
    tx.execute(
        sql::REJECT_REQUESTS_FOR_USERNAME,
        params![org_id, item.username_key, now, USERNAME_IN_DIRECTORY],
    )?;
    let account_id = account_id.unwrap_or_else(secrets::new_account_id);
    let fields = params![
        org_id,
        item.username_key,
        item.username,
        hash,
        now,
        account_id,
        state,
        item.name,
        email,
        mobile,
        ORIGIN_DIRECTORY
    ];
    // Whoever holds the username here (registered under a name the directory uses) loses it;
    // the update binds as sql::INSERT_MIRRORED does.
    let taken = tx.execute(
        "UPDATE accounts SET account_id = ?6, username = ?3, password_hash = ?4, state = ?7,
            name = ?8, email = ?9, mobile = ?10, origin = ?11, invitation_id = NULL,
            join_request_id = NULL, refused_reason = NULL, updated_at = ?5
         WHERE org_id = ?1 AND username_key = ?2",
        fields,
    )?;
    if taken == 1 {
        end_access(tx, org_id, &item.username_key, now)?;
        tx.execute(
            sql::FORGET_FAILURES,
            [account_throttle_key(org_id, &item.username_key)],
        )?;
    } else {
        tx.execute(sql::INSERT_MIRRORED, fields)?;
    }
    Ok(account_id)
}

#[async_trait]
impl AccountStore for SqliteStore {
    async fn set_account_state(&self, change: AccountStateChange, now: i64) -> Result<bool> {
        let (org_id, username_key, state) = (change.org_id, change.username_key, change.state);
        self.in_transaction(move |tx| {
            let n = tx.execute(
                sql::SET_ACCOUNT_STATE,
                params![org_id, username_key, account_state_str(state), now],
            )?;
            if n != 1 {
                return Ok(false);
            }
            if state != AccountState::Enabled {
                tx.execute(sql::END_SESSIONS, params![org_id, username_key])?;
                revoke_resets(&tx, &org_id, &username_key, "cancelled", now)?;
            }
            tx.commit()?;
            Ok(true)
        })
        .await
    }

    async fn mirror_accounts(&self, mirror: DirectoryMirror, now: i64) -> Result<Vec<String>> {
        let DirectoryMirror { org_id, items } = mirror;
        self.in_transaction(move |tx| {
            let ids = items
                .iter()
                .map(|item| {
                    let id = mirror_one(&tx, &org_id, item, now)?;
                    tx.execute(
                        sql::SET_MUST_CHANGE,
                        params![org_id, id, i64::from(item.must_change_password)],
                    )?;
                    Ok(id)
                })
                .collect::<Result<Vec<_>>>()?;
            tx.commit()?;
            Ok(ids)
        })
        .await
    }

    async fn refuse_account(&self, refusal: DirectoryRefusal, now: i64) -> Result<RefuseOutcome> {
        let (org_id, account_id, reason) = (refusal.org_id, refusal.account_id, refusal.reason);
        self.in_transaction(move |tx| {
            let row: Option<(String, String, Option<String>)> = tx
                .query_row(sql::ACCOUNT_ORIGIN, params![org_id, account_id], |r| {
                    Ok((r.get(0)?, r.get(1)?, r.get(2)?))
                })
                .optional()?;
            let outcome = match row {
                Some((origin, _, _)) if origin == ORIGIN_DIRECTORY => RefuseOutcome::DirectoryOwned,
                Some((_, key, request)) => {
                    tx.execute(
                        sql::REFUSE_ACCOUNT,
                        params![org_id, account_id, reason, now],
                    )?;
                    end_access(&tx, &org_id, &key, now)?;
                    if let Some(request) = request {
                        tx.execute(sql::SET_REQUEST_REFUSAL, params![request, reason])?;
                    }
                    RefuseOutcome::Refused
                }
                // A request still waiting for its decision names the account it would give.
                None => {
                    let n = tx.execute(
                        sql::REFUSE_REQUEST_ACCOUNT,
                        params![org_id, account_id, reason, now],
                    )?;
                    if n == 1 {
                        RefuseOutcome::Refused
                    } else {
                        RefuseOutcome::Unknown
                    }
                }
            };
            tx.commit()?;
            Ok(outcome)
        })
        .await
    }

    async fn password_hash(&self, org_id: &str, username_key: &str) -> Result<Option<String>> {
        let (org_id, username_key) = (org_id.to_owned(), username_key.to_owned());
        self.with(move |c| {
            Ok(c.query_row(
                sql::ENABLED_PASSWORD_HASH,
                params![org_id, username_key],
                |r| r.get(0),
            )
            .optional()?)
        })
        .await
    }

    async fn change_password(&self, change: PasswordChange, now: i64) -> Result<bool> {
        self.in_transaction(move |tx| {
            let account = (change.org_id.as_str(), change.username_key.as_str());
            let hash = change.password_hash;
            let changed = set_password(&tx, account, hash, Some(change.keep_session), now)?;
            tx.commit()?;
            Ok(changed.is_some())
        })
        .await
    }

    async fn change_personal_details(
        &self,
        submission: DetailsSubmission,
        now: i64,
    ) -> Result<Option<EventKind>> {
        let (org_id, username_key) = (submission.org_id, submission.username_key);
        self.in_transaction(move |tx| {
            let Some(current) = member(&tx, &org_id, &username_key)? else {
                return Ok(None);
            };
            let Some(change) = details_change(&current, submission.details) else {
                return Ok(None);
            };
            tx.execute(
                sql::CHANGE_DETAILS,
                params![
                    org_id,
                    username_key,
                    change.name,
                    change.mobile,
                    change.email,
                    now
                ],
            )?;
            insert_event(&tx, &org_id, &change.event, now)?;
            tx.commit()?;
            Ok(Some(change.event))
        })
        .await
    }
}
