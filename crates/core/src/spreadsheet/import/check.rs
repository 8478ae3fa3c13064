//! One row checked against the directory: matched to an existing member or planned as a new
//! one, its departments, roles and status resolved, and what may not change refused.

use super::parse::problem;
use super::{
    Checked, Ctx, DeptRef, HashMap, Parsed, Plan, Present, RowOutcome, RowProblem, RowResult,
    Update,
};
use crate::password;
use crate::spreadsheet::columns::{Column, Lang};
use crate::spreadsheet::reasons::{field_reason, status_zh};
use crate::types::{fold_key, MemberStatus};

pub(super) fn check_row(
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
            warnings: Vec::new(),
        },
        plan: None,
    };
    if !p.problems.is_empty() {
        return failed(std::mem::take(&mut p.problems));
    }
    // Match: Employee ID, else Username, else Email; a row of a team's change names its
    // member (or none) as its author's computer matched it.
    let matched = match p.decided {
        Some(Some(id)) => match ctx.members.binary_search_by_key(&id, |m| m.id) {
            Ok(i) => Some(i),
            Err(_) => {
                return failed(vec![problem(
                    lang,
                    row,
                    Column::Name,
                    lang.pick(
                        format!(
                            "Member {id}, whom this row updates, is no longer in the directory."
                        ),
                        format!("此行要更新的成员 {id} 已不在通讯录中。"),
                    ),
                )])
            }
        },
        Some(None) => None,
        None => p
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
            .copied(),
    };
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
                // A team's change carries the hash its author's computer made, checked there.
                (Some(_), None) if p.password_hash.is_some() => MemberStatus::Enabled,
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
            if p.roles
                .as_ref()
                .is_some_and(|r| r.contains(&ctx.super_admin))
            {
                super_admin_role_only(ctx, row, &mut problems);
            }
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
                    warnings: Vec::new(),
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
            if roles.contains(&ctx.super_admin) != m.roles.contains(&ctx.super_admin) {
                super_admin_role_only(ctx, row, &mut problems);
            }
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
                        warnings: Vec::new(),
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
                    warnings: Vec::new(),
                },
                plan: Some(Plan::Update(Update {
                    idx,
                    name,
                    email,
                    mobile,
                    employee_id,
                    work_location,
                    positions,
                    roles,
                })),
            }
        }
    }
}

/// Refuses the row when an importer who is not a Super Admin gives or takes away the Super
/// Admin role (as `Directory::guard_super_admin_grant` does for an edit).
fn super_admin_role_only(ctx: &Ctx, row: u32, problems: &mut Vec<RowProblem>) {
    if ctx.by_super_admin {
        return;
    }
    let lang = ctx.lang;
    problems.push(problem(
        lang,
        row,
        Column::Role,
        lang.pick(
            crate::members::SUPER_ADMIN_ROLE_ONLY,
            "只有超级管理员（Super Admin）才能授予或取消超级管理员角色。",
        ),
    ));
}
