//! Bulk import and export through real files: written with rust_xlsxwriter (or as CSV bytes),
//! read back through the import, and checked against the store.

use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;

use calamine::Reader;
use orgdesk_core::audit::Actor;
use orgdesk_core::members::{MemberPatch, MemberQuery, NewMember};
use orgdesk_core::settings::Settings;
use orgdesk_core::spreadsheet::{
    self, Control, ImportOptions, Lang, RowOutcome, SpreadsheetError, Stage,
};
use orgdesk_core::Directory;
use rust_xlsxwriter::{Format, Formula, Workbook};

use crate::{
    admin, audited, count, members_csv, mkdept, mkdepts, new_member, org_in_file, pos,
    results_rows, temp_file, temp_path, value, with_cancel, with_org, with_org_admin, write_xlsx,
    PASSWORD,
};

/// A cell of a test sheet.
#[derive(Clone, Copy)]
pub(crate) enum C<'a> {
    S(&'a str),
    N(f64),
    Date(f64),
    F(&'a str),
    B(bool),
}

/// A workbook of `rows` (empty text cells left blank), saved as `dir/name`.
pub(crate) fn xlsx(dir: &Path, name: &str, rows: &[Vec<C<'_>>]) -> PathBuf {
    let path = dir.join(name);
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    let date = Format::new().set_num_format("yyyy-mm-dd");
    for (r, row) in rows.iter().enumerate() {
        for (c, cell) in row.iter().enumerate() {
            let (r, c) = (r as u32, c as u16);
            match cell {
                C::S(s) => {
                    if !s.is_empty() {
                        ws.write_string(r, c, *s).unwrap();
                    }
                }
                C::N(n) => {
                    ws.write_number(r, c, *n).unwrap();
                }
                C::Date(n) => {
                    ws.write_number_with_format(r, c, *n, &date).unwrap();
                }
                C::F(f) => {
                    ws.write_formula(r, c, Formula::new(*f).set_result("3"))
                        .unwrap();
                }
                C::B(b) => {
                    ws.write_boolean(r, c, *b).unwrap();
                }
            }
        }
    }
    wb.save(&path).unwrap();
    path
}

fn strings<'a>(cells: &[&'a str]) -> Vec<C<'a>> {
    cells.iter().map(|s| C::S(s)).collect()
}

/// A row under `HEAD` with these columns filled (named by their header), the rest blank.
fn row<'a>(cells: &[(&str, C<'a>)]) -> Vec<C<'a>> {
    let mut out = vec![C::S(""); HEAD.len()];
    for (column, cell) in cells {
        let at = HEAD
            .iter()
            .position(|h| h == column)
            .expect("a column of HEAD");
        out[at] = *cell;
    }
    out
}

const HEAD: [&str; 10] = [
    "Name*",
    "Username",
    "Password",
    "Email",
    "Mobile",
    "Department*",
    "Position",
    "Role",
    "Employee ID",
    "Work Location",
];

fn member_count(d: &Directory) -> i64 {
    count(d, "members")
}

fn opts(create: bool) -> ImportOptions {
    ImportOptions {
        create_missing_departments: create,
        mapping: None,
        ..Default::default()
    }
}

fn refusal(e: SpreadsheetError) -> String {
    match e {
        SpreadsheetError::Refused(r) => r.code,
        other => panic!("expected a refusal, got {other:?}"),
    }
}

/// The cells of a sheet's first row, as text.
fn first_row(sheet: &calamine::Range<calamine::Data>) -> Vec<String> {
    sheet
        .rows()
        .next()
        .unwrap()
        .iter()
        .map(|c| c.to_string())
        .collect()
}

