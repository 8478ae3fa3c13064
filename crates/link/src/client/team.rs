//! Team mode through the typed client: registering this computer as a device, enrollment
//! codes, joining a team from a new computer, the device list, revocation, and the change
//! log (appending and reading).

use std::time::Duration;

use orgdesk_protocol::{
    AppendChanges, ChangesAppended, ChangesPage, CreateEnrollment, DeviceCredential, DeviceList,
    EnrollmentCreated, JoinTeam, RegisterDevice, SnapshotKept, DEFAULT_MAX_SNAPSHOT_BYTES,
    SNAPSHOT_AT_SEQ_HEADER,
};
use reqwest::{header, Method};

use super::{CallError, GatewayClient};

impl GatewayClient {
    /// Makes the computer holding the organization's API token a device of `account_id`; the
    /// answer's token is shown once and replaces the API token on this computer.
    pub async fn register_device(
        &self,
        req: &RegisterDevice,
    ) -> Result<DeviceCredential, CallError> {
        let request = self.request(Method::POST, &["team", "devices"])?.json(req);
        Self::json(request).await
    }

    /// A one-time code that lets the owner of `account_id` enroll another computer.
    pub async fn create_enrollment(
        &self,
        account_id: &str,
    ) -> Result<EnrollmentCreated, CallError> {
        let request =
            self.request(Method::POST, &["team", "enrollments"])?
                .json(&CreateEnrollment {
                    account_id: account_id.to_owned(),
                });
        Self::json(request).await
    }

    /// Enrolls this computer with a code, the account's username and password (no token is
    /// sent: the endpoint's token is not used). A wrong code, username or password is
    /// `Refused` with status 401; too many wrong attempts are `Retry` (429).
    pub async fn join_team(&self, req: &JoinTeam) -> Result<DeviceCredential, CallError> {
        let request = self.anonymous(Method::POST, &["team", "join"])?.json(req);
        let (_, body) = Self::answer_as(request, false).await?;
        Self::parsed(&body)
    }

    /// Every device of the organization, oldest first.
    pub async fn devices(&self) -> Result<DeviceList, CallError> {
        Self::json(self.request(Method::GET, &["team", "devices"])?).await
    }

    /// Revokes a device: its token is refused from now on. Unknown ids are `Refused` (404).
    pub async fn revoke_device(&self, device_id: &str) -> Result<(), CallError> {
        let request = self.request(Method::POST, &["team", "devices", device_id, "revoke"])?;
        Self::answer(request).await.map(drop)
    }

    /// Appends changes to the organization's log (a device token only). Safe to retry with
    /// the same change ids: what was placed keeps its number.
    pub async fn append_changes(&self, req: &AppendChanges) -> Result<ChangesAppended, CallError> {
        let request = self.request(Method::POST, &["changes"])?.json(req);
        let answer: ChangesAppended = Self::json(request).await?;
        let same = answer.changes.len() == req.changes.len()
            && answer
                .changes
                .iter()
                .zip(&req.changes)
                .all(|(placed, sent)| placed.change_id == sent.change_id);
        if !same {
            return Err(CallError::Retry(
                "The gateway answered for different changes than were sent.".into(),
            ));
        }
        Ok(answer)
    }

    /// One page of the change log after `after`, waiting up to `wait` seconds for more.
    pub async fn changes(
        &self,
        after: i64,
        limit: u32,
        wait: u64,
    ) -> Result<ChangesPage, CallError> {
        let body = self.long_poll("changes", after, limit, wait).await?;
        serde_json::from_str(&body)
            .map_err(|e| CallError::Retry(format!("The change log was not understood ({e}).")))
    }

    /// Puts this directory's snapshot, taken at change log position `at_seq`; answers the
    /// position of the snapshot the gateway keeps (a later one kept before stays).
    pub async fn put_snapshot(
        &self,
        at_seq: i64,
        snapshot: Vec<u8>,
    ) -> Result<SnapshotKept, CallError> {
        let request = self
            .request_with(
                Method::PUT,
                &["team", "snapshot"],
                &[("at_seq", at_seq.to_string())],
            )?
            .timeout(SNAPSHOT_TRANSFER_TIME)
            .header(header::CONTENT_TYPE, "application/octet-stream")
            .body(snapshot);
        Self::json(request).await
    }

    /// The organization's snapshot and the change log position it was taken at, read up to
    /// [`DEFAULT_MAX_SNAPSHOT_BYTES`]. None kept yet is `Refused` with status 404
    /// (`no_snapshot`).
    pub async fn snapshot(&self) -> Result<(i64, Vec<u8>), CallError> {
        let unreachable = |e: reqwest::Error| {
            CallError::Retry(format!("The gateway could not be reached ({e})."))
        };
        let mut response = self
            .request(Method::GET, &["team", "snapshot"])?
            .timeout(SNAPSHOT_TRANSFER_TIME)
            .send()
            .await
            .map_err(unreachable)?;
        let status = response.status();
        if !status.is_success() {
            let body = response.text().await.unwrap_or_default();
            return Err(Self::failure(status, &body, true));
        }
        let at_seq = response
            .headers()
            .get(SNAPSHOT_AT_SEQ_HEADER)
            .and_then(|v| v.to_str().ok()?.parse::<i64>().ok())
            .filter(|n| *n >= 0)
            .ok_or_else(|| {
                CallError::Retry(format!(
                    "The gateway's snapshot came without its position ({SNAPSHOT_AT_SEQ_HEADER})."
                ))
            })?;
        let mut bytes = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(unreachable)? {
            if bytes.len() + chunk.len() > DEFAULT_MAX_SNAPSHOT_BYTES {
                return Err(CallError::Retry(format!(
                    "The gateway sent a snapshot larger than {} MB; it was not read.",
                    DEFAULT_MAX_SNAPSHOT_BYTES >> 20
                )));
            }
            bytes.extend_from_slice(&chunk);
        }
        Ok((at_seq, bytes))
    }
}

/// How long a snapshot may take to go up or come down (every other call is given 30 s).
const SNAPSHOT_TRANSFER_TIME: Duration = Duration::from_secs(300);
