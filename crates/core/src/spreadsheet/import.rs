//! Import: validate every row against the directory (preview / dry run), then write all valid
//! rows in one transaction.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};

use rusqlite::params;
use serde::{Deserialize, Serialize};
use serde_json::json;
use ts_rs::TS;

use super::columns::{Column, Lang, RESULT_EXTRA};
use super::mapping::ColumnMapping;
use super::read::{
    is_zip, number_text, read_file, read_table, read_table_bytes, stream_table, RawCell, Table,
};
use super::reasons::{field_reason, status_zh};
use super::{Control, SheetResult, SpreadsheetError, Stage};
use crate::audit::{self, Actor};
use crate::password;
use crate::store::Directory;
use crate::types::{
    fold_key, fold_search, parse_employee_id, DepartmentId, DisplayName, Email, MemberId,
    MemberStatus, Mobile, RoleId, Username,
};
use crate::CoreError;

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
        let skipped_total = self.rows.iter().map(|r| r.skipped.len()).sum::<usize>();
        ImportSummary {
            counts: self.counts,
            rows: self.rows.len().min(u32::MAX as usize) as u32,
            failures,
            skipped: self
                .rows
                .iter()
                .flat_map(|r| r.skipped.iter().cloned())
                .take(limit)
                .collect(),
            skipped_total: skipped_total.min(u32::MAX as usize) as u32,
            ignored_columns: self.ignored_columns.clone(),
            departments_created: self.departments_created.clone(),
            committed: self.committed,
        }
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
    pub ignored_columns: Vec<String>,
    pub departments_created: Vec<String>,
    /// False for a preview (dry run).
    pub committed: bool,
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
}

/// A row's values after cell repair and parsing.
#[derive(Default)]
struct Parsed {
    row: u32,
    problems: Vec<RowProblem>,
    name: String,
    username: Option<String>,
    password: Option<String>,
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
    Update {
        idx: usize,
        name: String,
        email: Option<String>,
        mobile: Option<String>,
        employee_id: Option<String>,
        work_location: Option<String>,
        positions: Vec<(DeptRef, Option<String>)>,
        roles: Vec<RoleId>,
    },
}

fn problem(lang: Lang, row: u32, col: Column, reason: impl Into<String>) -> RowProblem {
    RowProblem {
        row,
        column: Some(col.label(lang).to_owned()),
        reason: reason.into(),
    }
}

/// The text of one cell for `col`, repaired: numbers back to exact text, dates, formulas,
/// booleans and error values refused (the reason, in `lang`). None when blank.
fn cell_text(cell: Option<&RawCell>, col: Column, lang: Lang) -> Result<Option<String>, String> {
    let id_like = matches!(col, Column::Mobile | Column::EmployeeId);
    let label = || col.label(lang);
    match cell {
        None | Some(RawCell::Empty) => Ok(None),
        Some(RawCell::Text(s)) => {
            let t = s.trim();
            Ok((!t.is_empty()).then(|| t.to_owned()))
        }
        Some(RawCell::Int(i)) => Ok(Some(i.to_string())),
        Some(RawCell::Float(f)) => match number_text(*f) {
            Some(t) => Ok(Some(t)),
            None if id_like => Err(lang.pick(
                format!("{} is stored as the number {f}, which cannot be turned back into the exact text; format the column as text and type it again.", label()),
                format!("{}存储为数字 {f}，无法还原为原来的文字；请将该列设为文本格式后重新输入。", label()),
            )),
            None => Ok(Some(f.to_string())),
        },
        Some(RawCell::Date(d)) => Err(lang.pick(
            format!("{} is a date ({d}); this column takes text — format the cell as text.", label()),
            format!("{}是日期（{d}）；此列应填写文字，请将单元格设为文本格式。", label()),
        )),
        Some(RawCell::Formula(f)) => Err(lang.pick(
            format!("{} is a formula (={f}); type the value itself.", label()),
            format!("{}是公式（={f}）；请直接填写值。", label()),
        )),
        Some(RawCell::Bool(b)) => {
            let v = if *b { "TRUE" } else { "FALSE" };
            Err(lang.pick(
                format!("{} is the value {v}; this column takes text.", label()),
                format!("{}是逻辑值 {v}；此列应填写文字。", label()),
            ))
        }
        Some(RawCell::Error(e)) => Err(lang.pick(
            format!("{} is the error value {e}.", label()),
            format!("{}是错误值 {e}。", label()),
        )),
    }
}

fn split_list(s: &str) -> Vec<&str> {
    s.split([';', '；']).map(str::trim).collect()
}

/// "Sales / EMEA" -> ("Sales/EMEA", "sales/emea"). "/" or "" is the root.
fn canonical_path(p: &str) -> (String, String) {
    let segs: Vec<&str> = p
        .split('/')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect();
    (
        segs.join("/"),
        segs.iter()
            .map(|s| fold_key(s))
            .collect::<Vec<_>>()
            .join("/"),
    )
}

