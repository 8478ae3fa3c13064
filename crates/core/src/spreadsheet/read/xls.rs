//! .xls through calamine, under a guard against its panics; and calamine's ranges (an .xls or
//! an .ods sheet) turned into rows of raw cells.

use std::io::Cursor;

use calamine::{Data, Reader};

use super::{refuse, RawCell};
use crate::spreadsheet::SheetResult;

pub(super) fn read_cfb(bytes: Vec<u8>) -> SheetResult<Vec<(u32, Vec<RawCell>)>> {
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
    crate::spreadsheet::xls_guard::check(&bytes)?;
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

pub(super) fn first_visible<RS: std::io::Read + std::io::Seek, R: Reader<RS>>(
    wb: &R,
) -> SheetResult<String> {
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

pub(super) fn grid_from(
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

/// A cell as the reader keeps it (the streamed .xlsx reader's cells too).
pub(super) fn raw(cell: &Data) -> RawCell {
    match cell {
        Data::Empty => RawCell::Empty,
        Data::String(s) => RawCell::Text(s.clone()),
        Data::Int(i) => RawCell::Int(*i),
        Data::Float(f) => RawCell::Float(*f),
        Data::Bool(b) => RawCell::Bool(*b),
        // Serial days since 1899-12-30 (the 1900 system); shown in a reason only.
        Data::DateTime(d) => RawCell::Date(crate::spreadsheet::format_time(
            ((d.as_f64() - 25_569.0) * 86_400_000.0).round() as i64,
        )),
        Data::DateTimeIso(s) | Data::DurationIso(s) => RawCell::Date(s.clone()),
        Data::Error(e) => RawCell::Error(e.to_string()),
    }
}
