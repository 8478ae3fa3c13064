//! Bulk import and export of members through spreadsheets (.xlsx, .xls, .ods, .csv).
//!
//! Reading goes through calamine and the csv crate, writing through rust_xlsxwriter; neither
//! format is hand-rolled. Row-level problems are data (`{row, column, reason}`); only a
//! problem with the whole file (not a spreadsheet, too big, no header …) is an error, and
//! then nothing is written.

mod columns;
mod export;
mod import;
mod mapping;
mod quota;
mod read;
mod reasons;
mod template;
mod xls_guard;

use std::path::Path;

use std::sync::atomic::{AtomicBool, Ordering};

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::error::{CommandError, CoreError, ErrorCode, ErrorDetail};

pub use columns::{Column, Lang};
pub use export::{export_file_name, ExportFormat};
pub use import::{
    write_results, DepartmentAt, ImportColumns, ImportCounts, ImportOptions, ImportPart,
    ImportPosition, ImportReport, ImportRow, ImportSummary, RowOutcome, RowProblem, RowResult,
};
pub use mapping::{ColumnMapping, FieldSource, FileColumns, SavedMapping};
pub use quota::ImportQuotaStatus;
pub use template::write_template;

/// The headers and first rows of `path`, the columns found by name, a suggestion for the
/// others, and the required fields still unmapped: what the mapping step shows.
pub fn inspect_file(path: &Path, ctl: &Control<'_>) -> SheetResult<FileColumns> {
    read::inspect(path, ctl)
}

/// Files bigger than this are refused before they are parsed.
pub const MAX_FILE_BYTES: u64 = 50 * 1024 * 1024;
/// Data rows (after the header) an import accepts.
pub const MAX_ROWS: usize = 200_000;

/// Why a whole file was refused. `code` is stable for the UI; `reason` is the English text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct FileRefusal {
    pub code: String,
    pub reason: String,
}

impl FileRefusal {
    pub(crate) fn new(code: &str, reason: impl Into<String>) -> Self {
        Self {
            code: code.to_owned(),
            reason: reason.into(),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum SpreadsheetError {
    /// The file as a whole cannot be imported; nothing was written.
    #[error("{}", .0.reason)]
    Refused(FileRefusal),
    /// The admin cancelled; nothing was written.
    #[error("The import was cancelled; nothing was changed.")]
    Cancelled,
    #[error(transparent)]
    Core(#[from] CoreError),
}

impl From<rusqlite::Error> for SpreadsheetError {
    fn from(e: rusqlite::Error) -> Self {
        Self::Core(e.into())
    }
}

impl From<SpreadsheetError> for CommandError {
    fn from(e: SpreadsheetError) -> Self {
        match e {
            SpreadsheetError::Refused(r) => {
                let mut c = CommandError::new(ErrorCode::Validation, r.reason.clone());
                c.details.push(ErrorDetail {
                    field: Some("file".into()),
                    code: r.code,
                    reason: r.reason,
                });
                c
            }
            // No `cancelled` code exists in the closed list the UI mirrors: the detail tells
            // a cancel from a conflict.
            SpreadsheetError::Cancelled => {
                let mut c = CommandError::new(ErrorCode::Conflict, e.to_string());
                c.details.push(ErrorDetail {
                    field: None,
                    code: "cancelled".into(),
                    reason: e.to_string(),
                });
                c
            }
            SpreadsheetError::Core(c) => c.into(),
        }
    }
}

pub type SheetResult<T> = Result<T, SpreadsheetError>;

/// Which part of a long job a progress report is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    Read,
    Validate,
    Commit,
    Write,
}

/// One progress report of a long job, as the window receives it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
pub struct JobProgress {
    pub stage: Stage,
    pub done: u32,
    pub total: u32,
}

impl JobProgress {
    pub fn new(stage: Stage, done: usize, total: usize) -> Self {
        let clamp = |n: usize| n.min(u32::MAX as usize) as u32;
        Self {
            stage,
            done: clamp(done),
            total: clamp(total),
        }
    }
}

/// What an export wrote.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct ExportOutcome {
    pub path: String,
    pub members: u32,
}

/// A file dragged onto the window: `enter` while it hovers (with its paths), `drop` when let
/// go, `leave` when the drag leaves or is abandoned.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct FileDrop {
    pub kind: FileDropKind,
    pub paths: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum FileDropKind {
    Enter,
    Drop,
    Leave,
}

/// Cancel flag and progress callback of a long job. The flag is checked between rows.
pub struct Control<'a> {
    pub cancel: &'a AtomicBool,
    pub progress: &'a dyn Fn(Stage, usize, usize),
}

static NEVER: AtomicBool = AtomicBool::new(false);

impl Control<'static> {
    /// No cancel, no progress: for the command line and tests.
    pub fn none() -> Self {
        Control {
            cancel: &NEVER,
            progress: &|_, _, _| {},
        }
    }
}

impl Control<'_> {
    pub(crate) fn check(&self) -> SheetResult<()> {
        if self.cancel.load(Ordering::Relaxed) {
            Err(SpreadsheetError::Cancelled)
        } else {
            Ok(())
        }
    }
    pub(crate) fn report(&self, stage: Stage, done: usize, total: usize) {
        (self.progress)(stage, done, total);
    }
}

/// Makes a text cell safe from being read as a formula by a spreadsheet program: cells
/// starting with = + - @ (or tab / CR) get a leading apostrophe. Used for CSV only; in
/// .xlsx every cell is written as a string, which is never evaluated.
pub fn csv_safe(s: &str) -> std::borrow::Cow<'_, str> {
    if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{s}").into()
    } else {
        s.into()
    }
}

/// The inverse of [`csv_safe`], applied to CSV cells on import so an export re-imports as is.
pub(crate) fn csv_unsafe(s: &str) -> &str {
    match s.strip_prefix('\'') {
        Some(rest) if rest.starts_with(['=', '+', '-', '@', '\t', '\r']) => rest,
        _ => s,
    }
}

/// "2026-11-22 22:05" (UTC) for a time in milliseconds: the results file's times, and the
/// command line's.
pub fn format_time(ms: i64) -> String {
    let secs = ms.div_euclid(1000);
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    // Howard Hinnant's civil-from-days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02} {:02}:{:02}",
        rem / 3600,
        (rem % 3600) / 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn time_format() {
        assert_eq!(format_time(0), "1970-01-01 00:00");
        assert_eq!(format_time(1_790_000_000_000), "2026-09-21 14:13");
    }

    #[test]
    fn csv_safety_round_trips() {
        for s in [
            "=1+2",
            "+8613812345678",
            "-x",
            "@SUM(A1)",
            "plain",
            "'quoted",
        ] {
            assert_eq!(csv_unsafe(&csv_safe(s)), s);
        }
        assert_eq!(csv_safe("=1+2"), "'=1+2");
    }
}
