//! Accounts, password resets, member sessions and sign-in failures on SQLite.

use async_trait::async_trait;
use orgdesk_protocol::{AccountState, EventKind};
use rusqlite::{params, OptionalExtension, Row, Transaction};

use super::{channel_str, insert_event, parse_channel, SqliteStore};
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

fn reset_from_row(row: &Row<'_>, at: usize) -> rusqlite::Result<PasswordReset> {
    Ok(PasswordReset {
        id: row.get(at)?,
        org_id: row.get(at + 1)?,
        username: row.get(at + 2)?,
        channel: parse_channel(&row.get::<_, String>(at + 3)?)?,
        recipient: row.get(at + 4)?,
        organization_name: row.get(at + 5)?,
        locale: row.get(at + 6)?,
    })
}

fn member_from_row(row: &Row<'_>) -> rusqlite::Result<Member> {
    Ok(Member {
        org_id: row.get(0)?,
        account_id: row.get(7)?,
        username_key: row.get(1)?,
        username: row.get(2)?,
        organization_name: row.get(3)?,
        name: row.get(4)?,
        mobile: row.get(5)?,
        email: row.get(6)?,
    })
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
            member_from_row,
        )
        .optional()?)
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
        "UPDATE outbox SET state = ?3
         WHERE state = 'pending' AND reset_id IN (
            SELECT id FROM password_resets
            WHERE org_id = ?1 AND username_key = ?2 AND used_at IS NULL AND revoked_at IS NULL)",
        params![org_id, username_key, outbox_state],
    )?;
    tx.execute(
        "UPDATE password_resets SET revoked_at = ?3
         WHERE org_id = ?1 AND username_key = ?2 AND used_at IS NULL AND revoked_at IS NULL",
        params![org_id, username_key, now],
    )?;
    Ok(())
}

/// Ends the account's sessions and voids its unused reset links: it may no longer be used
/// by whoever held it.
fn end_access(tx: &Transaction<'_>, org_id: &str, username_key: &str, now: i64) -> Result<()> {
    tx.execute(
        "DELETE FROM member_sessions WHERE org_id = ?1 AND username_key = ?2",
        params![org_id, username_key],
    )?;
    revoke_resets(tx, org_id, username_key, "cancelled", now)
}

