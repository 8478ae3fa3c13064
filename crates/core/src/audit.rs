//! The audit log: who did what to whom, when, with before/after values.

use rusqlite::{params, Connection};
use serde::Serialize;

use crate::rows::row_into;
use crate::types::{DepartmentId, MemberId};

/// Who is acting: the signed-in admin (or the setup itself, which has no actor yet).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    pub id: Option<MemberId>,
    pub name: String,
}

impl Actor {
    pub fn member(id: MemberId, name: impl Into<String>) -> Self {
        Self {
            id: Some(id),
            name: name.into(),
        }
    }
}

pub struct Entry<'a> {
    pub action: &'a str,
    pub target_type: &'a str,
    pub target_id: Option<i64>,
    pub target_name: Option<&'a str>,
    pub before: Option<serde_json::Value>,
    pub after: Option<serde_json::Value>,
}

impl<'a> Entry<'a> {
    /// An entry about one target, with no before or after values (add them with
    /// [`Entry::before`] and [`Entry::after`]).
    pub fn on(
        action: &'a str,
        target_type: &'a str,
        target_id: Option<i64>,
        target_name: Option<&'a str>,
    ) -> Self {
        Self {
            action,
            target_type,
            target_id,
            target_name,
            before: None,
            after: None,
        }
    }

    /// An entry about a member.
    pub fn member(action: &'a str, id: MemberId, name: &'a str) -> Self {
        Self::on(action, "member", Some(id.0), Some(name))
    }

    /// An entry about a department.
    pub fn department(action: &'a str, id: DepartmentId, name: &'a str) -> Self {
        Self::on(action, "department", Some(id.0), Some(name))
    }

    /// An entry about the organization (there is one, id 1).
    pub fn organization(action: &'a str, name: &'a str) -> Self {
        Self::on(action, "organization", Some(1), Some(name))
    }

    pub fn before(self, before: serde_json::Value) -> Self {
        Self {
            before: Some(before),
            ..self
        }
    }

    pub fn after(self, after: serde_json::Value) -> Self {
        Self {
            after: Some(after),
            ..self
        }
    }
}

/// Appends one entry; call it inside the transaction of the change it records.
pub fn record(conn: &Connection, at: i64, actor: &Actor, e: Entry<'_>) -> rusqlite::Result<()> {
    conn.execute(
        "INSERT INTO audit_log (at, actor_id, actor_name, action, target_type, target_id, target_name, before_json, after_json)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        params![
            at,
            actor.id,
            actor.name,
            e.action,
            e.target_type,
            e.target_id,
            e.target_name,
            e.before.map(|v| v.to_string()),
            e.after.map(|v| v.to_string()),
        ],
    )?;
    Ok(())
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AuditRow {
    pub at: i64,
    pub actor_name: String,
    pub action: String,
    pub target_type: String,
    pub target_id: Option<i64>,
    pub before: Option<serde_json::Value>,
    pub after: Option<serde_json::Value>,
}

/// The newest entries first.
pub fn recent(conn: &Connection, limit: u32) -> rusqlite::Result<Vec<AuditRow>> {
    crate::rows::all(
        conn,
        "SELECT at, actor_name, action, target_type, target_id, before_json, after_json
         FROM audit_log ORDER BY id DESC LIMIT ?1",
        [limit],
        |r| {
            Ok(row_into!(r => AuditRow {
                at, actor_name, action, target_type, target_id;
                before: json_value(r.get(5)?),
                after: json_value(r.get(6)?),
            }))
        },
    )
}

/// A stored `before_json` / `after_json` text as the value it holds (none if unreadable).
pub(crate) fn json_value(text: Option<String>) -> Option<serde_json::Value> {
    text.and_then(|s| serde_json::from_str(&s).ok())
}
