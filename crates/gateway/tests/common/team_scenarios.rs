//! Team mode's devices and their enrollment over HTTP, on every store: registering the
//! computer that holds the API token, one-time codes, joining with a code and a password,
//! the device list and revocation.

use std::sync::Arc;
use std::time::{Duration, Instant};

use orgdesk_gateway::{Clock, ManualClock};
use orgdesk_protocol::{
    AccountState, ApiError, ChangesPage, CreateEnrollment, DeviceCredential, DeviceList,
    EnrollmentCreated, JoinTeam, RegisterDevice,
};
use reqwest::{Method, Response, StatusCode};
use tokio::task::JoinHandle;

use super::assert_api_error;
use super::created;
use super::identity_scenarios::mirrored;
use super::members::PASSWORD;
use super::TestGateway;

/// Every team scenario, for the suites that run them on each store.
#[allow(unused_macros)] // the suites that run no scenarios
macro_rules! for_each_team_scenario {
    ($m:ident) => {
        $m!(a_device_is_registered_listed_and_revoked);
        $m!(an_enrollment_code_joins_one_computer_once);
        $m!(devices_made_within_one_second_are_listed_in_the_order_made);
        $m!(wrong_enrollment_attempts_look_alike_and_lock_out);
        $m!(the_change_log_numbers_changes_densely_once_each);
        $m!(the_change_log_refuses_bad_changes_by_name);
        $m!(a_revoked_device_can_neither_append_nor_read);
        $m!(the_newest_snapshot_is_kept_and_read_by_devices);
        $m!(every_device_reads_the_feed_until_all_have_acknowledged);
    };
}

impl TestGateway {
    /// `method path` with `token` as the bearer (none when empty) and `body` as JSON.
    pub async fn team_call(
        &self,
        method: Method,
        path: &str,
        token: &str,
        body: Option<&serde_json::Value>,
    ) -> Response {
        let mut request = self.client.request(method, format!("{}{path}", self.base));
        if !token.is_empty() {
            request = request.bearer_auth(token);
        }
        if let Some(body) = body {
            request = request.json(body);
        }
        request.send().await.unwrap()
    }

    /// `POST path` with `token` as the bearer (none when empty) and `body` as JSON.
    pub async fn team_post(
        &self,
        path: &str,
        token: &str,
        body: &impl serde::Serialize,
    ) -> Response {
        let body = serde_json::to_value(body).unwrap();
        self.team_call(Method::POST, path, token, Some(&body)).await
    }

    /// Registers the computer holding `api_token` as a device of `account_id`.
    pub async fn register_device_with(
        &self,
        token: &str,
        account_id: &str,
        name: &str,
    ) -> Response {
        let body = RegisterDevice {
            account_id: account_id.into(),
            device_name: name.into(),
        };
        self.team_post("/api/v1/team/devices", token, &body).await
    }

    /// A device of `account_id` registered with the API token (it must succeed).
    pub async fn device_of(&self, account_id: &str, name: &str) -> DeviceCredential {
        let r = self
            .register_device_with(&self.creds.api_token, account_id, name)
            .await;
        created(r).await
    }

    /// An enabled account `username` (with [`PASSWORD`]) and a device of it named `name`.
    pub async fn account_with_device(
        &self,
        username: &str,
        name: &str,
    ) -> (String, DeviceCredential) {
        let account_id = self.mirror_enabled(username, PASSWORD).await;
        let device = self.device_of(&account_id, name).await;
        (account_id, device)
    }

    pub async fn enrollment_with(&self, token: &str, account_id: &str) -> Response {
        let body = CreateEnrollment {
            account_id: account_id.into(),
        };
        self.team_post("/api/v1/team/enrollments", token, &body)
            .await
    }

    /// A code for `account_id` made with the API token (it must succeed).
    pub async fn enrollment(&self, account_id: &str) -> EnrollmentCreated {
        let r = self
            .enrollment_with(&self.creds.api_token, account_id)
            .await;
        created(r).await
    }

    pub async fn join_team(&self, code: &str, username: &str, password: &str) -> Response {
        self.join_team_as(code, username, password, "Laptop").await
    }

