//! The desktop's side of the gateway: starts the embedded gateway (loopback, mail written to
//! .eml files in the app's data folder), carries queued invitation work to it, and applies
//! its event feed to the directory.
//!
//! Two background tasks, both restartable at any point without losing anything (and on a
//! computer in a team a third, `team`, following the team's change log):
//! - the sender takes due work from the directory's durable queue, calls the gateway and
//!   records the answer (a failure is retried later with the same idempotency key);
//! - the feed long-polls `GET /api/v1/events`, applies each page to the directory in one
//!   transaction together with the new cursor, then acknowledges it.
//!
//! This module holds the shared handle and the start; the built-in gateway is started in
//! `embedded`, a remote one is checked and connected in `remote` (its token kept by `token`),
//! and the two tasks' loops are in `rounds`.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use orgdesk_core::invitations::GatewayStatus;
use orgdesk_core::spreadsheet::Lang;
use orgdesk_core::{CommandError, Directory};
use tauri::{AppHandle, Emitter, Manager, Runtime};
use tokio::sync::Notify;

use crate::state::AppState;

mod embedded;
mod notice;
mod remote;
mod rounds;
mod team;
mod token;

pub(crate) use remote::{
    check_remote, checked_url, choose_builtin, choose_remote, chosen_remote, name_remote,
    refuse_gateway_change_in_team, store_token,
};
pub use remote::{connect_remote, remote_url, use_builtin};
pub(crate) use token::{
    keyring_forget, keyring_forget_secret, keyring_store_secret, keyring_token, link_secret, Secret,
};

/// The UI listens for these to refresh what it shows.
pub const INVITATIONS_CHANGED: &str = "invitations-changed";
pub const DIRECTORY_CHANGED: &str = "directory-changed";

const ORG_ID_KEY: &str = "embedded_gateway_org_id";
pub(crate) const MODE_KEY: &str = "gateway_mode";
pub(crate) const REMOTE_URL_KEY: &str = "remote_gateway_url";
pub(crate) const PORT_KEY: &str = "embedded_gateway_port";

/// The shared handle: the sender's bell and the status line.
pub struct GatewayLink {
    bell: Notify,
    /// Rung when this computer queues a change for the team's log: the team loop sends it at
    /// once.
    team_bell: Notify,
    status: Mutex<GatewayStatus>,
    endpoint: Mutex<Option<Endpoint>>,
    /// The built-in gateway's endpoint once it runs (kept while a remote one is in use, so
    /// that switching back is instant).
    embedded: Mutex<Option<Endpoint>>,
    /// Bumped whenever the endpoint changes: a feed page from the previous gateway is dropped.
    generation: std::sync::atomic::AtomicU64,
    data_dir: PathBuf,
    mail_dir: PathBuf,
    /// The window's language, which the join request notification is written in.
    window_language: Mutex<Lang>,
    /// The gateway refused this computer's device credential: it was removed from its team.
    removed: std::sync::atomic::AtomicBool,
    /// Given once the window has drawn its first picture (`window_shown`): the link's work
    /// waits for it, so that it does not share the cores with the window's start.
    shown: Notify,
}

/// How long the link's work waits for the window's first picture at most (a window that
/// never says it, or a start without one).
const SHOWN_WAIT: Duration = Duration::from_secs(3);

/// What the window says once the team's gateway refuses this computer's device credential.
pub(crate) const REMOVED_FROM_TEAM: &str = "This computer was removed from the team: the \
     gateway no longer accepts its credential (an admin revoked it, or disabled the admin it \
     was enrolled for). Its directory stays as it was, and nothing more is sent or received; to \
     take part again, ask an admin of the team to enroll it anew.";

/// The code by which the window words [`REMOVED_FROM_TEAM`] in its language (the status's
/// `lastErrorCode`, a refused call's detail).
const REMOVED_FROM_TEAM_CODE: &str = "removed_from_team";

/// A call or an edit refused because the team's gateway no longer accepts this computer's
/// credential: [`REMOVED_FROM_TEAM`], with its code as the detail.
pub(crate) fn removed_from_team() -> CommandError {
    let mut refused = CommandError::new(orgdesk_core::ErrorCode::Conflict, REMOVED_FROM_TEAM);
    refused.details = vec![orgdesk_core::ErrorDetail {
        field: None,
        code: REMOVED_FROM_TEAM_CODE.into(),
        reason: REMOVED_FROM_TEAM.into(),
    }];
    refused
}

use orgdesk_link::Endpoint;