impl Ctx {
    fn load(d: &Directory, create_missing: bool, lang: Lang) -> SheetResult<Self> {
        let conn = &d.conn;
        let root = d.root_department()?;
        let root_name = d.organization_name()?;
        let rows: Vec<(DepartmentId, Option<DepartmentId>, String)> = conn
            .prepare("SELECT id, parent_id, name_key FROM departments")?
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
            .collect::<Result<_, _>>()?;
        let parent: HashMap<DepartmentId, (Option<DepartmentId>, String)> =
            rows.into_iter().map(|(id, p, k)| (id, (p, k))).collect();
        let mut depts = HashMap::with_capacity_and_hasher(parent.len() + 1, Default::default());
        for id in parent.keys() {
            let mut parts = Vec::new();
            let mut cur = *id;
            while let Some((Some(p), k)) = parent.get(&cur) {
                parts.push(k.as_str());
                cur = *p;
            }
            parts.reverse();
            depts.insert(parts.join("/"), *id);
        }
        // The organization's own name also means the root.
        depts.entry(fold_key(&root_name)).or_insert(root);
        let mut roles = HashMap::default();
        let (mut member_role, mut super_admin) = (RoleId(0), RoleId(0));
        for r in conn
            .prepare("SELECT id, name_key, builtin FROM roles")?
            .query_map([], |r| {
                Ok((
                    r.get::<_, RoleId>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, Option<String>>(2)?,
                ))
            })?
        {
            let (id, key, builtin) = r?;
            match builtin.as_deref() {
                Some("member") => member_role = id,
                Some("super_admin") => super_admin = id,
                _ => {}
            }
            roles.insert(key, id);
        }
        let mut members: Vec<Existing> = conn
            .prepare(
                "SELECT id, name, username, email, mobile, employee_id, org_email, work_location, status
                 FROM members ORDER BY id",
            )?
            .query_map([], |r| {
                Ok(Existing {
                    id: r.get(0)?,
                    name: r.get(1)?,
                    username: r.get(2)?,
                    email: r.get(3)?,
                    mobile: r.get(4)?,
                    employee_id: r.get(5)?,
                    org_email: r.get(6)?,
                    work_location: r.get(7)?,
                    status: crate::members::status_from_str(&r.get::<_, String>(8)?),
                    positions: Vec::new(),
                    roles: Vec::new(),
                })
            })?
            .collect::<Result<_, _>>()?;
        let at: HashMap<MemberId, usize> =
            members.iter().enumerate().map(|(i, m)| (m.id, i)).collect();
        let mut stmt = conn.prepare(
            "SELECT member_id, department_id, title FROM positions ORDER BY member_id, is_primary DESC, sort_order",
        )?;
        for r in stmt.query_map([], |r| {
            Ok((
                r.get::<_, MemberId>(0)?,
                r.get::<_, DepartmentId>(1)?,
                r.get::<_, Option<String>>(2)?,
            ))
        })? {
            let (m, dpt, t) = r?;
            if let Some(i) = at.get(&m) {
                members[*i].positions.push((dpt, t));
            }
        }
        let mut stmt = conn
            .prepare("SELECT member_id, role_id FROM member_roles ORDER BY member_id, role_id")?;
        for r in stmt.query_map([], |r| {
            Ok((r.get::<_, MemberId>(0)?, r.get::<_, RoleId>(1)?))
        })? {
            let (m, role) = r?;
            if let Some(i) = at.get(&m) {
                members[*i].roles.push(role);
            }
        }
        let mut ctx = Ctx {
            region: d.default_region()?,
            root,
            depts,
            roles,
            member_role,
            super_admin,
            by_eid: HashMap::default(),
            eid_zeros: HashMap::default(),
            by_user: HashMap::default(),
            by_email: HashMap::default(),
            by_mobile: HashMap::default(),
            members: Vec::new(),
            create_missing,
            lang,
        };
        for (i, m) in members.iter().enumerate() {
            if let Some(e) = &m.employee_id {
                ctx.by_eid.insert(fold_key(e), i);
                if e.starts_with('0') && e.bytes().all(|b| b.is_ascii_digit()) {
                    let bare = e.trim_start_matches('0');
                    ctx.eid_zeros
                        .insert(if bare.is_empty() { "0" } else { bare }.to_owned(), i);
                }
            }
            if let Some(u) = &m.username {
                ctx.by_user.insert(u.to_ascii_lowercase(), i);
            }
            if let Some(e) = &m.email {
                ctx.by_email.insert(e.to_lowercase(), i);
            }
            if let Some(p) = &m.mobile {
                ctx.by_mobile.insert(p.clone(), i);
            }
        }
        ctx.members = members;
        Ok(ctx)
    }

    /// The directory's employee ID that `id` is once its leading zeros are gone, when the cell
    /// held a number (a spreadsheet drops the zeros of "00123" typed into a number cell) and
    /// no member has `id` itself: matching it would change that member's ID, or add a second
    /// person.
    fn lost_zeros(&self, id: &str, cell: Option<&RawCell>) -> Option<&str> {
        if !matches!(cell, Some(RawCell::Int(_) | RawCell::Float(_)))
            || self.by_eid.contains_key(&fold_key(id))
        {
            return None;
        }
        let i = *self.eid_zeros.get(id)?;
        self.members[i].employee_id.as_deref()
    }

