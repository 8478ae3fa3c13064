//! Validating a file: its rows parsed (as the sheet is read, or on two threads), duplicates
//! within the file marked, each row checked against the directory, and the report and plans
//! that come of it.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};

use super::check::check_row;
use super::parse::problem;
use super::{
    Ctx, DeptRef, HashMap, ImportCounts, ImportOptions, ImportReport, Parsed, Plan, Present,
    RowOutcome, RowProblem, Update, Validation,
};
use crate::spreadsheet::columns::{Column, Lang};
use crate::spreadsheet::read::{
    is_zip, kept_table, read_file, read_table_bytes, stream_table, RawCell, Table,
};
use crate::spreadsheet::{Control, SheetResult, SpreadsheetError, Stage};
use crate::store::Directory;
use crate::types::{fold_key, MemberStatus};

impl Directory {
    pub(super) fn validate_import(
        &self,
        path: &Path,
        opts: &ImportOptions,
        ctl: &Control<'_>,
    ) -> SheetResult<Validation> {
        let bytes = read_file(path)?;
        let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
        self.validate_bytes(bytes, ext, opts, ctl)
    }

    /// An .xlsx or .ods is parsed as it is read (two threads: calamine reads, this one
    /// parses); a CSV or .xls, or a file whose cells were read a moment ago (the mapping step
    /// before the preview, the preview before the import), is read whole, then parsed on two
    /// threads.
    pub(super) fn validate_bytes(
        &self,
        bytes: Vec<u8>,
        ext: &str,
        opts: &ImportOptions,
        ctl: &Control<'_>,
    ) -> SheetResult<Validation> {
        if !is_zip(&bytes) {
            let table = read_table_bytes(bytes, ext, opts.mapping.as_ref(), ctl)?;
            return self.validate_table(table, opts, ctl);
        }
        if let Some(table) = kept_table(&bytes, ext, opts.mapping.as_ref(), ctl) {
            return self.validate_table(table?, opts, ctl);
        }
        ctl.check()?;
        let ctx = Ctx::load(self, opts)?;
        let mut parsed = Vec::new();
        let table = stream_table(bytes, opts.mapping.as_ref(), ctl, &mut |t, rows| {
            parsed.extend(rows.iter().map(|(n, cells)| ctx.parse_row(t, *n, cells)));
        })?;
        // Rows come in order in every writer known; put them in order in case one does not.
        if !parsed.is_sorted_by_key(|p| p.row) {
            parsed.sort_by_key(|p| p.row);
        }
        self.finish_validation(ctx, Present::of(&table), table.ignored, parsed, opts, ctl)
    }

    fn validate_table(
        &self,
        mut table: Table,
        opts: &ImportOptions,
        ctl: &Control<'_>,
    ) -> SheetResult<Validation> {
        ctl.check()?;
        let ctx = Ctx::load(self, opts)?;
        let total = table.rows.len();
        // Cell repair and field rules are independent per row: two threads (mobile numbers
        // cost ~25 µs each to parse).
        let done = AtomicUsize::new(0);
        let half = total / 2;
        let cancel = ctl.cancel;
        let parse_chunk = |rows: &[(u32, Vec<RawCell>)]| -> SheetResult<Vec<Parsed>> {
            let mut out = Vec::with_capacity(rows.len());
            for (i, (n, cells)) in rows.iter().enumerate() {
                if i % 1000 == 999 {
                    if cancel.load(Ordering::Relaxed) {
                        return Err(SpreadsheetError::Cancelled);
                    }
                    done.fetch_add(1000, Ordering::Relaxed);
                }
                out.push(ctx.parse_row(&table, *n, cells));
            }
            Ok(out)
        };
        let (a, b) = std::thread::scope(|s| {
            let second = s.spawn(|| parse_chunk(&table.rows[half..]));
            let first = parse_chunk(&table.rows[..half]);
            ctl.report(Stage::Validate, done.load(Ordering::Relaxed), total);
            (
                first,
                second.join().unwrap_or(Err(SpreadsheetError::Cancelled)),
            )
        });
        let mut parsed = a?;
        parsed.extend(b?);
        // Every row is parsed: its cells are no longer needed (a third of the peak memory).
        table.rows = Vec::new();
        self.finish_validation(ctx, Present::of(&table), table.ignored, parsed, opts, ctl)
    }

