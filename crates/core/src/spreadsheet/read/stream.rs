//! The streamed read of a zip workbook: calamine reads the sheet on a thread of its own while
//! the import parses the rows already handed on.

use super::header::{check_row_count, table_head, HEADER_SEARCH_ROWS};
use super::xlsx::read_zip;
use super::{check_size, refuse, Grid, RawCell, Table};
use crate::spreadsheet::mapping::ColumnMapping;
use crate::spreadsheet::{Control, SheetResult, SpreadsheetError, Stage, MAX_ROWS};

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
