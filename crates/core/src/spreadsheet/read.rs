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
pub(crate) fn grid_from_bytes(bytes: Vec<u8>, ext: &str, ctl: &Control<'_>) -> SheetResult<Grid> {
    check_size(&bytes)?;
    ctl.report(Stage::Read, 0, 1);
    let ext = ext.to_ascii_lowercase();
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
    } else if matches!(ext.as_str(), "xlsx" | "xlsm" | "xls" | "ods") {
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

/// Rows a workbook's reading hands on at a time in [`stream_table`].
const STREAM_BATCH: usize = 2_000;

/// [`read_table_bytes`] for a zip workbook (.xlsx, .ods), with the rows handed to `each` a
/// batch at a time while the rest of the sheet is still being read on a thread of its own: the
/// import parses the first rows while calamine reads the last, and no row's raw cells outlive
/// its batch. Returns the table without its rows. The refusals are [`read_table_bytes`]'s, in
/// the same order (a sheet that cannot be read before a header it lacks). Rows are handed on
/// in the file's order, which is the sheet's in every writer known.
pub(crate) fn stream_table(
    bytes: Vec<u8>,
    mapping: Option<&ColumnMapping>,
    ctl: &Control<'_>,
    each: &mut dyn FnMut(&Table, &Grid),
) -> SheetResult<Table> {
    check_size(&bytes)?;
    ctl.report(Stage::Read, 0, 1);
    let cancel = ctl.cancel;
    let (tx, rx) = std::sync::mpsc::sync_channel::<Grid>(4);
    // Handed-on rows come back to be freed by the thread that allocated them: glibc frees
    // another thread's allocations slowly.
    let (done_tx, done_rx) = std::sync::mpsc::channel::<Grid>();
    let (read, handed) = std::thread::scope(|s| {
        let reader = s.spawn(move || {
            let mut batch: Grid = Vec::with_capacity(STREAM_BATCH);
            let mut count = 0usize;
            let read = read_zip(bytes, &mut |n, row| {
                batch.push((n, row));
                count += 1;
                if batch.len() == STREAM_BATCH {
                    done_rx.try_iter().for_each(drop);
                    let full = std::mem::replace(&mut batch, Vec::with_capacity(STREAM_BATCH));
                    if tx.send(full).is_err() {
                        return false;
                    }
                }
                // Stop early on a huge sheet (refused below) or when cancelled.
                count <= MAX_ROWS + 2 && !cancel.load(std::sync::atomic::Ordering::Relaxed)
            });
            if !batch.is_empty() {
                let _ = tx.send(batch);
            }
            read
        });
        let handed = hand_on(&rx, mapping, &mut |t, rows| {
            each(t, &rows);
            let _ = done_tx.send(rows);
        });
        if handed.is_err() {
            // A sheet that cannot be read is reported first, as when it is read whole.
            for _ in rx.iter() {}
        }
        let read = reader.join().unwrap_or_else(|_| {
            refuse(
                "corrupt",
                "The file looks like a spreadsheet but could not be opened. It may be damaged or incomplete: open it in Excel and save it again.",
            )
        });
        (read, handed)
    });
    read?;
    ctl.check()?;
    let (table, rows) = handed?;
    check_row_count(&table, rows)?;
    ctl.report(Stage::Read, 1, 1);
    Ok(table)
}

/// The consuming side of [`stream_table`]: finds the header in the first non-blank rows, then
/// hands every non-blank row after it to `each`. Returns the table and how many rows it has.
fn hand_on(
    rx: &std::sync::mpsc::Receiver<Grid>,
    mapping: Option<&ColumnMapping>,
    each: &mut dyn FnMut(&Table, Grid),
) -> SheetResult<(Table, usize)> {
    fn give(table: &Table, mut rows: Grid, count: &mut usize, each: &mut dyn FnMut(&Table, Grid)) {
        rows.retain(|(_, cells)| !cells.iter().all(RawCell::is_blank));
        table.join(&mut rows);
        *count += rows.len();
        if !rows.is_empty() {
            each(table, rows);
        }
    }
    // The header and columns from the first non-blank rows; the rows after the header (blank
    // ones left out and joins made by table_head) are then handed on.
    let start = |top: Grid, count: &mut usize, each: &mut dyn FnMut(&Table, Grid)| {
        let mut t = table_head(top, mapping)?;
        let rows = std::mem::take(&mut t.rows);
        *count += rows.len();
        if !rows.is_empty() {
            each(&t, rows);
        }
        Ok::<_, SpreadsheetError>(t)
    };
    // Until the header is found: the first non-blank rows.
    let mut top: Grid = Vec::new();
    let mut table: Option<Table> = None;
    let mut count = 0usize;
    for batch in rx.iter() {
        match &table {
            Some(t) => give(t, batch, &mut count, each),
            None => {
                top.extend(
                    batch
                        .into_iter()
                        .filter(|(_, cells)| !cells.iter().all(RawCell::is_blank)),
                );
                if top.len() > HEADER_SEARCH_ROWS {
                    table = Some(start(std::mem::take(&mut top), &mut count, each)?);
                }
            }
        }
    }
    let table = match table {
        Some(t) => t,
        None => start(top, &mut count, each)?,
    };
    Ok((table, count))
}

/// Whether `bytes` are a zip archive (.xlsx, .ods).
pub(crate) fn is_zip(bytes: &[u8]) -> bool {
    bytes.starts_with(b"PK\x03\x04")
}

/// Hands each row of the first visible sheet of an .xlsx or .ods to `emit` (row number,
/// cells), in the order the file has them, until `emit` returns false.
fn read_zip(bytes: Vec<u8>, emit: &mut dyn FnMut(u32, Vec<RawCell>) -> bool) -> SheetResult<()> {
    fn corrupt<T>(e: String) -> SheetResult<T> {
        refuse(
            "corrupt",
            format!("The file looks like a spreadsheet but could not be opened ({e}). It may be damaged or incomplete: open it in Excel and save it again."),
        )
    }
    let ZipFacts { names, formulas } = zip_guard(&bytes)?;
    match calamine::open_workbook_from_rs::<calamine::Xlsx<_>, _>(Cursor::new(&bytes)) {
        Ok(mut wb) => {
            let name = first_visible(&wb)?;
            // Reading the formulas is a second pass over the sheet: only when it has any.
            let formulas = if formulas {
                xlsx_formulas(&mut wb, &name)?
            } else {
                None
            };
            let mut cells = wb
                .worksheet_cells_reader(&name)
                .or_else(|e| corrupt(e.to_string()))?;
            stream_xlsx(|| cells.next_cell(), formulas, emit).or_else(|e| match e {
                SpreadsheetError::Core(crate::CoreError::Internal(e)) => corrupt(e),
                e => Err(e),
            })
        }
        Err(xlsx_err) => {
            ods_guard(&bytes, &names)?;
            match calamine::open_workbook_from_rs::<calamine::Ods<_>, _>(Cursor::new(&bytes)) {
                Ok(mut wb) => {
                    let name = first_visible(&wb)?;
                    let data = wb
                        .worksheet_range(&name)
                        .or_else(|e| corrupt(e.to_string()))?;
                    let formulas = wb.worksheet_formula(&name).ok();
                    for (n, row) in grid_from(data, formulas) {
                        if !emit(n, row) {
                            break;
                        }
                    }
                    Ok(())
                }
                Err(ods_err) => not_a_workbook(&names).map_or_else(
                    || {
                        // Word the error of the format the file claims to be.
                        if names.iter().any(|n| n == "content.xml") {
                            corrupt(ods_err.to_string())
                        } else {
                            corrupt(xlsx_err.to_string())
                        }
                    },
                    Err,
                ),
            }
        }
    }
}

/// Cells a sheet may spread over (rows × the widest row): far above 200,000 rows of the
/// template's columns, far below what exhausts memory.
const MAX_CELLS: usize = 20_000_000;

/// The cells of an .xlsx sheet, streamed: no intermediate range, each string moved or
/// copied once, each row handed to `emit` as soon as the next one starts (until `emit`
/// returns false). Cells with a formula become [`RawCell::Formula`].
fn stream_xlsx<'s>(
    mut next_cell: impl FnMut() -> Result<
        Option<calamine::Cell<calamine::DataRef<'s>>>,
        calamine::XlsxError,
    >,
    formulas: Option<calamine::Range<String>>,
    emit: &mut dyn FnMut(u32, Vec<RawCell>) -> bool,
) -> SheetResult<()> {
    use calamine::DataRef;
    let internal =
        |e: calamine::XlsxError| SpreadsheetError::Core(crate::CoreError::Internal(e.to_string()));
    let mut current: Option<(u32, Vec<RawCell>)> = None;
    let mut spread = 0usize;
    while let Some(cell) = next_cell().map_err(internal)? {
        let (r, c) = cell.get_position();
        let value = match cell.get_value() {
            DataRef::Empty => continue,
            DataRef::SharedString(s) => RawCell::Text((*s).to_owned()),
            DataRef::String(s) => RawCell::Text(s.clone()),
            DataRef::Int(i) => RawCell::Int(*i),
            DataRef::Float(f) => RawCell::Float(*f),
            DataRef::Bool(b) => RawCell::Bool(*b),
            DataRef::DateTime(d) => RawCell::Date(super::format_time(
                ((d.as_f64() - 25_569.0) * 86_400_000.0).round() as i64,
            )),
            DataRef::DateTimeIso(s) | DataRef::DurationIso(s) => RawCell::Date(s.clone()),
            DataRef::Error(e) => RawCell::Error(e.to_string()),
        };
        let value = match formulas
            .as_ref()
            .and_then(|f| f.get_value((r, c)))
            .filter(|f| !f.is_empty())
        {
            Some(f) => RawCell::Formula(f.clone()),
            None => value,
        };
        if current.as_ref().is_none_or(|(n, _)| *n != r + 1) {
            // Rows are as wide as the one before, nearly always: one allocation a row.
            let width = current.as_ref().map_or(0, |(_, cells)| cells.len());
            if let Some((n, row)) = current.replace((r + 1, Vec::with_capacity(width))) {
                if !emit(n, row) {
                    return Ok(());
                }
            }
        }
        let (_, row) = current.as_mut().expect("set above");
        let c = c as usize;
        if c >= row.len() {
            spread += c + 1 - row.len();
            if spread > MAX_CELLS {
                return refuse(
                    "too_large",
                    "The sheet spreads over too many cells to be imported. Delete the unused rows and columns, or split it into smaller files.",
                );
            }
            row.resize(c + 1, RawCell::Empty);
        }
        row[c] = value;
    }
    if let Some((n, row)) = current {
        emit(n, row);
    }
    Ok(())
}

