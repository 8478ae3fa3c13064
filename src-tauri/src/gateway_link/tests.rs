//! Checking a remote gateway's address and token before it is used, and a joined computer's
//! window linking with its own credential, against a real gateway; and what the window's team
//! tests ask of their gateway (`TestGateway`) besides starting it.

use std::time::{Duration, Instant};

use orgdesk_core::team::{Command, TeamCommand};
use orgdesk_link::{Endpoint, GatewayClient};
use orgdesk_protocol::{AppendChanges, NewChange};
use serde_json::{json, Value};
use tauri::async_runtime::block_on;

use super::remote::check_remote;
use super::{keyring_store_secret, Secret, MODE_KEY, REMOTE_URL_KEY};
use crate::state::AppState;
use crate::test_ipc::{call, signed_in, TestGateway, Window, ANN_PASSWORD};

/// What the window's team tests ask of their gateway besides starting it.
impl TestGateway {
    /// A client of this gateway with `token`.
    pub fn client(&self, token: &str) -> GatewayClient {
        GatewayClient::new(Endpoint {
            base: self.base.clone(),
            token: token.to_owned(),
        })
    }

    /// The window's directory mirrored with the organization's token, which binds Ann to her
    /// gateway account: its id.
    pub fn bind_ann(&self, state: &AppState) -> String {
        self.mirror_accounts(state);
        block_on(state.with_directory(|d| {
            let ann = d.initial_admin_id()?;
            d.gateway_account_of(ann)
        }))
        .unwrap()
        .unwrap()
    }

    /// The computer holding the organization's token registered as the device "Office PC" of
    /// `account`: its credential.
    pub fn register_office(&self, account: &str) -> orgdesk_protocol::DeviceCredential {
        let register = orgdesk_protocol::RegisterDevice {
            account_id: account.to_owned(),
            device_name: "Office PC".into(),
        };
        let admin = self.client(&self.api_token);
        self.runtime
            .block_on(admin.register_device(&register))
            .unwrap()
    }

    /// Makes the window's computer a device of `account` in the team: `device_token` kept in
    /// the keyring under this gateway's address (and no API token), the gateway chosen.
    pub fn enroll_window(&self, state: &AppState, account: String, device_token: &str) {
        block_on(keyring_store_secret(
            Secret::DeviceToken,
            &self.base,
            device_token,
        ))
        .unwrap();
        let url = self.base.clone();
        block_on(state.with_directory(move |d| {
            d.set_local_value(MODE_KEY, "remote")?;
            d.set_local_value(REMOTE_URL_KEY, &url)?;
            d.set_team_device_account(&account)
        }))
        .unwrap();
    }

    /// Another computer of the team (`device`) creates the department `name` under the root,
    /// as the change `change_id`.
    pub fn create_elsewhere(
        &self,
        state: &AppState,
        device: &GatewayClient,
        name: &str,
        change_id: &str,
    ) {
        let root = block_on(state.with_directory(|d| d.resolve_department_path(""))).unwrap();
        let at = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_millis();
        let command = TeamCommand {
            at: i64::try_from(at).unwrap(),
            command: Command::CreateDepartment {
                parent_id: root,
                name: name.into(),
            },
        };
        let change = NewChange {
            change_id: change_id.into(),
            body: command.to_body().unwrap(),
        };
        let changes = AppendChanges {
            changes: vec![change],
        };
        self.runtime
            .block_on(device.append_changes(&changes))
            .unwrap();
    }
}