    /// Validation once every row is parsed: duplicates within the file, then each row against
    /// the directory. `present`: the optional columns the file has; `ignored`: the headers
    /// that are no import columns.
    pub(super) fn finish_validation(
        &self,
        ctx: Ctx,
        present: Present,
        ignored: Vec<String>,
        mut parsed: Vec<Parsed>,
        opts: &ImportOptions,
        ctl: &Control<'_>,
    ) -> SheetResult<Validation> {
        let total = parsed.len();
        ctl.check()?;
        mark_duplicates(&mut parsed, ctx.lang);
        // Departments to create, parents before children.
        let mut new_depts: Vec<(String, String)> = Vec::new();
        let mut new_at: HashMap<String, usize> = HashMap::default();
        let mut super_admins_left = ctx
            .members
            .iter()
            .filter(|m| m.status == MemberStatus::Enabled && m.roles.contains(&ctx.super_admin))
            .count();
        let mut claimed: HashMap<usize, u32> = HashMap::default();
        // Each row's result and plan go straight to their lists: a list of both (some 350
        // bytes a row) would be the peak of a 100k re-import.
        let mut counts = ImportCounts::default();
        let mut rows = Vec::with_capacity(parsed.len());
        // Untouched capacity is never resident: a re-import of unchanged rows costs nothing.
        let mut plans = Vec::with_capacity(parsed.len());
        for (i, mut p) in parsed.into_iter().enumerate() {
            if i % 1000 == 999 {
                ctl.check()?;
                ctl.report(Stage::Validate, i + 1, total);
            }
            let warnings = std::mem::take(&mut p.warnings);
            let mut c = check_row(
                &ctx,
                p,
                &mut new_depts,
                &mut new_at,
                &mut super_admins_left,
                present,
                &mut claimed,
            );
            match c.result.outcome {
                RowOutcome::Create => counts.create += 1,
                RowOutcome::Update => counts.update += 1,
                RowOutcome::Unchanged => counts.unchanged += 1,
                RowOutcome::Failed => counts.failed += 1,
            }
            c.result.warnings = warnings;
            if let Some(p) = c.plan {
                plans.push(p);
            }
            rows.push(c.result);
        }
        ctl.report(Stage::Validate, total, total);
        // Only departments some valid row needs are created.
        let used: std::collections::HashSet<usize> = plans
            .iter()
            .flat_map(|p| match p {
                Plan::Create { positions, .. } | Plan::Update(Update { positions, .. }) => {
                    positions.iter()
                }
            })
            .filter_map(|(d, _)| match d {
                DeptRef::New(i) => Some(*i),
                DeptRef::Existing(_) => None,
            })
            .collect();
        // A used department's missing ancestors are created with it.
        let used_keys: Vec<&str> = used.iter().map(|i| new_depts[*i].1.as_str()).collect();
        let departments_created = new_depts
            .iter()
            .filter(|(_, key)| {
                used_keys
                    .iter()
                    .any(|u| *u == key || u.starts_with(&format!("{key}/")))
            })
            .map(|(shown, _)| shown.clone())
            .collect();
        Ok(Validation {
            report: ImportReport {
                counts,
                rows,
                ignored_columns: ignored,
                departments_created,
                committed: false,
                lang: opts.lang,
            },
            plans,
            new_depts,
            ctx,
            present,
        })
    }
}

impl Present {
    fn of(table: &Table) -> Self {
        Self {
            email: table.has(Column::Email),
            mobile: table.has(Column::Mobile),
            employee_id: table.has(Column::EmployeeId),
            work_location: table.has(Column::WorkLocation),
            position: table.has(Column::Position),
        }
    }
}

/// Same username / email / mobile / employee ID on several rows: an error on each of them.
fn mark_duplicates(rows: &mut [Parsed], lang: Lang) {
    use std::collections::hash_map::Entry;
    // The first row of every key; only keys met again get a list (rarely any).
    let mut first: [HashMap<String, usize>; 4] = Default::default();
    let mut seen: [BTreeMap<String, Vec<usize>>; 4] = Default::default();
    for map in &mut first {
        map.reserve(rows.len());
    }
    for (i, p) in rows.iter().enumerate() {
        let keys = [
            p.username.as_deref().map(str::to_ascii_lowercase),
            p.email.as_deref().map(str::to_lowercase),
            p.mobile.clone(),
            p.employee_id.as_deref().map(fold_key),
        ];
        for (k, key) in keys.into_iter().enumerate() {
            if let Some(key) = key {
                match first[k].entry(key) {
                    Entry::Vacant(v) => {
                        v.insert(i);
                    }
                    Entry::Occupied(o) => seen[k]
                        .entry(o.key().clone())
                        .or_insert_with(|| vec![*o.get()])
                        .push(i),
                }
            }
        }
    }
    let cols = [
        Column::Username,
        Column::Email,
        Column::Mobile,
        Column::EmployeeId,
    ];
    let mut found: BTreeMap<usize, Vec<RowProblem>> = BTreeMap::new();
    for (k, map) in seen.iter().enumerate() {
        for (key, at) in map {
            for &i in at {
                let others: Vec<String> = at
                    .iter()
                    .filter(|j| **j != i)
                    .map(|j| rows[*j].row.to_string())
                    .collect();
                let label = cols[k].label(lang);
                found.entry(i).or_default().push(problem(
                    lang,
                    rows[i].row,
                    cols[k],
                    lang.pick(
                        format!(
                            "{label} \"{key}\" is also on row {} of this file.",
                            others.join(", ")
                        ),
                        format!("{label}“{key}”与本文件第 {} 行重复。", others.join("、")),
                    ),
                ));
            }
        }
    }
    for (i, mut probs) in found {
        probs.sort_by(|a, b| a.column.cmp(&b.column));
        rows[i].problems.extend(probs);
    }
}