/// A workbook's entries, and whether a worksheet may hold a formula.
struct ZipFacts {
    names: Vec<String>,
    formulas: bool,
}

/// How a formula element starts in a worksheet's XML, with or without a namespace prefix
/// ("<f>", "<f t=\"shared\" …/>", "<x:f>"). A false alarm costs a second pass, no more.
const FORMULA_TAGS: [&[u8]; 4] = [b"<f>", b"<f ", b":f>", b":f "];

/// What all the entries of a workbook may unpack to. A 200,000-row workbook is far below.
const MAX_UNZIPPED_BYTES: u64 = 1 << 30;

/// Refuses a zip whose entries unpack to more than [`MAX_UNZIPPED_BYTES`] (a "zip bomb")
/// before calamine inflates anything: first by the sizes the zip declares, then by inflating
/// every entry up to the limit, since a declared size can lie and the zip crate does not stop
/// a deflate stream at it. Returns the entries' names (a zip that cannot be listed returns
/// none and is left for calamine to report), and, from the same pass, whether any worksheet
/// may hold a formula.
fn zip_guard(bytes: &[u8]) -> SheetResult<ZipFacts> {
    use std::io::Read;
    fn bomb<T>() -> SheetResult<T> {
        refuse(
            "zip_bomb",
            format!("The file unpacks to more than {} GB of data (it may be a \"zip bomb\"), so it is not imported. Open it in Excel, save it again, or split it into smaller files.", MAX_UNZIPPED_BYTES >> 30),
        )
    }
    let Ok(mut zip) = zip::ZipArchive::new(Cursor::new(bytes)) else {
        return Ok(ZipFacts {
            names: Vec::new(),
            formulas: true,
        });
    };
    let names: Vec<String> = zip.file_names().map(str::to_owned).collect();
    let declared = (0..zip.len())
        .filter_map(|i| zip.by_index_raw(i).ok().map(|f| f.size()))
        .fold(0u64, u64::saturating_add);
    if declared > MAX_UNZIPPED_BYTES {
        return bomb();
    }
    let mut total = 0u64;
    let mut formulas = false;
    let mut buf = vec![0u8; 64 * 1024];
    for i in 0..zip.len() {
        // An entry that cannot be opened (encrypted, unknown method) is calamine's to report.
        let Ok(mut entry) = zip.by_index(i) else {
            continue;
        };
        let name = entry.name().to_ascii_lowercase();
        let sheet = !formulas && name.starts_with("xl/worksheets/") && name.ends_with(".xml");
        // The last bytes of the previous chunk, so a tag split between two chunks is seen.
        let mut carry = 0usize;
        loop {
            match entry.read(&mut buf[carry..]) {
                Ok(0) | Err(_) => break,
                Ok(n) => {
                    total += n as u64;
                    if total > MAX_UNZIPPED_BYTES {
                        return bomb();
                    }
                    if sheet && !formulas {
                        let len = carry + n;
                        formulas = FORMULA_TAGS
                            .iter()
                            .any(|t| memchr::memmem::find(&buf[..len], t).is_some());
                        carry = len.min(3);
                        buf.copy_within(len - carry..len, 0);
                    }
                }
            }
        }
    }
    Ok(ZipFacts { names, formulas })
}

