//! An import in Simplified Chinese: every row problem and skipped change is worded in Chinese
//! with the Chinese column name, and so is the results file, which re-imports as is.

use std::path::{Path, PathBuf};

use orgdesk_core::members::MemberAction;
use orgdesk_core::spreadsheet::{Column, Control, ImportOptions, ImportReport, Lang, RowOutcome};
use orgdesk_core::Directory;

use crate::spreadsheet::C;
use crate::{results_rows, temp_file, with_org, with_org_admin, write_xlsx};

fn zh(create: bool) -> ImportOptions {
    ImportOptions {
        create_missing_departments: create,
        mapping: None,
        lang: Lang::Zh,
        ..Default::default()
    }
}

fn en() -> ImportOptions {
    ImportOptions::default()
}

/// A sheet with the template's Chinese headers, then `rows` (cells in template order).
fn xlsx(dir: &Path, name: &str, rows: &[Vec<C<'_>>]) -> PathBuf {
    let headers: Vec<String> = Column::ALL.iter().map(|c| c.header(Lang::Zh)).collect();
    let mut all = vec![headers.iter().map(|h| C::S(h)).collect::<Vec<_>>()];
    all.extend(rows.iter().cloned());
    crate::spreadsheet::xlsx(dir, name, &all)
}

/// A row of text cells, in template order.
fn row<'a>(cells: &[&'a str]) -> Vec<C<'a>> {
    cells.iter().map(|s| C::S(s)).collect()
}

fn has_cjk(s: &str) -> bool {
    s.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c))
}

/// Bob (enabled, E1, a mobile), Cleo (not joined, E2) and Dora (resigned, E3), in Sales.
fn directory() -> Directory {
    let (mut d, a) = with_org_admin();
    let (_tmp, p) = temp_file(
        "seed.csv",
        "Name,Username,Password,Email,Mobile,Department,Employee ID\n\
         Bob,bob,Correct-Horse1,bob@example.com,+14155552671,Sales,E1\n\
         Cleo,,,cleo@example.com,,Sales,E2\n\
         Dora,dora,Correct-Horse1,dora@example.com,,Sales,E3\n",
    );
    let r = d
        .import_members(
            &a,
            &p,
            &ImportOptions {
                create_missing_departments: true,
                ..en()
            },
            &Control::none(),
        )
        .unwrap();
    assert_eq!(r.counts.create, 3, "{r:?}");
    let dora = d.find_member("dora").unwrap();
    d.change_status(&a, dora, MemberAction::Resign).unwrap();
    d
}

/// The reasons of row `n` (problems, then skipped changes) as "column: reason".
fn reasons(r: &ImportReport, n: u32) -> Vec<String> {
    let x = r.rows.iter().find(|x| x.row == n).unwrap();
    x.problems
        .iter()
        .chain(&x.skipped)
        .map(|p| format!("{}: {}", p.column.as_deref().unwrap_or("-"), p.reason))
        .collect()
}

#[track_caller]
fn says(r: &ImportReport, n: u32, expected: &str) {
    let got = reasons(r, n);
    assert!(
        got.iter().any(|g| g == expected),
        "row {n}: expected {expected:?} in {got:#?}"
    );
}

