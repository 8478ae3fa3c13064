//! The desktop's side of the gateway, with no window in it: a typed client over the
//! protocol's types ([`client`]), and the two rounds the desktop runs against it
//! ([`rounds`]) — one sends what the directory has queued or changed, the other applies the
//! event feed — and, in team mode, the round that sends this computer's commands to the
//! organization's change log and applies the log ([`team`]). The app runs them in loops for as
//! long as it is open; `orgdesk sync` runs them once; tests run them against a real gateway in
//! the same process.

pub mod client;
pub mod rounds;
pub mod team;

use std::sync::{Arc, Mutex};

use orgdesk_core::{CoreError, Directory};

pub use client::{CallError, Endpoint, GatewayClient};
pub use rounds::{pull_round, send_round, PullReport, SendReport};
pub use team::{team_round, team_round_every, TeamReport, SNAPSHOT_EVERY};

/// The directory as the app holds it: one write connection behind a mutex.
pub type SharedDirectory = Arc<Mutex<Directory>>;

/// Runs `f` on the directory on a blocking thread (the core is synchronous).
pub async fn with_directory<T, F>(dir: &SharedDirectory, f: F) -> Result<T, String>
where
    T: Send + 'static,
    F: FnOnce(&mut Directory) -> Result<T, CoreError> + Send + 'static,
{
    let dir = Arc::clone(dir);
    tokio::task::spawn_blocking(move || {
        let mut guard = dir
            .lock()
            .map_err(|_| "The directory is unavailable after an earlier failure.".to_owned())?;
        f(&mut guard).map_err(|e| e.to_string())
    })
    .await
    .map_err(|e| format!("The operation stopped unexpectedly: {e}"))?
}
