//! The desktop's side of the gateway: starts the embedded gateway (loopback, mail written to
//! .eml files in the app's data folder), carries queued invitation work to it, and applies
//! its event feed to the directory.
//!
//! Two background tasks, both restartable at any point without losing anything:
//! - the sender takes due work from the directory's durable queue, calls the gateway and
//!   records the answer (a failure is retried later with the same idempotency key);
//! - the feed long-polls `GET /api/v1/events`, applies each page to the directory in one
//!   transaction together with the new cursor, then acknowledges it.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use orgdesk_core::invitations::GatewayStatus;
use orgdesk_core::{CommandError, Directory};
use orgdesk_protocol::IDEMPOTENCY_KEY_HEADER;
use tauri::{AppHandle, Emitter, Manager, Runtime};
use tokio::sync::Notify;

use crate::state::AppState;

/// The UI listens for these to refresh what it shows.
pub const INVITATIONS_CHANGED: &str = "invitations-changed";
pub const DIRECTORY_CHANGED: &str = "directory-changed";

const ORG_ID_KEY: &str = "embedded_gateway_org_id";
pub(crate) const MODE_KEY: &str = "gateway_mode";
pub(crate) const REMOTE_URL_KEY: &str = "remote_gateway_url";
const PORT_KEY: &str = "embedded_gateway_port";

/// The shared handle: the sender's bell and the status line.
pub struct GatewayLink {
    bell: Notify,
    status: Mutex<GatewayStatus>,
    endpoint: Mutex<Option<Endpoint>>,
    /// The built-in gateway's endpoint once it runs (kept while a remote one is in use, so
    /// that switching back is instant).
    embedded: Mutex<Option<Endpoint>>,
    /// Bumped whenever the endpoint changes: a feed page from the previous gateway is dropped.
    generation: std::sync::atomic::AtomicU64,
    data_dir: PathBuf,
    mail_dir: PathBuf,
}

use orgdesk_link::Endpoint;

impl GatewayLink {
    pub fn new(data_dir: &Path) -> Self {
        let mail_dir = data_dir.join("mail");
        Self {
            bell: Notify::new(),
            status: Mutex::new(GatewayStatus {
                mode: "unavailable".into(),
                url: None,
                connected: false,
                last_error: Some("The gateway is starting.".into()),
                mail_folder: Some(mail_dir.display().to_string()),
            }),
            endpoint: Mutex::new(None),
            embedded: Mutex::new(None),
            generation: std::sync::atomic::AtomicU64::new(0),
            data_dir: data_dir.to_owned(),
            mail_dir,
        }
    }

    /// Wakes the sender: new work was queued.
    pub fn ring(&self) {
        self.bell.notify_one();
    }

    pub fn status(&self) -> GatewayStatus {
        self.status
            .lock()
            .map(|s| s.clone())
            .unwrap_or_else(|p| p.into_inner().clone())
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
        self.generation
            .fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        self.ring();
    }

    /// A create call that is safe to retry: the key makes the gateway answer a retry with
    /// the first answer.
    pub async fn call_with_key(
        &self,
        method: reqwest::Method,
        path: &str,
        body: serde_json::Value,
        key: &str,
    ) -> Result<(reqwest::StatusCode, String), CommandError> {
        self.send(method, path, Some(body), Some(key)).await
    }

    /// One call to the gateway's API for an admin waiting on the answer (the join link).
    /// Returns the status and the body; "not reachable" is an error in words for the admin.
    pub async fn call(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<serde_json::Value>,
    ) -> Result<(reqwest::StatusCode, String), CommandError> {
        self.send(method, path, body, None).await
    }

