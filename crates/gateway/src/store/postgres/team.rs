//! Team mode's devices and enrollment codes on PostgreSQL.

use async_trait::async_trait;
use orgdesk_protocol::Device;

use super::{bound, execute, PostgresStore};
use crate::error::Result;
use crate::store::sql;
use crate::store::team::{
    device_args, read_device, read_device_auth, read_enrollment, read_team_account,
};
use crate::store::{
    DeviceAuth, EnrollmentCandidate, NewDevice, NewEnrollment, TeamAccount, TeamStore,
};

/// The devices of an organization in the order they were made: `created_order` is numbered
/// as each row is inserted (migration 0013).
const DEVICES: &str = sql::devices_in_order!("d.created_order");

#[async_trait]
impl TeamStore for PostgresStore {
    async fn team_account(&self, org_id: &str, account_id: &str) -> Result<Option<TeamAccount>> {
        let args = [org_id.into(), account_id.into()];
        self.optional_row(sql::TEAM_ACCOUNT, &args, read_team_account)
            .await
    }

    async fn add_device(&self, device: NewDevice, now: i64) -> Result<()> {
        execute(&self.pool, sql::INSERT_DEVICE, &device_args(&device, now)).await?;
        Ok(())
    }

    async fn create_enrollment(&self, new: NewEnrollment, now: i64) -> Result<()> {
        let mut tx = self.pool.begin().await?;
        let account = [new.org_id.as_str().into(), new.account_id.as_str().into()];
        execute(
            &mut *tx,
            sql::VOID_ENROLLMENTS,
            &[account[0], account[1], now.into()],
        )
        .await?;
        let code = (&new.code_sha256).into();
        let args = [
            code,
            account[0],
            account[1],
            now.into(),
            new.expires_at.into(),
        ];
        execute(&mut *tx, sql::INSERT_ENROLLMENT, &args).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn enrollment(
        &self,
        code_sha256: [u8; 32],
        now: i64,
    ) -> Result<Option<EnrollmentCandidate>> {
        let args = [(&code_sha256).into(), now.into()];
        self.optional_row(sql::USABLE_ENROLLMENT, &args, read_enrollment)
            .await
    }

    async fn enroll_device(
        &self,
        code_sha256: [u8; 32],
        device: NewDevice,
        now: i64,
    ) -> Result<bool> {
        let mut tx = self.pool.begin().await?;
        let args = [
            (&code_sha256).into(),
            now.into(),
            device.org_id.as_str().into(),
            device.account_id.as_str().into(),
        ];
        if execute(&mut *tx, sql::USE_ENROLLMENT, &args).await? != 1 {
            return Ok(false);
        }
        execute(&mut *tx, sql::INSERT_DEVICE, &device_args(&device, now)).await?;
        tx.commit().await?;
        Ok(true)
    }

    async fn devices(&self, org_id: &str) -> Result<Vec<Device>> {
        let rows = bound(DEVICES, &[org_id.into()])
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(read_device).collect()
    }

    async fn revoke_device(&self, org_id: &str, device_id: &str, now: i64) -> Result<bool> {
        let args = [org_id.into(), device_id.into(), now.into()];
        let mut tx = self.pool.begin().await?;
        let revoked = execute(&mut *tx, sql::REVOKE_DEVICE, &args).await? == 1;
        if revoked {
            // Its long-polls on every instance end at once.
            super::wakes::announce(&mut tx, crate::store::Feed::Devices).await?;
        }
        tx.commit().await?;
        Ok(revoked)
    }

    async fn device_auth(&self, device_id: &str) -> Result<Option<DeviceAuth>> {
        self.optional_row(sql::DEVICE_AUTH, &[device_id.into()], read_device_auth)
            .await
    }

    async fn touch_device(&self, device_id: &str, now: i64) -> Result<()> {
        execute(
            &self.pool,
            sql::TOUCH_DEVICE,
            &[device_id.into(), now.into()],
        )
        .await?;
        Ok(())
    }
}
