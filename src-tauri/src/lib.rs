//! The Orgdesk desktop app: the Tauri shell around `orgdesk-core`, and the command-line face
//! of the same binary.

pub mod cli;
mod cli_directory;
mod cli_edit;
mod cli_gateway;
mod cli_handover;
mod cli_invitations;
mod cli_join;
mod cli_output;
mod cli_passwords;
mod cli_roles;
mod cli_settings;
mod cli_spreadsheet;
mod cli_sync;
mod cli_team;
mod commands;
mod console;
mod dialogs;
mod gateway_link;
mod join_link;
pub mod state;
mod team_setup;
#[cfg(test)]
mod test_ipc;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use orgdesk_core::Directory;
use tauri::{Builder, Runtime};

use crate::gateway_link::GatewayLink;
use crate::state::AppState;

/// The bundle identifier; also the name of the app-data folder, as Tauri names it.
pub const IDENTIFIER: &str = "app.orgdesk.desktop";

/// `--db PATH`, else `ORGDESK_DB`, else `orgdesk.db` in the OS app-data folder.
pub fn resolve_db_path(flag: Option<PathBuf>) -> PathBuf {
    flag.or_else(|| std::env::var_os("ORGDESK_DB").map(PathBuf::from))
        .unwrap_or_else(|| {
            dirs::data_dir()
                .unwrap_or_else(|| PathBuf::from("."))
                .join(IDENTIFIER)
                .join("orgdesk.db")
        })
}

/// The binary's entry: a subcommand runs on the command line, no subcommand opens the window.
/// Returns the process exit code.
pub fn main_entry() -> i32 {
    // Before clap, which prints `--help` and usage errors itself.
    if std::env::args_os().len() > 1 {
        console::attach_parent_console();
    }
    let args = cli::parse();
    let db_path = resolve_db_path(args.db.clone());
    match args.command {
        Some(command) => cli::run(command, &db_path, args.as_admin.as_deref()),
        None => run(db_path),
    }
}

/// Opens the window on the directory at `db_path`.
/// On Linux without a GPU render node (a virtual machine, a remote desktop, Xvfb), WebKitGTK's
/// DMA-BUF renderer draws every frame through Mesa's software GL and copies it across: about
/// half of each update's time and 300 MB of the web process (docs/performance.md). There the
/// window uses WebKit's shared-memory path instead. An admin's own setting of the variable wins.
fn choose_renderer() {
    #[cfg(target_os = "linux")]
    {
        const VAR: &str = "WEBKIT_DISABLE_DMABUF_RENDERER";
        if std::env::var_os(VAR).is_none() && !has_render_node(Path::new("/dev/dri")) {
            // Before any thread is started: the window is not open yet.
            std::env::set_var(VAR, "1");
        }
    }
}

/// Whether `dri` (normally /dev/dri) holds a GPU render node (renderD128, …).
#[cfg(target_os = "linux")]
fn has_render_node(dri: &Path) -> bool {
    std::fs::read_dir(dri)
        .map(|entries| {
            entries
                .flatten()
                .any(|e| e.file_name().to_string_lossy().starts_with("renderD"))
        })
        .unwrap_or(false)
}

/// Lets the page's script heap grow by about a quarter between collections instead of doubling.
/// JavaScriptCore sizes its heap to the machine's memory: on a desktop with gigabytes free
/// it doubled the page's heap at each collection, and the web process held 100–125 MB of
/// script heap for 30–60 MB of live objects. Its small-memory mode keeps the same JIT and
/// collects sooner: the web process went from 400–420 MB to about 300 MB with no slower
/// keystroke, page or details (docs/performance.md, "Where the web process's memory goes").
/// The web process inherits the app's environment; an admin's own setting of the variable wins.
/// Linux only: that is where it was measured (WebKitGTK); other systems' web views differ.
fn limit_script_heap_growth() {
    #[cfg(target_os = "linux")]
    {
        const VAR: &str = "JSC_forceMiniVMMode";
        if std::env::var_os(VAR).is_none() {
            // Before any thread is started: the window is not open yet.
            std::env::set_var(VAR, "1");
        }
    }
}

/// Sizes the web view's caches for what the window is: one page, served from inside the app,
/// never navigated away from. WebKit's default is a browser's (a back-forward cache of whole
/// pages and a memory cache of decoded resources sized to the machine's memory); as a
/// document viewer it keeps neither (docs/performance.md, "Where the web process's memory
/// goes"). Nothing on screen changes.
#[cfg(target_os = "linux")]
fn keep_web_caches_small(app: &tauri::App) {
    use tauri::Manager;
    use webkit2gtk::{CacheModel, SettingsExt, WebContextExt, WebViewExt};
    for window in app.webview_windows().into_values() {
        // Runs on the main thread; a window already closed has nothing to size.
        let _ = window.with_webview(|webview| {
            let view = webview.inner();
            if let Some(context) = view.context() {
                context.set_cache_model(CacheModel::DocumentViewer);
            }
            if let Some(settings) = WebViewExt::settings(&view) {
                settings.set_enable_page_cache(false);
            }
        });
    }
}