    /// Joins with `code` as the computer `device_name`.
    pub async fn join_team_as(
        &self,
        code: &str,
        username: &str,
        password: &str,
        device_name: &str,
    ) -> Response {
        let body = JoinTeam {
            code: code.into(),
            username: username.into(),
            password: password.into(),
            device_name: device_name.into(),
        };
        self.team_post("/api/v1/team/join", "", &body).await
    }

    pub async fn device_list(&self, token: &str) -> DeviceList {
        let r = self
            .team_call(Method::GET, "/api/v1/team/devices", token, None)
            .await;
        assert_eq!(r.status(), StatusCode::OK);
        r.json().await.unwrap()
    }

    pub async fn revoke(&self, token: &str, device_id: &str) -> Response {
        let path = format!("/api/v1/team/devices/{device_id}/revoke");
        self.team_call(Method::POST, &path, token, None).await
    }

    /// `GET /api/v1/changes` as `token`.
    pub async fn read_changes(&self, token: &str, after: i64, query: &str) -> Response {
        let path = format!("/api/v1/changes?after={after}{query}");
        self.team_call(Method::GET, &path, token, None).await
    }

    /// The whole change log, read with the API token.
    pub async fn change_log(&self) -> ChangesPage {
        let r = self
            .read_changes(&self.creds.api_token, 0, "&limit=1000")
            .await;
        assert_eq!(r.status(), StatusCode::OK);
        r.json().await.unwrap()
    }

    /// `POST /api/v1/changes` as `token` with `changes` (`[{change_id, body}]`).
    pub async fn append(&self, token: &str, changes: serde_json::Value) -> Response {
        let body = serde_json::json!({ "changes": changes });
        self.team_post("/api/v1/changes", token, &body).await
    }

    /// `POST /api/v1/changes` as `token` with the one change `change_id`, its body empty.
    pub async fn append_one(&self, token: &str, change_id: &str) -> Response {
        let changes = serde_json::json!([{"change_id": change_id, "body": {}}]);
        self.append(token, changes).await
    }

    /// Asserts that the device with `token` can neither append nor read the change log.
    pub async fn assert_device_refused(&self, token: &str) {
        let r = self.append_one(token, "refused").await;
        assert_api_error(r, StatusCode::UNAUTHORIZED, "unauthorized").await;
        let r = self.read_changes(token, 0, "").await;
        assert_api_error(r, StatusCode::UNAUTHORIZED, "unauthorized").await;
    }

    /// Revokes `device` through `self` with the API token while it long-polls the change log
    /// on `polled` (after `after`): asserts that its wait ends refused, and answers how long
    /// that took.
    pub async fn revoke_while_polling(
        &self,
        polled: &TestGateway,
        device: &DeviceCredential,
        after: i64,
    ) -> Duration {
        let waiting = polled
            .waiting_for_changes(&device.device_token, after)
            .await;
        let r = self.revoke(&self.creds.api_token, &device.device_id).await;
        assert_eq!(r.status(), StatusCode::NO_CONTENT);
        let (r, took) = waiting.await.unwrap();
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
        took
    }

    /// Starts a long-poll of the change log after `after` as `token` (waiting up to 25 s) on
    /// a task of its own, and gives it 300 ms to be waiting: the task answers the response
    /// and how long it took.
    pub async fn waiting_for_changes(
        &self,
        token: &str,
        after: i64,
    ) -> JoinHandle<(Response, Duration)> {
        let client = self.client.clone();
        let url = format!("{}/api/v1/changes?after={after}&wait=25", self.base);
        let token = token.to_owned();
        let waiting = tokio::spawn(async move {
            let started = Instant::now();
            let r = client.get(url).bearer_auth(token).send().await.unwrap();
            (r, started.elapsed())
        });
        tokio::time::sleep(Duration::from_millis(300)).await;
        waiting
    }

    /// The sequence numbers an append (which must succeed) gave.
    pub async fn appended(&self, token: &str, ids: &[&str]) -> Vec<i64> {
        let changes: Vec<_> = ids
            .iter()
            .map(|id| serde_json::json!({"change_id": id, "body": {"op": "rename", "id": id}}))
            .collect();
        let r = self.append(token, changes.into()).await;
        assert_eq!(r.status(), StatusCode::OK);
        let answer: orgdesk_protocol::ChangesAppended = r.json().await.unwrap();
        let answered: Vec<&str> = answer
            .changes
            .iter()
            .map(|c| c.change_id.as_str())
            .collect();
        assert_eq!(answered, ids);
        answer.changes.iter().map(|c| c.seq).collect()
    }
}

