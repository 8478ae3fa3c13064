//! The durable outbox: invitation and password reset messages claimed for sending under a
//! lease, and how each send ended.

use async_trait::async_trait;
use orgdesk_protocol::EventKind;

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
    /// Claims the next reset message due for sending, leasing it to `owner` for `lease_secs`
    /// (as [`super::GatewayStore::claim_due_message`]).
    async fn claim_due_reset_message(
        &self,
        now: i64,
        lease_secs: i64,
        owner: &str,
    ) -> Result<Option<ResetOutboxItem>>;
    /// Records how the send of outbox row `outbox_id` (an invitation's or a reset's, as
    /// `sends` says) ended: marked sent with `invitation_delivered` or
    /// `password_reset_delivered`; retried at a later time; or given up with
    /// `invitation_failed` or `password_reset_failed`. One transaction.
    async fn finish_send(&self, sends: Sends, outbox_id: i64, end: SendEnd, now: i64)
        -> Result<()>;
}

/// Whose message an outbox row carries: an invitation's or a password reset's. Both halves
/// record how a send ended through it, so the row a kind may touch and the event it logs
/// are decided once.
#[derive(Debug, Clone, Copy)]
pub enum Sends {
    Invitation,
    Reset,
}

/// How one send ended.
#[derive(Debug, Clone)]
pub enum SendEnd {
    /// The mail server accepted it under this message id; or, `kept`, the message went into
    /// the gateway's mail folder and nobody received it.
    Sent { message_id: String, kept: bool },
    /// It failed; it is tried again at `at`.
    Retry { error: String, at: i64 },
    /// It failed for good.
    GaveUp { error: String },
}

impl Sends {
    /// What the closing update adds to `WHERE id = … AND state = 'pending'`: a reset's
    /// outcome touches only a reset's row.
    pub fn row_filter(self) -> &'static str {
        match self {
            Self::Invitation => "",
            Self::Reset => " AND kind = 'password_reset'",
        }
    }

    /// What the closing update returns: the invitation's or reset's id, then its organization.
    pub fn returning(self) -> &'static str {
        match self {
            Self::Invitation => {
                "invitation_id,
                    (SELECT org_id FROM invitations WHERE id = outbox.invitation_id) AS org_id"
            }
            Self::Reset => {
                "reset_id,
                    (SELECT org_id FROM password_resets WHERE id = outbox.reset_id) AS org_id"
            }
        }
    }

    /// The event a final outcome appends for the invitation or reset `id`; a retry appends
    /// none.
    pub fn event(self, id: String, end: SendEnd) -> Option<EventKind> {
        let (invitation_id, reset_id) = (id.clone(), id);
        Some(match (self, end) {
            (_, SendEnd::Retry { .. }) => return None,
            (Self::Invitation, SendEnd::Sent { message_id, kept }) => {
                EventKind::InvitationDelivered {
                    invitation_id,
                    message_id,
                    kept,
                }
            }
            (Self::Invitation, SendEnd::GaveUp { error: reason }) => EventKind::InvitationFailed {
                invitation_id,
                reason,
            },
            (Self::Reset, SendEnd::Sent { message_id, .. }) => EventKind::PasswordResetDelivered {
                reset_id,
                message_id,
            },
            (Self::Reset, SendEnd::GaveUp { error: reason }) => {
                EventKind::PasswordResetFailed { reset_id, reason }
            }
        })
    }
}
