//! Members: adding (with a password, or for invitation), editing, positions and the primary
//! department, roles, status transitions, removal with transfer, and the paged list.
//!
//! This module holds the types the screens see; the member row and its one writer of
//! positions and roles, each kind of change, the list and the details drawer are in its
//! submodules.

mod add;
mod details;
mod edit;
mod history;
mod list;
mod password;
mod remove;
mod row;
mod status;

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::types::{DepartmentId, MemberId, MemberRef, MemberStatus, RoleId};

pub use history::HistoryChange;
pub use password::{ChangeOwnPasswordInput, SetPasswordInput};
pub use remove::FormerMember;
pub(crate) use row::{positions_json, positions_of};
pub use status::{allowed_actions, transition};
pub(crate) use status::{is_super_admin_in, write_status, StatusChange, SUPER_ADMIN_ROLE_ONLY};

/// One (department, position title) pair a member holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct PositionInput {
    #[ts(type = "number")]
    pub department_id: DepartmentId,
    pub title: Option<String>,
}

/// "Add member by username and password": the wizard's two steps together.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct NewMember {
    pub name: String,
    /// The first is the primary department.
    pub positions: Vec<PositionInput>,
    #[ts(type = "Array<number>")]
    pub role_ids: Vec<RoleId>,
    pub username: String,
    pub password: String,
    pub email: Option<String>,
    pub mobile: Option<String>,
}

/// "Add user for invitation": saved as Not Joined.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct NewInvitee {
    pub name: String,
    pub email: Option<String>,
    pub mobile: Option<String>,
    #[ts(type = "number")]
    pub department_id: DepartmentId,
    pub position: Option<String>,
    /// The roles the member holds once joined.
    #[serde(default)]
    #[ts(type = "Array<number>")]
    pub role_ids: Vec<RoleId>,
    /// The invitation will be a link the admin passes on: no email address or mobile number
    /// is needed (the invitee's page asks for what it needs).
    #[serde(default)]
    pub link_only: bool,
}

/// An edit. `None` leaves a field as it is; an empty string clears it.
#[derive(Debug, Clone, Default, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct MemberPatch {
    pub name: Option<String>,
    pub email: Option<String>,
    pub mobile: Option<String>,
    pub employee_id: Option<String>,
    pub work_location: Option<String>,
    pub org_email: Option<String>,
    pub positions: Option<Vec<PositionInput>>,
    #[ts(type = "Array<number> | null")]
    pub role_ids: Option<Vec<RoleId>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct UpdateOutcome {
    /// Roles or departments changed: the member must sign in again.
    pub must_sign_in_again: bool,
}

/// Which members the list shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum StatusFilter {
    /// Everyone in the organization: enabled, disabled and not joined.
    All,
    PendingJoin,
    Enabled,
    Disabled,
    Resigned,
}

#[derive(Debug, Clone, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct MemberQuery {
    #[ts(type = "number | null")]
    pub department_id: Option<DepartmentId>,
    pub include_sub_departments: bool,
    pub status: StatusFilter,
    pub search: Option<String>,
    pub offset: u32,
    pub limit: u32,
}

impl Default for MemberQuery {
    fn default() -> Self {
        Self {
            department_id: None,
            include_sub_departments: true,
            status: StatusFilter::All,
            search: None,
            offset: 0,
            limit: 200,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct MemberRow {
    #[ts(type = "number")]
    pub id: MemberId,
    pub name: String,
    pub username: Option<String>,
    pub primary_department: Option<String>,
    pub position: Option<String>,
    pub roles: Vec<String>,
    pub status: MemberStatus,
    pub employee_id: Option<String>,
    pub email: Option<String>,
    pub mobile: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct MemberPage {
    pub rows: Vec<MemberRow>,
    pub total: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct PositionView {
    #[ts(type = "number")]
    pub department_id: DepartmentId,
    pub department_name: String,
    pub department_path: String,
    pub title: Option<String>,
    pub is_primary: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct RoleRef {
    #[ts(type = "number")]
    pub id: RoleId,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct HistoryItem {
    #[ts(type = "number")]
    pub at: i64,
    pub actor_name: String,
    pub action: String,
    #[ts(type = "unknown")]
    pub before: Option<serde_json::Value>,
    #[ts(type = "unknown")]
    pub after: Option<serde_json::Value>,
    /// What the entry changed, for the edits that have more to say than their action.
    pub changes: Vec<HistoryChange>,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct MemberDetails {
    #[ts(type = "number")]
    pub id: MemberId,
    pub name: String,
    pub username: Option<String>,
    pub email: Option<String>,
    pub org_email: Option<String>,
    pub mobile: Option<String>,
    pub employee_id: Option<String>,
    pub work_location: Option<String>,
    pub positions: Vec<PositionView>,
    pub roles: Vec<RoleRef>,
    pub status: MemberStatus,
    #[ts(type = "number")]
    pub created_at: i64,
    #[ts(type = "number | null")]
    pub activated_at: Option<i64>,
    #[ts(type = "number | null")]
    pub last_login_at: Option<i64>,
    pub created_by: Option<MemberRef>,
    /// The address an invitation goes to, while the member has not joined.
    pub invitation_email: Option<String>,
    /// Name, mobile and personal email belong to the member once they have joined.
    pub personal_fields_locked: bool,
    pub is_initial_admin: bool,
    /// What the admin may do now, given the status.
    pub allowed_actions: Vec<MemberAction>,
    pub history: Vec<HistoryItem>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum MemberAction {
    Edit,
    Disable,
    Enable,
    Resign,
    Restore,
    Remove,
}

/// What removing a member who has joined hands over, and to whom.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct TransferPreview {
    pub member: MemberRef,
    pub needs_transfer: bool,
    /// Departments the member heads.
    pub departments_headed: Vec<String>,
    /// Open invitations (queued, sent, delivered, opened or failed) the member sent.
    pub invitations_sent: u32,
}

/// What removing a member handed over, and to whom.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct RemoveOutcome {
    /// Who received it; none when the member had not joined.
    pub transferred_to: Option<MemberRef>,
    /// Departments whose headship moved to the receiver (or was cleared when there is none).
    pub departments_headed: Vec<String>,
    /// Open invitations the member sent that the receiver now owns.
    pub invitations_sent: u32,
}