fn too_many_cells<T>() -> SheetResult<T> {
    refuse(
        "too_large",
        "The sheet spreads over too many cells to be imported. Delete the unused rows and columns, or split it into smaller files.",
    )
}

/// The formulas of an .xlsx sheet as calamine's `worksheet_formula` reads them (one pass),
/// refused when they spread over more than [`MAX_CELLS`]: calamine lays them out as a dense
/// range, and two formulas at A2 and XFD1048576 of a 5 KB file would ask for 400 GB.
fn xlsx_formulas<RS: std::io::Read + std::io::Seek>(
    wb: &mut calamine::Xlsx<RS>,
    name: &str,
) -> SheetResult<Option<calamine::Range<String>>> {
    let Ok(mut reader) = wb.worksheet_cells_reader(name) else {
        return Ok(None);
    };
    let mut cells = Vec::new();
    let (mut rows, mut cols) = ((u32::MAX, 0u32), (u32::MAX, 0u32));
    loop {
        match reader.next_formula() {
            Ok(Some(cell)) if !cell.get_value().is_empty() => {
                let (r, c) = cell.get_position();
                rows = (rows.0.min(r), rows.1.max(r));
                cols = (cols.0.min(c), cols.1.max(c));
                cells.push(cell);
            }
            Ok(Some(_)) => {}
            Ok(None) => break,
            // As `.ok()` on calamine's own reading did: a sheet whose formulas cannot be read
            // is read without them (its cells then fail on their own).
            Err(_) => return Ok(None),
        }
    }
    if !cells.is_empty()
        && (rows.1 - rows.0 + 1) as usize * (cols.1 - cols.0 + 1) as usize > MAX_CELLS
    {
        return too_many_cells();
    }
    Ok(Some(calamine::Range::from_sparse(cells)))
}

