//! Import: validate every row against the directory (preview / dry run), then write all valid
//! rows in one transaction.
//!
//! This module holds the import's types, public and shared by its stages, and its entry
//! points. The stages are in its submodules: what the directory holds (`context`), each row's
//! cells repaired and parsed (`parse`), the file's validation (`validate`) and each row checked
//! against the directory (`check`), the write (`write`), and the results file (`results`).

mod carried;
mod check;
mod context;
mod parse;
mod results;
mod validate;
mod write;

use std::path::Path;

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::columns::Lang;
use super::mapping::ColumnMapping;
use super::{Control, SheetResult};
use crate::audit::Actor;
use crate::error::CoreResult;
use crate::store::Directory;
use crate::types::{DepartmentId, MemberId, MemberStatus, RoleId};

pub use carried::{DepartmentAt, ImportPart, ImportPosition, ImportRow};
pub use results::write_results;
pub use Present as ImportColumns;

/// The import's lookups hash a few hundred thousand short keys (emails, usernames, IDs):
/// foldhash is several times cheaper than the standard SipHash, and still seeded per process.
type HashMap<K, V> = std::collections::HashMap<K, V, foldhash::fast::RandomState>;

#[derive(Debug, Clone, Default, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ImportOptions {
    /// Create departments named in the file that do not exist yet (else they are errors).
    pub create_missing_departments: bool,
    /// Which columns the fields are read from; without one, columns are matched by their
    /// header names.
    #[serde(default)]
    pub mapping: Option<ColumnMapping>,
    /// The language of the row problems and of the results file (the UI's); English when
    /// absent.
    #[serde(default)]
    pub lang: Lang,
    /// The admin importing is a Super Admin: only then may rows give or take away the Super
    /// Admin role. Never read from the window: an import sets it from the admin it runs as
    /// ([`ImportOptions::acting_as`]), and a preview's caller from the signed-in admin.
    #[serde(skip)]
    #[ts(skip)]
    pub by_super_admin: bool,
}

impl ImportOptions {
    /// These options as `actor` imports with them.
    pub fn acting_as(&self, d: &Directory, actor: &Actor) -> CoreResult<Self> {
        Ok(Self {
            by_super_admin: d.acts_as_super_admin(actor)?,
            ..self.clone()
        })
    }
}

/// One problem (or skipped change) on one row. `row` is the row number Excel shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct RowProblem {
    pub row: u32,
    pub column: Option<String>,
    pub reason: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum RowOutcome {
    Create,
    Update,
    Unchanged,
    Failed,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct RowResult {
    pub row: u32,
    pub outcome: RowOutcome,
    #[ts(type = "number | null")]
    pub member_id: Option<MemberId>,
    /// Why the row failed.
    pub problems: Vec<RowProblem>,
    /// Changes not made on a row that otherwise succeeded (personal fields of joined members …).
    pub skipped: Vec<RowProblem>,
    /// Cells repaired on the way in (a mobile stored as a number that lost its "+" …): what
    /// was read instead of what the cell holds. Not a failure.
    pub warnings: Vec<RowProblem>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, TS)]
pub struct ImportCounts {
    pub create: u32,
    pub update: u32,
    pub unchanged: u32,
    pub failed: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ImportReport {
    pub counts: ImportCounts,
    pub rows: Vec<RowResult>,
    /// Headers that are not import columns; their cells were ignored.
    pub ignored_columns: Vec<String>,
    /// Departments the import creates (or would create) because they were missing.
    pub departments_created: Vec<String>,
    /// False for a preview (dry run).
    pub committed: bool,
    /// The language of the reasons; [`write_results`] writes the file in it.
    pub lang: Lang,
}

impl ImportReport {
    pub fn all_succeeded(&self) -> bool {
        self.counts.failed == 0
    }

    /// The report without its per-row list: the counts, the first `limit` problems of failed
    /// rows and of skipped changes, in row order. What the window shows (a 100,000-row report
    /// is too big to send whole).
    pub fn summary(&self, limit: usize) -> ImportSummary {
        let failures: Vec<RowProblem> = self
            .rows
            .iter()
            .filter(|r| r.outcome == RowOutcome::Failed)
            .flat_map(|r| r.problems.iter().cloned())
            .take(limit)
            .collect();
        let (skipped, skipped_total) = self.first_of(limit, |r| &r.skipped);
        let (warnings, warnings_total) = self.first_of(limit, |r| &r.warnings);
        ImportSummary {
            counts: self.counts,
            rows: self.rows.len().min(u32::MAX as usize) as u32,
            failures,
            skipped,
            skipped_total,
            warnings,
            warnings_total,
            ignored_columns: self.ignored_columns.clone(),
            departments_created: self.departments_created.clone(),
            committed: self.committed,
            team_changes: 0,
        }
    }

