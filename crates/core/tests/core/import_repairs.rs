//! Cells an import repairs instead of refusing: a mobile number whose "+" a spreadsheet
//! dropped (LibreOffice and Excel store "+447946000000" typed into a number cell as the number
//! 447946000000) is read with the "+" put back when that makes a valid number, and the row
//! says so as a warning. Numbers without a country code are read in the organization's
//! default region. Real files: .xlsx (rust_xlsxwriter), .ods and .csv, written and read back.

use std::path::Path;

use orgdesk_core::settings::Settings;
use orgdesk_core::spreadsheet::{Control, ImportOptions, ImportReport, Lang, RowOutcome};
use orgdesk_core::Directory;

use crate::corpus::{member, ods};
use crate::spreadsheet::{xlsx, C};
use crate::{admin, results_rows, temp_file, with_org, with_org_admin};

fn opts(lang: Lang) -> ImportOptions {
    ImportOptions {
        lang,
        ..Default::default()
    }
}

fn set_region(d: &mut Directory, region: &str) {
    let a = admin(d);
    let mut s: Settings = d.settings().unwrap();
    s.default_region = region.into();
    d.update_settings(&a, &s).unwrap();
}

fn mobile_of(d: &Directory, name: &str) -> Option<String> {
    member(d, name).mobile
}

/// The one row's warnings as (row, column, reason).
fn warnings(r: &ImportReport) -> Vec<(u32, String, String)> {
    r.rows
        .iter()
        .flat_map(|x| &x.warnings)
        .map(|w| {
            (
                w.row,
                w.column.clone().unwrap_or_default(),
                w.reason.clone(),
            )
        })
        .collect()
}

/// An .ods row of string cells, then the Mobile cell as a float LibreOffice writes it: the
/// exact value in `office:value`, the shown text in scientific notation.
fn ods_row(name: &str, email: &str, mobile: &str, shown: &str) -> String {
    format!(
        "<table:table-row><table:table-cell office:value-type=\"string\"><text:p>{name}</text:p></table:table-cell>\
         <table:table-cell office:value-type=\"string\"><text:p>{email}</text:p></table:table-cell>\
         <table:table-cell office:value-type=\"float\" office:value=\"{mobile}\"><text:p>{shown}</text:p></table:table-cell>\
         <table:table-cell office:value-type=\"string\"><text:p>/</text:p></table:table-cell></table:table-row>"
    )
}

const ODS_HEAD: &str = "<table:table-row><table:table-cell office:value-type=\"string\"><text:p>Name</text:p></table:table-cell>\
    <table:table-cell office:value-type=\"string\"><text:p>Email</text:p></table:table-cell>\
    <table:table-cell office:value-type=\"string\"><text:p>Mobile</text:p></table:table-cell>\
    <table:table-cell office:value-type=\"string\"><text:p>Department</text:p></table:table-cell></table:table-row>";

/// The files of the same two rows: Tess's mobile stored as the number 447946000000 (a UK
/// mobile that lost its "+"), Bo's as 1234 (no number with or without "+").
fn files(dir: &Path) -> Vec<(&'static str, std::path::PathBuf)> {
    let head = ["Name", "Email", "Mobile", "Department"].map(C::S).to_vec();
    let x = xlsx(
        dir,
        "libre.xlsx",
        &[
            head,
            vec![
                C::S("Tess Holt"),
                C::S("tess@example.com"),
                // 4.47946e11: a float cell, read back without losing a digit.
                C::N(4.47946e11),
                C::S("/"),
            ],
            vec![C::S("Bo"), C::S("bo@example.com"), C::N(1234.0), C::S("/")],
        ],
    );
    let o = dir.join("libre.ods");
    std::fs::write(
        &o,
        ods(&[
            ODS_HEAD,
            &ods_row(
                "Tess Holt",
                "tess@example.com",
                "447946000000",
                "4.47946E+11",
            ),
            &ods_row("Bo", "bo@example.com", "1234", "1234"),
        ]),
    )
    .unwrap();
    let c = dir.join("libre.csv");
    std::fs::write(
        &c,
        "Name,Email,Mobile,Department\nTess Holt,tess@example.com,447946000000,/\nBo,bo@example.com,1234,/\n",
    )
    .unwrap();
    vec![("xlsx", x), ("ods", o), ("csv", c)]
}

