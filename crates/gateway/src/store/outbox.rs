//! The durable outbox: invitation, password reset and join decision messages claimed for
//! sending under a lease, and how each send ended.

use async_trait::async_trait;
use orgdesk_protocol::EventKind;

use crate::error::Result;
use crate::store::{Invitation, PasswordReset};

/// A message that carries a link, claimed for sending: an invitation's or a password reset's.
#[derive(Debug, Clone)]
pub struct LinkOutboxItem<S> {
    pub id: i64,
    pub attempts: u32,
    pub sealed_token: Vec<u8>,
    /// The invitation or reset the link opens.
    pub subject: S,
    pub expires_at: i64,
    /// The previous attempt was claimed by a process that stopped before recording how it
    /// ended (its lease lapsed with the owner still set): the mail server may have accepted it.
    pub resumed: bool,
}

/// An invitation message claimed for sending.
pub type OutboxItem = LinkOutboxItem<Invitation>;

/// A reset message claimed for sending.
pub type ResetOutboxItem = LinkOutboxItem<PasswordReset>;

/// A join decision message claimed for sending: the decision, and the request it tells of.
#[derive(Debug, Clone)]
pub struct JoinDecisionOutboxItem {
    pub id: i64,
    pub attempts: u32,
    pub approved: bool,
    pub request: JoinDecisionMail,
    /// As [`super::LinkOutboxItem::resumed`].
    pub resumed: bool,
}

/// What a join decision message names: the person (as they asked), where it goes and in which
/// language.
#[derive(Debug, Clone)]
pub struct JoinDecisionMail {
    pub request_id: String,
    pub name: String,
    pub username: String,
    pub recipient: String,
    pub organization_name: String,
    /// The language of the join page the person used; `None` for requests made before it was
    /// kept.
    pub locale: Option<String>,
}

#[async_trait]
pub trait OutboxStore: Send + Sync + 'static {
    /// Claims the next message due for sending at `lease.now`, leasing it to `lease.owner`
    /// (one gateway process) until `lease.until`. Committed before anything is sent, so a
    /// process that dies mid-send leaves the row marked as claimed by it.
    async fn claim_due_message(&self, lease: Lease<'_>) -> Result<Option<OutboxItem>>;
    /// Extends the lease `owner` holds on an outbox row (an invitation's or a reset's) to
    /// `until`; false when the row is no longer leased to `owner`.
    async fn renew_lease(&self, outbox_id: i64, owner: &str, until: i64) -> Result<bool>;
    /// Claims the next reset message due for sending under `lease` (as
    /// [`super::GatewayStore::claim_due_message`]).
    async fn claim_due_reset_message(&self, lease: Lease<'_>) -> Result<Option<ResetOutboxItem>>;
    /// Claims the next join decision message due for sending under `lease` (as
    /// [`super::GatewayStore::claim_due_message`]).
    async fn claim_due_join_decision(
        &self,
        lease: Lease<'_>,
    ) -> Result<Option<JoinDecisionOutboxItem>>;
    /// Records how the send of outbox row `outbox_id` (an invitation's or a reset's, as
    /// `sends` says) ended: marked sent with `invitation_delivered` or
    /// `password_reset_delivered`; retried at a later time; or given up with
    /// `invitation_failed` or `password_reset_failed` (a join decision's outcome appends no
    /// event: the desktop already knows the decision). One transaction.
    async fn finish_send(&self, send: FinishedSend, now: i64) -> Result<()>;
}

/// The lease a claim takes on an outbox row: at `now`, for `owner` (one gateway process),
/// until `until`.
#[derive(Debug, Clone, Copy)]
pub struct Lease<'a> {
    pub now: i64,
    pub until: i64,
    pub owner: &'a str,
}

/// Whose message an outbox row carries: an invitation's, a password reset's or a join
/// decision's. Every kind records how a send ended through it, so the row a kind may touch and
/// the event it logs are decided once.
#[derive(Debug, Clone, Copy)]
pub enum Sends {
    Invitation,
    Reset,
    JoinDecision,
}

/// How the send of outbox row `outbox_id`, carrying a message of the kind `sends`, ended.
#[derive(Debug, Clone)]
pub struct FinishedSend {
    pub sends: Sends,
    pub outbox_id: i64,
    pub end: SendEnd,
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
    /// What the message is, as the log names it.
    pub fn noun(self) -> &'static str {
        match self {
            Self::Invitation => "invitation",
            Self::Reset => "password reset",
            Self::JoinDecision => "join decision",
        }
    }

    /// What the closing update adds to `WHERE id = … AND state = 'pending'`: a reset's
    /// outcome touches only a reset's row, a join decision's only a join decision's.
    pub fn row_filter(self) -> &'static str {
        match self {
            Self::Invitation => "",
            Self::Reset => " AND kind = 'password_reset'",
            Self::JoinDecision => " AND kind = 'join_decision'",
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
            Self::JoinDecision => {
                "join_request_id,
                    (SELECT org_id FROM join_requests WHERE id = outbox.join_request_id) AS org_id"
            }
        }
    }

    /// The event a final outcome appends for the invitation or reset `id`; a retry appends
    /// none, and neither does a join decision's message.
    pub fn event(self, id: String, end: SendEnd) -> Option<EventKind> {
        let (invitation_id, reset_id) = (id.clone(), id);
        Some(match (self, end) {
            (_, SendEnd::Retry { .. }) | (Self::JoinDecision, _) => return None,
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
