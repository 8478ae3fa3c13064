//! The SQLite side of [`JoinStore`]. The store's single connection serializes writers, so the
//! username checks below cannot interleave with a registration.

use async_trait::async_trait;
use orgdesk_protocol::{EventKind, JoinLinkRules, JoinRequestStatus};
use rusqlite::{params, params_from_iter, OptionalExtension, Row, Transaction};

use super::{insert_event, is_unique_violation, optional_pair, SqliteStore};
use crate::error::{GatewayError, Result};
use crate::store::columns::read_join_through;
use crate::store::join::{
    decision_step, fields_from_text, fields_to_text, lockout_secs, parse_status, status_str,
    username_gone, JoinLinkRecord, JoinLinkRotation, JoinLinkUpdate, JoinLinkWrite,
    JoinRequestDecision, JoinRequestView, JoinSecret, JoinSecrets, JoinStore, JoinSubmitOutcome,
    MessageBounce, NewJoinRequest, CODE_FAILURE_MEMORY_SECS,
};
use crate::store::sql;

const LINK_COLUMNS: &str = "org_id, organization_name, approval_required, required_fields, \
     expires_at, enabled, sealed_token, sealed_code";

fn link_from_row(r: &Row<'_>) -> rusqlite::Result<JoinLinkRecord> {
    Ok(JoinLinkRecord {
        org_id: r.get(0)?,
        rules: JoinLinkRules {
            organization_name: r.get(1)?,
            approval_required: r.get(2)?,
            required_fields: fields_from_text(&r.get::<_, String>(3)?),
            expires_at: r.get(4)?,
        },
        enabled: r.get(5)?,
        sealed_token: r.get(6)?,
        sealed_code: r.get(7)?,
    })
}

fn read_link(tx: &Transaction<'_>, org_id: &str) -> Result<Option<JoinLinkRecord>> {
    Ok(tx
        .query_row(
            &format!("SELECT {LINK_COLUMNS} FROM join_links WHERE org_id = ?1"),
            [org_id],
            link_from_row,
        )
        .optional()?)
}

/// Writes new secrets onto the organization's row; a code clash rolls back.
fn set_secrets(
    tx: Transaction<'_>,
    org_id: &str,
    fresh: &JoinSecrets,
    now: i64,
) -> Result<JoinLinkWrite> {
    let written = tx.execute(
        "UPDATE join_links SET token_sha256 = ?2, sealed_token = ?3, code_hash = ?4,
            sealed_code = ?5, enabled = 1, updated_at = ?6
         WHERE org_id = ?1",
        params![
            org_id,
            fresh.token_sha256,
            fresh.sealed_token,
            fresh.code_hash,
            fresh.sealed_code,
            now
        ],
    );
    match written {
        Ok(_) => commit_link(tx, org_id),
        Err(e) if is_unique_violation(&e) => Ok(JoinLinkWrite::CodeTaken),
        Err(e) => Err(e.into()),
    }
}

/// Commits a write of the organization's link, answering the link as written.
fn commit_link(tx: Transaction<'_>, org_id: &str) -> Result<JoinLinkWrite> {
    let record = read_link(&tx, org_id)?
        .ok_or_else(|| GatewayError::Storage("a join link vanished".into()))?;
    tx.commit()?;
    Ok(JoinLinkWrite::Written(record))
}

/// Whether `username_key` is an account's or a pending request's in the organization.
fn username_taken(tx: &Transaction<'_>, org_id: &str, username_key: &str) -> Result<bool> {
    Ok(tx
        .query_row(sql::USERNAME_IN_USE, params![org_id, username_key], |r| {
            r.get(0)
        })
        .optional()?
        .unwrap_or(true))
}

fn create_account(tx: &Transaction<'_>, org_id: &str, request_id: &str, now: i64) -> Result<bool> {
    let inserted = tx.execute(
        "INSERT INTO accounts (org_id, username_key, username, password_hash, created_at,
            join_request_id, account_id)
         SELECT org_id, username_key, username, password_hash, ?3, id, account_id
         FROM join_requests WHERE org_id = ?1 AND id = ?2",
        params![org_id, request_id, now],
    );
    match inserted {
        Ok(n) => Ok(n == 1),
        Err(e) if is_unique_violation(&e) => Ok(false),
        Err(e) => Err(e.into()),
    }
}

/// Writes a decision that changes request `id`: its state, the account an approval creates
/// and the message to the person. The state changes before the account is created, so the
/// request no longer holds its own username against it; an approval after a rejection drops
/// the refusal's reason, which the status page would otherwise still show.
fn write_decision(
    tx: &Transaction<'_>,
    org_id: &str,
    id: &str,
    to: JoinRequestStatus,
    now: i64,
) -> Result<()> {
    tx.execute(
        sql::DECIDE_JOIN_REQUEST,
        params![org_id, id, status_str(to), now],
    )?;
    let approved = to == JoinRequestStatus::Approved;
    if approved && !create_account(tx, org_id, id, now)? {
        return Err(username_gone());
    }
    queue_decision_mail(tx, id, approved, now)
}

