//! Importing other systems' user exports through a column mapping, saving mappings by name,
//! and cancelling long jobs.

use orgdesk_core::members::MemberQuery;
use orgdesk_core::spreadsheet::{
    self, Column, ColumnMapping, Control, FieldSource, ImportOptions, SpreadsheetError, Stage,
};
use orgdesk_core::CommandError;

use crate::{
    admin, audited, members_csv, mkdept, results_rows, temp_file, temp_path, with_cancel, with_org,
    with_org_admin, write_xlsx,
};

/// The columns of a Google Workspace user export (Admin console › Users › Download users).
const GOOGLE: &str = "First Name [Required],Last Name [Required],Email Address [Required],Password [Required],Org Unit Path [Required],Mobile Phone,Employee ID,Employee Title,Department\n\
Jane,Doe,jane@acme.example,****,/Sales,+14155552671,G1,Account Executive,\n\
Li,Wei,li.wei@acme.example,****,/,,G2,,Finance\n\
Omar,,omar@acme.example,****,/Nowhere,,G3,,\n";

/// A mapping's field, read from these headers of the file.
fn source(field: Column, headers: &[&str]) -> FieldSource {
    FieldSource {
        field,
        headers: headers.iter().map(|h| h.to_string()).collect(),
    }
}

/// A Google Workspace export's name: its first and last name columns.
fn google_name() -> FieldSource {
    source(
        Column::Name,
        &["First Name [Required]", "Last Name [Required]"],
    )
}

fn opts(mapping: Option<ColumnMapping>) -> ImportOptions {
    ImportOptions {
        create_missing_departments: false,
        mapping,
        ..Default::default()
    }
}

#[test]
fn google_workspace_export_is_inspected_mapped_and_imported() {
    let (mut d, _) = with_org();
    mkdept(&mut d, "Sales");
    let (tmp, file) = temp_path("google.csv");
    std::fs::write(&file, GOOGLE).unwrap();

    // Without a mapping the file is refused: its headers are not ours.
    let e = d
        .preview_import(&file, &opts(None), &Control::none())
        .unwrap_err();
    match e {
        SpreadsheetError::Refused(r) => assert_eq!(r.code, "missing_headers"),
        other => panic!("expected a refusal, got {other:?}"),
    }

    let info = spreadsheet::inspect_file(&file, &Control::none()).unwrap();
    assert_eq!(info.headers.len(), 9);
    assert_eq!(info.rows, 3);
    assert_eq!(info.samples[0][0], "Jane");
    assert_eq!(info.missing, [Column::Name]);
    let s = &info.suggested;
    assert_eq!(
        s.headers_of(Column::Name),
        ["First Name [Required]", "Last Name [Required]"]
    );
    assert_eq!(
        s.headers_of(Column::Department),
        ["Org Unit Path [Required]"]
    );
    assert!(s.headers_of(Column::Password).is_empty());

    let preview = d
        .preview_import(&file, &opts(Some(info.suggested.clone())), &Control::none())
        .unwrap();
    assert_eq!(
        (preview.counts.create, preview.counts.failed),
        (2, 1),
        "{preview:?}"
    );
    // The file's other columns are listed as ignored, the mapped ones are not.
    assert!(preview
        .ignored_columns
        .contains(&"Password [Required]".to_owned()));
    assert!(!preview
        .ignored_columns
        .contains(&"First Name [Required]".to_owned()));
    let failed = preview.rows.iter().find(|r| r.row == 4).unwrap();
    assert_eq!(failed.problems[0].column.as_deref(), Some("Department"));
    assert!(failed.problems[0].reason.contains("Nowhere"));

    let a = admin(&d);
    let report = d
        .import_members(
            &a,
            &file,
            &opts(Some(info.suggested.clone())),
            &Control::none(),
        )
        .unwrap();
    assert_eq!(report.counts.create, 2);
    let jane = d
        .member_details(d.find_member("jane@acme.example").unwrap())
        .unwrap();
    assert_eq!(jane.name, "Jane Doe", "first and last name make the name");
    assert_eq!(jane.status.as_str(), "not_joined");
    assert_eq!(jane.positions[0].department_path, "Sales");
    assert_eq!(
        jane.positions[0].title.as_deref(),
        Some("Account Executive")
    );
    assert_eq!(jane.mobile.as_deref(), Some("+14155552671"));
    let li = d
        .member_details(d.find_member("li.wei@acme.example").unwrap())
        .unwrap();
    assert_eq!(li.name, "Li Wei");
    assert_eq!(li.positions[0].department_path, "", "\"/\" is the root");

    // The results file keeps the file's own columns (not the joined name) and re-imports
    // with the same mapping.
    let out = tmp.path().join("results.xlsx");
    let rows = results_rows(&file, Some(&info.suggested), &report, &out);
    assert_eq!(rows[0].len(), 11);
    assert_eq!(rows[0][9], "Result");
    assert_eq!(rows[1][9], "created");
    assert_eq!(rows[3][9], "failed");
    let again = d
        .preview_import(&out, &opts(Some(info.suggested)), &Control::none())
        .unwrap();
    assert_eq!(
        (again.counts.unchanged, again.counts.failed),
        (2, 1),
        "{again:?}"
    );
}

