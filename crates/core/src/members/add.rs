//! Adding members: with a username and password, for invitation, and from the gateway's join
//! page.

use rusqlite::Connection;
use serde_json::json;

use super::row::{opt, uniqueness_problems, Row};
use super::{NewInvitee, NewMember, PositionInput};
use crate::audit::{self, Actor};
use crate::error::{CoreError, CoreResult, ErrorDetail};
use crate::member_row;
use crate::password;
use crate::store::Directory;
use crate::types::{
    DepartmentId, DisplayName, Email, MemberId, MemberStatus, Mobile, RoleId, Username,
};

impl NewInvitee {
    /// The rules someone to be invited keeps before the directory is asked: a name, and an
    /// email address or mobile number unless the invitation is a link. Each problem is pushed
    /// onto `problems`; the name when it is one.
    pub(crate) fn check(&self, problems: &mut Vec<ErrorDetail>) -> Option<DisplayName> {
        let name = DisplayName::parse("name", "Name", &self.name)
            .map_err(|e| problems.push(e))
            .ok();
        if !self.link_only
            && self.email.as_deref().and_then(opt).is_none()
            && self.mobile.as_deref().and_then(opt).is_none()
        {
            problems.push(ErrorDetail::field(
                "email",
                "required",
                "Enter an email address or a mobile number to send the invitation to.",
            ));
        }
        name
    }
}

impl Directory {
    /// Creates an Enabled member in the root department with the Member role, from what a
    /// person entered on the gateway's join page (their password only as its hash). Returns
    /// the field problems instead when a unique field is already used.
    pub(crate) fn insert_joined(
        tx: &Connection,
        j: &crate::join::Joined<'_>,
        now: i64,
    ) -> CoreResult<Result<MemberId, Vec<ErrorDetail>>> {
        let given = j.details;
        let row = Row {
            name: given.name.trim().to_owned(),
            username: Some(j.username.to_owned()),
            email: given.email.clone(),
            mobile: given.mobile.clone(),
            employee_id: given.employee_id.clone(),
            org_email: None,
            work_location: given.work_location.clone(),
            status: MemberStatus::Enabled,
        };
        let department: DepartmentId = match j.department {
            Some(d) => d,
            None => tx.query_row("SELECT root_department_id FROM organization", [], |r| {
                r.get(0)
            })?,
        };
        let role: RoleId = match j.role {
            Some(r) => r,
            None => tx.query_row("SELECT id FROM roles WHERE builtin = 'member'", [], |r| {
                r.get(0)
            })?,
        };
        Self::insert_new(
            tx,
            &row,
            &[(department, None)],
            &[role],
            Some(j.password_hash),
            None,
            now,
        )
    }

    /// Writes a new member with its positions and roles, unless one of its unique fields is
    /// already used by another member: then the field problems, with nothing written.
    fn insert_new(
        tx: &Connection,
        row: &Row,
        positions: &[(DepartmentId, Option<String>)],
        roles: &[RoleId],
        password_hash: Option<&str>,
        created_by: Option<MemberId>,
        now: i64,
    ) -> CoreResult<Result<MemberId, Vec<ErrorDetail>>> {
        let clash = uniqueness_problems(
            tx,
            None,
            row.username.as_deref(),
            row.email.as_deref(),
            row.mobile.as_deref(),
            row.employee_id.as_deref(),
        )?;
        if !clash.is_empty() {
            return Ok(Err(clash));
        }
        let id = member_row::insert(
            tx,
            &row.fields(),
            row.status,
            password_hash,
            created_by,
            now,
        )?;
        Self::write_positions(tx, id, positions)?;
        Self::write_roles(tx, id, roles)?;
        Ok(Ok(id))
    }

    /// The email and mobile entered for a new member, checked (empty ones are none); their
    /// problems go to `problems`.
    fn check_contacts(
        &self,
        email: Option<&str>,
        mobile: Option<&str>,
        problems: &mut Vec<ErrorDetail>,
    ) -> CoreResult<(Option<Email>, Option<Mobile>)> {
        let email = match email.and_then(opt) {
            Some(e) => Email::parse("email", &e).map_err(|e| problems.push(e)).ok(),
            None => None,
        };
        let region = self.default_region()?;
        let mobile = match mobile.and_then(opt) {
            Some(m) => Mobile::parse("mobile", &m, &region)
                .map_err(|e| problems.push(e))
                .ok(),
            None => None,
        };
        Ok((email, mobile))
    }

    /// Adds a member with a username and password: Enabled at once.
    pub fn add_member(&mut self, actor: &Actor, input: &NewMember) -> CoreResult<MemberId> {
        self.add_member_hashed(actor, input, None)
    }