/// Mirrors one member of the directory (see [`AccountStore::mirror_accounts`]).
fn mirror_one(tx: &Transaction<'_>, org_id: &str, item: &MirrorItem, now: i64) -> Result<String> {
    let hash = item.password_hash.clone().unwrap_or_default();
    let state = account_state_str(item.state);
    let email = item.email.clone().unwrap_or_default();
    let mobile = item.mobile.clone().unwrap_or_default();
    if let Some(id) = &item.account_id {
        let named: Option<(String, String)> = tx
            .query_row(
                "SELECT username_key, password_hash FROM accounts
                 WHERE org_id = ?1 AND account_id = ?2",
                params![org_id, id],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        match named {
            Some((key, old_hash)) if key == item.username_key => {
                tx.execute(
                    "UPDATE accounts SET username = ?3, password_hash = ?4, state = ?5,
                        name = ?6, email = ?7, mobile = ?8, origin = ?9, refused_reason = NULL,
                        updated_at = ?10
                     WHERE org_id = ?1 AND account_id = ?2",
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
                    tx.execute(
                        "DELETE FROM sign_in_failures WHERE key = ?1",
                        [account_throttle_key(org_id, &key)],
                    )?;
                }
                return Ok(id.clone());
            }
            Some((key, _)) => {
                // The directory renamed its member: the old username's account is over.
                tx.execute(
                    "UPDATE accounts SET state = 'removed', updated_at = ?3
                     WHERE org_id = ?1 AND account_id = ?2",
                    params![org_id, id, now],
                )?;
                end_access(tx, org_id, &key, now)?;
            }
            None => {}
        }
    }
    // A pending request may not keep a username the directory uses.
    tx.execute(
        "UPDATE join_requests SET state = 'rejected', decided_at = ?3, refused_reason = ?4
         WHERE org_id = ?1 AND username_key = ?2 AND state = 'pending'",
        params![org_id, item.username_key, now, USERNAME_IN_DIRECTORY],
    )?;
    let account_id = secrets::new_account_id();
    // Whoever holds the username here (registered under a name the directory uses) loses it.
    let taken = tx.execute(
        "UPDATE accounts SET account_id = ?3, username = ?4, password_hash = ?5, state = ?6,
            name = ?7, email = ?8, mobile = ?9, origin = ?10, invitation_id = NULL,
            join_request_id = NULL, refused_reason = NULL, updated_at = ?11
         WHERE org_id = ?1 AND username_key = ?2",
        params![
            org_id,
            item.username_key,
            account_id,
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
    if taken == 1 {
        end_access(tx, org_id, &item.username_key, now)?;
        tx.execute(
            "DELETE FROM sign_in_failures WHERE key = ?1",
            [account_throttle_key(org_id, &item.username_key)],
        )?;
    } else {
        tx.execute(
            "INSERT INTO accounts (org_id, username_key, username, password_hash, created_at,
                account_id, state, name, email, mobile, origin)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
            params![
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
            ],
        )?;
    }
    Ok(account_id)
}

fn seen_key(
    conn: &rusqlite::Connection,
    org_id: &str,
    key: &str,
    request_sha256: [u8; 32],
) -> Result<Option<ResetOutcome>> {
    let seen: Option<([u8; 32], String, Vec<u8>, i64)> = conn
        .query_row(
            "SELECT request_sha256, reset_id, sealed_token, expires_at
             FROM password_reset_keys WHERE org_id = ?1 AND key = ?2",
            params![org_id, key],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )
        .optional()?;
    Ok(seen.map(|(digest, reset_id, sealed_token, expires_at)| {
        if digest == request_sha256 {
            ResetOutcome::Replayed {
                reset_id,
                sealed_token,
                expires_at,
            }
        } else {
            ResetOutcome::KeyReused
        }
    }))
}

#[async_trait]
impl AccountStore for SqliteStore {
    async fn mirror_accounts(
        &self,
        org_id: &str,
        items: Vec<MirrorItem>,
        now: i64,
    ) -> Result<Vec<String>> {
        let org_id = org_id.to_owned();
        self.with(move |c| {
            let tx = c.transaction()?;
            let ids = items
                .iter()
                .map(|item| mirror_one(&tx, &org_id, item, now))
                .collect::<Result<Vec<_>>>()?;
            tx.commit()?;
            Ok(ids)
        })
        .await
    }

    async fn refuse_account(
        &self,
        org_id: &str,
        account_id: &str,
        reason: &str,
        now: i64,
    ) -> Result<RefuseOutcome> {
        let (org_id, account_id, reason) =
            (org_id.to_owned(), account_id.to_owned(), reason.to_owned());
        self.with(move |c| {
            let tx = c.transaction()?;
            let row: Option<(String, String, Option<String>)> = tx
                .query_row(
                    "SELECT origin, username_key, join_request_id FROM accounts
                     WHERE org_id = ?1 AND account_id = ?2",
                    params![org_id, account_id],
                    |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
                )
                .optional()?;
            let outcome = match row {
                Some((origin, _, _)) if origin == ORIGIN_DIRECTORY => RefuseOutcome::DirectoryOwned,
                Some((_, key, request)) => {
                    tx.execute(
                        "UPDATE accounts SET state = 'removed', refused_reason = ?3,
                            updated_at = ?4
                         WHERE org_id = ?1 AND account_id = ?2",
                        params![org_id, account_id, reason, now],
                    )?;
                    end_access(&tx, &org_id, &key, now)?;
                    if let Some(request) = request {
                        tx.execute(
                            "UPDATE join_requests SET refused_reason = ?2 WHERE id = ?1",
                            params![request, reason],
                        )?;
                    }
                    RefuseOutcome::Refused
                }
                // A request still waiting for its decision names the account it would give.
                None => {
                    let n = tx.execute(
                        "UPDATE join_requests SET refused_reason = ?3,
                            state = CASE WHEN state = 'pending' THEN 'rejected' ELSE state END,
                            decided_at = COALESCE(decided_at, ?4)
                         WHERE org_id = ?1 AND account_id = ?2",
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

    async fn set_account_state(
        &self,
        org_id: &str,
        username_key: &str,
        state: AccountState,
        now: i64,
    ) -> Result<bool> {
        let (org_id, username_key) = (org_id.to_owned(), username_key.to_owned());
        self.with(move |c| {
            let tx = c.transaction()?;
            let n = tx.execute(
                "UPDATE accounts SET state = ?3, updated_at = ?4
                 WHERE org_id = ?1 AND username_key = ?2",
                params![org_id, username_key, account_state_str(state), now],
            )?;
            if n != 1 {
                return Ok(false);
            }
            if state != AccountState::Enabled {
                tx.execute(
                    "DELETE FROM member_sessions WHERE org_id = ?1 AND username_key = ?2",
                    params![org_id, username_key],
                )?;
                revoke_resets(&tx, &org_id, &username_key, "cancelled", now)?;
            }
            tx.commit()?;
            Ok(true)
        })
        .await
    }

    async fn create_password_reset(&self, new: NewPasswordReset, now: i64) -> Result<ResetOutcome> {
        self.with(move |c| {
            let tx = c.transaction()?;
            // Checked and inserted in one transaction, so racing retries create one reset.
            if let Some(seen) =
                seen_key(&tx, &new.org_id, &new.idempotency_key, new.request_sha256)?
            {
                return Ok(seen);
            }
            let row: Option<(String, bool)> = tx
                .query_row(
                    "SELECT state, password_hash = '' FROM accounts
                     WHERE org_id = ?1 AND username_key = ?2",
                    params![new.org_id, new.username_key],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )
                .optional()?;
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
            tx.execute(
                "INSERT INTO password_resets (id, org_id, username_key, channel, recipient,
                    organization_name, locale, token_hash, created_at, expires_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
                params![
                    new.id,
                    new.org_id,
                    new.username_key,
                    channel_str(new.channel),
                    new.recipient,
                    new.organization_name,
                    new.locale,
                    new.token_hash,
                    now,
                    new.expires_at
                ],
            )?;
            tx.execute(
                "INSERT INTO password_reset_keys (org_id, key, request_sha256, reset_id,
                    sealed_token, expires_at, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                params![
                    new.org_id,
                    new.idempotency_key,
                    new.request_sha256,
                    new.id,
                    new.sealed_token,
                    new.expires_at,
                    now
                ],
            )?;
            if new.enqueue {
                tx.execute(
                    "INSERT INTO outbox (kind, reset_id, sealed_token, next_attempt_at, created_at)
                     VALUES ('password_reset', ?1, ?2, ?3, ?3)",
                    params![new.id, new.sealed_token, now],
                )?;
            }
            tx.commit()?;
            Ok(ResetOutcome::Created)
        })
        .await
    }

    async fn seen_reset_key(
        &self,
        org_id: &str,
        key: &str,
        request_sha256: [u8; 32],
    ) -> Result<Option<ResetOutcome>> {
        let (org_id, key) = (org_id.to_owned(), key.to_owned());
        self.with(move |c| seen_key(c, &org_id, &key, request_sha256))
            .await
    }

    async fn lookup_reset(&self, token_hash: [u8; 32]) -> Result<Option<ResetLookup>> {
        self.with(move |c| {
            let found = c
                .query_row(
                    &format!(
                        "SELECT {RESET_COLUMNS}, a.state, r.expires_at,
                            r.revoked_at IS NOT NULL, r.used_at IS NOT NULL
                         FROM password_resets r JOIN accounts a
                              ON a.org_id = r.org_id AND a.username_key = r.username_key
                         WHERE r.token_hash = ?1"
                    ),
                    [token_hash],
                    |r| {
                        Ok(ResetLookup {
                            reset: reset_from_row(r, 0)?,
                            account_state: state_from(r.get(7)?, 7)?,
                            expires_at: r.get(8)?,
                            revoked: r.get(9)?,
                            used: r.get(10)?,
                        })
                    },
                )
                .optional()?;
            Ok(found)
        })
        .await
    }

    async fn consume_reset(
        &self,
        token_hash: [u8; 32],
        password_hash: &str,
        now: i64,
    ) -> Result<Option<String>> {
        let password_hash = password_hash.to_owned();
        self.with(move |c| {
            let tx = c.transaction()?;
            let consumed: Option<(String, String)> = tx
                .query_row(
                    "UPDATE password_resets SET used_at = ?2
                     WHERE token_hash = ?1 AND used_at IS NULL AND revoked_at IS NULL
                       AND expires_at > ?2
                       AND EXISTS (SELECT 1 FROM accounts a
                                   WHERE a.org_id = password_resets.org_id
                                     AND a.username_key = password_resets.username_key
                                     AND a.state = 'enabled' AND a.password_hash <> '')
                     RETURNING org_id, username_key",
                    params![token_hash, now],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )
                .optional()?;
            let Some((org_id, username_key)) = consumed else {
                return Ok(None);
            };
            let (username, account_id): (String, String) = tx.query_row(
                "UPDATE accounts SET password_hash = ?3, updated_at = ?4
                 WHERE org_id = ?1 AND username_key = ?2 RETURNING username, account_id",
                params![org_id, username_key, password_hash, now],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )?;
            tx.execute(
                "DELETE FROM member_sessions WHERE org_id = ?1 AND username_key = ?2",
                params![org_id, username_key],
            )?;
            tx.execute(
                "DELETE FROM sign_in_failures WHERE key = ?1",
                [account_throttle_key(&org_id, &username_key)],
            )?;
            insert_event(
                &tx,
                &org_id,
                &EventKind::PasswordChanged {
                    account_id: Some(account_id),
                    username: username.clone(),
                    password_hash,
                },
                now,
            )?;
            tx.commit()?;
            Ok(Some(username))
        })
        .await
    }

    async fn claim_due_reset_message(
        &self,
        now: i64,
        lease_secs: i64,
        owner: &str,
    ) -> Result<Option<ResetOutboxItem>> {
        let owner = owner.to_owned();
        self.with(move |c| {
            let tx = c.transaction()?;
            let item = tx
                .query_row(
                    &format!(
                        "SELECT o.id, o.attempts, o.sealed_token, r.expires_at,
                                o.lease_owner IS NOT NULL, {RESET_COLUMNS}
                         FROM outbox o
                         JOIN password_resets r ON r.id = o.reset_id
                         JOIN accounts a ON a.org_id = r.org_id AND a.username_key = r.username_key
                         WHERE o.kind = 'password_reset' AND o.state = 'pending'
                           AND r.revoked_at IS NULL AND r.used_at IS NULL
                           AND o.next_attempt_at <= ?1
                           AND (o.lease_until IS NULL OR o.lease_until <= ?1)
                         ORDER BY o.next_attempt_at, o.id LIMIT 1"
                    ),
                    [now],
                    |r| {
                        Ok(ResetOutboxItem {
                            id: r.get(0)?,
                            attempts: r.get(1)?,
                            sealed_token: r.get(2)?,
                            expires_at: r.get(3)?,
                            resumed: r.get(4)?,
                            reset: reset_from_row(r, 5)?,
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

    async fn reset_message_sent(&self, outbox_id: i64, message_id: &str, now: i64) -> Result<()> {
        let message_id = message_id.to_owned();
        self.with(move |c| {
            let tx = c.transaction()?;
            let row: Option<(String, String)> = tx
                .query_row(
                    "UPDATE outbox SET state = 'sent', sent_at = ?2, message_id = ?3,
                        lease_until = NULL, lease_owner = NULL
                     WHERE id = ?1 AND state = 'pending' AND kind = 'password_reset'
                     RETURNING reset_id,
                        (SELECT org_id FROM password_resets WHERE id = outbox.reset_id)",
                    params![outbox_id, now, message_id],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )
                .optional()?;
            if let Some((reset_id, org_id)) = row {
                insert_event(
                    &tx,
                    &org_id,
                    &EventKind::PasswordResetDelivered {
                        reset_id,
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

    async fn reset_message_failed(
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
                             WHERE id = ?1 AND state = 'pending' AND kind = 'password_reset'
                             RETURNING reset_id,
                                (SELECT org_id FROM password_resets
                                 WHERE id = outbox.reset_id)",
                            params![outbox_id, error],
                            |r| Ok((r.get(0)?, r.get(1)?)),
                        )
                        .optional()?;
                    if let Some((reset_id, org_id)) = row {
                        insert_event(
                            &tx,
                            &org_id,
                            &EventKind::PasswordResetFailed {
                                reset_id,
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

    async fn sign_in_candidates(&self, username_key: &str) -> Result<Vec<SignInCandidate>> {
        let username_key = username_key.to_owned();
        self.with(move |c| {
            let mut stmt = c.prepare_cached(
                "SELECT org_id, username_key, username, password_hash, state, account_id,
                    refused_reason
                 FROM accounts
                 WHERE username_key = ?1 ORDER BY created_at, org_id LIMIT 10",
            )?;
            let rows = stmt.query_map([username_key], |r| {
                Ok(SignInCandidate {
                    org_id: r.get(0)?,
                    account_id: r.get(5)?,
                    username_key: r.get(1)?,
                    username: r.get(2)?,
                    password_hash: r.get(3)?,
                    state: state_from(r.get(4)?, 4)?,
                    refused_reason: r.get(6)?,
                })
            })?;
            Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
        })
        .await
    }

    async fn charge_sign_in(
        &self,
        address: (&str, LockoutPolicy),
        accounts: (&[String], LockoutPolicy),
        now: i64,
    ) -> Result<SignInCharge> {
        let (address_key, address_policy) = (address.0.to_owned(), address.1);
        let (account_keys, account_policy) = (accounts.0.to_vec(), accounts.1);
        self.with(move |c| {
            let tx = c.transaction()?;
            let read = |key: &str| -> Result<Option<FailureRow>> {
                Ok(tx
                    .query_row(
                        "SELECT failures, last_failure_at, locked_until
                         FROM sign_in_failures WHERE key = ?1",
                        [key],
                        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
                    )
                    .optional()?)
            };
            let address_row = read(&address_key)?;
            let rows = account_keys
                .iter()
                .map(|k| read(k))
                .collect::<Result<Vec<_>>>()?;
            let (charge, writes) =
                plan_sign_in_charge((address_row, address_policy), (&rows, account_policy), now);
            for (index, failures, until) in writes {
                let key = if index == 0 {
                    &address_key
                } else {
                    &account_keys[index - 1]
                };
                tx.execute(
                    "INSERT INTO sign_in_failures (key, failures, last_failure_at, locked_until)
                     VALUES (?1, ?2, ?3, ?4)
                     ON CONFLICT (key) DO UPDATE
                     SET failures = ?2, last_failure_at = ?3, locked_until = ?4",
                    params![key, failures, now, until],
                )?;
            }
            tx.commit()?;
            Ok(charge)
        })
        .await
    }

    async fn forgive_sign_in(&self, matched: &str, charged: &[String]) -> Result<()> {
        let (matched, charged) = (matched.to_owned(), charged.to_vec());
        self.with(move |c| {
            let tx = c.transaction()?;
            forgive(&tx, &matched, &charged)?;
            tx.commit()?;
            Ok(())
        })
        .await
    }

    async fn start_session(
        &self,
        org_id: &str,
        username_key: &str,
        session_hash: [u8; 32],
        throttle: (&str, &[String]),
        now: i64,
    ) -> Result<()> {
        let (org_id, username_key) = (org_id.to_owned(), username_key.to_owned());
        let (matched, charged) = (throttle.0.to_owned(), throttle.1.to_vec());
        self.with(move |c| {
            let tx = c.transaction()?;
            forgive(&tx, &matched, &charged)?;
            let (username, account_id): (String, String) = tx.query_row(
                "SELECT username, account_id FROM accounts WHERE org_id = ?1 AND username_key = ?2",
                params![org_id, username_key],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )?;
            tx.execute(
                "INSERT INTO member_sessions (hash, org_id, username_key, created_at, last_seen_at)
                 VALUES (?1, ?2, ?3, ?4, ?4)",
                params![session_hash, org_id, username_key, now],
            )?;
            insert_event(
                &tx,
                &org_id,
                &EventKind::SignedIn {
                    account_id: Some(account_id),
                    username,
                },
                now,
            )?;
            tx.commit()?;
            Ok(())
        })
        .await
    }

    async fn member_session(
        &self,
        session_hash: [u8; 32],
        now: i64,
        idle_secs: i64,
        max_secs: i64,
    ) -> Result<Option<Member>> {
        self.with(move |c| {
            let tx = c.transaction()?;
            let session: Option<(String, String)> = tx
                .query_row(
                    "UPDATE member_sessions SET last_seen_at = ?2
                     WHERE hash = ?1 AND last_seen_at > ?2 - ?3 AND created_at > ?2 - ?4
                     RETURNING org_id, username_key",
                    params![session_hash, now, idle_secs, max_secs],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )
                .optional()?;
            let Some((org_id, username_key)) = session else {
                return Ok(None);
            };
            let found = member(&tx, &org_id, &username_key)?;
            tx.commit()?;
            Ok(found)
        })
        .await
    }

    async fn end_session(&self, session_hash: [u8; 32]) -> Result<()> {
        self.with(move |c| {
            c.execute(
                "DELETE FROM member_sessions WHERE hash = ?1",
                [session_hash],
            )?;
            Ok(())
        })
        .await
    }

    async fn password_hash(&self, org_id: &str, username_key: &str) -> Result<Option<String>> {
        let (org_id, username_key) = (org_id.to_owned(), username_key.to_owned());
        self.with(move |c| {
            Ok(c.query_row(
                "SELECT password_hash FROM accounts
                 WHERE org_id = ?1 AND username_key = ?2 AND state = 'enabled'",
                params![org_id, username_key],
                |r| r.get(0),
            )
            .optional()?)
        })
        .await
    }

    async fn change_password(
        &self,
        org_id: &str,
        username_key: &str,
        password_hash: &str,
        keep_session: [u8; 32],
        now: i64,
    ) -> Result<bool> {
        let (org_id, username_key, password_hash) = (
            org_id.to_owned(),
            username_key.to_owned(),
            password_hash.to_owned(),
        );
        self.with(move |c| {
            let tx = c.transaction()?;
            let changed: Option<(String, String)> = tx
                .query_row(
                    "UPDATE accounts SET password_hash = ?3, updated_at = ?4
                     WHERE org_id = ?1 AND username_key = ?2 AND state = 'enabled'
                     RETURNING username, account_id",
                    params![org_id, username_key, password_hash, now],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )
                .optional()?;
            let Some((username, account_id)) = changed else {
                return Ok(false);
            };
            tx.execute(
                "DELETE FROM member_sessions
                 WHERE org_id = ?1 AND username_key = ?2 AND hash <> ?3",
                params![org_id, username_key, keep_session],
            )?;
            insert_event(
                &tx,
                &org_id,
                &EventKind::PasswordChanged {
                    account_id: Some(account_id),
                    username,
                    password_hash,
                },
                now,
            )?;
            tx.commit()?;
            Ok(true)
        })
        .await
    }

    async fn change_personal_details(
        &self,
        org_id: &str,
        username_key: &str,
        details: PersonalDetails,
        now: i64,
    ) -> Result<Option<EventKind>> {
        let (org_id, username_key) = (org_id.to_owned(), username_key.to_owned());
        self.with(move |c| {
            let tx = c.transaction()?;
            let Some(current) = member(&tx, &org_id, &username_key)? else {
                return Ok(None);
            };
            let Some(event) = details_change(&current, details) else {
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
            tx.execute(
                "UPDATE accounts SET name = COALESCE(?3, name), mobile = COALESCE(?4, mobile),
                    email = COALESCE(?5, email), updated_at = ?6
                 WHERE org_id = ?1 AND username_key = ?2",
                params![org_id, username_key, name, mobile, email, now],
            )?;
            insert_event(&tx, &org_id, &event, now)?;
            tx.commit()?;
            Ok(Some(event))
        })
        .await
    }

    async fn report_expired_invitations(&self, now: i64, limit: u32) -> Result<u32> {
        self.with(move |c| {
            let tx = c.transaction()?;
            let due: Vec<(Vec<u8>, String, String)> = {
                let mut stmt = tx.prepare_cached(
                    "SELECT t.hash, i.id, i.org_id
                     FROM invitation_tokens t JOIN invitations i ON i.id = t.invitation_id
                     WHERE t.revoked_at IS NULL AND t.used_at IS NULL
                       AND t.expiry_reported_at IS NULL AND t.expires_at <= ?1
                       AND i.state = 'pending'
                     ORDER BY t.expires_at LIMIT ?2",
                )?;
                let rows = stmt.query_map(params![now, limit], |r| {
                    Ok((r.get(0)?, r.get(1)?, r.get(2)?))
                })?;
                rows.collect::<rusqlite::Result<_>>()?
            };
            let mut reported = 0;
            for (hash, invitation_id, org_id) in due {
                let marked = tx.execute(
                    "UPDATE invitation_tokens SET expiry_reported_at = ?2
                     WHERE hash = ?1 AND expiry_reported_at IS NULL",
                    params![hash, now],
                )?;
                if marked == 1 {
                    insert_event(
                        &tx,
                        &org_id,
                        &EventKind::InvitationExpired { invitation_id },
                        now,
                    )?;
                    reported += 1;
                }
            }
            tx.commit()?;
            Ok(reported)
        })
        .await
    }

    async fn prune_stale(&self, before: StaleBefore, now: i64, limit: u32) -> Result<Pruned> {
        self.with(move |c| {
            let mut pruned = Pruned::default();
            // Each kind in its own short transaction, at most `limit` rows: the one writer is
            // never held for long.
            let deleted = c.execute(
                "DELETE FROM member_sessions WHERE hash IN (
                    SELECT hash FROM member_sessions
                    WHERE last_seen_at < ?1 OR created_at < ?2 LIMIT ?3)",
                params![before.session_seen, before.session_started, limit],
            )?;
            pruned.sessions = u32::try_from(deleted).unwrap_or(u32::MAX);
            let deleted = c.execute(
                "DELETE FROM sign_in_failures WHERE key IN (
                    SELECT key FROM sign_in_failures
                    WHERE last_failure_at < ?1 AND (locked_until IS NULL OR locked_until <= ?2)
                    LIMIT ?3)",
                params![before.sign_in_failure, now, limit],
            )?;
            pruned.sign_in_failures = u32::try_from(deleted).unwrap_or(u32::MAX);
            let deleted = c.execute(
                "DELETE FROM join_code_failures WHERE client IN (
                    SELECT client FROM join_code_failures
                    WHERE last_failure_at < ?1 AND (locked_until IS NULL OR locked_until <= ?2)
                    LIMIT ?3)",
                params![before.code_failure, now, limit],
            )?;
            pruned.code_failures = u32::try_from(deleted).unwrap_or(u32::MAX);
            Ok(pruned)
        })
        .await
    }
}

/// Forgets the failures of the account that was opened and takes back the attempt counted
/// against the address and the other accounts.
fn forgive(tx: &Transaction<'_>, matched: &str, charged: &[String]) -> Result<()> {
    tx.execute("DELETE FROM sign_in_failures WHERE key = ?1", [matched])?;
    for key in charged {
        tx.execute(
            "UPDATE sign_in_failures SET failures = MAX(failures - 1, 0), locked_until = NULL
             WHERE key = ?1",
            [key],
        )?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use rusqlite::Connection;
    use rusqlite_migration::Migrations;

    use super::super::{SqliteStore, MIGRATIONS};
    use crate::store::{AccountStore, GatewayStore};

    /// A database written by the first schema keeps its accounts, invitations and queued
    /// mail through the accounts migration, and the queued mail is still sent.
    #[tokio::test]
    async fn the_accounts_migration_keeps_what_the_first_schema_holds() {
        let mut conn = Connection::open_in_memory().unwrap();
        Migrations::from_slice(&MIGRATIONS[..1])
            .to_latest(&mut conn)
            .unwrap();
        conn.execute_batch(
            "INSERT INTO organizations VALUES ('org_1', 'Acme', x'00', 1);
             INSERT INTO invitations (id, org_id, channel, recipient, invitee_name,
                organization_name, department_label, position_label, inviter_name, locale,
                lifetime_secs, state, created_at)
             VALUES ('inv_1', 'org_1', 'email', 'li@example.org', 'Li Wei', 'Acme Ltd', '',
                '', 'Ann', 'en', 600, 'pending', 1),
                    ('inv_2', 'org_1', 'sms', '+8613800138000', 'Zhang San', 'Acme Ltd', '',
                '', 'Ann', 'en', 600, 'registered', 1);
             INSERT INTO invitation_tokens (hash, invitation_id, created_at, expires_at)
             VALUES (x'01', 'inv_1', 1, 601);
             INSERT INTO outbox (id, invitation_id, sealed_token, next_attempt_at, created_at)
             VALUES (7, 'inv_1', x'02', 1, 1);
             INSERT INTO accounts VALUES ('org_1', 'zhang.san', 'Zhang.San', '$argon2id$x',
                'inv_2', 2);",
        )
        .unwrap();
        let store = SqliteStore::init(conn).unwrap();

        let claimed = store
            .claim_due_message(10, 60, "wrk_test")
            .await
            .unwrap()
            .unwrap();
        assert_eq!((claimed.id, claimed.invitation.id.as_str()), (7, "inv_1"));
        let candidates = store.sign_in_candidates("zhang.san").await.unwrap();
        assert_eq!(candidates.len(), 1);
        assert_eq!(candidates[0].state, orgdesk_protocol::AccountState::Enabled);
        // Personal fields the member never changed come from the invitation.
        let conn = std::sync::Arc::clone(&store.conn);
        let (kind, mobile): (String, String) = {
            let c = conn.lock().unwrap();
            let kind = c
                .query_row("SELECT kind FROM outbox WHERE id = 7", [], |r| r.get(0))
                .unwrap();
            let mobile = c
                .query_row(
                    &format!(
                        "SELECT {} FROM {} WHERE a.username_key = 'zhang.san'",
                        crate::store::MEMBER_COLUMNS,
                        crate::store::MEMBER_FROM
                    ),
                    [],
                    |r| r.get(5),
                )
                .unwrap();
            // New rows continue after the old ids.
            c.execute(
                "INSERT INTO outbox (invitation_id, sealed_token, next_attempt_at, created_at)
                 VALUES ('inv_1', x'03', 1, 1)",
                [],
            )
            .unwrap();
            assert!(c.last_insert_rowid() > 7);
            (kind, mobile)
        };
        assert_eq!(kind, "invitation");
        assert_eq!(mobile, "+8613800138000");
        // Expired links of pending invitations are reported once.
        assert_eq!(store.report_expired_invitations(700, 10).await.unwrap(), 1);
        assert_eq!(store.report_expired_invitations(800, 10).await.unwrap(), 0);
    }
}
