//! The import template: headers, one example row, dropdown lists filled from the current
//! organization, text-formatted ID columns, and a sheet explaining each column.

use std::collections::HashMap;
use std::path::Path;

use rust_xlsxwriter::{
    DataValidation, DataValidationErrorStyle, Format, Formula, Workbook, Worksheet, XlsxError,
};

use super::columns::{Column, Lang};
use super::{SheetResult, SpreadsheetError};
use crate::store::Directory;
use crate::types::DepartmentId;

/// Rows the dropdowns and text formats cover below the header.
const TEMPLATE_ROWS: u32 = 10_000;

pub(crate) fn xlsx_error(e: XlsxError) -> SpreadsheetError {
    SpreadsheetError::Core(crate::CoreError::Internal(format!(
        "The spreadsheet could not be written: {e}"
    )))
}

/// Every department path ("Sales/EMEA"), in tree order, the root as "/".
pub(crate) fn department_paths(d: &Directory) -> SheetResult<Vec<String>> {
    fn walk(n: &crate::departments::DepartmentNode, prefix: &str, out: &mut Vec<String>) {
        for c in &n.children {
            let p = if prefix.is_empty() {
                c.name.clone()
            } else {
                format!("{prefix}/{}", c.name)
            };
            out.push(p.clone());
            walk(c, &p, out);
        }
    }
    let tree = d.department_tree()?;
    let mut out = vec!["/".to_owned()];
    walk(&tree, "", &mut out);
    Ok(out)
}

/// What the parts of a department path are: the departments' names, or their folded keys.
#[derive(Clone, Copy)]
pub(crate) enum PathParts {
    Names,
    Keys,
}

/// Every department's path below the root ("Sales/EMEA"; "" for the root), in no particular
/// order, from one read of the parent links.
pub(crate) fn paths_by_id(
    conn: &rusqlite::Connection,
    parts: PathParts,
) -> rusqlite::Result<Vec<(DepartmentId, String)>> {
    let sql = match parts {
        PathParts::Names => "SELECT id, parent_id, name FROM departments",
        PathParts::Keys => "SELECT id, parent_id, name_key FROM departments",
    };
    let parent: HashMap<DepartmentId, (Option<DepartmentId>, String)> = conn
        .prepare(sql)?
        .query_map([], |r| Ok((r.get(0)?, (r.get(1)?, r.get(2)?))))?
        .collect::<Result<_, _>>()?;
    Ok(parent
        .keys()
        .map(|id| {
            let mut parts = Vec::new();
            let mut cur = *id;
            while let Some((Some(p), part)) = parent.get(&cur) {
                parts.push(part.as_str());
                cur = *p;
            }
            parts.reverse();
            (*id, parts.join("/"))
        })
        .collect())
}

