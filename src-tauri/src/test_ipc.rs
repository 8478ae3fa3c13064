//! What the IPC tests share: the app on Tauri's mock runtime over a scratch directory, its
//! window, and a call through IPC as the UI makes it.

use orgdesk_core::Directory;
use serde_json::{json, Value};
use tauri::test::{
    get_ipc_response, mock_builder, mock_context, noop_assets, MockRuntime, INVOKE_KEY,
};
use tauri::webview::InvokeRequest;
use tauri::WebviewWindowBuilder;

use crate::state::AppState;

pub(crate) type Window = tauri::WebviewWindow<MockRuntime>;

/// A directory in a real SQLite file in WAL mode, as the app runs it, for the IPC tests; its
/// folder is removed when the test's thread ends.
fn scratch_state() -> AppState {
    thread_local! {
        static FOLDERS: std::cell::RefCell<Vec<tempfile::TempDir>> =
            const { std::cell::RefCell::new(Vec::new()) };
    }
    let folder = tempfile::tempdir().unwrap();
    let path = folder.path().join("orgdesk.db");
    let dir = Directory::open(&path).unwrap();
    FOLDERS.with(|f| f.borrow_mut().push(folder));
    AppState::new(dir, path)
}

/// The app over a fresh scratch directory (not set up), and its main window.
pub(crate) fn app() -> (tauri::App<MockRuntime>, Window) {
    let app = crate::build(mock_builder(), scratch_state())
        .build(mock_context(noop_assets()))
        .unwrap();
    let window = WebviewWindowBuilder::new(&app, "main", Default::default())
        .build()
        .unwrap();
    (app, window)
}

/// Invokes `cmd` with `body` as the UI does: its answer, or the error it was refused with.
pub(crate) fn call(w: &Window, cmd: &str, body: Value) -> Result<Value, Value> {
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

/// The password the IPC tests give Ann, the first admin.
pub(crate) const ANN_PASSWORD: &str = "Correct-Horse1";

/// Sets up the organization Acme with Ann (`ann`) as its first admin, choosing `password`.
pub(crate) fn set_up_acme(w: &Window, password: &str) -> Result<Value, Value> {
    call(
        w,
        "setup_organization",
        json!({"input": {"organizationName": "Acme", "adminName": "Ann", "username": "ann",
                          "password": password, "passwordConfirm": password}}),
    )
}

/// Signs Ann in with `password`: her session, or the refusal.
pub(crate) fn sign_in_ann(w: &Window, password: &str) -> Result<Value, Value> {
    call(
        w,
        "sign_in",
        json!({"input": {"username": "ann", "password": password}}),
    )
}

/// The app over Acme, set up, with Ann signed in, and its main window.
pub(crate) fn signed_in() -> (tauri::App<MockRuntime>, Window) {
    let (app, w) = app();
    set_up_acme(&w, ANN_PASSWORD).unwrap();
    sign_in_ann(&w, ANN_PASSWORD).unwrap();
    (app, w)
}

/// The test keyring (debug builds read `ORGDESK_TEST_KEYRING` instead of the system keyring):
/// one file for the whole test process, whose environment every test shares; a test that keeps
/// a gateway's secrets there holds the guard until it ends, so no other test rewrites the file
/// while it runs.
pub(crate) fn test_keyring() -> std::sync::MutexGuard<'static, ()> {
    static FOLDER: std::sync::OnceLock<tempfile::TempDir> = std::sync::OnceLock::new();
    static ONE_AT_A_TIME: std::sync::Mutex<()> = std::sync::Mutex::new(());
    let guard = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let folder = FOLDER.get_or_init(|| tempfile::tempdir().unwrap());
    std::env::set_var("ORGDESK_TEST_KEYRING", folder.path().join("keyring.json"));
    guard
}

/// A real gateway on this machine for the team tests, with the organization Acme: the
/// runtime it runs on, the gateway, its folder, Acme's API token and the gateway's address.
pub(crate) struct TestGateway {
    pub runtime: tokio::runtime::Runtime,
    pub gateway: orgdesk_gateway::Gateway,
    _folder: tempfile::TempDir,
    pub api_token: String,
    pub base: String,
    /// While it lives, no other test rewrites the test keyring.
    _keyring: std::sync::MutexGuard<'static, ()>,
}

impl TestGateway {
    pub fn start() -> Self {
        let keyring = test_keyring();
        let folder = tempfile::tempdir().unwrap();
        let runtime = tokio::runtime::Runtime::new().unwrap();
        let config = orgdesk_gateway::Config::local(
            folder.path().join("gw.db").display().to_string(),
            folder.path().join("mail"),
        );
        let gateway = runtime.block_on(orgdesk_gateway::serve(config)).unwrap();
        let creds = runtime
            .block_on(gateway.create_organization("Acme"))
            .unwrap();
        let base = gateway.public_url().to_owned();
        Self {
            runtime,
            gateway,
            _folder: folder,
            api_token: creds.api_token,
            base,
            _keyring: keyring,
        }
    }

    /// Sends the directory's account mirror to the gateway with Acme's API token, so that its
    /// admins have gateway accounts.
    pub fn mirror_accounts(&self, state: &AppState) {
        let admin = orgdesk_link::GatewayClient::new(orgdesk_link::Endpoint {
            base: self.base.clone(),
            token: self.api_token.clone(),
        });
        self.runtime.block_on(orgdesk_link::send_round(
            &state.shared_directory(),
            &admin,
            true,
        ));
    }

    pub fn shutdown(self) {
        self.runtime.block_on(self.gateway.shutdown()).unwrap();
    }
}
