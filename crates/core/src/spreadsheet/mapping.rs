//! Column mapping: which of a file's columns each Orgdesk field is read from, for files whose
//! headers are not the template's (another system's user export). A mapping names columns by
//! their header, so a saved mapping applies again to the next export of the same system.

use rusqlite::{params, OptionalExtension};
use serde::{Deserialize, Serialize};
use serde_json::json;
use ts_rs::TS;

use super::columns::{normalize_header, Column, Lang};
use crate::audit::{self, Actor};
use crate::error::{CoreError, CoreResult, ErrorDetail};
use crate::rows;
use crate::store::Directory;
use crate::types::{fold_key, DisplayName};

/// One Orgdesk field and the file's headers it is read from. Several headers are joined with
/// a space (First Name + Last Name make the Name).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct FieldSource {
    pub field: Column,
    pub headers: Vec<String>,
}

/// Fields the mapping does not name are not imported.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ColumnMapping {
    pub fields: Vec<FieldSource>,
}

impl ColumnMapping {
    /// The headers `field` is read from (empty when it is not mapped).
    pub fn headers_of(&self, field: Column) -> &[String] {
        self.fields
            .iter()
            .find(|f| f.field == field)
            .map_or(&[], |f| f.headers.as_slice())
    }
}

/// What the mapping step shows about a file before anything is validated.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct FileColumns {
    /// The header row's cells, in file order (blank headers as "").
    pub headers: Vec<String>,
    /// Up to three data rows, cell by cell under `headers`.
    pub samples: Vec<Vec<String>>,
    /// Data rows in the file (blank rows not counted).
    pub rows: u32,
    /// The columns an import finds by their names alone.
    pub detected: ColumnMapping,
    /// `detected`, completed with the names other systems use (Google Workspace, Microsoft 365).
    pub suggested: ColumnMapping,
    /// Required fields the file's header names do not give: the admin has to map them.
    pub missing: Vec<Column>,
}

impl FileColumns {
    /// The mapping an import of this file uses when nobody picks one (the command line
    /// without `--mapping`): none when its headers name the required columns, else the
    /// suggestion — another system's export the suggestion knows — when that maps every
    /// required field. Err: the required fields neither gives, which someone must map.
    pub fn automatic_mapping(&self) -> Result<Option<ColumnMapping>, Vec<Column>> {
        if self.missing.is_empty() {
            return Ok(None);
        }
        let unmapped: Vec<Column> = Column::ALL
            .into_iter()
            .filter(|c| c.required() && self.suggested.headers_of(*c).is_empty())
            .collect();
        if unmapped.is_empty() {
            Ok(Some(self.suggested.clone()))
        } else {
            Err(unmapped)
        }
    }
}

/// Header names other systems use for our fields, normalized (lowercase, bracketed notes such
/// as "[Required]" removed). Earlier names win. Password and Username are never guessed: a
/// Google export's "Password" column holds placeholders, and a Microsoft 365 "User name" is
/// an email address.
fn synonyms(c: Column) -> &'static [&'static str] {
    match c {
        Column::Name => &["display name", "full name", "显示名称", "名称"],
        Column::Email => &[
            "email address",
            "e-mail",
            "e-mail address",
            "mail",
            "primary email",
            "电子邮件",
            "邮件",
        ],
        Column::Mobile => &[
            "mobile phone",
            "mobile number",
            "cell phone",
            "mobile",
            "手机",
            "移动电话",
        ],
        // A Google Workspace export has both: the organizational unit is where people sit.
        Column::Department => &["org unit path", "org unit", "organizational unit", "dept"],
        Column::Position => &["job title", "employee title", "title", "职务"],
        Column::EmployeeId => &["employee number", "staff id", "员工编号"],
        Column::WorkLocation => &["office", "office location", "location", "city", "办公地点"],
        Column::Username | Column::Password | Column::Role => &[],
    }
}

const FIRST_NAMES: [&str; 4] = ["first name", "given name", "firstname", "名"];
const LAST_NAMES: [&str; 4] = ["last name", "surname", "family name", "lastname"];

/// A header as the suggestion compares it: normalized, bracketed notes removed.
fn loose(h: &str) -> String {
    let mut out = String::new();
    let mut depth = 0usize;
    for ch in h.chars() {
        match ch {
            '[' | '(' | '（' => depth += 1,
            ']' | ')' | '）' => depth = depth.saturating_sub(1),
            _ if depth == 0 => out.push(ch),
            _ => {}
        }
    }
    normalize_header(&out)
}