/// Writes the template for `d`'s organization to `path`.
pub fn write_template(d: &Directory, lang: Lang, path: &Path) -> SheetResult<()> {
    let departments = department_paths(d)?;
    let roles: Vec<String> = d.roles()?.into_iter().map(|r| r.name).collect();
    let positions: Vec<String> = d
        .conn
        .prepare("SELECT DISTINCT title FROM positions WHERE title IS NOT NULL AND title != '' ORDER BY title LIMIT 500")?
        .query_map([], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    let mut wb = Workbook::new();
    let header = Format::new().set_bold().set_background_color(0xDDEBF7);
    let text = Format::new().set_num_format("@");
    let (members_name, help_name, lists_name) = match lang {
        Lang::En => ("Members", "Instructions", "Lists"),
        Lang::Zh => ("成员", "填写说明", "列表"),
    };
    // The hidden sheet holding lists too long (or too awkward) for an inline dropdown.
    let mut hidden: Vec<(usize, Vec<String>)> = Vec::new();
    let mut sources: Vec<(Column, Option<Formula>, Vec<String>)> = Vec::new();
    for (col, list) in [
        (Column::Department, &departments),
        (Column::Position, &positions),
        (Column::Role, &roles),
    ] {
        if list.is_empty() {
            continue;
        }
        // Excel's inline list is at most 255 characters and splits on commas.
        let inline_len: usize = list.iter().map(|s| s.chars().count() + 1).sum();
        if inline_len <= 255 && !list.iter().any(|s| s.contains(',') || s.contains('"')) {
            sources.push((col, None, list.clone()));
        } else {
            let c = hidden.len();
            let letter = (b'A' + c as u8) as char;
            let f = Formula::new(format!(
                "='{lists_name}'!${letter}$1:${letter}${}",
                list.len()
            ));
            hidden.push((c, list.clone()));
            sources.push((col, Some(f), Vec::new()));
        }
    }
    {
        let ws = wb.add_worksheet();
        ws.set_name(members_name).map_err(xlsx_error)?;
        for c in Column::ALL {
            let i = c.index() as u16;
            ws.write_string_with_format(0, i, c.header(lang), &header)
                .map_err(xlsx_error)?;
            ws.set_column_width(i, if c == Column::Department { 28 } else { 16 })
                .map_err(xlsx_error)?;
        }
        // Text format so Excel keeps "+86…" and leading zeros as typed.
        for c in [
            Column::Mobile,
            Column::EmployeeId,
            Column::Username,
            Column::Password,
        ] {
            ws.set_column_format(c.index() as u16, &text)
                .map_err(xlsx_error)?;
        }
        let example = example_row(lang, departments.get(1).map_or("/", String::as_str));
        for (i, v) in example.iter().enumerate() {
            ws.write_string(1, i as u16, *v).map_err(xlsx_error)?;
        }
        for (col, formula, list) in &sources {
            let dv = match formula {
                Some(f) => DataValidation::new().allow_list_formula(f.clone()),
                None => DataValidation::new()
                    .allow_list_strings(list)
                    .map_err(xlsx_error)?,
            };
            // Information, not Stop: a cell may hold several departments ("A;B"), or one
            // to be created by the import.
            let dv = dv
                .set_error_style(DataValidationErrorStyle::Information)
                .ignore_blank(true);
            let i = col.index() as u16;
            ws.add_data_validation(1, i, TEMPLATE_ROWS, i, &dv)
                .map_err(xlsx_error)?;
        }
        ws.set_freeze_panes(1, 0).map_err(xlsx_error)?;
    }
    {
        let ws = wb.add_worksheet();
        ws.set_name(help_name).map_err(xlsx_error)?;
        let heads = match lang {
            Lang::En => ["Column", "Required", "How to fill it"],
            Lang::Zh => ["列", "必填", "填写说明"],
        };
        for (i, h) in heads.iter().enumerate() {
            ws.write_string_with_format(0, i as u16, *h, &header)
                .map_err(xlsx_error)?;
        }
        for (r, c) in Column::ALL.into_iter().enumerate() {
            let r = r as u32 + 1;
            ws.write_string(r, 0, c.label(lang)).map_err(xlsx_error)?;
            let req = match (lang, c.required()) {
                (Lang::En, true) => "Yes",
                (Lang::En, false) => "No",
                (Lang::Zh, true) => "是",
                (Lang::Zh, false) => "否",
            };
            ws.write_string(r, 1, req).map_err(xlsx_error)?;
            ws.write_string(r, 2, c.help(lang)).map_err(xlsx_error)?;
        }
        ws.set_column_width(0, 16).map_err(xlsx_error)?;
        ws.set_column_width(2, 110).map_err(xlsx_error)?;
    }
    if !hidden.is_empty() {
        let ws: &mut Worksheet = wb.add_worksheet();
        ws.set_name(lists_name).map_err(xlsx_error)?;
        for (c, list) in &hidden {
            for (r, v) in list.iter().enumerate() {
                ws.write_string(r as u32, *c as u16, v)
                    .map_err(xlsx_error)?;
            }
        }
        ws.set_hidden(true);
    }
    wb.save(path).map_err(xlsx_error)?;
    Ok(())
}

fn example_row(lang: Lang, dept: &str) -> [&str; 10] {
    match lang {
        Lang::En => [
            "Ann Example",
            "ann.example",
            "",
            "ann.example@example.com",
            "+14155552671",
            dept,
            "Engineer",
            "Member",
            "E0001",
            "Berlin",
        ],
        Lang::Zh => [
            "王小明",
            "wang.xiaoming",
            "",
            "wang.xiaoming@example.com",
            "+8613812345678",
            dept,
            "工程师",
            "Member",
            "E0001",
            "北京",
        ],
    }
}