/// Refuses an .ods whose repeated rows and cells (`table:number-rows-repeated`,
/// `table:number-columns-repeated`) would make calamine lay out more than [`MAX_CELLS`]: it
/// expands every sheet when it opens the file, and a 1 KB content.xml can ask for a billion
/// cells. Counted as calamine does: rows up to the last one with content, times the widest
/// row up to its last cell with content; trailing empty rows and cells are free. Element
/// names are matched with their usual prefixes, as calamine matches them.
fn ods_guard(bytes: &[u8], names: &[String]) -> SheetResult<()> {
    use memchr::memmem;
    use std::io::Read;
    if !names.iter().any(|n| n == "content.xml") {
        return Ok(());
    }
    let Ok(mut zip) = zip::ZipArchive::new(Cursor::new(bytes)) else {
        return Ok(());
    };
    let mut xml = Vec::new();
    // Its size is bounded by the zip guard; a read error is calamine's to report.
    let Ok(mut entry) = zip.by_name("content.xml") else {
        return Ok(());
    };
    if entry.read_to_end(&mut xml).is_err() {
        return Ok(());
    }
    let repeats = |tag: &[u8], attr: &[u8]| -> usize {
        memmem::find(tag, attr)
            .map(|i| &tag[i + attr.len()..])
            .and_then(|v| v.iter().position(|b| *b == b'"').map(|end| &v[..end]))
            .and_then(|v| std::str::from_utf8(v).ok()?.parse().ok())
            .unwrap_or(1)
    };
    let tag_at = |at: usize| -> &[u8] {
        let end = memchr::memchr(b'>', &xml[at..]).map_or(xml.len(), |e| at + e + 1);
        &xml[at..end]
    };
    let mut sheets = memmem::find_iter(&xml, b"<table:table")
        .filter(|i| matches!(xml.get(i + 12), Some(b' ' | b'\t' | b'\r' | b'\n' | b'>')))
        .peekable();
    while let Some(start) = sheets.next() {
        let end = sheets.peek().copied().unwrap_or(xml.len());
        let sheet = &xml[start..end];
        let (mut rows, mut used_rows, mut width) = (0usize, 0usize, 0usize);
        let row_starts: Vec<usize> = memmem::find_iter(sheet, b"<table:table-row").collect();
        for (k, &r) in row_starts.iter().enumerate() {
            let row_end = row_starts.get(k + 1).copied().unwrap_or(sheet.len());
            let row = &sheet[r..row_end];
            let row_tag = tag_at(start + r);
            let times = repeats(row_tag, b"table:number-rows-repeated=\"");
            let (mut col, mut used) = (0usize, 0usize);
            let mut at = 0;
            while let Some(i) = memmem::find(&row[at..], b"-cell").map(|i| at + i) {
                at = i + 5;
                let is_cell = row[..i].ends_with(b"<table:table")
                    || row[..i].ends_with(b"<table:covered-table");
                if !is_cell {
                    continue;
                }
                let tag = tag_at(start + r + i);
                col = col.saturating_add(repeats(tag, b"table:number-columns-repeated=\""));
                if !tag.ends_with(b"/>") {
                    used = col;
                }
            }
            rows = rows.saturating_add(times);
            if used > 0 {
                used_rows = rows;
                width = width.max(used);
            }
        }
        if used_rows.saturating_mul(width) > MAX_CELLS {
            return too_many_cells();
        }
    }
    Ok(())
}