impl GatewayLink {
    pub fn new(data_dir: &Path) -> Self {
        let mail_dir = data_dir.join("mail");
        Self {
            bell: Notify::new(),
            team_bell: Notify::new(),
            status: Mutex::new(GatewayStatus {
                mode: "unavailable".into(),
                url: None,
                connected: false,
                last_error: Some("The gateway is starting.".into()),
                last_error_code: None,
                mail_folder: Some(mail_dir.display().to_string()),
            }),
            endpoint: Mutex::new(None),
            embedded: Mutex::new(None),
            generation: std::sync::atomic::AtomicU64::new(0),
            data_dir: data_dir.to_owned(),
            mail_dir,
            window_language: Mutex::new(Lang::En),
            removed: std::sync::atomic::AtomicBool::new(false),
            shown: Notify::new(),
        }
    }

    /// The window has drawn its first picture.
    pub fn window_shown(&self) {
        self.shown.notify_one();
    }

    /// Returns once the window has drawn its first picture, or after `at_most`.
    async fn until_shown(&self, at_most: Duration) {
        let _ = tokio::time::timeout(at_most, self.shown.notified()).await;
    }

    /// The window says which language it shows (at start and on every switch).
    pub fn set_window_language(&self, language: Lang) {
        if let Ok(mut l) = self.window_language.lock() {
            *l = language;
        }
    }

    fn window_language(&self) -> Lang {
        self.window_language.lock().map(|l| *l).unwrap_or_default()
    }

    /// Wakes the sender: new work was queued.
    pub fn ring(&self) {
        self.bell.notify_one();
    }

    /// What the window shows of the link; a computer removed from its team says so, whatever
    /// a round said last.
    pub fn status(&self) -> GatewayStatus {
        let mut status = self
            .status
            .lock()
            .map(|s| s.clone())
            .unwrap_or_else(|p| p.into_inner().clone());
        if self.removed() {
            status.connected = false;
            status.last_error = Some(REMOVED_FROM_TEAM.into());
            status.last_error_code = Some(REMOVED_FROM_TEAM_CODE.into());
        }
        status
    }

    /// Whether the team's gateway refused this computer's device credential.
    pub(crate) fn removed(&self) -> bool {
        self.removed.load(std::sync::atomic::Ordering::SeqCst)
    }

    /// The team's gateway refused this computer's device credential (revoked, or its admin's
    /// account disabled): the link stops — no round calls the gateway again until a gateway
    /// is connected anew or the app starts again — and the status says why.
    fn remove_from_team(&self) {
        self.removed
            .store(true, std::sync::atomic::Ordering::SeqCst);
        if let Ok(mut e) = self.endpoint.lock() {
            *e = None;
        }
        self.generation
            .fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    }

    pub fn mail_dir(&self) -> &Path {
        &self.mail_dir
    }

    fn set_status(&self, f: impl FnOnce(&mut GatewayStatus)) {
        if let Ok(mut s) = self.status.lock() {
            f(&mut s);
        }
    }

    fn endpoint(&self) -> Option<Endpoint> {
        self.endpoint.lock().ok().and_then(|e| e.clone())
    }

    fn generation(&self) -> u64 {
        self.generation.load(std::sync::atomic::Ordering::SeqCst)
    }

    fn use_endpoint(&self, endpoint: Endpoint, mode: &str) {
        self.set_status(|s| {
            s.mode = mode.into();
            s.url = Some(endpoint.base.clone());
            s.connected = true;
            s.last_error = None;
        });
        if let Ok(mut e) = self.endpoint.lock() {
            *e = Some(endpoint);
        }
        self.removed
            .store(false, std::sync::atomic::Ordering::SeqCst);
        self.generation
            .fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        self.ring();
    }

    /// The typed client of the gateway in use, for an admin waiting on the answer.
    pub fn client(&self) -> Result<orgdesk_link::GatewayClient, CommandError> {
        self.reachable().map(orgdesk_link::GatewayClient::new)
    }

    /// The gateway's address and token, or why it cannot be called now.
    pub fn reachable(&self) -> Result<Endpoint, CommandError> {
        if self.removed() {
            return Err(removed_from_team());
        }
        self.endpoint()
            .ok_or_else(|| unreachable("it has not started"))
    }
}

