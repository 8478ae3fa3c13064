//! Reading a spreadsheet into a table of raw cells: calamine for .xlsx / .xls / .ods, the csv
//! crate for .csv. The format is told by the file's bytes, not its name, so a renamed file
//! is recognized (and a file that is no spreadsheet is refused, not half-read).

use std::io::Cursor;
use std::path::Path;

use calamine::{Data, Reader};

use super::columns::{is_known_extra, match_header, normalize_header, Column};
use super::mapping::{suggest, ColumnMapping, FieldSource, FileColumns};
use super::{Control, FileRefusal, SheetResult, SpreadsheetError, Stage, MAX_FILE_BYTES, MAX_ROWS};

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
    let bytes = std::fs::read(path).or_else(|e| {
        refuse(
            "unreadable",
            format!("{} could not be read: {e}", path.display()),
        )
    })?;
    let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
    grid_from_bytes(bytes, ext, ctl)
}

/// The cells of a file's bytes: .xlsx / .ods (zip), .xls (OLE), else CSV.
pub(crate) fn grid_from_bytes(bytes: Vec<u8>, ext: &str, ctl: &Control<'_>) -> SheetResult<Grid> {
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
    ctl.report(Stage::Read, 0, 1);
    let ext = ext.to_ascii_lowercase();
    if bytes.starts_with(b"PK\x03\x04") {
        read_zip(bytes)
    } else if bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]) {
        read_cfb(bytes)
    } else if matches!(ext.as_str(), "xlsx" | "xlsm" | "xls" | "ods") {
        refuse(
            "not_spreadsheet",
            format!("The file is named .{ext} but is not a spreadsheet (it may have been renamed). Open it in Excel and save it as .xlsx."),
        )
    } else {
        read_csv(&bytes, ctl)
    }
}

fn read_zip(bytes: Vec<u8>) -> SheetResult<Vec<(u32, Vec<RawCell>)>> {
    fn corrupt<T>(e: String) -> SheetResult<T> {
        refuse(
            "corrupt",
            format!("The file looks like a spreadsheet but could not be opened ({e}). It may be damaged or incomplete: open it in Excel and save it again."),
        )
    }
    match calamine::open_workbook_from_rs::<calamine::Xlsx<_>, _>(Cursor::new(&bytes)) {
        Ok(mut wb) => {
            let name = first_visible(&wb)?;
            let data = wb
                .worksheet_range(&name)
                .or_else(|e| corrupt(e.to_string()))?;
            let formulas = wb.worksheet_formula(&name).ok();
            Ok(grid_from(data, formulas))
        }
        Err(xlsx_err) => {
            match calamine::open_workbook_from_rs::<calamine::Ods<_>, _>(Cursor::new(&bytes)) {
                Ok(mut wb) => {
                    let name = first_visible(&wb)?;
                    let data = wb
                        .worksheet_range(&name)
                        .or_else(|e| corrupt(e.to_string()))?;
                    let formulas = wb.worksheet_formula(&name).ok();
                    Ok(grid_from(data, formulas))
                }
                Err(_) => corrupt(xlsx_err.to_string()),
            }
        }
    }
}

fn read_cfb(bytes: Vec<u8>) -> SheetResult<Vec<(u32, Vec<RawCell>)>> {
    // A password-protected .xlsx is an OLE container holding an "EncryptionInfo" stream.
    let marker: Vec<u8> = "EncryptionInfo"
        .encode_utf16()
        .flat_map(u16::to_le_bytes)
        .collect();
    if bytes.windows(marker.len()).any(|w| w == marker.as_slice()) {
        return refuse(
            "encrypted",
            "The file is password-protected. Remove the password in Excel (File › Info › Protect Workbook) and import it again.",
        );
    }
    match calamine::open_workbook_from_rs::<calamine::Xls<_>, _>(Cursor::new(bytes)) {
        Ok(mut wb) => {
            let name = first_visible(&wb)?;
            let data = wb.worksheet_range(&name).or_else(|e| {
                refuse(
                    "corrupt",
                    format!("The .xls file could not be read ({e})."),
                )
            })?;
            let formulas = wb.worksheet_formula(&name).ok();
            Ok(grid_from(data, formulas))
        }
        Err(e) => refuse(
            "corrupt",
            format!("The file could not be opened as an .xls workbook ({e}). It may be damaged or password-protected."),
        ),
    }
}

