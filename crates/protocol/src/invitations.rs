//! Invitations on the wire: how one reaches the invitee, the create request and its answer.

use serde::{Deserialize, Serialize};

/// How long an invitation link stays valid when the request does not say: three days.
pub const DEFAULT_INVITATION_LIFETIME_SECS: u64 = 3 * 24 * 60 * 60;

/// How an invitation reaches the invitee.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    /// A mail to `recipient` (an email address).
    Email,
    /// A text message to `recipient` (an E.164 mobile number).
    Sms,
    /// Nothing is sent: the desktop shows the link and the admin passes it on.
    Link,
}

/// `POST /api/v1/invitations` (with an `Idempotency-Key` header).
///
/// The labels are only for the message and the invitation page; the desktop keeps the
/// directory of record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreateInvitation {
    pub channel: Channel,
    /// Email address for `email`, E.164 mobile (`+8613800138000`) for `sms`; for `link`, who
    /// the link is meant for (shown to nobody but the desktop).
    pub recipient: String,
    pub invitee_name: String,
    pub organization_name: String,
    #[serde(default)]
    pub department_label: String,
    #[serde(default)]
    pub position_label: String,
    pub inviter_name: String,
    /// Link lifetime; [`DEFAULT_INVITATION_LIFETIME_SECS`] when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_in_secs: Option<u64>,
    /// Language of the message: `en` (default) or `zh-CN`. The pages follow the reader's
    /// browser instead.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub locale: Option<String>,
}

/// The answer to a create or resend. A replayed create returns the first answer unchanged.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvitationCreated {
    pub invitation_id: String,
    /// The full link to the invitation page, built from the gateway's configured public URL.
    pub link: String,
    /// Unix seconds.
    pub expires_at: i64,
}