/// `detected`, plus a source for every field it lacks whose usual name (in another system's
/// export) is among `headers`.
pub(crate) fn suggest(headers: &[String], detected: &ColumnMapping) -> ColumnMapping {
    let loose_headers: Vec<String> = headers.iter().map(|h| loose(h)).collect();
    let used =
        |m: &ColumnMapping, h: &str| m.fields.iter().any(|f| f.headers.iter().any(|x| x == h));
    let find = |names: &[&str], m: &ColumnMapping| -> Option<String> {
        names.iter().find_map(|n| {
            loose_headers
                .iter()
                .zip(headers)
                .find(|(l, h)| l == n && !used(m, h))
                .map(|(_, h)| h.clone())
        })
    };
    let mut out = ColumnMapping::default();
    for c in Column::ALL {
        let exact = detected.headers_of(c);
        // The organizational unit beats a free-text "Department" column of the same export.
        let preferred = (c == Column::Department)
            .then(|| find(&["org unit path"], &out))
            .flatten();
        let headers_for = if let Some(h) = preferred {
            vec![h]
        } else if !exact.is_empty() {
            exact.to_vec()
        } else if let Some(h) = find(synonyms(c), &out) {
            vec![h]
        } else if c == Column::Name {
            match (find(&FIRST_NAMES, &out), find(&LAST_NAMES, &out)) {
                (Some(f), Some(l)) => vec![f, l],
                (Some(one), None) | (None, Some(one)) => vec![one],
                (None, None) => continue,
            }
        } else {
            continue;
        };
        out.fields.push(FieldSource {
            field: c,
            headers: headers_for,
        });
    }
    out
}

/// A mapping saved under a name, to reuse on the next file from the same system.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct SavedMapping {
    pub id: i64,
    pub name: String,
    pub mapping: ColumnMapping,
    /// Milliseconds since the epoch.
    pub updated_at: i64,
}

fn invalid(field: &str, code: &str, reason: impl Into<String>) -> CoreError {
    CoreError::invalid(vec![ErrorDetail::field(field, code, reason)])
}

impl Directory {
    /// The saved column mappings, by name.
    pub fn saved_mappings(&self) -> CoreResult<Vec<SavedMapping>> {
        let mut stmt = self.conn.prepare(
            "SELECT id, name, mapping_json, updated_at FROM saved_mappings ORDER BY name_key",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, i64>(3)?,
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (id, name, json, updated_at) = row?;
            // A mapping that no longer parses (written by a later version) is left out.
            if let Ok(mapping) = serde_json::from_str(&json) {
                out.push(SavedMapping {
                    id,
                    name,
                    mapping,
                    updated_at,
                });
            }
        }
        Ok(out)
    }

    /// The saved mapping called `name` (case and accents aside, as names are kept unique).
    pub fn saved_mapping_named(&self, name: &str) -> CoreResult<SavedMapping> {
        let key = fold_key(name.trim());
        let all = self.saved_mappings()?;
        let names: Vec<&str> = all.iter().map(|m| m.name.as_str()).collect();
        let why = if names.is_empty() {
            format!("There is no saved mapping named \"{}\": none is saved yet. Save one in the window's mapping step first.", name.trim())
        } else {
            format!(
                "There is no saved mapping named \"{}\". Saved mappings: {}.",
                name.trim(),
                names.join(", ")
            )
        };
        all.iter()
            .find(|m| fold_key(&m.name) == key)
            .cloned()
            .ok_or(CoreError::NotFound(why))
    }

    /// Saves `mapping` under `name`, replacing a saved mapping of the same name.
    pub fn save_mapping(
        &mut self,
        actor: &Actor,
        name: &str,
        mapping: &ColumnMapping,
    ) -> CoreResult<SavedMapping> {
        let name = DisplayName::parse("name", "Mapping name", name)
            .map_err(|d| CoreError::invalid(vec![d]))?;
        if mapping.fields.iter().all(|f| f.headers.is_empty()) {
            return Err(invalid(
                "mapping",
                "required",
                "Map at least one column before saving the mapping.",
            ));
        }
        for c in Column::ALL.into_iter().filter(|c| c.required()) {
            if mapping.headers_of(c).is_empty() {
                return Err(invalid(
                    "mapping",
                    "required",
                    format!("{} is required: map a column to it.", c.label(Lang::En)),
                ));
            }
        }
        let json = serde_json::to_string(mapping)
            .map_err(|e| CoreError::Internal(format!("The mapping could not be stored: {e}")))?;
        let now = self.now_ms();
        let key = fold_key(name.as_str());
        let tx = self.conn.transaction()?;
        let existing: Option<i64> = tx
            .query_row(
                "SELECT id FROM saved_mappings WHERE name_key = ?1",
                [&key],
                |r| r.get(0),
            )
            .optional()?;
        let id = match existing {
            Some(id) => {
                tx.execute(
                    "UPDATE saved_mappings SET name = ?1, mapping_json = ?2, updated_at = ?3 WHERE id = ?4",
                    params![name.as_str(), json, now, id],
                )?;
                id
            }
            None => rows::insert(
                &tx,
                "INSERT INTO saved_mappings (name, name_key, mapping_json, created_by, created_at, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?5)",
                params![name.as_str(), key, json, actor.id, now],
            )?,
        };
        audit::record(
            &tx,
            now,
            actor,
            audit::Entry::on(
                "import_mapping.save",
                "import_mapping",
                Some(id),
                Some(name.as_str()),
            )
            .after(json!({"name": name.as_str(), "mapping": mapping})),
        )?;
        tx.commit()?;
        Ok(SavedMapping {
            id,
            name: name.as_str().to_owned(),
            mapping: mapping.clone(),
            updated_at: now,
        })
    }