    async fn send(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<serde_json::Value>,
        key: Option<&str>,
    ) -> Result<(reqwest::StatusCode, String), CommandError> {
        let unreachable = |why: String| {
            CommandError::new(
                orgdesk_core::ErrorCode::Internal,
                format!("The gateway could not be reached ({why}). Try again in a moment."),
            )
        };
        let endpoint = self
            .endpoint()
            .ok_or_else(|| unreachable("it has not started".into()))?;
        let mut request = client()
            .request(method, format!("{}{path}", endpoint.base))
            .bearer_auth(&endpoint.token)
            .timeout(Duration::from_secs(20));
        if let Some(body) = body {
            request = request.json(&body);
        }
        if let Some(key) = key {
            request = request.header(IDEMPOTENCY_KEY_HEADER, key);
        }
        let response = request
            .send()
            .await
            .map_err(|e| unreachable(e.to_string()))?;
        let status = response.status();
        let text = response.text().await.unwrap_or_default();
        Ok((status, text))
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

/// Starts the embedded gateway and the two tasks, on Tauri's async runtime.
pub fn start<R: Runtime>(app: &AppHandle<R>, data_dir: PathBuf) {
    let app = app.clone();
    tauri::async_runtime::spawn(sender(app.clone()));
    tauri::async_runtime::spawn(feed(app.clone()));
    tauri::async_runtime::spawn(async move {
        let remote = directory(&app, |d| {
            Ok((d.local_value(MODE_KEY)?, d.local_value(REMOTE_URL_KEY)?))
        })
        .await
        .ok()
        .and_then(|(mode, url)| url.filter(|_| mode.as_deref() == Some("remote")));
        match remote {
            Some(url) => start_remote(&app, url).await,
            None => start_builtin(&app, &data_dir).await,
        }
        let _ = app.emit(INVITATIONS_CHANGED, ());
    });
}

async fn start_builtin<R: Runtime>(app: &AppHandle<R>, data_dir: &Path) {
    let Some(link) = app.try_state::<Arc<GatewayLink>>().map(|l| Arc::clone(&l)) else {
        return;
    };
    let known = link.embedded.lock().ok().and_then(|e| e.clone());
    let started = match known {
        Some(endpoint) => Ok(endpoint),
        None => start_embedded(app, data_dir).await,
    };
    match started {
        Ok(endpoint) => {
            if let Ok(mut e) = link.embedded.lock() {
                *e = Some(endpoint.clone());
            }
            link.use_endpoint(endpoint, "embedded");
        }
        Err(message) => {
            eprintln!("Orgdesk could not start its gateway: {message}");
            link.set_status(|s| {
                s.mode = "unavailable".into();
                s.connected = false;
                s.last_error = Some(format!(
                    "The built-in gateway could not start ({message}). Invitations stay \
                     queued until it can; restart Orgdesk to try again."
                ));
            });
        }
    }
}

async fn start_remote<R: Runtime>(app: &AppHandle<R>, url: String) {
    let Some(link) = app.try_state::<Arc<GatewayLink>>().map(|l| Arc::clone(&l)) else {
        return;
    };
    match keyring_token(&url).await {
        Ok(token) => link.use_endpoint(Endpoint { base: url, token }, "remote"),
        Err(why) => link.set_status(|s| {
            s.mode = "remote".into();
            s.url = Some(url);
            s.connected = false;
            s.last_error = Some(format!(
                "The remote gateway's token could not be read from the system keyring ({why}). \
                 Connect again in Settings."
            ));
        }),
    }
}

const KEYRING_SERVICE: &str = crate::IDENTIFIER;

fn keyring_entry(url: &str) -> Result<keyring::Entry, String> {
    keyring::Entry::new(KEYRING_SERVICE, &format!("gateway-token {url}")).map_err(|e| e.to_string())
}

pub(crate) async fn keyring_token(url: &str) -> Result<String, String> {
    let url = url.to_owned();
    tauri::async_runtime::spawn_blocking(move || {
        keyring_entry(&url)?
            .get_password()
            .map_err(|e| e.to_string())
    })
    .await
    .map_err(|e| e.to_string())?
}

async fn keyring_store(url: &str, token: &str) -> Result<(), String> {
    let (url, token) = (url.to_owned(), token.to_owned());
    tauri::async_runtime::spawn_blocking(move || {
        keyring_entry(&url)?
            .set_password(&token)
            .map_err(|e| e.to_string())
    })
    .await
    .map_err(|e| e.to_string())?
}

async fn keyring_forget(url: &str) {
    let url = url.to_owned();
    let _ = tauri::async_runtime::spawn_blocking(move || {
        if let Ok(entry) = keyring_entry(&url) {
            let _ = entry.delete_credential();
        }
    })
    .await;
}

/// Checks an address and token against a gateway: the URL must be https (http only on this
/// machine) and the gateway must accept the token. Returns the address without a trailing
/// slash.
pub async fn check_remote(url: &str, token: &str) -> Result<String, CommandError> {
    use orgdesk_core::ErrorCode;
    let invalid = |field: &str, code: &str, reason: String| {
        CommandError::from(orgdesk_core::CoreError::invalid(vec![
            orgdesk_core::ErrorDetail::field(field, code, reason),
        ]))
    };
    let url = url.trim().trim_end_matches('/').to_owned();
    let parsed = reqwest::Url::parse(&url).map_err(|_| {
        invalid(
            "url",
            "invalid_url",
            "Enter the gateway's address, e.g. https://gateway.example.com.".into(),
        )
    })?;
    let loopback = match parsed.host_str() {
        Some(h) => {
            h.eq_ignore_ascii_case("localhost")
                || h.trim_matches(|c| c == '[' || c == ']')
                    .parse::<std::net::IpAddr>()
                    .is_ok_and(|ip| ip.is_loopback())
        }
        None => false,
    };
    match parsed.scheme() {
        "https" => {}
        "http" if loopback => {}
        _ => {
            return Err(invalid(
                "url",
                "insecure_url",
                "The gateway's address must start with https:// (http:// only for this computer)."
                    .into(),
            ))
        }
    }
    let token = token.trim();
    if token.is_empty() {
        return Err(invalid(
            "token",
            "required",
            "Enter the organization's API token.".into(),
        ));
    }
    let answer = client()
        .get(format!(
            "{url}/api/v1/events?after={}&wait=0&limit=1",
            i64::MAX
        ))
        .bearer_auth(token)
        .timeout(Duration::from_secs(15))
        .send()
        .await
        .map_err(|e| {
            CommandError::new(
                ErrorCode::Internal,
                format!("The gateway at {url} could not be reached ({e})."),
            )
        })?;
    match answer.status() {
        s if s.is_success() => Ok(url),
        reqwest::StatusCode::UNAUTHORIZED => Err(invalid(
            "token",
            "token_refused",
            "The gateway refused this token. Copy it again from the gateway's administrator."
                .into(),
        )),
        s => Err(CommandError::new(
            ErrorCode::Internal,
            format!("The gateway at {url} answered {s}; is this an Orgdesk gateway?"),
        )),
    }
}

/// Switches to a remote gateway: checks it, stores the token in the system keyring (nowhere
/// else), remembers the address, and follows that gateway's feed from its start.
pub async fn connect_remote<R: Runtime>(
    app: &AppHandle<R>,
    url: &str,
    token: &str,
) -> Result<GatewayStatus, CommandError> {
    let url = check_remote(url, token).await?;
    keyring_store(&url, token.trim()).await.map_err(|why| {
        CommandError::new(
            orgdesk_core::ErrorCode::Internal,
            format!(
                "The token could not be saved in the system keyring ({why}); nothing was changed. \
                 Orgdesk keeps this token only there."
            ),
        )
    })?;
    let saved = url.clone();
    directory(app, move |d| {
        d.set_local_value(MODE_KEY, "remote")?;
        d.set_local_value(REMOTE_URL_KEY, &saved)?;
        d.reset_gateway_event_cursor()
    })
    .await?;
    let link = app.state::<Arc<GatewayLink>>();
    link.use_endpoint(
        Endpoint {
            base: url,
            token: token.trim().to_owned(),
        },
        "remote",
    );
    let _ = app.emit(INVITATIONS_CHANGED, ());
    Ok(link.status())
}

/// Back to the built-in gateway; the remote token is removed from the keyring.
pub async fn use_builtin<R: Runtime>(app: &AppHandle<R>) -> Result<GatewayStatus, CommandError> {
    let old = directory(app, |d| {
        let old = d.local_value(REMOTE_URL_KEY)?;
        d.set_local_value(MODE_KEY, "embedded")?;
        d.reset_gateway_event_cursor()?;
        Ok(old)
    })
    .await?;
    if let Some(url) = old {
        keyring_forget(&url).await;
    }
    let link = Arc::clone(&app.state::<Arc<GatewayLink>>());
    start_builtin(app, &link.data_dir.clone()).await;
    let _ = app.emit(INVITATIONS_CHANGED, ());
    Ok(link.status())
}

/// Which gateway the settings name, for the Settings screen.
pub async fn remote_url<R: Runtime>(app: &AppHandle<R>) -> Result<Option<String>, CommandError> {
    directory(app, |d| {
        Ok(d.local_value(REMOTE_URL_KEY)?
            .filter(|_| d.local_value(MODE_KEY).ok().flatten().as_deref() == Some("remote")))
    })
    .await
}

async fn directory<R: Runtime, T: Send + 'static>(
    app: &AppHandle<R>,
    f: impl FnOnce(&mut Directory) -> Result<T, orgdesk_core::CoreError> + Send + 'static,
) -> Result<T, CommandError> {
    app.state::<AppState>().with_directory(f).await
}

async fn start_embedded<R: Runtime>(
    app: &AppHandle<R>,
    data_dir: &Path,
) -> Result<Endpoint, String> {
    std::fs::create_dir_all(data_dir).map_err(|e| e.to_string())?;
    let (org_id, port, org_name) = directory(app, |d| {
        Ok((
            d.local_value(ORG_ID_KEY)?,
            d.local_value(PORT_KEY)?.and_then(|p| p.parse::<u16>().ok()),
            d.organization_name().ok(),
        ))
    })
    .await
    .map_err(|e| e.message)?;

    let mut config = orgdesk_gateway::Config::local(
        data_dir.join("gateway.db").display().to_string(),
        data_dir.join("mail"),
    );
    config.pepper_file = Some(data_dir.join("gateway-pepper"));
    // The same port as last time, so links in mail already sent keep working.
    let mut gateway = None;
    if let Some(port) = port {
        config.listen.set_port(port);
        gateway = orgdesk_gateway::serve(config.clone()).await.ok();
    }
    let gateway = match gateway {
        Some(g) => g,
        None => {
            config.listen.set_port(0);
            orgdesk_gateway::serve(config)
                .await
                .map_err(|e| e.to_string())?
        }
    };
    let base = gateway.public_url().to_owned();
    let store = gateway.store();
    let (org_id, token) = match org_id {
        Some(id) => match orgdesk_gateway::rotate_api_token(store.as_ref(), &id).await {
            Ok(token) => (id, token),
            // The gateway's database was deleted: start a new organization there.
            Err(_) => new_org(&gateway, org_name.as_deref()).await?,
        },
        None => new_org(&gateway, org_name.as_deref()).await?,
    };
    let bound = gateway.local_addr().port();
    let fresh_org = org_id.clone();
    directory(app, move |d| {
        if d.local_value(ORG_ID_KEY)?.as_deref() != Some(fresh_org.as_str()) {
            // Another gateway database: its feed starts from the beginning.
            d.reset_gateway_event_cursor()?;
            d.set_local_value(ORG_ID_KEY, &fresh_org)?;
        }
        d.set_local_value(PORT_KEY, &bound.to_string())
    })
    .await
    .map_err(|e| e.message)?;
    // The gateway lives as long as the app: leak the handle so it is never dropped.
    std::mem::forget(gateway);
    Ok(Endpoint { base, token })
}

async fn new_org(
    gateway: &orgdesk_gateway::Gateway,
    name: Option<&str>,
) -> Result<(String, String), String> {
    let creds = gateway
        .create_organization(name.unwrap_or("Orgdesk"))
        .await
        .map_err(|e| e.to_string())?;
    Ok((creds.organization_id, creds.api_token))
}

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .connect_timeout(Duration::from_secs(10))
        .build()
        .unwrap_or_default()
}