    /// Cell repair and per-field rules: everything that needs no other row.
    fn parse_row(&self, table: &Table, row: u32, cells: &[RawCell]) -> Parsed {
        let lang = self.lang;
        let mut p = Parsed {
            row,
            ..Default::default()
        };
        let mut text = |c: Column| -> Option<String> {
            match cell_text(table.cell(cells, c), c, lang) {
                Ok(t) => t,
                Err(why) => {
                    p.problems.push(problem(lang, row, c, why));
                    None
                }
            }
        };
        let name = text(Column::Name);
        let username = text(Column::Username);
        let pw = text(Column::Password);
        let email = text(Column::Email);
        let mobile_cell = text(Column::Mobile);
        let dept = text(Column::Department);
        let position = text(Column::Position);
        let role = text(Column::Role);
        let eid = text(Column::EmployeeId);
        let wl = text(Column::WorkLocation);
        let mut probs = Vec::new();
        match DisplayName::parse("name", "Name", name.as_deref().unwrap_or("")) {
            Ok(n) => p.name = n.as_str().to_owned(),
            Err(e) => probs.push(problem(
                lang,
                row,
                Column::Name,
                field_reason(lang, e, "姓名", name.as_deref().unwrap_or("")),
            )),
        }
        if let Some(u) = username {
            match Username::parse(&u) {
                Ok(u) => p.username = Some(u.as_str().to_owned()),
                Err(e) => probs.push(problem(
                    lang,
                    row,
                    Column::Username,
                    field_reason(lang, e, "用户名", &u),
                )),
            }
        }
        // Passwords are not trimmed beyond what cell repair did: spaces inside count.
        p.password = pw;
        if let Some(e) = email {
            match Email::parse("email", &e) {
                Ok(ok) => p.email = Some(ok.as_str().to_owned()),
                Err(err) => probs.push(problem(
                    lang,
                    row,
                    Column::Email,
                    field_reason(lang, err, "邮箱", &e),
                )),
            }
        }
        if let Some(m) = mobile_cell {
            // A mobile the file stored as a number has lost its "+": say so if it fails.
            let numeric = matches!(
                table.cell(cells, Column::Mobile),
                Some(RawCell::Int(_) | RawCell::Float(_))
            );
            // Round trip: a stored E.164 number needs no re-parsing (which costs ~25 µs).
            if m.starts_with('+') && self.by_mobile.contains_key(&m) {
                p.mobile = Some(m);
            } else {
                match Mobile::parse("mobile", &m, &self.region) {
                    Ok(x) => p.mobile = Some(x.as_str().to_owned()),
                    Err(e) => {
                        let why = field_reason(lang, e, "手机号", &m);
                        probs.push(problem(
                            lang,
                            row,
                            Column::Mobile,
                            if numeric {
                                lang.pick(
                                    format!("{why} The cell is stored as a number, so a leading \"+\" or 0 may have been lost: format the column as text and type the number with \"+\" and the country code."),
                                    format!("{why}该单元格存储为数字，开头的“+”或 0 可能已丢失：请将该列设为文本格式，并带“+”和国家码重新输入号码。"),
                                )
                            } else {
                                why
                            },
                        ))
                    }
                }
            }
        }
        if let Some(e) = eid {
            match parse_employee_id(&e) {
                Ok(ok) => match self.lost_zeros(&ok, table.cell(cells, Column::EmployeeId)) {
                    None => p.employee_id = Some(ok),
                    Some(had) => probs.push(problem(
                        lang,
                        row,
                        Column::EmployeeId,
                        lang.pick(
                            format!("Employee ID is stored as the number {ok}, but the directory has the ID \"{had}\": a spreadsheet drops leading zeros from numbers. Format the column as text and type the ID again."),
                            format!("工号存储为数字 {ok}，而通讯录中已有工号“{had}”：表格会去掉数字开头的 0。请将该列设为文本格式后重新输入工号。"),
                        ),
                    )),
                },
                Err(err) => probs.push(problem(
                    lang,
                    row,
                    Column::EmployeeId,
                    field_reason(lang, err, "工号", &e),
                )),
            }
        }
        if let Some(w) = wl {
            if w.chars().count() > 64 {
                probs.push(problem(
                    lang,
                    row,
                    Column::WorkLocation,
                    lang.pick(
                        "Work location must be at most 64 characters.",
                        "工作地点最多 64 个字符。",
                    ),
                ));
            }
            p.work_location = Some(w);
        }
        // Departments and positions, matched by order.
        let depts: Vec<&str> = dept
            .as_deref()
            .map(split_list)
            .unwrap_or_default()
            .into_iter()
            .filter(|s| !s.is_empty())
            .collect();
        if depts.is_empty() {
            probs.push(problem(
                lang,
                row,
                Column::Department,
                lang.pick(
                    "Department is required (\"/\" is the organization itself).",
                    "部门为必填项（“/”表示组织本身）。",
                ),
            ));
        }
        let mut titles: Vec<&str> = position.as_deref().map(split_list).unwrap_or_default();
        while titles.last().is_some_and(|t| t.is_empty()) {
            titles.pop();
        }
        if titles.len() > depts.len().max(1) {
            probs.push(problem(
                lang,
                row,
                Column::Position,
                lang.pick(
                    format!("{} positions for {} department(s): give one position per department, in the same order.", titles.len(), depts.len()),
                    format!("填写了 {} 个职位，但只有 {} 个部门：每个部门对应一个职位，顺序与部门一致。", titles.len(), depts.len()),
                ),
            ));
        }
        for t in &titles {
            if t.chars().count() > 64 {
                probs.push(problem(
                    lang,
                    row,
                    Column::Position,
                    lang.pick(
                        "Position must be at most 64 characters.",
                        "职位最多 64 个字符。",
                    ),
                ));
            }
        }
        let mut seen = Vec::new();
        for (i, d) in depts.iter().enumerate() {
            let (shown, key) = canonical_path(d);
            if seen.contains(&key) {
                probs.push(problem(
                    lang,
                    row,
                    Column::Department,
                    lang.pick(
                        format!("Department \"{shown}\" is listed twice."),
                        format!("部门“{shown}”填写了两次。"),
                    ),
                ));
                continue;
            }
            seen.push(key.clone());
            if !self.depts.contains_key(&key) {
                if !self.create_missing {
                    probs.push(problem(
                        lang,
                        row,
                        Column::Department,
                        lang.pick(
                            format!("No department \"{shown}\". Create it first, or tick \"create missing departments\"."),
                            format!("部门“{shown}”不存在。请先创建该部门，或勾选“创建缺少的部门”。"),
                        ),
                    ));
                } else if let Some(bad) = shown.split('/').find_map(|s| {
                    DisplayName::parse("name", "Department name", s)
                        .err()
                        .map(|e| field_reason(lang, e, "部门名称", s))
                }) {
                    probs.push(problem(lang, row, Column::Department, bad));
                }
            }
            let title = titles
                .get(i)
                .filter(|t| !t.is_empty())
                .map(|t| (*t).to_owned());
            p.positions.push((shown, key, title));
        }
        if let Some(r) = role {
            let mut ids = Vec::new();
            for name in split_list(&r).into_iter().filter(|s| !s.is_empty()) {
                match self.roles.get(&fold_key(name)) {
                    Some(id) if !ids.contains(id) => ids.push(*id),
                    Some(_) => {}
                    None => probs.push(problem(
                        lang,
                        row,
                        Column::Role,
                        lang.pick(
                            format!("No role named \"{name}\"."),
                            format!("角色“{name}”不存在。"),
                        ),
                    )),
                }
            }
            ids.sort();
            p.roles = (!ids.is_empty()).then_some(ids);
        }
        p.problems.extend(probs);
        p
    }
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
        let v = self.validate_import(path, opts, ctl)?;
        self.commit_import(actor, v, ctl)
    }

    fn validate_import(
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
    /// parses); a CSV or .xls is read whole, then parsed on two threads.
    fn validate_bytes(
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
        ctl.check()?;
        let ctx = Ctx::load(self, opts.create_missing_departments, opts.lang)?;
        let mut parsed = Vec::new();
        let table = stream_table(bytes, opts.mapping.as_ref(), ctl, &mut |t, rows| {
            parsed.extend(rows.iter().map(|(n, cells)| ctx.parse_row(t, *n, cells)));
        })?;
        // Rows come in order in every writer known; put them in order in case one does not.
        if !parsed.is_sorted_by_key(|p| p.row) {
            parsed.sort_by_key(|p| p.row);
        }
        self.finish_validation(ctx, &table, parsed, opts, ctl)
    }

    fn validate_table(
        &self,
        mut table: Table,
        opts: &ImportOptions,
        ctl: &Control<'_>,
    ) -> SheetResult<Validation> {
        ctl.check()?;
        let ctx = Ctx::load(self, opts.create_missing_departments, opts.lang)?;
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
        self.finish_validation(ctx, &table, parsed, opts, ctl)
    }

    /// Validation once every row is parsed: duplicates within the file, then each row against
    /// the directory.
    fn finish_validation(
        &self,
        ctx: Ctx,
        table: &Table,
        mut parsed: Vec<Parsed>,
        opts: &ImportOptions,
        ctl: &Control<'_>,
    ) -> SheetResult<Validation> {
        let total = parsed.len();
        ctl.check()?;
        mark_duplicates(&mut parsed, ctx.lang);
        let present = Present {
            email: table.has(Column::Email),
            mobile: table.has(Column::Mobile),
            employee_id: table.has(Column::EmployeeId),
            work_location: table.has(Column::WorkLocation),
            position: table.has(Column::Position),
        };
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
        for (i, p) in parsed.into_iter().enumerate() {
            if i % 1000 == 999 {
                ctl.check()?;
                ctl.report(Stage::Validate, i + 1, total);
            }
            let c = check_row(
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
                Plan::Create { positions, .. } | Plan::Update { positions, .. } => positions.iter(),
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
                ignored_columns: table.ignored.clone(),
                departments_created,
                committed: false,
                lang: opts.lang,
            },
            plans,
            new_depts,
            ctx,
        })
    }

    fn commit_import(
        &mut self,
        actor: &Actor,
        v: Validation,
        ctl: &Control<'_>,
    ) -> SheetResult<ImportReport> {
        let Validation {
            mut report,
            plans,
            new_depts,
            ctx,
        } = v;
        let total = plans.len();
        // Argon2id (m=19 MiB, t=2) costs ~30–50 ms per password in release: hash before the
        // transaction, on two threads, so the write lock is held only for the inserts.
        let to_hash: Vec<(usize, &str)> = plans
            .iter()
            .enumerate()
            .filter_map(|(i, p)| match p {
                Plan::Create {
                    parsed,
                    status: MemberStatus::Enabled,
                    ..
                } => parsed.password.as_deref().map(|pw| (i, pw)),
                _ => None,
            })
            .collect();
        let hashes = hash_all(&to_hash, ctl)?;
        let now = self.now_ms();
        // A bulk insert touches every index of members, positions and the audit log; with
        // SQLite's default 2 MB page cache their pages are spilled and re-read many times
        // over (a fifth of a 100k import). The cache grows only as far as it is used.
        let cache: i64 = self
            .conn
            .pragma_query_value(None, "cache_size", |r| r.get(0))?;
        self.conn
            .pragma_update(None, "cache_size", IMPORT_CACHE_KIB)?;
        // Every reference an import writes is to a row it has just read or written, so
        // SQLite's look-ups per inserted row (a tenth of a 100k import) are replaced by one
        // check of the written tables before the commit. The pragma is a no-op inside a
        // transaction: it is set around it.
        self.conn.pragma_update(None, "foreign_keys", "OFF")?;
        let written = self.with_checkpoint_after(|d| {
            d.write_import(actor, &mut report, plans, new_depts, ctx, hashes, now, ctl)
        });
        self.conn.pragma_update(None, "foreign_keys", "ON")?;
        self.conn.pragma_update(None, "cache_size", cache)?;
        written??;
        self.drop_index();
        ctl.report(Stage::Commit, total, total);
        report.committed = true;
        Ok(report)
    }

    #[allow(clippy::too_many_arguments)]
    fn write_import(
        &mut self,
        actor: &Actor,
        report: &mut ImportReport,
        plans: Vec<Plan>,
        new_depts: Vec<(String, String)>,
        ctx: Ctx,
        hashes: Vec<(usize, String)>,
        now: i64,
        ctl: &Control<'_>,
    ) -> SheetResult<()> {
        let total = plans.len();
        let tx = self.conn.transaction()?;
        // Missing departments, parents first (a path's parent was registered before it).
        let mut new_ids: Vec<Option<DepartmentId>> = vec![None; new_depts.len()];
        let mut made: HashMap<String, DepartmentId> = HashMap::default();
        for (i, (shown, _)) in new_depts.iter().enumerate() {
            if !report.departments_created.contains(shown) {
                continue;
            }
            let mut parent = ctx.root;
            let mut key_so_far = Vec::new();
            for seg in shown.split('/') {
                key_so_far.push(fold_key(seg));
                let key = key_so_far.join("/");
                if let Some(id) = ctx.depts.get(&key).or_else(|| made.get(&key)) {
                    parent = *id;
                    continue;
                }
                tx.execute(
                    "INSERT INTO departments (parent_id, name, name_key, sort_order, created_at)
                     VALUES (?1, ?2, ?3, (SELECT ifnull(max(sort_order), -1) + 1 FROM departments WHERE parent_id = ?1), ?4)",
                    params![parent, seg, fold_key(seg), now],
                )?;
                let id = DepartmentId(tx.last_insert_rowid());
                audit::record(
                    &tx,
                    now,
                    actor,
                    audit::Entry {
                        action: "department.create",
                        target_type: "department",
                        target_id: Some(id.0),
                        target_name: Some(seg),
                        before: None,
                        after: Some(json!({"name": seg, "parentId": parent, "source": "import"})),
                    },
                )?;
                made.insert(key, id);
                parent = id;
            }
            new_ids[i] = Some(parent);
        }
        let resolve = |d: &DeptRef| match d {
            DeptRef::Existing(id) => *id,
            DeptRef::New(i) => new_ids[*i].expect("created above"),
        };
        let mut ids: HashMap<u32, MemberId> = HashMap::default();
        {
            let mut insert = tx.prepare(
                "INSERT INTO members (name, name_key, username, username_key, password_hash, email, email_key, mobile,
                                      employee_id, employee_id_key, work_location, status, created_by, created_at,
                                      activated_at, updated_at, search_text)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?14, ?16)",
            )?;
            let mut update = tx.prepare(
                "UPDATE members SET name = ?1, name_key = ?2, email = ?3, email_key = ?4, mobile = ?5, employee_id = ?6,
                        employee_id_key = ?7, work_location = ?8, updated_at = ?9, search_text = ?10 WHERE id = ?11",
            )?;
            let mut del_pos = tx.prepare("DELETE FROM positions WHERE member_id = ?1")?;
            let mut ins_pos = tx.prepare(
                "INSERT INTO positions (member_id, department_id, title, is_primary, sort_order) VALUES (?1, ?2, ?3, ?4, ?5)",
            )?;
            let mut unhead = tx.prepare(
                "UPDATE departments SET head_member_id = NULL WHERE head_member_id = ?1
                 AND id NOT IN (SELECT department_id FROM positions WHERE member_id = ?1)",
            )?;
            let mut del_roles = tx.prepare("DELETE FROM member_roles WHERE member_id = ?1")?;
            let mut ins_role =
                tx.prepare("INSERT INTO member_roles (member_id, role_id) VALUES (?1, ?2)")?;
            // audit::record prepares its statement on every call, which at 100k rows costs
            // about a second: the import writes the same rows through one prepared statement.
            let mut ins_audit = tx.prepare(
                "INSERT INTO audit_log (at, actor_id, actor_name, action, target_type, target_id, target_name, before_json, after_json)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            )?;
            let mut hash_at = hashes.into_iter().peekable();
            for (i, plan) in plans.iter().enumerate() {
                if i % 1000 == 999 {
                    // Dropping the transaction unwritten rolls everything back.
                    ctl.check()?;
                    ctl.report(Stage::Commit, i + 1, total);
                }
                match plan {
                    Plan::Create {
                        status,
                        parsed: p,
                        positions,
                        roles,
                    } => {
                        let hash = match hash_at.peek() {
                            Some((at, _)) if *at == i => hash_at.next().map(|h| h.1),
                            _ => None,
                        };
                        let search = search_text(
                            &p.name,
                            p.username.as_deref(),
                            p.email.as_deref(),
                            p.mobile.as_deref(),
                            p.employee_id.as_deref(),
                            None,
                        );
                        insert.execute(params![
                            p.name,
                            fold_key(&p.name),
                            p.username,
                            p.username.as_deref().map(str::to_ascii_lowercase),
                            hash,
                            p.email,
                            p.email.as_deref().map(str::to_lowercase),
                            p.mobile,
                            p.employee_id,
                            p.employee_id.as_deref().map(fold_key),
                            p.work_location,
                            status.as_str(),
                            actor.id,
                            now,
                            (*status == MemberStatus::Enabled).then_some(now),
                            search
                        ])?;
                        let id = MemberId(tx.last_insert_rowid());
                        ids.insert(p.row, id);
                        for (k, (d, t)) in positions.iter().enumerate() {
                            ins_pos.execute(params![id, resolve(d), t, k == 0, k as i64])?;
                        }
                        for r in roles {
                            ins_role.execute(params![id, r])?;
                        }
                        let pos: Vec<PositionJson<'_>> = positions
                            .iter()
                            .map(|(d, t)| PositionJson {
                                department_id: resolve(d),
                                title: t.as_deref(),
                            })
                            .collect();
                        let after = MemberJson {
                            email: p.email.as_deref(),
                            employee_id: p.employee_id.as_deref(),
                            mobile: p.mobile.as_deref(),
                            name: &p.name,
                            positions: &pos,
                            roles,
                            status: Some(status.as_str()),
                            username: Some(p.username.as_deref()),
                            work_location: p.work_location.as_deref(),
                        };
                        record_with(
                            &mut ins_audit,
                            now,
                            actor,
                            "member.import_add",
                            id,
                            &p.name,
                            None,
                            Some(&after),
                        )?;
                    }
                    Plan::Update {
                        idx,
                        name,
                        email,
                        mobile,
                        employee_id,
                        work_location,
                        positions,
                        roles,
                    } => {
                        let m = &ctx.members[*idx];
                        let search = search_text(
                            name,
                            m.username.as_deref(),
                            email.as_deref(),
                            mobile.as_deref(),
                            employee_id.as_deref(),
                            m.org_email.as_deref(),
                        );
                        update.execute(params![
                            name,
                            fold_key(name),
                            email,
                            email.as_deref().map(str::to_lowercase),
                            mobile,
                            employee_id,
                            employee_id.as_deref().map(fold_key),
                            work_location,
                            now,
                            search,
                            m.id
                        ])?;
                        let new_pos: Vec<(DepartmentId, Option<String>)> = positions
                            .iter()
                            .map(|(d, t)| (resolve(d), t.clone()))
                            .collect();
                        if new_pos != m.positions {
                            del_pos.execute([m.id])?;
                            for (k, (d, t)) in new_pos.iter().enumerate() {
                                ins_pos.execute(params![m.id, d, t, k == 0, k as i64])?;
                            }
                            unhead.execute([m.id])?;
                        }
                        if *roles != m.roles {
                            del_roles.execute([m.id])?;
                            for r in roles {
                                ins_role.execute(params![m.id, r])?;
                            }
                        }
                        let (old_pos, now_pos) =
                            (position_json(&m.positions), position_json(&new_pos));
                        let before = MemberJson {
                            email: m.email.as_deref(),
                            employee_id: m.employee_id.as_deref(),
                            mobile: m.mobile.as_deref(),
                            name: &m.name,
                            positions: &old_pos,
                            roles: &m.roles,
                            status: None,
                            username: None,
                            work_location: m.work_location.as_deref(),
                        };
                        let after = MemberJson {
                            email: email.as_deref(),
                            employee_id: employee_id.as_deref(),
                            mobile: mobile.as_deref(),
                            name,
                            positions: &now_pos,
                            roles,
                            status: None,
                            username: None,
                            work_location: work_location.as_deref(),
                        };
                        record_with(
                            &mut ins_audit,
                            now,
                            actor,
                            "member.import_edit",
                            m.id,
                            name,
                            Some(&before),
                            Some(&after),
                        )?;
                    }
                }
            }
        }
        ctl.check()?;
        super::quota::log_import(&tx, now, actor, &report.counts)?;
        for table in WRITTEN_TABLES {
            let broken = tx
                .prepare(&format!("PRAGMA foreign_key_check({table})"))?
                .exists([])?;
            if broken {
                // Another window or the command line deleted a department, role or admin
                // this import refers to since the file was checked.
                return Err(CoreError::Conflict(
                    ctx.lang
                        .pick(
                            "The directory changed while the file was being imported (a department, role or admin it refers to was deleted). Nothing was imported: import the file again.",
                            "导入期间通讯录发生了变化（文件引用的部门、角色或管理员已被删除）。未导入任何内容，请重新导入该文件。",
                        )
                        .to_owned(),
                )
                .into());
            }
        }
        tx.commit()?;
        for r in &mut report.rows {
            if r.outcome == RowOutcome::Create {
                r.member_id = ids.get(&r.row).copied();
            }
        }
        Ok(())
    }
}

