//! The outbox on PostgreSQL: claiming due invitation and reset messages under a lease
//! (`FOR UPDATE SKIP LOCKED`), renewing it, and recording how each send ended.

use async_trait::async_trait;
use orgdesk_protocol::EventKind;
// Only compile-time constants are spliced into SQL (the shared column list); every value is a
// bind parameter. `AssertSqlSafe` records that for sqlx.
use sqlx::{AssertSqlSafe, Row};

use super::{
    insert_event, invitation_from_row, reset_from_row, PostgresStore, INVITATION_COLUMNS,
    RESET_COLUMNS,
};
use crate::error::Result;
use crate::store::{OutboxItem, OutboxStore, ResetOutboxItem};

#[async_trait]
impl OutboxStore for PostgresStore {
    async fn claim_due_message(
        &self,
        now: i64,
        lease_secs: i64,
        owner: &str,
    ) -> Result<Option<OutboxItem>> {
        let mut tx = self.pool.begin().await?;
        // SKIP LOCKED: instances claiming at the same moment take different rows.
        let claimed = sqlx::query(
            "WITH due AS (
                SELECT o.id, o.lease_owner FROM outbox o JOIN invitations i ON i.id = o.invitation_id
                WHERE o.state = 'pending' AND i.state = 'pending' AND o.next_attempt_at <= $1
                  AND (o.lease_until IS NULL OR o.lease_until <= $1)
                ORDER BY o.next_attempt_at, o.id LIMIT 1
                FOR UPDATE OF o SKIP LOCKED)
             UPDATE outbox SET lease_until = $2, lease_owner = $3, attempts = outbox.attempts + 1
             FROM due WHERE outbox.id = due.id
             RETURNING outbox.id, outbox.attempts - 1 AS attempts, outbox.sealed_token,
                outbox.invitation_id, due.lease_owner IS NOT NULL AS resumed",
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
        let invitation_id: String = claimed.try_get("invitation_id")?;
        let row = sqlx::query(AssertSqlSafe(format!(
            "SELECT {INVITATION_COLUMNS}, t.expires_at AS token_expires_at
             FROM invitations i JOIN invitation_tokens t
                  ON t.invitation_id = i.id AND t.revoked_at IS NULL
             WHERE i.id = $1 ORDER BY t.created_at DESC LIMIT 1"
        )))
        .bind(&invitation_id)
        .fetch_one(&mut *tx)
        .await?;
        let attempts: i32 = claimed.try_get("attempts")?;
        let item = OutboxItem {
            id: claimed.try_get("id")?,
            attempts: u32::try_from(attempts).unwrap_or(0),
            sealed_token: claimed.try_get("sealed_token")?,
            expires_at: row.try_get("token_expires_at")?,
            invitation: invitation_from_row(&row)?,
            resumed: claimed.try_get("resumed")?,
        };
        tx.commit().await?;
        Ok(Some(item))
    }

    async fn renew_lease(&self, outbox_id: i64, owner: &str, until: i64) -> Result<bool> {
        let renewed = sqlx::query(
            "UPDATE outbox SET lease_until = $3
             WHERE id = $1 AND lease_owner = $2 AND state = 'pending'",
        )
        .bind(outbox_id)
        .bind(owner)
        .bind(until)
        .execute(&self.pool)
        .await?
        .rows_affected();
        Ok(renewed == 1)
    }

    async fn message_sent(&self, outbox_id: i64, message_id: &str, now: i64) -> Result<()> {
        let mut tx = self.pool.begin().await?;
        let row = sqlx::query(
            "UPDATE outbox SET state = 'sent', sent_at = $2, message_id = $3, lease_until = NULL,
                        lease_owner = NULL
             WHERE id = $1 AND state = 'pending'
             RETURNING invitation_id,
                (SELECT org_id FROM invitations WHERE id = outbox.invitation_id) AS org_id",
        )
        .bind(outbox_id)
        .bind(now)
        .bind(message_id)
        .fetch_optional(&mut *tx)
        .await?;
        if let Some(row) = row {
            let org_id: String = row.try_get("org_id")?;
            let kind = EventKind::InvitationDelivered {
                invitation_id: row.try_get("invitation_id")?,
                message_id: message_id.to_owned(),
            };
            insert_event(&mut tx, &org_id, &kind, now).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    async fn message_failed(
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
                     WHERE id = $1 AND state = 'pending'
                     RETURNING invitation_id,
                        (SELECT org_id FROM invitations WHERE id = outbox.invitation_id) AS org_id",
                )
                .bind(outbox_id)
                .bind(error)
                .fetch_optional(&mut *tx)
                .await?;
                if let Some(row) = row {
                    let org_id: String = row.try_get("org_id")?;
                    let kind = EventKind::InvitationFailed {
                        invitation_id: row.try_get("invitation_id")?,
                        reason: error.to_owned(),
                    };
                    insert_event(&mut tx, &org_id, &kind, now).await?;
                }
            }
        }
        tx.commit().await?;
        Ok(())
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
}
