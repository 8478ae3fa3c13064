//! Team mode: several admins, each on their own computer, run one directory. Each computer
//! is a device with its own credential; every change an admin makes is appended to the
//! organization's change log, which gives it the next sequence number, and every computer
//! applies the log in that order.

use serde::{Deserialize, Serialize};

/// The most changes one append carries.
pub const MAX_CHANGES_PER_APPEND: usize = 500;

/// The largest change body, in bytes of its JSON.
pub const MAX_CHANGE_BODY_BYTES: usize = 64 * 1024;

/// The longest `change_id`, in characters (`[A-Za-z0-9_-]`).
pub const MAX_CHANGE_ID_LEN: usize = 64;

/// The most changes one page of the log carries; larger `limit`s are cut to this.
pub const MAX_CHANGES_LIMIT: u32 = 1000;

/// The longest device name, in characters.
pub const MAX_DEVICE_NAME_LEN: usize = 100;

/// How long an enrollment code stays usable when the gateway's configuration does not say
/// otherwise (24 hours).
pub const DEFAULT_ENROLLMENT_LIFETIME_SECS: u64 = 24 * 60 * 60;

/// The most bytes a directory snapshot may have when the gateway's configuration does not
/// say otherwise (256 MiB).
pub const DEFAULT_MAX_SNAPSHOT_BYTES: usize = 256 * 1024 * 1024;

/// Where directory snapshots are put and read (`PUT` with `?at_seq=N`, `GET`).
pub const SNAPSHOT_PATH: &str = "/api/v1/team/snapshot";

/// The header of `GET /api/v1/team/snapshot`'s answer that carries the change log position
/// the snapshot was taken at: the computer that loads it reads the log after it.
pub const SNAPSHOT_AT_SEQ_HEADER: &str = "orgdesk-snapshot-at-seq";

/// `PUT /api/v1/team/snapshot?at_seq=N`'s answer: the position of the snapshot the gateway
/// keeps now (a later one kept before stays).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SnapshotKept {
    pub at_seq: i64,
}

/// `POST /api/v1/team/devices` (API token): the computer holding the organization's API
/// token becomes a device of the account `account_id`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegisterDevice {
    pub account_id: String,
    /// What the admin calls this computer (1–100 characters).
    pub device_name: String,
}

/// A new device and its credential. `device_token` (`dev_….…`) is shown once: the gateway
/// keeps only its hash.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeviceCredential {
    pub device_id: String,
    pub device_token: String,
    pub account_id: String,
    pub organization_id: String,
}

/// `POST /api/v1/team/enrollments`: a one-time code that lets the account's owner enroll
/// another computer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreateEnrollment {
    pub account_id: String,
}

/// A new enrollment code: 28 symbols of the organization code's alphabet in groups of four
/// (`ABCD-EFGH-…`, 140 random bits), usable once until `expires_at` (Unix seconds).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnrollmentCreated {
    pub code: String,
    pub expires_at: i64,
}

/// `POST /api/v1/team/join` (no bearer token): a new computer enrolls with a code and the
/// account's username and password. Answered with a [`DeviceCredential`].
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JoinTeam {
    pub code: String,
    pub username: String,
    pub password: String,
    pub device_name: String,
}

/// One device of the organization, as `GET /api/v1/team/devices` lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Device {
    pub device_id: String,
    pub account_id: String,
    pub username: String,
    pub device_name: String,
    pub created_at: i64,
    /// When the device last used its credential (to the minute), if ever.
    pub last_seen_at: Option<i64>,
    /// Set once the device is revoked: its credential is refused from then on.
    pub revoked_at: Option<i64>,
}

/// Every device of the organization, oldest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeviceList {
    pub devices: Vec<Device>,
}

/// One change a device sends: its own id for it (1–64 characters of `[A-Za-z0-9_-]`, unique
/// per device, so that a retry is recognised) and what the directories apply.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewChange {
    pub change_id: String,
    pub body: serde_json::Map<String, serde_json::Value>,
}

/// `POST /api/v1/changes` (device token only).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AppendChanges {
    pub changes: Vec<NewChange>,
}

/// Where a sent change landed in the log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChangePlaced {
    pub change_id: String,
    pub seq: i64,
}

/// The answer to an append, one entry per change in the request's order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChangesAppended {
    pub changes: Vec<ChangePlaced>,
}

/// One entry of the change log. `seq` orders the log per organization (1, 2, 3 … without
/// gaps) and is the cursor.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Change {
    pub seq: i64,
    pub change_id: String,
    /// The device that sent it and the account it belongs to: who made the change.
    pub device_id: String,
    pub account_id: String,
    /// When the gateway placed it, Unix seconds.
    pub at: i64,
    pub body: serde_json::Map<String, serde_json::Value>,
}

/// `GET /api/v1/changes?after=SEQ&limit=…&wait=…`: the changes after the cursor, in order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChangesPage {
    pub changes: Vec<Change>,
    pub next_cursor: i64,
}

// The token and the password are secrets: never printed.
impl std::fmt::Debug for DeviceCredential {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DeviceCredential")
            .field("device_id", &self.device_id)
            .field("account_id", &self.account_id)
            .field("organization_id", &self.organization_id)
            .finish_non_exhaustive()
    }
}

impl std::fmt::Debug for JoinTeam {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("JoinTeam")
            .field("username", &self.username)
            .field("device_name", &self.device_name)
            .finish_non_exhaustive()
    }
}