/// The tables an import writes, whose references are checked before it commits.
const WRITTEN_TABLES: [&str; 6] = [
    "departments",
    "members",
    "positions",
    "member_roles",
    "audit_log",
    "imports",
];

/// The page cache during an import's transaction, in KiB (SQLite's negative `cache_size`).
const IMPORT_CACHE_KIB: i64 = -64 * 1024;

/// A member as the audit log records an import's change, serialized straight from borrowed
/// fields (building a `serde_json::Value` per row costs about a tenth of a 100k import). The
/// fields are in the order `json!` writes them, so the entries read as the others do.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct MemberJson<'a> {
    email: Option<&'a str>,
    employee_id: Option<&'a str>,
    mobile: Option<&'a str>,
    name: &'a str,
    positions: &'a [PositionJson<'a>],
    roles: &'a [RoleId],
    #[serde(skip_serializing_if = "Option::is_none")]
    status: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    username: Option<Option<&'a str>>,
    work_location: Option<&'a str>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PositionJson<'a> {
    department_id: DepartmentId,
    title: Option<&'a str>,
}

fn position_json(p: &[(DepartmentId, Option<String>)]) -> Vec<PositionJson<'_>> {
    p.iter()
        .map(|(d, t)| PositionJson {
            department_id: *d,
            title: t.as_deref(),
        })
        .collect()
}

