//! An import as changes of a team's log. On the author's computer the file is validated as
//! any import is, the new members' passwords hashed, and the rows to write carried with what
//! the commit needs (the member each updates, departments by id, new ones by path, the hash
//! instead of the password), split into parts that each fit one change. Every computer applies
//! a part by checking its rows again against the directory as it stands at that point of the
//! log (the same `check_row`) and writing them with the same commit, all or nothing.

use std::path::Path;

use serde::{Deserialize, Serialize};

use super::parse::{canonical_path, problem};
use super::write::hash_passwords;
use super::{
    Ctx, DeptRef, HashMap, ImportOptions, ImportReport, Parsed, Plan, Present, RowOutcome, Update,
    Validation,
};
use crate::audit::Actor;
use crate::error::{CoreError, CoreResult, ErrorDetail};
use crate::gateway_accounts::NOT_AN_ACCOUNT_ID;
use crate::spreadsheet::columns::{Column, Lang};
use crate::spreadsheet::{Control, SheetResult, SpreadsheetError};
use crate::store::Directory;
use crate::types::{
    parse_employee_id, DepartmentId, DisplayName, Email, MemberId, Mobile, RoleId, Username,
};

/// One part of an import, the arguments of one change of kind `member.import`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ImportPart {
    /// This part's number, from 1, of `parts`.
    pub part: u32,
    pub parts: u32,
    pub create_missing_departments: bool,
    /// The optional columns the file had: a column it lacked leaves its field as it is.
    pub columns: Present,
    /// The language of the rows' problems, the author's.
    pub lang: Lang,
    pub rows: Vec<ImportRow>,
}

/// One row of the file that passed validation on its author's computer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ImportRow {
    /// The row number the file shows.
    pub row: u32,
    /// The member the row updates; none: it adds one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub member_id: Option<MemberId>,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
    /// A new member's password as the Argon2id hash its author's computer made: a change
    /// never carries the password.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password_hash: Option<String>,
    /// A new member's gateway account, its id made on the author's computer, so that every
    /// computer binds the member alike (none in a part of an older version: left unbound).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mobile: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub employee_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub work_location: Option<String>,
    /// The first is the primary department.
    pub positions: Vec<ImportPosition>,
    /// None: the member's roles stay as they are (a new member is a Member).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub roles: Option<Vec<RoleId>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ImportPosition {
    pub department: DepartmentAt,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
}

/// A department of a row: one the author's directory holds, by id, or one the import
/// creates, by its path from the root ("Sales/EMEA").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum DepartmentAt {
    Id(DepartmentId),
    Path(String),
}

/// Room in a change for its format, time, kind and the part's own fields.
const PART_ROOM: usize = 1024;

impl Directory {
    /// An import made into parts of a team's log: `path` validated as
    /// [`Self::import_members`] validates it (the quota included), the new members'
    /// passwords hashed here, and the rows to write split into parts that each fit one
    /// change, whole rows each. Nothing is written; the report is the preview's.
    pub fn import_parts(
        &self,
        actor: &Actor,
        path: &Path,
        opts: &ImportOptions,
        ctl: &Control<'_>,
    ) -> SheetResult<(ImportReport, Vec<ImportPart>)> {
        self.check_import_quota(actor)?;
        let opts = &opts.acting_as(self, actor)?;
        let v = self.validate_import(path, opts, ctl)?;
        let hashes = hash_passwords(&v.plans, ctl)?;
        let rows = carried_rows(&v, hashes);
        let room = orgdesk_protocol::MAX_CHANGE_BODY_BYTES - PART_ROOM;
        let mut split: Vec<Vec<ImportRow>> = Vec::new();
        let mut size = room;
        for row in rows {
            let n = serde_json::to_string(&row).map_or(room, |s| s.len() + 1);
            if size + n > room {
                split.push(Vec::new());
                size = 0;
            }
            size += n;
            if let Some(last) = split.last_mut() {
                last.push(row);
            }
        }
        let parts = split.len() as u32;
        let parts = split
            .into_iter()
            .enumerate()
            .map(|(i, rows)| ImportPart {
                part: i as u32 + 1,
                parts,
                create_missing_departments: opts.create_missing_departments,
                columns: v.present,
                lang: opts.lang,
                rows,
            })
            .collect();
        Ok((v.report, parts))
    }