#[test]
fn every_kind_of_row_problem_is_explained_in_chinese() {
    let d = directory();
    let tmp = tempfile::tempdir().unwrap();
    let long_place = "地".repeat(65);
    let long_title = "职".repeat(65);
    let long_name = "名".repeat(65);
    let s = C::S;
    #[rustfmt::skip]
    let rows = [
        // 2: fine.
        row(&["王芳", "", "", "wang@example.com", "", "Sales"]),
        // 3–7: cell repair.
        vec![s("日期"), s(""), s(""), s("d@example.com"), s(""), s("Sales"), s(""), s(""), s(""), C::Date(45000.0)],
        vec![C::F("1+2"), s(""), s(""), s("f@example.com"), s(""), s("Sales")],
        vec![s("布尔"), s(""), s(""), s("b@example.com"), s(""), s("Sales"), s(""), C::B(true)],
        vec![s("小数"), s(""), s(""), s("n@example.com"), s(""), s("Sales"), s(""), s(""), C::N(1.5)],
        vec![s("数字手机"), s(""), s(""), s(""), C::N(1234.0), s("Sales")],
        // 8–12: departments, positions, roles.
        row(&["无部门", "", "", "x8@example.com", "", ""]),
        row(&["未知部门", "", "", "x9@example.com", "", "Nowhere"]),
        row(&["两次", "", "", "x10@example.com", "", "Sales;sales"]),
        row(&["职位多", "", "", "x11@example.com", "", "Sales", "甲;乙"]),
        row(&["角色", "", "", "x12@example.com", "", "Sales", "", "Boss"]),
        // 13–14: the same email twice in the file.
        row(&["重复一", "", "", "dup@example.com", "", "Sales"]),
        row(&["重复二", "", "", "DUP@example.com", "", "Sales"]),
        // 15: Bob's mobile.
        row(&["莫", "", "", "mo@example.com", "+14155552671", "Sales"]),
        // 16–17: who a new member can be.
        row(&["只有密码", "", "Correct-Horse1", "p@example.com", "", "Sales"]),
        row(&["无从邀请", "", "", "", "", "Sales"]),
        // 18–21: field rules.
        row(&["弱密码", "weakuser", "alllowercase", "", "", "Sales"]),
        row(&["短用户名", "ab", "Correct-Horse1", "", "", "Sales"]),
        row(&["坏邮箱", "", "", "not-an-email", "", "Sales"]),
        row(&["坏手机", "", "", "", "12345", "Sales"]),
        // 22–24: lengths.
        row(&["长地点", "", "", "x22@example.com", "", "Sales", "", "", "", &long_place]),
        row(&["长职位", "", "", "x23@example.com", "", "Sales", &long_title]),
        row(&[&long_name, "", "", "x24@example.com", "", "Sales"]),
        // 25: Dora has resigned.
        row(&["Dora", "dora", "", "dora@example.com", "", "Sales", "", "", "E3", "Paris"]),
        // 26: Bob's own row: his email, username and password are not changed.
        row(&["Bob", "bobby", "Another-Pass1", "bob2@example.com", "", "Sales", "", "", "E1"]),
        // 27–28: Cleo twice; on 27 without any way to invite her.
        row(&["Cleo", "", "", "", "", "Sales", "", "", "E2"]),
        row(&["Cleo", "", "", "cleo@example.com", "", "Sales"]),
        // 29: the last Super Admin.
        row(&["Ann Lee", "ann", "", "", "", "/", "", "Member"]),
    ];
    let file = xlsx(tmp.path(), "zh.xlsx", &rows);
    let r = d
        .preview_import(&file, &zh(false), &Control::none())
        .unwrap();
    assert_eq!(r.lang, Lang::Zh);
    assert_eq!(r.rows[0].outcome, RowOutcome::Create, "{:?}", r.rows[0]);

    assert!(
        reasons(&r, 3)[0].starts_with("工作地点: 工作地点是日期（")
            && reasons(&r, 3)[0].ends_with("）；此列应填写文字，请将单元格设为文本格式。"),
        "{:?}",
        reasons(&r, 3)
    );
    for (row, says_what) in [
        (4, "姓名: 姓名是公式（=1+2）；请直接填写值。"),
        (4, "姓名: 姓名为必填项。"),
        (5, "角色: 角色是逻辑值 TRUE；此列应填写文字。"),
        (6, "工号: 工号存储为数字 1.5，无法还原为原来的文字；请将该列设为文本格式后重新输入。"),
        (7, "手机号: “1234”不是有效的手机号（不带“+”的号码按设置中的默认地区解析）。\
         该单元格存储为数字，开头的“+”或 0 可能已丢失：请将该列设为文本格式，并带“+”和国家码重新输入号码。"),
        (8, "部门: 部门为必填项（“/”表示组织本身）。"),
        (9, "部门: 部门“Nowhere”不存在。请先创建该部门，或勾选“创建缺少的部门”。"),
        (10, "部门: 部门“sales”填写了两次。"),
        (11, "职位: 填写了 2 个职位，但只有 1 个部门：每个部门对应一个职位，顺序与部门一致。"),
        (12, "角色: 角色“Boss”不存在。"),
        (13, "邮箱: 邮箱“dup@example.com”与本文件第 14 行重复。"),
        (14, "邮箱: 邮箱“dup@example.com”与本文件第 13 行重复。"),
        (15, "手机号: 手机号已被 Bob 使用。"),
        (16, "用户名: 填写了密码的行必须填写用户名。"),
        (17, "邮箱: 新成员需要填写用户名和密码，或填写邮箱或手机号以便邀请。"),
        (18, "密码: 密码需包含小写字母、大写字母、数字、符号中的至少三类。"),
        (19, "用户名: 用户名至少需要 3 个字符。"),
        (20, "邮箱: “not-an-email”不是有效的邮箱地址。"),
        (21, "手机号: “12345”不是有效的手机号（不带“+”的号码按设置中的默认地区解析）。"),
        (22, "工作地点: 工作地点最多 64 个字符。"),
        (23, "职位: 职位最多 64 个字符。"),
        (24, "姓名: 姓名最多 64 个字符（当前为 65 个）。"),
        (25, "姓名: Dora 当前为“已离职”状态；请先恢复该成员，再导入修改。"),
    ] {
        says(&r, row, says_what);
    }
    let bob = r.rows.iter().find(|x| x.row == 26).unwrap();
    assert_eq!(bob.outcome, RowOutcome::Unchanged, "{bob:?}");
    for (row, says_what) in [
        (26, "邮箱: Bob 已加入，只有本人可以修改邮箱；未修改。"),
        (26, "用户名: 导入不会修改用户名；未修改。"),
        (26, "密码: 导入不会修改已有成员的密码；未修改。"),
        (27, "邮箱: 未加入的成员需要有邮箱或手机号。"),
        (
            28,
            "姓名: 本文件第 27 行已对应 Cleo；每位成员只能出现在一行中。",
        ),
        (
            29,
            "角色: 组织至少需要一名已启用的超级管理员（Super Admin）。",
        ),
    ] {
        says(&r, row, says_what);
    }

    // Every reason is Chinese, under a Chinese column name: no English sentence is left.
    let labels: Vec<&str> = Column::ALL.iter().map(|c| c.label(Lang::Zh)).collect();
    let mut n = 0;
    for x in &r.rows {
        for p in x.problems.iter().chain(&x.skipped) {
            n += 1;
            assert!(has_cjk(&p.reason), "row {}: {}", p.row, p.reason);
            for word in [" is ", " the ", " a ", " must ", " not ", " row "] {
                assert!(!p.reason.contains(word), "row {}: {}", p.row, p.reason);
            }
            assert!(
                labels.contains(&p.column.as_deref().unwrap_or("")),
                "row {}: {:?}",
                p.row,
                p.column
            );
        }
    }
    assert!(n >= 30, "{n} reasons");
    assert_eq!(r.counts.create, 1, "{:?}", r.counts);
    assert_eq!(r.counts.unchanged, 1, "{:?}", r.counts);
}