/// [`audit::record`] of a member change through a prepared statement (same columns, same
/// values).
#[allow(clippy::too_many_arguments)]
fn record_with(
    stmt: &mut rusqlite::Statement<'_>,
    at: i64,
    actor: &Actor,
    action: &str,
    target: MemberId,
    target_name: &str,
    before: Option<&MemberJson<'_>>,
    after: Option<&MemberJson<'_>>,
) -> SheetResult<()> {
    let json = |v: Option<&MemberJson<'_>>| {
        v.map(serde_json::to_string)
            .transpose()
            .map_err(|e| SpreadsheetError::Core(crate::CoreError::Internal(e.to_string())))
    };
    stmt.execute(params![
        at,
        actor.id,
        actor.name,
        action,
        "member",
        target.0,
        target_name,
        json(before)?,
        json(after)?,
    ])?;
    Ok(())
}

fn hash_all(items: &[(usize, &str)], ctl: &Control<'_>) -> SheetResult<Vec<(usize, String)>> {
    let half = items.len() / 2;
    let cancel = ctl.cancel;
    let run = |part: &[(usize, &str)]| -> SheetResult<Vec<(usize, String)>> {
        part.iter()
            .map(|(i, pw)| {
                if cancel.load(Ordering::Relaxed) {
                    return Err(SpreadsheetError::Cancelled);
                }
                Ok((*i, password::hash(pw)?))
            })
            .collect()
    };
    let (a, b) = std::thread::scope(|s| {
        let second = s.spawn(|| run(&items[half..]));
        let first = run(&items[..half]);
        (
            first,
            second.join().unwrap_or(Err(SpreadsheetError::Cancelled)),
        )
    });
    let mut out = a?;
    out.extend(b?);
    Ok(out)
}

