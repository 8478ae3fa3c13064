//! Team mode in the window: this computer's place in the team, starting one, enrolling an
//! admin's other computer, the devices, and joining a team from a new computer. The flows are
//! the command line's (`team_setup.rs`); the permissions are checked here.

use orgdesk_core::auth::AdminRank;
use orgdesk_core::team::{JoinTeamInput, TeamDevice, TeamEnrollment, TeamStatus};
use orgdesk_core::types::MemberId;
use orgdesk_core::{CommandError, CoreError, ErrorCode};
use orgdesk_link::Endpoint;
use tauri::{AppHandle, Runtime};

use super::{require_rank, Answer, Dir};
use crate::gateway_link::{chosen_remote, keyring_token, GatewayLink};
use crate::team_setup;

/// This computer in team mode: in a team or not, its device and admin, the gateway, what
/// waits to be sent and this computer's changes the log refused.
#[tauri::command]
pub async fn team_status(state: Dir<'_>) -> Answer<TeamStatus> {
    state
        .read(|d| {
            let gateway = chosen_remote(d)?;
            d.team_status(gateway)
        })
        .await
}

/// What this computer is called in the team's device list unless the admin says otherwise.
#[tauri::command]
pub fn team_computer_name() -> String {
    team_setup::host_name()
}

/// Makes this computer, holding the organization's API token, the first device of the
/// signed-in Super Admin's gateway account and uploads the directory's snapshot.
#[tauri::command]
pub async fn team_start(state: Dir<'_>, device_name: Option<String>) -> Answer<TeamStatus> {
    let session = require_rank(
        &state,
        AdminRank::SuperAdmin,
        "Only a Super Admin can start a team.",
    )?;
    let (base, in_team) = state
        .read(|d| Ok((chosen_remote(d)?, d.team_device_account()?.is_some())))
        .await?;
    if in_team {
        return Err(CommandError::new(
            ErrorCode::Conflict,
            "This computer is in a team already.",
        ));
    }
    let Some(base) = base else {
        return Err(CommandError::new(
            ErrorCode::Conflict,
            "Team mode needs your organization's gateway: connect it in Settings first.",
        ));
    };
    let token = keyring_token(&base).await.map_err(|why| {
        CommandError::new(
            ErrorCode::Conflict,
            format!(
                "The organization's API token could not be read from the system keyring \
                 ({why}): connect the gateway again in Settings."
            ),
        )
    })?;
    let name = device_name.filter(|n| !n.trim().is_empty());
    team_setup::start(&state, Endpoint { base, token }, session.member_id, name).await?;
    state.link().ring_team();
    team_status(state).await
}

/// A one-time code with which the admin `member_id` enrolls another computer.
#[tauri::command]
pub async fn team_enroll<R: Runtime>(
    app: AppHandle<R>,
    state: Dir<'_>,
    member_id: MemberId,
) -> Answer<TeamEnrollment> {
    require_rank(
        &state,
        AdminRank::Admin,
        "Only an admin can enroll a computer.",
    )?;
    let client = GatewayLink::team_client(&app).await?;
    team_setup::enroll(&state, &client, member_id).await
}

/// The team's devices, revoked ones included, this computer's marked.
#[tauri::command]
pub async fn team_devices<R: Runtime>(
    app: AppHandle<R>,
    state: Dir<'_>,
) -> Answer<Vec<TeamDevice>> {
    let this = state.read(|d| d.team_device_id()).await?;
    let client = GatewayLink::team_client(&app).await?;
    team_setup::devices(&client, this.as_deref()).await
}

/// Revokes another computer of the team. This computer's own device is refused here: revoked,
/// it could send nothing more, its waiting changes included; another admin's computer
/// revokes it.
#[tauri::command]
pub async fn team_revoke<R: Runtime>(
    app: AppHandle<R>,
    state: Dir<'_>,
    device_id: String,
) -> Answer<()> {
    require_rank(
        &state,
        AdminRank::Admin,
        "Only an admin can revoke a computer.",
    )?;
    let this = state.read(|d| d.team_device_id()).await?;
    if this.as_deref() == Some(device_id.as_str()) {
        return Err(CommandError::new(
            ErrorCode::Conflict,
            "This is this computer: revoke it from another computer of the team.",
        ));
    }
    let client = GatewayLink::team_client(&app).await?;
    team_setup::revoke(&client, &device_id).await
}