/// The refusal for a zip that neither calamine reader could open, when its entries say it is
/// no workbook at all (a .docx or a .zip renamed) or one we do not read (.xlsb).
fn not_a_workbook(names: &[String]) -> Option<SpreadsheetError> {
    let has = |n: &str| names.iter().any(|x| x.eq_ignore_ascii_case(n));
    let reason = if has("xl/workbook.bin") {
        "The file is an Excel binary workbook (.xlsb), which is not imported. Open it in Excel and save it as .xlsx."
    } else if names.is_empty()
        || has("content.xml")
        || names
            .iter()
            .any(|n| n.to_ascii_lowercase().starts_with("xl/"))
    {
        return None;
    } else if has("word/document.xml") {
        "The file is a Word document, not a spreadsheet (it may have been renamed). Choose an .xlsx, .xls, .ods or .csv file."
    } else {
        "The file is a zip archive, not a spreadsheet (it may have been renamed). Choose an .xlsx, .xls, .ods or .csv file."
    };
    Some(SpreadsheetError::Refused(FileRefusal::new(
        "not_spreadsheet",
        reason,
    )))
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
    fn damaged<T>() -> SheetResult<T> {
        refuse(
            "corrupt",
            "The .xls file is damaged and could not be read. Open it in Excel and save it again (as .xlsx).",
        )
    }
    super::xls_guard::check(&bytes)?;
    let opened = calamine_guard(|| {
        calamine::open_workbook_from_rs::<calamine::Xls<_>, _>(Cursor::new(bytes))
    });
    match opened {
        Some(Ok(mut wb)) => {
            let name = first_visible(&wb)?;
            let Some((data, formulas)) = calamine_guard(|| {
                (wb.worksheet_range(&name), wb.worksheet_formula(&name).ok())
            }) else {
                return damaged();
            };
            let data = data.or_else(|e| {
                refuse(
                    "corrupt",
                    format!("The .xls file could not be read ({e})."),
                )
            })?;
            Ok(grid_from(data, formulas))
        }
        Some(Err(e)) => refuse(
            "corrupt",
            format!("The file could not be opened as an .xls workbook ({e}). It may be damaged or password-protected."),
        ),
        None => damaged(),
    }
}

