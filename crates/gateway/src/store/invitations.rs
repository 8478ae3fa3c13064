//! Invitations and their links: what the gateway keeps about an invitation, creating one
//! under an idempotency key, resending and cancelling it, and what a link's token leads to
//! (registering, accepting with an existing account, declining); also reporting links that
//! expired unused. Same rule as the rest of the store: each method is one transaction.

use async_trait::async_trait;
use orgdesk_protocol::Channel;

use crate::error::{GatewayError, Result};
use crate::secrets;

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
    /// The desktop named the language: the invitee's pages open in it too (else they
    /// follow the reader's browser).
    pub locale_chosen: bool,
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
    pub link: NewLink,
}

/// A fresh link: an invitation's first, or a new one for it (resend), or a password reset's.
#[derive(Debug, Clone)]
pub struct NewLink {
    pub token_hash: [u8; 32],
    /// The token sealed under the pepper, kept for replaying the answer.
    pub sealed_token: Vec<u8>,
    pub expires_at: i64,
    /// Queue a message (email / sms); `false` for links handed over by the desktop.
    pub enqueue: bool,
}

/// A request that came with an idempotency key: its organization, the key and the request's
/// digest.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KeyedRequest<'a> {
    pub org_id: &'a str,
    pub key: &'a str,
    pub request_sha256: [u8; 32],
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CreateOutcome {
    Created,
    /// The key was seen before with the same request: here is the first answer's material.
    Replayed(ReplayedLink),
    /// The key was seen before with a different request.
    KeyReused,
}

/// The link a create made first, given again when the same request comes with its
/// idempotency key: the invitation's or reset's id, its token sealed under the pepper and its
/// expiry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReplayedLink {
    pub id: String,
    pub sealed_token: Vec<u8>,
    pub expires_at: i64,
}

/// What a link's token leads to, for the pages.
#[derive(Debug, Clone)]
pub struct TokenLookup {
    pub invitation: Invitation,
    pub expires_at: i64,
    pub revoked: bool,
    pub used: bool,
}

/// The account an invitation's link is consumed for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InviteeAccount {
    /// A new account.
    New(NewAccount),
    /// The account that already exists in the invitation's organization under
    /// `username_key`, enabled and still with `password_hash`. The `registered` event carries
    /// that account's username and hash; no account row is made or changed.
    Existing {
        username_key: String,
        password_hash: String,
    },
}

/// A new account registered through an invitation: its id, given now and never reused, the
/// username as typed, its lowercase key and the password hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewAccount {
    pub account_id: String,
    pub username: String,
    pub username_key: String,
    pub password_hash: String,
}

impl InviteeAccount {
    pub fn new_account(username: &str, password_hash: &str) -> Self {
        Self::New(NewAccount {
            account_id: secrets::new_account_id(),
            username: username.to_owned(),
            username_key: username.to_lowercase(),
            password_hash: password_hash.to_owned(),
        })
    }

    pub fn existing(username_key: &str, password_hash: &str) -> Self {
        Self::Existing {
            username_key: username_key.to_owned(),
            password_hash: password_hash.to_owned(),
        }
    }
}

/// A new link for the pending invitation `id`, replacing every earlier one.
#[derive(Debug, Clone)]
pub struct InvitationResend {
    pub org_id: String,
    pub id: String,
    pub link: NewLink,
}

/// An invitation link's token, consumed to register `account` with the invitation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Registration {
    pub token_hash: [u8; 32],
    pub account: InviteeAccount,
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

#[async_trait]
pub trait InvitationStore: Send + Sync + 'static {
    async fn create_invitation(&self, new: NewInvitation, now: i64) -> Result<CreateOutcome>;
    /// What an idempotency key already answered, if anything: `Replayed` or `KeyReused` for a
    /// request with digest `request_sha256`, `None` for a new key. Lets a retry be answered
    /// before rate limits count it; `create_invitation` still decides races.
    async fn seen_key(&self, request: KeyedRequest<'_>) -> Result<Option<CreateOutcome>>;
    async fn invitation(&self, org_id: &str, id: &str) -> Result<Option<Invitation>>;
    /// Revokes every earlier link, records the new one and queues a message when `enqueue`.
    /// Fails with `InvitationClosed` unless the invitation is pending.
    async fn resend_invitation(&self, resend: InvitationResend, now: i64) -> Result<()>;
    /// Cancels a pending invitation (revoking its links and unsent messages). Cancelling a
    /// cancelled invitation is a no-op; a registered or declined one fails.
    async fn cancel_invitation(&self, org_id: &str, id: &str, now: i64) -> Result<()>;
    async fn lookup_token(&self, token_hash: [u8; 32]) -> Result<Option<TokenLookup>>;
    /// Records the first opening of an invitation page (and its event); later ones do nothing.
    async fn mark_opened(&self, invitation_id: &str, now: i64) -> Result<bool>;
    /// Consumes the token and records the invitation as registered with `account`, with the
    /// `registered` event: a new account is created (`UsernameTaken` when the username is
    /// used); an existing one is only checked (`AccountUnavailable` when it is no longer
    /// enabled or its password changed meanwhile).
    async fn register(&self, registration: Registration, now: i64) -> Result<ConsumeOutcome>;
    /// Consumes the token and records the decline, with its event.
    async fn decline(&self, token_hash: [u8; 32], now: i64) -> Result<ConsumeOutcome>;
    /// Appends `invitation_expired` for up to `limit` pending invitations whose current link
    /// expired and was not reported yet; returns how many.
    async fn report_expired_invitations(&self, now: i64, limit: u32) -> Result<u32>;
}

/// Refuses to change an invitation that is not pending: `state` is the invitation's, `None`
/// when there is none in the organization.
pub(crate) fn require_pending(state: Option<&str>) -> Result<()> {
    match state {
        None => Err(GatewayError::NotFound),
        Some("pending") => Ok(()),
        Some(other) => Err(GatewayError::InvitationClosed(other.to_owned())),
    }
}
