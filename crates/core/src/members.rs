//! Members: adding (with a password, or for invitation), editing, positions and the primary
//! department, roles, status transitions, removal with transfer, and the paged list.

use std::collections::BTreeSet;

use rusqlite::{params, OptionalExtension, Transaction};
use serde::{Deserialize, Serialize};
use serde_json::json;
use ts_rs::TS;

use crate::audit::{self, Actor};
use crate::error::{CoreError, CoreResult, ErrorDetail};
use crate::password;
use crate::store::Directory;
use crate::types::{
    fold_key, fold_search, parse_employee_id, DepartmentId, DisplayName, Email, MemberId,
    MemberRef, MemberStatus, Mobile, RoleId, Username,
};

/// One (department, position title) pair a member holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct PositionInput {
    #[ts(type = "number")]
    pub department_id: DepartmentId,
    pub title: Option<String>,
}

/// "Add member by username and password": the wizard's two steps together.
#[derive(Debug, Clone, Deserialize, TS)]
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
#[derive(Debug, Clone, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct NewInvitee {
    pub name: String,
    pub email: Option<String>,
    pub mobile: Option<String>,
    #[ts(type = "number")]
    pub department_id: DepartmentId,
    pub position: Option<String>,
}

/// An edit. `None` leaves a field as it is; an empty string clears it.
#[derive(Debug, Clone, Default, Deserialize, TS)]
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
    pub invitations_sent: u32,
    pub join_requests_assigned: u32,
}

pub(crate) fn status_from_str(s: &str) -> MemberStatus {
    match s {
        "not_joined" => MemberStatus::NotJoined,
        "pending_approval" => MemberStatus::PendingApproval,
        "rejected" => MemberStatus::Rejected,
        "disabled" => MemberStatus::Disabled,
        "resigned" => MemberStatus::Resigned,
        _ => MemberStatus::Enabled,
    }
}

/// The legal actions for a member in `status`. Every transition goes through this.
pub fn allowed_actions(status: MemberStatus) -> Vec<MemberAction> {
    use MemberAction::*;
    match status {
        MemberStatus::Enabled => vec![Edit, Disable, Resign, Remove],
        MemberStatus::Disabled => vec![Edit, Enable, Resign, Remove],
        MemberStatus::NotJoined => vec![Edit, Remove],
        MemberStatus::Resigned => vec![Restore, Remove],
        MemberStatus::PendingApproval | MemberStatus::Rejected => vec![],
    }
}

/// The status `action` leads to from `status`, or None when it is not allowed.
pub fn transition(status: MemberStatus, action: MemberAction) -> Option<MemberStatus> {
    if !allowed_actions(status).contains(&action) {
        return None;
    }
    match action {
        MemberAction::Disable => Some(MemberStatus::Disabled),
        MemberAction::Enable | MemberAction::Restore => Some(MemberStatus::Enabled),
        MemberAction::Resign => Some(MemberStatus::Resigned),
        MemberAction::Edit | MemberAction::Remove => Some(status),
    }
}

fn action_label(a: MemberAction) -> &'static str {
    match a {
        MemberAction::Edit => "edited",
        MemberAction::Disable => "disabled",
        MemberAction::Enable => "enabled",
        MemberAction::Resign => "resigned",
        MemberAction::Restore => "restored",
        MemberAction::Remove => "removed",
    }
}

fn status_label(s: MemberStatus) -> &'static str {
    match s {
        MemberStatus::NotJoined => "Not Joined",
        MemberStatus::PendingApproval => "Pending Approval",
        MemberStatus::Rejected => "Rejected",
        MemberStatus::Enabled => "Enabled",
        MemberStatus::Disabled => "Disabled",
        MemberStatus::Resigned => "Resigned",
    }
}

struct Row {
    name: String,
    username: Option<String>,
    email: Option<String>,
    mobile: Option<String>,
    employee_id: Option<String>,
    org_email: Option<String>,
    work_location: Option<String>,
    status: MemberStatus,
}

/// The folded text the member index searches.
fn search_text(r: &Row) -> String {
    let mut s = String::new();
    for part in [
        Some(&r.name),
        r.username.as_ref(),
        r.email.as_ref(),
        r.mobile.as_ref(),
        r.employee_id.as_ref(),
        r.org_email.as_ref(),
    ]
    .into_iter()
    .flatten()
    {
        s.push_str(&fold_search(part));
        s.push('\u{1}');
    }
    s
}

fn opt(s: &str) -> Option<String> {
    let t = s.trim();
    (!t.is_empty()).then(|| t.to_owned())
}

/// A member's unique fields clash with another's: which one, and whose.
fn uniqueness_problems(
    tx: &Transaction<'_>,
    except: Option<MemberId>,
    username: Option<&str>,
    email: Option<&str>,
    mobile: Option<&str>,
    employee_id: Option<&str>,
) -> CoreResult<Vec<ErrorDetail>> {
    let mut out = Vec::new();
    let checks: [(&str, &str, Option<String>, &str); 4] = [
        (
            "username",
            "username_key",
            username.map(|u| u.to_ascii_lowercase()),
            "Username",
        ),
        ("email", "email_key", email.map(str::to_lowercase), "Email"),
        ("mobile", "mobile", mobile.map(str::to_owned), "Mobile"),
        (
            "employeeId",
            "employee_id_key",
            employee_id.map(fold_key),
            "Employee ID",
        ),
    ];
    for (field, column, value, label) in checks {
        let Some(value) = value else { continue };
        let holder: Option<String> = tx
            .query_row(
                &format!("SELECT name FROM members WHERE {column} = ?1 AND id IS NOT ?2"),
                params![value, except],
                |r| r.get(0),
            )
            .optional()?;
        if let Some(holder) = holder {
            out.push(ErrorDetail::field(
                field,
                "taken",
                format!("{label} \"{value}\" is already used by {holder}."),
            ));
        }
    }
    Ok(out)
}

