//! Reading a spreadsheet into a table of raw cells: calamine for .xlsx / .xls / .ods, the csv
//! crate for .csv. The format is told by the file's bytes, not its name, so a renamed file
//! is recognized (and a file that is no spreadsheet is refused, not half-read).
//!
//! This module holds the raw cell, the table, and the entry points that tell the format; the
//! readers of each format, the header and column mapping, and the streamed read are in its
//! submodules.

mod csv_file;
mod header;
mod last;
mod stream;
mod xls;
mod xlsx;

use std::path::Path;

use super::columns::Column;
use super::mapping::ColumnMapping;
use super::{Control, FileRefusal, SheetResult, SpreadsheetError, Stage, MAX_FILE_BYTES, MAX_ROWS};

use csv_file::read_csv;
use header::build_table;
pub(crate) use header::inspect;
pub(crate) use stream::stream_table;
use xls::read_cfb;
pub(crate) use xlsx::is_zip;
use xlsx::read_zip;

/// One cell as the file stores it. Repair into text happens per column, later.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum RawCell {
    Empty,
    Text(String),
    Int(i64),
    Float(f64),
    Bool(bool),
    /// A date or time; the text is what we show in a reason.
    Date(String),
    Error(String),
    /// A formula (its text); its cached value is never trusted as data.
    Formula(String),
}

impl RawCell {
    fn is_blank(&self) -> bool {
        match self {
            RawCell::Empty => true,
            RawCell::Text(s) => s.trim().is_empty(),
            _ => false,
        }
    }

    /// The cell as text for the results file, which must re-import as is.
    pub(crate) fn display(&self) -> String {
        match self {
            RawCell::Empty => String::new(),
            RawCell::Text(s) | RawCell::Date(s) | RawCell::Error(s) => s.clone(),
            RawCell::Int(i) => i.to_string(),
            RawCell::Float(f) => number_text(*f).unwrap_or_else(|| f.to_string()),
            RawCell::Bool(b) => if *b { "TRUE" } else { "FALSE" }.into(),
            RawCell::Formula(f) => format!("={f}"),
        }
    }
}

/// A whole number stored as a float, as integer text ("13812345678", never "1.38e10"), when
/// the float holds it exactly.
pub(crate) fn number_text(f: f64) -> Option<String> {
    // Beyond 2^53 a float no longer holds every integer: digits may already be lost.
    (f.fract() == 0.0 && f.abs() < 9_007_199_254_740_992.0).then(|| format!("{}", f as i64))
}

pub(crate) struct Table {
    pub headers: Vec<String>,
    /// (1-based row number, cells) of every non-blank row after the header.
    pub rows: Vec<(u32, Vec<RawCell>)>,
    /// Which file column each import column is in.
    pub mapping: [Option<usize>; 10],
    /// Headers that are not import columns (listed, ignored).
    pub ignored: Vec<String>,
    /// The header's row number.
    pub header_row: u32,
    /// Columns a mapping joins into one, appended to each row after the file's own.
    joins: Vec<Vec<usize>>,
}

fn refuse<T>(code: &str, reason: impl Into<String>) -> SheetResult<T> {
    Err(SpreadsheetError::Refused(FileRefusal::new(code, reason)))
}

/// The non-blank rows of the first visible sheet (or the CSV), each with its 1-based row
/// number, before any header is looked at.
pub(crate) type Grid = Vec<(u32, Vec<RawCell>)>;

/// Reads the first visible sheet (or the CSV) of `path`. With a `mapping`, columns are taken
/// from the headers it names instead of being matched by name.
pub(crate) fn read_table(
    path: &Path,
    mapping: Option<&ColumnMapping>,
    ctl: &Control<'_>,
) -> SheetResult<Table> {
    let grid = read_grid(path, ctl)?;
    ctl.check()?;
    build_table(grid, mapping, ctl)
}

/// [`read_table`] over a file's bytes; `ext` is the file name's extension (it only words a
/// refusal: the format is told by the bytes).
pub(crate) fn read_table_bytes(
    bytes: Vec<u8>,
    ext: &str,
    mapping: Option<&ColumnMapping>,
    ctl: &Control<'_>,
) -> SheetResult<Table> {
    let grid = grid_from_bytes(bytes, ext, ctl)?;
    ctl.check()?;
    build_table(grid, mapping, ctl)
}

/// Reads the cells of `path` (format told by its bytes), refusing files that are too large,
/// are no spreadsheet, are encrypted or damaged.
pub(crate) fn read_grid(path: &Path, ctl: &Control<'_>) -> SheetResult<Grid> {
    let bytes = read_file(path)?;
    let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
    grid_from_bytes(bytes, ext, ctl)
}