/// Carries due work to the gateway until the app ends (see `orgdesk_link::send_round`).
async fn sender<R: Runtime>(app: AppHandle<R>) {
    let Some(link) = app.try_state::<Arc<GatewayLink>>().map(|l| Arc::clone(&l)) else {
        return;
    };
    let dir = app.state::<AppState>().shared_directory();
    // The mirror is computed, not queued: after a failure it waits, doubling from 5 s.
    let mut mirror_failures = 0u32;
    let mut mirror_not_before = tokio::time::Instant::now();
    loop {
        let mut busy = false;
        if let Some(endpoint) = link.endpoint() {
            let client = orgdesk_link::GatewayClient::new(endpoint);
            let mirror = tokio::time::Instant::now() >= mirror_not_before;
            let report = orgdesk_link::send_round(&dir, &client, mirror).await;
            if let Some(why) = report.mirror_failed.clone() {
                mirror_failures += 1;
                let secs = (5u64 << mirror_failures.min(8)).min(900);
                mirror_not_before = tokio::time::Instant::now() + Duration::from_secs(secs);
                link.set_status(|s| {
                    s.connected = false;
                    s.last_error = Some(why);
                });
            } else if report.mirrored > 0 {
                mirror_failures = 0;
            }
            if let Some(contact) = report.last_contact.clone() {
                link.set_status(|s| {
                    s.connected = contact.is_ok();
                    s.last_error = contact.err();
                });
            }
            busy = report.busy();
        }
        if busy {
            let _ = app.emit(INVITATIONS_CHANGED, ());
            continue;
        }
        // Refusals and the mirror are looked at on every round; a round comes at least every 30 s.
        let next = directory(&app, |d| d.next_gateway_work_at())
            .await
            .ok()
            .flatten();
        let now = directory(&app, |d| Ok(d.now_ms())).await.unwrap_or(0);
        let wait = next
            .map(|at| Duration::from_millis((at - now).clamp(50, 30_000) as u64))
            .unwrap_or(Duration::from_secs(30));
        let _ = tokio::time::timeout(wait, link.bell.notified()).await;
    }
}