pub async fn a_device_is_registered_listed_and_revoked(gw: &TestGateway, clock: Arc<ManualClock>) {
    let li = gw.mirror_enabled("li.wei", PASSWORD).await;
    let api = gw.creds.api_token.clone();
    // Every team route but joining needs a token.
    let routes = [
        (Method::GET, "/api/v1/team/devices"),
        (Method::POST, "/api/v1/team/devices"),
        (Method::POST, "/api/v1/team/devices/dev_1/revoke"),
        (Method::POST, "/api/v1/team/enrollments"),
        (Method::GET, "/api/v1/changes"),
        (Method::POST, "/api/v1/changes"),
    ];
    for (method, path) in routes {
        let r = gw.team_call(method, path, "", None).await;
        assert_api_error(r, StatusCode::UNAUTHORIZED, "unauthorized").await;
    }

    // The API token registers the computer holding it; refusals say why.
    let device = gw.device_of(&li, "  Office PC ").await;
    assert!(device
        .device_token
        .starts_with(&format!("{}.", device.device_id)));
    assert!(device.device_id.starts_with("dev_"));
    assert_eq!(device.account_id, li);
    assert_eq!(device.organization_id, gw.creds.organization_id);
    let unknown = gw.register_device_with(&api, "acc_unknown", "PC").await;
    assert_api_error(unknown, StatusCode::NOT_FOUND, "not_found").await;
    let no_name = gw.register_device_with(&api, &li, " ").await;
    assert_api_error(no_name, StatusCode::BAD_REQUEST, "invalid_request").await;
    let reserved = gw
        .mirror(vec![mirrored("zhang.min", None, AccountState::Enabled)])
        .await
        .remove(0);
    let r = gw.register_device_with(&api, &reserved, "PC").await;
    assert_api_error(r, StatusCode::CONFLICT, "account_reserved").await;
    // Only the API token registers a computer: a device enrolls others with a code.
    let r = gw
        .register_device_with(&device.device_token, &li, "Another")
        .await;
    assert_api_error(r, StatusCode::FORBIDDEN, "api_token_required").await;

    // The device token opens the existing routes as the organization.
    let events = gw
        .team_call(Method::GET, "/api/v1/events", &device.device_token, None)
        .await;
    assert_eq!(events.status(), StatusCode::OK);
    let wrong = format!("{}.{}", device.device_id, "A".repeat(43));
    let r = gw
        .team_call(Method::GET, "/api/v1/events", &wrong, None)
        .await;
    assert_api_error(r, StatusCode::UNAUTHORIZED, "unauthorized").await;

    let list = gw.device_list(&api).await;
    assert_eq!(list.devices.len(), 1);
    let listed = &list.devices[0];
    assert_eq!(listed.device_id, device.device_id);
    assert_eq!(listed.username, "li.wei");
    assert_eq!(listed.device_name, "Office PC");
    assert_eq!(listed.last_seen_at, Some(clock.now_secs()));
    assert_eq!(listed.revoked_at, None);

    // A long-poll of the device ends as soon as the device is revoked.
    let took = gw.revoke_while_polling(gw, &device, 0).await;
    assert!(took < Duration::from_secs(10), "{took:?}");
    // Refused everywhere at once; revoking again is fine; an unknown device is not found.
    for path in [
        "/api/v1/events",
        "/api/v1/team/devices",
        "/api/v1/join-link",
    ] {
        let r = gw
            .team_call(Method::GET, path, &device.device_token, None)
            .await;
        assert_api_error(r, StatusCode::UNAUTHORIZED, "unauthorized").await;
    }
    assert_eq!(
        gw.revoke(&api, &device.device_id).await.status(),
        StatusCode::NO_CONTENT
    );
    let r = gw.revoke(&api, "dev_unknown").await;
    assert_api_error(r, StatusCode::NOT_FOUND, "not_found").await;
    let list = gw.device_list(&api).await;
    assert_eq!(list.devices[0].revoked_at, Some(clock.now_secs()));

    // A device whose account is disabled is refused; enabled again, it is let in again.
    let wang = gw.mirror_enabled("wang.fang", PASSWORD).await;
    let other = gw.device_of(&wang, "Home").await;
    let r = gw.set_state("wang.fang", AccountState::Disabled).await;
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    let r = gw
        .team_call(Method::GET, "/api/v1/events", &other.device_token, None)
        .await;
    assert_api_error(r, StatusCode::UNAUTHORIZED, "unauthorized").await;
    let r = gw.enrollment_with(&api, &wang).await;
    assert_api_error(r, StatusCode::CONFLICT, "account_disabled").await;
    let r = gw.set_state("wang.fang", AccountState::Enabled).await;
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    let r = gw
        .team_call(Method::GET, "/api/v1/events", &other.device_token, None)
        .await;
    assert_eq!(r.status(), StatusCode::OK);
}

