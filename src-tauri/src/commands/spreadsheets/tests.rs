//! Import, preview, cancel, results and mappings through IPC on Tauri's mock runtime.

use serde_json::{json, Value};

use crate::test_ipc::{app, call, signed_in};

/// Writes `text` to a file named `name` in a scratch folder: the folder (removed when dropped)
/// and the file's path as the window sends it.
fn sheet(name: &str, text: &str) -> (tempfile::TempDir, String) {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join(name);
    std::fs::write(&file, text).unwrap();
    let path = file.display().to_string();
    (tmp, path)
}

#[test]
fn a_mapped_import_is_previewed_committed_and_its_mapping_saved_through_ipc() {
    let (_app, w) = signed_in();
    let (_tmp, path) = sheet(
        "google.csv",
        "First Name [Required],Last Name [Required],Email Address [Required],Org Unit Path [Required]\n\
         Jane,Doe,jane@acme.example,/\n\
         Li,Wei,li@acme.example,/Nowhere\n",
    );

    let info = call(&w, "inspect_import_file", json!({"path": path})).unwrap();
    assert_eq!(info["missing"], json!(["name", "department"]));
    let mapping = info["suggested"].clone();
    assert_eq!(
        mapping["fields"][0],
        json!({"field": "name", "headers": ["First Name [Required]", "Last Name [Required]"]})
    );

    // Without the mapping the file is refused as a whole, with a code the UI translates.
    let e = call(
        &w,
        "preview_import",
        json!({"path": path, "options": {"createMissingDepartments": false, "mapping": null},
               "job": 1, "onProgress": "__CHANNEL__:7"}),
    )
    .unwrap_err();
    assert_eq!(e["code"], "validation");
    assert_eq!(e["details"][0]["field"], "file");
    assert_eq!(e["details"][0]["code"], "no_header");

    let options = json!({"createMissingDepartments": false, "mapping": mapping});
    let preview = call(
        &w,
        "preview_import",
        json!({"path": path, "options": options, "job": 2, "onProgress": "__CHANNEL__:7"}),
    )
    .unwrap();
    assert_eq!(preview["counts"]["create"], 1);
    assert_eq!(preview["counts"]["failed"], 1);
    assert_eq!(preview["failures"][0]["row"], 3);
    assert_eq!(preview["failures"][0]["column"], "Department");
    assert_eq!(preview["committed"], false);

    let done = call(
        &w,
        "run_import",
        json!({"path": path, "options": options, "job": 3, "onProgress": "__CHANNEL__:7"}),
    )
    .unwrap();
    assert_eq!(done["committed"], true);
    let page = call(
        &w,
        "list_members",
        json!({"query": {"departmentId": null, "includeSubDepartments": true, "status": "all",
                         "search": "jane", "offset": 0, "limit": 50}}),
    )
    .unwrap();
    assert_eq!(page["rows"][0]["name"], "Jane Doe");

    // Cancelling a job that already ended changes nothing.
    assert_eq!(
        call(&w, "cancel_job", json!({"job": 3})).unwrap(),
        Value::Null
    );

    let saved = call(
        &w,
        "save_mapping",
        json!({"name": "Google Workspace", "mapping": mapping}),
    )
    .unwrap();
    let list = call(&w, "list_saved_mappings", json!({})).unwrap();
    assert_eq!(list[0]["name"], "Google Workspace");
    assert_eq!(list[0]["mapping"], mapping);
    call(&w, "delete_saved_mapping", json!({"id": saved["id"]})).unwrap();
    assert_eq!(
        call(&w, "list_saved_mappings", json!({})).unwrap(),
        json!([])
    );
}

#[test]
fn cancel_job_stops_a_running_import_and_nothing_is_written() {
    let (_app, w) = signed_in();
    // Passwords make the import slow enough (each is hashed) to be caught running.
    let mut csv = String::from("Name,Username,Password,Department\n");
    for i in 0..400 {
        csv.push_str(&format!("Member {i},member{i},Correct-Horse{i},/\n"));
    }
    let (_tmp, path) = sheet("many.csv", &csv);
    let outcome = std::thread::scope(|s| {
        let import = s.spawn(|| {
            call(
                &w,
                "run_import",
                json!({"path": path, "options": {"createMissingDepartments": false, "mapping": null},
                       "job": 42, "onProgress": "__CHANNEL__:9"}),
            )
        });
        // The job registers when the command starts: keep asking until it has stopped.
        while !import.is_finished() {
            call(&w, "cancel_job", json!({"job": 42})).unwrap();
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        import.join().unwrap()
    });
    let e = outcome.unwrap_err();
    assert_eq!(e["code"], "conflict");
    assert_eq!(e["details"][0]["code"], "cancelled");
    let page = call(
        &w,
        "list_members",
        json!({"query": {"departmentId": null, "includeSubDepartments": true, "status": "all",
                         "search": null, "offset": 0, "limit": 50}}),
    )
    .unwrap();
    assert_eq!(page["total"], 1, "only the admin: nothing was imported");
}

#[test]
fn a_preview_in_chinese_explains_its_rows_in_chinese() {
    let (_app, w) = signed_in();
    let (_tmp, path) = sheet(
        "zh.csv",
        "姓名,邮箱,部门\n王芳,wang@acme.example,/\n李伟,li@acme.example,/研发中心\n",
    );
    let preview = call(
        &w,
        "preview_import",
        json!({"path": path, "options": {"createMissingDepartments": false, "mapping": null, "lang": "zh"},
               "job": 5, "onProgress": "__CHANNEL__:7"}),
    )
    .unwrap();
    assert_eq!(preview["counts"]["failed"], 1);
    assert_eq!(preview["failures"][0]["column"], "部门");
    assert_eq!(
        preview["failures"][0]["reason"],
        "部门“研发中心”不存在。请先创建该部门，或勾选“创建缺少的部门”。"
    );
}

#[test]
fn commands_need_a_session() {
    let (_app, w) = app();
    for (cmd, body) in [
        ("inspect_import_file", json!({"path": "/nonexistent.csv"})),
        (
            "save_template",
            json!({"lang": "en", "dialogTitle": "Save"}),
        ),
        ("list_saved_mappings", json!({})),
    ] {
        let e = call(&w, cmd, body).unwrap_err();
        assert_eq!(e["code"], "not_signed_in", "{cmd}");
    }
}