#[test]
fn template_has_headers_dropdowns_help_and_a_hidden_list_when_long() {
    let (mut d, _) = with_org();
    let tmp = tempfile::tempdir().unwrap();
    mkdepts(&mut d, &["Sales", "Sales/EMEA"]);
    let en = tmp.path().join("t.xlsx");
    spreadsheet::write_template(&d, Lang::En, &en).unwrap();
    let mut wb: calamine::Xlsx<_> = calamine::open_workbook(&en).unwrap();
    assert_eq!(wb.sheet_names(), ["Members", "Instructions"]);
    let r = wb.worksheet_range("Members").unwrap();
    let head = first_row(&r);
    assert_eq!(head, HEAD);
    assert_eq!(r.height(), 2, "header and one example row");
    let help = wb.worksheet_range("Instructions").unwrap();
    assert_eq!(help.height(), 11);

    // Many long department names: the list goes through a hidden sheet.
    for i in 0..30 {
        mkdept(&mut d, &format!("Department with a long name {i}"));
    }
    let zh = tmp.path().join("zh.xlsx");
    spreadsheet::write_template(&d, Lang::Zh, &zh).unwrap();
    let mut wb: calamine::Xlsx<_> = calamine::open_workbook(&zh).unwrap();
    let meta: Vec<(String, bool)> = wb
        .sheets_metadata()
        .iter()
        .map(|s| (s.name.clone(), s.visible == calamine::SheetVisible::Visible))
        .collect();
    assert_eq!(
        meta,
        [
            ("成员".to_owned(), true),
            ("填写说明".to_owned(), true),
            ("列表".to_owned(), false)
        ]
    );
    let head = first_row(&wb.worksheet_range("成员").unwrap());
    assert_eq!(head[0], "姓名*");
    assert_eq!(head[9], "工作地点");
    let lists = wb.worksheet_range("列表").unwrap();
    assert!(lists.rows().any(|r| r[0] == "Sales/EMEA"));

    // The template imports as is (its example row), in both languages.
    let report = d
        .preview_import(&zh, &opts(false), &Control::none())
        .unwrap();
    assert_eq!(report.counts.create, 1, "{report:?}");
}

