//! Team mode's devices and enrollment codes on SQLite.

use async_trait::async_trait;
use orgdesk_protocol::Device;
use rusqlite::{params, params_from_iter};

use super::SqliteStore;
use crate::error::Result;
use crate::store::sql;
use crate::store::team::{
    device_args, read_device, read_device_auth, read_enrollment, read_team_account,
};
use crate::store::{
    DeviceAuth, EnrollmentCandidate, NewDevice, NewEnrollment, TeamAccount, TeamStore,
};

/// The devices of an organization in the order they were made: the rowid follows insertion
/// (devices are never deleted, and `VACUUM` keeps the rows' order).
const DEVICES: &str = sql::devices_in_order!("d.rowid");

#[async_trait]
impl TeamStore for SqliteStore {
    async fn team_account(&self, org_id: &str, account_id: &str) -> Result<Option<TeamAccount>> {
        let args = [org_id.to_owned(), account_id.to_owned()];
        self.optional_row(sql::TEAM_ACCOUNT.into(), args, |r| read_team_account(r))
            .await
    }

    async fn add_device(&self, device: NewDevice, now: i64) -> Result<()> {
        self.with(move |c| {
            c.execute(
                sql::INSERT_DEVICE,
                params_from_iter(device_args(&device, now)),
            )?;
            Ok(())
        })
        .await
    }

    async fn create_enrollment(&self, new: NewEnrollment, now: i64) -> Result<()> {
        self.in_transaction(move |tx| {
            tx.execute(
                sql::VOID_ENROLLMENTS,
                params![new.org_id, new.account_id, now],
            )?;
            tx.execute(
                sql::INSERT_ENROLLMENT,
                params![
                    new.code_sha256,
                    new.org_id,
                    new.account_id,
                    now,
                    new.expires_at
                ],
            )?;
            tx.commit()?;
            Ok(())
        })
        .await
    }

    async fn enrollment(
        &self,
        code_sha256: [u8; 32],
        now: i64,
    ) -> Result<Option<EnrollmentCandidate>> {
        let args = (code_sha256, now);
        self.optional_row(sql::USABLE_ENROLLMENT.into(), args, |r| read_enrollment(r))
            .await
    }

    async fn enroll_device(
        &self,
        code_sha256: [u8; 32],
        device: NewDevice,
        now: i64,
    ) -> Result<bool> {
        self.in_transaction(move |tx| {
            let used = tx.execute(
                sql::USE_ENROLLMENT,
                params![code_sha256, now, device.org_id, device.account_id],
            )?;
            if used != 1 {
                return Ok(false);
            }
            tx.execute(
                sql::INSERT_DEVICE,
                params_from_iter(device_args(&device, now)),
            )?;
            tx.commit()?;
            Ok(true)
        })
        .await
    }

    async fn devices(&self, org_id: &str) -> Result<Vec<Device>> {
        self.all_rows(DEVICES, [org_id.to_owned()], |r| read_device(r))
            .await
    }

    async fn revoke_device(&self, org_id: &str, device_id: &str, now: i64) -> Result<bool> {
        let (org_id, device_id) = (org_id.to_owned(), device_id.to_owned());
        self.with(move |c| Ok(c.execute(sql::REVOKE_DEVICE, params![org_id, device_id, now])? == 1))
            .await
    }

    async fn device_auth(&self, device_id: &str) -> Result<Option<DeviceAuth>> {
        let args = [device_id.to_owned()];
        self.optional_row(sql::DEVICE_AUTH.into(), args, |r| read_device_auth(r))
            .await
    }

    async fn touch_device(&self, device_id: &str, now: i64) -> Result<()> {
        let device_id = device_id.to_owned();
        self.with(move |c| {
            c.execute(sql::TOUCH_DEVICE, params![device_id, now])?;
            Ok(())
        })
        .await
    }
}
