//! Writing an import: passwords hashed before the transaction, then members, positions,
//! roles, departments and one audit entry a member written in one transaction, its
//! references checked before the commit.

use std::sync::atomic::Ordering;

use rusqlite::params;
use serde::Serialize;
use serde_json::json;

use super::{Ctx, DeptRef, HashMap, ImportReport, Plan, RowOutcome, Validation};
use crate::audit::{self, Actor};
use crate::departments::insert_department;
use crate::member_row::{self, Fields};
use crate::password;
use crate::spreadsheet::{Control, SheetResult, SpreadsheetError, Stage};
use crate::store::Directory;
use crate::types::{fold_key, DepartmentId, MemberId, MemberStatus, RoleId};
use crate::CoreError;

impl Directory {
    pub(super) fn commit_import(
        &mut self,
        actor: &Actor,
        v: Validation,
        ctl: &Control<'_>,
    ) -> SheetResult<ImportReport> {
        let hashes = hash_passwords(&v.plans, ctl)?;
        self.commit_hashed(actor, v, hashes, ctl, true)
    }

    /// Writes a validated import whose new members' passwords are hashed already: `hashes`
    /// holds (plan index, hash), in the plans' order. `counted`: it counts as one of the
    /// admin's imports of the day (a team's import counts with its first part only).
    pub(super) fn commit_hashed(
        &mut self,
        actor: &Actor,
        v: Validation,
        hashes: Vec<(usize, String)>,
        ctl: &Control<'_>,
        counted: bool,
    ) -> SheetResult<ImportReport> {
        let Validation {
            mut report,
            plans,
            new_depts,
            ctx,
            ..
        } = v;
        let total = plans.len();
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
        // transaction (a team's change is applied in one): it is set around it.
        self.conn.pragma_update(None, "foreign_keys", "OFF")?;
        let written = self.with_checkpoint_after(|d| {
            let plan = Planned {
                plans,
                new_depts,
                ctx,
                hashes,
                counted,
            };
            d.write_import(actor, &mut report, plan, now, ctl)
        });
        self.conn.pragma_update(None, "foreign_keys", "ON")?;
        self.conn.pragma_update(None, "cache_size", cache)?;
        written??;
        self.drop_index();
        ctl.report(Stage::Commit, total, total);
        report.committed = true;
        Ok(report)
    }

    fn write_import(
        &mut self,
        actor: &Actor,
        report: &mut ImportReport,
        plan: Planned,
        now: i64,
        ctl: &Control<'_>,
    ) -> SheetResult<()> {
        let Planned {
            plans,
            new_depts,
            ctx,
            hashes,
            counted,
        } = plan;
        let total = plans.len();
        // A savepoint: its own transaction, or a part of the one a team's change is applied in.
        let tx = self.conn.savepoint()?;
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
                let id = insert_department(&tx, parent, seg, now)?;
                audit::record(
                    &tx,
                    now,
                    actor,
                    audit::Entry::department("department.create", id, seg)
                        .after(json!({"name": seg, "parentId": parent, "source": "import"})),
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
            let mut del_pos = tx.prepare("DELETE FROM positions WHERE member_id = ?1")?;
            let mut ins_pos = tx.prepare(
                "INSERT INTO positions (member_id, department_id, title, is_primary, sort_order) VALUES (?1, ?2, ?3, ?4, ?5)",
            )?;
            let mut unhead = tx.prepare(member_row::CLEAR_HEADSHIPS_LEFT)?;
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
                        let fields = Fields {
                            name: &p.name,
                            username: p.username.as_deref(),
                            email: p.email.as_deref(),
                            mobile: p.mobile.as_deref(),
                            employee_id: p.employee_id.as_deref(),
                            org_email: None,
                            work_location: p.work_location.as_deref(),
                        };
                        let id = member_row::insert(
                            &tx,
                            &fields,
                            *status,
                            hash.as_deref(),
                            actor.id,
                            now,
                        )?;
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
                    Plan::Update(u) => {
                        let m = &ctx.members[u.idx];
                        let fields = Fields {
                            name: &u.name,
                            username: m.username.as_deref(),
                            email: u.email.as_deref(),
                            mobile: u.mobile.as_deref(),
                            employee_id: u.employee_id.as_deref(),
                            // Not in the file: kept as it is.
                            org_email: m.org_email.as_deref(),
                            work_location: u.work_location.as_deref(),
                        };
                        member_row::update(&tx, m.id, &fields, now)?;
                        let new_pos: Vec<(DepartmentId, Option<String>)> = u
                            .positions
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
                        if u.roles != m.roles {
                            del_roles.execute([m.id])?;
                            for r in &u.roles {
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
                            email: u.email.as_deref(),
                            employee_id: u.employee_id.as_deref(),
                            mobile: u.mobile.as_deref(),
                            name: &u.name,
                            positions: &now_pos,
                            roles: &u.roles,
                            status: None,
                            username: None,
                            work_location: u.work_location.as_deref(),
                        };
                        record_with(
                            &mut ins_audit,
                            now,
                            actor,
                            "member.import_edit",
                            m.id,
                            &u.name,
                            Some(&before),
                            Some(&after),
                        )?;
                    }
                }
            }
        }
        ctl.check()?;
        if counted {
            crate::spreadsheet::quota::log_import(&tx, now, actor, &report.counts)?;
        }
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

/// What an import writes: its plans, the departments to create, what the directory held
/// when it was validated, the new members' password hashes (plan index, hash) and whether it
/// counts against the day's quota.
struct Planned {
    plans: Vec<Plan>,
    new_depts: Vec<(String, String)>,
    ctx: Ctx,
    hashes: Vec<(usize, String)>,
    counted: bool,
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

/// The new members' passwords hashed, as (plan index, hash). Argon2id (m=19 MiB, t=2) costs
/// ~30–50 ms per password in release: hashed before the transaction, on two threads, so the
/// write lock is held only for the inserts.
pub(super) fn hash_passwords(
    plans: &[Plan],
    ctl: &Control<'_>,
) -> SheetResult<Vec<(usize, String)>> {
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
    hash_all(&to_hash, ctl)
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