pub fn run(db_path: PathBuf) -> i32 {
    choose_renderer();
    limit_script_heap_growth();
    let directory = match Directory::open(&db_path) {
        Ok(d) => d,
        Err(e) => {
            eprintln!(
                "Orgdesk cannot open its database at {}: {e}",
                db_path.display()
            );
            return 1;
        }
    };
    let data_dir = data_dir_of(&db_path);
    let app = build(tauri::Builder::default(), AppState::new(directory, db_path))
        .setup(move |app| {
            #[cfg(target_os = "linux")]
            keep_web_caches_small(app);
            gateway_link::start(app.handle(), data_dir.clone());
            Ok(())
        })
        .run(tauri::generate_context!());
    match app {
        Ok(()) => 0,
        Err(e) => {
            eprintln!("Orgdesk could not start its window: {e}");
            1
        }
    }
}

/// Wires state and commands; generic over the runtime so tests run it on the mock runtime.
pub fn build<R: Runtime>(builder: Builder<R>, state: AppState) -> Builder<R> {
    let data_dir = data_dir_of(&state.db_path);
    builder
        .manage(Arc::new(GatewayLink::new(&data_dir)))
        .manage(state)
        .manage(commands::spreadsheets::SheetJobs::default())
        .plugin(tauri_plugin_dialog::init())
        .plugin(tauri_plugin_notification::init())
        .on_window_event(commands::spreadsheets::on_window_event)
        .invoke_handler(commands::handler())
}

/// The folder beside the database where the embedded gateway keeps its files.
pub fn data_dir_of(db_path: &Path) -> PathBuf {
    db_path
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("."))
}

#[cfg(test)]
mod tests {
    use serde_json::{json, Value};

    use crate::test_ipc::{app, call, set_up_acme, sign_in_ann, ANN_PASSWORD};

    #[test]
    fn first_run_setup_sign_in_and_tree_through_ipc() {
        let (_app, w) = app();
        let status = call(&w, "app_status", json!({})).unwrap();
        assert_eq!(status["initialized"], false);
        assert_eq!(status["session"], Value::Null);

        let e = call(&w, "department_tree", json!({})).unwrap_err();
        assert_eq!(e["code"], "not_signed_in");

        let bad = set_up_acme(&w, "weak").unwrap_err();
        assert_eq!(bad["code"], "validation");
        assert_eq!(bad["details"][0]["field"], "password");

        set_up_acme(&w, ANN_PASSWORD).unwrap();
        let e = sign_in_ann(&w, "x").unwrap_err();
        assert_eq!(e["code"], "invalid_credentials");
        assert_eq!(e["message"], "Incorrect username or password.");

        let s = sign_in_ann(&w, ANN_PASSWORD).unwrap();
        assert_eq!(s["organizationName"], "Acme");
        let tree = call(&w, "department_tree", json!({})).unwrap();
        assert_eq!(tree["name"], "Acme");
        // The long lists come a page at a time, with how many there are in all.
        let invitations = call(
            &w,
            "list_invitations",
            json!({"query": {"states": ["failed"], "offset": 50, "limit": 50}}),
        )
        .unwrap();
        assert_eq!(invitations, json!({"rows": [], "total": 0}));
        let requests = call(
            &w,
            "list_join_requests",
            json!({"filter": "waiting", "search": "noa", "offset": 0, "limit": 50}),
        )
        .unwrap();
        assert_eq!(requests, json!({"rows": [], "total": 0}));
        // Deciding nothing is refused, naming what is missing.
        let none = call(
            &w,
            "decide_join_requests",
            json!({"ids": [], "approve": true, "placement": null}),
        )
        .unwrap_err();
        assert_eq!(none["code"], "validation", "{none}");

        let ov = call(&w, "rename_organization", json!({"name": "Acme Group"})).unwrap();
        assert_eq!(ov["name"], "Acme Group");
        let status = call(&w, "app_status", json!({})).unwrap();
        assert_eq!(status["session"]["organizationName"], "Acme Group");

        call(&w, "sign_out", json!({})).unwrap();
        let e = call(&w, "org_overview", json!({})).unwrap_err();
        assert_eq!(e["code"], "not_signed_in");
    }
}

#[cfg(all(test, target_os = "linux"))]
mod renderer_tests {
    use super::has_render_node;

    #[test]
    fn a_render_node_is_recognised_and_its_absence_too() {
        let dri = tempfile::tempdir().unwrap();
        assert!(!has_render_node(dri.path()), "an empty folder has none");
        std::fs::write(dri.path().join("card0"), b"").unwrap();
        assert!(
            !has_render_node(dri.path()),
            "a display card is no render node"
        );
        std::fs::write(dri.path().join("renderD128"), b"").unwrap();
        assert!(has_render_node(dri.path()));
        assert!(!has_render_node(&dri.path().join("missing")));
    }
}
