//! Everything the gateway keeps, behind one trait so that the server does not care whether
//! it runs on SQLite (embedded, one instance) or on a shared database (several instances).
//!
//! Each method is one transaction: the rules that must hold together (a token is consumed
//! once, an idempotency key answers once, an event is written with the change it reports)
//! are kept inside the store, not spread over handlers.

mod accounts;
mod join;
mod postgres;
mod sqlite;

pub use accounts::*;
pub use join::{
    JoinLinkRecord, JoinLinkWrite, JoinRequestView, JoinSecret, JoinSecrets, JoinStore,
    JoinSubmitOutcome, NewJoinRequest,
};

pub use postgres::PostgresStore;
pub use sqlite::SqliteStore;

use async_trait::async_trait;
use orgdesk_protocol::{Channel, Event, EventKind};

use crate::error::Result;

/// An invitation as the gateway keeps it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invitation {
    pub id: String,
    pub org_id: String,
    pub channel: Channel,
    pub recipient: String,
    pub invitee_name: String,
    pub organization_name: String,
    pub department_label: String,
    pub position_label: String,
    pub inviter_name: String,
    /// `en` or `zh-CN`: the language of the message.
    pub locale: String,
    pub lifetime_secs: i64,
    pub state: InvitationState,
    pub created_at: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InvitationState {
    Pending,
    Registered,
    Declined,
    Cancelled,
}

impl InvitationState {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Registered => "registered",
            Self::Declined => "declined",
            Self::Cancelled => "cancelled",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "pending" => Self::Pending,
            "registered" => Self::Registered,
            "declined" => Self::Declined,
            "cancelled" => Self::Cancelled,
            _ => return None,
        })
    }
}

/// Everything needed to record a new invitation in one transaction.
#[derive(Debug, Clone)]
pub struct NewInvitation {
    pub invitation: Invitation,
    pub idempotency_key: String,
    pub request_sha256: [u8; 32],
    pub token_hash: [u8; 32],
    /// The token sealed under the pepper, kept for replaying the answer.
    pub sealed_token: Vec<u8>,
    pub expires_at: i64,
    /// Queue a message (email / sms); `false` for link invitations.
    pub enqueue: bool,
}

/// A fresh link for an existing invitation (resend).
#[derive(Debug, Clone)]
pub struct NewLink {
    pub token_hash: [u8; 32],
    pub sealed_token: Vec<u8>,
    pub expires_at: i64,
    pub enqueue: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CreateOutcome {
    Created,
    /// The key was seen before with the same request: here is the first answer's material.
    Replayed {
        invitation_id: String,
        sealed_token: Vec<u8>,
        expires_at: i64,
    },
    /// The key was seen before with a different request.
    KeyReused,
}

/// What a link's token leads to, for the pages.
#[derive(Debug, Clone)]
pub struct TokenLookup {
    pub invitation: Invitation,
    pub expires_at: i64,
    pub revoked: bool,
    pub used: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConsumeOutcome {
    Done {
        invitation_id: String,
    },
    /// The token was not usable (unknown, expired, used, revoked, cancelled): look it up again
    /// to tell the person which.
    NotUsable,
    UsernameTaken,
    /// Accepting with an existing account: that account is no longer enabled in the
    /// invitation's organization, or its password changed meanwhile. Nothing was consumed.
    AccountUnavailable,
}

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

#[async_trait]
pub trait GatewayStore: AccountStore + JoinStore + Send + Sync + 'static {
    async fn create_organization(
        &self,
        id: &str,
        name: &str,
        api_token_hash: [u8; 32],
        now: i64,
    ) -> Result<()>;
    /// Replaces the organization's API token hash; `false` when there is no such organization.
    async fn set_api_token_hash(&self, org_id: &str, api_token_hash: [u8; 32]) -> Result<bool>;
    async fn api_token_hash(&self, org_id: &str) -> Result<Option<[u8; 32]>>;

    async fn create_invitation(&self, new: NewInvitation, now: i64) -> Result<CreateOutcome>;
    /// What an idempotency key already answered, if anything: `Replayed` or `KeyReused` for a
    /// request with digest `request_sha256`, `None` for a new key. Lets a retry be answered
    /// before rate limits count it; `create_invitation` still decides races.
    async fn seen_key(
        &self,
        org_id: &str,
        key: &str,
        request_sha256: [u8; 32],
    ) -> Result<Option<CreateOutcome>>;
    async fn invitation(&self, org_id: &str, id: &str) -> Result<Option<Invitation>>;
    /// Revokes every earlier link, records the new one and queues a message when `enqueue`.
    /// Fails with `InvitationClosed` unless the invitation is pending.
    async fn resend_invitation(
        &self,
        org_id: &str,
        id: &str,
        link: NewLink,
        now: i64,
    ) -> Result<()>;
    /// Cancels a pending invitation (revoking its links and unsent messages). Cancelling a
    /// cancelled invitation is a no-op; a registered or declined one fails.
    async fn cancel_invitation(&self, org_id: &str, id: &str, now: i64) -> Result<()>;

    async fn lookup_token(&self, token_hash: [u8; 32]) -> Result<Option<TokenLookup>>;
    /// Records the first opening of an invitation page (and its event); later ones do nothing.
    async fn mark_opened(&self, invitation_id: &str, now: i64) -> Result<bool>;
    /// Consumes the token and creates the account, with its `registered` event.
    async fn register(
        &self,
        token_hash: [u8; 32],
        username: &str,
        password_hash: &str,
        now: i64,
    ) -> Result<ConsumeOutcome>;
    /// Consumes the token and records the invitation as registered with the account that
    /// already exists in the invitation's organization under `username_key`, enabled and
    /// still with `password_hash`; the `registered` event carries that account's username and
    /// hash. No account row is made or changed.
    async fn accept_with_account(
        &self,
        token_hash: [u8; 32],
        username_key: &str,
        password_hash: &str,
        now: i64,
    ) -> Result<ConsumeOutcome>;
    /// Consumes the token and records the decline, with its event.
    async fn decline(&self, token_hash: [u8; 32], now: i64) -> Result<ConsumeOutcome>;

    async fn events_after(&self, org_id: &str, after: i64, limit: u32) -> Result<Vec<Event>>;
    /// Forgets the organization's events up to `up_to`; returns how many.
    async fn ack_events(&self, org_id: &str, up_to: i64) -> Result<u64>;
    /// Appends an event (for events not tied to another change).
    async fn append_event(&self, org_id: &str, kind: EventKind, now: i64) -> Result<()>;

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
}
