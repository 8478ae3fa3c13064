//! Password resets: creating one under an idempotency key, what a reset link leads to, and
//! consuming it.

use async_trait::async_trait;
use orgdesk_protocol::{AccountState, Channel};

use crate::error::Result;
use crate::store::{KeyedRequest, NewLink, ReplayedLink};

/// Everything needed to record a password reset in one transaction.
#[derive(Debug, Clone)]
pub struct NewPasswordReset {
    pub id: String,
    pub org_id: String,
    /// Lower-cased username.
    pub username_key: String,
    pub channel: Channel,
    pub recipient: String,
    pub organization_name: String,
    pub locale: String,
    pub idempotency_key: String,
    pub request_sha256: [u8; 32],
    pub link: NewLink,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ResetOutcome {
    Created,
    /// The key was seen before with the same request: the first answer's material.
    Replayed(ReplayedLink),
    /// The key was seen before with a different request.
    KeyReused,
    UnknownAccount,
    AccountNotEnabled(AccountState),
    /// The account only reserves its username (mirrored from the directory without a
    /// password): there is nothing to reset.
    NoPassword,
}

/// A password reset as the gateway keeps it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PasswordReset {
    pub id: String,
    pub org_id: String,
    /// As the member registered it.
    pub username: String,
    pub channel: Channel,
    pub recipient: String,
    pub organization_name: String,
    pub locale: String,
}

/// What a reset link's token leads to, for the page.
#[derive(Debug, Clone)]
pub struct ResetLookup {
    pub reset: PasswordReset,
    pub account_state: AccountState,
    pub expires_at: i64,
    pub revoked: bool,
    pub used: bool,
}

/// A reset link's token, consumed to set the account's password to `password_hash`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResetConsumption {
    pub token_hash: [u8; 32],
    pub password_hash: String,
}

#[async_trait]
pub trait ResetStore: Send + Sync + 'static {
    /// Records a reset (voiding every earlier unused one of the account and its unsent
    /// messages) and queues its message when `enqueue`; or answers from the idempotency key.
    async fn create_password_reset(&self, new: NewPasswordReset, now: i64) -> Result<ResetOutcome>;
    /// What an idempotency key already answered (`Replayed` or `KeyReused`), if anything.
    async fn seen_reset_key(&self, request: KeyedRequest<'_>) -> Result<Option<ResetOutcome>>;
    async fn lookup_reset(&self, token_hash: [u8; 32]) -> Result<Option<ResetLookup>>;
    /// Consumes the link (exactly once, unexpired, unrevoked, account enabled), sets the
    /// password, ends the account's sessions, forgets its failed sign-ins and appends
    /// `password_changed`. Returns the username, or `None` when the link was not usable.
    async fn consume_reset(&self, reset: ResetConsumption, now: i64) -> Result<Option<String>>;
}
