//! The window's team loop: on a computer enrolled in a team (the directory names its device's
//! account), this computer's pending commands go to the organization's change log and the log
//! comes back applied, round after round while the app is open (`orgdesk_link::team_round`);
//! every round that applied a change tells the window, which shows the directory again. When
//! the gateway refuses this computer's credential, the link stops: the computer was removed
//! from the team.

use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use orgdesk_core::audit::Actor;
use orgdesk_core::team::{ChangeFate, Command, Edit};
use orgdesk_core::{CommandError, CoreError, Directory, ErrorCode, ErrorDetail};
use orgdesk_link::{team_round, Endpoint, GatewayClient};
use tauri::{AppHandle, Emitter, Manager, Runtime};

use super::token::{keyring_secret, Secret};
use super::{
    chosen_remote, directory, removed_from_team, GatewayLink, DIRECTORY_CHANGED,
    INVITATIONS_CHANGED,
};
use crate::state::AppState;

/// How long one read of the log waits for a change, in seconds.
const LONG_POLL_SECS: u64 = 25;

/// Emitted with this computer's changes the log refused (`RefusedChange[]`), each once: the
/// window tells the admin what and why.
pub const TEAM_REFUSED: &str = "team-refused";

/// The changes a window's edit is waiting on ([`GatewayLink::logged`]): their refusal is that
/// edit's answer, so it is not announced again.
static AWAITED: Mutex<BTreeSet<String>> = Mutex::new(BTreeSet::new());

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
        let Ok((account, client)) = device(&app).await else {
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
        if let Some(Ok(report)) = &round {
            if report.applied + report.refused > 0 {
                let _ = app.emit(DIRECTORY_CHANGED, ());
            }
            if report.refused > 0 {
                announce_refusals(&app).await;
            }
        }
        match round {
            Some(Ok(report)) if report.token_refused => {
                // Revoked, or its admin disabled: asking again would be refused again.
                link.remove_from_team();
                let _ = app.emit(INVITATIONS_CHANGED, ());
            }
            Some(Ok(report)) => {
                backoff = Duration::from_secs(1);
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

/// Tells the window of this computer's changes the log refused, once each, but for those an
/// edit is waiting on (it answers with the refusal itself).
async fn announce_refusals<R: Runtime>(app: &AppHandle<R>) {
    let Ok(new) = directory(app, |d| d.take_unannounced_refusals()).await else {
        return;
    };
    let awaited = AWAITED.lock().map(|a| a.clone()).unwrap_or_default();
    let new: Vec<_> = new
        .into_iter()
        .filter(|r| !awaited.contains(&r.change_id))
        .collect();
    if !new.is_empty() {
        let _ = app.emit(TEAM_REFUSED, new);
    }
}

/// This computer's device account and a client of the team's gateway with its device
/// credential (kept in the system keyring under the gateway's address), once it is in a team.
async fn device<R: Runtime>(app: &AppHandle<R>) -> Result<(String, GatewayClient), CommandError> {
    let (account, base) =
        directory(app, |d| Ok((d.team_device_account()?, chosen_remote(d)?))).await?;
    let (Some(account), Some(base)) = (account, base) else {
        return Err(CommandError::new(
            ErrorCode::Conflict,
            "This computer is in no team: start one, or join your organization's team.",
        ));
    };
    let token = keyring_secret(Secret::DeviceToken, &base)
        .await
        .map_err(|why| {
            CommandError::new(
                ErrorCode::Internal,
                format!(
                    "This computer's team credential could not be read from the system keyring \
                     ({why})."
                ),
            )
        })?;
    Ok((account, GatewayClient::new(Endpoint { base, token })))
}

impl GatewayLink {
    /// A client of the team's gateway with this computer's device credential, for the
    /// window's team commands; refused when this computer is in no team.
    pub async fn team_client<R: Runtime>(
        app: &AppHandle<R>,
    ) -> Result<GatewayClient, CommandError> {
        device(app).await.map(|(_, client)| client)
    }

    /// This computer has just become a device of the team at `endpoint` (started or joined):
    /// the gateway link uses it, and the team loop starts following the log at once.
    pub fn team_entered(&self, endpoint: Endpoint) {
        self.use_endpoint(endpoint, Secret::DeviceToken.link_mode());
        self.team_bell.notify_one();
    }

    /// Wakes the team loop: this computer entered a team, or queued a change for it (a join
    /// request the feed brought).
    pub fn ring_team(&self) {
        self.team_bell.notify_one();
    }
}

/// How long a window's edit waits for its change to come back from the log.
const BACK_WITHIN: Duration = Duration::from_secs(10);

impl GatewayLink {
    /// Rings the team loop and waits up to 10 s for this computer's change `change_id` to
    /// come back from the log: what became of it then ([`ChangeFate::Waiting`] if it is not
    /// back).
    pub async fn back_from_log(
        &self,
        state: &AppState,
        change_id: &str,
    ) -> Result<ChangeFate, CommandError> {
        self.team_bell.notify_one();
        let until = tokio::time::Instant::now() + BACK_WITHIN;
        loop {
            let id = change_id.to_owned();
            match state.read(move |d| d.change_fate(&id)).await {
                Ok(ChangeFate::Waiting) if tokio::time::Instant::now() < until => {
                    tokio::time::sleep(Duration::from_millis(200)).await;
                }
                fate => return fate,
            }
        }
    }

    /// An edit of the signed-in admin ([`orgdesk_core::Directory::edit`]): made directly, or on
    /// a computer in a team tried, queued as `command` and sent at once by the team loop. It
    /// answers once the change is back from the log (what the try answered, with `then`
    /// reading from the directory what the try cannot know, a new id), refused with the reason
    /// the log's order gave, or, when it is not back within 10 s, that it is kept on this
    /// computer and sent when the gateway answers. Once made, the sender is woken, so what the
    /// edit queued for the gateway goes out at once.
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
            return Err(removed_from_team());
        }
        let (tried, change_id) = match state.act(move |d, a| d.edit(a, command, run)).await? {
            Edit::Done(done) => {
                self.ring();
                return Ok(done);
            }
            Edit::Queued { tried, change_id } => (tried, change_id),
        };
        if let Ok(mut awaited) = AWAITED.lock() {
            awaited.insert(change_id.clone());
        }
        let fate = self.back_from_log(state, &change_id).await;
        // A refusal stays marked as answered here, so the team loop does not announce it.
        if !matches!(fate, Ok(ChangeFate::Refused(_))) {
            if let Ok(mut awaited) = AWAITED.lock() {
                awaited.remove(&change_id);
            }
        }
        match fate? {
            ChangeFate::Applied => {
                // What it queued for the gateway (an invitation, a join decision) goes out now.
                self.ring();
                state.with_directory(move |d| then(d, tried)).await
            }
            ChangeFate::Refused(r) => Err(r.refusal().into()),
            ChangeFate::Waiting => Err(kept()),
        }
    }
}

/// The answer of an edit kept on this computer while the gateway does not answer: the
/// window shows it as a notice (its detail `kept`), not as an error, since nothing is lost.
fn kept() -> CommandError {
    let mut kept = CommandError::new(
        ErrorCode::Conflict,
        "Kept on this computer: the team's gateway has not answered yet, and the change is \
         sent and shown as soon as it does.",
    );
    kept.details = vec![ErrorDetail {
        field: None,
        code: "kept".into(),
        reason: "Saved on this computer; it will be sent when the gateway answers.".into(),
    }];
    kept
}

#[cfg(test)]
mod tests {
    use serde_json::{json, Value};
    use tauri::Manager;

    use crate::state::AppState;
    use crate::test_ipc::{call, signed_in};

    /// The answer to an edit queued while the team's gateway does not answer: kept.
    fn assert_kept(answer: &Value) {
        assert_eq!(answer["code"], "conflict", "{answer}");
        assert_eq!(
            answer["details"][0]["code"], "kept",
            "the window shows it as a notice"
        );
        let message = answer["message"].as_str().unwrap_or_default();
        assert!(message.starts_with("Kept on this computer"), "{answer}");
    }

    /// How many changes wait on this computer, and whether `shown` holds of its directory.
    fn waiting_and(
        state: &AppState,
        shown: impl FnOnce(&orgdesk_core::Directory) -> bool + Send + 'static,
    ) -> (usize, bool) {
        tauri::async_runtime::block_on(
            state.with_directory(move |d| Ok((d.pending_commands()?.len(), shown(d)))),
        )
        .unwrap()
    }

    /// The window's edits on a computer in a team whose gateway does not answer (no team loop
    /// runs here): a change is tried, queued and said to be kept, and shows only once it comes
    /// back (setting a password, an import and an invitation too); outside a team an edit is
    /// made at once.
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
        // Bea, who has an account, is added directly too.
        let bea = json!({"input": {"name": "Bea", "username": "bea", "password": "Sunny-Day-44",
            "email": null, "mobile": null, "positions": [{"departmentId": root, "title": null}],
            "roleIds": []}});
        let bea = call(&w, "add_member", bea).unwrap();
        let una = json!({"input": {"name": "Una", "email": "una@example.com",
            "departmentId": root, "roleIds": [], "linkOnly": false}});
        let una = call(&w, "add_invitee", una).unwrap();
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
        );
        assert_kept(&kept.unwrap_err());
        let ops = waiting_and(&state, |d| d.resolve_department_path("Ops").is_ok());
        assert_eq!(ops, (1, false));

        // Renaming the organization, creating a role and adding someone to be invited go to
        // the log as well, and show only once back.
        let invitee = json!({"input": {"name": "Ivy", "email": "ivy@example.com",
            "departmentId": root, "roleIds": [], "linkOnly": false}});
        let role = json!({"input": {"name": "Auditor", "description": ""}});
        let rename = json!({"name": "Acme Group"});
        let kept: Vec<Value> = std::thread::scope(|s| {
            let edits = [
                ("add_invitee", invitee),
                ("create_role", role),
                ("rename_organization", rename),
            ];
            let calls: Vec<_> = edits
                .into_iter()
                .map(|(cmd, body)| s.spawn(|| call(&w, cmd, body).unwrap_err()))
                .collect();
            calls.into_iter().map(|c| c.join().unwrap()).collect()
        });
        kept.iter().for_each(assert_kept);
        let (pending, ivy, auditor, name) =
            tauri::async_runtime::block_on(state.with_directory(|d| {
                Ok((
                    d.pending_commands()?.len(),
                    d.find_member("ivy@example.com").is_ok(),
                    d.role_by_name("Auditor").is_ok(),
                    d.organization_name()?,
                ))
            }))
            .unwrap();
        assert_eq!(
            (pending, ivy, auditor, name.as_str()),
            (4, false, false, "Acme")
        );

        // Setting Bea's password goes to the log too: checked here, her old password holds
        // until it is back, and a password the policy refuses is refused at once.
        let weak = json!({"id": bea, "input": {"password": "short", "mustChange": false}});
        let weak = call(&w, "set_member_password", weak).unwrap_err();
        assert_eq!(weak["code"], "validation", "{weak}");
        let password =
            json!({"id": bea, "input": {"password": "Another-Pass1", "mustChange": false}});
        assert_kept(&call(&w, "set_member_password", password).unwrap_err());
        let (pending, body, hash) = tauri::async_runtime::block_on(state.with_directory(|d| {
            let p = d.pending_commands()?;
            let hash: String = d.connection().query_row(
                "SELECT password_hash FROM members WHERE username = 'bea'",
                [],
                |r| r.get(0),
            )?;
            Ok((p.len(), Value::Object(p[4].body.clone()).to_string(), hash))
        }))
        .unwrap();
        assert_eq!(pending, 5);
        assert!(body.contains("member.set_password"), "{body}");
        assert!(!body.contains("Another-Pass1"), "{body}");
        assert!(orgdesk_core::password::verify("Sunny-Day-44", &hash));

        // An import goes to the log as the changes of its parts, and says so; its invitations
        // are changes of the log too, made once its members are back: not back here, the
        // admin is told to invite them from Invitations once they are shown.
        let folder = tempfile::tempdir().unwrap();
        let sheet = folder.path().join("people.csv");
        std::fs::write(&sheet, "Name,Email,Department\nJo Park,jo@example.com,/\n").unwrap();
        let mut asked = json!({"path": sheet, "job": 1, "onProgress": "__CHANNEL__:7",
            "options": {"createMissingDepartments": false, "mapping": null}});
        let queued = call(&w, "run_import", asked.clone()).unwrap();
        assert_eq!(queued["committed"], false, "{queued}");
        assert_eq!(queued["teamChanges"], 1, "{queued}");
        assert_eq!(queued["counts"]["create"], 1, "{queued}");
        asked["job"] = json!(2);
        asked["sendInvitations"] = json!(true);
        let refused = call(&w, "run_import", asked).unwrap_err();
        let said = refused["message"].as_str().unwrap();
        assert!(
            said.contains("its members are not back from the team's gateway yet"),
            "{refused}"
        );
        let jo = waiting_and(&state, |d| d.find_member("jo@example.com").is_ok());
        assert_eq!(jo, (7, false));

        // A join decision is a change of the log, tried here first: one naming no request
        // is refused at once.
        let refused = call(
            &w,
            "decide_join_requests",
            json!({"ids": [1], "approve": false, "placement": null}),
        )
        .unwrap_err();
        assert!(
            refused["message"]
                .as_str()
                .unwrap()
                .contains("Join request 1 no longer exists."),
            "{refused}"
        );

        // Inviting goes to the log as well: kept here, and nothing is queued for the gateway
        // before the change is back.
        let invite = json!({"memberIds": [una], "channel": "email", "language": null});
        assert_kept(&call(&w, "invite_members", invite).unwrap_err());
        let (kind, work) = tauri::async_runtime::block_on(state.with_directory(|d| {
            let last = d.pending_commands()?.pop().map(|p| p.body["kind"].clone());
            Ok((last, d.due_gateway_work(10)?.len()))
        }))
        .unwrap();
        assert_eq!((kind, work), (Some(json!("invitation.send")), 0));
    }

    /// The open window on a computer in a team, against a real gateway: its own edit goes out
    /// through the team loop and answers once back, and a change another computer appended
    /// shows in the directory, with the event the window listens to.
    #[test]
    fn the_open_window_sends_its_edits_and_follows_the_log() {
        use orgdesk_core::team::Command;
        use tauri::async_runtime::block_on;
        use tauri::Listener;

        use crate::gateway_link::tests::until_department;
        use crate::gateway_link::DIRECTORY_CHANGED;

        let gw = crate::test_ipc::TestGateway::start();
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
        let root_id = block_on(state.with_directory(|d| d.resolve_department_path(""))).unwrap();

        // A change of this computer's that the log's order refused, with no edit waiting on
        // it (queued here while the loop waits on the log; another computer's same department
        // placed first): the window is told of it once.
        let (refusals, told) = std::sync::mpsc::channel();
        app.listen_any(super::TEAM_REFUSED, move |e| {
            let _ = refusals.send(e.payload().to_owned());
        });
        std::thread::sleep(std::time::Duration::from_secs(1));
        let twin = move || Command::CreateDepartment {
            parent_id: root_id,
            name: "Twin".into(),
        };
        let queued = block_on(state.act(move |d, a| {
            d.edit(
                a,
                |_| Ok(twin()),
                |d, a| d.create_department(a, root_id, "Twin"),
            )
        }))
        .unwrap();
        let orgdesk_core::team::Edit::Queued { change_id, .. } = queued else {
            panic!("an edit on a computer in a team is queued");
        };
        let first = "fedcba9876543210fedcba9876543210";
        gw.create_elsewhere(&state, &other, "Twin", first);
        let said = told
            .recv_timeout(std::time::Duration::from_secs(60))
            .expect("the window is told of the refusal");
        let said: serde_json::Value = serde_json::from_str(&said).unwrap();
        assert_eq!(said.as_array().map(Vec::len), Some(1), "{said}");
        assert_eq!(said[0]["changeId"], json!(change_id), "{said}");
        assert!(said[0]["what"].as_str().unwrap().contains("Twin"), "{said}");
        assert!(
            told.recv_timeout(std::time::Duration::from_secs(3))
                .is_err(),
            "told once"
        );
        gw.shutdown();
    }
}
