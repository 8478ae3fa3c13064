//! The durable outbox: invitation and password reset messages claimed for sending under a
//! lease, and how each send ended.

use async_trait::async_trait;

use crate::error::Result;
use crate::store::{Invitation, PasswordReset};

/// A message claimed for sending.
#[derive(Debug, Clone)]
pub struct OutboxItem {
    pub id: i64,
    pub attempts: u32,
    pub sealed_token: Vec<u8>,
    pub invitation: Invitation,
    pub expires_at: i64,
    /// The previous attempt was claimed by a process that stopped before recording how it
    /// ended (its lease lapsed with the owner still set): the mail server may have accepted it.
    pub resumed: bool,
}

/// A reset message claimed for sending.
#[derive(Debug, Clone)]
pub struct ResetOutboxItem {
    pub id: i64,
    pub attempts: u32,
    pub sealed_token: Vec<u8>,
    pub reset: PasswordReset,
    pub expires_at: i64,
    /// As [`super::OutboxItem::resumed`].
    pub resumed: bool,
}

#[async_trait]
pub trait OutboxStore: Send + Sync + 'static {
    /// Claims the next message due for sending, leasing it to `owner` (one gateway process)
    /// until `now + lease_secs`. Committed before anything is sent, so a process that dies
    /// mid-send leaves the row marked as claimed by it.
    async fn claim_due_message(
        &self,
        now: i64,
        lease_secs: i64,
        owner: &str,
    ) -> Result<Option<OutboxItem>>;
    /// Extends the lease `owner` holds on an outbox row (an invitation's or a reset's) to
    /// `until`; false when the row is no longer leased to `owner`.
    async fn renew_lease(&self, outbox_id: i64, owner: &str, until: i64) -> Result<bool>;
    /// Marks a message sent and appends `invitation_delivered`.
    async fn message_sent(&self, outbox_id: i64, message_id: &str, now: i64) -> Result<()>;
    /// Records a failed attempt: retried at `retry_at`, or given up (with `invitation_failed`)
    /// when `retry_at` is `None`.
    async fn message_failed(
        &self,
        outbox_id: i64,
        error: &str,
        retry_at: Option<i64>,
        now: i64,
    ) -> Result<()>;
    /// Claims the next reset message due for sending, leasing it to `owner` for `lease_secs`
    /// (as [`super::GatewayStore::claim_due_message`]).
    async fn claim_due_reset_message(
        &self,
        now: i64,
        lease_secs: i64,
        owner: &str,
    ) -> Result<Option<ResetOutboxItem>>;
    /// Marks a reset message sent and appends `password_reset_delivered`.
    async fn reset_message_sent(&self, outbox_id: i64, message_id: &str, now: i64) -> Result<()>;
    /// Schedules a retry at `retry_at`, or gives up with `password_reset_failed`.
    async fn reset_message_failed(
        &self,
        outbox_id: i64,
        error: &str,
        retry_at: Option<i64>,
        now: i64,
    ) -> Result<()>;
}
