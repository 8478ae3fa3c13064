//! The organization: first-run setup, the overview, and renaming (which renames the root
//! department, since they are one name).

use rand::Rng;
use rusqlite::{params, OptionalExtension};
use serde::{Deserialize, Serialize};
use serde_json::json;
use ts_rs::TS;

use crate::audit::{self, Actor};
use crate::error::{CoreError, CoreResult, ErrorDetail};
use crate::member_row::{self, Fields};
use crate::password;
use crate::rows;
use crate::store::Directory;
use crate::types::{DepartmentId, DisplayName, MemberId, MemberRef, MemberStatus};

/// What the first-run screen sends.
#[derive(Debug, Clone, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct SetupInput {
    pub organization_name: String,
    pub admin_name: String,
    pub username: String,
    pub password: String,
    pub password_confirm: String,
}

/// What setup created.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SetupOutcome {
    pub organization_code: String,
    pub root_department_id: DepartmentId,
    pub admin_id: MemberId,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct MemberCounts {
    pub total: u32,
    pub enabled: u32,
    pub not_joined: u32,
    /// Join requests waiting for an admin's decision (not members yet).
    pub pending_approval: u32,
    pub disabled: u32,
    pub resigned: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct OrgOverview {
    pub name: String,
    #[ts(type = "number")]
    pub root_department_id: DepartmentId,
    #[ts(type = "number")]
    pub created_at: i64,
    pub initial_admin: MemberRef,
    pub counts: MemberCounts,
    pub department_count: u32,
    /// Only the initial admin renames the organization.
    pub can_rename: bool,
}

/// Letters and digits that cannot be mistaken for one another when typed from a poster.
const CODE_ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
pub const CODE_LEN: usize = 8;

/// A new organization code: 8 characters, 40 bits, from the given generator.
pub fn generate_org_code(rng: &mut impl Rng) -> String {
    (0..CODE_LEN)
        .map(|_| CODE_ALPHABET[rng.random_range(0..CODE_ALPHABET.len())] as char)
        .collect()
}

impl Directory {
    /// True once an organization exists in this database.
    pub fn is_initialized(&self) -> CoreResult<bool> {
        Ok(self
            .conn
            .query_row("SELECT 1 FROM organization", [], |_| Ok(()))
            .optional()?
            .is_some())
    }

    /// Creates the organization, its root department and its initial admin (enabled, Super
    /// Admin, Argon2id password) in one transaction.
    pub fn setup_organization(&mut self, input: &SetupInput) -> CoreResult<SetupOutcome> {
        if self.is_initialized()? {
            return Err(CoreError::AlreadyInitialized);
        }
        let mut problems = Vec::new();
        let org = parse_organization_name("organizationName", &input.organization_name)
            .map_err(|e| problems.push(e))
            .ok();
        let admin = DisplayName::parse("adminName", "Your name", &input.admin_name)
            .map_err(|e| problems.push(e))
            .ok();
        let username = password::check_credentials(&input.username, &input.password, &mut problems);
        if input.password != input.password_confirm {
            problems.push(ErrorDetail::field(
                "passwordConfirm",
                "mismatch",
                "The two passwords do not match.",
            ));
        }
        let (Some(org), Some(admin), Some(username), true) =
            (org, admin, username, problems.is_empty())
        else {
            return Err(CoreError::invalid(problems));
        };
        let hash = password::hash(&input.password)?;
        let code = generate_org_code(&mut rand::rng());
        let (now, tx) = self.begin()?;
        let root = DepartmentId(rows::insert(
            &tx,
            "INSERT INTO departments (parent_id, name, name_key, created_at) VALUES (NULL, ?1, ?2, ?3)",
            params![org.as_str(), org.key(), now],
        )?);
        let admin_id = member_row::insert(
            &tx,
            &Fields {
                name: admin.as_str(),
                username: Some(username.as_str()),
                email: None,
                mobile: None,
                employee_id: None,
                org_email: None,
                work_location: None,
            },
            MemberStatus::Enabled,
            Some(&hash),
            None,
            now,
        )?;
        tx.execute(
            "INSERT INTO positions (member_id, department_id, title, is_primary) VALUES (?1, ?2, NULL, 1)",
            params![admin_id, root],
        )?;
        tx.execute(
            "INSERT INTO member_roles (member_id, role_id) SELECT ?1, id FROM roles WHERE builtin = 'super_admin'",
            [admin_id],
        )?;
        tx.execute(
            "INSERT INTO organization (id, code, root_department_id, initial_admin_id, created_at) VALUES (1, ?1, ?2, ?3, ?4)",
            params![code, root, admin_id, now],
        )?;
        let actor = Actor::member(admin_id, admin.as_str());
        audit::record(
            &tx,
            now,
            &actor,
            audit::Entry::organization("organization.create", org.as_str()).after(
                json!({"name": org.as_str(), "code": code, "initialAdmin": username.as_str()}),
            ),
        )?;
        tx.commit()?;
        self.drop_index();
        Ok(SetupOutcome {
            organization_code: code,
            root_department_id: root,
            admin_id,
        })
    }

    fn org_row(&self) -> CoreResult<(String, DepartmentId, MemberId, i64)> {
        self.conn
            .query_row(
                "SELECT code, root_department_id, initial_admin_id, created_at FROM organization WHERE id = 1",
                [],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
            )
            .optional()?
            .ok_or(CoreError::NotInitialized)
    }

    /// The organization's name (= the root department's name).
    pub fn organization_name(&self) -> CoreResult<String> {
        let (_, root, _, _) = self.org_row()?;
        Ok(self
            .conn
            .query_row("SELECT name FROM departments WHERE id = ?1", [root], |r| {
                r.get(0)
            })?)
    }

    pub fn initial_admin_id(&self) -> CoreResult<MemberId> {
        Ok(self.org_row()?.2)
    }

    pub fn overview(&self, viewer: MemberId) -> CoreResult<OrgOverview> {
        let (_, root, admin_id, created_at) = self.org_row()?;
        let name = self.organization_name()?;
        let initial_admin = MemberRef::of(&self.conn, admin_id)?;
        let mut counts = MemberCounts {
            total: 0,
            enabled: 0,
            not_joined: 0,
            pending_approval: 0,
            disabled: 0,
            resigned: 0,
        };
        let mut stmt = self
            .conn
            .prepare("SELECT status, count(*) FROM members GROUP BY status")?;
        let rows = stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, u32>(1)?)))?;
        for row in rows {
            let (status, n) = row?;
            match status.as_str() {
                "enabled" => counts.enabled = n,
                "not_joined" => counts.not_joined = n,
                "disabled" => counts.disabled = n,
                "resigned" => counts.resigned = n,
                _ => {}
            }
            // Rejected join requests and resigned members are not part of the organization.
            if status != "rejected" && status != "resigned" && status != "pending_approval" {
                counts.total += n;
            }
        }
        // Waiting join requests, not a member status: nobody is a member before approval.
        counts.pending_approval = self.pending_join_requests()?;
        let department_count: u32 =
            self.conn
                .query_row("SELECT count(*) FROM departments", [], |r| r.get(0))?;
        Ok(OrgOverview {
            name,
            root_department_id: root,
            created_at,
            initial_admin,
            counts,
            department_count,
            can_rename: viewer == admin_id,
        })
    }

    /// Renames the organization and its root department. Only the initial admin may.
    pub fn rename_organization(&mut self, actor: &Actor, new_name: &str) -> CoreResult<()> {
        let (_, root, admin_id, _) = self.org_row()?;
        if actor.id != Some(admin_id) {
            return Err(CoreError::Forbidden(
                "Only the initial admin can rename the organization.".into(),
            ));
        }
        let name =
            parse_organization_name("name", new_name).map_err(|e| CoreError::invalid(vec![e]))?;
        let before = self.organization_name()?;
        if before == name.as_str() {
            return Ok(());
        }
        let (now, tx) = self.begin()?;
        tx.execute(
            "UPDATE departments SET name = ?1, name_key = ?2 WHERE id = ?3",
            params![name.as_str(), name.key(), root],
        )?;
        audit::record(
            &tx,
            now,
            actor,
            audit::Entry::organization("organization.rename", name.as_str())
                .before(json!({"name": before}))
                .after(json!({"name": name.as_str()})),
        )?;
        tx.commit()?;
        Ok(())
    }
}

/// The rule an organization's name keeps, the refusal naming `field`.
pub(crate) fn parse_organization_name(field: &str, raw: &str) -> Result<DisplayName, ErrorDetail> {
    DisplayName::parse(field, "Organization name", raw)
}

/// What the window needs to know before it shows anything.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct AppStatus {
    pub initialized: bool,
    pub session: Option<crate::auth::Session>,
    /// Where the directory is stored, shown in Settings.
    pub db_path: String,
    pub version: String,
}