#[test]
fn a_mapping_can_rename_columns_and_must_name_columns_the_file_has() {
    let (mut d, _) = with_org();
    let (tmp, file) = temp_path("hr.csv");
    std::fs::write(&file, "Full name;Mail;Team\nAda;ada@example.com;/\n").unwrap();
    let mapping = ColumnMapping {
        fields: vec![
            source(Column::Name, &["full name"]),
            source(Column::Email, &["Mail"]),
            source(Column::Department, &["Team"]),
        ],
    };
    let a = admin(&d);
    let r = d
        .import_members(&a, &file, &opts(Some(mapping.clone())), &Control::none())
        .unwrap();
    assert_eq!(r.counts.create, 1, "{r:?}");
    assert!(r.ignored_columns.is_empty());

    // A mapping from another file names a column this one lacks: refused, nothing written.
    let other = tmp.path().join("other.csv");
    std::fs::write(&other, "Full name,Team\nBea,/\n").unwrap();
    let e = d
        .import_members(&a, &other, &opts(Some(mapping)), &Control::none())
        .unwrap_err();
    match e {
        SpreadsheetError::Refused(r) => {
            assert_eq!(r.code, "mapped_column_missing");
            assert!(r.reason.contains("\"Mail\""), "{}", r.reason);
        }
        other => panic!("expected a refusal, got {other:?}"),
    }
    // Leaving out a required field is refused the same way a missing header is.
    let e = d
        .preview_import(
            &other,
            &opts(Some(ColumnMapping {
                fields: vec![source(Column::Name, &["Full name"])],
            })),
            &Control::none(),
        )
        .unwrap_err();
    assert!(
        matches!(&e, SpreadsheetError::Refused(r) if r.code == "missing_headers"),
        "{e:?}"
    );
    assert_eq!(
        d.list_members(&MemberQuery::default()).unwrap().total,
        2,
        "the admin and Ada"
    );
}

#[test]
fn saved_mappings_are_kept_by_name_replaced_and_deleted() {
    let (mut d, a) = with_org_admin();
    assert!(d.saved_mappings().unwrap().is_empty());
    let google = ColumnMapping {
        fields: vec![
            google_name(),
            source(Column::Department, &["Org Unit Path [Required]"]),
        ],
    };
    let saved = d.save_mapping(&a, "  Google Workspace ", &google).unwrap();
    assert_eq!(saved.name, "Google Workspace");
    let list = d.saved_mappings().unwrap();
    assert_eq!(list.len(), 1);
    assert_eq!(list[0].mapping, google);

    // The same name (any case) replaces it.
    let mut changed = google.clone();
    changed
        .fields
        .push(source(Column::Email, &["Email Address [Required]"]));
    let replaced = d.save_mapping(&a, "google workspace", &changed).unwrap();
    assert_eq!(replaced.id, saved.id);
    let list = d.saved_mappings().unwrap();
    assert_eq!(list.len(), 1);
    assert_eq!(list[0].mapping, changed);

    // A name is required, and so are the required fields.
    let e = CommandError::from(d.save_mapping(&a, " ", &google).unwrap_err());
    assert_eq!(e.details[0].field.as_deref(), Some("name"));
    let no_dept = ColumnMapping {
        fields: vec![google.fields[0].clone()],
    };
    let e = CommandError::from(d.save_mapping(&a, "Partial", &no_dept).unwrap_err());
    assert_eq!(e.details[0].field.as_deref(), Some("mapping"));

    d.delete_mapping(&a, saved.id).unwrap();
    assert!(d.saved_mappings().unwrap().is_empty());
    let e = CommandError::from(d.delete_mapping(&a, saved.id).unwrap_err());
    assert_eq!(e.code, orgdesk_core::ErrorCode::NotFound);
    let audited = audited(&d, "target_type = 'import_mapping'");
    assert_eq!(audited, 3);
}