/// Approves the waiting request that named `account_id` for `username_key`, creating that
/// account, as the decision the mirror shows was taken would (see
/// [`crate::store::AccountStore::mirror_accounts`]); `false` when no request named it.
pub(super) fn approve_waiting(
    tx: &Transaction<'_>,
    org_id: &str,
    account_id: &str,
    username_key: &str,
    now: i64,
) -> Result<bool> {
    let id: Option<String> = tx
        .query_row(
            sql::WAITING_REQUEST_NAMING,
            params![org_id, account_id, username_key],
            |r| r.get(0),
        )
        .optional()?;
    let Some(id) = id else {
        return Ok(false);
    };
    write_decision(tx, org_id, &id, JoinRequestStatus::Approved, now)?;
    Ok(true)
}

/// Queues the message telling the person of request `id` the decision, when they gave an
/// email; a decision message for the request still waiting is replaced (only the latest
/// decision is told).
fn queue_decision_mail(tx: &Transaction<'_>, id: &str, approved: bool, now: i64) -> Result<()> {
    tx.execute(sql::SUPERSEDE_DECISION_MAIL, params![id])?;
    tx.execute(
        "INSERT INTO outbox (kind, join_request_id, join_approved, sealed_token,
            next_attempt_at, created_at)
         SELECT 'join_decision', id, ?2, X'', ?3, ?3 FROM join_requests
         WHERE id = ?1 AND email IS NOT NULL",
        params![id, approved, now],
    )?;
    Ok(())
}