/// Runs one of calamine's parses; `None` when it panicked. Its .xls reader (the OLE container
/// and the BIFF records) slices a damaged file by the lengths and offsets the file declares
/// without checking them, and panics on a lying one ("range start index 116 out of range",
/// found by `make fuzz`, calamine 0.35). A damaged file must be refused like any other, not
/// take the import job down, so calamine's own calls, and nothing of ours, run under
/// `catch_unwind`. Whatever the parse touched is dropped with the file. (What would make it
/// abort rather than panic, an allocation of gigabytes, `xls_guard` refuses first.)
fn calamine_guard<T>(parse: impl FnOnce() -> T) -> Option<T> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(parse)).ok()
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
    let not_text = || {
        refuse(
            "not_spreadsheet",
            "The file is not a spreadsheet: choose an .xlsx, .xls, .ods or .csv file.",
        )
    };
    let not_utf8 = || {
        refuse(
            "not_utf8",
            "The CSV file is not UTF-8 (it may be in a legacy encoding other than GBK). Save it as \"CSV UTF-8\" and import it again.",
        )
    };
    let text: std::borrow::Cow<'_, str> = match encoding_rs::Encoding::for_bom(bytes) {
        // Excel's "Unicode Text" is UTF-16 with a byte order mark.
        Some((enc, bom)) if enc != encoding_rs::UTF_8 => {
            match enc.decode_without_bom_handling_and_without_replacement(&bytes[bom..]) {
                Some(t) if !t.contains('\0') => t,
                Some(_) => return not_text(),
                None => return not_utf8(),
            }
        }
        _ => {
            let body = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
            if body.contains(&0) {
                return not_text();
            }
            match std::str::from_utf8(body) {
                Ok(t) => t.into(),
                // Excel in a Chinese locale saves "CSV (Comma delimited)" in GBK: read it as
                // GB18030 (a superset) when every byte decodes, with no replacement needed.
                Err(_) => {
                    match encoding_rs::GB18030
                        .decode_without_bom_handling_and_without_replacement(body)
                    {
                        Some(t) => t,
                        None => return not_utf8(),
                    }
                }
            }
        }
    };
    let text = text.as_ref();
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

/// Non-blank rows at the top of a sheet among which the header is looked for: a title
/// ("Staff list 2026"), a date or a note may stand above it.
const HEADER_SEARCH_ROWS: usize = 10;

