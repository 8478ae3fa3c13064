//! Invitations: the directory's record of every invitation sent to a Not Joined member, the
//! durable queue of what the gateway still has to be told, and the application of the
//! gateway's events (delivered, opened, registered, declined, …) to the directory.
//!
//! Nothing here speaks HTTP. The desktop's sync worker asks for [`Directory::due_gateway_work`],
//! carries each item out against the gateway, reports back with
//! [`Directory::gateway_work_done`] (which on a computer in a team also tells the other
//! computers the gateway's id of an invitation sent: `crate::team`), and hands every page of
//! the event feed to [`Directory::apply_gateway_events`]. Because the request is written before it is sent
//! and every create carries its idempotency key, a crash or an unreachable gateway delays an
//! invitation but never loses or doubles it.
//!
//! This module holds the types the screens and the sync worker see; inviting, resending and
//! cancelling (directly, or as a change of a team's log: `Sending`, `TellGateway`), listing,
//! the gateway's work queue, applying its events, and password resets are in its submodules.

mod changes;
mod create;
mod events;
mod list;
mod logged;
mod resets;
mod work;

use orgdesk_protocol::{Channel, CreateInvitation};
use orgdesk_rules::Lang;
use rand::RngCore;
use rusqlite::types::{FromSql, FromSqlResult, ValueRef};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::error::ErrorDetail;
use crate::types::MemberId;

pub use changes::InvitationChange;
pub(crate) use create::Sending;
pub use events::HOLD_UNKNOWN_MS;
pub(crate) use events::{apply_member_event, Applying, Intake};
pub(crate) use logged::waiting_registration;
pub use resets::{PasswordResetSent, ResetTarget};
pub(crate) use work::Answered;

/// How an invitation reaches the invitee.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum InviteChannel {
    /// A mail to the member's email address.
    Email,
    /// A text message to the member's mobile number.
    Sms,
    /// Nothing is sent: the admin copies the link and passes it on.
    Link,
}

impl InviteChannel {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Email => "email",
            Self::Sms => "sms",
            Self::Link => "link",
        }
    }

    fn parse(s: &str) -> Self {
        match s {
            "email" => Self::Email,
            "sms" => Self::Sms,
            _ => Self::Link,
        }
    }

    /// The channel as the gateway's protocol names it.
    pub fn wire(self) -> Channel {
        match self {
            Self::Email => Channel::Email,
            Self::Sms => Channel::Sms,
            Self::Link => Channel::Link,
        }
    }
}

/// Where an invitation stands, as the admin sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum InvitationState {
    /// Written here; the gateway has not confirmed it yet (it may be unreachable).
    Queued,
    /// The gateway accepted it and is sending it (or, for a link, the link is ready).
    Sent,
    /// The mail or text reached the next hop.
    Delivered,
    /// The invitee opened the invitation page.
    Opened,
    /// It could not be delivered; see the reason. Resend or cancel.
    Failed,
    Registered,
    Declined,
    Expired,
    Cancelled,
}

impl InvitationState {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Queued => "queued",
            Self::Sent => "sent",
            Self::Delivered => "delivered",
            Self::Opened => "opened",
            Self::Failed => "failed",
            Self::Registered => "registered",
            Self::Declined => "declined",
            Self::Expired => "expired",
            Self::Cancelled => "cancelled",
        }
    }

    fn parse(s: &str) -> Self {
        match s {
            "queued" => Self::Queued,
            "sent" => Self::Sent,
            "delivered" => Self::Delivered,
            "opened" => Self::Opened,
            "failed" => Self::Failed,
            "registered" => Self::Registered,
            "declined" => Self::Declined,
            "expired" => Self::Expired,
            _ => Self::Cancelled,
        }
    }

    /// Still waiting for the invitee: can be resent or cancelled.
    pub fn is_open(self) -> bool {
        matches!(
            self,
            Self::Queued | Self::Sent | Self::Delivered | Self::Opened | Self::Failed
        )
    }
}

/// One invitation in the Invitations list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct InvitationRow {
    #[ts(type = "number")]
    pub id: i64,
    #[ts(type = "number")]
    pub member_id: MemberId,
    pub member_name: String,
    pub channel: InviteChannel,
    pub recipient: String,
    pub state: InvitationState,
    /// The language of its mail, text message and pages.
    pub language: Lang,
    /// The invitation link, once the gateway made it.
    pub link: Option<String>,
    pub inviter_name: String,
    #[ts(type = "number")]
    pub created_at: i64,
    #[ts(type = "number")]
    pub updated_at: i64,
    /// Milliseconds since the epoch.
    #[ts(type = "number | null")]
    pub expires_at: Option<i64>,
    /// Why the last attempt failed, or why delivery gave up.
    pub last_error: Option<String>,
    /// The gateway still has to be told something (create, resend or cancel).
    pub awaiting_gateway: bool,
    /// Delivered only into the gateway's mail folder (the built-in gateway): nobody received
    /// it. Shown as kept, with the message readable here.
    pub kept: bool,
}

