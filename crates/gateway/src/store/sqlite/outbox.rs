//! The outbox on SQLite: claiming due invitation and reset messages under a lease, renewing
//! it, and recording how each send ended.

use async_trait::async_trait;
use orgdesk_protocol::EventKind;
use rusqlite::{params, OptionalExtension};

use super::{
    insert_event, invitation_from_row, reset_from_row, SqliteStore, INVITATION_COLUMNS,
    RESET_COLUMNS,
};
use crate::error::Result;
use crate::store::{OutboxItem, OutboxStore, ResetOutboxItem};

#[async_trait]
impl OutboxStore for SqliteStore {
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
}
