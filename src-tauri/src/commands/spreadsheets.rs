//! Import / Export: the template, import with preview, column mapping and results file, and
//! export. Files are chosen in the native dialogs (see `dialogs`) or dropped on the window.
//! Long jobs report progress through a channel and stop when the window cancels them; a
//! cancelled import has written nothing.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use orgdesk_core::members::MemberQuery;
use orgdesk_core::spreadsheet::{
    self, ColumnMapping, Control, ExportFormat, ExportOutcome, FileColumns, FileDrop, FileDropKind,
    ImportOptions, ImportQuotaStatus, ImportReport, ImportSummary, JobProgress, Lang, SavedMapping,
    SpreadsheetError, Stage,
};
use orgdesk_core::{CommandError, ErrorCode};
use tauri::ipc::Channel;
use tauri::{DragDropEvent, Runtime, State, Window, WindowEvent};

use crate::dialogs::{self, Filter};
use crate::state::AppState;

/// How many failures (and skipped changes) the window is sent; the results file has all.
const SHOWN_PROBLEMS: usize = 50;

const SPREADSHEETS: Filter<'static> = ("Spreadsheets", &["xlsx", "xls", "ods", "csv"]);
const XLSX: Filter<'static> = ("Excel", &["xlsx"]);
const CSV: Filter<'static> = ("CSV", &["csv"]);

/// What the import / export commands keep between calls.
#[derive(Default)]
pub struct SheetJobs {
    /// Cancel flags of running jobs, by the id the window gave them.
    running: Mutex<HashMap<u32, Arc<AtomicBool>>>,
    /// The last preview or import, for "Download import results".
    last_import: Mutex<Option<LastImport>>,
    /// Where files dragged onto the window are reported.
    drops: Mutex<Option<Channel<FileDrop>>>,
}

struct LastImport {
    path: PathBuf,
    mapping: Option<ColumnMapping>,
    report: ImportReport,
}

/// A running job's cancel flag; unregistered when dropped.
struct Job<'a> {
    jobs: &'a SheetJobs,
    id: u32,
    cancel: Arc<AtomicBool>,
}

impl<'a> Job<'a> {
    fn start(jobs: &'a SheetJobs, id: u32) -> Self {
        let cancel = Arc::new(AtomicBool::new(false));
        if let Ok(mut running) = jobs.running.lock() {
            running.insert(id, cancel.clone());
        }
        Job { jobs, id, cancel }
    }
}

impl Drop for Job<'_> {
    fn drop(&mut self) {
        if let Ok(mut running) = self.jobs.running.lock() {
            running.remove(&self.id);
        }
    }
}

fn internal(what: &str) -> CommandError {
    CommandError::new(
        ErrorCode::Internal,
        format!("{what} stopped unexpectedly. Try again."),
    )
}