    /// Applies one part of an import made on another computer (or on this one, once back
    /// from the log), as `actor`: its rows checked again against the directory as it stands
    /// and written with the import's own commit, all of them or, when one fails, none.
    pub(crate) fn apply_import_part(&mut self, actor: &Actor, part: &ImportPart) -> CoreResult<()> {
        let ctl = Control::none();
        let opts = ImportOptions {
            create_missing_departments: part.create_missing_departments,
            mapping: None,
            lang: part.lang,
            by_super_admin: self.acts_as_super_admin(actor)?,
        };
        let ctx = Ctx::load(self, &opts).map_err(core)?;
        let keys: HashMap<DepartmentId, String> =
            ctx.depts.iter().map(|(k, id)| (*id, k.clone())).collect();
        let parsed = part.rows.iter().map(|r| r.parsed(&ctx, &keys)).collect();
        let v = self
            .finish_validation(ctx, part.columns, Vec::new(), parsed, &opts, &ctl)
            .map_err(core)?;
        let failed: Vec<String> = v
            .report
            .rows
            .iter()
            .filter(|r| r.outcome == RowOutcome::Failed)
            .flat_map(|r| r.problems.iter())
            .take(3)
            .map(|p| format!("Row {}: {}", p.row, p.reason))
            .collect();
        if !failed.is_empty() {
            return Err(CoreError::Conflict(format!(
                "{} Nothing of this part of the import was written.",
                failed.join(" ")
            )));
        }
        let hashes = v
            .plans
            .iter()
            .enumerate()
            .filter_map(|(i, p)| match p {
                Plan::Create { parsed, .. } => parsed.password_hash.clone().map(|h| (i, h)),
                Plan::Update(_) => None,
            })
            .collect();
        self.commit_hashed(actor, v, hashes, &ctl, part.part == 1)
            .map_err(core)?;
        for row in &part.rows {
            if let (Some(username), Some(account_id)) = (&row.username, &row.account_id) {
                let key = username.to_ascii_lowercase();
                let member = self.conn.query_row(
                    "SELECT id FROM members WHERE username_key = ?1",
                    [key],
                    |r| r.get(0),
                )?;
                self.bind_new_member(member, Some(account_id))?;
            }
        }
        Ok(())
    }
}

impl ImportPart {
    /// The rules a part must keep beyond its shape, the same the file's cells are read by;
    /// a refusal names its field (`rows[3].email`).
    pub fn check(&self) -> Result<(), ErrorDetail> {
        let bad = |field: String, reason: &str| Err(ErrorDetail::field(&field, "invalid", reason));
        if self.part == 0 || self.part > self.parts {
            return bad(
                "part".into(),
                "A part is numbered from 1 to the number of parts.",
            );
        }
        if self.rows.is_empty() {
            return bad("rows".into(), "A part of an import holds at least one row.");
        }
        for (i, r) in self.rows.iter().enumerate() {
            let at = |e: ErrorDetail, field: &str| ErrorDetail {
                field: Some(format!("rows[{i}].{field}")),
                ..e
            };
            DisplayName::parse("name", "Name", &r.name).map_err(|e| at(e, "name"))?;
            if let Some(u) = &r.username {
                Username::parse(u).map_err(|e| at(e, "username"))?;
            }
            if let Some(h) = &r.password_hash {
                crate::password::check_hash(h).map_err(|e| at(e, "passwordHash"))?;
                if r.username.is_none() || r.member_id.is_some() {
                    return bad(
                        format!("rows[{i}].passwordHash"),
                        "Only a new member with a username is given a password.",
                    );
                }
            }
            if let Some(id) = &r.account_id {
                if r.username.is_none() || r.member_id.is_some() {
                    return bad(
                        format!("rows[{i}].accountId"),
                        "Only a new member with a username is given an account.",
                    );
                }
                if !orgdesk_rules::account::is_account_id(id) {
                    return bad(format!("rows[{i}].accountId"), NOT_AN_ACCOUNT_ID);
                }
            }
            if let Some(e) = &r.email {
                Email::parse("email", e).map_err(|e| at(e, "email"))?;
            }
            if let Some(m) = &r.mobile {
                // Written with its country code: no default region is needed.
                Mobile::parse("mobile", m, "").map_err(|e| at(e, "mobile"))?;
            }
            if let Some(e) = &r.employee_id {
                parse_employee_id(e).map_err(|e| at(e, "employeeId"))?;
            }
            let long = |s: &Option<String>| s.as_ref().is_some_and(|s| s.chars().count() > 64);
            if long(&r.work_location) {
                return bad(
                    format!("rows[{i}].workLocation"),
                    "Work location must be at most 64 characters.",
                );
            }
            if r.positions.is_empty() {
                return bad(format!("rows[{i}].positions"), "Department is required.");
            }
            for (k, p) in r.positions.iter().enumerate() {
                if long(&p.title) {
                    return bad(
                        format!("rows[{i}].positions[{k}].title"),
                        "Position must be at most 64 characters.",
                    );
                }
                if let DepartmentAt::Path(path) = &p.department {
                    for seg in path.split('/').filter(|s| !s.trim().is_empty()) {
                        DisplayName::parse("name", "Department name", seg)
                            .map_err(|e| at(e, &format!("positions[{k}].department.path")))?;
                    }
                }
            }
        }
        Ok(())
    }

    /// How many rows the part holds.
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    /// Whether the part holds no row (a part a body must not be).
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }
}