fn first_visible<RS: std::io::Read + std::io::Seek, R: Reader<RS>>(wb: &R) -> SheetResult<String> {
    wb.sheets_metadata()
        .iter()
        .find(|s| {
            s.visible == calamine::SheetVisible::Visible && s.typ == calamine::SheetType::WorkSheet
        })
        .map(|s| s.name.clone())
        .map_or_else(
            || refuse("no_sheet", "The workbook has no visible worksheet."),
            Ok,
        )
}

fn grid_from(
    data: calamine::Range<Data>,
    formulas: Option<calamine::Range<String>>,
) -> Vec<(u32, Vec<RawCell>)> {
    let Some((r0, c0)) = data.start() else {
        return Vec::new();
    };
    let mut out = Vec::with_capacity(data.height());
    for (i, row) in data.rows().enumerate() {
        let r = r0 + i as u32;
        // Column positions are absolute, so column A is always index 0.
        let mut cells = vec![RawCell::Empty; c0 as usize];
        for (j, cell) in row.iter().enumerate() {
            let formula = formulas
                .as_ref()
                .and_then(|f| f.get_value((r, c0 + j as u32)))
                .filter(|f| !f.is_empty());
            cells.push(match formula {
                Some(f) => RawCell::Formula(f.clone()),
                None => raw(cell),
            });
        }
        out.push((r + 1, cells));
    }
    out
}

fn raw(cell: &Data) -> RawCell {
    match cell {
        Data::Empty => RawCell::Empty,
        Data::String(s) => RawCell::Text(s.clone()),
        Data::Int(i) => RawCell::Int(*i),
        Data::Float(f) => RawCell::Float(*f),
        Data::Bool(b) => RawCell::Bool(*b),
        // Serial days since 1899-12-30 (the 1900 system); shown in a reason only.
        Data::DateTime(d) => RawCell::Date(super::format_time(
            ((d.as_f64() - 25_569.0) * 86_400_000.0).round() as i64,
        )),
        Data::DateTimeIso(s) | Data::DurationIso(s) => RawCell::Date(s.clone()),
        Data::Error(e) => RawCell::Error(e.to_string()),
    }
}

fn read_csv(bytes: &[u8], ctl: &Control<'_>) -> SheetResult<Grid> {
    let body = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if body.contains(&0) {
        return refuse(
            "not_spreadsheet",
            "The file is not a spreadsheet: choose an .xlsx, .xls, .ods or .csv file.",
        );
    }
    let Ok(text) = std::str::from_utf8(body) else {
        return refuse(
            "not_utf8",
            "The CSV file is not UTF-8 (it may be GBK or another legacy encoding). Save it as \"CSV UTF-8\" and import it again.",
        );
    };
    let delimiter = sniff_delimiter(text);
    let mut rdr = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut grid = Vec::new();
    let mut record = csv::StringRecord::new();
    let mut line = 0u32;
    loop {
        match rdr.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {
                line += 1;
                grid.push((
                    line,
                    record
                        .iter()
                        .map(|c| RawCell::Text(super::csv_unsafe(c).to_owned()))
                        .collect(),
                ));
                // Stop early on a huge file: the refusal comes from build_table.
                if grid.len() > MAX_ROWS + 2 {
                    break;
                }
                if line % 10_000 == 0 {
                    ctl.check()?;
                }
            }
            Err(e) => {
                return refuse(
                    "corrupt",
                    format!("The CSV file could not be read near line {}: {e}", line + 1),
                )
            }
        }
    }
    Ok(grid)
}