/// The bytes of `path`, refused when it cannot be read or is over the size limit.
pub(crate) fn read_file(path: &Path) -> SheetResult<Vec<u8>> {
    let meta = std::fs::metadata(path).or_else(|e| {
        refuse(
            "unreadable",
            format!("{} could not be read: {e}", path.display()),
        )
    })?;
    if meta.len() > MAX_FILE_BYTES {
        return refuse(
            "too_large",
            format!(
                "The file is {:.1} MB; files over {} MB are not imported. Split it into smaller files.",
                meta.len() as f64 / 1_048_576.0,
                MAX_FILE_BYTES / 1_048_576
            ),
        );
    }
    std::fs::read(path).or_else(|e| {
        refuse(
            "unreadable",
            format!("{} could not be read: {e}", path.display()),
        )
    })
}

/// The cells of a file's bytes: .xlsx / .ods (zip), .xls (OLE), else CSV.
/// The same bytes read again within a few minutes (the mapping step, then the preview, then
/// the import) are not parsed again (`last.rs`).
pub(crate) fn grid_from_bytes(bytes: Vec<u8>, ext: &str, ctl: &Control<'_>) -> SheetResult<Grid> {
    check_size(&bytes)?;
    ctl.report(Stage::Read, 0, 1);
    let ext = ext.to_ascii_lowercase();
    let key = last::Key::of(&bytes, &ext);
    if let Some(grid) = last::LAST.cells_of(&key) {
        return Ok(grid);
    }
    let grid = parse_grid(bytes, &ext, ctl)?;
    last::LAST.keep(key, &grid);
    Ok(grid)
}

/// The table of these bytes from the cells read a moment ago (the mapping step before the
/// preview, the preview before the import), when they are kept; None: they are to be read.
pub(crate) fn kept_table(
    bytes: &[u8],
    ext: &str,
    mapping: Option<&ColumnMapping>,
    ctl: &Control<'_>,
) -> Option<SheetResult<Table>> {
    let grid = last::LAST.cells_of(&last::Key::of(bytes, &ext.to_ascii_lowercase()))?;
    ctl.report(Stage::Read, 0, 1);
    Some(ctl.check().and_then(|()| build_table(grid, mapping, ctl)))
}

fn parse_grid(bytes: Vec<u8>, ext: &str, ctl: &Control<'_>) -> SheetResult<Grid> {
    if is_zip(&bytes) {
        let mut grid: Grid = Vec::new();
        read_zip(bytes, &mut |n, row| {
            grid.push((n, row));
            // Stop early on a huge sheet: the refusal comes from build_table.
            grid.len() <= MAX_ROWS + 2
        })?;
        // Rows come in order in every writer we know; sort in case one does not.
        if !grid.is_sorted_by_key(|(n, _)| *n) {
            grid.sort_by_key(|(n, _)| *n);
        }
        Ok(grid)
    } else if bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]) {
        read_cfb(bytes)
    } else if matches!(ext, "xlsx" | "xlsm" | "xls" | "ods") {
        refuse(
            "not_spreadsheet",
            format!("The file is named .{ext} but is not a spreadsheet (it may have been renamed). Open it in Excel and save it as .xlsx."),
        )
    } else {
        read_csv(&bytes, ctl)
    }
}

fn check_size(bytes: &[u8]) -> SheetResult<()> {
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return refuse(
            "too_large",
            format!(
                "The file is {:.1} MB; files over {} MB are not imported. Split it into smaller files.",
                bytes.len() as f64 / 1_048_576.0,
                MAX_FILE_BYTES / 1_048_576
            ),
        );
    }
    Ok(())
}

impl Table {
    pub(crate) fn cell<'a>(&self, cells: &'a [RawCell], c: Column) -> Option<&'a RawCell> {
        self.mapping[c.index()].and_then(|i| cells.get(i))
    }
    pub(crate) fn has(&self, c: Column) -> bool {
        self.mapping[c.index()].is_some()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn numbers_become_exact_text() {
        assert_eq!(number_text(13812345678.0).as_deref(), Some("13812345678"));
        assert_eq!(
            number_text(8613812345678.0).as_deref(),
            Some("8613812345678")
        );
        // As LibreOffice shows a long number (4.47946E+11): every digit kept.
        assert_eq!(number_text(4.47946e11).as_deref(), Some("447946000000"));
        assert_eq!(
            number_text("4.47946E+11".parse().unwrap()).as_deref(),
            Some("447946000000")
        );
        assert_eq!(number_text(1.5), None);
        assert_eq!(number_text(1e20), None);
    }
}