impl ImportRow {
    /// The row as validation reads a row of a file: its member decided, its departments
    /// named by the keys the directory now holds them under (one no longer there, or a new
    /// one the import may not create, is the row's problem).
    fn parsed(&self, ctx: &Ctx, keys: &HashMap<DepartmentId, String>) -> Parsed {
        let (lang, row) = (ctx.lang, self.row);
        let mut p = Parsed {
            row,
            name: self.name.clone(),
            username: self.username.clone(),
            password_hash: self.password_hash.clone(),
            decided: Some(self.member_id),
            email: self.email.clone(),
            mobile: self.mobile.clone(),
            employee_id: self.employee_id.clone(),
            work_location: self.work_location.clone(),
            roles: self.roles.clone(),
            ..Parsed::default()
        };
        for pos in &self.positions {
            let (shown, key) = match &pos.department {
                DepartmentAt::Id(id) => match keys.get(id) {
                    Some(key) => (key.clone(), key.clone()),
                    None => {
                        p.problems.push(problem(
                            lang,
                            row,
                            Column::Department,
                            lang.pick(
                                format!("Department {id} is no longer in the directory."),
                                format!("部门 {id} 已不在通讯录中。"),
                            ),
                        ));
                        continue;
                    }
                },
                DepartmentAt::Path(path) => canonical_path(path),
            };
            if !ctx.depts.contains_key(&key) && !ctx.create_missing {
                p.problems.push(problem(
                    lang,
                    row,
                    Column::Department,
                    lang.pick(
                        format!("No department \"{shown}\"."),
                        format!("部门“{shown}”不存在。"),
                    ),
                ));
            }
            p.positions.push((shown, key, pos.title.clone()));
        }
        let known = |r: &RoleId| ctx.roles.values().any(|k| k == r);
        if let Some(bad) = self.roles.iter().flatten().find(|r| !known(r)) {
            p.problems.push(problem(
                lang,
                row,
                Column::Role,
                lang.pick(format!("No role {bad}."), format!("角色 {bad} 不存在。")),
            ));
        }
        p
    }
}

/// The rows an import writes, as its parts carry them, in the file's order: the plans of
/// the rows to create or update (the report's rows of those outcomes, in the same order),
/// with the new members' password hashes (plan index, hash) in place of their passwords.
fn carried_rows(v: &Validation, hashes: Vec<(usize, String)>) -> Vec<ImportRow> {
    let mut hashes = hashes.into_iter().peekable();
    let dept = |d: &DeptRef| match d {
        DeptRef::Existing(id) => DepartmentAt::Id(*id),
        DeptRef::New(i) => DepartmentAt::Path(v.new_depts[*i].0.clone()),
    };
    let positions = |list: &[(DeptRef, Option<String>)]| {
        list.iter()
            .map(|(d, title)| ImportPosition {
                department: dept(d),
                title: title.clone(),
            })
            .collect()
    };
    let written = v
        .report
        .rows
        .iter()
        .filter(|r| matches!(r.outcome, RowOutcome::Create | RowOutcome::Update));
    written
        .zip(&v.plans)
        .enumerate()
        .map(|(i, (result, plan))| match plan {
            Plan::Create {
                parsed: p,
                positions: at,
                roles,
                ..
            } => ImportRow {
                row: result.row,
                member_id: None,
                name: p.name.clone(),
                username: p.username.clone(),
                password_hash: hashes.next_if(|(k, _)| *k == i).map(|(_, h)| h),
                account_id: p
                    .username
                    .as_ref()
                    .map(|_| orgdesk_rules::account::new_account_id()),
                email: p.email.clone(),
                mobile: p.mobile.clone(),
                employee_id: p.employee_id.clone(),
                work_location: p.work_location.clone(),
                positions: positions(at),
                roles: Some(roles.clone()),
            },
            Plan::Update(u) => {
                let m = &v.ctx.members[u.idx];
                let Update {
                    name,
                    email,
                    mobile,
                    employee_id,
                    work_location,
                    positions: at,
                    roles,
                    ..
                } = u;
                ImportRow {
                    row: result.row,
                    member_id: Some(m.id),
                    name: name.clone(),
                    username: None,
                    password_hash: None,
                    account_id: None,
                    email: email.clone(),
                    mobile: mobile.clone(),
                    employee_id: employee_id.clone(),
                    work_location: work_location.clone(),
                    positions: positions(at),
                    // Roles the row leaves as they are stay so, whatever happens meanwhile.
                    roles: (*roles != m.roles).then(|| roles.clone()),
                }
            }
        })
        .collect()
}

/// A part's failure as the change's refusal: all that applying a part does is the core's.
fn core(e: SpreadsheetError) -> CoreError {
    match e {
        SpreadsheetError::Core(e) => e,
        other => CoreError::Conflict(other.to_string()),
    }
}
