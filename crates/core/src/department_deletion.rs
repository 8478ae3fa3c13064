//! Deleting a department. It must be empty of current members and sub-departments; the
//! positions resigned members still hold in it move to its parent department, so a resigned
//! member restored later still has a place in the tree and never loses a position silently.

use rusqlite::{params, Connection};
use serde::Serialize;
use serde_json::json;
use ts_rs::TS;

use crate::audit::{self, Actor};
use crate::error::{CoreError, CoreResult, ErrorDetail};
use crate::store::Directory;
use crate::types::{DepartmentId, MemberRef};

/// What deleting a department does besides removing it: the resigned members whose position in
/// it moves to the parent department. The confirmation shows it before, the result after.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct DepartmentDeletion {
    pub name: String,
    /// The parent department's path below the root ("" for the root itself).
    pub parent_path: String,
    /// The parent department's name (the organization's name for the root).
    pub parent_name: String,
    /// Resigned members holding a position in it, by name; their position moves to the parent.
    pub resigned_moved: Vec<MemberRef>,
}

/// Members of these statuses keep a department from being deleted (see `count_members_in`);
/// the others (resigned) hold positions that move to the parent.
const COUNTED: &str = "('enabled', 'disabled', 'not_joined')";

impl Directory {
    /// What deleting `id` would move, for the confirmation. It does not check that the
    /// department may be deleted; [`Directory::delete_department`] does.
    pub fn department_deletion_preview(&self, id: DepartmentId) -> CoreResult<DepartmentDeletion> {
        let (parent, name) = self.department_row(id)?;
        let Some(parent) = parent else {
            return Err(CoreError::Forbidden(
                "The root department cannot be deleted.".into(),
            ));
        };
        let (_, parent_name) = self.department_row(parent)?;
        let resigned_moved = self
            .conn
            .prepare(&format!(
                "SELECT m.id, m.name, m.username FROM positions p JOIN members m ON m.id = p.member_id
                 WHERE p.department_id = ?1 AND m.status NOT IN {COUNTED} ORDER BY m.name, m.id"
            ))?
            .query_map([id], MemberRef::from_row)?
            .collect::<Result<_, _>>()?;
        Ok(DepartmentDeletion {
            name,
            parent_path: self.department_path(parent)?,
            parent_name,
            resigned_moved,
        })
    }

    /// Deletes an empty department. Refused for the root, and while it or any
    /// sub-department has members or sub-departments; the refusal says how many and which.
    /// Resigned members' positions in it move to the parent department (a member who already
    /// holds one there keeps that one, primary if the moved one was), in the same transaction;
    /// the outcome names them.
    pub fn delete_department(
        &mut self,
        actor: &Actor,
        id: DepartmentId,
    ) -> CoreResult<DepartmentDeletion> {
        let (parent, name) = self.department_row(id)?;
        let Some(parent) = parent else {
            return Err(CoreError::Forbidden(
                "The root department cannot be deleted.".into(),
            ));
        };
        let subtree = self.department_subtree(id)?;
        let members = self.count_members_in(&subtree)?;
        let subs: Vec<String> = self
            .conn
            .prepare(
                "SELECT name FROM departments WHERE parent_id = ?1 ORDER BY sort_order, name_key",
            )?
            .query_map([id], |r| r.get(0))?
            .collect::<Result<_, _>>()?;
        if members > 0 || !subs.is_empty() {
            let mut reasons = Vec::new();
            let mut details = Vec::new();
            if members > 0 {
                reasons.push(format!(
                    "{members} member{} (including sub-departments)",
                    if members == 1 { "" } else { "s" }
                ));
                details.push(ErrorDetail {
                    field: Some("members".into()),
                    code: "has_members".into(),
                    reason: members.to_string(),
                });
            }
            if !subs.is_empty() {
                reasons.push(format!(
                    "sub-department{} {}",
                    if subs.len() == 1 { "" } else { "s" },
                    subs.iter()
                        .map(|s| format!("\"{s}\""))
                        .collect::<Vec<_>>()
                        .join(", ")
                ));
                details.extend(subs.iter().map(|s| ErrorDetail {
                    field: Some("subDepartments".into()),
                    code: "has_sub_departments".into(),
                    reason: s.clone(),
                }));
            }
            return Err(CoreError::Validation {
                message: format!(
                    "\"{name}\" cannot be deleted while it has {}. Move or remove them first.",
                    reasons.join(" and ")
                ),
                details,
            });
        }
        let outcome = self.department_deletion_preview(id)?;
        let (now, tx) = self.begin()?;
        for m in &outcome.resigned_moved {
            move_position_to_parent(&tx, m, id, parent)?;
        }
        tx.execute("DELETE FROM departments WHERE id = ?1", [id])?;
        audit::record(
            &tx,
            now,
            actor,
            audit::Entry::department("department.delete", id, &name)
                .before(json!({"name": name, "parentId": parent}))
                .after(json!({
                    "resignedMovedTo": outcome.parent_path,
                    "resignedMoved": outcome.resigned_moved.iter().map(|m| &m.name).collect::<Vec<_>>(),
                })),
        )?;
        for m in &outcome.resigned_moved {
            audit::record(
                &tx,
                now,
                actor,
                audit::Entry::member("member.position_moved", m.id, &m.name)
                    .before(json!({"department": name}))
                    .after(json!({"department": outcome.parent_path})),
            )?;
        }
        tx.commit()?;
        self.drop_index();
        Ok(outcome)
    }
}

/// Moves one member's position from `from` to `to`. If they already hold a position in `to`,
/// that one stays (with its title) and takes the primary flag when the moved one had it.
fn move_position_to_parent(
    tx: &Connection,
    m: &MemberRef,
    from: DepartmentId,
    to: DepartmentId,
) -> rusqlite::Result<()> {
    let moved = tx.execute(
        "UPDATE OR IGNORE positions SET department_id = ?1 WHERE member_id = ?2 AND department_id = ?3",
        params![to, m.id, from],
    )?;
    if moved == 0 {
        let was_primary: bool = tx.query_row(
            "SELECT is_primary FROM positions WHERE member_id = ?1 AND department_id = ?2",
            params![m.id, from],
            |r| r.get(0),
        )?;
        tx.execute(
            "DELETE FROM positions WHERE member_id = ?1 AND department_id = ?2",
            params![m.id, from],
        )?;
        if was_primary {
            tx.execute(
                "UPDATE positions SET is_primary = 1 WHERE member_id = ?1 AND department_id = ?2",
                params![m.id, to],
            )?;
        }
    }
    Ok(())
}