    /// Adds a member as [`Directory::add_member`] does, with the password's hash made
    /// beforehand when `password_hash` is given (a team change carries the hash its author's
    /// computer made, never the password): then `input.password` is not read, and the hash
    /// must be an Argon2id string within the accepted bounds.
    pub fn add_member_hashed(
        &mut self,
        actor: &Actor,
        input: &NewMember,
        password_hash: Option<&str>,
    ) -> CoreResult<MemberId> {
        let mut problems = Vec::new();
        let name = DisplayName::parse("name", "Name", &input.name)
            .map_err(|e| problems.push(e))
            .ok();
        let username = match password_hash {
            None => password::check_credentials(&input.username, &input.password, &mut problems),
            Some(h) => {
                if let Err(p) = password::check_hash(h) {
                    problems.push(p);
                }
                Username::parse(&input.username)
                    .map_err(|e| problems.push(e))
                    .ok()
            }
        };
        let (email, mobile) = self.check_contacts(
            input.email.as_deref(),
            input.mobile.as_deref(),
            &mut problems,
        )?;
        let (Some(name), Some(username), true) = (name, username, problems.is_empty()) else {
            return Err(CoreError::invalid(problems));
        };
        let positions = self.check_positions(&input.positions)?;
        let roles = self.check_roles(&input.role_ids)?;
        self.guard_super_admin_grant(actor, &[], &roles, "roleIds")?;
        let hash = match password_hash {
            Some(h) => h.to_owned(),
            None => password::hash(&input.password)?,
        };
        let row = added_row(
            &name,
            Some(username.as_str().to_owned()),
            &email,
            &mobile,
            MemberStatus::Enabled,
        );
        self.write_added(actor, &row, &positions, &roles, Some(&hash), |id| {
            audit::Entry::member("member.add", id, &row.name).after(
                json!({"name": row.name, "username": username.as_str(), "email": row.email,
                       "departments": positions.iter().map(|p| p.0).collect::<Vec<_>>(),
                       "roles": roles, "status": "enabled"}),
            )
        })
    }

    /// Adds someone to be invited: Not Joined until they use their invitation.
    pub fn add_invitee(&mut self, actor: &Actor, input: &NewInvitee) -> CoreResult<MemberId> {
        let mut problems = Vec::new();
        let name = input.check(&mut problems);
        let (email, mobile) = self.check_contacts(
            input.email.as_deref(),
            input.mobile.as_deref(),
            &mut problems,
        )?;
        let (Some(name), true) = (name, problems.is_empty()) else {
            return Err(CoreError::invalid(problems));
        };
        let positions = self.check_positions(&[PositionInput {
            department_id: input.department_id,
            title: input.position.clone(),
        }])?;
        let roles = self.check_roles(&input.role_ids)?;
        self.guard_super_admin_grant(actor, &[], &roles, "roleIds")?;
        let row = added_row(&name, None, &email, &mobile, MemberStatus::NotJoined);
        self.write_added(actor, &row, &positions, &roles, None, |id| {
            audit::Entry::member("member.add_for_invitation", id, &row.name).after(
                json!({"name": row.name, "email": row.email, "mobile": row.mobile,
                       "departmentId": input.department_id, "position": positions[0].1, "roles": roles,
                       "status": "not_joined"}),
            )
        })
    }

    /// Writes a member an admin adds, with positions, roles and password hash, and its audit
    /// entry (`entry`, given the new id), in one transaction. Refused, with nothing written,
    /// when one of its unique fields is already used.
    fn write_added<'r>(
        &mut self,
        actor: &Actor,
        row: &'r Row,
        positions: &[(DepartmentId, Option<String>)],
        roles: &[RoleId],
        password_hash: Option<&str>,
        entry: impl FnOnce(MemberId) -> audit::Entry<'r>,
    ) -> CoreResult<MemberId> {
        let (now, tx) = self.begin()?;
        let id = Self::insert_new(&tx, row, positions, roles, password_hash, actor.id, now)?
            .map_err(CoreError::invalid)?;
        audit::record(&tx, now, actor, entry(id))?;
        tx.commit()?;
        self.touch_members(&[id]);
        Ok(id)
    }
}

/// The row of a member an admin adds: no employee ID, organization email or work location yet.
fn added_row(
    name: &DisplayName,
    username: Option<String>,
    email: &Option<Email>,
    mobile: &Option<Mobile>,
    status: MemberStatus,
) -> Row {
    Row {
        name: name.as_str().to_owned(),
        username,
        email: email.as_ref().map(|e| e.as_str().to_owned()),
        mobile: mobile.as_ref().map(|m| m.as_str().to_owned()),
        employee_id: None,
        org_email: None,
        work_location: None,
        status,
    }
}
