//! Import / Export in the real window, through the same commands a native dialog drives: the
//! app is started with ORGDESK_E2E_DIALOG_DIR, and each dialog takes the next path written to
//! `answers` there (see src-tauri/src/dialogs.rs).

use std::path::{Path, PathBuf};

use calamine::Reader;

use crate::harness::{
    cli, cli_json, click, click_to_open, member_json, switch_language, type_into, until_hidden,
    wait_text,
};
use crate::scenarios::{sign_in, Ctx, PASSWORD};

/// A screenshot once the window has painted what the test just waited for.
async fn screenshot(c: &Ctx, name: &str) {
    tokio::time::sleep(std::time::Duration::from_millis(400)).await;
    c.h.screenshot(&c.d, name).await;
}

pub fn prepare(db: &Path) {
    cli(db, &["dept", "add", "Sales"], None);
}

/// The dialogs the app will be shown next, answered in order.
fn answer_dialogs(dir: &Path, paths: &[&Path]) {
    let lines: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
    std::fs::write(dir.join("answers"), lines.join("\n")).unwrap();
}

/// What the app asked the dialogs so far (`open`, or `save<TAB>proposed name`).
fn asked(dir: &Path) -> Vec<String> {
    std::fs::read_to_string(dir.join("asked"))
        .unwrap_or_default()
        .lines()
        .map(str::to_owned)
        .collect()
}

fn read_sheet(path: &Path) -> Vec<Vec<String>> {
    let mut wb = calamine::open_workbook_auto(path).unwrap();
    let range = wb.worksheet_range_at(0).unwrap().unwrap();
    range
        .rows()
        .map(|r| r.iter().map(|c| c.to_string()).collect())
        .collect()
}

fn write_sheet(path: &Path, rows: &[Vec<String>]) {
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    for (r, row) in rows.iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            if !v.is_empty() {
                ws.write_string(r as u32, c as u16, v).unwrap();
            }
        }
    }
    wb.save(path).unwrap();
}

fn row(cells: &[&str]) -> Vec<String> {
    cells.iter().map(|s| (*s).to_owned()).collect()
}