#[async_trait]
impl JoinStore for SqliteStore {
    async fn put_join_link(&self, update: JoinLinkUpdate, now: i64) -> Result<JoinLinkWrite> {
        let (org_id, rules, fresh) = (update.org_id, update.rules, update.fresh);
        self.in_transaction(move |tx| {
            let existing = read_link(&tx, &org_id)?;
            let fields = fields_to_text(&rules.required_fields);
            match existing {
                None => {
                    let inserted = tx.execute(
                        "INSERT INTO join_links (org_id, organization_name, approval_required,
                            required_fields, expires_at, enabled, token_sha256, sealed_token,
                            code_hash, sealed_code, created_at, updated_at)
                         VALUES (?1, ?2, ?3, ?4, ?5, 1, ?6, ?7, ?8, ?9, ?10, ?10)",
                        params![
                            org_id,
                            rules.organization_name,
                            rules.approval_required,
                            fields,
                            rules.expires_at,
                            fresh.token_sha256,
                            fresh.sealed_token,
                            fresh.code_hash,
                            fresh.sealed_code,
                            now
                        ],
                    );
                    match inserted {
                        Ok(_) => commit_link(tx, &org_id),
                        Err(e) if is_unique_violation(&e) => Ok(JoinLinkWrite::CodeTaken),
                        Err(e) => Err(e.into()),
                    }
                }
                Some(existing) => {
                    tx.execute(
                        sql::UPDATE_JOIN_RULES,
                        params![
                            org_id,
                            rules.organization_name,
                            rules.approval_required,
                            fields,
                            rules.expires_at,
                            now
                        ],
                    )?;
                    if existing.enabled {
                        commit_link(tx, &org_id)
                    } else {
                        set_secrets(tx, &org_id, &fresh, now)
                    }
                }
            }
        })
        .await
    }

    async fn rotate_join_link(&self, new: JoinLinkRotation, now: i64) -> Result<JoinLinkWrite> {
        let JoinLinkRotation { org_id, fresh } = new;
        self.in_transaction(move |tx| match read_link(&tx, &org_id)? {
            Some(link) if link.enabled => set_secrets(tx, &org_id, &fresh, now),
            _ => Ok(JoinLinkWrite::NotFound),
        })
        .await
    }

    async fn disable_join_link(&self, org_id: &str, now: i64) -> Result<bool> {
        let org_id = org_id.to_owned();
        self.with(move |c| {
            Ok(c.execute(
                "UPDATE join_links SET enabled = 0, updated_at = ?2 WHERE org_id = ?1",
                params![org_id, now],
            )? == 1)
        })
        .await
    }

    async fn join_link(&self, org_id: &str) -> Result<Option<JoinLinkRecord>> {
        let org_id = org_id.to_owned();
        self.in_transaction(move |tx| read_link(&tx, &org_id)).await
    }

    async fn find_join_link(&self, secret: JoinSecret) -> Result<Option<JoinLinkRecord>> {
        self.with(move |c| {
            let (column, hash) = match secret {
                JoinSecret::Link(h) => ("token_sha256", h),
                JoinSecret::Code(h) => ("code_hash", h),
            };
            Ok(c.query_row(
                &format!("SELECT {LINK_COLUMNS} FROM join_links WHERE {column} = ?1 AND enabled"),
                [hash],
                link_from_row,
            )
            .optional()?)
        })
        .await
    }

    async fn code_lockout(&self, client: &str, now: i64) -> Result<Option<i64>> {
        let client = client.to_owned();
        self.with(move |c| {
            Ok(
                c.query_row(sql::CODE_LOCKED_UNTIL, params![client, now], |r| r.get(0))
                    .optional()?,
            )
        })
        .await
    }

    async fn record_code_failure(&self, client: &str, now: i64) -> Result<Option<i64>> {
        let client = client.to_owned();
        self.in_transaction(move |tx| {
            let previous: Option<(i64, i64)> = optional_pair(
                &tx,
                "SELECT failures, last_failure_at FROM join_code_failures WHERE client = ?1",
                [&client],
            )?;
            let failures = match previous {
                Some((n, last)) if last > now - CODE_FAILURE_MEMORY_SECS => n.saturating_add(1),
                _ => 1,
            };
            let wait = lockout_secs(failures);
            let locked_until = (wait > 0).then(|| now.saturating_add(wait));
            tx.execute(
                "INSERT INTO join_code_failures (client, failures, last_failure_at, locked_until)
                 VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (client) DO UPDATE SET failures = ?2, last_failure_at = ?3,
                    locked_until = ?4",
                params![client, failures, now, locked_until],
            )?;
            tx.commit()?;
            Ok(locked_until)
        })
        .await
    }

    async fn submit_join_request(
        &self,
        new: NewJoinRequest,
        now: i64,
    ) -> Result<JoinSubmitOutcome> {
        self.in_transaction(move |tx| {
            let (column, hash) = match new.secret {
                JoinSecret::Link(h) => ("token_sha256", h),
                JoinSecret::Code(h) => ("code_hash", h),
            };
            let link = tx
                .query_row(&sql::usable_join_link(column), params![hash, now], |r| {
                    read_join_through(r)
                })
                .optional()?;
            let Some(link) = link else {
                return Ok(JoinSubmitOutcome::NotUsable);
            };
            let username_key = new.username.to_lowercase();
            if username_taken(&tx, &link.org_id, &username_key)? {
                return Ok(JoinSubmitOutcome::UsernameTaken);
            }
            let args = new.insert_args(&link, &username_key, now);
            tx.execute(sql::INSERT_JOIN_REQUEST, params_from_iter(args))?;
            let approval_required = link.approval_required;
            if !approval_required && !create_account(&tx, &link.org_id, &new.id, now)? {
                return Ok(JoinSubmitOutcome::UsernameTaken);
            }
            let kind = new.requested_event(approval_required);
            insert_event(&tx, &link.org_id, &kind, now)?;
            tx.commit()?;
            Ok(JoinSubmitOutcome::Done { approval_required })
        })
        .await
    }

    async fn decide_join_request(
        &self,
        decision: JoinRequestDecision,
        now: i64,
    ) -> Result<JoinRequestStatus> {
        let (org_id, id, approved) = (decision.org_id, decision.id, decision.approved);
        self.in_transaction(move |tx| {
            let row: Option<(String, String)> =
                optional_pair(&tx, sql::JOIN_REQUEST_STATE, params![org_id, id])?;
            let Some((state, username_key)) = row else {
                return Err(GatewayError::Missing("no such join request"));
            };
            let step = decision_step(&state, approved)?;
            if !step.changes {
                return Ok(step.to);
            }
            if step.recheck_username && username_taken(&tx, &org_id, &username_key)? {
                return Err(username_gone());
            }
            write_decision(&tx, &org_id, &id, step.to, now)?;
            tx.commit()?;
            Ok(step.to)
        })
        .await
    }

    async fn join_request_by_status_token(
        &self,
        token_sha256: [u8; 32],
    ) -> Result<Option<JoinRequestView>> {
        self.with(move |c| {
            let row: Option<(String, String, String, Option<String>)> = c
                .query_row(sql::JOIN_REQUEST_STATUS, [token_sha256], |r| {
                    Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
                })
                .optional()?;
            row.map(|(state, organization_name, username, refused_reason)| {
                Ok(JoinRequestView {
                    status: parse_status(&state).ok_or_else(|| {
                        GatewayError::Storage(format!("join request state {state}"))
                    })?,
                    organization_name,
                    username,
                    refused_reason,
                })
            })
            .transpose()
        })
        .await
    }

    async fn record_bounce(&self, bounce: MessageBounce, now: i64) -> Result<Option<String>> {
        let MessageBounce { message_id, reason } = bounce;
        self.in_transaction(move |tx| {
            let row: Option<(String, String)> = optional_pair(
                &tx,
                "UPDATE outbox SET bounced_at = ?2
                     WHERE id = (SELECT id FROM outbox
                                 WHERE message_id = ?1 AND state = 'sent'
                                   AND kind = 'invitation' AND bounced_at IS NULL
                                 ORDER BY id LIMIT 1)
                     RETURNING invitation_id,
                        (SELECT org_id FROM invitations WHERE id = outbox.invitation_id)",
                params![message_id, now],
            )?;
            let Some((invitation_id, org_id)) = row else {
                return Ok(None);
            };
            insert_event(
                &tx,
                &org_id,
                &EventKind::InvitationBounced {
                    invitation_id: invitation_id.clone(),
                    reason,
                },
                now,
            )?;
            tx.commit()?;
            Ok(Some(invitation_id))
        })
        .await
    }
}