/// Joins the organization's team from this computer, before any organization is set up here:
/// the credential is kept in the system keyring and the directory made from the team's
/// snapshot at the app's usual path. Then the window shows the sign-in screen.
#[tauri::command]
pub async fn team_join(state: Dir<'_>, input: JoinTeamInput) -> Answer<()> {
    if state.with_directory(|d| d.is_initialized()).await? {
        return Err(CoreError::AlreadyInitialized.into());
    }
    let mut missing = Vec::new();
    for (field, value) in [
        ("url", &input.url),
        ("code", &input.code),
        ("username", &input.username),
        ("password", &input.password),
    ] {
        if value.trim().is_empty() {
            missing.push(orgdesk_core::ErrorDetail::field(
                field,
                "required",
                "Required.",
            ));
        }
    }
    if !missing.is_empty() {
        return Err(CoreError::invalid(missing).into());
    }
    let joined = team_setup::join(
        &input.url,
        &input.code,
        &input.username,
        input.password,
        Some(input.device_name),
    )
    .await?;
    let endpoint = Endpoint {
        base: joined.base.clone(),
        token: joined.credential.device_token.clone(),
    };
    state
        .create_directory(move |path| team_setup::create_joined(path, &joined).map(|(d, _)| d))
        .await?;
    state.link().team_entered(endpoint);
    Ok(())
}

#[cfg(test)]
mod tests {
    use serde_json::{json, Value};
    use tauri::Manager;

    use crate::state::AppState;
    use crate::test_ipc::{app, call, sign_in_ann, signed_in, TestGateway, ANN_PASSWORD};

    fn code_of(refused: &Value) -> &str {
        refused["details"][0]["code"].as_str().unwrap_or_default()
    }

    /// The window's team commands against a real gateway: the Super Admin's computer starts
    /// the team and enrolls Ann's laptop, which joins from its first-run screen and then holds
    /// the same directory; the devices are listed with this computer marked, this computer's
    /// own device is not revoked from here and the laptop is. Refused on the way: starting with
    /// the built-in gateway or as an Admin, enrolling a member who holds no admin role, a
    /// wrong code, a gateway not reached, and joining where an organization is set up.
    #[test]
    fn a_team_is_started_joined_and_its_devices_revoked_from_the_window() {
        let gateway = TestGateway::start();
        let base = gateway.base.clone();
        let (office, ow) = signed_in();
        let state = office.state::<AppState>();

        let builtin = call(&ow, "team_start", json!({"deviceName": "Office PC"})).unwrap_err();
        assert!(
            builtin["message"]
                .as_str()
                .unwrap()
                .contains("needs your organization's gateway"),
            "{builtin}"
        );
        call(
            &ow,
            "connect_remote_gateway",
            json!({"url": base, "token": gateway.api_token}),
        )
        .unwrap();
        let root = call(&ow, "department_tree", json!({})).unwrap()["id"].clone();
        let bob = json!({"input": {"name": "Bob", "positions": [{"departmentId": root,
            "title": null}], "roleIds": [], "username": "bob", "password": "Correct-Horse2",
            "email": null, "mobile": null}});
        let bob = call(&ow, "add_member", bob).unwrap();
        let roles = call(&ow, "list_roles", json!({})).unwrap();
        let admin_role = roles
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["name"] == "Admin")
            .unwrap()["id"]
            .clone();
        let ada = json!({"input": {"name": "Ada", "positions": [{"departmentId": root,
            "title": null}], "roleIds": [admin_role], "username": "ada",
            "password": "Correct-Horse3", "email": null, "mobile": null}});
        call(&ow, "add_member", ada).unwrap();
        gateway.mirror_accounts(&state);

        let started = call(&ow, "team_start", json!({"deviceName": "Office PC"})).unwrap();
        assert_eq!(started["inTeam"], true, "{started}");
        assert_eq!(started["deviceName"], "Office PC");
        assert_eq!(started["admin"]["username"], "ann");
        assert_eq!(started["gateway"], json!(base));
        assert_eq!(
            (started["waiting"].clone(), started["refused"].clone()),
            (json!(0), json!([]))
        );
        let again = call(&ow, "team_start", json!({"deviceName": null})).unwrap_err();
        assert_eq!(again["code"], "conflict", "{again}");

        let not_admin = call(&ow, "team_enroll", json!({"memberId": bob})).unwrap_err();
        assert_eq!(not_admin["code"], "forbidden", "{not_admin}");
        assert!(not_admin["message"]
            .as_str()
            .unwrap()
            .contains("Bob holds no admin role"));
        let ann = started["admin"]["id"].clone();
        let enrollment = call(&ow, "team_enroll", json!({"memberId": ann})).unwrap();
        let code = enrollment["code"].as_str().unwrap().to_owned();
        assert_eq!(enrollment["gateway"], json!(base));
        assert_eq!(enrollment["member"]["username"], "ann");
        let now_ms = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_millis() as i64;
        assert!(enrollment["expiresAt"].as_i64().unwrap() > now_ms);

