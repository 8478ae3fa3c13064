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
use super::template::{paths_by_id, PathParts};
use super::{csv_safe, format_time, Control, SheetResult, SpreadsheetError, Stage};
use crate::members::MemberQuery;
use crate::rows::row_into;
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
        let path_of: HashMap<DepartmentId, String> = paths_by_id(&self.conn, PathParts::Names)?
            .into_iter()
            .map(|(id, p)| (id, if p.is_empty() { "/".to_owned() } else { p }))
            .collect();
        let mut headers: Vec<String> = Column::ALL.iter().map(|c| c.header(lang)).collect();
        headers.extend(
            EXPORT_EXTRA
                .iter()
                .map(|(en, zh)| if lang == Lang::En { *en } else { *zh }.to_owned()),
        );
        // One row's cells, written straight into the batch's buffer.
        let record = |cells: &mut Cells, o: &Out| {
            fn opt(x: &Option<String>) -> &str {
                x.as_deref().unwrap_or("")
            }
            let path = |d: &DepartmentId| path_of.get(d).map_or("", String::as_str);
            cells.cell(&o.name);
            cells.cell(opt(&o.username));
            cells.cell("");
            cells.cell(opt(&o.email));
            cells.cell(opt(&o.mobile));
            cells.joined(o.positions.iter().map(|(d, _)| path(d)), ";");
            // Titles by the departments' order, without the empty ones at the end.
            let titled = o
                .positions
                .iter()
                .rposition(|(_, t)| t.as_deref().is_some_and(|t| !t.is_empty()))
                .map_or(0, |i| i + 1);
            cells.joined(o.positions[..titled].iter().map(|(_, t)| opt(t)), ";");
            cells.joined(o.roles.iter().map(String::as_str), ";");
            cells.cell(opt(&o.employee_id));
            cells.cell(opt(&o.work_location));
            cells.cell(status_label(&o.status, lang));
            cells.joined(o.roles.iter().map(String::as_str), ", ");
            for (k, (d, t)) in o.positions.iter().enumerate() {
                if k > 0 {
                    cells.text.push_str("; ");
                }
                cells.text.push_str(path(d));
                if let Some(t) = t {
                    cells.text.push_str(" — ");
                    cells.text.push_str(t);
                }
            }
            cells.end_cell();
            cells.cell(&o.activated.map(format_time).unwrap_or_default());
            cells.cell(&o.last_login.map(format_time).unwrap_or_default());
            cells.end_row();
        };
        // Batch `n` of the rows' cells, after looking for a cancel and reporting progress.
        let batch_cells = |n: usize, chunk: &[MemberId]| -> SheetResult<Cells> {
            ctl.check()?;
            ctl.report(Stage::Write, n * CHUNK, total);
            let mut cells = Cells::default();
            for o in self.export_rows(chunk)? {
                record(&mut cells, &o);
            }
            Ok(cells)
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
                        let cells = batch_cells(n, chunk)?;
                        for row in cells.rows() {
                            let row: Vec<_> = row.map(csv_safe).collect();
                            w.write_record(row.iter().map(|c| c.as_bytes()))
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
                // Two threads: this one reads the members and builds their cells, the other
                // writes them into the workbook and then compresses it (the larger half).
                // Batches of CHUNK rows, at most two waiting: memory stays the same.
                let (tx, rx) = std::sync::mpsc::sync_channel::<Batch>(2);
                let sheet = if lang == Lang::En {
                    "Members"
                } else {
                    "成员"
                };
                std::thread::scope(|scope| {
                    let writer = scope.spawn(|| write_xlsx(path, sheet, &headers, rx));
                    let read = || -> SheetResult<()> {
                        for (n, chunk) in ids.chunks(CHUNK).enumerate() {
                            if tx.send(Batch::Rows(batch_cells(n, chunk)?)).is_err() {
                                // The writer stopped: its error is the one to report.
                                return Ok(());
                            }
                        }
                        let _ = tx.send(Batch::Done);
                        Ok(())
                    };
                    let read = read();
                    drop(tx);
                    let written = writer.join().unwrap_or_else(|_| {
                        Err(SpreadsheetError::Core(crate::CoreError::Internal(
                            "The export stopped unexpectedly.".into(),
                        )))
                    });
                    read.and(written)
                })?;
            }
        }
        ctl.report(Stage::Write, total, total);
        Ok(total)
    }
}

