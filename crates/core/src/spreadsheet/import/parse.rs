//! One row's cells repaired and parsed: numbers back to exact text, values that are no text
//! refused, and the rules of each field that need no other row.

use super::{Ctx, Parsed, RowProblem};
use crate::error::ErrorDetail;
use crate::spreadsheet::columns::{Column, Lang};
use crate::spreadsheet::read::{number_text, RawCell, Table};
use crate::spreadsheet::reasons::field_reason;
use crate::types::{fold_key, parse_employee_id, DisplayName, Email, Mobile, Username};

pub(super) fn problem(lang: Lang, row: u32, col: Column, reason: impl Into<String>) -> RowProblem {
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
pub(super) fn canonical_path(p: &str) -> (String, String) {
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
    /// Cell repair and per-field rules: everything that needs no other row.
    pub(super) fn parse_row(&self, table: &Table, row: u32, cells: &[RawCell]) -> Parsed {
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
        // A cell the field's rule refuses, with the reason in the file's language.
        let refused = |col: Column, e: ErrorDetail, label_zh: &str, value: &str| {
            problem(lang, row, col, field_reason(lang, e, label_zh, value))
        };
        match DisplayName::parse("name", "Name", name.as_deref().unwrap_or("")) {
            Ok(n) => p.name = n.as_str().to_owned(),
            Err(e) => probs.push(refused(
                Column::Name,
                e,
                "姓名",
                name.as_deref().unwrap_or(""),
            )),
        }
        if let Some(u) = username {
            match Username::parse(&u) {
                Ok(u) => p.username = Some(u.as_str().to_owned()),
                Err(e) => probs.push(refused(Column::Username, e, "用户名", &u)),
            }
        }
        // Passwords are not trimmed beyond what cell repair did: spaces inside count.
        p.password = pw;
        if let Some(e) = email {
            match Email::parse("email", &e) {
                Ok(ok) => p.email = Some(ok.as_str().to_owned()),
                Err(err) => probs.push(refused(Column::Email, err, "邮箱", &e)),
            }
        }
        if let Some(m) = mobile_cell {
            // A mobile the file stored as a number has lost its "+": repaired when the country
            // code is there, else the failure says so.
            let numeric = matches!(
                table.cell(cells, Column::Mobile),
                Some(RawCell::Int(_) | RawCell::Float(_))
            );
            // Round trip: a stored E.164 number needs no re-parsing (which costs ~25 µs).
            if m.starts_with('+') && self.by_mobile.contains_key(&m) {
                p.mobile = Some(m);
            } else {
                match self.read_mobile(&m, numeric) {
                    Ok((x, repaired)) => {
                        if let Some(how) = repaired {
                            p.warnings.push(problem(lang, row, Column::Mobile, how));
                        }
                        p.mobile = Some(x);
                    }
                    Err(why) => probs.push(problem(lang, row, Column::Mobile, why)),
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
                Err(err) => probs.push(refused(Column::EmployeeId, err, "工号", &e)),
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

impl Ctx {
    /// A mobile cell read in the default region; a number without "+" that is not valid
    /// there but is once "+" is put in front (the country code is there, only the "+" was
    /// lost) is read that way, with what was done as the second value. `numeric`: the
    /// cell is stored as a number. The reason, in the import's language, when it is refused.
    fn read_mobile(&self, m: &str, numeric: bool) -> Result<(String, Option<String>), String> {
        let lang = self.lang;
        let e = match Mobile::parse("mobile", m, &self.region) {
            Ok(x) => return Ok((x.as_str().to_owned(), None)),
            Err(e) => e,
        };
        let digits = !m.is_empty() && m.bytes().all(|b| b.is_ascii_digit());
        if digits {
            if let Ok(x) = Mobile::parse("mobile", &format!("+{m}"), "") {
                let x = x.as_str().to_owned();
                let region = &self.region;
                let how = if numeric {
                    lang.pick(
                        format!("Mobile is stored as the number {m}, which lost its leading \"+\": read as {x}."),
                        format!("手机号存储为数字 {m}，开头的“+”已丢失：已按 {x} 读取。"),
                    )
                } else {
                    lang.pick(
                        format!("Mobile \"{m}\" has no \"+\" and is not a number of the default region ({region}), but starts with a country code: read as {x}."),
                        format!("手机号“{m}”没有“+”，也不是默认地区（{region}）的号码，但以国家码开头：已按 {x} 读取。"),
                    )
                };
                return Ok((x, Some(how)));
            }
        }
        let why = field_reason(lang, e, "手机号", m);
        Err(if numeric {
            lang.pick(
                format!("{why} The cell is stored as a number, so a leading \"+\" or 0 may have been lost: format the column as text and type the number with \"+\" and the country code."),
                format!("{why}该单元格存储为数字，开头的“+”或 0 可能已丢失：请将该列设为文本格式，并带“+”和国家码重新输入号码。"),
            )
        } else {
            why
        })
    }
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
}