pub async fn an_enrollment_code_joins_one_computer_once(gw: &TestGateway, clock: Arc<ManualClock>) {
    let (li, first) = gw.account_with_device("li.wei", "Office PC").await;

    // A device asks for a code too; a newer code voids the older one.
    let r = gw.enrollment_with(&first.device_token, &li).await;
    let older: EnrollmentCreated = created(r).await;
    assert_eq!(older.expires_at, clock.now_secs() + 24 * 60 * 60);
    let groups: Vec<&str> = older.code.split('-').collect();
    assert_eq!(groups.len(), 7, "{}", older.code);
    assert!(groups.iter().all(|g| g.len() == 4));
    let code = gw.enrollment(&li).await;
    assert_ne!(code.code, older.code);
    let r = gw.join_team(&older.code, "li.wei", PASSWORD).await;
    assert_api_error(r, StatusCode::UNAUTHORIZED, "unauthorized").await;

    // Typed in any case, without the dashes, with the username in any case.
    clock.advance_secs(1);
    let typed = code.code.to_lowercase().replace('-', "");
    let r = gw.join_team(&typed, "LI.WEI", PASSWORD).await;
    let joined: DeviceCredential = created(r).await;
    assert_eq!(joined.account_id, li);
    assert_eq!(joined.organization_id, gw.creds.organization_id);
    assert_ne!(joined.device_id, first.device_id);
    // The new computer's credential works; the code does not work twice.
    let list = gw.device_list(&joined.device_token).await;
    let names: Vec<&str> = list
        .devices
        .iter()
        .map(|d| d.device_name.as_str())
        .collect();
    assert_eq!(names, ["Office PC", "Laptop"]);
    let r = gw.join_team(&code.code, "li.wei", PASSWORD).await;
    assert_api_error(r, StatusCode::UNAUTHORIZED, "unauthorized").await;

    // A code expires with the configured lifetime.
    let late = gw.enrollment(&li).await;
    clock.advance_secs(24 * 60 * 60 - 5);
    let on_time = gw.enrollment(&li).await;
    clock.advance_secs(10);
    let r = gw.join_team(&late.code, "li.wei", PASSWORD).await;
    assert_api_error(r, StatusCode::UNAUTHORIZED, "unauthorized").await;
    let r = gw.join_team(&on_time.code, "li.wei", PASSWORD).await;
    assert_eq!(r.status(), StatusCode::CREATED);
    clock.advance_secs(24 * 60 * 60);
    let r = gw.join_team(&on_time.code, "li.wei", PASSWORD).await;
    assert_api_error(r, StatusCode::UNAUTHORIZED, "unauthorized").await;
    assert_eq!(gw.device_list(&gw.creds.api_token).await.devices.len(), 3);
    let r = gw.enrollment_with(&gw.creds.api_token, "acc_unknown").await;
    assert_api_error(r, StatusCode::NOT_FOUND, "not_found").await;

    // Spent codes are pruned (four: voided, used twice, expired); a live one stays usable.
    let live = gw.enrollment(&li).await;
    clock.advance_secs(1);
    let gateway = gw.gateway.as_ref().unwrap();
    assert!(gateway.prune_now().await.unwrap() >= 4);
    assert_eq!(gateway.prune_now().await.unwrap(), 0);
    let r = gw.join_team(&live.code, "li.wei", PASSWORD).await;
    assert_eq!(r.status(), StatusCode::CREATED);
}