#[test]
fn cancel_while_validating_a_preview_is_reported_and_writes_nothing() {
    let (d, _) = with_org();
    let (_tmp, p) = temp_file("big.csv", members_csv(5000, |_| "/"));
    let e = with_cancel(
        |stage, _| stage == Stage::Validate,
        |ctl| d.preview_import(&p, &opts(None), ctl),
    )
    .unwrap_err();
    assert!(matches!(e, SpreadsheetError::Cancelled), "{e:?}");
    // The window tells a cancel from a conflict by the detail code.
    let c = CommandError::from(e);
    assert_eq!(c.details[0].code, "cancelled");
}

#[test]
fn a_cancelled_export_leaves_no_partial_file() {
    let (mut d, a) = with_org_admin();
    let (tmp, p) = temp_file("seed.csv", members_csv(2500, |_| "/"));
    d.import_members(&a, &p, &opts(None), &Control::none())
        .unwrap();
    for name in ["members.csv", "members.xlsx"] {
        let out = tmp.path().join(name);
        let e = with_cancel(
            |stage, done| stage == Stage::Write && done >= 1000,
            |ctl| d.export_members(&MemberQuery::default(), spreadsheet::Lang::En, &out, ctl),
        )
        .unwrap_err();
        assert!(matches!(e, SpreadsheetError::Cancelled), "{name}: {e:?}");
        assert!(!out.exists(), "{name} was left behind");
    }
}

