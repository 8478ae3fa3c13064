//! `orgdesk import` of other systems' user exports: mapped as the window maps them, or
//! through a mapping saved in the window (`--mapping NAME`); a mobile that lost its "+"
//! repaired and reported.

use std::path::PathBuf;

use orgdesk_core::audit::Actor;
use orgdesk_core::spreadsheet::{Column, ColumnMapping, FieldSource};
use orgdesk_core::Directory;

use crate::support::{assert_holds_all, assert_refused, init_acme, json, ok, orgdesk, text};

/// A Google Workspace user export (Admin console › Users › Download users, all columns). Li
/// Wei's mobile lost its "+" on the way (447946000000, a UK mobile); Omar's org unit does not
/// exist here.
const GOOGLE: &str = "First Name [Required],Last Name [Required],Email Address [Required],Password [Required],Password Hash Function [UPLOAD ONLY],Org Unit Path [Required],New Primary Email [UPLOAD ONLY],Recovery Email,Home Secondary Email,Work Secondary Email,Recovery Phone [MUST BE IN THE E.164 FORMAT],Work Phone,Home Phone,Mobile Phone,Work Address,Home Address,Employee ID,Employee Type,Employee Title,Manager Email,Department,Cost Center,Building ID,Floor Name,Floor Section,Change Password at Next Sign-In,New Status [UPLOAD ONLY],Advanced Protection Program enrollment\n\
Jane,Doe,jane@acme.example,****,,/Sales,,,,,,,,+1 415-555-2671,,,G1,,Account Executive,,Sales,,,,,False,,False\n\
Li,Wei,li.wei@acme.example,****,,/,,,,,,,,447946000000,,,G2,,,,Finance,,,,,False,,False\n\
Omar,Haddad,omar@acme.example,****,,/Nowhere,,,,,,,,,,,G3,,,,,,,,,False,,False\n";

/// A Microsoft 365 user export (admin center › Users › Active users › Export users).
const MICROSOFT: &str = "\u{feff}Alternate email address,Block credential,City,Country/Region,Department,DirSyncEnabled,Display name,Fax,First name,Last dirsync time,Last name,Last password change time,License assignment detail,Licenses,Mobile Phone,Oath token metadata,Object Id,Office,Password never expires,Phone number,Postal code,Preferred data location,Preferred language,Proxy addresses,Release track,Soft deletion time stamp,State,Street address,Strong password required,Title,Usage location,User principal name,When created\n\
,False,Seattle,United States,Sales,,Adele Vance,,Adele,,Vance,2026-01-10 09:00:00,,contoso:ENTERPRISEPACK,+1 415 555 2672,,4a1f0c52-1d2e-4e63-9b1a-2f7c3e9d0a11,18/2111,False,+1 425 555 0100,98052,,en-US,SMTP:AdeleV@contoso.example,,,WA,One Microsoft Way,True,Retail Manager,US,AdeleV@contoso.example,2026-01-01 08:00:00\n\
,False,Seattle,United States,Sales,,Alex Wilber,,Alex,,Wilber,2026-01-10 09:00:00,,contoso:ENTERPRISEPACK,+14155552673,,9c2e7d41-6b3a-4f0e-8d5c-1a2b3c4d5e6f,131/1104,False,,98052,,en-US,SMTP:AlexW@contoso.example,,,WA,One Microsoft Way,True,Marketing Assistant,US,AlexW@contoso.example,2026-01-01 08:00:00\n";

/// An organization with a Sales department, in a new folder, and `content` saved there as
/// `name`: (the folder, the database, the file).
fn org_with_file(name: &str, content: &str) -> (tempfile::TempDir, PathBuf, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("org.db");
    ok(&init_acme(&db, None));
    ok(&orgdesk(&db, &["dept", "add", "Sales"], None));
    let file = dir.path().join(name);
    std::fs::write(&file, content).unwrap();
    (dir, db, file)
}