    /// The first `limit` entries of one list of every row (skipped changes, warnings), in row
    /// order, and how many there are in all.
    fn first_of(
        &self,
        limit: usize,
        list: fn(&RowResult) -> &[RowProblem],
    ) -> (Vec<RowProblem>, u32) {
        let total = self.rows.iter().map(|r| list(r).len()).sum::<usize>();
        let first = self
            .rows
            .iter()
            .flat_map(|r| list(r).iter().cloned())
            .take(limit)
            .collect();
        (first, total.min(u32::MAX as usize) as u32)
    }
}

/// An [`ImportReport`] cut down for the window: counts and the first problems.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ImportSummary {
    pub counts: ImportCounts,
    /// Data rows read.
    pub rows: u32,
    /// The first problems of failed rows, in row order.
    pub failures: Vec<RowProblem>,
    /// The first changes not made on rows that otherwise succeeded.
    pub skipped: Vec<RowProblem>,
    pub skipped_total: u32,
    /// The first cells repaired on the way in (see [`RowResult::warnings`]).
    pub warnings: Vec<RowProblem>,
    pub warnings_total: u32,
    pub ignored_columns: Vec<String>,
    pub departments_created: Vec<String>,
    /// False for a preview (dry run), and for an import sent to a team's log.
    pub committed: bool,
    /// On a computer in a team: the changes of the team's log the import was sent as (the
    /// members show once they are back from it); 0 when it was written here.
    pub team_changes: u32,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum DeptRef {
    Existing(DepartmentId),
    /// Index into the list of departments to create.
    New(usize),
}

/// A member already in the directory, as the import compares against.
struct Existing {
    id: MemberId,
    name: String,
    username: Option<String>,
    email: Option<String>,
    mobile: Option<String>,
    employee_id: Option<String>,
    org_email: Option<String>,
    work_location: Option<String>,
    status: MemberStatus,
    positions: Vec<(DepartmentId, Option<String>)>,
    roles: Vec<RoleId>,
}

/// What the directory holds that validation looks things up in. Read-only, shared by the
/// validation threads.
struct Ctx {
    region: String,
    root: DepartmentId,
    /// Folded path ("sales/emea") -> department.
    depts: HashMap<String, DepartmentId>,
    roles: HashMap<String, RoleId>,
    member_role: RoleId,
    super_admin: RoleId,
    members: Vec<Existing>,
    by_eid: HashMap<String, usize>,
    /// Employee IDs of digits with leading zeros, by the number they become without them.
    eid_zeros: HashMap<String, usize>,
    by_user: HashMap<String, usize>,
    by_email: HashMap<String, usize>,
    by_mobile: HashMap<String, usize>,
    create_missing: bool,
    /// The language row problems are written in.
    lang: Lang,
    /// See [`ImportOptions::by_super_admin`].
    by_super_admin: bool,
}

/// A row's values after cell repair and parsing.
#[derive(Default)]
struct Parsed {
    row: u32,
    problems: Vec<RowProblem>,
    /// Cells repaired: the row's [`RowResult::warnings`].
    warnings: Vec<RowProblem>,
    name: String,
    username: Option<String>,
    password: Option<String>,
    /// A row of a team's change: the hash its author's computer made of the password, which
    /// the change carries instead.
    password_hash: Option<String>,
    /// A row of a team's change: the member its author's computer matched it to (None: a new
    /// member), which stands instead of matching it again by employee ID, username or email.
    decided: Option<Option<MemberId>>,
    email: Option<String>,
    mobile: Option<String>,
    employee_id: Option<String>,
    work_location: Option<String>,
    /// Departments as written (trimmed segments), folded key, title.
    positions: Vec<(String, String, Option<String>)>,
    roles: Option<Vec<RoleId>>,
}

/// A validated row ready to write.
enum Plan {
    Create {
        status: MemberStatus,
        parsed: Parsed,
        positions: Vec<(DeptRef, Option<String>)>,
        roles: Vec<RoleId>,
    },
    Update(Update),
}

/// The values an existing member (`ctx.members[idx]`) takes from a row.
struct Update {
    idx: usize,
    name: String,
    email: Option<String>,
    mobile: Option<String>,
    employee_id: Option<String>,
    work_location: Option<String>,
    positions: Vec<(DeptRef, Option<String>)>,
    roles: Vec<RoleId>,
}

/// A row's result before the counts.
struct Checked {
    result: RowResult,
    plan: Option<Plan>,
}

pub(crate) struct Validation {
    report: ImportReport,
    plans: Vec<Plan>,
    /// Departments to create: (shown path, folded path).
    new_depts: Vec<(String, String)>,
    ctx: Ctx,
    /// The optional columns the file has.
    present: Present,
}

/// Which optional columns the file has. A blank cell clears its field (the file is the whole
/// truth for the columns it has); a column the file lacks leaves the field as it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Present {
    email: bool,
    mobile: bool,
    employee_id: bool,
    work_location: bool,
    position: bool,
}

impl Directory {
    /// Reads and validates `path` without writing anything: what an import would do.
    pub fn preview_import(
        &self,
        path: &Path,
        opts: &ImportOptions,
        ctl: &Control<'_>,
    ) -> SheetResult<ImportReport> {
        Ok(self.validate_import(path, opts, ctl)?.report)
    }

    /// [`Self::preview_import`] over a file's bytes (`ext`: its extension).
    pub fn preview_import_bytes(
        &self,
        bytes: Vec<u8>,
        ext: &str,
        opts: &ImportOptions,
        ctl: &Control<'_>,
    ) -> SheetResult<ImportReport> {
        Ok(self.validate_bytes(bytes, ext, opts, ctl)?.report)
    }

    /// Imports `path`: every valid row in one transaction (failed rows are skipped and
    /// reported), audited under `actor`. A cancel before the commit writes nothing.
    pub fn import_members(
        &mut self,
        actor: &Actor,
        path: &Path,
        opts: &ImportOptions,
        ctl: &Control<'_>,
    ) -> SheetResult<ImportReport> {
        self.check_import_quota(actor)?;
        let opts = &opts.acting_as(self, actor)?;
        let v = self.validate_import(path, opts, ctl)?;
        self.commit_import(actor, v, ctl)
    }
}