#[test]
fn a_mobile_that_lost_its_plus_is_repaired_and_reported_in_preview_results_and_import() {
    let tmp = tempfile::tempdir().unwrap();
    for (kind, file) in files(tmp.path()) {
        let (mut d, a) = with_org_admin();
        let preview = d
            .preview_import(&file, &opts(Lang::En), &Control::none())
            .unwrap();
        assert_eq!(
            preview.rows[0].outcome,
            RowOutcome::Create,
            "{kind}: {preview:?}"
        );
        let w = warnings(&preview);
        assert_eq!(w.len(), 1, "{kind}: {w:?}");
        assert_eq!((w[0].0, w[0].1.as_str()), (2, "Mobile"), "{kind}");
        assert!(w[0].2.contains("447946000000"), "{kind}: {}", w[0].2);
        assert!(
            w[0].2.contains("read as +447946000000"),
            "{kind}: {}",
            w[0].2
        );
        if kind == "csv" {
            assert!(w[0].2.contains("default region (US)"), "{}", w[0].2);
        } else {
            assert!(w[0].2.contains("stored as the number"), "{}", w[0].2);
        }
        // The number that is no number with a "+" either still fails, as before.
        assert_eq!(preview.rows[1].outcome, RowOutcome::Failed, "{kind}");
        assert!(preview.rows[1].warnings.is_empty());
        assert_eq!(
            preview.rows[1].problems[0].column.as_deref(),
            Some("Mobile")
        );
        // The window's summary carries the warning.
        let s = preview.summary(100);
        assert_eq!(s.warnings_total, 1, "{kind}");
        assert_eq!(s.warnings[0].row, 2);
        assert_eq!(s.counts.failed, 1);

        // The preview's results file says what was done on Tess's row.
        let out = tmp.path().join(format!("results-{kind}.xlsx"));
        let reason = &results_rows(&file, None, &preview, &out)[1][5];
        assert!(reason.contains("read as +447946000000"), "{kind}: {reason}");

        let done = d
            .import_members(&a, &file, &opts(Lang::En), &Control::none())
            .unwrap();
        assert_eq!((done.counts.create, done.counts.failed), (1, 1), "{kind}");
        assert_eq!(
            warnings(&done),
            w,
            "{kind}: the result reports it as the preview did"
        );
        assert_eq!(mobile_of(&d, "Tess Holt").as_deref(), Some("+447946000000"));
    }
}

#[test]
fn the_repair_is_worded_in_chinese_too() {
    let tmp = tempfile::tempdir().unwrap();
    let (d, _) = with_org();
    let files = files(tmp.path());
    let r = d
        .preview_import(&files[0].1, &opts(Lang::Zh), &Control::none())
        .unwrap();
    let w = warnings(&r);
    assert_eq!(
        w,
        [(
            2,
            "手机号".to_owned(),
            "手机号存储为数字 447946000000，开头的“+”已丢失：已按 +447946000000 读取。".to_owned()
        )]
    );
}

#[test]
fn numbers_without_a_country_code_are_read_in_the_default_region_without_a_warning() {
    let (_tmp, file) = temp_file("local.csv", "Name,Email,Mobile,Department\nTess Holt,tess@example.com,07946 000000,/\nLi Lei,li@example.com,13812345678,/\n");
    // In the United Kingdom the first is a mobile, the second none.
    let (mut d, _) = with_org();
    set_region(&mut d, "GB");
    let r = d
        .preview_import(&file, &opts(Lang::En), &Control::none())
        .unwrap();
    assert_eq!(r.rows[0].outcome, RowOutcome::Create, "{r:?}");
    assert!(r.rows[0].warnings.is_empty());
    assert_eq!(r.rows[1].outcome, RowOutcome::Failed);
    assert!(
        r.rows[1].problems[0].reason.contains("default region"),
        "{:?}",
        r.rows[1].problems
    );
    let a = admin(&d);
    d.import_members(&a, &file, &opts(Lang::En), &Control::none())
        .unwrap();
    assert_eq!(mobile_of(&d, "Tess Holt").as_deref(), Some("+447946000000"));

    // In China 13812345678 is a mobile (never repaired into "+1 381 …"), and 07946 000000
    // is read as a Chinese number (trunk 0, area code 794), not the British one.
    let (mut d, _) = with_org();
    set_region(&mut d, "CN");
    let a = admin(&d);
    let r = d
        .import_members(&a, &file, &opts(Lang::En), &Control::none())
        .unwrap();
    assert_eq!(r.counts.create, 2, "{r:?}");
    assert!(warnings(&r).is_empty());
    assert_eq!(mobile_of(&d, "Li Lei").as_deref(), Some("+8613812345678"));
    assert_eq!(mobile_of(&d, "Tess Holt").as_deref(), Some("+867946000000"));
}

#[test]
fn a_number_valid_in_the_default_region_is_read_there_first() {
    // 14155552671 is a US number with its trunk "1" and, with a "+", the same number: read in
    // the region, no warning. 447946000000 read in GB is the same UK mobile, also no warning.
    let tmp = tempfile::tempdir().unwrap();
    for (region, cell, e164) in [
        ("US", 14_155_552_671.0, "+14155552671"),
        ("GB", 447_946_000_000.0, "+447946000000"),
    ] {
        let (mut d, _) = with_org();
        set_region(&mut d, region);
        let file = xlsx(
            tmp.path(),
            &format!("{region}.xlsx"),
            &[
                ["Name", "Mobile", "Department"].map(C::S).to_vec(),
                vec![C::S("Tess Holt"), C::N(cell), C::S("/")],
            ],
        );
        let a = admin(&d);
        let r = d
            .import_members(&a, &file, &opts(Lang::En), &Control::none())
            .unwrap();
        assert_eq!(r.counts.create, 1, "{region}: {r:?}");
        assert!(warnings(&r).is_empty(), "{region}: {r:?}");
        assert_eq!(mobile_of(&d, "Tess Holt").as_deref(), Some(e164));
    }
}
