//! The outbox on PostgreSQL: claiming due invitation, reset and join decision messages under
//! a lease
//! (`FOR UPDATE SKIP LOCKED`), renewing it, and recording how each send ended.

use async_trait::async_trait;
// Only compile-time constants are spliced into SQL (the shared column list); every value is a
// bind parameter. `AssertSqlSafe` records that for sqlx.
use sqlx::postgres::PgRow;
use sqlx::{AssertSqlSafe, Row};

use super::{execute, insert_event, shared, PostgresStore, Tx};
use crate::error::Result;
use crate::store::{
    columns, sql, FinishedSend, JoinDecisionOutboxItem, Lease, LinkOutboxItem, OutboxItem,
    OutboxStore, ResetOutboxItem, SendEnd,
};

#[async_trait]
impl OutboxStore for PostgresStore {
    async fn claim_due_message(&self, lease: Lease<'_>) -> Result<Option<OutboxItem>> {
        let message = format!(
            "SELECT {}, t.expires_at {INVITATION_MESSAGE}",
            columns::INVITATION_COLUMNS
        );
        self.claim_link(INVITATION_DUE, message, lease, |row| {
            columns::read_invitation(row, 0)
        })
        .await
    }

    async fn renew_lease(&self, outbox_id: i64, owner: &str, until: i64) -> Result<bool> {
        let args = [outbox_id.into(), owner.into(), until.into()];
        Ok(execute(&self.pool, sql::EXTEND_LEASE, &args).await? == 1)
    }

    async fn claim_due_reset_message(&self, lease: Lease<'_>) -> Result<Option<ResetOutboxItem>> {
        let message = format!(
            "SELECT {}, r.expires_at {RESET_MESSAGE}",
            columns::RESET_COLUMNS
        );
        self.claim_link(RESET_DUE, message, lease, |row| columns::read_reset(row, 0))
            .await
    }

    async fn claim_due_join_decision(
        &self,
        lease: Lease<'_>,
    ) -> Result<Option<JoinDecisionOutboxItem>> {
        let due = "JOIN join_requests j ON j.id = o.join_request_id
            WHERE o.kind = 'join_decision' AND o.state = 'pending' AND j.email IS NOT NULL
              AND o.next_attempt_at <= $1";
        let message = format!(
            "SELECT o.join_approved, {}
             FROM outbox o JOIN join_requests j ON j.id = o.join_request_id
             WHERE o.id = $1",
            columns::JOIN_DECISION_MAIL_COLUMNS
        );
        self.claim_and_read(due, message, lease, |c, row| {
            Ok(JoinDecisionOutboxItem {
                id: c.id,
                attempts: c.attempts,
                approved: row.try_get("join_approved")?,
                request: columns::read_join_decision_mail(row, 1)?,
                resumed: c.resumed,
            })
        })
        .await
    }

    async fn finish_send(&self, send: FinishedSend, now: i64) -> Result<()> {
        let (sends, outbox_id, end) = (send.sends, send.outbox_id, send.end);
        let mut tx = self.pool.begin().await?;
        let closing = |set: &str| {
            AssertSqlSafe(format!(
                "UPDATE outbox SET {set}, lease_until = NULL, lease_owner = NULL
                 WHERE id = $1 AND state = 'pending'{}
                 RETURNING {}",
                sends.row_filter(),
                sends.returning()
            ))
        };
        let row = match &end {
            SendEnd::Retry { error, at } => {
                sqlx::query(shared(sql::RETRY_LATER))
                    .bind(outbox_id)
                    .bind(at)
                    .bind(error)
                    .execute(&mut *tx)
                    .await?;
                None
            }
            SendEnd::Sent { message_id, .. } => {
                sqlx::query(closing("state = 'sent', sent_at = $2, message_id = $3"))
                    .bind(outbox_id)
                    .bind(now)
                    .bind(message_id)
                    .fetch_optional(&mut *tx)
                    .await?
            }
            SendEnd::GaveUp { error } => {
                sqlx::query(closing("state = 'failed', last_error = $2"))
                    .bind(outbox_id)
                    .bind(error)
                    .fetch_optional(&mut *tx)
                    .await?
            }
        };
        if let Some(row) = row {
            let org_id: String = row.try_get("org_id")?;
            if let Some(kind) = sends.event(row.try_get(0)?, end) {
                insert_event(&mut tx, &org_id, &kind, now).await?;
            }
        }
        tx.commit().await?;
        Ok(())
    }
}