/// The folded text the member index searches; the same fields and folding as
/// `members::search_text` (a test checks that an import and an edit agree).
fn search_text(
    name: &str,
    username: Option<&str>,
    email: Option<&str>,
    mobile: Option<&str>,
    employee_id: Option<&str>,
    org_email: Option<&str>,
) -> String {
    let mut s = String::new();
    for part in [Some(name), username, email, mobile, employee_id, org_email]
        .into_iter()
        .flatten()
    {
        s.push_str(&fold_search(part));
        s.push('\u{1}');
    }
    s
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

fn check_row(
    ctx: &Ctx,
    mut p: Parsed,
    new_depts: &mut Vec<(String, String)>,
    new_at: &mut HashMap<String, usize>,
    super_admins_left: &mut usize,
    present: Present,
    claimed: &mut HashMap<usize, u32>,
) -> Checked {
    let row = p.row;
    let lang = ctx.lang;
    let failed = |problems: Vec<RowProblem>| Checked {
        result: RowResult {
            row,
            outcome: RowOutcome::Failed,
            member_id: None,
            problems,
            skipped: Vec::new(),
        },
        plan: None,
    };
    if !p.problems.is_empty() {
        return failed(std::mem::take(&mut p.problems));
    }
    // Match: Employee ID, else Username, else Email.
    let matched = p
        .employee_id
        .as_deref()
        .and_then(|e| ctx.by_eid.get(&fold_key(e)))
        .or_else(|| {
            p.username
                .as_deref()
                .and_then(|u| ctx.by_user.get(&u.to_ascii_lowercase()))
        })
        .or_else(|| {
            p.email
                .as_deref()
                .and_then(|e| ctx.by_email.get(&e.to_lowercase()))
        })
        .copied();
    let mut problems = Vec::new();
    // Unique fields held by someone other than the matched member.
    let clashes = [
        (
            Column::Username,
            p.username
                .as_deref()
                .and_then(|u| ctx.by_user.get(&u.to_ascii_lowercase())),
        ),
        (
            Column::Email,
            p.email
                .as_deref()
                .and_then(|e| ctx.by_email.get(&e.to_lowercase())),
        ),
        (
            Column::Mobile,
            p.mobile.as_deref().and_then(|m| ctx.by_mobile.get(m)),
        ),
        (
            Column::EmployeeId,
            p.employee_id
                .as_deref()
                .and_then(|e| ctx.by_eid.get(&fold_key(e))),
        ),
    ];
    for (col, holder) in clashes {
        if let Some(&h) = holder {
            if Some(h) != matched {
                let (label, name) = (col.label(lang), &ctx.members[h].name);
                problems.push(problem(
                    lang,
                    row,
                    col,
                    lang.pick(
                        format!("{label} is already used by {name}."),
                        format!("{label}已被 {name} 使用。"),
                    ),
                ));
            }
        }
    }
    let mut positions = Vec::with_capacity(p.positions.len());
    for (shown, key, title) in &p.positions {
        let d = match ctx.depts.get(key) {
            Some(id) => DeptRef::Existing(*id),
            None => {
                // Register every missing ancestor too, so creation goes parents first.
                let segs: Vec<&str> = shown.split('/').collect();
                let mut last = 0;
                for n in 1..=segs.len() {
                    let k = key.split('/').take(n).collect::<Vec<_>>().join("/");
                    if ctx.depts.contains_key(&k) {
                        continue;
                    }
                    last = *new_at.entry(k.clone()).or_insert_with(|| {
                        new_depts.push((segs[..n].join("/"), k));
                        new_depts.len() - 1
                    });
                }
                DeptRef::New(last)
            }
        };
        positions.push((d, title.clone()));
    }
    match matched {
        None => {
            let status = match (&p.username, &p.password) {
                (Some(u), Some(pw)) => {
                    for e in password::check_policy(pw, Some(u)) {
                        problems.push(problem(
                            lang,
                            row,
                            Column::Password,
                            field_reason(lang, e, "密码", pw),
                        ));
                    }
                    MemberStatus::Enabled
                }
                (None, Some(_)) => {
                    problems.push(problem(
                        lang,
                        row,
                        Column::Username,
                        lang.pick(
                            "A row with a Password needs a Username.",
                            "填写了密码的行必须填写用户名。",
                        ),
                    ));
                    MemberStatus::Enabled
                }
                _ if p.email.is_some() || p.mobile.is_some() => MemberStatus::NotJoined,
                _ => {
                    problems.push(problem(
                        lang,
                        row,
                        Column::Email,
                        lang.pick(
                            "A new member needs a Username and Password, or an Email or Mobile to be invited at.",
                            "新成员需要填写用户名和密码，或填写邮箱或手机号以便邀请。",
                        ),
                    ));
                    MemberStatus::NotJoined
                }
            };
            if !problems.is_empty() {
                return failed(problems);
            }
            let roles = p.roles.take().unwrap_or_else(|| vec![ctx.member_role]);
            Checked {
                result: RowResult {
                    row,
                    outcome: RowOutcome::Create,
                    member_id: None,
                    problems: Vec::new(),
                    skipped: Vec::new(),
                },
                plan: Some(Plan::Create {
                    status,
                    parsed: p,
                    positions,
                    roles,
                }),
            }
        }
        Some(idx) => {
            let m = &ctx.members[idx];
            if let Some(first) = claimed.get(&idx) {
                let name = &m.name;
                problems.push(problem(
                    lang,
                    row,
                    Column::Name,
                    lang.pick(
                        format!("Row {first} of this file already matches {name}; a member can be on one row only."),
                        format!("本文件第 {first} 行已对应 {name}；每位成员只能出现在一行中。"),
                    ),
                ));
            } else {
                claimed.insert(idx, row);
            }
            let mut skipped = Vec::new();
            let joined = m.status != MemberStatus::NotJoined;
            let mut name = m.name.clone();
            let mut email = m.email.clone();
            let mut mobile = m.mobile.clone();
            let personal = [
                (
                    Column::Name,
                    true,
                    Some(p.name.clone()),
                    Some(m.name.clone()),
                ),
                (
                    Column::Email,
                    present.email,
                    p.email.clone(),
                    m.email.clone(),
                ),
                (
                    Column::Mobile,
                    present.mobile,
                    p.mobile.clone(),
                    m.mobile.clone(),
                ),
            ];
            for (col, here, new, old) in personal {
                if !here || new == old {
                    continue;
                }
                if joined {
                    skipped.push(problem(
                        lang,
                        row,
                        col,
                        lang.pick(
                            format!(
                                "{} has joined, so only they can change their {}; not changed.",
                                m.name,
                                col.label(Lang::En).to_lowercase()
                            ),
                            format!(
                                "{} 已加入，只有本人可以修改{}；未修改。",
                                m.name,
                                col.label(lang)
                            ),
                        ),
                    ));
                } else {
                    match col {
                        Column::Name => name = new.unwrap_or_default(),
                        Column::Email => email = new,
                        _ => mobile = new,
                    }
                }
            }
            if p.username.is_some()
                && p.username.as_deref().map(str::to_ascii_lowercase)
                    != m.username.as_deref().map(str::to_ascii_lowercase)
            {
                skipped.push(problem(
                    lang,
                    row,
                    Column::Username,
                    lang.pick(
                        "Usernames are not changed by an import; not changed.",
                        "导入不会修改用户名；未修改。",
                    ),
                ));
            }
            if p.password.is_some() {
                skipped.push(problem(
                    lang,
                    row,
                    Column::Password,
                    lang.pick(
                        "Passwords of existing members are not changed by an import; not changed.",
                        "导入不会修改已有成员的密码；未修改。",
                    ),
                ));
            }
            if !joined && email.is_none() && mobile.is_none() {
                problems.push(problem(
                    lang,
                    row,
                    Column::Email,
                    lang.pick(
                        "A member who has not joined needs an email address or a mobile number.",
                        "未加入的成员需要有邮箱或手机号。",
                    ),
                ));
            }
            let employee_id = if present.employee_id {
                p.employee_id.clone()
            } else {
                m.employee_id.clone()
            };
            let work_location = if present.work_location {
                p.work_location.clone()
            } else {
                m.work_location.clone()
            };
            if !present.position {
                // Without a Position column, titles stay with their departments.
                for (d, t) in &mut positions {
                    if let DeptRef::Existing(id) = d {
                        *t = m
                            .positions
                            .iter()
                            .find(|(od, _)| od == id)
                            .and_then(|(_, ot)| ot.clone());
                    }
                }
            }
            let roles = p.roles.clone().unwrap_or_else(|| m.roles.clone());
            let same_positions = positions.len() == m.positions.len()
                && positions
                    .iter()
                    .zip(&m.positions)
                    .all(|((d, t), (od, ot))| *d == DeptRef::Existing(*od) && t == ot);
            let changed = name != m.name
                || email != m.email
                || mobile != m.mobile
                || employee_id != m.employee_id
                || work_location != m.work_location
                || !same_positions
                || roles != m.roles;
            if changed
                && !crate::members::allowed_actions(m.status)
                    .contains(&crate::members::MemberAction::Edit)
            {
                problems.push(problem(
                    lang,
                    row,
                    Column::Name,
                    lang.pick(
                        format!(
                            "{} is {}; restore them before importing changes.",
                            m.name,
                            m.status.as_str()
                        ),
                        format!(
                            "{} 当前为“{}”状态；请先恢复该成员，再导入修改。",
                            m.name,
                            status_zh(m.status)
                        ),
                    ),
                ));
            }
            let was_super = m.status == MemberStatus::Enabled && m.roles.contains(&ctx.super_admin);
            if was_super && !roles.contains(&ctx.super_admin) {
                if *super_admins_left <= 1 {
                    problems.push(problem(
                        lang,
                        row,
                        Column::Role,
                        lang.pick(
                            "The organization needs at least one enabled Super Admin.",
                            "组织至少需要一名已启用的超级管理员（Super Admin）。",
                        ),
                    ));
                } else if problems.is_empty() {
                    *super_admins_left -= 1;
                }
            }
            if !problems.is_empty() {
                return failed(problems);
            }
            if !changed {
                return Checked {
                    result: RowResult {
                        row,
                        outcome: RowOutcome::Unchanged,
                        member_id: Some(m.id),
                        problems: Vec::new(),
                        skipped,
                    },
                    plan: None,
                };
            }
            Checked {
                result: RowResult {
                    row,
                    outcome: RowOutcome::Update,
                    member_id: Some(m.id),
                    problems: Vec::new(),
                    skipped,
                },
                plan: Some(Plan::Update {
                    idx,
                    name,
                    email,
                    mobile,
                    employee_id,
                    work_location,
                    positions,
                    roles,
                }),
            }
        }
    }
}

/// Which optional columns the file has. A blank cell clears its field (the file is the whole
/// truth for the columns it has); a column the file lacks leaves the field as it is.
#[derive(Clone, Copy)]
struct Present {
    email: bool,
    mobile: bool,
    employee_id: bool,
    work_location: bool,
    position: bool,
}

/// Writes the rows of `source` again, with Result and Reason columns (failed rows
/// highlighted), so the admin can fix the failed rows and import the same file again (with
/// the same `mapping`, when the import had one). The file is in the report's language, as
/// its reasons are; both languages' Result and Reason columns are ignored by an import.
pub fn write_results(
    source: &Path,
    mapping: Option<&ColumnMapping>,
    report: &ImportReport,
    out: &Path,
) -> SheetResult<()> {
    use rust_xlsxwriter::{Color, Format, Workbook};
    let table = read_table(source, mapping, &Control::none())?;
    let by_row: HashMap<u32, &RowResult> = report.rows.iter().map(|r| (r.row, r)).collect();
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    let bold = Format::new().set_bold();
    let bad = Format::new().set_background_color(Color::RGB(0xFFC7CE));
    let text = Format::new().set_num_format("@");
    let xerr = |e: rust_xlsxwriter::XlsxError| {
        SpreadsheetError::Core(crate::CoreError::Internal(format!(
            "The results file could not be written: {e}"
        )))
    };
    let ncols = table.headers.len() as u16;
    for (c, h) in table.headers.iter().enumerate() {
        ws.write_string_with_format(0, c as u16, h, &bold)
            .map_err(xerr)?;
    }
    let lang = report.lang;
    let [result_head, reason_head] = RESULT_EXTRA.map(|(en, zh)| lang.pick(en, zh));
    ws.write_string_with_format(0, ncols, result_head, &bold)
        .map_err(xerr)?;
    ws.write_string_with_format(0, ncols + 1, reason_head, &bold)
        .map_err(xerr)?;
    for (i, (n, cells)) in table.rows.iter().enumerate() {
        let r = (i + 1) as u32;
        let res = by_row.get(n);
        let failed = res.is_some_and(|x| x.outcome == RowOutcome::Failed);
        for c in 0..table.headers.len() {
            let v = cells.get(c).map(RawCell::display).unwrap_or_default();
            let fmt = if failed { &bad } else { &text };
            ws.write_string_with_format(r, c as u16, v, fmt)
                .map_err(xerr)?;
        }
        let (label, reason) = match res {
            Some(x) => (
                result_label(x.outcome, report.committed, lang),
                x.problems
                    .iter()
                    .chain(&x.skipped)
                    .map(|p| p.reason.as_str())
                    .collect::<Vec<_>>()
                    // Chinese sentences follow one another without a space.
                    .join(lang.pick(" ", "")),
            ),
            None => ("", String::new()),
        };
        let fmt = if failed { &bad } else { &text };
        ws.write_string_with_format(r, ncols, label, fmt)
            .map_err(xerr)?;
        ws.write_string_with_format(r, ncols + 1, reason, fmt)
            .map_err(xerr)?;
    }
    ws.set_freeze_panes(1, 0).map_err(xerr)?;
    wb.save(out).map_err(xerr)?;
    Ok(())
}

/// A row's Result in the results file: what happened, or for a preview what would.
fn result_label(outcome: RowOutcome, committed: bool, lang: Lang) -> &'static str {
    let (en, zh) = match (outcome, committed) {
        (RowOutcome::Create, true) => ("created", "已新建"),
        (RowOutcome::Create, false) => ("would be created", "将新建"),
        (RowOutcome::Update, true) => ("updated", "已更新"),
        (RowOutcome::Update, false) => ("would be updated", "将更新"),
        (RowOutcome::Unchanged, true) => ("unchanged", "无变化"),
        (RowOutcome::Unchanged, false) => ("would be unchanged", "无变化"),
        (RowOutcome::Failed, _) => ("failed", "失败"),
    };
    lang.pick(en, zh)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cell_repair_explains_itself_in_both_languages() {
        let cases = [
            (
                RawCell::Float(1.5),
                Column::EmployeeId,
                "Employee ID is stored as the number 1.5, which cannot be turned back into the exact text; format the column as text and type it again.",
                "工号存储为数字 1.5，无法还原为原来的文字；请将该列设为文本格式后重新输入。",
            ),
            (
                RawCell::Date("2023-03-15".into()),
                Column::WorkLocation,
                "Work Location is a date (2023-03-15); this column takes text — format the cell as text.",
                "工作地点是日期（2023-03-15）；此列应填写文字，请将单元格设为文本格式。",
            ),
            (
                RawCell::Formula("1+2".into()),
                Column::Name,
                "Name is a formula (=1+2); type the value itself.",
                "姓名是公式（=1+2）；请直接填写值。",
            ),
            (
                RawCell::Bool(false),
                Column::Role,
                "Role is the value FALSE; this column takes text.",
                "角色是逻辑值 FALSE；此列应填写文字。",
            ),
            (
                RawCell::Error("#DIV/0!".into()),
                Column::Email,
                "Email is the error value #DIV/0!.",
                "邮箱是错误值 #DIV/0!。",
            ),
        ];
        for (cell, col, en, zh) in cases {
            assert_eq!(cell_text(Some(&cell), col, Lang::En), Err(en.to_owned()));
            assert_eq!(cell_text(Some(&cell), col, Lang::Zh), Err(zh.to_owned()));
        }
        assert_eq!(
            cell_text(Some(&RawCell::Float(1.5)), Column::Name, Lang::Zh),
            Ok(Some("1.5".into()))
        );
    }

    #[test]
    fn result_labels_in_both_languages() {
        assert_eq!(
            result_label(RowOutcome::Create, false, Lang::En),
            "would be created"
        );
        assert_eq!(result_label(RowOutcome::Failed, false, Lang::En), "failed");
        assert_eq!(result_label(RowOutcome::Update, true, Lang::Zh), "已更新");
        assert_eq!(result_label(RowOutcome::Update, false, Lang::Zh), "将更新");
    }
}