/// Devices made within one second (the clock stands still) are listed in the order they were
/// made, whether registered with the API token or joined with a code, and stay so once revoked.
pub async fn devices_made_within_one_second_are_listed_in_the_order_made(
    gw: &TestGateway,
    clock: Arc<ManualClock>,
) {
    let li = gw.mirror_enabled("li.wei", PASSWORD).await;
    let wang = gw.mirror_enabled("wang.fang", PASSWORD).await;
    let mut made = Vec::new();
    for n in 1..=8 {
        let name = format!("Computer {n}");
        let (account, username) = if n % 2 == 0 {
            (&wang, "wang.fang")
        } else {
            (&li, "li.wei")
        };
        let device = if n % 3 == 0 {
            let code = gw.enrollment(account).await.code;
            let r = gw.join_team_as(&code, username, PASSWORD, &name).await;
            created::<DeviceCredential>(r).await
        } else {
            gw.device_of(account, &name).await
        };
        made.push((device.device_id, name));
    }
    let listed = |list: DeviceList| -> Vec<(String, String)> {
        list.devices
            .into_iter()
            .map(|d| (d.device_id, d.device_name))
            .collect()
    };
    let list = gw.device_list(&gw.creds.api_token).await;
    assert!(list
        .devices
        .iter()
        .all(|d| d.created_at == clock.now_secs()));
    assert_eq!(listed(list), made);

    // A later one comes last; revoking keeps every device in its place; every caller sees
    // the same order.
    clock.advance_secs(1);
    let last = gw.device_of(&li, "Computer 9").await;
    made.push((last.device_id.clone(), "Computer 9".into()));
    let r = gw.revoke(&gw.creds.api_token, &made[2].0).await;
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    assert_eq!(listed(gw.device_list(&gw.creds.api_token).await), made);
    assert_eq!(listed(gw.device_list(&last.device_token).await), made);
}

#[allow(unused_imports)] // the suites that run no scenarios
pub use super::change_scenarios::*;
#[allow(unused_imports)] // the suites that run no scenarios
pub use super::snapshot_scenarios::*;

pub async fn wrong_enrollment_attempts_look_alike_and_lock_out(
    gw: &TestGateway,
    clock: Arc<ManualClock>,
) {
    let li = gw.mirror_enabled("li.wei", PASSWORD).await;
    let wang = gw.mirror_enabled("wang.fang", PASSWORD).await;
    let code = gw.enrollment(&li).await.code;
    let other = gw.enrollment(&wang).await.code;

    // A wrong password, an unknown user, a code of another account, a code that does not
    // exist and text that is no code at all: one answer.
    let attempts = [
        (code.as_str(), "li.wei", "Wrong-Horse1"),
        (code.as_str(), "nobody", PASSWORD),
        (other.as_str(), "li.wei", PASSWORD),
        ("2345-6789-ABCD-EFGH-JKLM-NPQR-STUV", "li.wei", PASSWORD),
        ("not a code", "li.wei", PASSWORD),
    ];
    let mut answers = Vec::new();
    for (code, username, password) in attempts {
        let r = gw.join_team(code, username, password).await;
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
        answers.push(r.json::<ApiError>().await.unwrap());
    }
    assert!(answers.iter().all(|a| *a == answers[0]), "{answers:?}");
    assert_eq!(answers[0].code, "unauthorized");

    // Past the organization code's allowance the address waits, the right code included.
    let mut failures = attempts.len();
    loop {
        let r = gw.join_team(&other, "li.wei", PASSWORD).await;
        failures += 1;
        if r.status() == StatusCode::TOO_MANY_REQUESTS {
            break;
        }
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
        assert!(failures < 20, "no lockout after {failures} wrong attempts");
    }
    assert!(failures >= 10, "locked out after {failures}");
    let r = gw.join_team(&code, "li.wei", PASSWORD).await;
    assert_api_error(r, StatusCode::TOO_MANY_REQUESTS, "rate_limited").await;
    clock.advance_secs(61);
    let r = gw.join_team(&code, "li.wei", PASSWORD).await;
    assert_eq!(r.status(), StatusCode::CREATED);
}
