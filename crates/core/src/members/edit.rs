//! Editing a member: the fields an admin may change, positions and roles, and the primary
//! department.

use std::collections::BTreeSet;

use super::row::{clone_row, opt, row_json, uniqueness_problems, Row};
use super::status::{allowed_actions, status_label};
use super::{MemberAction, MemberPatch, PositionInput, UpdateOutcome};
use crate::audit::{self, Actor};
use crate::error::{CoreError, CoreResult, ErrorDetail};
use crate::member_row;
use crate::store::Directory;
use crate::types::{
    parse_employee_id, DepartmentId, DisplayName, Email, MemberId, MemberStatus, Mobile,
};

impl Directory {
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
            after.email = checked(e, &mut problems, |e| {
                Email::parse("email", e).map(|e| e.as_str().to_owned())
            });
        }
        if let Some(m) = &patch.mobile {
            after.mobile = checked(m, &mut problems, |m| {
                Mobile::parse("mobile", m, &region).map(|m| m.as_str().to_owned())
            });
        }
        if let Some(e) = &patch.org_email {
            after.org_email = checked(e, &mut problems, |e| {
                Email::parse("orgEmail", e).map(|e| e.as_str().to_owned())
            });
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
            return Err(CoreError::required(
                "email",
                "A member who has not joined needs an email address or a mobile number.",
            ));
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
            self.guard_super_admin_grant(actor, &old_roles, &new_roles, "roleIds")?;
            self.guard_super_admins(id, &new_roles)?;
        }
        let depts_changed = {
            let a: BTreeSet<_> = old_positions.iter().map(|p| p.0).collect();
            let b: BTreeSet<_> = new_positions.iter().map(|p| p.0).collect();
            a != b || old_positions.first().map(|p| p.0) != new_positions.first().map(|p| p.0)
        };
        let (now, tx) = self.begin()?;
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
        member_row::update(&tx, id, &after.fields(), now)?;
        if new_positions != old_positions {
            Self::write_positions(&tx, id, &new_positions)?;
            // A head who leaves a department no longer heads it.
            tx.execute(member_row::CLEAR_HEADSHIPS_LEFT, [id])?;
        }
        if new_roles != old_roles {
            Self::write_roles(&tx, id, &new_roles)?;
        }
        audit::record(
            &tx,
            now,
            actor,
            audit::Entry::member("member.edit", id, &after.name)
                .before(row_json(&before, &old_positions, &old_roles))
                .after(row_json(&after, &new_positions, &new_roles)),
        )?;
        tx.commit()?;
        self.touch_members(&[id]);
        Ok(UpdateOutcome {
            must_sign_in_again: depts_changed || old_roles != new_roles,
        })
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
}

/// An optional field's new value as `parse` stores it; none when left empty, and none with
/// the problem noted in `problems` when `parse` refuses it.
fn checked(
    value: &str,
    problems: &mut Vec<ErrorDetail>,
    parse: impl FnOnce(&str) -> Result<String, ErrorDetail>,
) -> Option<String> {
    let value = opt(value)?;
    parse(&value).map_err(|x| problems.push(x)).ok()
}