/// Follows the event feed until the app ends (see `orgdesk_link::pull_round`).
async fn feed<R: Runtime>(app: AppHandle<R>) {
    let Some(link) = app.try_state::<Arc<GatewayLink>>().map(|l| Arc::clone(&l)) else {
        return;
    };
    let dir = app.state::<AppState>().shared_directory();
    let mut backoff = Duration::from_secs(1);
    loop {
        let Some(endpoint) = link.endpoint() else {
            tokio::time::sleep(Duration::from_secs(5)).await;
            continue;
        };
        let generation = link.generation();
        let client = orgdesk_link::GatewayClient::new(endpoint);
        let still_current = || link.generation() == generation;
        match orgdesk_link::pull_round(&dir, &client, 25, still_current).await {
            Ok(report) => {
                backoff = Duration::from_secs(1);
                if report.events > 0 {
                    let _ = app.emit(INVITATIONS_CHANGED, ());
                }
                if !report.changed.is_empty() {
                    let _ = app.emit(DIRECTORY_CHANGED, ());
                }
                link.set_status(|s| {
                    s.connected = true;
                    s.last_error = None;
                });
            }
            Err(why) => {
                link.set_status(|s| {
                    s.connected = false;
                    s.last_error = Some(why);
                });
                tokio::time::sleep(backoff).await;
                backoff = (backoff * 2).min(Duration::from_secs(30));
            }
        }
    }
}