/// Runs a spreadsheet job on the directory (on a blocking thread) with a cancel flag and a
/// progress channel.
async fn run_job<T, F>(
    state: &AppState,
    cancel: Arc<AtomicBool>,
    progress: Channel<JobProgress>,
    f: F,
) -> Result<T, CommandError>
where
    T: Send + 'static,
    F: FnOnce(&mut orgdesk_core::Directory, &Control<'_>) -> Result<T, SpreadsheetError>
        + Send
        + 'static,
{
    state
        .with_directory(move |d| {
            let report = move |stage: Stage, done: usize, total: usize| {
                let _ = progress.send(JobProgress::new(stage, done, total));
            };
            let ctl = Control {
                cancel: &cancel,
                progress: &report,
            };
            Ok(f(d, &ctl))
        })
        .await?
        .map_err(CommandError::from)
}

/// "Download template": asks where to save it, then writes it in `lang`. Returns the path,
/// or null when the admin cancels the dialog.
#[tauri::command]
pub async fn save_template<R: Runtime>(
    window: Window<R>,
    state: State<'_, AppState>,
    lang: Lang,
    dialog_title: String,
) -> Result<Option<String>, CommandError> {
    state.require_session()?;
    let name = match lang {
        Lang::En => "orgdesk-import-template.xlsx",
        Lang::Zh => "成员导入模板.xlsx",
    };
    let Some(path) = dialogs::save_file(&window, &dialog_title, name, &[XLSX], "xlsx").await else {
        return Ok(None);
    };
    let shown = path.display().to_string();
    state
        .with_directory(move |d| {
            Ok(spreadsheet::write_template(d, lang, &path).map_err(CommandError::from))
        })
        .await??;
    Ok(Some(shown))
}

/// Asks which spreadsheet to import; null when the admin cancels.
#[tauri::command]
pub async fn choose_import_file<R: Runtime>(
    window: Window<R>,
    state: State<'_, AppState>,
    dialog_title: String,
) -> Result<Option<String>, CommandError> {
    state.require_session()?;
    Ok(dialogs::open_file(&window, &dialog_title, &[SPREADSHEETS])
        .await
        .map(|p| p.display().to_string()))
}

/// The file's headers, a few rows, and the columns found or suggested: for the mapping step.
#[tauri::command]
pub async fn inspect_import_file(
    state: State<'_, AppState>,
    path: String,
) -> Result<FileColumns, CommandError> {
    state.require_session()?;
    tauri::async_runtime::spawn_blocking(move || {
        spreadsheet::inspect_file(&PathBuf::from(path), &Control::none())
            .map_err(CommandError::from)
    })
    .await
    .map_err(|_| internal("Reading the file"))?
}

/// The dry run: what an import of `path` would do. Writes nothing, and does not count against
/// the import quota; but once today's imports are used up it is refused like the import, so the
/// admin does not map and preview a file that cannot be imported until tomorrow.
#[tauri::command]
pub async fn preview_import(
    state: State<'_, AppState>,
    jobs: State<'_, SheetJobs>,
    path: String,
    options: ImportOptions,
    job: u32,
    on_progress: Channel<JobProgress>,
) -> Result<ImportSummary, CommandError> {
    let actor = state.require_session()?.actor();
    let running = Job::start(&jobs, job);
    let file = PathBuf::from(&path);
    let opts = options.clone();
    let report = run_job(
        &state,
        running.cancel.clone(),
        on_progress,
        move |d, ctl| {
            d.check_import_quota(&actor)?;
            d.preview_import(&file, &opts, ctl)
        },
    )
    .await?;
    Ok(remember(&jobs, path, options, report))
}

/// Imports `path`: every valid row in one transaction. A cancel before the commit writes
/// nothing.
#[tauri::command]
// A command receives each IPC argument separately, so the count is the UI's payload.
#[allow(clippy::too_many_arguments)]
pub async fn run_import(
    state: State<'_, AppState>,
    jobs: State<'_, SheetJobs>,
    link: State<'_, std::sync::Arc<crate::gateway_link::GatewayLink>>,
    path: String,
    options: ImportOptions,
    job: u32,
    on_progress: Channel<JobProgress>,
    send_invitations: Option<bool>,
) -> Result<ImportSummary, CommandError> {
    let actor = state.require_session()?.actor();
    let running = Job::start(&jobs, job);
    let file = PathBuf::from(&path);
    let opts = options.clone();
    let started = state.with_directory(|d| Ok(d.now_ms())).await?;
    let importer = actor.clone();
    let report = run_job(
        &state,
        running.cancel.clone(),
        on_progress,
        move |d, ctl| d.import_members(&importer, &file, &opts, ctl),
    )
    .await?;
    if send_invitations == Some(true) {
        // The people just added without a password get their invitation, queued durably
        // like any other (the import itself is already committed).
        state
            .with_directory(move |d| d.invite_new_members_since(&actor, started))
            .await?;
        link.ring();
    }
    Ok(remember(&jobs, path, options, report))
}

/// The signed-in admin's imports today against the quota (Settings), and when it resets.
#[tauri::command]
pub async fn import_quota_status(
    state: State<'_, AppState>,
) -> Result<ImportQuotaStatus, CommandError> {
    let actor = state.require_session()?.actor();
    state
        .with_directory(move |d| d.import_quota_status(&actor))
        .await
}

fn remember(
    jobs: &SheetJobs,
    path: String,
    options: ImportOptions,
    report: ImportReport,
) -> ImportSummary {
    let summary = report.summary(SHOWN_PROBLEMS);
    if let Ok(mut last) = jobs.last_import.lock() {
        *last = Some(LastImport {
            path: PathBuf::from(path),
            mapping: options.mapping,
            report,
        });
    }
    summary
}

/// Stops a running job; it answers with a `cancelled` error and has written nothing.
#[tauri::command]
pub fn cancel_job(jobs: State<'_, SheetJobs>, job: u32) {
    if let Ok(running) = jobs.running.lock() {
        if let Some(flag) = running.get(&job) {
            flag.store(true, Ordering::Relaxed);
        }
    }
}

/// "Download import results": every row of the last preview or import with its Result and
/// Reason, saved where the admin chooses. Written in the language of that import (its
/// `options.lang`, which its reasons are in). Null when the dialog is cancelled.
#[tauri::command]
pub async fn save_import_results<R: Runtime>(
    window: Window<R>,
    state: State<'_, AppState>,
    jobs: State<'_, SheetJobs>,
    dialog_title: String,
) -> Result<Option<String>, CommandError> {
    state.require_session()?;
    let proposed = {
        let last = jobs.last_import.lock().map_err(|_| internal("Saving"))?;
        let Some(last) = last.as_ref() else {
            return Err(CommandError::new(
                ErrorCode::NotFound,
                "Import a file first; its results can then be saved.",
            ));
        };
        let stem = last
            .path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_else(|| "import".into());
        format!("{stem}-results.xlsx")
    };
    let Some(out) = dialogs::save_file(&window, &dialog_title, &proposed, &[XLSX], "xlsx").await
    else {
        return Ok(None);
    };
    let (source, mapping, report) = {
        let last = jobs.last_import.lock().map_err(|_| internal("Saving"))?;
        let last = last.as_ref().ok_or_else(|| internal("Saving"))?;
        (last.path.clone(), last.mapping.clone(), last.report.clone())
    };
    let shown = out.display().to_string();
    tauri::async_runtime::spawn_blocking(move || {
        spreadsheet::write_results(&source, mapping.as_ref(), &report, &out)
            .map_err(CommandError::from)
    })
    .await
    .map_err(|_| internal("Saving the results"))??;
    Ok(Some(shown))
}

/// Exports the members `query` selects (every page) to .xlsx or .csv, saved where the admin
/// chooses ("members-<organization>-<date>.xlsx" proposed). Null when the dialog is cancelled.
#[tauri::command]
#[allow(clippy::too_many_arguments)]
pub async fn export_members_file<R: Runtime>(
    window: Window<R>,
    state: State<'_, AppState>,
    jobs: State<'_, SheetJobs>,
    query: MemberQuery,
    format: ExportFormat,
    lang: Lang,
    dialog_title: String,
    job: u32,
    on_progress: Channel<JobProgress>,
) -> Result<Option<ExportOutcome>, CommandError> {
    let session = state.require_session()?;
    let now = state.with_directory(|d| Ok(d.now_ms())).await?;
    let proposed = spreadsheet::export_file_name(&session.organization_name, now, format);
    let filters: &[Filter<'_>] = match format {
        ExportFormat::Xlsx => &[XLSX, CSV],
        ExportFormat::Csv => &[CSV, XLSX],
    };
    let Some(out) = dialogs::save_file(
        &window,
        &dialog_title,
        &proposed,
        filters,
        format.extension(),
    )
    .await
    else {
        return Ok(None);
    };
    let running = Job::start(&jobs, job);
    let path = out.clone();
    let members = run_job(
        &state,
        running.cancel.clone(),
        on_progress,
        move |d, ctl| d.export_members(&query, lang, &path, ctl),
    )
    .await?;
    Ok(Some(ExportOutcome {
        path: out.display().to_string(),
        members: members.min(u32::MAX as usize) as u32,
    }))
}

#[tauri::command]
pub async fn list_saved_mappings(
    state: State<'_, AppState>,
) -> Result<Vec<SavedMapping>, CommandError> {
    state.read(|d| d.saved_mappings()).await
}

/// Saves a column mapping by name (replacing one of the same name).
#[tauri::command]
pub async fn save_mapping(
    state: State<'_, AppState>,
    name: String,
    mapping: ColumnMapping,
) -> Result<SavedMapping, CommandError> {
    state
        .act(move |d, a| d.save_mapping(a, &name, &mapping))
        .await
}

#[tauri::command]
pub async fn delete_saved_mapping(state: State<'_, AppState>, id: i64) -> Result<(), CommandError> {
    state.act(move |d, a| d.delete_mapping(a, id)).await
}

/// Files dragged onto the window are reported on `on_drop` from now on (replacing an
/// earlier channel).
#[tauri::command]
pub fn watch_file_drops(
    jobs: State<'_, SheetJobs>,
    on_drop: Channel<FileDrop>,
) -> Result<(), CommandError> {
    let mut slot = jobs.drops.lock().map_err(|_| internal("Watching drops"))?;
    *slot = Some(on_drop);
    Ok(())
}

/// Forwards the window's drag-and-drop of files to the import screen.
pub fn on_window_event<R: Runtime>(window: &Window<R>, event: &WindowEvent) {
    use tauri::Manager;
    let WindowEvent::DragDrop(e) = event else {
        return;
    };
    let paths = |p: &[PathBuf]| p.iter().map(|x| x.display().to_string()).collect();
    let drop = match e {
        DragDropEvent::Enter { paths: p, .. } => FileDrop {
            kind: FileDropKind::Enter,
            paths: paths(p),
        },
        DragDropEvent::Drop { paths: p, .. } => FileDrop {
            kind: FileDropKind::Drop,
            paths: paths(p),
        },
        DragDropEvent::Leave => FileDrop {
            kind: FileDropKind::Leave,
            paths: Vec::new(),
        },
        _ => return,
    };
    let jobs = window.state::<SheetJobs>();
    let channel = jobs.drops.lock().ok().and_then(|c| c.clone());
    if let Some(c) = channel {
        let _ = c.send(drop);
    }
}

#[cfg(test)]
mod tests {

    use serde_json::{json, Value};
    use tauri::test::{get_ipc_response, mock_builder, mock_context, noop_assets, INVOKE_KEY};
    use tauri::webview::InvokeRequest;
    use tauri::WebviewWindowBuilder;

    type Window = tauri::WebviewWindow<tauri::test::MockRuntime>;

    fn call(w: &Window, cmd: &str, body: Value) -> Result<Value, Value> {
        get_ipc_response(
            w,
            InvokeRequest {
                cmd: cmd.into(),
                callback: tauri::ipc::CallbackFn(0),
                error: tauri::ipc::CallbackFn(1),
                url: "tauri://localhost".parse().unwrap(),
                body: tauri::ipc::InvokeBody::Json(body),
                headers: Default::default(),
                invoke_key: INVOKE_KEY.to_string(),
            },
        )
        .map(|b| b.deserialize::<Value>().unwrap())
    }

    fn signed_in() -> (tauri::App<tauri::test::MockRuntime>, Window) {
        let app = crate::build(mock_builder(), crate::scratch_state())
            .build(mock_context(noop_assets()))
            .unwrap();
        let w = WebviewWindowBuilder::new(&app, "main", Default::default())
            .build()
            .unwrap();
        call(
            &w,
            "setup_organization",
            json!({"input": {"organizationName": "Acme", "adminName": "Ann", "username": "ann",
                              "password": "Correct-Horse1", "passwordConfirm": "Correct-Horse1"}}),
        )
        .unwrap();
        call(
            &w,
            "sign_in",
            json!({"input": {"username": "ann", "password": "Correct-Horse1"}}),
        )
        .unwrap();
        (app, w)
    }

    #[test]
    fn a_mapped_import_is_previewed_committed_and_its_mapping_saved_through_ipc() {
        let (_app, w) = signed_in();
        let tmp = tempfile::tempdir().unwrap();
        let file = tmp.path().join("google.csv");
        std::fs::write(
            &file,
            "First Name [Required],Last Name [Required],Email Address [Required],Org Unit Path [Required]\n\
             Jane,Doe,jane@acme.example,/\n\
             Li,Wei,li@acme.example,/Nowhere\n",
        )
        .unwrap();
        let path = file.display().to_string();

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
        let tmp = tempfile::tempdir().unwrap();
        let file = tmp.path().join("many.csv");
        // Passwords make the import slow enough (each is hashed) to be caught running.
        let mut csv = String::from("Name,Username,Password,Department\n");
        for i in 0..400 {
            csv.push_str(&format!("Member {i},member{i},Correct-Horse{i},/\n"));
        }
        std::fs::write(&file, csv).unwrap();
        let path = file.display().to_string();
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
        let tmp = tempfile::tempdir().unwrap();
        let file = tmp.path().join("zh.csv");
        std::fs::write(
            &file,
            "姓名,邮箱,部门\n王芳,wang@acme.example,/\n李伟,li@acme.example,/研发中心\n",
        )
        .unwrap();
        let path = file.display().to_string();
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
        let app = crate::build(mock_builder(), crate::scratch_state())
            .build(mock_context(noop_assets()))
            .unwrap();
        let w = WebviewWindowBuilder::new(&app, "main", Default::default())
            .build()
            .unwrap();
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
}
