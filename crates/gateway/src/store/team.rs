//! Team mode's devices and their enrollment: the computers of the admins who run one
//! directory together, each with its own credential, and the one-time codes that enroll a
//! new one. Implemented by both stores in `team.rs` beside their other domains; every method
//! is one transaction.

use async_trait::async_trait;
use orgdesk_protocol::{AccountState, Device};

use crate::error::Result;
use crate::store::args::Arg;
use crate::store::columns::{from_columns, StoreRow};
use crate::store::parse_account_state;

/// A device to record: its id, the organization and account it belongs to, its name and the
/// SHA-256 of its credential's secret.
#[derive(Debug, Clone)]
pub struct NewDevice {
    pub id: String,
    pub org_id: String,
    pub account_id: String,
    pub name: String,
    pub token_sha256: [u8; 32],
}

/// What checking a device credential needs: the device's organization and account, the hash
/// its secret must match and when it was last seen. Only a device that may act has one.
#[derive(Debug, Clone)]
pub struct DeviceAuth {
    pub org_id: String,
    pub account_id: String,
    pub token_sha256: [u8; 32],
    pub last_seen_at: Option<i64>,
}

/// An account a device or an enrollment code is for, as the handlers check it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TeamAccount {
    pub state: AccountState,
    /// False for an account that only reserves its username: nobody can sign in to it.
    pub has_password: bool,
}

/// A new enrollment code for an account: its SHA-256 and its expiry.
#[derive(Debug, Clone)]
pub struct NewEnrollment {
    pub org_id: String,
    pub account_id: String,
    pub code_sha256: [u8; 32],
    pub expires_at: i64,
}

/// A usable enrollment code with the enabled account it enrolls for: what the password is
/// checked against.
#[derive(Debug, Clone)]
pub struct EnrollmentCandidate {
    pub org_id: String,
    pub account_id: String,
    pub username_key: String,
    /// Argon2id PHC string; empty for an account that only reserves its username.
    pub password_hash: String,
}

#[async_trait]
pub trait TeamStore: Send + Sync + 'static {
    /// The organization's account `account_id`, if it has one.
    async fn team_account(&self, org_id: &str, account_id: &str) -> Result<Option<TeamAccount>>;
    async fn add_device(&self, device: NewDevice, now: i64) -> Result<()>;
    /// Records a code; every older unused code of the same account is voided.
    async fn create_enrollment(&self, new: NewEnrollment, now: i64) -> Result<()>;
    /// The code with this hash if it is usable at `now` (unused, not voided, not expired)
    /// and its account is enabled.
    async fn enrollment(
        &self,
        code_sha256: [u8; 32],
        now: i64,
    ) -> Result<Option<EnrollmentCandidate>>;
    /// Uses up the code (if still usable for `device`'s account) and records the device;
    /// false, with nothing written, when the code was used or voided meanwhile.
    async fn enroll_device(
        &self,
        code_sha256: [u8; 32],
        device: NewDevice,
        now: i64,
    ) -> Result<bool>;
    /// Every device of the organization, oldest first.
    async fn devices(&self, org_id: &str) -> Result<Vec<Device>>;
    /// Revokes a device (again is harmless); false when the organization has no such device.
    async fn revoke_device(&self, org_id: &str, device_id: &str, now: i64) -> Result<bool>;
    /// A device that may act: not revoked, its account enabled.
    async fn device_auth(&self, device_id: &str) -> Result<Option<DeviceAuth>>;
    /// Records that the device used its credential at `now`.
    async fn touch_device(&self, device_id: &str, now: i64) -> Result<()>;
}

/// A 32-byte hash as stored; any other length reads as none, which no secret matches.
pub(crate) fn hash_of(bytes: &[u8]) -> [u8; 32] {
    bytes.try_into().unwrap_or([0; 32])
}

/// Reads a row of `sql::TEAM_ACCOUNT`.
pub(crate) fn read_team_account<R: StoreRow>(row: &R) -> Result<TeamAccount, R::Error> {
    from_columns!(row, 0; TeamAccount {
        state: parsed("account state", parse_account_state),
        has_password: mapped(|hash: String| !hash.is_empty()),
    })
}

/// Reads a row of `sql::USABLE_ENROLLMENT`.
pub(crate) fn read_enrollment<R: StoreRow>(row: &R) -> Result<EnrollmentCandidate, R::Error> {
    from_columns!(row, 0; EnrollmentCandidate { org_id, account_id, username_key, password_hash })
}

/// Reads a row of `sql::DEVICES`.
pub(crate) fn read_device<R: StoreRow>(row: &R) -> Result<Device, R::Error> {
    from_columns!(row, 0; Device {
        device_id, account_id, username, device_name, created_at, last_seen_at, revoked_at,
    })
}

/// Reads a row of `sql::DEVICE_AUTH`.
pub(crate) fn read_device_auth<R: StoreRow>(row: &R) -> Result<DeviceAuth, R::Error> {
    from_columns!(row, 0; DeviceAuth {
        org_id, account_id, token_sha256: mapped(|hash: Vec<u8>| hash_of(&hash)), last_seen_at,
    })
}

/// The arguments of `sql::INSERT_DEVICE`.
pub(crate) fn device_args(device: &NewDevice, now: i64) -> [Arg<'_>; 6] {
    [
        Arg::from(&device.id),
        Arg::from(&device.org_id),
        Arg::from(&device.account_id),
        Arg::from(&device.name),
        Arg::Bytes(&device.token_sha256),
        Arg::Int(now),
    ]
}
