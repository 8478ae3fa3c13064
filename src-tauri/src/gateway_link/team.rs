//! The window's team loop: on a computer enrolled in a team (the directory names its device's
//! account), this computer's pending commands go to the organization's change log and the log
//! comes back applied, round after round while the app is open (`orgdesk_link::team_round`);
//! every round that applied a change tells the window, which shows the directory again. When
//! the gateway refuses this computer's credential, the link stops: the computer was removed
//! from the team.

use std::sync::Arc;
use std::time::Duration;

use orgdesk_core::audit::Actor;
use orgdesk_core::team::{ChangeFate, Command, Edit};
use orgdesk_core::{CommandError, CoreError, Directory, ErrorCode};
use orgdesk_link::{team_round, Endpoint, GatewayClient};
use tauri::{AppHandle, Emitter, Manager, Runtime};

use super::token::{keyring_secret, Secret};
use super::{
    directory, GatewayLink, DIRECTORY_CHANGED, INVITATIONS_CHANGED, MODE_KEY, REMOTE_URL_KEY,
    REMOVED_FROM_TEAM,
};
use crate::state::AppState;

/// How long one read of the log waits for a change, in seconds.
const LONG_POLL_SECS: u64 = 25;

/// Follows the team's change log until the app ends; idle while this computer is in no team.
pub(super) async fn follow<R: Runtime>(app: AppHandle<R>) {
    let Some(link) = app.try_state::<Arc<GatewayLink>>().map(|l| Arc::clone(&l)) else {
        return;
    };
    let dir = app.state::<AppState>().shared_directory();
    let mut backoff = Duration::from_secs(1);
    loop {
        if link.removed() {
            // Removed from the team: nothing is sent or read until a gateway is connected anew.
            let _ = tokio::time::timeout(Duration::from_secs(30), link.team_bell.notified()).await;
            continue;
        }
        let Some((account, client)) = device(&app).await else {
            // Not in a team (or its credential unreadable): look again in a while, or as soon
            // as this computer queues a change.
            let _ = tokio::time::timeout(Duration::from_secs(30), link.team_bell.notified()).await;
            continue;
        };
        // A change queued here is sent at once: the bell ends the wait for the log.
        let round = tokio::select! {
            r = team_round(&dir, &client, &account, LONG_POLL_SECS) => Some(r),
            () = link.team_bell.notified() => None,
        };
        match round {
            Some(Ok(report)) if report.token_refused => {
                // Revoked, or its admin disabled: asking again would be refused again.
                link.remove_from_team();
                let _ = app.emit(INVITATIONS_CHANGED, ());
                if report.applied + report.refused > 0 {
                    let _ = app.emit(DIRECTORY_CHANGED, ());
                }
            }
            Some(Ok(report)) => {
                backoff = Duration::from_secs(1);
                if report.applied + report.refused > 0 {
                    let _ = app.emit(DIRECTORY_CHANGED, ());
                }
                if let Some(why) = report.send_failed {
                    link.set_status(|s| s.last_error = Some(why));
                    tokio::time::sleep(backoff).await;
                }
            }
            Some(Err(why)) => {
                link.set_status(|s| s.last_error = Some(why));
                tokio::time::sleep(backoff).await;
                backoff = (backoff * 2).min(Duration::from_secs(30));
            }
            None => {}
        }
    }
}

/// This computer's device account and a client of the team's gateway with its device
/// credential (kept in the system keyring under the gateway's address), once it is in a team.
async fn device<R: Runtime>(app: &AppHandle<R>) -> Option<(String, GatewayClient)> {
    let (account, mode, base) = directory(app, |d| {
        Ok((
            d.team_device_account()?,
            d.local_value(MODE_KEY)?,
            d.local_value(REMOTE_URL_KEY)?,
        ))
    })
    .await
    .ok()?;
    let (account, base) = (
        account?,
        base.filter(|_| mode.as_deref() == Some("remote"))?,
    );
    let token = keyring_secret(Secret::DeviceToken, &base).await.ok()?;
    Some((account, GatewayClient::new(Endpoint { base, token })))
}

/// How long a window's edit waits for its change to come back from the log.
const BACK_WITHIN: Duration = Duration::from_secs(10);

