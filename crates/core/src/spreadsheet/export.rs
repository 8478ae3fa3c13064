//! Export of members to .xlsx (rust_xlsxwriter, constant memory) or .csv: the template's
//! columns (so an export re-imports as "unchanged"), then Status, Roles, All positions,
//! Activated and Last login.

use std::collections::HashMap;
use std::path::Path;

use rust_xlsxwriter::{Format, Workbook};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::columns::{Column, Lang, EXPORT_EXTRA};
use super::template::xlsx_error;
use super::{csv_safe, format_time, Control, SheetResult, SpreadsheetError, Stage};
use crate::members::MemberQuery;
use crate::store::Directory;
use crate::types::{DepartmentId, MemberId};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "lowercase")]
pub enum ExportFormat {
    Xlsx,
    Csv,
}

impl ExportFormat {
    pub fn extension(self) -> &'static str {
        match self {
            Self::Xlsx => "xlsx",
            Self::Csv => "csv",
        }
    }

    /// From the file name: .csv is CSV, anything else .xlsx.
    pub fn from_path(p: &Path) -> Self {
        match p.extension().and_then(|e| e.to_str()) {
            Some(e) if e.eq_ignore_ascii_case("csv") => Self::Csv,
            _ => Self::Xlsx,
        }
    }
}

/// The name the save dialog proposes: "members-<organization>-<YYYY-MM-DD>.xlsx" (UTC date),
/// with the characters file systems refuse replaced by "-".
pub fn export_file_name(organization: &str, now_ms: i64, format: ExportFormat) -> String {
    let org: String = organization
        .trim()
        .chars()
        .map(|c| {
            if c.is_control() || matches!(c, '/' | '\\' | ':' | '*' | '?' | '"' | '<' | '>' | '|') {
                '-'
            } else {
                c
            }
        })
        .collect();
    let date = &format_time(now_ms)[..10];
    format!("members-{org}-{date}.{}", format.extension())
}

struct Out {
    name: String,
    username: Option<String>,
    email: Option<String>,
    mobile: Option<String>,
    employee_id: Option<String>,
    work_location: Option<String>,
    status: String,
    activated: Option<i64>,
    last_login: Option<i64>,
    positions: Vec<(DepartmentId, Option<String>)>,
    roles: Vec<String>,
}

fn status_label(s: &str, lang: Lang) -> &'static str {
    let (en, zh) = match s {
        "not_joined" => ("Not Joined", "未加入"),
        "pending_approval" => ("Pending Approval", "待审批"),
        "rejected" => ("Rejected", "已拒绝"),
        "disabled" => ("Disabled", "已停用"),
        "resigned" => ("Resigned", "已离职"),
        _ => ("Enabled", "已启用"),
    };
    if lang == Lang::En {
        en
    } else {
        zh
    }
}

impl Directory {
    /// Writes the members `q` selects (all pages; its offset and limit are ignored), in list
    /// order, to `path`. Returns how many were written.
    pub fn export_members(
        &self,
        q: &MemberQuery,
        lang: Lang,
        path: &Path,
        ctl: &Control<'_>,
    ) -> SheetResult<usize> {
        let ids = self.member_ids(q)?;
        let total = ids.len();
        // Paths of every department, computed once from the parent links.
        let rows: Vec<(DepartmentId, Option<DepartmentId>, String)> = self
            .conn
            .prepare("SELECT id, parent_id, name FROM departments")?
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
            .collect::<Result<_, _>>()?;
        let parent: HashMap<DepartmentId, (Option<DepartmentId>, String)> =
            rows.into_iter().map(|(i, p, n)| (i, (p, n))).collect();
        let path_of: HashMap<DepartmentId, String> = parent
            .keys()
            .map(|id| {
                let mut parts = Vec::new();
                let mut cur = *id;
                while let Some((Some(p), n)) = parent.get(&cur) {
                    parts.push(n.as_str());
                    cur = *p;
                }
                parts.reverse();
                let p = parts.join("/");
                (*id, if p.is_empty() { "/".to_owned() } else { p })
            })
            .collect();
        let mut headers: Vec<String> = Column::ALL.iter().map(|c| c.header(lang)).collect();
        headers.extend(
            EXPORT_EXTRA
                .iter()
                .map(|(en, zh)| if lang == Lang::En { *en } else { *zh }.to_owned()),
        );
        let record = |o: &Out| -> Vec<String> {
            let s = |x: &Option<String>| x.clone().unwrap_or_default();
            let mut titles: Vec<String> = o
                .positions
                .iter()
                .map(|(_, t)| t.clone().unwrap_or_default())
                .collect();
            while titles.last().is_some_and(String::is_empty) {
                titles.pop();
            }
            let paths: Vec<&str> = o
                .positions
                .iter()
                .map(|(d, _)| path_of.get(d).map_or("", String::as_str))
                .collect();
            let all_positions = o
                .positions
                .iter()
                .zip(&paths)
                .map(|((_, t), p)| match t {
                    Some(t) => format!("{p} — {t}"),
                    None => (*p).to_owned(),
                })
                .collect::<Vec<_>>()
                .join("; ");
            vec![
                o.name.clone(),
                s(&o.username),
                String::new(),
                s(&o.email),
                s(&o.mobile),
                paths.join(";"),
                titles.join(";"),
                o.roles.join(";"),
                s(&o.employee_id),
                s(&o.work_location),
                status_label(&o.status, lang).to_owned(),
                o.roles.join(", "),
                all_positions,
                o.activated.map(format_time).unwrap_or_default(),
                o.last_login.map(format_time).unwrap_or_default(),
            ]
        };
        let io = |e: std::io::Error| {
            SpreadsheetError::Core(crate::CoreError::Internal(format!(
                "{} could not be written: {e}",
                path.display()
            )))
        };
        match ExportFormat::from_path(path) {
            ExportFormat::Csv => {
                let write = || -> SheetResult<()> {
                    let file = std::fs::File::create(path).map_err(io)?;
                    let mut buf = std::io::BufWriter::new(file);
                    // A BOM so that Excel reads the UTF-8 (Chinese names) correctly.
                    std::io::Write::write_all(&mut buf, b"\xEF\xBB\xBF").map_err(io)?;
                    let mut w = csv::Writer::from_writer(buf);
                    let csv_err = |e: csv::Error| io(std::io::Error::other(e.to_string()));
                    w.write_record(&headers).map_err(csv_err)?;
                    for (n, chunk) in ids.chunks(CHUNK).enumerate() {
                        ctl.check()?;
                        ctl.report(Stage::Write, n * CHUNK, total);
                        for o in self.export_rows(chunk)? {
                            let rec = record(&o);
                            w.write_record(rec.iter().map(|c| csv_safe(c).into_owned()))
                                .map_err(csv_err)?;
                        }
                    }
                    w.flush().map_err(io)?;
                    Ok(())
                };
                // A cancelled or failed export leaves no half-written file behind.
                if let Err(e) = write() {
                    let _ = std::fs::remove_file(path);
                    return Err(e);
                }
            }
            ExportFormat::Xlsx => {
                let mut wb = Workbook::new();
                let bold = Format::new().set_bold();
                let ws = wb.add_worksheet_with_constant_memory();
                ws.set_name(if lang == Lang::En {
                    "Members"
                } else {
                    "成员"
                })
                .map_err(xlsx_error)?;
                for (c, h) in headers.iter().enumerate() {
                    ws.write_string_with_format(0, c as u16, h, &bold)
                        .map_err(xlsx_error)?;
                }
                let mut r = 1u32;
                for (n, chunk) in ids.chunks(CHUNK).enumerate() {
                    ctl.check()?;
                    ctl.report(Stage::Write, n * CHUNK, total);
                    for o in self.export_rows(chunk)? {
                        // Strings only: a cell starting with "=" is text, never a formula.
                        for (c, v) in record(&o).into_iter().enumerate() {
                            if !v.is_empty() {
                                ws.write_string(r, c as u16, v).map_err(xlsx_error)?;
                            }
                        }
                        r += 1;
                    }
                }
                wb.save(path).map_err(xlsx_error)?;
            }
        }
        ctl.report(Stage::Write, total, total);
        Ok(total)
    }
}