    /// Deletes a saved mapping.
    pub fn delete_mapping(&mut self, actor: &Actor, id: i64) -> CoreResult<()> {
        let (now, tx) = self.begin()?;
        let name: Option<String> = tx
            .query_row("SELECT name FROM saved_mappings WHERE id = ?1", [id], |r| {
                r.get(0)
            })
            .optional()?;
        let Some(name) = name else {
            return Err(CoreError::NotFound(
                "That saved mapping no longer exists.".into(),
            ));
        };
        tx.execute("DELETE FROM saved_mappings WHERE id = ?1", [id])?;
        audit::record(
            &tx,
            now,
            actor,
            audit::Entry::on(
                "import_mapping.delete",
                "import_mapping",
                Some(id),
                Some(&name),
            )
            .before(json!({"name": name})),
        )?;
        tx.commit()?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn h(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn bracketed_notes_are_ignored_when_suggesting() {
        assert_eq!(loose("First Name [Required]"), "first name");
        assert_eq!(
            loose("Recovery Phone [MUST BE IN THE E.164 FORMAT]"),
            "recovery phone"
        );
        assert_eq!(loose("手机（选填）"), "手机");
    }

    #[test]
    fn google_workspace_export_is_suggested_first_and_last_name_and_org_unit() {
        let headers = h(&[
            "First Name [Required]",
            "Last Name [Required]",
            "Email Address [Required]",
            "Password [Required]",
            "Org Unit Path [Required]",
            "Mobile Phone",
            "Employee ID",
            "Employee Title",
            "Department",
        ]);
        // By name alone only Employee ID and the free-text Department are found.
        let detected = ColumnMapping {
            fields: vec![
                FieldSource {
                    field: Column::Department,
                    headers: h(&["Department"]),
                },
                FieldSource {
                    field: Column::EmployeeId,
                    headers: h(&["Employee ID"]),
                },
            ],
        };
        let s = suggest(&headers, &detected);
        assert_eq!(
            s.headers_of(Column::Name),
            h(&["First Name [Required]", "Last Name [Required]"])
        );
        assert_eq!(
            s.headers_of(Column::Email),
            h(&["Email Address [Required]"])
        );
        assert_eq!(
            s.headers_of(Column::Department),
            h(&["Org Unit Path [Required]"])
        );
        assert_eq!(s.headers_of(Column::Mobile), h(&["Mobile Phone"]));
        assert_eq!(s.headers_of(Column::Position), h(&["Employee Title"]));
        assert_eq!(s.headers_of(Column::EmployeeId), h(&["Employee ID"]));
        assert!(s.headers_of(Column::Password).is_empty());
        assert!(s.headers_of(Column::Username).is_empty());
    }

    #[test]
    fn microsoft_365_bulk_add_is_suggested_display_name_and_job_title() {
        let headers = h(&[
            "User name",
            "First name",
            "Last name",
            "Display name",
            "Job title",
            "Department",
            "Office number",
            "Mobile phone",
        ]);
        let detected = ColumnMapping {
            fields: vec![FieldSource {
                field: Column::Department,
                headers: h(&["Department"]),
            }],
        };
        let s = suggest(&headers, &detected);
        assert_eq!(s.headers_of(Column::Name), h(&["Display name"]));
        assert_eq!(s.headers_of(Column::Position), h(&["Job title"]));
        assert_eq!(s.headers_of(Column::Department), h(&["Department"]));
        assert_eq!(s.headers_of(Column::Mobile), h(&["Mobile phone"]));
        assert!(s.headers_of(Column::Username).is_empty());
        assert!(s.headers_of(Column::Email).is_empty());
    }
}
