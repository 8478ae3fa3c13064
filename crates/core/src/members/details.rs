//! The details drawer: a member's fields, positions, roles, who created them, the actions
//! allowed, and their history.

use rusqlite::OptionalExtension;

use super::history::Names;
use super::status::allowed_actions;
use super::{HistoryItem, MemberDetails, PositionView, RoleRef};
use crate::error::CoreResult;
use crate::rows::row_into;
use crate::store::Directory;
use crate::types::{MemberId, MemberRef, MemberStatus};

impl Directory {
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
            Some(c) => MemberRef::of(&self.conn, c).optional()?,
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
        let mut history = self
            .conn
            .prepare(
                "SELECT at, actor_name, action, before_json, after_json FROM audit_log
                 WHERE target_type = 'member' AND target_id = ?1 ORDER BY id DESC LIMIT 100",
            )?
            .query_map([id], |r| {
                Ok(row_into!(r => HistoryItem {
                    at, actor_name, action;
                    before: crate::audit::json_value(r.get(3)?),
                    after: crate::audit::json_value(r.get(4)?),
                    changes: Vec::new(),
                }))
            })?
            .collect::<Result<Vec<_>, _>>()?;
        let mut names = Names::new(self);
        for h in &mut history {
            h.changes = names.changes(&h.action, h.before.as_ref(), h.after.as_ref())?;
        }
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
}