/// Members an export reads from the database at a time: its memory stays the same whatever
/// the size of the directory.
const CHUNK: usize = 1000;

impl Directory {
    /// The export rows of `ids`, in that order (an id no longer there is left out).
    fn export_rows(&self, ids: &[MemberId]) -> SheetResult<Vec<Out>> {
        let list = serde_json::to_string(ids)
            .map_err(|e| SpreadsheetError::Core(crate::CoreError::Internal(e.to_string())))?;
        let at: HashMap<MemberId, usize> = ids.iter().enumerate().map(|(i, id)| (*id, i)).collect();
        let mut slots: Vec<Option<Out>> = Vec::with_capacity(ids.len());
        slots.resize_with(ids.len(), || None);
        let mut stmt = self.conn.prepare_cached(
            "SELECT id, name, username, email, mobile, employee_id, work_location, status, activated_at, last_login_at
             FROM members WHERE id IN (SELECT value FROM json_each(?1))",
        )?;
        let mut rows = stmt.query([&list])?;
        while let Some(r) = rows.next()? {
            let id: MemberId = r.get(0)?;
            if let Some(&i) = at.get(&id) {
                slots[i] = Some(Out {
                    name: r.get(1)?,
                    username: r.get(2)?,
                    email: r.get(3)?,
                    mobile: r.get(4)?,
                    employee_id: r.get(5)?,
                    work_location: r.get(6)?,
                    status: r.get(7)?,
                    activated: r.get(8)?,
                    last_login: r.get(9)?,
                    positions: Vec::new(),
                    roles: Vec::new(),
                });
            }
        }
        let mut stmt = self.conn.prepare_cached(
            "SELECT member_id, department_id, title FROM positions
             WHERE member_id IN (SELECT value FROM json_each(?1))
             ORDER BY member_id, is_primary DESC, sort_order",
        )?;
        let mut rows = stmt.query([&list])?;
        while let Some(r) = rows.next()? {
            let m: MemberId = r.get(0)?;
            if let Some(o) = at.get(&m).and_then(|i| slots[*i].as_mut()) {
                o.positions.push((r.get(1)?, r.get(2)?));
            }
        }
        let mut stmt = self.conn.prepare_cached(
            "SELECT mr.member_id, r.name FROM member_roles mr JOIN roles r ON r.id = mr.role_id
             WHERE mr.member_id IN (SELECT value FROM json_each(?1))
             ORDER BY mr.member_id, r.id",
        )?;
        let mut rows = stmt.query([&list])?;
        while let Some(r) = rows.next()? {
            let m: MemberId = r.get(0)?;
            if let Some(o) = at.get(&m).and_then(|i| slots[*i].as_mut()) {
                o.roles.push(r.get(1)?);
            }
        }
        Ok(slots.into_iter().flatten().collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn proposed_file_name_has_organization_and_date() {
        assert_eq!(
            export_file_name("Acme", 1_790_000_000_000, ExportFormat::Xlsx),
            "members-Acme-2026-09-21.xlsx"
        );
        assert_eq!(
            export_file_name(" Acme/R&D: 集团 ", 1_790_000_000_000, ExportFormat::Csv),
            "members-Acme-R&D- 集团-2026-09-21.csv"
        );
    }
}