#[test]
fn a_google_workspace_export_is_mapped_as_the_window_maps_it() {
    let (dir, db, file) = org_with_file("google-users.csv", GOOGLE);
    let f = file.to_str().unwrap();

    // Before, this was "Required column is missing: Name".
    let out = orgdesk(&db, &["import", f, "--dry-run"], None);
    crate::assert_row_4_failed(&out);
    let s = text(&out.stdout);
    assert!(s.contains("Repaired cells (1):"), "{s}");
    assert!(
        s.contains("row 3 (Mobile): Mobile \"447946000000\" has no \"+\""),
        "{s}"
    );
    assert!(s.contains("read as +447946000000"), "{s}");

    let results = dir.path().join("results.xlsx");
    let out = orgdesk(
        &db,
        &[
            "import",
            f,
            "--json",
            "--results",
            results.to_str().unwrap(),
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(3), "{}", text(&out.stderr));
    let v = json(&out);
    assert_eq!(v["counts"]["create"], 2, "{v}");
    assert_eq!(v["rows"][1]["warnings"][0]["row"], 3);
    assert_eq!(v["rows"][1]["warnings"][0]["column"], "Mobile");
    assert!(results.exists());
    let members = json(&orgdesk(&db, &["member", "list", "--json"], None));
    let list = members.to_string();
    assert!(
        list.contains("Jane Doe") && list.contains("Li Wei"),
        "{list}"
    );
    assert!(list.contains("+447946000000"), "{list}");
}

#[test]
fn a_microsoft_365_export_is_mapped_as_the_window_maps_it() {
    let (_dir, db, file) = org_with_file("users.csv", MICROSOFT);
    let out = orgdesk(
        &db,
        &["import", file.to_str().unwrap(), "--lang", "zh"],
        None,
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let s = text(&out.stdout);
    assert!(s.contains("新建 2"), "{s}");
    let list = json(&orgdesk(&db, &["member", "list", "--json"], None)).to_string();
    // Display names and titles.
    assert_holds_all(&list, &["Adele Vance", "Alex Wilber", "Retail Manager"]);
}

#[test]
fn a_mapping_saved_in_the_window_is_used_by_name_and_an_unmapped_file_says_what_to_do() {
    let (dir, db, file) = org_with_file(
        "hr.csv",
        "Person,Team,Phone\nKai Mo,/,+14155552674\nRuth Ng,/,+14155552675\n",
    );
    let f = file.to_str().unwrap();

    // No header is ours and the suggestion knows none: refused, naming what to do.
    let out = orgdesk(&db, &["import", f], None);
    assert_eq!(out.status.code(), Some(1));
    let e = text(&out.stderr);
    assert!(
        e.contains("No column of this file could be taken for Name, Department"),
        "{e}"
    );
    assert!(e.contains("--mapping NAME"), "{e}");
    assert!(out.stdout.is_empty());

    // What the window's mapping step saves.
    {
        let mut d = Directory::open(&db).unwrap();
        let admin = Actor::member(d.initial_admin_id().unwrap(), "ann");
        let source = |field, h: &str| FieldSource {
            field,
            headers: vec![h.to_owned()],
        };
        let m = ColumnMapping {
            fields: vec![
                source(Column::Name, "Person"),
                source(Column::Department, "Team"),
                source(Column::Mobile, "Phone"),
            ],
        };
        d.save_mapping(&admin, "HR system", &m).unwrap();
    }
    let out = orgdesk(&db, &["import", f, "--mapping", "Payroll"], None);
    assert_eq!(out.status.code(), Some(1));
    let e = text(&out.stderr);
    assert!(
        e.contains("There is no saved mapping named \"Payroll\". Saved mappings: HR system."),
        "{e}"
    );
    let v = json(&orgdesk(
        &db,
        &["import", f, "--mapping", "hr system", "--json"],
        None,
    ));
    assert_eq!(v["counts"]["create"], 2, "{v}");

    // A saved mapping names headers the file must have.
    let other = dir.path().join("other.csv");
    std::fs::write(&other, "Person,Phone\nLe Ba,+14155552676\n").unwrap();
    let out = orgdesk(
        &db,
        &["import", other.to_str().unwrap(), "--mapping", "HR system"],
        None,
    );
    assert_refused(&out, 1, "The column \"Team\"");
}

#[test]
fn import_help_tells_of_known_exports_and_saved_mappings() {
    let dir = tempfile::tempdir().unwrap();
    let out = orgdesk(&dir.path().join("none.db"), &["import", "--help"], None);
    let s = ok(&out);
    assert!(s.contains("Google Workspace or Microsoft 365"), "{s}");
    assert!(s.contains("--mapping <NAME>"), "{s}");
    assert!(s.contains("saved mapping is used only when named"), "{s}");
}