/// The delimiter among `,` `;` and tab that the header line (outside quotes) uses most.
fn sniff_delimiter(text: &str) -> u8 {
    let first = text.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
    let mut counts = [0usize; 3];
    let mut quoted = false;
    for c in first.chars() {
        match c {
            '"' => quoted = !quoted,
            ',' if !quoted => counts[0] += 1,
            ';' if !quoted => counts[1] += 1,
            '\t' if !quoted => counts[2] += 1,
            _ => {}
        }
    }
    let best = (0..3).max_by_key(|i| (counts[*i], 3 - i)).unwrap_or(0);
    [b',', b';', b'\t'][best]
}

/// The header row (first non-blank row) and the data rows after it.
fn split_header(grid: Grid) -> SheetResult<(u32, Vec<String>, Grid)> {
    let mut it = grid
        .into_iter()
        .filter(|(_, cells)| !cells.iter().all(RawCell::is_blank));
    let Some((header_row, header_cells)) = it.next() else {
        return refuse(
            "empty",
            "The file is empty: it has no header row and no members.",
        );
    };
    let headers: Vec<String> = header_cells
        .iter()
        .map(|c| c.display().trim().to_owned())
        .collect();
    Ok((header_row, headers, it.collect()))
}

fn build_table(
    grid: Grid,
    mapping: Option<&ColumnMapping>,
    ctl: &Control<'_>,
) -> SheetResult<Table> {
    let (header_row, headers, mut rows) = split_header(grid)?;
    let (columns, ignored) = match mapping {
        None => match_columns(header_row, &headers)?,
        Some(m) => apply_mapping(m, &headers, &mut rows)?,
    };
    let missing: Vec<&str> = Column::ALL
        .into_iter()
        .filter(|c| c.required() && columns[c.index()].is_none())
        .map(|c| c.label(super::Lang::En))
        .collect();
    if !missing.is_empty() {
        return refuse(
            "missing_headers",
            format!(
                "Required column{} missing: {}.",
                if missing.len() > 1 { "s are" } else { " is" },
                missing.join(", ")
            ),
        );
    }
    if rows.len() > MAX_ROWS {
        return refuse(
            "too_many_rows",
            format!("The file has more than {MAX_ROWS} rows; split it into smaller files."),
        );
    }
    ctl.report(Stage::Read, 1, 1);
    Ok(Table {
        headers,
        rows,
        mapping: columns,
        ignored,
    })
}

/// Columns by header name, as the template writes them (English or Chinese).
fn match_columns(
    header_row: u32,
    headers: &[String],
) -> SheetResult<([Option<usize>; 10], Vec<String>)> {
    let mut columns = [None; 10];
    let mut ignored = Vec::new();
    for (i, h) in headers.iter().enumerate() {
        if h.is_empty() {
            continue;
        }
        match match_header(h) {
            Some(c) if columns[c.index()].is_none() => columns[c.index()] = Some(i),
            _ => {
                if !is_known_extra(h) {
                    ignored.push(h.clone());
                }
            }
        }
    }
    if columns.iter().all(Option::is_none) {
        return refuse(
            "no_header",
            format!("Row {header_row} is not a header row: none of its cells names a column (Name, Department, Email …). Put the column names in the first row."),
        );
    }
    Ok((columns, ignored))
}