/// An .xlsx is parsed while it is read, a few thousand rows at a time: a title above the
/// header, blank rows between batches, a joined name, a duplicate far from its first row and
/// a cancel during the reading.
#[test]
fn a_workbook_is_parsed_while_it_is_read() {
    let mut rows: Vec<Vec<String>> = vec![
        vec!["Staff list".into()],
        vec![
            "First Name [Required]".into(),
            "Last Name [Required]".into(),
            "Email Address [Required]".into(),
            "Org Unit Path [Required]".into(),
        ],
    ];
    for i in 0..4500 {
        if i % 1000 == 7 {
            rows.push(Vec::new());
        }
        let email = if i == 4321 {
            "m0@example.com".to_owned()
        } else {
            format!("m{i}@example.com")
        };
        rows.push(vec![format!("M{i}"), "Lee".into(), email, "/".into()]);
    }
    let (_tmp, xlsx) = temp_path("staff.xlsx");
    write_xlsx(&xlsx, &rows, |v| v);
    let mapping = ColumnMapping {
        fields: vec![
            google_name(),
            source(Column::Email, &["Email Address [Required]"]),
            source(Column::Department, &["Org Unit Path [Required]"]),
        ],
    };
    let (d, _) = with_org();
    let r = d
        .preview_import(&xlsx, &opts(Some(mapping.clone())), &Control::none())
        .unwrap();
    // 4,500 rows, in order, blank ones left out; the first and the one repeating its email
    // (4,329: below the title, the header and five blank rows) fail.
    assert_eq!((r.counts.create, r.counts.failed), (4498, 2));
    assert_eq!(r.rows.len(), 4500);
    assert!(r.rows.windows(2).all(|w| w[0].row < w[1].row));
    let failed: Vec<u32> = r
        .rows
        .iter()
        .filter(|r| !r.problems.is_empty())
        .map(|r| r.row)
        .collect();
    assert_eq!(failed, [3, 4329]);
    assert!(r.rows[0].problems[0].reason.contains("also on row 4329"));
    assert!(
        !r.rows.iter().any(|r| [10, 1011, 4014].contains(&r.row)),
        "blank rows"
    );

    let mut d = d;
    let a = admin(&d);
    let r = d
        .import_members(&a, &xlsx, &opts(Some(mapping.clone())), &Control::none())
        .unwrap();
    assert_eq!(r.counts.create, 4498);
    let m = d
        .list_members(&MemberQuery {
            search: Some("m4499@".into()),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(m.rows[0].name, "M4499 Lee");

    // A cancel while the workbook is being read writes nothing.
    let before = d.list_members(&MemberQuery::default()).unwrap().total;
    let e = with_cancel(
        |stage, done| stage == Stage::Read && done == 0,
        |ctl| d.import_members(&a, &xlsx, &opts(Some(mapping)), ctl),
    )
    .unwrap_err();
    assert!(matches!(e, SpreadsheetError::Cancelled), "{e:?}");
    assert_eq!(
        d.list_members(&MemberQuery::default()).unwrap().total,
        before
    );
}

#[test]
fn without_a_chosen_mapping_a_known_export_takes_the_suggestion_and_ours_takes_none() {
    let tmp = tempfile::tempdir().unwrap();
    let info = |name: &str, content: &str| {
        let file = tmp.path().join(name);
        std::fs::write(&file, content).unwrap();
        spreadsheet::inspect_file(&file, &Control::none()).unwrap()
    };
    let google = info("google.csv", GOOGLE);
    assert_eq!(
        google.automatic_mapping(),
        Ok(Some(google.suggested.clone()))
    );
    let ours = info("ours.csv", "Name,Email,Department\nAnn,a@example.com,/\n");
    assert_eq!(ours.automatic_mapping(), Ok(None));
    let unknown = info("other.csv", "Nickname,Email\nAnn,a@example.com\n");
    assert_eq!(
        unknown.automatic_mapping(),
        Err(vec![Column::Name, Column::Department])
    );
}

#[test]
fn a_saved_mapping_is_found_by_its_name_whatever_the_case() {
    let (mut d, a) = with_org_admin();
    let e = d.saved_mapping_named("Google").unwrap_err();
    assert!(
        matches!(&e, orgdesk_core::CoreError::NotFound(why) if why.contains("none is saved yet")),
        "{e:?}"
    );
    let mapping = ColumnMapping {
        fields: vec![
            source(Column::Name, &["Display name"]),
            source(Column::Department, &["Department"]),
        ],
    };
    let saved = d.save_mapping(&a, "Microsoft 365", &mapping).unwrap();
    assert_eq!(d.saved_mapping_named(" microsoft 365 ").unwrap(), saved);
    let e = d.saved_mapping_named("Google").unwrap_err();
    assert!(
        matches!(&e, orgdesk_core::CoreError::NotFound(why)
            if why == "There is no saved mapping named \"Google\". Saved mappings: Microsoft 365."),
        "{e:?}"
    );
}

#[test]
fn a_file_is_inspected_previewed_and_imported_as_it_is_now_even_when_saved_again_under_its_name() {
    let (mut d, a) = with_org_admin();
    let (_tmp, file) = temp_path("people.xlsx");
    let sheet = |names: &[&str]| {
        let mut rows = vec![vec!["Name*".into(), "Email".into(), "Department*".into()]];
        rows.extend(names.iter().map(|n| {
            let email = format!("{}@example.com", n.replace(' ', ".").to_lowercase());
            vec![n.to_string(), email, "/".to_owned()]
        }));
        write_xlsx(&file, &rows, |v| v);
    };
    let preview = |d: &orgdesk_core::Directory| {
        let p = d
            .preview_import(&file, &opts(None), &Control::none())
            .unwrap();
        (p.counts.create, p.counts.failed)
    };

    // A preview alone reads the file as it parses it; after the mapping step, the preview
    // takes the cells the mapping step read. Both answer the same.
    sheet(&["Ann One", "Bo Two", "Cy Three"]);
    let alone = d
        .preview_import(&file, &opts(None), &Control::none())
        .unwrap();
    assert_eq!(
        spreadsheet::inspect_file(&file, &Control::none())
            .unwrap()
            .rows,
        3
    );
    assert_eq!(
        d.preview_import(&file, &opts(None), &Control::none())
            .unwrap(),
        alone
    );
    assert_eq!(
        spreadsheet::inspect_file(&file, &Control::none())
            .unwrap()
            .rows,
        3
    );
    assert_eq!(preview(&d), (3, 0));
    assert_eq!(preview(&d), (3, 0));

    // Saved again under the same name with other rows: read as it is now, never as it was.
    sheet(&["Di Four", "Ed Five", "Fay Six", "Gus Seven", "Ann One"]);
    let info = spreadsheet::inspect_file(&file, &Control::none()).unwrap();
    assert_eq!((info.rows, info.samples[0][0].as_str()), (5, "Di Four"));
    assert_eq!(preview(&d), (5, 0));
    let report = d
        .import_members(&a, &file, &opts(None), &Control::none())
        .unwrap();
    assert_eq!(report.counts.create, 5);
    let names: Vec<String> = d
        .list_members(&MemberQuery::default())
        .unwrap()
        .rows
        .into_iter()
        .map(|m| m.name)
        .collect();
    assert!(names.contains(&"Gus Seven".to_owned()), "{names:?}");
    assert!(!names.contains(&"Bo Two".to_owned()), "{names:?}");
}
