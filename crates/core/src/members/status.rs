//! Member status: which action leads where, changing a member's status, and the guards that
//! keep an enabled Super Admin and the initial admin.

use rusqlite::{params, Connection, OptionalExtension};
use serde_json::json;

use super::MemberAction;
use crate::audit::{self, Actor};
use crate::error::{CoreError, CoreResult};
use crate::store::Directory;
use crate::types::{MemberId, MemberStatus, RoleId};

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

/// One member's status change, as `change_status` and a batch change write it.
pub(crate) struct StatusChange<'a> {
    pub(crate) id: MemberId,
    pub(crate) name: &'a str,
    pub(crate) action: MemberAction,
    pub(crate) from: MemberStatus,
    pub(crate) to: MemberStatus,
}

impl<'a> StatusChange<'a> {
    /// What `action` does to the status of member `id` (named `name`) now in `from`, or
    /// `None` when the status rules do not allow it. Editing and removing are not status
    /// changes and are never allowed here.
    pub(crate) fn of(
        id: MemberId,
        name: &'a str,
        from: MemberStatus,
        action: MemberAction,
    ) -> Option<Self> {
        if matches!(action, MemberAction::Edit | MemberAction::Remove) {
            return None;
        }
        let to = transition(from, action)?;
        Some(Self {
            id,
            name,
            action,
            from,
            to,
        })
    }
}

/// Writes an allowed status change: the new status, no department headed by a member who
/// resigned, and the audit entry (`batch`: part of a batch change, noted in the entry).
pub(crate) fn write_status(
    conn: &Connection,
    now: i64,
    actor: &Actor,
    c: &StatusChange<'_>,
    batch: bool,
) -> rusqlite::Result<()> {
    conn.prepare_cached("UPDATE members SET status = ?1, updated_at = ?2 WHERE id = ?3")?
        .execute(params![c.to.as_str(), now, c.id])?;
    if c.action == MemberAction::Resign {
        conn.execute(
            "UPDATE departments SET head_member_id = NULL WHERE head_member_id = ?1",
            [c.id],
        )?;
    }
    let action = match c.action {
        MemberAction::Disable => "member.disable",
        MemberAction::Enable => "member.enable",
        MemberAction::Resign => "member.resign",
        _ => "member.restore",
    };
    let mut after = json!({"status": c.to.as_str()});
    if batch {
        after["batch"] = json!(true);
    }
    audit::record(
        conn,
        now,
        actor,
        audit::Entry::member(action, c.id, c.name)
            .before(json!({"status": c.from.as_str()}))
            .after(after),
    )
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

pub(super) fn status_label(s: MemberStatus) -> &'static str {
    match s {
        MemberStatus::NotJoined => "Not Joined",
        MemberStatus::PendingApproval => "Pending Approval",
        MemberStatus::Rejected => "Rejected",
        MemberStatus::Enabled => "Enabled",
        MemberStatus::Disabled => "Disabled",
        MemberStatus::Resigned => "Resigned",
    }
}

impl Directory {
    /// Refuses a change that would leave the organization without an enabled Super Admin.
    pub(super) fn guard_super_admins(&self, id: MemberId, new_roles: &[RoleId]) -> CoreResult<()> {
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

    pub(super) fn guard_self_and_owner(
        &self,
        actor: &Actor,
        id: MemberId,
        what: &str,
    ) -> CoreResult<()> {
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
        let Some(change) = StatusChange::of(id, &row.name, row.status, action) else {
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
        let (now, tx) = self.begin()?;
        write_status(&tx, now, actor, &change, false)?;
        tx.commit()?;
        self.touch_members(&[id]);
        Ok(change.to)
    }

    pub(super) fn is_super_admin(&self, id: MemberId) -> CoreResult<bool> {
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