impl GatewayLink {
    /// An edit of the signed-in admin ([`orgdesk_core::Directory::edit`]): made directly, or on
    /// a computer in a team tried, queued as `command` and sent at once by the team loop. It
    /// answers once the change is back from the log (what the try answered, with `then`
    /// reading from the directory what the try cannot know, a new id), refused with the reason
    /// the log's order gave, or, when it is not back within 10 s, that it is kept on this
    /// computer and sent when the gateway answers.
    pub async fn logged<T, C, F, A>(
        &self,
        state: &AppState,
        command: C,
        run: F,
        then: A,
    ) -> Result<T, CommandError>
    where
        T: Send + 'static,
        C: FnOnce(&Directory) -> Result<Command, CoreError> + Send + 'static,
        F: FnOnce(&mut Directory, &Actor) -> Result<T, CoreError> + Send + 'static,
        A: FnOnce(&mut Directory, T) -> Result<T, CoreError> + Send + 'static,
    {
        if self.removed() {
            return Err(CommandError::new(ErrorCode::Conflict, REMOVED_FROM_TEAM));
        }
        let (tried, change_id) = match state.act(move |d, a| d.edit(a, command, run)).await? {
            Edit::Done(done) => return Ok(done),
            Edit::Queued { tried, change_id } => (tried, change_id),
        };
        self.team_bell.notify_one();
        let until = tokio::time::Instant::now() + BACK_WITHIN;
        loop {
            let id = change_id.clone();
            match state.read(move |d| d.change_fate(&id)).await? {
                ChangeFate::Applied => return state.with_directory(move |d| then(d, tried)).await,
                ChangeFate::Refused(r) => return Err(r.refusal().into()),
                ChangeFate::Waiting if tokio::time::Instant::now() >= until => {
                    return Err(CommandError::new(
                        ErrorCode::Conflict,
                        "Kept on this computer: the team's gateway has not answered yet, and \
                         the change is sent and shown as soon as it does.",
                    ))
                }
                ChangeFate::Waiting => tokio::time::sleep(Duration::from_millis(200)).await,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;
    use tauri::Manager;

    use crate::state::AppState;
    use crate::test_ipc::{call, signed_in};

    /// The window's edits on a computer in a team whose gateway does not answer (no team loop
    /// runs here): a change is tried, queued and said to be kept, and shows only once it comes
    /// back; an edit the log does not carry is refused; outside a team an edit is made at once.
    #[test]
    fn the_windows_edits_in_a_team_go_to_the_log_and_the_others_are_refused() {
        let (app, w) = signed_in();
        let state = app.state::<AppState>();
        let root = call(&w, "department_tree", json!({})).unwrap()["id"].clone();
        let made = call(
            &w,
            "create_department",
            json!({"parentId": root, "name": "Direct"}),
        );
        assert!(made.unwrap().is_number());
        tauri::async_runtime::block_on(state.with_directory(|d| {
            let items = d.due_account_mirror(10)?;
            d.account_mirror_done(&items, &["acc_ann".to_owned()])?;
            d.set_team_device_account("acc_ann")
        }))
        .unwrap();

        let kept = call(
            &w,
            "create_department",
            json!({"parentId": root, "name": "Ops"}),
        )
        .unwrap_err();
        assert_eq!(kept["code"], "conflict", "{kept}");
        assert!(
            kept["message"]
                .as_str()
                .unwrap()
                .starts_with("Kept on this computer"),
            "{kept}"
        );
        let (pending, ops) = tauri::async_runtime::block_on(state.with_directory(|d| {
            Ok((
                d.pending_commands()?.len(),
                d.resolve_department_path("Ops").is_ok(),
            ))
        }))
        .unwrap();
        assert_eq!((pending, ops), (1, false));

        let invitee = json!({"input": {"name": "Ivy", "email": "ivy@example.com",
            "departmentId": root, "roleIds": [], "linkOnly": false}});
        let refused = call(&w, "add_invitee", invitee).unwrap_err();
        assert!(
            refused["message"]
                .as_str()
                .unwrap()
                .contains("not yet a change the team's log carries"),
            "{refused}"
        );
    }

    /// The open window on a computer in a team, against a real gateway: its own edit goes out
    /// through the team loop and answers once back, and a change another computer appended
    /// shows in the directory, with the event the window listens to.
    #[test]
    fn the_open_window_sends_its_edits_and_follows_the_log() {
        use tauri::async_runtime::block_on;
        use tauri::Listener;

        use crate::gateway_link::tests::{until_department, AcmeGateway};
        use crate::gateway_link::DIRECTORY_CHANGED;

        let gw = AcmeGateway::start();
        let (app, w) = signed_in();
        let state = app.state::<AppState>();

        // The organization's token mirrors Ann's account; this computer becomes her device.
        let account = gw.bind_ann(&state);
        let device = gw.register_office(&account);
        gw.enroll_window(&state, account, &device.device_token);
        let (heard, hear) = std::sync::mpsc::channel();
        app.listen_any(DIRECTORY_CHANGED, move |_| {
            let _ = heard.send(());
        });
        tauri::async_runtime::spawn(super::follow(app.handle().clone()));

        // The window's own edit: answered with its id once back from the log.
        let root = call(&w, "department_tree", json!({})).unwrap()["id"].clone();
        let ops = call(
            &w,
            "create_department",
            json!({"parentId": root, "name": "Ops"}),
        );
        let ops = ops.unwrap();
        let found = block_on(state.with_directory(|d| d.resolve_department_path("Ops"))).unwrap();
        assert_eq!(ops, json!(found));

        // A change appended by another computer of the team shows without a word from here.
        let other = gw.client(&device.device_token);
        let id = "0123456789abcdef0123456789abcdef";
        gw.create_elsewhere(&state, &other, "Elsewhere", id);
        until_department(&state, "Elsewhere");
        hear.recv_timeout(std::time::Duration::from_secs(5))
            .expect("the window hears the directory changed");
        gw.shutdown();
    }
}
