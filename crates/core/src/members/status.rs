//! Member status: which action leads where, changing a member's status, and the guards that
//! keep an enabled Super Admin and the initial admin, and that leave the Super Admin role and
//! the Super Admins themselves to Super Admins.

use rusqlite::{params, Connection, OptionalExtension};
use serde_json::json;

use super::MemberAction;
use crate::audit::{self, Actor};
use crate::error::{CoreError, CoreResult, ErrorDetail};
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

/// Why an Admin's change to the Super Admin role is refused, on the field that holds roles.
pub(crate) const SUPER_ADMIN_ROLE_ONLY: &str =
    "Only a Super Admin can give or take away the Super Admin role.";

impl Directory {
    /// The built-in Super Admin role.
    pub(crate) fn super_admin_role(&self) -> CoreResult<RoleId> {
        Ok(self.conn.query_row(
            "SELECT id FROM roles WHERE builtin = 'super_admin'",
            [],
            |r| r.get(0),
        )?)
    }

    /// Whether `actor` holds the Super Admin role; the directory's own work (no member) does.
    pub(crate) fn acts_as_super_admin(&self, actor: &Actor) -> CoreResult<bool> {
        match actor.id {
            Some(id) => self.is_super_admin(id),
            None => Ok(true),
        }
    }

    /// Refused unless `actor` is a Super Admin when member `id` (called `name`) is one: only a
    /// Super Admin changes a Super Admin's status, removes them, or sets or resets their
    /// password, so that an Admin cannot take a Super Admin's account or lock them out.
    pub(crate) fn guard_super_admin_target(
        &self,
        actor: &Actor,
        id: MemberId,
        name: &str,
        what: &str,
    ) -> CoreResult<()> {
        if self.is_super_admin(id)? && !self.acts_as_super_admin(actor)? {
            return Err(CoreError::Forbidden(format!(
                "{name} is a Super Admin: only a Super Admin can {what}."
            )));
        }
        Ok(())
    }

    /// Refused unless `actor` is a Super Admin when `roles` gives the Super Admin role to a
    /// member who did not hold it (`before`: their roles; none for a new member) or takes it
    /// from one who did; the refusal is about `field` (`roleIds`, or `roleId` when approving a
    /// join request).
    pub(crate) fn guard_super_admin_grant(
        &self,
        actor: &Actor,
        before: &[RoleId],
        roles: &[RoleId],
        field: &str,
    ) -> CoreResult<()> {
        let super_admin = self.super_admin_role()?;
        if before.contains(&super_admin) == roles.contains(&super_admin)
            || self.acts_as_super_admin(actor)?
        {
            return Ok(());
        }
        Err(CoreError::invalid(vec![ErrorDetail::field(
            field,
            "super_admin_only",
            SUPER_ADMIN_ROLE_ONLY,
        )]))
    }

    /// Refuses a change that would leave the organization without an enabled Super Admin.
    pub(super) fn guard_super_admins(&self, id: MemberId, new_roles: &[RoleId]) -> CoreResult<()> {
        let super_admin = self.super_admin_role()?;
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
        self.guard_super_admin_target(actor, id, &row.name, "change their status")?;
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

    pub(crate) fn is_super_admin(&self, id: MemberId) -> CoreResult<bool> {
        is_super_admin_in(&self.conn, id)
    }
}

/// Whether member `id` holds the Super Admin role (whatever their status).
pub(crate) fn is_super_admin_in(conn: &Connection, id: MemberId) -> CoreResult<bool> {
    Ok(conn
        .query_row(
            "SELECT 1 FROM member_roles mr JOIN roles r ON r.id = mr.role_id WHERE mr.member_id = ?1 AND r.builtin = 'super_admin'",
            [id],
            |r| r.get::<_, i64>(0),
        )
        .optional()?
        .is_some())
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
