//! The header and the columns: the header row found among a sheet's first rows, columns matched
//! by their names or taken from the admin's mapping, and what the mapping step shows.

use std::path::Path;

use super::{read_grid, refuse, Grid, RawCell, Table};
use crate::spreadsheet::columns::{is_known_extra, match_header, normalize_header, Column};
use crate::spreadsheet::mapping::{suggest, ColumnMapping, FieldSource, FileColumns};
use crate::spreadsheet::{Control, SheetResult, Stage, MAX_ROWS};

/// Non-blank rows at the top of a sheet among which the header is looked for: a title
/// ("Staff list 2026"), a date or a note may stand above it.
pub(super) const HEADER_SEARCH_ROWS: usize = 10;

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

pub(super) fn build_table(
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
pub(super) fn table_head(grid: Grid, mapping: Option<&ColumnMapping>) -> SheetResult<Table> {
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
        .map(|c| c.label(crate::spreadsheet::Lang::En))
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
pub(super) fn check_row_count(table: &Table, rows: usize) -> SheetResult<()> {
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
    pub(super) fn join(&self, rows: &mut Grid) {
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
                            source.field.label(crate::spreadsheet::Lang::En)
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