impl PostgresStore {
    /// In one transaction: claims the first row of `outbox o` that `due` selects (see
    /// [`claim`]), reads the message it sends with `message` (`$1` the outbox id) and makes
    /// the item with `read`.
    async fn claim_and_read<T>(
        &self,
        due: &str,
        message: String,
        lease: Lease<'_>,
        read: impl FnOnce(Claimed, &PgRow) -> Result<T>,
    ) -> Result<Option<T>> {
        let mut tx = self.pool.begin().await?;
        let Some(claimed) = claim(&mut tx, due, lease).await? else {
            tx.commit().await?;
            return Ok(None);
        };
        let row = sqlx::query(AssertSqlSafe(message))
            .bind(claimed.id)
            .fetch_one(&mut *tx)
            .await?;
        let item = read(claimed, &row)?;
        tx.commit().await?;
        Ok(Some(item))
    }

    /// Claims an invitation's or a reset's message: `due` and `message` as for
    /// [`Self::claim_and_read`], the latter with the link's `expires_at`; `subject` reads what
    /// the link opens.
    async fn claim_link<S>(
        &self,
        due: &str,
        message: String,
        lease: Lease<'_>,
        subject: fn(&PgRow) -> Result<S>,
    ) -> Result<Option<LinkOutboxItem<S>>> {
        self.claim_and_read(due, message, lease, |claimed, row| {
            Ok(LinkOutboxItem {
                id: claimed.id,
                attempts: claimed.attempts,
                sealed_token: claimed.sealed_token,
                subject: subject(row)?,
                expires_at: row.try_get("expires_at")?,
                resumed: claimed.resumed,
            })
        })
        .await
    }
}

/// Which invitation messages are due (after `FROM outbox o`, `$1` the time), and where an
/// invitation message's invitation and link are read (`$1` the outbox id): its newest link.
const INVITATION_DUE: &str = "JOIN invitations i ON i.id = o.invitation_id
    WHERE o.state = 'pending' AND i.state = 'pending' AND o.next_attempt_at <= $1";
const INVITATION_MESSAGE: &str = "FROM outbox o JOIN invitations i ON i.id = o.invitation_id
    JOIN invitation_tokens t ON t.invitation_id = i.id AND t.revoked_at IS NULL
    WHERE o.id = $1 ORDER BY t.created_at DESC LIMIT 1";

/// Which reset messages are due, and where a reset message's reset and account are read.
const RESET_DUE: &str = "JOIN password_resets r ON r.id = o.reset_id
    WHERE o.kind = 'password_reset' AND o.state = 'pending'
      AND r.revoked_at IS NULL AND r.used_at IS NULL AND o.next_attempt_at <= $1";
const RESET_MESSAGE: &str = "FROM outbox o JOIN password_resets r ON r.id = o.reset_id
    JOIN accounts a ON a.org_id = r.org_id AND a.username_key = r.username_key
    WHERE o.id = $1";

/// An outbox row just claimed: its id, earlier attempts, sealed token, and whether a lapsed
/// lease was taken over.
struct Claimed {
    id: i64,
    attempts: u32,
    sealed_token: Vec<u8>,
    resumed: bool,
}

/// Claims the first row of `outbox o` that `due` (the joins and conditions after `FROM
/// outbox o`, `$1` the lease's time) selects, leasing it.
async fn claim(tx: &mut Tx<'_>, due: &str, lease: Lease<'_>) -> Result<Option<Claimed>> {
    // SKIP LOCKED: instances claiming at the same moment take different rows.
    let claimed = sqlx::query(AssertSqlSafe(format!(
        "WITH due AS (
            SELECT o.id, o.lease_owner FROM outbox o {due}
              AND (o.lease_until IS NULL OR o.lease_until <= $1)
            ORDER BY o.next_attempt_at, o.id LIMIT 1
            FOR UPDATE OF o SKIP LOCKED)
         UPDATE outbox SET lease_until = $2, lease_owner = $3, attempts = outbox.attempts + 1
         FROM due WHERE outbox.id = due.id
         RETURNING outbox.id, outbox.attempts - 1 AS attempts, outbox.sealed_token,
            due.lease_owner IS NOT NULL AS resumed"
    )))
    .bind(lease.now)
    .bind(lease.until)
    .bind(lease.owner)
    .fetch_optional(&mut **tx)
    .await?;
    let Some(row) = claimed else {
        return Ok(None);
    };
    let attempts: i32 = row.try_get("attempts")?;
    Ok(Some(Claimed {
        id: row.try_get("id")?,
        attempts: u32::try_from(attempts).unwrap_or(0),
        sealed_token: row.try_get("sealed_token")?,
        resumed: row.try_get("resumed")?,
    }))
}