/// Template -> fill with one bad row -> import -> the preview shows the failure -> import ->
/// results downloaded -> fix the failed row in the results file -> import again -> export.
pub async fn template_import_fix_reimport_export(c: Ctx) {
    let d = &c.d;
    let dialogs = c.h.dialogs.clone();
    let _ = std::fs::remove_file(dialogs.join("asked"));
    let work = tempfile::tempdir().unwrap();
    let file = |name: &str| -> PathBuf { work.path().join(name) };

    sign_in(d, "ann", PASSWORD).await;
    wait_text(d, "header-user", |t| t.contains("Ann Lee")).await;

    // The import quota: off by default, turned on in Settings with the seed of 100 a day.
    click(d, "nav-settings").await;
    wait_text(d, "settings-quota-hint", |t| t.starts_with("Off:")).await;
    click(d, "settings-quota-switch").await;
    click(d, "settings-quota-save").await;
    wait_text(d, "settings-quota-hint", |t| {
        t.contains("this many imports a day")
    })
    .await;
    screenshot(&c, "19-settings-import-quota").await;

    click(d, "nav-import-export").await;
    wait_text(d, "sheet-drop-zone", |t| t.contains("Drag a spreadsheet")).await;
    screenshot(&c, "20-import-export").await;

    // Download template: the save dialog proposes its name, the file lands where chosen.
    let template = file("template.xlsx");
    answer_dialogs(&dialogs, &[&template]);
    click(d, "sheet-template").await;
    wait_text(d, "template-saved", |t| t.contains("template.xlsx")).await;
    assert_eq!(asked(&dialogs), ["save\torgdesk-import-template.xlsx"]);
    let rows = read_sheet(&template);
    let header = rows[0].clone();
    assert_eq!(header[0], "Name*");
    assert_eq!(header[5], "Department*");

    // Fill it in as an admin would, with one row naming a department that does not exist.
    let filled = file("new-people.xlsx");
    write_sheet(
        &filled,
        &[
            header.clone(),
            row(&[
                "Bob Stone",
                "bob",
                PASSWORD,
                "bob@example.com",
                "",
                "Sales",
                "Rep",
                "",
                "E100",
                "Berlin",
            ]),
            row(&[
                "Cleo Park",
                "",
                "",
                "cleo@example.com",
                "",
                "Sales",
                "",
                "",
                "E101",
                "",
            ]),
            row(&[
                "Dan Miller",
                "",
                "",
                "dan@example.com",
                "",
                "Nowhere",
                "",
                "",
                "E102",
                "",
            ]),
        ],
    );

    // Import: the open dialog picks the file, the preview shows the failure.
    answer_dialogs(&dialogs, &[&filled]);
    click(d, "sheet-choose-file").await;
    wait_text(d, "count-create", |t| t == "2").await;
    wait_text(d, "count-failed", |t| t == "1").await;
    let failures = wait_text(d, "import-failures", |t| t.contains("Nowhere")).await;
    assert!(failures.contains('4'), "row 4 is the bad one: {failures}");
    assert_eq!(
        cli_json(&c.db, &["member", "list", "--json"])["total"],
        1,
        "a preview writes nothing"
    );
    screenshot(&c, "21-import-preview").await;

    wait_text(d, "import-quota-left", |t| {
        t == "100 of 100 imports left today"
    })
    .await;
    wait_text(d, "import-commit", |t| t == "Import 2 rows").await;
    click(d, "import-commit").await;
    wait_text(d, "import-results", |t| t.contains("Import finished")).await;
    wait_text(d, "count-create", |t| t == "2").await;
    screenshot(&c, "22-import-results").await;
    assert_eq!(member_json(&c.db, "bob")["status"], "enabled");

    // Download import results, and read them back.
    let results = file("new-people-results.xlsx");
    answer_dialogs(&dialogs, &[&results]);
    click(d, "import-download-results").await;
    wait_text(d, "results-saved", |t| {
        t.contains("new-people-results.xlsx")
    })
    .await;
    assert_eq!(
        asked(&dialogs).last().map(String::as_str),
        Some("save\tnew-people-results.xlsx")
    );
    let mut sheet = read_sheet(&results);
    assert_eq!(sheet[0][10], "Result");
    assert_eq!(sheet[0][11], "Reason");
    assert_eq!(sheet[1][10], "created");
    assert_eq!(sheet[2][10], "created");
    assert_eq!(sheet[3][10], "failed");
    assert!(sheet[3][11].contains("Nowhere"), "{:?}", sheet[3]);
    click(d, "import-done").await;
    until_hidden(d, "import-dialog-body").await;

    // Fix the failed row in the results file, change Cleo's work location, import it as is.
    sheet[3][5] = "Sales".into();
    sheet[2][9] = "Lisbon".into();
    let fixed = file("fixed.xlsx");
    write_sheet(&fixed, &sheet);
    answer_dialogs(&dialogs, &[&fixed]);
    click_to_open(d, "sheet-choose-file", "import-preview").await;
    wait_text(d, "count-create", |t| t == "1").await;
    wait_text(d, "count-update", |t| t == "1").await;
    wait_text(d, "count-unchanged", |t| t == "1").await;
    wait_text(d, "count-failed", |t| t == "0").await;
    // The first import counted; the preview did not.
    wait_text(d, "import-quota-left", |t| {
        t == "99 of 100 imports left today"
    })
    .await;
    screenshot(&c, "23-reimport-preview").await;
    click(d, "import-commit").await;
    wait_text(d, "import-results", |t| t.contains("Import finished")).await;
    click(d, "import-done").await;
    until_hidden(d, "import-dialog-body").await;
    let cleo = member_json(&c.db, "cleo@example.com");
    assert_eq!(cleo["workLocation"], "Lisbon", "{cleo}");
    assert_eq!(
        member_json(&c.db, "dan@example.com")["status"],
        "not_joined"
    );

    // Export everyone: the save dialog proposes members-<org>-<date>.xlsx.
    let exported = file("members.xlsx");
    answer_dialogs(&dialogs, &[&exported]);
    click(d, "export-start").await;
    wait_text(d, "export-result", |t| t.contains("Exported 4 members")).await;
    screenshot(&c, "24-export-done").await;
    let proposed = asked(&dialogs).last().cloned().unwrap_or_default();
    assert!(
        proposed.starts_with("save\tmembers-Acme-20") && proposed.ends_with(".xlsx"),
        "{proposed}"
    );
    let sheet = read_sheet(&exported);
    assert_eq!(sheet.len(), 5, "header and four members");
    assert!(sheet
        .iter()
        .any(|r| r[0] == "Dan Miller" && r[5] == "Sales"));

    // Export the list on screen from Members & Departments: only what the search shows.
    click(d, "nav-directory").await;
    type_into(d, "member-search", "cleo").await;
    wait_text(d, "member-total", |t| t.starts_with("1 ")).await;
    let listed = file("cleo.csv");
    answer_dialogs(&dialogs, &[&listed]);
    click_to_open(d, "list-export", "list-export-csv").await;
    click(d, "list-export-csv").await;
    wait_text(d, "list-export-done", |t| t.contains("Exported 1 member")).await;
    screenshot(&c, "28-export-list-done").await;
    let proposed = asked(&dialogs).last().cloned().unwrap_or_default();
    assert!(proposed.ends_with(".csv"), "{proposed}");
    let text = std::fs::read_to_string(&listed).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 2, "header and Cleo only: {text}");
    assert!(lines[1].starts_with("Cleo Park,"), "{text}");
}

