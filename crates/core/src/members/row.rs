//! The member row: how it is read, the checks on its unique fields, positions and roles, and
//! the one writer of a member's positions and roles (its fields and the folded text the index
//! searches are in `member_row`).

use std::collections::BTreeSet;

use rusqlite::{params, Connection, OptionalExtension};
use serde_json::json;

use super::PositionInput;
use crate::error::{CoreError, CoreResult, ErrorDetail};
pub(super) use crate::member_row::Row;
use crate::rows;
use crate::settings::default_region_in;
use crate::store::Directory;
use crate::types::{fold_key, DepartmentId, MemberId, RoleId};

pub(super) fn opt(s: &str) -> Option<String> {
    let t = s.trim();
    (!t.is_empty()).then(|| t.to_owned())
}

/// A member's unique fields clash with another's: which one, and whose.
pub(super) fn uniqueness_problems(
    tx: &Connection,
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

    pub(super) fn member_row(&self, id: MemberId) -> CoreResult<Row> {
        crate::member_row::read(&self.conn, id)
            .optional()?
            .ok_or_else(|| CoreError::NotFound(format!("Member {id} does not exist.")))
    }

    /// Checks positions: at least one, departments exist, no department twice, titles ≤ 64.
    pub(super) fn check_positions(
        &self,
        positions: &[PositionInput],
    ) -> CoreResult<Vec<(DepartmentId, Option<String>)>> {
        CoreError::unless_chosen(positions, "positions", "Choose at least one department.")?;
        let mut seen = BTreeSet::new();
        let mut out = Vec::new();
        for p in positions {
            let found = rows::exists(
                &self.conn,
                "SELECT 1 FROM departments WHERE id = ?1",
                [p.department_id],
            )?;
            if !found {
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

    pub(super) fn check_roles(&self, roles: &[RoleId]) -> CoreResult<Vec<RoleId>> {
        let mut out: Vec<RoleId> = Vec::new();
        for r in roles {
            let found = rows::exists(&self.conn, "SELECT 1 FROM roles WHERE id = ?1", [r])?;
            if !found {
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

    pub(crate) fn write_positions(
        tx: &Connection,
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

    pub(super) fn write_roles(tx: &Connection, id: MemberId, roles: &[RoleId]) -> CoreResult<()> {
        tx.execute("DELETE FROM member_roles WHERE member_id = ?1", [id])?;
        let mut stmt =
            tx.prepare_cached("INSERT INTO member_roles (member_id, role_id) VALUES (?1, ?2)")?;
        for r in roles {
            stmt.execute(params![id, r])?;
        }
        Ok(())
    }

    pub(super) fn current_positions(
        &self,
        id: MemberId,
    ) -> CoreResult<Vec<(DepartmentId, Option<String>)>> {
        positions_of(&self.conn, id)
    }

    pub(super) fn current_role_ids(&self, id: MemberId) -> CoreResult<Vec<RoleId>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT role_id FROM member_roles WHERE member_id = ?1 ORDER BY role_id",
        )?;
        let rows = stmt.query_map([id], |r| r.get(0))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}

/// A member's positions, the primary first.
pub(crate) fn positions_of(
    conn: &rusqlite::Connection,
    id: MemberId,
) -> CoreResult<Vec<(DepartmentId, Option<String>)>> {
    let mut stmt = conn.prepare_cached(
        "SELECT department_id, title FROM positions WHERE member_id = ?1 ORDER BY is_primary DESC, sort_order",
    )?;
    let rows = stmt.query_map([id], |r| Ok((r.get(0)?, r.get(1)?)))?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Positions as the audit log keeps them (see `members::history`).
pub(crate) fn positions_json(positions: &[(DepartmentId, Option<String>)]) -> serde_json::Value {
    positions
        .iter()
        .map(|(d, t)| json!({"departmentId": d, "title": t}))
        .collect()
}

pub(super) fn clone_row(r: &Row) -> Row {
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

pub(super) fn row_json(
    r: &Row,
    positions: &[(DepartmentId, Option<String>)],
    roles: &[RoleId],
) -> serde_json::Value {
    json!({
        "name": r.name, "email": r.email, "mobile": r.mobile, "employeeId": r.employee_id,
        "workLocation": r.work_location, "orgEmail": r.org_email,
        "positions": positions_json(positions),
        "roles": roles,
    })
}
