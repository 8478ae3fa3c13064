//! Team mode as the window shows it: this computer's place in the team (its device, the admin
//! it is enrolled for, what waits to be sent and what the log refused), the team's devices,
//! an enrollment code and what a new computer gives to join.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::RefusedChange;
use crate::error::CoreResult;
use crate::store::Directory;
use crate::types::MemberRef;

/// This computer in team mode, for the Settings' Team card.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct TeamStatus {
    /// This computer is an enrolled device of the team.
    pub in_team: bool,
    /// The remote gateway the directory uses; null with the built-in one.
    pub gateway: Option<String>,
    /// This computer's device, when enrolled from this version on.
    pub device_id: Option<String>,
    pub device_name: Option<String>,
    /// The admin this computer is enrolled for.
    pub admin: Option<MemberRef>,
    /// This computer's changes not yet back from the team's log.
    pub waiting: u32,
    /// This computer's changes the log refused, newest first.
    pub refused: Vec<RefusedChange>,
}

/// One device of the team.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct TeamDevice {
    pub device_id: String,
    pub device_name: String,
    /// The admin it is enrolled for: their gateway account and username.
    pub account_id: String,
    pub username: String,
    /// Times in ms since the epoch.
    pub enrolled_at: i64,
    pub last_seen_at: Option<i64>,
    pub revoked_at: Option<i64>,
    /// This very computer.
    pub this_computer: bool,
}

/// A one-time code with which an admin enrolls another computer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct TeamEnrollment {
    pub code: String,
    /// ms since the epoch.
    pub expires_at: i64,
    /// The gateway's address, which the other computer joins.
    pub gateway: String,
    /// The admin whose computer it enrolls.
    pub member: MemberRef,
}

/// What a new computer gives to join its organization's team.
#[derive(Clone, PartialEq, Eq, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct JoinTeamInput {
    pub url: String,
    pub code: String,
    pub username: String,
    pub password: String,
    pub device_name: String,
}

/// The local settings keys of this computer's device id and name (its credential is kept in
/// the system keyring, never here).
const DEVICE_ID: &str = "team_device_id";
const DEVICE_NAME: &str = "team_device_name";
/// The local settings key of the last refusal of this computer's changes the window announced.
const REFUSALS_ANNOUNCED: &str = "team_refusals_announced_up_to";

impl Directory {
    /// Records that this computer is the device `device_id`, named `device_name`, of the
    /// gateway account `account_id` (this computer's own values, in one transaction).
    pub fn set_team_device(
        &mut self,
        account_id: &str,
        device_id: &str,
        device_name: &str,
    ) -> CoreResult<()> {
        let tx = self.conn.unchecked_transaction()?;
        self.set_local_value(super::pending::DEVICE_ACCOUNT, account_id)?;
        self.set_local_value(DEVICE_ID, device_id)?;
        self.set_local_value(DEVICE_NAME, device_name)?;
        tx.commit()?;
        Ok(())
    }

    /// This computer's device id in the team, when recorded.
    pub fn team_device_id(&self) -> CoreResult<Option<String>> {
        self.local_value(DEVICE_ID)
    }

    /// This computer's place in the team, `gateway` being the remote gateway in use.
    pub fn team_status(&self, gateway: Option<String>) -> CoreResult<TeamStatus> {
        let account = self.team_device_account()?;
        let admin = match &account {
            Some(account) => {
                match crate::gateway_accounts::member_by_account(&self.conn, account)? {
                    Some((id, _)) => Some(MemberRef::of(&self.conn, id)?),
                    None => None,
                }
            }
            None => None,
        };
        Ok(TeamStatus {
            in_team: account.is_some(),
            gateway,
            device_id: self.team_device_id()?,
            device_name: self.local_value(DEVICE_NAME)?,
            admin,
            waiting: u32::try_from(self.pending_commands()?.len()).unwrap_or(u32::MAX),
            refused: self.my_refused_changes()?,
        })
    }

    /// This computer's changes the log refused that were not announced before, oldest first;
    /// from now on they count as announced (refusals only come in the log's order).
    pub fn take_unannounced_refusals(&self) -> CoreResult<Vec<RefusedChange>> {
        let after = self
            .local_value(REFUSALS_ANNOUNCED)?
            .and_then(|v| v.parse::<i64>().ok())
            .unwrap_or(0);
        let mut new: Vec<RefusedChange> = self
            .my_refused_changes()?
            .into_iter()
            .filter(|r| r.seq > after)
            .collect();
        new.reverse();
        if let Some(last) = new.last() {
            self.set_local_value(REFUSALS_ANNOUNCED, &last.seq.to_string())?;
        }
        Ok(new)
    }
}
