//! Batch changes over many members: one transaction each; the outcome says how many changed
//! and which could not, with the reason.

use rusqlite::params;
use serde::{Deserialize, Serialize};
use serde_json::json;
use ts_rs::TS;

use crate::audit::{self, Actor};
use crate::error::{CoreError, CoreResult, ErrorDetail};
use crate::member_row::{self, status_from_str};
use crate::members::{
    allowed_actions, is_super_admin_in, positions_json, positions_of, write_status, MemberAction,
    MemberQuery, StatusChange,
};
use crate::store::Directory;
use crate::types::{DepartmentId, MemberId, MemberStatus};

/// Which members: the ones ticked, or every one matching the list's filter (all pages).
#[derive(Debug, Clone, Deserialize, TS)]
#[serde(rename_all = "camelCase", tag = "kind")]
pub enum Selection {
    Ids {
        #[ts(type = "Array<number>")]
        ids: Vec<MemberId>,
    },
    Query {
        query: MemberQuery,
    },
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase", tag = "kind")]
pub enum BatchChange {
    /// Puts the members in this department: `replace` makes it their only (so primary)
    /// department, keeping the primary position's title unless a new one is given; `add`
    /// adds it beside their departments (primary unchanged), with the title given if any.
    SetDepartment {
        #[ts(type = "number")]
        department_id: DepartmentId,
        title: Option<String>,
        mode: DepartmentMode,
    },
    /// Sets the title of the primary position.
    SetPosition {
        title: String,
    },
    SetWorkLocation {
        work_location: String,
    },
    Disable,
    Enable,
    Resign,
}

/// How a batch department change treats the members' other departments.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum DepartmentMode {
    /// The department becomes the member's only one, their primary.
    Replace,
    /// The department is added to the member's departments; the primary stays.
    Add,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct Skipped {
    #[ts(type = "number")]
    pub id: MemberId,
    pub name: String,
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct BatchOutcome {
    pub changed: u32,
    pub unchanged: u32,
    pub skipped: Vec<Skipped>,
}

impl Directory {
    pub fn selection_ids(&self, sel: &Selection) -> CoreResult<Vec<MemberId>> {
        match sel {
            Selection::Ids { ids } => Ok(ids.clone()),
            Selection::Query { query } => self.member_ids(query),
        }
    }

    /// Applies one change to many members in one transaction.
    pub fn batch_update(
        &mut self,
        actor: &Actor,
        sel: &Selection,
        change: &BatchChange,
    ) -> CoreResult<BatchOutcome> {
        let ids = self.selection_ids(sel)?;
        let trimmed = |s: &str, field: &str, label: &str| -> CoreResult<Option<String>> {
            let t = s.trim();
            if t.chars().count() > 64 {
                return Err(CoreError::invalid(vec![ErrorDetail::field(
                    field,
                    "too_long",
                    format!("{label} must be at most 64 characters."),
                )]));
            }
            Ok((!t.is_empty()).then(|| t.to_owned()))
        };
        let action = match change {
            BatchChange::Disable => Some(MemberAction::Disable),
            BatchChange::Enable => Some(MemberAction::Enable),
            BatchChange::Resign => Some(MemberAction::Resign),
            _ => None,
        };
        let (title, location) = match change {
            BatchChange::SetDepartment { title: Some(t), .. } => {
                (trimmed(t, "title", "Position")?, None)
            }
            BatchChange::SetPosition { title } => (trimmed(title, "title", "Position")?, None),
            BatchChange::SetWorkLocation { work_location } => (
                None,
                trimmed(work_location, "workLocation", "Work location")?,
            ),
            _ => (None, None),
        };
        if let BatchChange::SetDepartment { department_id, .. } = change {
            self.department_details(*department_id)?;
        }
        let me = actor.id;
        let owner = self.initial_admin_id()?;
        // An Admin's batch passes Super Admins over when it changes statuses (see
        // `Directory::guard_super_admin_target`).
        let by_super_admin = action.is_none() || self.acts_as_super_admin(actor)?;
        let (now, tx) = self.begin()?;
        let mut outcome = BatchOutcome {
            changed: 0,
            unchanged: 0,
            skipped: Vec::new(),
        };
        {
            let mut get =
                tx.prepare_cached("SELECT name, status, work_location FROM members WHERE id = ?1")?;
            let mut primary = tx.prepare_cached("SELECT department_id, title FROM positions WHERE member_id = ?1 AND is_primary = 1")?;
            let mut set_loc = tx.prepare_cached(
                "UPDATE members SET work_location = ?1, updated_at = ?2 WHERE id = ?3",
            )?;
            let mut set_title = tx.prepare_cached(
                "UPDATE positions SET title = ?1 WHERE member_id = ?2 AND is_primary = 1",
            )?;
            let mut drop_heads = tx.prepare_cached(member_row::CLEAR_HEADSHIPS_LEFT)?;
            for id in ids {
                let row: Option<(String, String, Option<String>)> = get
                    .query_row([id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
                    .map(Some)
                    .or_else(|e| match e {
                        rusqlite::Error::QueryReturnedNoRows => Ok(None),
                        e => Err(e),
                    })?;
                let Some((name, status, loc)) = row else {
                    outcome.skipped.push(Skipped {
                        id,
                        name: format!("#{id}"),
                        reason: "No such member.".into(),
                    });
                    continue;
                };
                let status = status_from_str(&status);
                let mut skip = |reason: String| {
                    outcome.skipped.push(Skipped {
                        id,
                        name: name.clone(),
                        reason,
                    })
                };
                if let Some(action) = action {
                    let Some(status_change) = StatusChange::of(id, &name, status, action) else {
                        if (action == MemberAction::Disable && status == MemberStatus::Disabled)
                            || (action == MemberAction::Enable && status == MemberStatus::Enabled)
                            || (action == MemberAction::Resign && status == MemberStatus::Resigned)
                        {
                            outcome.unchanged += 1;
                        } else {
                            skip(format!(
                                "Not allowed while {}.",
                                status.as_str().replace('_', " ")
                            ));
                        }
                        continue;
                    };
                    if action != MemberAction::Enable && (Some(id) == me || id == owner) {
                        skip(if Some(id) == me {
                            "You cannot change your own status.".into()
                        } else {
                            "The initial admin's status cannot change.".into()
                        });
                        continue;
                    }
                    if !by_super_admin && is_super_admin_in(&tx, id)? {
                        skip("Only a Super Admin can change a Super Admin's status.".into());
                        continue;
                    }
                    write_status(&tx, now, actor, &status_change, true)?;
                    outcome.changed += 1;
                    continue;
                }
                if !allowed_actions(status).contains(&MemberAction::Edit) {
                    skip(format!(
                        "Not editable while {}.",
                        status.as_str().replace('_', " ")
                    ));
                    continue;
                }
                let (before, after) = match change {
                    BatchChange::SetWorkLocation { .. } => {
                        if loc == location {
                            outcome.unchanged += 1;
                            continue;
                        }
                        set_loc.execute(params![location, now, id])?;
                        (
                            json!({"workLocation": loc}),
                            json!({"workLocation": location, "batch": true}),
                        )
                    }
                    BatchChange::SetPosition { .. } => {
                        let cur: Option<(DepartmentId, Option<String>)> =
                            primary.query_row([id], |r| Ok((r.get(0)?, r.get(1)?))).ok();
                        let cur_title = cur.and_then(|c| c.1);
                        if cur_title == title {
                            outcome.unchanged += 1;
                            continue;
                        }
                        set_title.execute(params![title, id])?;
                        (
                            json!({"title": cur_title}),
                            json!({"title": title, "batch": true}),
                        )
                    }
                    BatchChange::SetDepartment {
                        department_id,
                        title: new_title,
                        mode,
                    } => {
                        let old = positions_of(&tx, id)?;
                        let new = with_department(
                            &old,
                            *department_id,
                            *mode,
                            new_title.as_ref().map(|_| title.clone()),
                        );
                        if new == old {
                            outcome.unchanged += 1;
                            continue;
                        }
                        Self::write_positions(&tx, id, &new)?;
                        // A head who leaves a department no longer heads it.
                        drop_heads.execute([id])?;
                        (
                            json!({"positions": positions_json(&old)}),
                            json!({"positions": positions_json(&new), "batch": true}),
                        )
                    }
                    _ => unreachable!("status changes are handled above"),
                };
                audit::record(
                    &tx,
                    now,
                    actor,
                    audit::Entry::member("member.edit", id, &name)
                        .before(before)
                        .after(after),
                )?;
                outcome.changed += 1;
            }
        }
        tx.commit()?;
        self.drop_index();
        Ok(outcome)
    }
}

/// A member's positions (primary first) once `department` is put in with `mode`; `title` is
/// the new title when one was given (`Some(None)` clears it).
fn with_department(
    old: &[(DepartmentId, Option<String>)],
    department: DepartmentId,
    mode: DepartmentMode,
    title: Option<Option<String>>,
) -> Vec<(DepartmentId, Option<String>)> {
    match mode {
        DepartmentMode::Replace => {
            let kept = old.first().and_then(|p| p.1.clone());
            vec![(department, title.unwrap_or(kept))]
        }
        DepartmentMode::Add => {
            let mut new = old.to_vec();
            match new.iter_mut().find(|p| p.0 == department) {
                Some(p) => {
                    if let Some(t) = title {
                        p.1 = t;
                    }
                }
                None => new.push((department, title.flatten())),
            }
            new
        }
    }
}
