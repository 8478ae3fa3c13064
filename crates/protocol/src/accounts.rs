//! Gateway accounts as the directory governs them: their state, the mirror of the
//! directory's members, refusals, and password resets.

use serde::{Deserialize, Serialize};

use crate::invitations::Channel;

/// How long a password reset link stays valid when the request does not say: 24 hours.
pub const DEFAULT_PASSWORD_RESET_LIFETIME_SECS: u64 = 24 * 60 * 60;

/// Whether a member's account may be used, as the desktop decides it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AccountState {
    /// The member signs in and may reset their password.
    Enabled,
    /// Kept, but no sign-in, no password reset; open sessions end.
    Disabled,
    /// The member left. Like `disabled`; the username stays taken.
    Removed,
}

/// `PUT /api/v1/accounts/{username}/state`: answered `204`, or `404 not_found` for a
/// username the gateway does not know in this organization.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct SetAccountState {
    pub state: AccountState,
}

/// The most accounts one `POST /api/v1/accounts/mirror` carries.
pub const MAX_MIRRORED_ACCOUNTS: usize = 500;

/// One member of the directory as the gateway must know them: the directory is the record of
/// who holds which username, and the gateway mirrors it so that nobody can register or join
/// under a username the directory already uses, and so that members created in the directory
/// (setup, import, command line) can sign in on their own page and be sent a reset link.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MirroredAccount {
    /// The account the directory has bound this member to, if any. A username whose account
    /// the directory does not name is taken over by the directory: a fresh account id, the
    /// directory's password, sessions ended.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account_id: Option<String>,
    pub username: String,
    /// Argon2id PHC string; absent when the member has no password yet (the username is then
    /// only reserved, and nobody can sign in with it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password_hash: Option<String>,
    pub state: AccountState,
    /// The member's personal fields as the directory has them, for their own page.
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mobile: Option<String>,
    /// An admin set this password and asked for a new one: the member's own page asks them
    /// to choose one right after they sign in.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub must_change_password: bool,
}

/// `POST /api/v1/accounts/mirror`: at most [`MAX_MIRRORED_ACCOUNTS`] accounts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MirrorAccounts {
    pub accounts: Vec<MirroredAccount>,
}

/// The answer: the account id of each mirrored account, in the request's order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MirroredAccounts {
    pub account_ids: Vec<String>,
}

/// `POST /api/v1/accounts/{account_id}/refusal`: the directory would not take a registration
/// or a join that the gateway let through (the username is used there, a field is invalid).
/// The gateway removes the account — unless the directory mirrors it — and the person is told
/// `reason` on their status page and when they try to sign in. Answered `204`; `404` for an
/// account the gateway does not know.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RefuseAccount {
    pub reason: String,
}

/// `POST /api/v1/password-resets` (with an `Idempotency-Key` header): send a member a link
/// to choose a new password. A newer reset voids every earlier one of the same account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreatePasswordReset {
    /// The account's username (as registered; matched case-insensitively).
    pub username: String,
    pub channel: Channel,
    /// Email address for `email`, E.164 mobile for `sms`; for `link`, who the link is meant
    /// for (shown to nobody but the desktop).
    pub recipient: String,
    /// For the message and the page.
    pub organization_name: String,
    /// Language of the message: `en` (default) or `zh-CN`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub locale: Option<String>,
    /// Link lifetime; [`DEFAULT_PASSWORD_RESET_LIFETIME_SECS`] when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_in_secs: Option<u64>,
}

/// The answer to a password reset request. A replayed request returns the first answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PasswordResetCreated {
    pub reset_id: String,
    /// The full link to the reset page, built from the gateway's configured public URL.
    pub link: String,
    /// Unix seconds.
    pub expires_at: i64,
}