#[test]
fn import_creates_enabled_and_not_joined_members_in_one_go_and_they_are_searchable() {
    let (mut d, _) = with_org();
    let tmp = tempfile::tempdir().unwrap();
    mkdepts(&mut d, &["Sales", "Sales/EMEA", "Engineering"]);
    let file = xlsx(
        tmp.path(),
        "in.xlsx",
        &[
            strings(&HEAD),
            strings(&[
                "Bob Smith",
                "bob",
                PASSWORD,
                "bob@example.com",
                "+14155552671",
                "Sales/EMEA;Engineering",
                "Lead;Engineer",
                "Admin;Member",
                "E1",
                "Berlin",
            ]),
            strings(&[
                "  王小明  ",
                "",
                "",
                "wang@example.com",
                "",
                "sales / emea",
                "",
                "",
                "E2",
                "",
            ]),
            strings(&["", "", "", "", "", "", "", "", "", ""]),
            strings(&[
                "Cleo",
                "",
                "",
                "",
                "+14155552672",
                "Engineering",
                "",
                "",
                "",
                "",
            ]),
        ],
    );
    let preview = d
        .preview_import(&file, &opts(false), &Control::none())
        .unwrap();
    assert_eq!(preview.counts.create, 3, "{preview:?}");
    assert_eq!(preview.counts.failed, 0);
    assert!(!preview.committed);
    assert_eq!(member_count(&d), 1, "a preview writes nothing");
    // The blank row is skipped: row numbers stay as Excel shows them.
    assert_eq!(
        preview.rows.iter().map(|r| r.row).collect::<Vec<_>>(),
        [2, 3, 5]
    );

    let a = admin(&d);
    let report = d
        .import_members(&a, &file, &opts(false), &Control::none())
        .unwrap();
    assert!(report.committed);
    assert_eq!(report.counts.create, 3);
    let bob = d.member_details(d.find_member("bob").unwrap()).unwrap();
    assert_eq!(bob.status.as_str(), "enabled");
    assert_eq!(bob.positions.len(), 2);
    assert_eq!(bob.positions[0].department_path, "Sales/EMEA");
    assert_eq!(bob.positions[0].title.as_deref(), Some("Lead"));
    assert!(bob.positions[0].is_primary);
    assert_eq!(bob.positions[1].title.as_deref(), Some("Engineer"));
    let names: Vec<_> = bob.roles.iter().map(|r| r.name.as_str()).collect();
    assert_eq!(names, ["Admin", "Member"]);
    assert_eq!(bob.employee_id.as_deref(), Some("E1"));
    assert_eq!(bob.work_location.as_deref(), Some("Berlin"));
    let hash: String = value(
        &d,
        "SELECT password_hash FROM members WHERE username = 'bob'",
    );
    assert!(orgdesk_core::password::verify(PASSWORD, &hash));
    let wang = d.find_member("wang@example.com").unwrap();
    let w = d.member_details(wang).unwrap();
    assert_eq!(w.name, "王小明");
    assert_eq!(w.status.as_str(), "not_joined");
    assert_eq!(w.roles[0].name, "Member");
    // Searchable at once (the index was dropped and rebuilds).
    let page = d
        .list_members(&MemberQuery {
            search: Some("小明".into()),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(page.total, 1);
    // One audit entry per member, by the admin.
    let audited = audited(
        &d,
        "action = 'member.import_add' AND actor_name = 'Ann Lee'",
    );
    assert_eq!(audited, 3);
    // The import's search text is the one an edit writes.
    let search_text = |d: &Directory| -> String {
        d.connection()
            .query_row(
                "SELECT search_text FROM members WHERE id = ?1",
                [wang],
                |r| r.get(0),
            )
            .unwrap()
    };
    let before = search_text(&d);
    let patch = MemberPatch {
        work_location: Some("x".into()),
        ..Default::default()
    };
    d.update_member(&a, wang, &patch).unwrap();
    assert_eq!(before, search_text(&d));
}

#[test]
fn numeric_mobiles_and_ids_are_repaired_dates_and_formulas_are_flagged() {
    let (mut d, a) = with_org_admin();
    d.update_settings(
        &a,
        &Settings {
            default_region: "CN".into(),
            import_quota_per_day: None,
            invitation_language: None,
            join_notifications: None,
        },
    )
    .unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let file = xlsx(
        tmp.path(),
        "n.xlsx",
        &[
            strings(&HEAD),
            row(&[
                ("Name*", C::S("Li Lei")),
                ("Mobile", C::N(13812345678.0)),
                ("Department*", C::S("/")),
                ("Employee ID", C::N(12345.0)),
            ]),
            row(&[
                ("Name*", C::S("Han Mei")),
                ("Email", C::S("han@example.com")),
                ("Department*", C::S("/")),
                ("Work Location", C::Date(45000.0)),
            ]),
            row(&[
                ("Name*", C::F("1+2")),
                ("Email", C::S("f@example.com")),
                ("Department*", C::S("/")),
            ]),
            row(&[
                ("Name*", C::S("Big")),
                ("Email", C::S("big@example.com")),
                ("Department*", C::S("/")),
                ("Employee ID", C::N(1.5)),
            ]),
        ],
    );
    let r = d
        .import_members(&a, &file, &opts(false), &Control::none())
        .unwrap();
    assert_eq!(r.counts.create, 1, "{r:?}");
    assert_eq!(r.counts.failed, 3);
    let li_id = d
        .connection()
        .query_row("SELECT id FROM members WHERE name = 'Li Lei'", [], |r| {
            r.get(0)
        })
        .unwrap();
    let li = d.member_details(li_id).unwrap();
    assert_eq!(li.mobile.as_deref(), Some("+8613812345678"));
    assert_eq!(li.employee_id.as_deref(), Some("12345"), "no \".0\"");
    let reasons = |row: u32| -> String {
        r.rows
            .iter()
            .find(|x| x.row == row)
            .unwrap()
            .problems
            .iter()
            .map(|p| format!("{:?}: {}", p.column, p.reason))
            .collect::<Vec<_>>()
            .join(" | ")
    };
    assert!(
        reasons(3).contains("Work Location") && reasons(3).contains("is a date"),
        "{}",
        reasons(3)
    );
    assert!(reasons(4).contains("is a formula"), "{}", reasons(4));
    assert!(
        reasons(5).contains("Employee ID") && reasons(5).contains("cannot be turned back"),
        "{}",
        reasons(5)
    );

    // A mobile stored as a number without its "+" that is not valid in the region.
    let file = xlsx(
        tmp.path(),
        "m.xlsx",
        &[
            strings(&HEAD),
            vec![
                C::S("Kai"),
                C::S(""),
                C::S(""),
                C::S(""),
                C::N(1234.0),
                C::S("/"),
            ],
        ],
    );
    let r = d
        .preview_import(&file, &opts(false), &Control::none())
        .unwrap();
    assert!(
        r.rows[0].problems[0].reason.contains("stored as a number"),
        "{r:?}"
    );
}

#[test]
fn csv_with_bom_semicolons_or_tabs_imports_the_same() {
    let (mut d, _) = with_org();
    mkdept(&mut d, "Sales");
    let tmp = tempfile::tempdir().unwrap();
    let variants = [
        (
            "bom.csv",
            "\u{feff}Name,Email,Department\nAnn One,one@example.com,Sales\n".to_owned(),
        ),
        (
            "semi.csv",
            "name*;EMAIL;部门\r\nAnn Two;two@example.com;Sales\r\n".to_owned(),
        ),
        (
            "tab.csv",
            "姓名\t邮箱\t部门\t Extra \nAnn Three\tthree@example.com\tSales\tx\n".to_owned(),
        ),
        (
            "quoted.csv",
            "Name,Email,Department\n\"Lee, Ann\",four@example.com,\"Sales\"\n".to_owned(),
        ),
    ];
    let a = admin(&d);
    for (name, text) in variants {
        let p = tmp.path().join(name);
        std::fs::write(&p, text).unwrap();
        let r = d
            .import_members(&a, &p, &opts(false), &Control::none())
            .unwrap();
        assert_eq!(r.counts.create, 1, "{name}: {r:?}");
        if name == "tab.csv" {
            assert_eq!(r.ignored_columns, ["Extra"]);
        }
    }
    assert!(d.find_member("four@example.com").is_ok());
    assert_eq!(
        d.member_details(d.find_member("four@example.com").unwrap())
            .unwrap()
            .name,
        "Lee, Ann"
    );
}

#[test]
fn duplicates_in_the_file_fail_every_row_involved() {
    let (d, _) = with_org();
    let (_tmp, p) = temp_file("dup.csv", "Name,Email,Employee ID,Department\nA,x@example.com,E1,/\nB,X@Example.com,E2,/\nC,c@example.com,e1,/\nD,d@example.com,E4,/\n");
    let r = d
        .preview_import(&p, &opts(false), &Control::none())
        .unwrap();
    let outcomes: Vec<RowOutcome> = r.rows.iter().map(|x| x.outcome).collect();
    assert_eq!(
        outcomes,
        [
            RowOutcome::Failed,
            RowOutcome::Failed,
            RowOutcome::Failed,
            RowOutcome::Create
        ]
    );
    let first_row_says = |what: &str| r.rows[0].problems.iter().any(|p| p.reason.contains(what));
    assert!(first_row_says("also on row 3"), "{r:?}");
    assert!(first_row_says("also on row 4"), "{r:?}");
}

#[test]
fn unknown_departments_fail_unless_created() {
    let (mut d, _) = with_org();
    let (_tmp, p) = temp_file(
        "d.csv",
        "Name,Email,Department\nA,a@example.com,Ops/North/Team 1\nB,b@example.com,ops/north\n",
    );
    let r = d
        .preview_import(&p, &opts(false), &Control::none())
        .unwrap();
    assert_eq!(r.counts.failed, 2);
    assert!(r.rows[0].problems[0]
        .reason
        .contains("No department \"Ops/North/Team 1\""));
    let a = admin(&d);
    let r = d
        .import_members(&a, &p, &opts(true), &Control::none())
        .unwrap();
    assert_eq!(r.counts.create, 2, "{r:?}");
    assert_eq!(
        r.departments_created,
        ["Ops", "Ops/North", "Ops/North/Team 1"]
    );
    let team = d.resolve_department_path("Ops/North/Team 1").unwrap();
    assert_eq!(d.department_path(team).unwrap(), "Ops/North/Team 1");
    let b = d
        .member_details(d.find_member("b@example.com").unwrap())
        .unwrap();
    assert_eq!(b.positions[0].department_path, "Ops/North");
}

fn sample(d: &mut Directory) {
    mkdept(d, "Sales");
    mkdept(d, "Sales/EMEA");
    mkdept(d, "Engineering");
    let a = admin(d);
    let (_tmp, p) = temp_file(
        "s.csv",
        "Name,Username,Password,Email,Mobile,Department,Position,Role,Employee ID,Work Location\n\
         Bob,bob,Correct-Horse1,bob@example.com,+14155552671,Sales/EMEA;Engineering;Sales,;Engineer,Admin,00123,=Berlin\n\
         Cleo,,,cleo@example.com,,/,Boss,,E2,\n\
         José Ñúñez,,,jose@example.com,+14155552672,Engineering,,,,São Paulo\n",
    );
    let r = d
        .import_members(&a, &p, &opts(false), &Control::none())
        .unwrap();
    assert_eq!(r.counts.create, 3, "{r:?}");
}

#[test]
fn export_then_import_is_unchanged_in_both_formats_and_edits_update() {
    let (mut d, _) = with_org();
    sample(&mut d);
    let tmp = tempfile::tempdir().unwrap();
    let a = admin(&d);
    for name in ["all.xlsx", "all.csv"] {
        let out = tmp.path().join(name);
        let n = d
            .export_members(&MemberQuery::default(), Lang::En, &out, &Control::none())
            .unwrap();
        assert_eq!(n, 4);
        let r = d
            .import_members(&a, &out, &opts(false), &Control::none())
            .unwrap();
        assert_eq!(r.counts.unchanged, 4, "{name}: {r:?}");
        assert_eq!(
            r.counts.failed + r.counts.create + r.counts.update,
            0,
            "{name}"
        );
        assert!(r.ignored_columns.is_empty(), "{:?}", r.ignored_columns);
        assert!(r.rows.iter().all(|x| x.skipped.is_empty()), "{r:?}");
    }
    // Edit in "Excel": change a work location and a not-joined member's name.
    let csv = tmp.path().join("all.csv");
    let text = std::fs::read_to_string(&csv).unwrap();
    let edited = text
        .replace("São Paulo", "Lisbon")
        .replace("Cleo,", "Cleo Ray,");
    std::fs::write(&csv, edited).unwrap();
    let r = d
        .import_members(&a, &csv, &opts(false), &Control::none())
        .unwrap();
    assert_eq!((r.counts.update, r.counts.unchanged), (2, 2), "{r:?}");
    let jose = d
        .member_details(d.find_member("jose@example.com").unwrap())
        .unwrap();
    assert_eq!(jose.work_location.as_deref(), Some("Lisbon"));
    assert_eq!(
        d.member_details(d.find_member("cleo@example.com").unwrap())
            .unwrap()
            .name,
        "Cleo Ray"
    );
    let audited = audited(&d, "action = 'member.import_edit'");
    assert_eq!(audited, 2);
}

#[test]
fn export_by_department_and_status() {
    let (mut d, _) = with_org();
    sample(&mut d);
    let sales = d.resolve_department_path("Sales").unwrap();
    let (_tmp, out) = temp_path("sales.csv");
    let q = |sub| MemberQuery {
        department_id: Some(sales),
        include_sub_departments: sub,
        ..Default::default()
    };
    assert_eq!(
        d.export_members(&q(false), Lang::En, &out, &Control::none())
            .unwrap(),
        1
    );
    assert_eq!(
        d.export_members(&q(true), Lang::En, &out, &Control::none())
            .unwrap(),
        1
    );
    let eng = d.resolve_department_path("Engineering").unwrap();
    let q = MemberQuery {
        department_id: Some(eng),
        include_sub_departments: false,
        ..Default::default()
    };
    assert_eq!(
        d.export_members(&q, Lang::Zh, &out, &Control::none())
            .unwrap(),
        2
    );
    let text = std::fs::read_to_string(&out).unwrap();
    assert!(text.starts_with("\u{feff}姓名*,用户名"), "{text}");
    let q = MemberQuery {
        status: orgdesk_core::members::StatusFilter::PendingJoin,
        ..Default::default()
    };
    assert_eq!(
        d.export_members(&q, Lang::En, &out, &Control::none())
            .unwrap(),
        2
    );
}

#[test]
fn personal_fields_of_joined_members_are_skipped_not_changed() {
    let (mut d, _) = with_org();
    sample(&mut d);
    let a = admin(&d);
    let (_tmp, p) = temp_file("p.csv", "Name,Username,Email,Department,Work Location\nRobert,bob,robert@example.com,Engineering,Paris\n");
    let r = d
        .import_members(&a, &p, &opts(false), &Control::none())
        .unwrap();
    assert_eq!(r.counts.update, 1, "{r:?}");
    let skipped: Vec<&str> = r.rows[0]
        .skipped
        .iter()
        .filter_map(|s| s.column.as_deref())
        .collect();
    assert_eq!(skipped, ["Name", "Email"]);
    let bob = d.member_details(d.find_member("bob").unwrap()).unwrap();
    assert_eq!(bob.name, "Bob");
    assert_eq!(bob.email.as_deref(), Some("bob@example.com"));
    assert_eq!(bob.work_location.as_deref(), Some("Paris"));
    assert_eq!(bob.positions.len(), 1);
    // Mobile column absent: kept.
    assert_eq!(bob.mobile.as_deref(), Some("+14155552671"));
}

#[test]
fn files_that_are_not_importable_are_refused_and_write_nothing() {
    let (d, _) = with_org();
    let tmp = tempfile::tempdir().unwrap();
    let png = tmp.path().join("photo.xlsx");
    std::fs::write(&png, b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR").unwrap();
    let check = |p: &Path| {
        refusal(
            d.preview_import(p, &opts(false), &Control::none())
                .unwrap_err(),
        )
    };
    assert_eq!(check(&png), "not_spreadsheet");
    let good = xlsx(tmp.path(), "good.xlsx", &[strings(&HEAD)]);
    let bytes = std::fs::read(&good).unwrap();
    let cut = tmp.path().join("cut.xlsx");
    std::fs::write(&cut, &bytes[..bytes.len() / 2]).unwrap();
    assert_eq!(check(&cut), "corrupt");
    let bin = tmp.path().join("data.csv");
    std::fs::write(&bin, b"Name,Department\n\0\x01\x02").unwrap();
    assert_eq!(check(&bin), "not_spreadsheet");
    let gbk = tmp.path().join("gbk.csv");
    // "姓名,部门" in GBK is decoded (Excel's CSV in a Chinese locale): both headers are
    // matched, and the file is refused only for having no member below them.
    std::fs::write(&gbk, b"\xd0\xd5\xc3\xfb,\xb2\xbf\xc3\xc5\n").unwrap();
    assert_eq!(check(&gbk), "empty");
    // Windows-1252 "José" is neither UTF-8 nor GBK.
    let latin1 = tmp.path().join("latin1.csv");
    std::fs::write(&latin1, b"Name,Department\nJos\xe9,/\n").unwrap();
    assert_eq!(check(&latin1), "not_utf8");
    let empty = tmp.path().join("empty.csv");
    std::fs::write(&empty, "\n\n").unwrap();
    assert_eq!(check(&empty), "empty");
    let missing = tmp.path().join("missing.csv");
    std::fs::write(&missing, "Name,Email\nA,a@example.com\n").unwrap();
    let e = d
        .preview_import(&missing, &opts(false), &Control::none())
        .unwrap_err();
    assert!(e.to_string().contains("Department"), "{e}");
    let noheader = tmp.path().join("noheader.csv");
    std::fs::write(&noheader, "Ann,a@example.com,Sales\n").unwrap();
    assert_eq!(check(&noheader), "no_header");
    // An encrypted workbook is an OLE container with an EncryptionInfo stream.
    let enc = tmp.path().join("secret.xlsx");
    let mut ole = vec![0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
    ole.extend(vec![0u8; 100]);
    ole.extend("EncryptionInfo".encode_utf16().flat_map(u16::to_le_bytes));
    std::fs::write(&enc, ole).unwrap();
    assert_eq!(check(&enc), "encrypted");
    assert_eq!(member_count(&d), 1);
}

#[test]
fn more_than_200000_rows_are_refused() {
    let (d, _) = with_org();
    let (_tmp, p) = temp_path("big.csv");
    let mut s = String::with_capacity(4_000_000);
    s.push_str("Name,Department\n");
    for i in 0..=200_000 {
        s.push_str(&format!("n{i},/\n"));
    }
    std::fs::write(&p, s).unwrap();
    assert_eq!(
        refusal(
            d.preview_import(&p, &opts(false), &Control::none())
                .unwrap_err()
        ),
        "too_many_rows"
    );
}

#[test]
fn cancel_during_commit_leaves_the_database_untouched() {
    let (mut d, _) = with_org();
    let (_tmp, p) = temp_file("c.csv", members_csv(3000, |_| "New Dept"));
    let a = admin(&d);
    let audit_before = count(&d, "audit_log");
    let e = with_cancel(
        |stage, done| stage == Stage::Commit && done >= 1000,
        |ctl| d.import_members(&a, &p, &opts(true), ctl),
    )
    .unwrap_err();
    assert!(matches!(e, SpreadsheetError::Cancelled), "{e:?}");
    assert_eq!(member_count(&d), 1);
    assert!(d.resolve_department_path("New Dept").is_err());
    assert_eq!(count(&d, "audit_log"), audit_before);
    // And the directory still works afterwards.
    let r = d
        .import_members(&a, &p, &opts(true), &Control::none())
        .unwrap();
    assert_eq!(r.counts.create, 3000);
}

#[test]
fn a_department_deleted_by_another_window_during_an_import_writes_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let (mut d, db) = org_in_file(tmp.path());
    mkdepts(&mut d, &["Sales", "Gone"]);
    let p = tmp.path().join("m.csv");
    let sales_and_gone = members_csv(50, |i| if i % 2 == 0 { "Sales" } else { "Gone" });
    std::fs::write(&p, sales_and_gone).unwrap();
    // The other window: the same file, its own connection.
    let other = std::cell::RefCell::new(Directory::open(&db).unwrap());
    let gone = other.borrow().resolve_department_path("Gone").unwrap();
    let deleted = std::cell::Cell::new(false);
    let progress = |stage: Stage, done: usize, total: usize| {
        if stage == Stage::Validate && done == total && !deleted.get() {
            let mut other = other.borrow_mut();
            let a = Actor::member(other.initial_admin_id().unwrap(), "Bo");
            other.delete_department(&a, gone).unwrap();
            deleted.set(true);
        }
    };
    let cancel = AtomicBool::new(false);
    let ctl = Control {
        cancel: &cancel,
        progress: &progress,
    };
    let a = admin(&d);
    let audit_before = count(&d, "audit_log");
    let e = d.import_members(&a, &p, &opts(false), &ctl).unwrap_err();
    assert!(deleted.get());
    assert!(e.to_string().contains("Nothing was imported"), "{e:?}");
    assert_eq!(member_count(&d), 1);
    assert_eq!(count(&d, "positions"), 1);
    // The other window's delete is the only change.
    assert_eq!(count(&d, "audit_log"), audit_before + 1);
    // Foreign keys are enforced again on this connection after the import.
    let fk: i64 = value(&d, "PRAGMA foreign_keys");
    assert_eq!(fk, 1);
    // Imported again, the rows for the deleted department fail one by one.
    let r = d
        .import_members(&a, &p, &opts(false), &Control::none())
        .unwrap();
    assert_eq!((r.counts.create, r.counts.failed), (25, 25));
}

#[test]
fn export_never_turns_a_cell_into_a_formula() {
    let (mut d, a) = with_org_admin();
    let root = d.resolve_department_path("").unwrap();
    d.add_member(
        &a,
        &NewMember {
            mobile: Some("+14155552671".into()),
            ..new_member(
                "=HYPERLINK(\"http://x\")",
                "eve",
                vec![pos(root, Some("@SUM(A1)"))],
            )
        },
    )
    .unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let csv = tmp.path().join("x.csv");
    d.export_members(&MemberQuery::default(), Lang::En, &csv, &Control::none())
        .unwrap();
    let text = std::fs::read_to_string(&csv).unwrap();
    assert!(text.contains("\"'=HYPERLINK(\"\"http://x\"\")\""), "{text}");
    assert!(text.contains("'@SUM(A1)"), "{text}");
    assert!(text.contains("'+14155552671"), "{text}");
    let xl = tmp.path().join("x.xlsx");
    d.export_members(&MemberQuery::default(), Lang::En, &xl, &Control::none())
        .unwrap();
    let mut wb: calamine::Xlsx<_> = calamine::open_workbook(&xl).unwrap();
    let formulas = wb.worksheet_formula("Members").unwrap();
    assert!(formulas.used_cells().all(|(_, _, f)| f.is_empty()));
    let data = wb.worksheet_range("Members").unwrap();
    assert!(data
        .used_cells()
        .any(|(_, _, c)| matches!(c, calamine::Data::String(s) if s.starts_with("=HYPERLINK"))));
    // Both files import back unchanged.
    for f in [&csv, &xl] {
        let r = d
            .import_members(&a, f, &opts(false), &Control::none())
            .unwrap();
        assert_eq!(r.counts.unchanged, 2, "{r:?}");
    }
}

#[test]
fn results_file_lists_every_row_and_reimports_after_a_fix() {
    let (mut d, _) = with_org();
    mkdept(&mut d, "Sales");
    let a = admin(&d);
    let (tmp, p) = temp_file(
        "r.csv",
        "Name,Email,Department\nOk,ok@example.com,Sales\nBad,bad@example.com,Nowhere\n",
    );
    let r = d
        .import_members(&a, &p, &opts(false), &Control::none())
        .unwrap();
    let rows = results_rows(&p, None, &r, &tmp.path().join("results.xlsx"));
    assert_eq!(rows[0], ["Name", "Email", "Department", "Result", "Reason"]);
    assert_eq!(rows[1][3], "created");
    assert_eq!(rows[2][3], "failed");
    assert!(rows[2][4].contains("No department \"Nowhere\""));
    // Fix the failed row in the results file and import it as is.
    let fixed = tmp.path().join("fixed.xlsx");
    write_xlsx(&fixed, &rows, |v| if v == "Nowhere" { "Sales" } else { v });
    let r = d
        .import_members(&a, &fixed, &opts(false), &Control::none())
        .unwrap();
    let counts = (r.counts.create, r.counts.unchanged, r.counts.failed);
    assert_eq!(counts, (1, 1, 0), "{r:?}");
}

#[test]
fn an_employee_id_whose_leading_zeros_a_number_cell_dropped_is_flagged_not_matched() {
    let (mut d, _) = with_org();
    let tmp = tempfile::tempdir().unwrap();
    let a = admin(&d);
    // Cleo's ID "00123" arrives as text.
    let first = xlsx(
        tmp.path(),
        "first.xlsx",
        &[
            strings(&HEAD),
            strings(&[
                "Cleo Park",
                "",
                "",
                "cleo@example.com",
                "",
                "/",
                "",
                "",
                "00123",
                "",
            ]),
        ],
    );
    let r = d
        .import_members(&a, &first, &opts(false), &Control::none())
        .unwrap();
    assert_eq!(r.counts.create, 1);
    // The next file was saved by a program that stored the IDs as numbers: 00123 became 123.
    let with_id = |name: &'static str, email: &'static str, id: f64| {
        row(&[
            ("Name*", C::S(name)),
            ("Email", C::S(email)),
            ("Department*", C::S("/")),
            ("Employee ID", C::N(id)),
        ])
    };
    let second = xlsx(
        tmp.path(),
        "second.xlsx",
        &[
            strings(&HEAD),
            with_id("Cleo Park", "cleo@example.com", 123.0),
            with_id("Dan Miller", "dan@example.com", 123.0),
            with_id("Eve Stone", "eve@example.com", 456.0),
        ],
    );
    let r = d
        .import_members(&a, &second, &opts(false), &Control::none())
        .unwrap();
    // Neither Cleo's ID changed to "123" nor a second person with it: both rows fail and say why.
    assert_eq!(
        (r.counts.create, r.counts.update, r.counts.failed),
        (1, 0, 2)
    );
    for n in [2, 3] {
        let p = &r.rows.iter().find(|x| x.row == n).unwrap().problems;
        assert!(
            p.iter().any(|p| p.column.as_deref() == Some("Employee ID")
                && p.reason.contains("\"00123\"")
                && p.reason.contains("leading zeros")),
            "row {n}: {p:?}"
        );
    }
    let cleo = d
        .member_details(d.find_member("cleo@example.com").unwrap())
        .unwrap();
    assert_eq!(cleo.employee_id.as_deref(), Some("00123"));
    // An ID no one has is taken as the number shows it.
    let eve = d
        .member_details(d.find_member("eve@example.com").unwrap())
        .unwrap();
    assert_eq!(eve.employee_id.as_deref(), Some("456"));
}