/// Waits until the window's directory holds the department `path`, for at most 30 s.
pub(super) fn until_department(state: &AppState, path: &'static str) {
    let start = Instant::now();
    while block_on(state.with_directory(move |d| Ok(d.resolve_department_path(path).is_err())))
        .unwrap()
    {
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "{path} never showed"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

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

/// A computer that joined a team holds its own device credential, never the organization's API
/// token: the window's link reaches the team's gateway with it (the status says so, and the
/// calls an admin waits on, the rounds and the team loop all use it); once an admin revokes
/// the computer, the link stops and says it was removed from the team.
#[test]
fn a_joined_computers_window_links_with_its_device_credential_until_it_is_removed() {
    use std::sync::Arc;

    use orgdesk_protocol::JoinTeam;
    use tauri::Manager;

    use super::GatewayLink;

    /// Asks `what` of the window until `done` holds, for at most 15 s.
    fn until(w: &Window, what: &str, done: impl Fn(&Value) -> bool) -> Value {
        let start = Instant::now();
        loop {
            let answer = call(w, what, json!({})).unwrap_or_else(|e| e);
            if done(&answer) {
                return answer;
            }
            assert!(start.elapsed() < Duration::from_secs(15), "{answer}");
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    let gw = TestGateway::start();
    let (app, w) = signed_in();
    let state = app.state::<AppState>();

    // The office, holding the organization's token, registers itself as a device of Ann's
    // account; this computer joins the team with a one-time code and Ann's password.
    let account = gw.bind_ann(&state);
    let office = gw.client(&gw.register_office(&account).device_token);
    let code = gw.runtime.block_on(office.create_enrollment(&account));
    let join = JoinTeam {
        code: code.unwrap().code,
        username: "ann".into(),
        password: ANN_PASSWORD.into(),
        device_name: "Laptop".into(),
    };
    let laptop = gw.runtime.block_on(gw.client("").join_team(&join)).unwrap();
    gw.enroll_window(&state, account, &laptop.device_token);

    // The window starts its link as at every start: connected through the team credential.
    let data_dir = app.state::<Arc<GatewayLink>>().data_dir.clone();
    super::start(app.handle(), data_dir);
    let status = until(&w, "gateway_status", |s| s["connected"] == true);
    assert_eq!(
        (&status["mode"], &status["url"], &status["lastError"]),
        (&json!("team"), &json!(gw.base), &Value::Null)
    );
    // A call the admin waits on goes out with it.
    let view = call(&w, "join_link", json!({})).unwrap();
    assert_eq!(view["enabled"], false, "{view}");
    // The joining rules set here: the link switched on at the gateway from this computer,
    // the rules a change of the log, held once back from it through the team loop.
    let cursor = block_on(state.with_directory(|d| d.team_cursor())).unwrap();
    let rules = json!({"input": {"approvalRequired": false, "requiredFields": ["email"]}});
    let on = call(&w, "set_join_link", rules).unwrap();
    assert_eq!(on["enabled"], true, "{on}");
    let held = block_on(state.with_directory(|d| d.joining_rules())).unwrap();
    assert_eq!(
        (held.approval_required, held.required_fields),
        (false, vec!["email".into()])
    );
    let applied = block_on(state.with_directory(|d| d.team_cursor())).unwrap();
    assert_eq!(applied, cursor + 1, "applied from the log");
    // The team loop reads the log with it: another computer's change shows here.
    gw.create_elsewhere(
        &state,
        &office,
        "Elsewhere",
        "fedcba9876543210fedcba9876543210",
    );
    until_department(&state, "Elsewhere");

    // Revoked: the link stops, and the window says why instead of trying again and again.
    gw.runtime
        .block_on(office.revoke_device(&laptop.device_id))
        .unwrap();
    let removed = |s: &Value| {
        s["lastError"]
            .as_str()
            .is_some_and(|e| e.starts_with("This computer was removed from the team"))
    };
    let status = until(&w, "gateway_status", removed);
    assert_eq!(status["connected"], false, "{status}");
    // The window words it in its language by this code.
    assert_eq!(status["lastErrorCode"], "removed_from_team", "{status}");
    let said = |e: Value| e["message"].as_str().unwrap_or_default().to_owned();
    let refused = call(&w, "join_link", json!({})).unwrap_err();
    assert!(said(refused).starts_with("This computer was removed"));
    let root = call(&w, "department_tree", json!({})).unwrap()["id"].clone();
    let edit = json!({"parentId": root, "name": "Ops"});
    let refused = call(&w, "create_department", edit).unwrap_err();
    assert!(said(refused).starts_with("This computer was removed"));
    let queued = block_on(state.with_directory(|d| d.pending_commands())).unwrap();
    assert!(
        queued.is_empty(),
        "nothing is queued that can never be sent"
    );
    // Later rounds do not bring a raw refusal back in its place.
    std::thread::sleep(Duration::from_secs(2));
    assert!(removed(&call(&w, "gateway_status", json!({})).unwrap()));
    gw.shutdown();
}

#[tokio::test]
async fn the_link_waits_for_the_windows_first_picture_and_no_longer_than_a_while() {
    let dir = tempfile::tempdir().unwrap();
    let link = super::GatewayLink::new(dir.path());
    // Never told: the wait ends after the longest it may take.
    let started = Instant::now();
    link.until_shown(Duration::from_millis(50)).await;
    assert!(started.elapsed() >= Duration::from_millis(50));
    // Told before anyone waits (the window painted before the app's setup came to it): the
    // wait ends at once, however long it might have been.
    link.window_shown();
    tokio::time::timeout(
        Duration::from_secs(10),
        link.until_shown(Duration::from_secs(3_600)),
    )
    .await
    .expect("the window said it was shown");
}