impl Directory {
    /// The region mobile numbers without "+" are read in (Settings).
    pub fn default_region(&self) -> CoreResult<String> {
        Ok(default_region_in(&self.conn)?)
    }

    fn member_row(&self, id: MemberId) -> CoreResult<Row> {
        self.conn
            .query_row(
                "SELECT name, username, email, mobile, employee_id, org_email, work_location, status
                 FROM members WHERE id = ?1",
                [id],
                |r| {
                    Ok(Row {
                        name: r.get(0)?,
                        username: r.get(1)?,
                        email: r.get(2)?,
                        mobile: r.get(3)?,
                        employee_id: r.get(4)?,
                        org_email: r.get(5)?,
                        work_location: r.get(6)?,
                        status: status_from_str(&r.get::<_, String>(7)?),
                    })
                },
            )
            .optional()?
            .ok_or_else(|| CoreError::NotFound(format!("Member {id} does not exist.")))
    }

    /// Checks positions: at least one, departments exist, no department twice, titles ≤ 64.
    fn check_positions(
        &self,
        positions: &[PositionInput],
    ) -> CoreResult<Vec<(DepartmentId, Option<String>)>> {
        if positions.is_empty() {
            return Err(CoreError::invalid(vec![ErrorDetail::field(
                "positions",
                "required",
                "Choose at least one department.",
            )]));
        }
        let mut seen = BTreeSet::new();
        let mut out = Vec::new();
        for p in positions {
            let exists: Option<i64> = self
                .conn
                .query_row(
                    "SELECT 1 FROM departments WHERE id = ?1",
                    [p.department_id],
                    |r| r.get(0),
                )
                .optional()?;
            if exists.is_none() {
                return Err(CoreError::NotFound(format!(
                    "Department {} does not exist.",
                    p.department_id
                )));
            }
            if !seen.insert(p.department_id) {
                return Err(CoreError::invalid(vec![ErrorDetail::field(
                    "positions",
                    "duplicate",
                    "A department is listed twice.",
                )]));
            }
            let title = p.title.as_deref().and_then(opt);
            if title.as_ref().is_some_and(|t| t.chars().count() > 64) {
                return Err(CoreError::invalid(vec![ErrorDetail::field(
                    "position",
                    "too_long",
                    "Position must be at most 64 characters.",
                )]));
            }
            out.push((p.department_id, title));
        }
        Ok(out)
    }

    fn check_roles(&self, roles: &[RoleId]) -> CoreResult<Vec<RoleId>> {
        let mut out: Vec<RoleId> = Vec::new();
        for r in roles {
            let exists: Option<i64> = self
                .conn
                .query_row("SELECT 1 FROM roles WHERE id = ?1", [r], |x| x.get(0))
                .optional()?;
            if exists.is_none() {
                return Err(CoreError::NotFound(format!("Role {r} does not exist.")));
            }
            if !out.contains(r) {
                out.push(*r);
            }
        }
        if out.is_empty() {
            out.push(self.conn.query_row(
                "SELECT id FROM roles WHERE builtin = 'member'",
                [],
                |r| r.get(0),
            )?);
        }
        Ok(out)
    }

    fn write_positions(
        tx: &Transaction<'_>,
        id: MemberId,
        positions: &[(DepartmentId, Option<String>)],
    ) -> CoreResult<()> {
        tx.execute("DELETE FROM positions WHERE member_id = ?1", [id])?;
        let mut stmt = tx.prepare_cached(
            "INSERT INTO positions (member_id, department_id, title, is_primary, sort_order) VALUES (?1, ?2, ?3, ?4, ?5)",
        )?;
        for (i, (d, t)) in positions.iter().enumerate() {
            stmt.execute(params![id, d, t, i == 0, i as i64])?;
        }
        Ok(())
    }

    fn write_roles(tx: &Transaction<'_>, id: MemberId, roles: &[RoleId]) -> CoreResult<()> {
        tx.execute("DELETE FROM member_roles WHERE member_id = ?1", [id])?;
        let mut stmt =
            tx.prepare_cached("INSERT INTO member_roles (member_id, role_id) VALUES (?1, ?2)")?;
        for r in roles {
            stmt.execute(params![id, r])?;
        }
        Ok(())
    }

