//! Roles: the built-in Super Admin, Admin and Member, and the organization's own.

use rusqlite::{params, OptionalExtension};
use serde::{Deserialize, Serialize};
use serde_json::json;
use ts_rs::TS;

use crate::audit::{self, Actor};
use crate::error::{CoreError, CoreResult, ErrorDetail};
use crate::rows::{self, row_into};
use crate::store::Directory;
use crate::types::{DisplayName, RoleId};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct Role {
    #[ts(type = "number")]
    pub id: RoleId,
    pub name: String,
    pub description: String,
    pub builtin: bool,
    pub members: u32,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct NewRole {
    pub name: String,
    pub description: String,
}

impl NewRole {
    /// The rules a new role keeps before the directory is asked: its name and its trimmed
    /// description.
    pub(crate) fn check(&self) -> Result<(DisplayName, &str), ErrorDetail> {
        let name = DisplayName::parse("name", "Role name", &self.name)?;
        let description = self.description.trim();
        if description.chars().count() > 200 {
            return Err(ErrorDetail::field(
                "description",
                "too_long",
                "Description must be at most 200 characters.",
            ));
        }
        Ok((name, description))
    }
}

impl Directory {
    pub fn roles(&self) -> CoreResult<Vec<Role>> {
        let roles = crate::rows::all(
            &self.conn,
            "SELECT r.id, r.name, r.description, r.builtin IS NOT NULL,
                    (SELECT count(*) FROM member_roles mr JOIN members m ON m.id = mr.member_id
                     WHERE mr.role_id = r.id AND m.status IN ('enabled', 'disabled', 'not_joined'))
             FROM roles r ORDER BY r.builtin IS NULL, r.id",
            [],
            |r| Ok(row_into!(r => Role { id, name, description, builtin, members })),
        )?;
        Ok(roles)
    }

    pub fn create_role(&mut self, actor: &Actor, input: &NewRole) -> CoreResult<RoleId> {
        let (name, description) = input.check().map_err(|e| CoreError::invalid(vec![e]))?;
        let taken = rows::exists(
            &self.conn,
            "SELECT id FROM roles WHERE name_key = ?1",
            [name.key()],
        )?;
        if taken {
            return Err(CoreError::invalid(vec![ErrorDetail::field(
                "name",
                "taken",
                format!("A role named \"{}\" already exists.", name.as_str()),
            )]));
        }
        let (now, tx) = self.begin()?;
        let id = RoleId(rows::insert(
            &tx,
            // Roles are never deleted: one above the largest id is the id every computer
            // of a team gives the same role, applied in the same order.
            "INSERT INTO roles (id, name, name_key, description)
             VALUES ((SELECT ifnull(max(id), 0) + 1 FROM roles), ?1, ?2, ?3)",
            params![name.as_str(), name.key(), description],
        )?);
        audit::record(
            &tx,
            now,
            actor,
            audit::Entry::on("role.create", "role", Some(id.0), Some(name.as_str()))
                .after(json!({"name": name.as_str(), "description": description})),
        )?;
        tx.commit()?;
        Ok(id)
    }

    /// Role ids by name (case-insensitive), for the command line and imports.
    pub fn role_by_name(&self, name: &str) -> CoreResult<RoleId> {
        self.conn
            .query_row(
                "SELECT id FROM roles WHERE name_key = ?1",
                [crate::types::fold_key(name)],
                |r| r.get(0),
            )
            .optional()?
            .ok_or_else(|| CoreError::NotFound(format!("No role named \"{}\".", name.trim())))
    }
}