/// Cells of the rows an .xlsx export has read, on their way to the workbook.
enum Batch {
    Rows(Cells),
    /// Every row was sent: the workbook is saved.
    Done,
}

/// Rows of cells in one buffer: a handful of allocations a batch instead of one a cell, and
/// none freed by the thread that did not make it (glibc's arenas make that costly).
#[derive(Default)]
struct Cells {
    text: String,
    /// Where each cell ends in `text`.
    ends: Vec<usize>,
    /// How many cells each row has.
    widths: Vec<usize>,
    /// Where the row being pushed starts in `ends`.
    row_start: usize,
}

impl Cells {
    /// Ends the cell whose text was pushed onto `text`.
    fn end_cell(&mut self) {
        self.ends.push(self.text.len());
    }

    fn cell(&mut self, v: &str) {
        self.text.push_str(v);
        self.end_cell();
    }

    fn joined<'a>(&mut self, parts: impl Iterator<Item = &'a str>, sep: &str) {
        for (k, p) in parts.enumerate() {
            if k > 0 {
                self.text.push_str(sep);
            }
            self.text.push_str(p);
        }
        self.end_cell();
    }

    fn end_row(&mut self) {
        self.widths.push(self.ends.len() - self.row_start);
        self.row_start = self.ends.len();
    }

    fn rows(&self) -> impl Iterator<Item = impl Iterator<Item = &str>> {
        let mut first = 0usize;
        self.widths.iter().map(move |w| {
            let cells = first..first + w;
            first += w;
            cells.map(|i| {
                let start = if i == 0 { 0 } else { self.ends[i - 1] };
                &self.text[start..self.ends[i]]
            })
        })
    }
}

/// Writes the rows received from `rx` to a constant-memory workbook at `path`, saved only once
/// [`Batch::Done`] arrives: a cancelled or failed export leaves no file behind.
fn write_xlsx(
    path: &Path,
    sheet: &str,
    headers: &[String],
    rx: std::sync::mpsc::Receiver<Batch>,
) -> SheetResult<()> {
    let mut wb = Workbook::new();
    let bold = Format::new().set_bold();
    let ws = wb.add_worksheet_with_constant_memory();
    ws.set_name(sheet).map_err(xlsx_error)?;
    for (c, h) in headers.iter().enumerate() {
        ws.write_string_with_format(0, c as u16, h, &bold)
            .map_err(xlsx_error)?;
    }
    let mut r = 1u32;
    for batch in rx {
        let cells = match batch {
            Batch::Rows(cells) => cells,
            Batch::Done => {
                wb.save(path).map_err(xlsx_error)?;
                return Ok(());
            }
        };
        for row in cells.rows() {
            // Strings only: a cell starting with "=" is text, never a formula.
            for (c, v) in row.enumerate() {
                if !v.is_empty() {
                    ws.write_string(r, c as u16, v).map_err(xlsx_error)?;
                }
            }
            r += 1;
        }
    }
    // The reading side stopped (cancelled or failed) before the last row.
    Err(SpreadsheetError::Cancelled)
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
            "SELECT name, username, email, mobile, employee_id, work_location, status, activated_at, last_login_at, id
             FROM members WHERE id IN (SELECT value FROM json_each(?1))",
        )?;
        let mut rows = stmt.query([&list])?;
        while let Some(r) = rows.next()? {
            let id: MemberId = r.get(9)?;
            if let Some(&i) = at.get(&id) {
                slots[i] = Some(row_into!(r => Out {
                    name, username, email, mobile, employee_id, work_location, status, activated,
                    last_login;
                    positions: Vec::new(),
                    roles: Vec::new(),
                }));
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
