//! The outbox on SQLite: claiming due invitation, reset and join decision messages under a
//! lease, renewing it, and recording how each send ended.

use async_trait::async_trait;
use rusqlite::{params, Connection, OptionalExtension, Row, ToSql};

use super::{insert_event, optional_pair, SqliteStore};
use crate::error::Result;
use crate::store::{
    columns, sql, FinishedSend, JoinDecisionOutboxItem, Lease, LinkOutboxItem, OutboxItem,
    OutboxStore, ResetOutboxItem, SendEnd,
};

#[async_trait]
impl OutboxStore for SqliteStore {
    async fn claim_due_message(&self, lease: Lease<'_>) -> Result<Option<OutboxItem>> {
        let due = DueLinkMessage {
            expires_at: "t.expires_at",
            columns: columns::INVITATION_COLUMNS,
            from_where: "JOIN invitations i ON i.id = o.invitation_id
                 JOIN invitation_tokens t ON t.invitation_id = i.id AND t.revoked_at IS NULL
                 WHERE o.state = 'pending' AND i.state = 'pending'",
        };
        let lease = OwnedLease::from(lease);
        self.with(move |c| due.claim(c, &lease, |r, at| columns::read_invitation(r, at)))
            .await
    }

    async fn renew_lease(&self, outbox_id: i64, owner: &str, until: i64) -> Result<bool> {
        let owner = owner.to_owned();
        self.with(move |c| {
            let n = c.execute(sql::EXTEND_LEASE, params![outbox_id, owner, until])?;
            Ok(n == 1)
        })
        .await
    }

    async fn claim_due_reset_message(&self, lease: Lease<'_>) -> Result<Option<ResetOutboxItem>> {
        let due = DueLinkMessage {
            expires_at: "r.expires_at",
            columns: columns::RESET_COLUMNS,
            from_where: "JOIN password_resets r ON r.id = o.reset_id
                 JOIN accounts a ON a.org_id = r.org_id AND a.username_key = r.username_key
                 WHERE o.kind = 'password_reset' AND o.state = 'pending'
                   AND r.revoked_at IS NULL AND r.used_at IS NULL",
        };
        let lease = OwnedLease::from(lease);
        self.with(move |c| due.claim(c, &lease, |r, at| columns::read_reset(r, at)))
            .await
    }

    async fn claim_due_join_decision(
        &self,
        lease: Lease<'_>,
    ) -> Result<Option<JoinDecisionOutboxItem>> {
        let lease = OwnedLease::from(lease);
        self.with(move |c| {
            let select = format!(
                "o.id, o.attempts, o.join_approved, o.lease_owner IS NOT NULL, {}",
                columns::JOIN_DECISION_MAIL_COLUMNS
            );
            claim(
                c,
                &select,
                "JOIN join_requests j ON j.id = o.join_request_id
                 WHERE o.kind = 'join_decision' AND o.state = 'pending' AND j.email IS NOT NULL",
                &lease,
                |r| {
                    Ok(JoinDecisionOutboxItem {
                        id: r.get(0)?,
                        attempts: r.get(1)?,
                        approved: r.get(2)?,
                        resumed: r.get(3)?,
                        request: columns::read_join_decision_mail(r, 4)?,
                    })
                },
            )
        })
        .await
    }

    async fn finish_send(&self, send: FinishedSend, now: i64) -> Result<()> {
        let (sends, outbox_id, end) = (send.sends, send.outbox_id, send.end);
        self.in_transaction(move |tx| {
            let (set, values) = match &end {
                SendEnd::Retry { error, at } => {
                    tx.execute(sql::RETRY_LATER, params![outbox_id, at, error])?;
                    tx.commit()?;
                    return Ok(());
                }
                SendEnd::Sent { message_id, .. } => (
                    "state = 'sent', sent_at = ?2, message_id = ?3",
                    vec![&outbox_id as &dyn ToSql, &now, message_id],
                ),
                SendEnd::GaveUp { error } => (
                    "state = 'failed', last_error = ?2",
                    vec![&outbox_id as &dyn ToSql, error],
                ),
            };
            let row: Option<(String, String)> = optional_pair(
                &tx,
                &format!(
                    "UPDATE outbox SET {set}, lease_until = NULL, lease_owner = NULL
                         WHERE id = ?1 AND state = 'pending'{}
                         RETURNING {}",
                    sends.row_filter(),
                    sends.returning()
                ),
                values.as_slice(),
            )?;
            if let Some((id, org_id)) = row {
                if let Some(kind) = sends.event(id, end) {
                    insert_event(&tx, &org_id, &kind, now)?;
                }
            }
            tx.commit()?;
            Ok(())
        })
        .await
    }
}

/// Which invitation or reset messages are due: the column of the link's expiry, the
/// columns of what it opens, and the joins and conditions after `FROM outbox o`.
struct DueLinkMessage {
    expires_at: &'static str,
    columns: &'static str,
    from_where: &'static str,
}

impl DueLinkMessage {
    /// Claims the first due message (see [`claim`]); `subject` reads what its link opens.
    fn claim<S>(
        &self,
        c: &mut Connection,
        lease: &OwnedLease,
        subject: fn(&Row<'_>, usize) -> rusqlite::Result<S>,
    ) -> Result<Option<LinkOutboxItem<S>>> {
        let select = format!(
            "o.id, o.attempts, o.sealed_token, {}, o.lease_owner IS NOT NULL, {}",
            self.expires_at, self.columns
        );
        claim(c, &select, self.from_where, lease, |r| {
            Ok(LinkOutboxItem {
                id: r.get(0)?,
                attempts: r.get(1)?,
                sealed_token: r.get(2)?,
                expires_at: r.get(3)?,
                resumed: r.get(4)?,
                subject: subject(r, 5)?,
            })
        })
    }
}

/// A [`Lease`] moved onto the connection's thread.
struct OwnedLease {
    now: i64,
    until: i64,
    owner: String,
}

impl From<Lease<'_>> for OwnedLease {
    fn from(lease: Lease<'_>) -> Self {
        Self {
            now: lease.now,
            until: lease.until,
            owner: lease.owner.to_owned(),
        }
    }
}

/// Claims the first row `SELECT {select} FROM outbox o {from_where}` finds due at the lease's
/// time (its first column the outbox id, its columns read by `read`), leasing it.
fn claim<T>(
    c: &mut Connection,
    select: &str,
    from_where: &str,
    lease: &OwnedLease,
    read: impl FnOnce(&Row<'_>) -> rusqlite::Result<T>,
) -> Result<Option<T>> {
    let sql = format!(
        "SELECT {select} FROM outbox o {from_where}
           AND o.next_attempt_at <= ?1 AND (o.lease_until IS NULL OR o.lease_until <= ?1)
         ORDER BY o.next_attempt_at, o.id LIMIT 1"
    );
    let tx = c.transaction()?;
    let claimed = tx
        .query_row(&sql, [lease.now], |r| Ok((r.get::<_, i64>(0)?, read(r)?)))
        .optional()?;
    if let Some((id, _)) = &claimed {
        tx.execute(
            "UPDATE outbox SET lease_until = ?2, lease_owner = ?3, attempts = attempts + 1
             WHERE id = ?1",
            params![id, lease.until, lease.owner],
        )?;
    }
    tx.commit()?;
    Ok(claimed.map(|(_, item)| item))
}
