//! The zip workbooks: an .xlsx streamed cell by cell (formulas in a second pass, only when the
//! sheet has any), an .ods through calamine's range, and the guards that refuse a zip bomb or a
//! sheet spread over too many cells before calamine lays it out.

use std::io::Cursor;

use calamine::Reader;

use super::xls::{first_visible, grid_from, raw};
use super::{refuse, RawCell};
use crate::spreadsheet::{FileRefusal, SheetResult, SpreadsheetError};

/// Whether `bytes` are a zip archive (.xlsx, .ods).
pub(crate) fn is_zip(bytes: &[u8]) -> bool {
    bytes.starts_with(b"PK\x03\x04")
}

/// Hands each row of the first visible sheet of an .xlsx or .ods to `emit` (row number,
/// cells), in the order the file has them, until `emit` returns false.
pub(super) fn read_zip(
    bytes: Vec<u8>,
    emit: &mut dyn FnMut(u32, Vec<RawCell>) -> bool,
) -> SheetResult<()> {
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
            // Text, nearly every cell of a sheet: copied once. Through a `Data` (below) it
            // would be copied twice, which costs 3 % of reading a 100,000-row sheet.
            DataRef::String(s) => RawCell::Text(s.clone()),
            DataRef::SharedString(s) => RawCell::Text((*s).to_owned()),
            other => raw(&calamine::Data::from(other.clone())),
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