/// One call to the gateway's API for an admin waiting on the answer (the join link), from the
/// window or the command line. Returns the status and the body; "not reachable" is an error in
/// words for the admin.
pub async fn call(
    endpoint: &Endpoint,
    method: reqwest::Method,
    path: &str,
    body: Option<serde_json::Value>,
) -> Result<(reqwest::StatusCode, String), CommandError> {
    let mut request = client()
        .request(method, format!("{}{path}", endpoint.base))
        .bearer_auth(&endpoint.token)
        .timeout(Duration::from_secs(20));
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request
        .send()
        .await
        .map_err(|e| unreachable(&e.to_string()))?;
    let status = response.status();
    let text = response.text().await.unwrap_or_default();
    Ok((status, text))
}

/// The gateway was not reached, in words for the admin.
fn unreachable(why: &str) -> CommandError {
    CommandError::new(
        orgdesk_core::ErrorCode::Internal,
        format!("The gateway could not be reached ({why}). Try again in a moment."),
    )
}

/// What a typed call's failure means to an admin waiting on it: a refusal in the gateway's
/// words (as [`refusal`] words one), anything else as the gateway not being reached.
pub fn call_failed(e: orgdesk_link::CallError) -> CommandError {
    match e {
        orgdesk_link::CallError::Refused { status, message } => CommandError::new(
            if status == 404 {
                orgdesk_core::ErrorCode::NotFound
            } else {
                orgdesk_core::ErrorCode::Conflict
            },
            message,
        ),
        orgdesk_link::CallError::Retry(why) | orgdesk_link::CallError::TokenRefused(why) => {
            CommandError::new(orgdesk_core::ErrorCode::Internal, why)
        }
    }
}

/// A refused password reset: "not found" means the gateway holds no account for the member
/// yet (the directory has not mirrored it, or the member has no password); the rest as
/// [`call_failed`].
pub fn reset_refused(e: orgdesk_link::CallError, name: &str) -> CommandError {
    if e.is_not_found() {
        CommandError::new(
            orgdesk_core::ErrorCode::Conflict,
            format!(
                "The gateway has no account for {name} yet: Orgdesk sends it the directory's \
                 accounts in the background. Try again in a minute."
            ),
        )
    } else {
        call_failed(e)
    }
}

/// The gateway's refusal as a command error, in its own words.
pub fn refusal(status: reqwest::StatusCode, body: &str) -> CommandError {
    CommandError::new(
        if status == reqwest::StatusCode::NOT_FOUND {
            orgdesk_core::ErrorCode::NotFound
        } else if status.is_client_error() {
            orgdesk_core::ErrorCode::Conflict
        } else {
            orgdesk_core::ErrorCode::Internal
        },
        problem(status, body),
    )
}

/// Starts the embedded gateway and the link's tasks, on Tauri's async runtime, once the window
/// has drawn its first picture (or after [`SHOWN_WAIT`]): a backlog to send (the account
/// mirror of a large directory, thousands of invitations) would otherwise take the cores the
/// window starts with. The phone-number metadata is warmed up then too.
pub fn start<R: Runtime>(app: &AppHandle<R>, data_dir: PathBuf) {
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        if let Some(link) = app.try_state::<Arc<GatewayLink>>() {
            link.until_shown(SHOWN_WAIT).await;
        }
        std::thread::spawn(orgdesk_core::types::Mobile::warm_up);
        tauri::async_runtime::spawn(rounds::sender(app.clone()));
        tauri::async_runtime::spawn(rounds::feed(app.clone()));
        tauri::async_runtime::spawn(team::follow(app.clone()));
        let remote = directory(&app, |d| {
            Ok((d.local_value(MODE_KEY)?, d.local_value(REMOTE_URL_KEY)?))
        })
        .await
        .ok()
        .and_then(|(mode, url)| url.filter(|_| mode.as_deref() == Some("remote")));
        match remote {
            Some(url) => remote::start_remote(&app, url).await,
            None => embedded::start_builtin(&app, &data_dir).await,
        }
        let _ = app.emit(INVITATIONS_CHANGED, ());
    });
}

async fn directory<R: Runtime, T: Send + 'static>(
    app: &AppHandle<R>,
    f: impl FnOnce(&mut Directory) -> Result<T, orgdesk_core::CoreError> + Send + 'static,
) -> Result<T, CommandError> {
    app.state::<AppState>().with_directory(f).await
}

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .connect_timeout(Duration::from_secs(10))
        .build()
        .unwrap_or_default()
}

fn problem(status: reqwest::StatusCode, body: &str) -> String {
    orgdesk_link::client::problem(status, body)
}

#[cfg(test)]
mod tests;