fn problem(status: reqwest::StatusCode, body: &str) -> String {
    orgdesk_link::client::problem(status, body)
}

#[cfg(test)]
mod tests {
    use super::check_remote;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_remote_gateway_is_checked_before_it_is_used() {
        let dir = tempfile::tempdir().unwrap();
        let config = orgdesk_gateway::Config::local(
            dir.path().join("gw.db").display().to_string(),
            dir.path().join("mail"),
        );
        let gateway = orgdesk_gateway::serve(config).await.unwrap();
        let creds = gateway.create_organization("Acme").await.unwrap();
        let base = gateway.public_url().to_owned();

        // The right token: accepted, the address tidied.
        assert_eq!(
            check_remote(&format!(" {base}/ "), &creds.api_token)
                .await
                .unwrap(),
            base
        );
        // A wrong token is refused with the field named.
        let e = check_remote(&base, "odt_wrong").await.unwrap_err();
        assert_eq!(e.details[0].field.as_deref(), Some("token"));
        assert_eq!(e.details[0].code, "token_refused");
        // Secrets never travel in the clear beyond this computer.
        let e = check_remote("http://gateway.example.com", &creds.api_token)
            .await
            .unwrap_err();
        assert_eq!(e.details[0].code, "insecure_url");
        let e = check_remote("not a url", &creds.api_token)
            .await
            .unwrap_err();
        assert_eq!(e.details[0].code, "invalid_url");
        let e = check_remote(&base, "  ").await.unwrap_err();
        assert_eq!(e.details[0].field.as_deref(), Some("token"));
        // Nothing listening: said in words, not a panic.
        gateway.shutdown().await.unwrap();
        let e = check_remote(&base, &creds.api_token).await.unwrap_err();
        assert!(e.message.contains("could not be reached"), "{}", e.message);
    }
}