#[test]
fn a_results_file_in_chinese_has_chinese_results_and_reimports_after_a_fix() {
    let (mut d, a) = with_org_admin();
    // The file may be headed in either language; the results file keeps its headers.
    let (tmp, p) = temp_file(
        "r.csv",
        "姓名,邮箱,部门\n好,ok@example.com,/\n坏,bad@example.com,研发部\n",
    );

    // A preview says what would happen.
    let preview = d.preview_import(&p, &zh(false), &Control::none()).unwrap();
    let rows = results_rows(&p, None, &preview, &tmp.path().join("preview.xlsx"));
    assert_eq!(rows[0], ["姓名", "邮箱", "部门", "结果", "原因"]);
    assert_eq!(rows[1][3], "将新建");
    assert_eq!(rows[2][3], "失败");
    assert_eq!(
        rows[2][4],
        "部门“研发部”不存在。请先创建该部门，或勾选“创建缺少的部门”。"
    );

    let r = d
        .import_members(&a, &p, &zh(false), &Control::none())
        .unwrap();
    let rows = results_rows(&p, None, &r, &tmp.path().join("results.xlsx"));
    assert_eq!(rows[0][3..], ["结果", "原因"]);
    assert_eq!(rows[1][3], "已新建");
    assert_eq!(rows[1][4], "");
    assert_eq!(rows[2][3], "失败");

    // Fix the failed row in the results file and import it as is: 结果 and 原因 are ignored
    // quietly (in an English import too).
    let fixed = tmp.path().join("fixed.xlsx");
    write_xlsx(&fixed, &rows, |v| if v == "研发部" { "/" } else { v });
    let again = d.preview_import(&fixed, &en(), &Control::none()).unwrap();
    assert!(again.ignored_columns.is_empty(), "{again:?}");
    let r = d
        .import_members(&a, &fixed, &zh(false), &Control::none())
        .unwrap();
    assert!(r.ignored_columns.is_empty(), "{r:?}");
    let counts = (r.counts.create, r.counts.unchanged, r.counts.failed);
    assert_eq!(counts, (1, 1, 0), "{r:?}");
}

#[test]
fn options_without_a_language_are_english() {
    let o: ImportOptions =
        serde_json::from_str(r#"{"createMissingDepartments": false, "mapping": null}"#).unwrap();
    assert_eq!(o.lang, Lang::En);
    let o: ImportOptions = serde_json::from_str(
        r#"{"createMissingDepartments": false, "mapping": null, "lang": "zh"}"#,
    )
    .unwrap();
    assert_eq!(o.lang, Lang::Zh);

    // The same file in English says the same in English.
    let (d, _) = with_org();
    let (_tmp, p) = temp_file("e.csv", "Name,Email,Department\nX,x@example.com,Nowhere\n");
    let r = d.preview_import(&p, &en(), &Control::none()).unwrap();
    assert_eq!(r.lang, Lang::En);
    assert_eq!(r.rows[0].problems[0].column.as_deref(), Some("Department"));
    assert_eq!(
        r.rows[0].problems[0].reason,
        "No department \"Nowhere\". Create it first, or tick \"create missing departments\"."
    );
}