/// Which invitations to list.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct InvitationQuery {
    /// Only these states; all when empty.
    #[serde(default)]
    pub states: Vec<InvitationState>,
    /// Only the invitations of this member.
    #[serde(default)]
    #[ts(type = "number | null")]
    pub member_id: Option<MemberId>,
    /// Only invitations whose member's name, username, email or mobile number (or the
    /// invitation's recipient) contains this text, ignoring case and accents; all when empty.
    #[serde(default)]
    #[ts(optional)]
    pub search: Option<String>,
    /// Rows to pass over (for a page after the first).
    #[serde(default)]
    pub offset: u32,
    /// Rows at most (`MAX_INVITATION_PAGE` at most; that many when absent).
    #[serde(default)]
    pub limit: Option<u32>,
}

/// The most invitations one answer holds.
pub const MAX_INVITATION_PAGE: u32 = 5_000;

/// One page of invitations and how many match in all.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct InvitationPage {
    pub rows: Vec<InvitationRow>,
    pub total: u32,
}

/// The answer to "invite these members".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct InviteOutcome {
    pub invited: u32,
    /// Members that could not be invited, each with the reason (field = the member's name).
    pub skipped: Vec<ErrorDetail>,
}

/// The answer to "resend (or cancel) these invitations": one transaction; the invitations
/// that could not be changed are passed over and listed, the others are changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct InvitationBatchOutcome {
    /// How many were resent (or cancelled).
    pub changed: u32,
    /// The invitations passed over, each with the reason (field = the member's name, or
    /// `invitations` for one that no longer exists).
    pub skipped: Vec<ErrorDetail>,
}

/// Counts for the status line of the Invitations screen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct InvitationCounts {
    /// Waiting for the gateway (queued creates, resends and cancels).
    pub awaiting_gateway: u32,
    /// Open invitations (not yet registered, declined, expired or cancelled).
    pub open: u32,
    pub failed: u32,
}

/// What the Invitations screen shows about the connection.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct GatewayStatus {
    /// `embedded` (in this app, on loopback), `remote` (the organization's gateway, reached
    /// with its API token), `team` (the organization's gateway, reached with this computer's
    /// own device credential: a computer in a team) or `unavailable` (it could not start).
    pub mode: String,
    /// The gateway's address, when known.
    pub url: Option<String>,
    /// The last call reached the gateway.
    pub connected: bool,
    /// Why the last call failed, in words for the admin.
    pub last_error: Option<String>,
    /// Why, as a code the window translates, when it is one the window words itself:
    /// `removed_from_team` (this computer's team credential refused).
    pub last_error_code: Option<String>,
    /// Where the embedded gateway writes the mail it "sends".
    pub mail_folder: Option<String>,
}

/// What the gateway still has to be told about one invitation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GatewayAction {
    /// Create it; retried with the same idempotency key until the gateway answers.
    Create(CreateInvitation),
    /// Send a fresh link (the old one stops working).
    Resend,
    /// Cancel it on the gateway.
    Cancel,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GatewayWork {
    pub invitation_id: i64,
    pub idempotency_key: String,
    /// The gateway's id, known once a create succeeded (always set for resend and cancel).
    pub gateway_id: Option<String>,
    pub action: GatewayAction,
    pub attempts: u32,
}

/// How a piece of gateway work ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WorkResult {
    /// Created or resent: the link and its expiry (Unix seconds).
    Linked {
        gateway_id: String,
        link: String,
        expires_at_secs: i64,
    },
    Cancelled,
    /// The gateway refused for good (invalid recipient, invitation already closed): the
    /// invitation is marked failed with this reason.
    Refused(String),
    /// Could not reach the gateway or it failed for now: try again later.
    Retry(String),
}

/// A change queued for the gateway besides invitations (see migrations 0004 and 0008).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboxItem {
    pub id: i64,
    /// `join_decision` (account states now travel with the account mirror).
    pub kind: String,
    /// The gateway's join request id.
    pub target: String,
    /// `approved` or `rejected`.
    pub value: String,
    pub attempts: u32,
}

/// How delivering an [`OutboxItem`] ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OutboxResult {
    /// Done, or refused for good (the gateway has no account by that name): forget it.
    Done,
    Retry(String),
}

/// The language an invitation is written in: its own (`invitations.locale`), else the
/// organization's, for invitations written before each had one.
fn language_or(stored: Option<String>, org_language: Lang) -> Lang {
    stored.and_then(|l| Lang::parse(&l)).unwrap_or(org_language)
}

/// A fresh 128-bit key that makes a create request to the gateway safe to retry.
pub fn new_idempotency_key() -> String {
    let mut bytes = [0u8; 16];
    rand::rng().fill_bytes(&mut bytes);
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The channel column, read as the channel it names.
impl FromSql for InviteChannel {
    fn column_result(value: ValueRef<'_>) -> FromSqlResult<Self> {
        value.as_str().map(Self::parse)
    }
}

/// The state column, read as the state it names.
impl FromSql for InvitationState {
    fn column_result(value: ValueRef<'_>) -> FromSqlResult<Self> {
        value.as_str().map(Self::parse)
    }
}