/// The header row and the data rows after it (rows above the header are left out). The header
/// is the first of the first [`HEADER_SEARCH_ROWS`] non-blank rows that names two or more
/// columns; else the first of them with two or more filled cells (a title above headers the
/// admin will map has one); else the first non-blank row.
fn split_header(grid: Grid) -> SheetResult<(u32, Vec<String>, Grid)> {
    let rows: Grid = grid
        .into_iter()
        .filter(|(_, cells)| !cells.iter().all(RawCell::is_blank))
        .collect();
    let names = |cells: &[RawCell]| {
        cells
            .iter()
            .filter(|c| matches!(c, RawCell::Text(t) if match_header(t).is_some()))
            .count()
    };
    let filled = |cells: &[RawCell]| cells.iter().filter(|c| !c.is_blank()).count();
    let top = &rows[..rows.len().min(HEADER_SEARCH_ROWS)];
    let at = top
        .iter()
        .position(|(_, cells)| names(cells) >= 2)
        .or_else(|| top.iter().position(|(_, cells)| filled(cells) >= 2))
        .unwrap_or(0);
    let mut it = rows.into_iter().skip(at);
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
    let table = table_head(grid, mapping)?;
    check_row_count(&table, table.rows.len())?;
    ctl.report(Stage::Read, 1, 1);
    Ok(table)
}

/// The header and columns of `grid` (the whole sheet, or at least its first
/// [`HEADER_SEARCH_ROWS`] non-blank rows), with the non-blank rows after the header.
fn table_head(grid: Grid, mapping: Option<&ColumnMapping>) -> SheetResult<Table> {
    let (header_row, headers, mut rows) = split_header(grid)?;
    let (columns, ignored, joins) = match mapping {
        None => {
            let (columns, ignored) = match_columns(header_row, &headers)?;
            (columns, ignored, Vec::new())
        }
        Some(m) => apply_mapping(m, &headers)?,
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
    let mut table = Table {
        headers,
        rows: Vec::new(),
        mapping: columns,
        ignored,
        header_row,
        joins,
    };
    table.join(&mut rows);
    table.rows = rows;
    Ok(table)
}

/// Refuses a sheet with no rows, or too many, under its header.
fn check_row_count(table: &Table, rows: usize) -> SheetResult<()> {
    if rows == 0 {
        return refuse(
            "empty",
            format!(
                "The file has a header row (row {}) but no members below it.",
                table.header_row
            ),
        );
    }
    if rows > MAX_ROWS {
        return refuse(
            "too_many_rows",
            format!("The file has more than {MAX_ROWS} rows; split it into smaller files."),
        );
    }
    Ok(())
}

impl Table {
    /// Appends the columns the mapping joins (first and last name …) to each of `rows`.
    fn join(&self, rows: &mut Grid) {
        if self.joins.is_empty() {
            return;
        }
        for (_, cells) in rows.iter_mut() {
            let joined: Vec<RawCell> = self
                .joins
                .iter()
                .map(|at| join_cells(at.iter().map(|i| cells.get(*i))))
                .collect();
            cells.resize(self.headers.len(), RawCell::Empty);
            cells.extend(joined);
        }
    }
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
/// own, appended after the file's, holding their texts joined by a space: the returned
/// joins, which [`Table::join`] applies to each row.
#[allow(clippy::type_complexity)]
fn apply_mapping(
    m: &ColumnMapping,
    headers: &[String],
) -> SheetResult<([Option<usize>; 10], Vec<String>, Vec<Vec<usize>>)> {
    let find = |h: &str| {
        let n = normalize_header(h);
        headers.iter().position(|x| normalize_header(x) == n)
    };
    let mut columns = [None; 10];
    let mut used = vec![false; headers.len()];
    let mut next = headers.len();
    let mut joins = Vec::new();
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
                joins.push(several.to_vec());
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
    Ok((columns, ignored, joins))
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