    /// Creates an Enabled member in the root department with the Member role, from what a
    /// person entered on the gateway's join page (their password only as its hash). Returns
    /// the field problems instead when a unique field is already used.
    pub(crate) fn insert_joined(
        tx: &Transaction<'_>,
        j: &crate::join::Joined<'_>,
        now: i64,
    ) -> CoreResult<Result<MemberId, Vec<ErrorDetail>>> {
        let clash =
            uniqueness_problems(tx, None, Some(j.username), j.email, j.mobile, j.employee_id)?;
        if !clash.is_empty() {
            return Ok(Err(clash));
        }
        let row = Row {
            name: j.name.to_owned(),
            username: Some(j.username.to_owned()),
            email: j.email.map(str::to_owned),
            mobile: j.mobile.map(str::to_owned),
            employee_id: j.employee_id.map(str::to_owned),
            org_email: None,
            work_location: j.work_location.map(str::to_owned),
            status: MemberStatus::Enabled,
        };
        tx.execute(
            "INSERT INTO members (name, name_key, username, username_key, password_hash, email, email_key, mobile,
                                  employee_id, employee_id_key, work_location, status, created_at, activated_at,
                                  updated_at, search_text)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, 'enabled', ?12, ?12, ?12, ?13)",
            params![
                row.name,
                fold_key(&row.name),
                row.username,
                j.username.to_ascii_lowercase(),
                j.password_hash,
                row.email,
                row.email.as_deref().map(str::to_lowercase),
                row.mobile,
                row.employee_id,
                row.employee_id.as_deref().map(fold_key),
                row.work_location,
                now,
                search_text(&row)
            ],
        )?;
        let id = MemberId(tx.last_insert_rowid());
        let root: DepartmentId =
            tx.query_row("SELECT root_department_id FROM organization", [], |r| {
                r.get(0)
            })?;
        Self::write_positions(tx, id, &[(root, None)])?;
        let member_role: RoleId =
            tx.query_row("SELECT id FROM roles WHERE builtin = 'member'", [], |r| {
                r.get(0)
            })?;
        Self::write_roles(tx, id, &[member_role])?;
        Ok(Ok(id))
    }

    /// Adds a member with a username and password: Enabled at once.
    pub fn add_member(&mut self, actor: &Actor, input: &NewMember) -> CoreResult<MemberId> {
        let mut problems = Vec::new();
        let name = DisplayName::parse("name", "Name", &input.name)
            .map_err(|e| problems.push(e))
            .ok();
        let username = Username::parse(&input.username)
            .map_err(|e| problems.push(e))
            .ok();
        problems.extend(password::check_policy(
            &input.password,
            username.as_ref().map(|u| u.as_str()),
        ));
        let email = match input.email.as_deref().and_then(opt) {
            Some(e) => Email::parse("email", &e).map_err(|e| problems.push(e)).ok(),
            None => None,
        };
        let region = self.default_region()?;
        let mobile = match input.mobile.as_deref().and_then(opt) {
            Some(m) => Mobile::parse("mobile", &m, &region)
                .map_err(|e| problems.push(e))
                .ok(),
            None => None,
        };
        let (Some(name), Some(username), true) = (name, username, problems.is_empty()) else {
            return Err(CoreError::invalid(problems));
        };
        let positions = self.check_positions(&input.positions)?;
        let roles = self.check_roles(&input.role_ids)?;
        let hash = password::hash(&input.password)?;
        let now = self.now_ms();
        let row = Row {
            name: name.as_str().to_owned(),
            username: Some(username.as_str().to_owned()),
            email: email.as_ref().map(|e| e.as_str().to_owned()),
            mobile: mobile.as_ref().map(|m| m.as_str().to_owned()),
            employee_id: None,
            org_email: None,
            work_location: None,
            status: MemberStatus::Enabled,
        };
        let tx = self.conn.transaction()?;
        let clash = uniqueness_problems(
            &tx,
            None,
            Some(username.as_str()),
            row.email.as_deref(),
            row.mobile.as_deref(),
            None,
        )?;
        if !clash.is_empty() {
            return Err(CoreError::invalid(clash));
        }
        tx.execute(
            "INSERT INTO members (name, name_key, username, username_key, password_hash, email, email_key, mobile,
                                  status, created_by, created_at, activated_at, updated_at, search_text)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, 'enabled', ?9, ?10, ?10, ?10, ?11)",
            params![
                row.name,
                name.key(),
                username.as_str(),
                username.key(),
                hash,
                row.email,
                email.as_ref().map(|e| e.key()),
                row.mobile,
                actor.id,
                now,
                search_text(&row)
            ],
        )?;
        let id = MemberId(tx.last_insert_rowid());
        Self::write_positions(&tx, id, &positions)?;
        Self::write_roles(&tx, id, &roles)?;
        audit::record(
            &tx,
            now,
            actor,
            audit::Entry {
                action: "member.add",
                target_type: "member",
                target_id: Some(id.0),
                target_name: Some(&row.name),
                before: None,
                after: Some(
                    json!({"name": row.name, "username": username.as_str(), "email": row.email,
                               "departments": positions.iter().map(|p| p.0).collect::<Vec<_>>(),
                               "roles": roles, "status": "enabled"}),
                ),
            },
        )?;
        tx.commit()?;
        self.touch_members(&[id]);
        Ok(id)
    }

    /// Adds someone to be invited: Not Joined until they use their invitation.
    pub fn add_invitee(&mut self, actor: &Actor, input: &NewInvitee) -> CoreResult<MemberId> {
        let region = self.default_region()?;
        let mut problems = Vec::new();
        let name = DisplayName::parse("name", "Name", &input.name)
            .map_err(|e| problems.push(e))
            .ok();
        let email = match input.email.as_deref().and_then(opt) {
            Some(e) => Email::parse("email", &e).map_err(|e| problems.push(e)).ok(),
            None => None,
        };
        let mobile = match input.mobile.as_deref().and_then(opt) {
            Some(m) => Mobile::parse("mobile", &m, &region)
                .map_err(|e| problems.push(e))
                .ok(),
            None => None,
        };
        if input.email.as_deref().and_then(opt).is_none()
            && input.mobile.as_deref().and_then(opt).is_none()
        {
            problems.push(ErrorDetail::field(
                "email",
                "required",
                "Enter an email address or a mobile number to send the invitation to.",
            ));
        }
        let (Some(name), true) = (name, problems.is_empty()) else {
            return Err(CoreError::invalid(problems));
        };
        let positions = self.check_positions(&[PositionInput {
            department_id: input.department_id,
            title: input.position.clone(),
        }])?;
        let roles = self.check_roles(&[])?;
        let now = self.now_ms();
        let row = Row {
            name: name.as_str().to_owned(),
            username: None,
            email: email.as_ref().map(|e| e.as_str().to_owned()),
            mobile: mobile.as_ref().map(|m| m.as_str().to_owned()),
            employee_id: None,
            org_email: None,
            work_location: None,
            status: MemberStatus::NotJoined,
        };
        let tx = self.conn.transaction()?;
        let clash = uniqueness_problems(
            &tx,
            None,
            None,
            row.email.as_deref(),
            row.mobile.as_deref(),
            None,
        )?;
        if !clash.is_empty() {
            return Err(CoreError::invalid(clash));
        }
        tx.execute(
            "INSERT INTO members (name, name_key, email, email_key, mobile, status, created_by, created_at, updated_at, search_text)
             VALUES (?1, ?2, ?3, ?4, ?5, 'not_joined', ?6, ?7, ?7, ?8)",
            params![row.name, name.key(), row.email, email.as_ref().map(|e| e.key()), row.mobile, actor.id, now, search_text(&row)],
        )?;
        let id = MemberId(tx.last_insert_rowid());
        Self::write_positions(&tx, id, &positions)?;
        Self::write_roles(&tx, id, &roles)?;
        audit::record(
            &tx,
            now,
            actor,
            audit::Entry {
                action: "member.add_for_invitation",
                target_type: "member",
                target_id: Some(id.0),
                target_name: Some(&row.name),
                before: None,
                after: Some(
                    json!({"name": row.name, "email": row.email, "mobile": row.mobile,
                               "departmentId": input.department_id, "position": positions[0].1, "status": "not_joined"}),
                ),
            },
        )?;
        tx.commit()?;
        self.touch_members(&[id]);
        Ok(id)
    }

    fn current_positions(&self, id: MemberId) -> CoreResult<Vec<(DepartmentId, Option<String>)>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT department_id, title FROM positions WHERE member_id = ?1 ORDER BY is_primary DESC, sort_order",
        )?;
        let rows = stmt.query_map([id], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    fn current_role_ids(&self, id: MemberId) -> CoreResult<Vec<RoleId>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT role_id FROM member_roles WHERE member_id = ?1 ORDER BY role_id",
        )?;
        let rows = stmt.query_map([id], |r| r.get(0))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Edits a member. Personal fields (name, mobile, personal email) are refused once the
    /// member has joined: only the member changes them.
    pub fn update_member(
        &mut self,
        actor: &Actor,
        id: MemberId,
        patch: &MemberPatch,
    ) -> CoreResult<UpdateOutcome> {
        let before = self.member_row(id)?;
        if !allowed_actions(before.status).contains(&MemberAction::Edit) {
            return Err(CoreError::Conflict(format!(
                "{} is {}; restore them before editing.",
                before.name,
                status_label(before.status)
            )));
        }
        let joined = before.status != MemberStatus::NotJoined;
        let region = self.default_region()?;
        let mut problems = Vec::new();
        let mut after = Row {
            ..clone_row(&before)
        };
        let personal = [
            ("name", patch.name.as_deref(), Some(before.name.as_str())),
            ("mobile", patch.mobile.as_deref(), before.mobile.as_deref()),
            ("email", patch.email.as_deref(), before.email.as_deref()),
        ];
        for (field, new, old) in personal {
            if let Some(new) = new {
                let changed = opt(new).as_deref() != old.map(str::trim);
                if changed && joined {
                    problems.push(ErrorDetail::field(
                        field,
                        "personal_field",
                        format!(
                            "{} has joined, so only they can change their {}.",
                            before.name,
                            match field {
                                "name" => "name",
                                "mobile" => "mobile number",
                                _ => "personal email",
                            }
                        ),
                    ));
                }
            }
        }
        if let Some(n) = &patch.name {
            match DisplayName::parse("name", "Name", n) {
                Ok(n) => after.name = n.as_str().to_owned(),
                Err(e) => problems.push(e),
            }
        }
        if let Some(e) = &patch.email {
            after.email = match opt(e) {
                Some(e) => Email::parse("email", &e)
                    .map_err(|x| problems.push(x))
                    .ok()
                    .map(|e| e.as_str().to_owned()),
                None => None,
            };
        }
        if let Some(m) = &patch.mobile {
            after.mobile = match opt(m) {
                Some(m) => Mobile::parse("mobile", &m, &region)
                    .map_err(|x| problems.push(x))
                    .ok()
                    .map(|m| m.as_str().to_owned()),
                None => None,
            };
        }
        if let Some(e) = &patch.org_email {
            after.org_email = match opt(e) {
                Some(e) => Email::parse("orgEmail", &e)
                    .map_err(|x| problems.push(x))
                    .ok()
                    .map(|e| e.as_str().to_owned()),
                None => None,
            };
        }
        if let Some(e) = &patch.employee_id {
            after.employee_id = parse_employee_id(e)
                .map_err(|x| problems.push(x))
                .ok()
                .and_then(|s| opt(&s));
        }
        if let Some(w) = &patch.work_location {
            if w.trim().chars().count() > 64 {
                problems.push(ErrorDetail::field(
                    "workLocation",
                    "too_long",
                    "Work location must be at most 64 characters.",
                ));
            }
            after.work_location = opt(w);
        }
        if !problems.is_empty() {
            return Err(CoreError::invalid(problems));
        }
        if after.email.is_none()
            && after.mobile.is_none()
            && before.status == MemberStatus::NotJoined
        {
            return Err(CoreError::invalid(vec![ErrorDetail::field(
                "email",
                "required",
                "A member who has not joined needs an email address or a mobile number.",
            )]));
        }
        let old_positions = self.current_positions(id)?;
        let new_positions = match &patch.positions {
            Some(p) => self.check_positions(p)?,
            None => old_positions.clone(),
        };
        let old_roles = self.current_role_ids(id)?;
        let new_roles = match &patch.role_ids {
            Some(r) => {
                let mut r = self.check_roles(r)?;
                r.sort();
                r
            }
            None => old_roles.clone(),
        };
        if old_roles != new_roles {
            self.guard_super_admins(id, &new_roles)?;
        }
        let depts_changed = {
            let a: BTreeSet<_> = old_positions.iter().map(|p| p.0).collect();
            let b: BTreeSet<_> = new_positions.iter().map(|p| p.0).collect();
            a != b || old_positions.first().map(|p| p.0) != new_positions.first().map(|p| p.0)
        };
        let now = self.now_ms();
        let tx = self.conn.transaction()?;
        let clash = uniqueness_problems(
            &tx,
            Some(id),
            None,
            after
                .email
                .as_deref()
                .filter(|e| Some(*e) != before.email.as_deref()),
            after
                .mobile
                .as_deref()
                .filter(|m| Some(*m) != before.mobile.as_deref()),
            after
                .employee_id
                .as_deref()
                .filter(|e| Some(*e) != before.employee_id.as_deref()),
        )?;
        if !clash.is_empty() {
            return Err(CoreError::invalid(clash));
        }
        tx.execute(
            "UPDATE members SET name = ?1, name_key = ?2, email = ?3, email_key = ?4, mobile = ?5, employee_id = ?6,
                    employee_id_key = ?7, work_location = ?8, org_email = ?9, updated_at = ?10, search_text = ?11
             WHERE id = ?12",
            params![
                after.name,
                fold_key(&after.name),
                after.email,
                after.email.as_deref().map(str::to_lowercase),
                after.mobile,
                after.employee_id,
                after.employee_id.as_deref().map(fold_key),
                after.work_location,
                after.org_email,
                now,
                search_text(&after),
                id
            ],
        )?;
        if new_positions != old_positions {
            Self::write_positions(&tx, id, &new_positions)?;
            // A head who leaves a department no longer heads it.
            tx.execute(
                "UPDATE departments SET head_member_id = NULL WHERE head_member_id = ?1
                 AND id NOT IN (SELECT department_id FROM positions WHERE member_id = ?1)",
                [id],
            )?;
        }
        if new_roles != old_roles {
            Self::write_roles(&tx, id, &new_roles)?;
        }
        audit::record(
            &tx,
            now,
            actor,
            audit::Entry {
                action: "member.edit",
                target_type: "member",
                target_id: Some(id.0),
                target_name: Some(&after.name),
                before: Some(row_json(&before, &old_positions, &old_roles)),
                after: Some(row_json(&after, &new_positions, &new_roles)),
            },
        )?;
        tx.commit()?;
        self.touch_members(&[id]);
        Ok(UpdateOutcome {
            must_sign_in_again: depts_changed || old_roles != new_roles,
        })
    }

    /// Refuses a change that would leave the organization without an enabled Super Admin.
    fn guard_super_admins(&self, id: MemberId, new_roles: &[RoleId]) -> CoreResult<()> {
        let super_admin: RoleId = self.conn.query_row(
            "SELECT id FROM roles WHERE builtin = 'super_admin'",
            [],
            |r| r.get(0),
        )?;
        if new_roles.contains(&super_admin) {
            return Ok(());
        }
        let others: i64 = self.conn.query_row(
            "SELECT count(*) FROM member_roles mr JOIN members m ON m.id = mr.member_id
             WHERE mr.role_id = ?1 AND m.id != ?2 AND m.status = 'enabled'",
            params![super_admin, id],
            |r| r.get(0),
        )?;
        if others == 0 {
            return Err(CoreError::Conflict(
                "The organization needs at least one enabled Super Admin.".into(),
            ));
        }
        Ok(())
    }

    /// Makes `department` the member's primary department (it must be one of theirs).
    pub fn set_primary_department(
        &mut self,
        actor: &Actor,
        id: MemberId,
        department: DepartmentId,
    ) -> CoreResult<()> {
        let mut positions = self.current_positions(id)?;
        let Some(i) = positions.iter().position(|p| p.0 == department) else {
            return Err(CoreError::invalid(vec![ErrorDetail::field(
                "departmentId",
                "not_in_department",
                "The primary department must be one of the member's departments.",
            )]));
        };
        let p = positions.remove(i);
        positions.insert(0, p);
        self.update_member(
            actor,
            id,
            &MemberPatch {
                positions: Some(
                    positions
                        .into_iter()
                        .map(|(d, t)| PositionInput {
                            department_id: d,
                            title: t,
                        })
                        .collect(),
                ),
                ..Default::default()
            },
        )?;
        Ok(())
    }

    fn guard_self_and_owner(&self, actor: &Actor, id: MemberId, what: &str) -> CoreResult<()> {
        if actor.id == Some(id) {
            return Err(CoreError::Conflict(format!("You cannot {what} yourself.")));
        }
        if self.initial_admin_id()? == id {
            return Err(CoreError::Conflict(format!(
                "The initial admin cannot be {}.",
                match what {
                    "disable" => "disabled",
                    "resign" => "resigned",
                    _ => "removed",
                }
            )));
        }
        Ok(())
    }

    /// Disable, enable, resign or restore, where the status allows it.
    pub fn change_status(
        &mut self,
        actor: &Actor,
        id: MemberId,
        action: MemberAction,
    ) -> CoreResult<MemberStatus> {
        let row = self.member_row(id)?;
        let Some(next) = transition(row.status, action)
            .filter(|_| action != MemberAction::Edit && action != MemberAction::Remove)
        else {
            return Err(CoreError::Conflict(format!(
                "{} is {} and cannot be {}.",
                row.name,
                status_label(row.status),
                action_label(action)
            )));
        };
        if matches!(action, MemberAction::Disable | MemberAction::Resign) {
            self.guard_self_and_owner(
                actor,
                id,
                if action == MemberAction::Disable {
                    "disable"
                } else {
                    "resign"
                },
            )?;
            self.guard_super_admins(id, &[]).or_else(|e| {
                if self.is_super_admin(id)? {
                    Err(e)
                } else {
                    Ok(())
                }
            })?;
        }
        let now = self.now_ms();
        let tx = self.conn.transaction()?;
        tx.execute(
            "UPDATE members SET status = ?1, updated_at = ?2 WHERE id = ?3",
            params![next.as_str(), now, id],
        )?;
        if action == MemberAction::Resign {
            tx.execute(
                "UPDATE departments SET head_member_id = NULL WHERE head_member_id = ?1",
                [id],
            )?;
        }
        audit::record(
            &tx,
            now,
            actor,
            audit::Entry {
                action: match action {
                    MemberAction::Disable => "member.disable",
                    MemberAction::Enable => "member.enable",
                    MemberAction::Resign => "member.resign",
                    _ => "member.restore",
                },
                target_type: "member",
                target_id: Some(id.0),
                target_name: Some(&row.name),
                before: Some(json!({"status": row.status.as_str()})),
                after: Some(json!({"status": next.as_str()})),
            },
        )?;
        tx.commit()?;
        self.touch_members(&[id]);
        Ok(next)
    }

    fn is_super_admin(&self, id: MemberId) -> CoreResult<bool> {
        Ok(self
            .conn
            .query_row(
                "SELECT 1 FROM member_roles mr JOIN roles r ON r.id = mr.role_id WHERE mr.member_id = ?1 AND r.builtin = 'super_admin'",
                [id],
                |r| r.get::<_, i64>(0),
            )
            .optional()?
            .is_some())
    }

    /// What removing `id` would hand over.
    pub fn transfer_preview(&self, id: MemberId) -> CoreResult<TransferPreview> {
        let row = self.member_row(id)?;
        let headed: Vec<String> = self
            .conn
            .prepare("SELECT name FROM departments WHERE head_member_id = ?1 ORDER BY name_key")?
            .query_map([id], |r| r.get(0))?
            .collect::<Result<_, _>>()?;
        Ok(TransferPreview {
            member: MemberRef {
                id,
                name: row.name,
                username: row.username,
            },
            needs_transfer: row.status != MemberStatus::NotJoined,
            departments_headed: headed,
            // Invitations and join requests are kept by the gateway work; none exist yet.
            invitations_sent: 0,
            join_requests_assigned: 0,
        })
    }

    /// Removes a member. A Not Joined member goes directly; anyone else first hands what they
    /// own to `transfer_to` (an enabled member), in the same transaction. The person stays
    /// in the former-members contact list.
    pub fn remove_member(
        &mut self,
        actor: &Actor,
        id: MemberId,
        transfer_to: Option<MemberId>,
    ) -> CoreResult<()> {
        let row = self.member_row(id)?;
        self.guard_self_and_owner(actor, id, "remove")?;
        if self.is_super_admin(id)? {
            self.guard_super_admins(id, &[])?;
        }
        let needs_transfer = row.status != MemberStatus::NotJoined;
        let recipient = match (needs_transfer, transfer_to) {
            (false, _) => None,
            (true, None) => {
                return Err(CoreError::invalid(vec![ErrorDetail::field(
                    "transferTo",
                    "required",
                    format!("{} has joined: choose an enabled member to receive what they own before removing them.", row.name),
                )]))
            }
            (true, Some(t)) => {
                if t == id {
                    return Err(CoreError::invalid(vec![ErrorDetail::field(
                        "transferTo",
                        "same_member",
                        "Choose someone other than the member being removed.",
                    )]));
                }
                let r = self.member_row(t)?;
                if r.status != MemberStatus::Enabled {
                    return Err(CoreError::invalid(vec![ErrorDetail::field(
                        "transferTo",
                        "not_enabled",
                        format!("{} is {}; choose an enabled member.", r.name, status_label(r.status)),
                    )]));
                }
                Some((t, r.name))
            }
        };
        let preview = self.transfer_preview(id)?;
        let now = self.now_ms();
        let tx = self.conn.transaction()?;
        match &recipient {
            Some((t, _)) => {
                tx.execute(
                    "UPDATE departments SET head_member_id = ?1 WHERE head_member_id = ?2",
                    params![t, id],
                )?;
            }
            None => {
                tx.execute(
                    "UPDATE departments SET head_member_id = NULL WHERE head_member_id = ?1",
                    [id],
                )?;
            }
        }
        tx.execute(
            "UPDATE members SET created_by = NULL WHERE created_by = ?1",
            [id],
        )?;
        tx.execute(
            "INSERT INTO former_members (member_id, name, username, email, mobile, employee_id, removed_at, removed_by, transferred_to)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            params![id, row.name, row.username, row.email, row.mobile, row.employee_id, now, actor.name, recipient.as_ref().map(|r| r.0)],
        )?;
        tx.execute("DELETE FROM members WHERE id = ?1", [id])?;
        audit::record(
            &tx,
            now,
            actor,
            audit::Entry {
                action: "member.remove",
                target_type: "member",
                target_id: Some(id.0),
                target_name: Some(&row.name),
                before: Some(json!({"name": row.name, "status": row.status.as_str()})),
                after: Some(json!({"transferredTo": recipient.as_ref().map(|r| &r.1),
                               "departmentsHeaded": preview.departments_headed})),
            },
        )?;
        tx.commit()?;
        self.touch_members(&[id]);
        Ok(())
    }

    /// Former members, newest first: contacts who can be invited again.
    pub fn former_members(&self) -> CoreResult<Vec<FormerMember>> {
        let mut stmt = self.conn.prepare(
            "SELECT id, name, username, email, mobile, removed_at, removed_by FROM former_members ORDER BY removed_at DESC, id DESC",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok(FormerMember {
                id: r.get(0)?,
                name: r.get(1)?,
                username: r.get(2)?,
                email: r.get(3)?,
                mobile: r.get(4)?,
                removed_at: r.get(5)?,
                removed_by: r.get(6)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// One page of the member list, sorted by name, and how many match in all.
    pub fn list_members(&self, q: &MemberQuery) -> CoreResult<MemberPage> {
        let limit = q.limit.clamp(1, 500) as usize;
        let (total, ids) = self.query_index(q, q.offset as usize, Some(limit))?;
        let rows = self.member_rows(&ids)?;
        Ok(MemberPage {
            rows,
            total: total as u32,
        })
    }

    /// The ids of every member matching `q` (all pages): for "select all" batch actions.
    pub fn member_ids(&self, q: &MemberQuery) -> CoreResult<Vec<MemberId>> {
        Ok(self.query_index(q, 0, None)?.1)
    }

    fn query_index(
        &self,
        q: &MemberQuery,
        offset: usize,
        limit: Option<usize>,
    ) -> CoreResult<(usize, Vec<MemberId>)> {
        let departments = match q.department_id {
            Some(d) if !(q.include_sub_departments && d == self.root_department()?) => {
                if q.include_sub_departments {
                    Some(self.department_subtree(d)?)
                } else {
                    Some(vec![d])
                }
            }
            _ => None,
        };
        let wanted = q.status;
        let status = move |s: MemberStatus| match wanted {
            StatusFilter::All => crate::index::is_active(s),
            StatusFilter::PendingJoin => s == MemberStatus::NotJoined,
            StatusFilter::Enabled => s == MemberStatus::Enabled,
            StatusFilter::Disabled => s == MemberStatus::Disabled,
            StatusFilter::Resigned => s == MemberStatus::Resigned,
        };
        self.with_index(|idx| {
            idx.query(
                &status,
                departments.as_deref(),
                q.search.as_deref(),
                offset,
                limit,
            )
        })
    }

    /// The list rows of these members, in this order.
    fn member_rows(&self, ids: &[MemberId]) -> CoreResult<Vec<MemberRow>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let list = ids
            .iter()
            .map(|i| i.0.to_string())
            .collect::<Vec<_>>()
            .join(",");
        let sql = format!(
            "SELECT m.id, m.name, m.username, m.status, m.employee_id, m.email, m.mobile,
                    (SELECT d.name FROM positions p JOIN departments d ON d.id = p.department_id
                     WHERE p.member_id = m.id AND p.is_primary = 1),
                    (SELECT p.title FROM positions p WHERE p.member_id = m.id AND p.is_primary = 1),
                    (SELECT group_concat(r.name, char(31)) FROM (SELECT r.name FROM member_roles mr JOIN roles r ON r.id = mr.role_id
                     WHERE mr.member_id = m.id ORDER BY r.id) r)
             FROM members m WHERE m.id IN ({list})"
        );
        let mut stmt = self.conn.prepare(&sql)?;
        let mut by_id: std::collections::HashMap<MemberId, MemberRow> = stmt
            .query_map([], |r| {
                let roles: Option<String> = r.get(9)?;
                Ok(MemberRow {
                    id: r.get(0)?,
                    name: r.get(1)?,
                    username: r.get(2)?,
                    status: status_from_str(&r.get::<_, String>(3)?),
                    employee_id: r.get(4)?,
                    email: r.get(5)?,
                    mobile: r.get(6)?,
                    primary_department: r.get(7)?,
                    position: r.get(8)?,
                    roles: roles
                        .map(|s| s.split('\u{1f}').map(str::to_owned).collect())
                        .unwrap_or_default(),
                })
            })?
            .map(|r| r.map(|row| (row.id, row)))
            .collect::<Result<_, _>>()?;
        Ok(ids.iter().filter_map(|i| by_id.remove(i)).collect())
    }

    /// Everything the details drawer shows.
    pub fn member_details(&self, id: MemberId) -> CoreResult<MemberDetails> {
        let row = self.member_row(id)?;
        let (created_at, activated_at, last_login_at, created_by): (
            i64,
            Option<i64>,
            Option<i64>,
            Option<MemberId>,
        ) = self.conn.query_row(
            "SELECT created_at, activated_at, last_login_at, created_by FROM members WHERE id = ?1",
            [id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )?;
        let created_by = match created_by {
            Some(c) => self
                .conn
                .query_row(
                    "SELECT id, name, username FROM members WHERE id = ?1",
                    [c],
                    |r| {
                        Ok(MemberRef {
                            id: r.get(0)?,
                            name: r.get(1)?,
                            username: r.get(2)?,
                        })
                    },
                )
                .optional()?,
            None => None,
        };
        let mut positions = Vec::new();
        for (d, title) in self.current_positions(id)? {
            let name: String =
                self.conn
                    .query_row("SELECT name FROM departments WHERE id = ?1", [d], |r| {
                        r.get(0)
                    })?;
            positions.push(PositionView {
                department_id: d,
                department_name: name,
                department_path: self.department_path(d)?,
                is_primary: positions.is_empty(),
                title,
            });
        }
        let roles = self
            .conn
            .prepare("SELECT r.id, r.name FROM member_roles mr JOIN roles r ON r.id = mr.role_id WHERE mr.member_id = ?1 ORDER BY r.id")?
            .query_map([id], |r| Ok(RoleRef { id: r.get(0)?, name: r.get(1)? }))?
            .collect::<Result<Vec<_>, _>>()?;
        let history = self
            .conn
            .prepare(
                "SELECT at, actor_name, action, before_json, after_json FROM audit_log
                 WHERE target_type = 'member' AND target_id = ?1 ORDER BY id DESC LIMIT 100",
            )?
            .query_map([id], |r| {
                let b: Option<String> = r.get(3)?;
                let a: Option<String> = r.get(4)?;
                Ok(HistoryItem {
                    at: r.get(0)?,
                    actor_name: r.get(1)?,
                    action: r.get(2)?,
                    before: b.and_then(|s| serde_json::from_str(&s).ok()),
                    after: a.and_then(|s| serde_json::from_str(&s).ok()),
                })
            })?
            .collect::<Result<Vec<_>, _>>()?;
        let is_initial_admin = self.initial_admin_id()? == id;
        Ok(MemberDetails {
            id,
            invitation_email: (row.status == MemberStatus::NotJoined)
                .then(|| row.email.clone())
                .flatten(),
            personal_fields_locked: row.status != MemberStatus::NotJoined,
            allowed_actions: allowed_actions(row.status),
            name: row.name,
            username: row.username,
            email: row.email,
            org_email: row.org_email,
            mobile: row.mobile,
            employee_id: row.employee_id,
            work_location: row.work_location,
            positions,
            roles,
            status: row.status,
            created_at,
            activated_at,
            last_login_at,
            created_by,
            is_initial_admin,
            history,
        })
    }

    /// Finds a member by numeric id, username or email (for the command line).
    pub fn find_member(&self, id_or_username: &str) -> CoreResult<MemberId> {
        let s = id_or_username.trim();
        let (sql, key) = if let Ok(n) = s.parse::<i64>() {
            ("SELECT id FROM members WHERE id = ?1", n.to_string())
        } else if s.contains('@') {
            (
                "SELECT id FROM members WHERE email_key = ?1",
                s.to_lowercase(),
            )
        } else {
            (
                "SELECT id FROM members WHERE username_key = ?1",
                s.to_ascii_lowercase(),
            )
        };
        let found: Option<MemberId> = self.conn.query_row(sql, [key], |r| r.get(0)).optional()?;
        found.ok_or_else(|| CoreError::NotFound(format!("No member \"{s}\".")))
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct FormerMember {
    #[ts(type = "number")]
    pub id: i64,
    pub name: String,
    pub username: Option<String>,
    pub email: Option<String>,
    pub mobile: Option<String>,
    #[ts(type = "number")]
    pub removed_at: i64,
    pub removed_by: String,
}

fn clone_row(r: &Row) -> Row {
    Row {
        name: r.name.clone(),
        username: r.username.clone(),
        email: r.email.clone(),
        mobile: r.mobile.clone(),
        employee_id: r.employee_id.clone(),
        org_email: r.org_email.clone(),
        work_location: r.work_location.clone(),
        status: r.status,
    }
}

fn row_json(
    r: &Row,
    positions: &[(DepartmentId, Option<String>)],
    roles: &[RoleId],
) -> serde_json::Value {
    json!({
        "name": r.name, "email": r.email, "mobile": r.mobile, "employeeId": r.employee_id,
        "workLocation": r.work_location, "orgEmail": r.org_email,
        "positions": positions.iter().map(|(d, t)| json!({"departmentId": d, "title": t})).collect::<Vec<_>>(),
        "roles": roles,
    })
}

/// The default region as seen by `conn` (inside a transaction too): "US" until Settings say.
pub(crate) fn default_region_in(conn: &rusqlite::Connection) -> rusqlite::Result<String> {
    Ok(conn
        .query_row(
            "SELECT value FROM settings WHERE key = 'default_region'",
            [],
            |r| r.get(0),
        )
        .optional()?
        .unwrap_or_else(|| "US".into()))
}

/// Recomputes a member's search text after a change made outside the edit path (the member's
/// own change reported by the gateway).
pub(crate) fn refresh_search_text(
    conn: &rusqlite::Connection,
    id: MemberId,
) -> rusqlite::Result<()> {
    let row = conn.query_row(
        "SELECT name, username, email, mobile, employee_id, org_email, work_location FROM members WHERE id = ?1",
        [id],
        |r| {
            Ok(Row {
                name: r.get(0)?,
                username: r.get(1)?,
                email: r.get(2)?,
                mobile: r.get(3)?,
                employee_id: r.get(4)?,
                org_email: r.get(5)?,
                work_location: r.get(6)?,
                status: MemberStatus::Enabled,
            })
        },
    )?;
    conn.execute(
        "UPDATE members SET search_text = ?2 WHERE id = ?1",
        params![id, search_text(&row)],
    )?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn transitions_follow_the_status_rules() {
        use MemberAction::*;
        use MemberStatus::*;
        assert_eq!(transition(Enabled, Disable), Some(Disabled));
        assert_eq!(transition(Disabled, Enable), Some(Enabled));
        assert_eq!(transition(Enabled, Resign), Some(Resigned));
        assert_eq!(transition(Disabled, Resign), Some(Resigned));
        assert_eq!(transition(Resigned, Restore), Some(Enabled));
        assert_eq!(transition(Enabled, Enable), None);
        assert_eq!(transition(Disabled, Disable), None);
        assert_eq!(transition(NotJoined, Disable), None);
        assert_eq!(transition(NotJoined, Resign), None);
        assert_eq!(transition(Resigned, Edit), None);
        assert_eq!(transition(PendingApproval, Remove), None);
        assert!(allowed_actions(NotJoined).contains(&Remove));
    }
}