/// The columns of a Google Workspace user export (Admin console › Users › Download users).
const GOOGLE: &str = "First Name [Required],Last Name [Required],Email Address [Required],Password [Required],Org Unit Path [Required],Employee ID\n\
Jane,Doe,jane@acme.example,****,/Sales,G1\n\
Li,Wei,li.wei@acme.example,****,/,G2\n";

/// In Chinese: a Google Workspace export goes through the mapping step (first + last name
/// make the Name, the org unit path the Department), the mapping is saved, and the next file
/// from the same system uses it at once.
pub async fn google_workspace_mapping_in_chinese(c: Ctx) {
    let d = &c.d;
    let dialogs = c.h.dialogs.clone();
    let work = tempfile::tempdir().unwrap();
    let google = work.path().join("google-users.csv");
    std::fs::write(&google, GOOGLE).unwrap();

    sign_in(d, "ann", PASSWORD).await;
    wait_text(d, "header-user", |t| t.contains("Ann Lee")).await;
    switch_language(d, "zh").await;
    click(d, "nav-import-export").await;
    wait_text(d, "sheet-drop-zone", |t| t.contains("将表格拖到此窗口")).await;

    answer_dialogs(&dialogs, &[&google]);
    click(d, "sheet-choose-file").await;
    wait_text(d, "mapping-sample-name", |t| t == "Jane Doe").await;
    wait_text(d, "mapping-sample-department", |t| t == "/Sales").await;
    type_into(d, "mapping-save-name", "Google Workspace").await;
    click(d, "mapping-save").await;
    screenshot(&c, "25-mapping-zh").await;
    let saved = cli_json(&c.db, &["member", "list", "--json"]);
    assert_eq!(saved["total"], 1, "saving a mapping imports nothing");

    click(d, "mapping-continue").await;
    wait_text(d, "count-create", |t| t == "2").await;
    wait_text(d, "import-commit", |t| t.contains("导入 2 行")).await;
    screenshot(&c, "26-mapping-preview-zh").await;
    click(d, "import-commit").await;
    wait_text(d, "import-results", |t| t.contains("导入完成")).await;
    let jane = member_json(&c.db, "jane@acme.example");
    assert_eq!(jane["name"], "Jane Doe");
    assert_eq!(jane["positions"][0]["departmentName"], "Sales");
    click(d, "import-done").await;
    until_hidden(d, "import-dialog-body").await;

    // The same system's next export: the saved mapping applies by itself, and the re-import
    // changes nothing.
    answer_dialogs(&dialogs, &[&google]);
    click_to_open(d, "sheet-choose-file", "mapping-step").await;
    wait_text(d, "mapping-step", |t| t.contains("Google Workspace")).await;
    click(d, "mapping-continue").await;
    wait_text(d, "count-unchanged", |t| t == "2").await;
    wait_text(d, "import-nothing", |t| t.contains("没有需要导入的内容")).await;
    screenshot(&c, "27-mapping-reimport-zh").await;
}