        // The laptop, before any organization is set up there, joins through another address
        // of the same gateway (this process's keyring holds both computers' credentials).
        let (laptop, lw) = app();
        let name = call(&lw, "team_computer_name", json!({})).unwrap();
        assert!(!name.as_str().unwrap().is_empty());
        let laptop_url = base.replace("127.0.0.1", "localhost");
        let join = |url: &str, code: &str, password: &str| {
            call(
                &lw,
                "team_join",
                json!({"input": {"url": url, "code": code, "username": "ann",
                    "password": password, "deviceName": "Laptop"}}),
            )
        };
        let wrong = join(
            &laptop_url,
            "ABCD-EFGH-JKLM-NPQR-STUV-WXYZ-2345",
            ANN_PASSWORD,
        );
        assert_eq!(code_of(&wrong.unwrap_err()), "code_refused");
        let wrong = join(&laptop_url, &code, "Wrong-Horse1");
        assert_eq!(code_of(&wrong.unwrap_err()), "code_refused");
        let away = join("http://127.0.0.1:9", &code, ANN_PASSWORD).unwrap_err();
        assert_eq!(code_of(&away), "unreachable", "{away}");
        let blank = join(&laptop_url, " ", ANN_PASSWORD).unwrap_err();
        assert_eq!(blank["details"][0]["field"], "code", "{blank}");
        let status = call(&lw, "app_status", json!({})).unwrap();
        assert_eq!(status["initialized"], false);

        join(&laptop_url, &code, ANN_PASSWORD).unwrap();
        let status = call(&lw, "app_status", json!({})).unwrap();
        assert_eq!(status["initialized"], true, "{status}");
        sign_in_ann(&lw, ANN_PASSWORD).unwrap();
        let joined = call(&lw, "team_status", json!({})).unwrap();
        assert_eq!(joined["inTeam"], true, "{joined}");
        assert_eq!(joined["deviceName"], "Laptop");
        assert_eq!(joined["gateway"], json!(laptop_url));
        // Its gateway is the team's: changing it is refused before anything is kept.
        let other = json!({"url": base, "token": gateway.api_token});
        for (command, args) in [
            ("connect_remote_gateway", other),
            ("use_builtin_gateway", json!({})),
        ] {
            let refused = call(&lw, command, args).unwrap_err();
            assert_eq!(refused["code"], "conflict", "{refused}");
            let message = refused["message"].as_str().unwrap();
            assert!(message.contains("take it out of the team"), "{refused}");
        }
        let status = call(&lw, "gateway_status", json!({})).unwrap();
        assert_eq!(
            (&status["mode"], &status["url"]),
            (&json!("team"), &json!(laptop_url)),
            "{status}"
        );
        let checksum = |app: &tauri::App<tauri::test::MockRuntime>| {
            let state = app.state::<AppState>();
            tauri::async_runtime::block_on(state.with_directory(|d| d.directory_checksum()))
                .unwrap()
                .digest
        };
        assert_eq!(checksum(&laptop), checksum(&office));
        let over = join(&laptop_url, &code, ANN_PASSWORD).unwrap_err();
        assert_eq!(over["code"], "already_initialized", "{over}");

        // The devices, this computer marked; its own device is not revoked from here.
        let devices = call(&ow, "team_devices", json!({})).unwrap();
        let named = |devices: &Value, name: &str| {
            devices
                .as_array()
                .unwrap()
                .iter()
                .find(|d| d["deviceName"] == name)
                .unwrap_or_else(|| panic!("{name} in {devices}"))
                .clone()
        };
        let (office_pc, laptop_pc) = (named(&devices, "Office PC"), named(&devices, "Laptop"));
        assert_eq!(devices.as_array().unwrap().len(), 2);
        assert_eq!(office_pc["thisComputer"], true);
        assert_eq!(laptop_pc["thisComputer"], false);
        assert_eq!(laptop_pc["username"], "ann");
        let own = call(
            &ow,
            "team_revoke",
            json!({"deviceId": office_pc["deviceId"]}),
        );
        assert_eq!(own.unwrap_err()["code"], "conflict");
        call(
            &ow,
            "team_revoke",
            json!({"deviceId": laptop_pc["deviceId"]}),
        )
        .unwrap();
        let devices = call(&ow, "team_devices", json!({})).unwrap();
        assert!(named(&devices, "Laptop")["revokedAt"].is_i64(), "{devices}");
        assert!(
            named(&devices, "Office PC")["revokedAt"].is_null(),
            "{devices}"
        );
        let revoked = call(&lw, "team_devices", json!({})).unwrap_err();
        assert!(!revoked["message"].as_str().unwrap().is_empty());

        // An Admin who is not a Super Admin starts no team.
        call(&ow, "sign_out", json!({})).unwrap();
        call(
            &ow,
            "sign_in",
            json!({"input": {"username": "ada", "password": "Correct-Horse3"}}),
        )
        .unwrap();
        let refused = call(&ow, "team_start", json!({"deviceName": null})).unwrap_err();
        assert_eq!(refused["code"], "forbidden", "{refused}");
        gateway.shutdown();
    }
}
