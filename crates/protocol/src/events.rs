//! The event feed: one event and what happened, a page of them, and the acknowledgement.

use serde::{Deserialize, Serialize};

use crate::joining::{JoinVia, JoinerDetails};

/// The longest `wait` the event feed honours, in seconds; longer waits are cut to this.
pub const MAX_EVENTS_WAIT_SECS: u64 = 30;

/// The most events one page carries; larger `limit`s are cut to this.
pub const MAX_EVENTS_LIMIT: u32 = 1000;

/// One entry of the event feed. `seq` orders the feed per organization and is the cursor.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Event {
    pub seq: i64,
    /// Unique and stable: the desktop may use it to ignore an event it has already applied.
    pub id: String,
    /// Unix seconds.
    pub at: i64,
    #[serde(flatten)]
    pub kind: EventKind,
}

/// What happened. Serialized with a `kind` tag beside the fields, e.g.
/// `{"kind":"declined","invitation_id":"…"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum EventKind {
    /// The mail or text was accepted by the next hop (SMTP server or provider).
    InvitationDelivered {
        invitation_id: String,
        /// Our Message-ID (mail) or the provider's id, for tracing a complaint.
        message_id: String,
        /// The gateway keeps its mail in a folder (the desktop's built-in gateway, or a gateway
        /// configured with a mail folder): the message was written there, not sent, and
        /// nobody has received it.
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        kept: bool,
    },
    /// Delivery gave up: a permanent refusal, or every retry failed.
    InvitationFailed {
        invitation_id: String,
        reason: String,
    },
    /// The invitee opened the invitation page for the first time.
    InvitationOpened { invitation_id: String },
    /// The invitee chose a username and password. The password is only ever sent as an
    /// Argon2id PHC string.
    Registered {
        invitation_id: String,
        /// The gateway account this registration made (or the existing account it accepted
        /// with). The directory binds the member to it; every later member event names it.
        /// Absent only from gateways older than account ids, whose registrations the directory
        /// cannot bind and refuses.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        account_id: Option<String>,
        username: String,
        password_hash: String,
    },
    /// The invitee declined.
    Declined { invitation_id: String },
    /// A member's password changed, through a reset link or on their own page. Only ever an
    /// Argon2id PHC string.
    PasswordChanged {
        /// The account that changed; the directory applies it only to the member bound to it.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        account_id: Option<String>,
        /// For people reading the feed; never used to find the member.
        username: String,
        password_hash: String,
    },
    /// A member signed in on their own page (`/me`).
    SignedIn {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        account_id: Option<String>,
        username: String,
    },
    /// A member changed their own personal fields. Only the changed fields are present; an
    /// empty string means the member removed the value (mobile and email only).
    PersonalDetailsChanged {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        account_id: Option<String>,
        username: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        name: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        mobile: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        email: Option<String>,
    },
    /// The newest link of a pending invitation passed its expiry unused. Reported once per
    /// link: a resend issues a new link, which may expire in its turn.
    InvitationExpired { invitation_id: String },
    /// A password reset mail or text was accepted by the next hop.
    PasswordResetDelivered {
        reset_id: String,
        message_id: String,
    },
    /// Delivery of a password reset gave up.
    PasswordResetFailed { reset_id: String, reason: String },
    /// Someone asked to join through the public join link or the organization code. The
    /// password is only ever sent as an Argon2id PHC string. When `approval_required` is
    /// false the person has already joined; otherwise the desktop answers with
    /// `POST /api/v1/join-requests/{request_id}/decision`.
    JoinRequested {
        request_id: String,
        via: JoinVia,
        /// Written in place: `name`, `email`, `mobile`, `employee_id`, `work_location`.
        #[serde(flatten)]
        details: JoinerDetails,
        /// The account the person gets if they are let in: made at once when no approval is
        /// required, on approval otherwise. Named now so the directory can bind the member.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        account_id: Option<String>,
        username: String,
        password_hash: String,
        /// What the gateway applied. The directory decides by its own joining rules: it makes a
        /// member at once only when both say no approval is needed.
        approval_required: bool,
    },
    /// The mail provider reported that an invitation mail it had accepted bounced.
    InvitationBounced {
        invitation_id: String,
        reason: String,
    },
}

/// `GET /api/v1/events?after=SEQ&limit=N&wait=SECS`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventsPage {
    pub events: Vec<Event>,
    /// Pass as `after` next time; equal to the request's `after` when nothing new arrived.
    pub next_cursor: i64,
}

/// `POST /api/v1/events/ack`: the desktop has durably applied every event up to `up_to`; the
/// gateway may forget them. Events are kept until acknowledged.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct AckEvents {
    pub up_to: i64,
}
