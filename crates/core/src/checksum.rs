//! A digest of the directory's content: what every admin's computer must hold alike once their
//! directories are in step — the organization, its departments, members and their positions,
//! roles and who holds them, and the organization-wide settings. Left out is what each computer
//! keeps for itself or derives: sign-in times and failures, search keys, the link with the
//! gateway (queues, cursors, invitations' delivery states), the history, the import log and
//! the team's bookkeeping (the member events its log took, `team_member_events`).
//!
//! Each table is read in a fixed column and row order and fed to SHA-256 with every value
//! tagged by its type and prefixed by its length, so that no two contents share a digest by
//! shifting bytes between fields.

use rusqlite::types::ValueRef;
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::error::CoreResult;
use crate::join::{RULES_APPROVAL_KEY, RULES_FIELDS_KEY};
use crate::settings::INVITATION_LANGUAGE;
use crate::store::Directory;

/// The directory's digest, and how many rows of each part went into it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DirectoryChecksum {
    /// SHA-256, lowercase hex.
    pub digest: String,
    /// The parts in the order they were read.
    pub parts: Vec<ChecksumPart>,
}

/// One part of the content and its row count.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ChecksumPart {
    pub part: String,
    pub rows: u64,
}

/// One part of the content: a table, the columns that are its content and their order.
/// Columns are named (not `*`) so that a column added later is a decision, not an accident.
/// The snapshot (`crate::snapshot`) carries exactly these.
pub(crate) struct Part {
    pub(crate) table: &'static str,
    pub(crate) columns: &'static str,
    pub(crate) order: &'static str,
}

impl Part {
    /// A part from its table, the columns that are its content and their order.
    pub(crate) const fn new(
        table: &'static str,
        columns: &'static str,
        order: &'static str,
    ) -> Self {
        Part {
            table,
            columns,
            order,
        }
    }

    pub(crate) fn select(&self) -> String {
        format!(
            "SELECT {} FROM {} ORDER BY {}",
            self.columns, self.table, self.order
        )
    }
}

/// The parts, in the order they are read.
pub(crate) const PARTS: [Part; 7] = [
    Part::new(
        "organization",
        "id, code, root_department_id, initial_admin_id, created_at",
        "id",
    ),
    Part::new(
        "departments",
        "id, parent_id, name, sort_order, head_member_id, created_at",
        "id",
    ),
    Part::new(
        "members",
        "id, name, username, password_hash, email, mobile, employee_id, work_location,
         org_email, status, created_by, created_at, activated_at, gateway_account_id,
         must_change_password",
        "id",
    ),
    Part::new(
        "positions",
        "member_id, department_id, title, is_primary, sort_order",
        "member_id, department_id",
    ),
    Part::new("roles", "id, name, description, builtin", "id"),
    Part::new("member_roles", "member_id, role_id", "member_id, role_id"),
    Part::new(
        "former_members",
        "id, member_id, name, username, email, mobile, employee_id, removed_at,
         removed_by, transferred_to",
        "id",
    ),
];

/// The settings that hold for the whole organization (the rest of the table is this
/// computer's own: the gateway in use, cursors, the window's choices), the joining rules
/// among them.
pub(crate) const SHARED_SETTINGS: [&str; 5] = [
    "default_region",
    "import_quota_per_day",
    INVITATION_LANGUAGE,
    RULES_APPROVAL_KEY,
    RULES_FIELDS_KEY,
];

/// The shared settings' rows, by key; `?1` is [`shared_setting_keys`].
pub(crate) const SHARED_SETTINGS_QUERY: &str = "SELECT key, value FROM settings
     WHERE key IN (SELECT value FROM json_each(?1)) ORDER BY key";

/// [`SHARED_SETTINGS`] as the JSON array [`SHARED_SETTINGS_QUERY`] takes.
pub(crate) fn shared_setting_keys() -> String {
    serde_json::to_string(&SHARED_SETTINGS).unwrap_or_default()
}

impl Directory {
    /// The digest of the directory's content (see the module's notes for what it covers).
    pub fn directory_checksum(&self) -> CoreResult<DirectoryChecksum> {
        let mut hash = Sha256::new();
        let mut parts = Vec::with_capacity(PARTS.len() + 1);
        for part in &PARTS {
            let rows = feed_query(&mut hash, part.table, &self.conn, &part.select(), [])?;
            parts.push(ChecksumPart {
                part: part.table.to_owned(),
                rows,
            });
        }
        let rows = feed_query(
            &mut hash,
            "settings",
            &self.conn,
            SHARED_SETTINGS_QUERY,
            [shared_setting_keys()],
        )?;
        parts.push(ChecksumPart {
            part: "settings".to_owned(),
            rows,
        });
        Ok(DirectoryChecksum {
            digest: hex(&hash.finalize()),
            parts,
        })
    }
}

fn feed_query<P: rusqlite::Params>(
    hash: &mut Sha256,
    part: &str,
    conn: &rusqlite::Connection,
    sql: &str,
    params: P,
) -> CoreResult<u64> {
    feed(hash, b'T', part.as_bytes());
    let mut stmt = conn.prepare(sql)?;
    let columns = stmt.column_count();
    let mut rows = stmt.query(params)?;
    let mut count = 0u64;
    while let Some(row) = rows.next()? {
        hash.update(b"R");
        for i in 0..columns {
            match row.get_ref(i)? {
                ValueRef::Null => hash.update(b"N"),
                ValueRef::Integer(n) => feed(hash, b'I', &n.to_be_bytes()),
                ValueRef::Real(x) => feed(hash, b'F', &x.to_bits().to_be_bytes()),
                ValueRef::Text(t) => feed(hash, b'S', t),
                ValueRef::Blob(b) => feed(hash, b'B', b),
            }
        }
        count += 1;
    }
    feed(hash, b'E', &count.to_be_bytes());
    Ok(count)
}

/// One value: its type's tag, its length, its bytes.
fn feed(hash: &mut Sha256, tag: u8, bytes: &[u8]) {
    hash.update([tag]);
    hash.update((bytes.len() as u64).to_be_bytes());
    hash.update(bytes);
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