/// Columns as the admin mapped them. A field read from several columns gets a column of its
/// own, appended after the file's, holding their texts joined by a space.
fn apply_mapping(
    m: &ColumnMapping,
    headers: &[String],
    rows: &mut Grid,
) -> SheetResult<([Option<usize>; 10], Vec<String>)> {
    let find = |h: &str| {
        let n = normalize_header(h);
        headers.iter().position(|x| normalize_header(x) == n)
    };
    let mut columns = [None; 10];
    let mut used = vec![false; headers.len()];
    let mut next = headers.len();
    for source in &m.fields {
        if columns[source.field.index()].is_some() {
            continue;
        }
        let mut at = Vec::with_capacity(source.headers.len());
        for h in source.headers.iter().filter(|h| !h.trim().is_empty()) {
            match find(h) {
                Some(i) => {
                    used[i] = true;
                    at.push(i);
                }
                None => {
                    return refuse(
                        "mapped_column_missing",
                        format!(
                            "The column \"{}\" that {} is mapped to is not in this file. Check the column mapping.",
                            h.trim(),
                            source.field.label(super::Lang::En)
                        ),
                    )
                }
            }
        }
        columns[source.field.index()] = match at.as_slice() {
            [] => None,
            [one] => Some(*one),
            several => {
                for (_, cells) in rows.iter_mut() {
                    let joined = join_cells(several.iter().map(|i| cells.get(*i)));
                    cells.resize(next, RawCell::Empty);
                    cells.push(joined);
                }
                next += 1;
                Some(next - 1)
            }
        };
    }
    let ignored = headers
        .iter()
        .zip(&used)
        .filter(|(h, used)| !**used && !h.is_empty() && !is_known_extra(h))
        .map(|(h, _)| h.clone())
        .collect();
    Ok((columns, ignored))
}

/// The texts of `parts` joined by a space. A part that is no text (a formula, a date …) is
/// kept as it is, so that validation reports it instead of importing its display.
fn join_cells<'a>(parts: impl Iterator<Item = Option<&'a RawCell>>) -> RawCell {
    let mut texts = Vec::new();
    for p in parts.flatten() {
        match p {
            RawCell::Empty => {}
            RawCell::Text(s) => {
                if !s.trim().is_empty() {
                    texts.push(s.trim().to_owned());
                }
            }
            RawCell::Int(_) | RawCell::Float(_) => texts.push(p.display()),
            other => return other.clone(),
        }
    }
    if texts.is_empty() {
        RawCell::Empty
    } else {
        RawCell::Text(texts.join(" "))
    }
}

/// What the mapping step shows about a file: its headers, a few rows, the columns found by
/// name and a suggestion for the rest.
pub(crate) fn inspect(path: &Path, ctl: &Control<'_>) -> SheetResult<FileColumns> {
    let (header_row, headers, rows) = split_header(read_grid(path, ctl)?)?;
    let detected = match match_columns(header_row, &headers) {
        Ok((columns, _)) => mapping_of(&columns, &headers),
        Err(_) => ColumnMapping::default(),
    };
    let suggested = suggest(&headers, &detected);
    let missing = Column::ALL
        .into_iter()
        .filter(|c| c.required() && !detected.fields.iter().any(|f| f.field == *c))
        .collect();
    let samples = rows
        .iter()
        .take(3)
        .map(|(_, cells)| {
            (0..headers.len())
                .map(|i| cells.get(i).map(RawCell::display).unwrap_or_default())
                .collect()
        })
        .collect();
    Ok(FileColumns {
        headers,
        samples,
        rows: rows.len().min(u32::MAX as usize) as u32,
        detected,
        suggested,
        missing,
    })
}

fn mapping_of(columns: &[Option<usize>; 10], headers: &[String]) -> ColumnMapping {
    ColumnMapping {
        fields: Column::ALL
            .into_iter()
            .filter_map(|c| {
                columns[c.index()].map(|i| FieldSource {
                    field: c,
                    headers: vec![headers[i].clone()],
                })
            })
            .collect(),
    }
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
        assert_eq!(number_text(1.5), None);
        assert_eq!(number_text(1e20), None);
    }

    #[test]
    fn delimiter_is_sniffed_outside_quotes() {
        assert_eq!(sniff_delimiter("Name,Department\n"), b',');
        assert_eq!(sniff_delimiter("Name;Department;Email\n"), b';');
        assert_eq!(sniff_delimiter("Name\tDepartment\n"), b'\t');
        assert_eq!(sniff_delimiter("\"a,b,c\";Department\n"), b';');
    }
}
