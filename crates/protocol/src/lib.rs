//! Wire types shared by the Orgdesk desktop and the Orgdesk gateway.
//!
//! Every type here is part of a versioned HTTP API (`/api/v1`); a change that an older
//! peer cannot read needs a new version, not an edit. Times are Unix seconds (UTC), which
//! both sides compare without parsing.

mod accounts;
mod events;
mod invitations;
mod joining;
mod team;

use serde::{Deserialize, Serialize};

/// The API version this crate describes; it is the path prefix of every endpoint.
pub const API_VERSION: &str = "v1";

/// The header that makes a create request safe to retry: the gateway keeps the first answer
/// for each (organization, key) forever and replays it, so a retry never sends twice.
pub const IDEMPOTENCY_KEY_HEADER: &str = "Idempotency-Key";

pub use accounts::{
    AccountState, CreatePasswordReset, MirrorAccounts, MirroredAccount, MirroredAccounts,
    PasswordResetCreated, RefuseAccount, SetAccountState, DEFAULT_PASSWORD_RESET_LIFETIME_SECS,
    MAX_MIRRORED_ACCOUNTS,
};
pub use events::{AckEvents, Event, EventKind, EventsPage, MAX_EVENTS_LIMIT, MAX_EVENTS_WAIT_SECS};
pub use invitations::{
    Channel, CreateInvitation, InvitationCreated, DEFAULT_INVITATION_LIFETIME_SECS,
};
pub use joining::{
    JoinDecision, JoinField, JoinLink, JoinLinkRules, JoinRequestDecided, JoinRequestStatus,
    JoinVia, JoinerDetails,
};
pub use team::{
    AppendChanges, Change, ChangePlaced, ChangesAppended, ChangesPage, CreateEnrollment, Device,
    DeviceCredential, DeviceList, EnrollmentCreated, JoinTeam, NewChange, RegisterDevice,
    SnapshotKept, DEFAULT_ENROLLMENT_LIFETIME_SECS, DEFAULT_MAX_SNAPSHOT_BYTES, MAX_CHANGES_LIMIT,
    MAX_CHANGES_PER_APPEND, MAX_CHANGE_BODY_BYTES, MAX_CHANGE_ID_LEN, MAX_DEVICE_NAME_LEN,
    SNAPSHOT_AT_SEQ_HEADER, SNAPSHOT_PATH,
};

/// The Argon2id parameters a password hash may carry to cross between desktop and gateway,
/// and the check both sides apply before storing one: the rule lives in `orgdesk-rules`.
pub use orgdesk_rules::password::{
    check_password_hash, PasswordHashProblem, ARGON2_MAX_LANES, ARGON2_MAX_MEMORY_KIB,
    ARGON2_MAX_TIME, ARGON2_MIN_MEMORY_KIB, ARGON2_MIN_TIME,
};

/// Every API error body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiError {
    /// Stable, machine-readable (`unauthorized`, `invalid_request`, `not_found`, …).
    pub code: String,
    /// For people; English.
    pub message: String,
}

#[cfg(test)]
mod tests;
