//! Scenarios for joining through the public link and the organization code, and for the
//! HTTP providers (Twilio, Postmark). Run on every store like the others.

use std::sync::Arc;

use orgdesk_gateway::config::MailConfig;
use orgdesk_gateway::postmark::{BounceWebhookConfig, PostmarkConfig};
use orgdesk_gateway::sms::{SmsConfig, TwilioConfig};
use orgdesk_gateway::store::GatewayStore;
use orgdesk_gateway::{Clock, ManualClock};
use orgdesk_protocol::{
    Channel, EventKind, InvitationCreated, JoinField, JoinLink, JoinLinkRules, JoinRequestDecided,
    JoinRequestStatus, JoinVia, JoinerDetails,
};
use reqwest::{Method, StatusCode};

use super::assert_api_error;
use super::providers::{self, POSTMARK_INACTIVE, TWILIO_FLAKY, TWILIO_INVALID, TWILIO_SLOW};
use super::{created, invitation, Page, TestGateway};

const PASSWORD: &str = "Correct-Horse1";

/// Sends an API request that must succeed with `200 OK`, and reads its JSON answer.
async fn ok_json<T: serde::de::DeserializeOwned>(req: reqwest::RequestBuilder) -> T {
    let r = req.send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    r.json().await.unwrap()
}

/// Join link rules for "Acme Ltd" with no expiry.
pub fn rules(approval_required: bool, fields: &[JoinField]) -> JoinLinkRules {
    JoinLinkRules {
        organization_name: "Acme Ltd".into(),
        approval_required,
        required_fields: fields.to_vec(),
        expires_at: None,
    }
}

impl TestGateway {
    pub async fn put_join_link(&self, rules: &JoinLinkRules) -> JoinLink {
        ok_json(self.api(Method::PUT, "/api/v1/join-link").json(rules)).await
    }

    /// The join link as the desktop reads it (`GET`), when there is one.
    pub async fn join_link(&self) -> JoinLink {
        ok_json(self.api(Method::GET, "/api/v1/join-link")).await
    }

    pub async fn decide(&self, request_id: &str, approved: bool) -> reqwest::Response {
        self.api(
            Method::POST,
            &format!("/api/v1/join-requests/{request_id}/decision"),
        )
        .json(&orgdesk_protocol::JoinDecision { approved })
        .send()
        .await
        .unwrap()
    }

    /// Opens the join form at `url` and submits it with `fields` (and the password twice).
    pub async fn join_via_link(&self, url: &str, fields: &[(&str, &str)]) -> Page {
        let mut all = vec![("password", PASSWORD), ("password_confirm", PASSWORD)];
        all.extend_from_slice(fields);
        self.submit_own_form(url, &all).await
    }

    /// Types `code` on `/join`: the join form when it is right, otherwise the refusal.
    pub async fn enter_code(&self, code: &str) -> (Page, String) {
        let start = self.get(&format!("{}/join", self.base), None).await;
        assert_eq!(start.status, StatusCode::OK, "{}", start.body);
        let cookie = start.cookie().expect("a CSRF cookie");
        let csrf = start.hidden("csrf").expect("a CSRF token");
        let page = self
            .post_form(
                &format!("{}/join", self.base),
                Some(&cookie),
                &[("csrf", &csrf), ("code", code)],
            )
            .await;
        (page, cookie)
    }

    /// The join events in the feed.
    pub async fn join_events(&self) -> Vec<EventKind> {
        let kinds = self.event_kinds().await.into_iter();
        kinds
            .filter(|k| matches!(k, EventKind::JoinRequested { .. }))
            .collect()
    }
}

/// The join form's fields for an applicant who gives an email and an employee ID.
fn applicant<'a>(
    name: &'a str,
    email: &'a str,
    employee_id: &'a str,
    username: &'a str,
) -> [(&'static str, &'a str); 4] {
    [
        ("name", name),
        ("email", email),
        ("employee_id", employee_id),
        ("username", username),
    ]
}

/// Posts the join form `form` (reached by typing the organization code, with the CSRF
/// `cookie` of `/join`) with `fields`.
async fn request_to_join(
    gw: &TestGateway,
    form: &Page,
    cookie: &str,
    fields: &[(&str, &str)],
) -> Page {
    let csrf = form.hidden("csrf").unwrap();
    let mut all = vec![("csrf", csrf.as_str())];
    all.extend_from_slice(fields);
    gw.post_form(&format!("{}/join/request", gw.base), Some(cookie), &all)
        .await
}

/// The href of the status link on a "request sent" page.
fn status_link(page: &Page) -> String {
    let marker = "id=\"status-link\" href=\"";
    let start = page.body.find(marker).expect("a status link") + marker.len();
    let end = page.body[start..].find('"').unwrap();
    page.body[start..start + end].replace("&#x2f;", "/")
}

pub async fn a_join_link_request_waits_for_the_desktops_decision(
    gw: &TestGateway,
    _clock: Arc<ManualClock>,
) {
    // Nothing is configured yet.
    let none = gw.call(Method::GET, "/api/v1/join-link").await;
    assert_api_error(none, StatusCode::NOT_FOUND, "not_found").await;

    let created = gw
        .put_join_link(&rules(true, &[JoinField::Email, JoinField::EmployeeId]))
        .await;
    assert!(created.enabled);
    let link = created.link.clone().unwrap();
    assert!(link.starts_with(&format!("{}/j/", gw.base)), "{link}");
    let code = created.code.clone().unwrap();
    assert_eq!(code.len(), 8);
    assert!(!code.contains(['0', 'O', '1', 'I']), "{code}");
    assert_eq!(created.code_url, format!("{}/join", gw.base));
    assert_eq!(
        created.rules.required_fields,
        [JoinField::Email, JoinField::EmployeeId]
    );

    // The link and code are kept sealed: GET shows the same ones, and so does a PUT that
    // only changes the rules.
    let read = gw.join_link().await;
    assert_eq!(read, created);
    let mut changed = rules(true, &[JoinField::Email, JoinField::EmployeeId]);
    changed.organization_name = "Acme <Group> & Co".into();
    let updated = gw.put_join_link(&changed).await;
    assert_eq!(
        (updated.link.as_ref(), updated.code.as_ref()),
        (Some(&link), Some(&code))
    );

    // The form asks for the name, the required fields and an account; names are escaped.
    let form = gw.get(&link, None).await;
    assert_eq!(form.status, StatusCode::OK);
    form.assert_shows("Join Acme &lt;Group&gt; &amp; Co");
    for input in [
        "name=\"name\"",
        "name=\"email\"",
        "name=\"employee_id\"",
        "name=\"username\"",
    ] {
        assert!(form.body.contains(input), "{input}");
    }
    assert!(!form.body.contains("name=\"mobile\""));
    assert!(!form.body.contains("<script"));

    // Mistakes come back with every reason and the values typed so far.
    let bad = gw
        .join_via_link(
            &link,
            &[
                ("name", ""),
                ("email", "not-an-address"),
                ("username", "li wei"),
            ],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    for reason in [
        "Please enter your name",
        "Please enter a valid email address",
        "Please enter your employee ID",
        "The username must be 3–32 characters",
    ] {
        assert!(bad.body.contains(reason), "{reason}: {}", bad.body);
    }
    assert!(bad.body.contains("value=\"not-an-address\""));

    let mut li_wei = applicant("Li <b>Wei</b>", "li.wei@example.org", "E-1001", "liwei").to_vec();
    li_wei.push(("mobile", "+8613800138000"));
    let sent = gw.join_via_link(&link, &li_wei).await;
    assert_eq!(sent.status, StatusCode::OK, "{}", sent.body);
    assert_eq!(sent.kind(), Some("join_requested"));
    sent.assert_shows("Request sent — waiting for the administrator&#x27;s approval");
    let status_url = status_link(&sent);
    let pending = gw.get(&status_url, None).await;
    assert_eq!(pending.kind(), Some("pending"), "{}", pending.body);

    let events = gw.join_events().await;
    let [EventKind::JoinRequested {
        request_id,
        account_id,
        password_hash,
        ..
    }] = &events[..]
    else {
        panic!("{events:?}")
    };
    assert!(password_hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
    assert!(
        account_id.is_some(),
        "the account the person will get is named"
    );
    // The mobile number was typed but is not required by the link: it is not taken.
    assert_eq!(
        events[0],
        EventKind::JoinRequested {
            request_id: request_id.clone(),
            via: JoinVia::Link,
            details: JoinerDetails {
                name: "Li <b>Wei</b>".into(),
                email: Some("li.wei@example.org".into()),
                mobile: None,
                employee_id: Some("E-1001".into()),
                work_location: None,
            },
            account_id: account_id.clone(),
            username: "liwei".into(),
            password_hash: password_hash.clone(),
            approval_required: true,
        }
    );

    // While the request waits, its username is held: another request and an invitation
    // both get "taken".
    let twice = gw
        .join_via_link(
            &link,
            &applicant("Someone Else", "else@example.org", "E-2", "LiWei"),
        )
        .await;
    assert_eq!(twice.status, StatusCode::UNPROCESSABLE_ENTITY);
    twice.assert_shows("This username is already taken");
    let invited = gw.link_invitation("inv-1", "Li Wei").await;
    let taken = gw.register(&invited.link, "liwei", PASSWORD).await;
    assert_eq!(taken.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(taken.body.contains("This username is already taken"));

    // The desktop approves: the status page says so, and rejecting it now is refused.
    let decided = gw.decide(request_id, true).await;
    assert_eq!(decided.status(), StatusCode::OK);
    let decided: JoinRequestDecided = decided.json().await.unwrap();
    assert_eq!(decided.status, JoinRequestStatus::Approved);
    assert_eq!(gw.get(&status_url, None).await.kind(), Some("approved"));
    let again = gw.decide(request_id, true).await;
    assert_eq!(
        again.status(),
        StatusCode::OK,
        "approving twice is harmless"
    );
    let reject = gw.decide(request_id, false).await;
    assert_api_error(reject, StatusCode::CONFLICT, "join_request_closed").await;
    // The approved account keeps the username.
    let still = gw.register(&invited.link, "liwei", PASSWORD).await;
    assert!(still.body.contains("This username is already taken"));

    // A second request is rejected: its status page says so and its username is free again,
    // so re-approving later works only while nobody took it.
    let second = gw
        .join_via_link(
            &link,
            &applicant("Zhang San", "zhang@example.org", "E-3", "zhangsan"),
        )
        .await;
    assert_eq!(second.kind(), Some("join_requested"));
    let second_status = status_link(&second);
    let second_id = match gw.join_events().await.last() {
        Some(EventKind::JoinRequested { request_id, .. }) => request_id.clone(),
        other => panic!("{other:?}"),
    };
    let rejected: JoinRequestDecided = gw.decide(&second_id, false).await.json().await.unwrap();
    assert_eq!(rejected.status, JoinRequestStatus::Rejected);
    let page = gw.get(&second_status, None).await;
    assert_eq!(page.kind(), Some("rejected"));
    page.assert_shows("declined your request");
    let registered = gw.register(&invited.link, "zhangsan", PASSWORD).await;
    assert_eq!(registered.kind(), Some("registered"), "{}", registered.body);
    let reapprove = gw.decide(&second_id, true).await;
    assert_api_error(reapprove, StatusCode::CONFLICT, "username_taken").await;
    assert_eq!(
        gw.decide("jr_nope", true).await.status(),
        StatusCode::NOT_FOUND
    );
    let unknown_status = gw
        .get(&format!("{}/j/status/{}", gw.base, "A".repeat(43)), None)
        .await;
    assert_eq!(unknown_status.status, StatusCode::NOT_FOUND);

    // Chinese pages.
    let zh = gw
        .client
        .get(format!("{link}?lang=zh-CN"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        zh.contains("加入 Acme &lt;Group&gt; &amp; Co") && zh.contains("提交申请"),
        "{zh}"
    );
}

/// The desktop rejects a request the way it does (refusing the account it would have given,
/// then deciding "rejected") and approves it later: the gateway creates the account with the
/// password the person chose, and the status page says approved, not refused.
/// A join request waiting for the desktop's decision, as its event and its sender saw it.
struct WaitingRequest {
    status_url: String,
    request_id: String,
    /// The account the person gets if they are let in.
    account_id: String,
    password_hash: String,
}

/// Zhao Lei asks to join as `username` through a link that needs approval.
async fn waiting_request(gw: &TestGateway, username: &str) -> WaitingRequest {
    let link = gw.put_join_link(&rules(true, &[])).await.link.unwrap();
    let sent = gw
        .join_via_link(&link, &[("name", "Zhao Lei"), ("username", username)])
        .await;
    assert_eq!(sent.kind(), Some("join_requested"), "{}", sent.body);
    match gw.join_events().await.pop() {
        Some(EventKind::JoinRequested {
            request_id,
            account_id: Some(account_id),
            password_hash,
            ..
        }) => WaitingRequest {
            status_url: status_link(&sent),
            request_id,
            account_id,
            password_hash,
        },
        other => panic!("{other:?}"),
    }
}

/// The desktop approves the request; the gateway answers it approved.
async fn decide_approved(gw: &TestGateway, request_id: &str) {
    let approved = gw.decide(request_id, true).await;
    assert_eq!(approved.status(), StatusCode::OK);
    let approved: JoinRequestDecided = approved.json().await.unwrap();
    assert_eq!(approved.status, JoinRequestStatus::Approved);
}

/// The status page says approved and the password chosen when asking to join signs in.
async fn assert_joined(gw: &TestGateway, status_url: &str, jar: &mut super::members::Jar) {
    let page = gw.get(status_url, None).await;
    assert_eq!(page.kind(), Some("approved"), "{}", page.body);
    assert_eq!(
        gw.sign_in(jar, "zhaolei", PASSWORD).await.kind(),
        Some("me"),
        "the password chosen when asking to join"
    );
}

pub async fn a_rejected_join_request_can_be_approved_later(
    gw: &TestGateway,
    _clock: Arc<ManualClock>,
) {
    let waiting = waiting_request(gw, "zhaolei").await;
    let (status_url, request_id) = (waiting.status_url, waiting.request_id);
    let account_id = waiting.account_id;

    let refused = gw
        .api(
            Method::POST,
            &format!("/api/v1/accounts/{account_id}/refusal"),
        )
        .json(&orgdesk_protocol::RefuseAccount {
            reason: "Your request to join was declined.".into(),
        })
        .send()
        .await
        .unwrap();
    assert!(refused.status().is_success(), "{}", refused.status());
    let rejected: JoinRequestDecided = gw.decide(&request_id, false).await.json().await.unwrap();
    assert_eq!(rejected.status, JoinRequestStatus::Rejected);
    let page = gw.get(&status_url, None).await;
    assert_eq!(page.kind(), Some("refused"), "{}", page.body);
    let mut jar = super::members::Jar::default();
    assert_ne!(
        gw.sign_in(&mut jar, "zhaolei", PASSWORD).await.kind(),
        Some("me"),
        "no account while rejected"
    );

    decide_approved(gw, &request_id).await;
    assert_joined(gw, &status_url, &mut jar).await;
}

/// A computer of a team that applied an approval mirrors the new member before the approving
/// computer's decision has reached the gateway: the account the request named is created with
/// the request's username and password, the request is approved, and the decision that
/// arrives later is accepted as a repeat. An account id that no request named still gets a
/// new account.
pub async fn a_mirror_ahead_of_the_decision_creates_the_requests_account(
    gw: &TestGateway,
    _clock: Arc<ManualClock>,
) {
    let WaitingRequest {
        status_url,
        request_id,
        account_id,
        password_hash,
    } = waiting_request(gw, "ZhaoLei").await;
    let (_, device) = gw.account_with_device("li.wei", "Branch office").await;

    let mut member = super::identity_scenarios::mirrored(
        "ZhaoLei",
        Some(password_hash),
        orgdesk_protocol::AccountState::Enabled,
    );
    member.account_id = Some(account_id.clone());
    member.name = "Zhao Lei".into();
    let mut stranger = super::identity_scenarios::mirrored(
        "wang.fang",
        None,
        orgdesk_protocol::AccountState::Enabled,
    );
    stranger.account_id = Some("acc_nobody_named".into());
    let r = gw
        .mirror_with(&device.device_token, vec![member, stranger])
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let ids = r
        .json::<orgdesk_protocol::MirroredAccounts>()
        .await
        .unwrap()
        .account_ids;
    assert_eq!(ids[0], account_id, "the account the request named");
    assert!(
        !ids[1].is_empty() && ids[1] != "acc_nobody_named",
        "{:?}",
        ids[1]
    );

    assert_joined(gw, &status_url, &mut super::members::Jar::default()).await;

    // The approving computer's decision arrives: a repeat, the same account.
    decide_approved(gw, &request_id).await;
    let again = gw
        .mirror(vec![{
            let mut m = super::identity_scenarios::mirrored(
                "ZhaoLei",
                None,
                orgdesk_protocol::AccountState::Enabled,
            );
            m.account_id = Some(account_id.clone());
            m
        }])
        .await;
    assert_eq!(again, [account_id]);
}

/// A member a team's computer added comes with the account id that computer made: the mirror
/// creates the account under it, and the same upsert from another computer of the team answers
/// the same account, which signs in and gets reset links. An id another organization's
/// account holds, or a join request named for another username, is refused with nothing of
/// that mirror written: an account is never given to someone else.
pub async fn a_mirror_creates_an_account_under_the_id_the_directory_made(
    gw: &TestGateway,
    _clock: Arc<ManualClock>,
) {
    let id = orgdesk_rules::account::new_account_id();
    let hash = orgdesk_rules::password::hash(PASSWORD).unwrap();
    let named = |username: &str, id: &str| {
        let mut m = super::identity_scenarios::mirrored(
            username,
            Some(hash.clone()),
            orgdesk_protocol::AccountState::Enabled,
        );
        m.account_id = Some(id.to_owned());
        m
    };
    assert_eq!(
        gw.mirror(vec![named("eve", &id)]).await,
        std::slice::from_ref(&id)
    );
    let (_, device) = gw.account_with_device("li.wei", "Branch office").await;
    let again = gw
        .mirror_with(&device.device_token, vec![named("eve", &id)])
        .await;
    assert_eq!(again.status(), StatusCode::OK);
    let again: orgdesk_protocol::MirroredAccounts = again.json().await.unwrap();
    assert_eq!(
        again.account_ids,
        std::slice::from_ref(&id),
        "the same account"
    );
    gw.assert_signs_in(&mut super::members::Jar::default(), "eve", PASSWORD)
        .await;
    let reset = gw.reset_for("eve-reset", "eve", Channel::Link, "Eve").await;
    assert!(reset.status().is_success(), "{}", reset.status());

    let other = gw.another_organization("Other").await;
    let theirs = gw
        .mirror_with(&other.api_token, vec![named("fay", &id)])
        .await;
    assert_eq!(theirs.status(), StatusCode::CONFLICT);
    let error: orgdesk_protocol::ApiError = theirs.json().await.unwrap();
    assert_eq!(error.code, "account_taken");
    assert!(
        error.message.contains(&id) && error.message.contains("another organization's"),
        "{}",
        error.message
    );

    let WaitingRequest { account_id, .. } = waiting_request(gw, "ZhaoLei").await;
    let fresh = orgdesk_rules::account::new_account_id();
    let r = gw
        .mirror_with(
            &gw.creds.api_token,
            vec![named("gil", &fresh), named("hal", &account_id)],
        )
        .await;
    assert_api_error(r, StatusCode::CONFLICT, "account_taken").await;
    let mut jar = super::members::Jar::default();
    assert_ne!(
        gw.sign_in(&mut jar, "gil", PASSWORD).await.kind(),
        Some("me")
    );
    assert_ne!(
        gw.sign_in(&mut jar, "hal", PASSWORD).await.kind(),
        Some("me")
    );
}

/// The join form reads a required mobile number by the desktop's own rule: "+" and 8–15
/// digits that no numbering plan holds are refused, and a valid number travels in the E.164
/// form the desktop writes.
pub async fn the_join_page_reads_mobiles_by_the_desktops_rule(
    gw: &TestGateway,
    _clock: Arc<ManualClock>,
) {
    let created = gw.put_join_link(&rules(false, &[JoinField::Mobile])).await;
    let code = created.code.unwrap();
    let (form, cookie) = gw.enter_code(&code).await;
    assert_eq!(form.status, StatusCode::OK, "{}", form.body);
    let csrf = form.hidden("csrf").unwrap();
    let join = |mobile: &'static str| {
        [
            ("csrf", csrf.clone()),
            ("code", code.clone()),
            ("name", "Wang Wu".to_owned()),
            ("mobile", mobile.to_owned()),
            ("username", "wangwu".to_owned()),
            ("password", PASSWORD.to_owned()),
            ("password_confirm", PASSWORD.to_owned()),
        ]
    };
    let url = format!("{}/join/request", gw.base);
    let no_such_number = "+1 555 010 0000";
    assert!(orgdesk_rules::Mobile::parse(no_such_number, "US").is_err());
    let fields = join(no_such_number);
    let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let refused = gw.post_form(&url, Some(&cookie), &fields).await;
    assert_eq!(
        refused.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        refused.body
    );
    refused.assert_shows("Please enter the mobile number in international format");
    assert!(gw.join_events().await.is_empty());

    let typed = "+1 (415) 555-2671";
    let desktop = orgdesk_rules::Mobile::parse(typed, "CN").unwrap();
    let fields = join(typed);
    let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let joined = gw.post_form(&url, Some(&cookie), &fields).await;
    assert_eq!(joined.kind(), Some("joined"), "{}", joined.body);
    match &gw.join_events().await[..] {
        [EventKind::JoinRequested { details, .. }] => {
            assert_eq!(details.mobile.as_deref(), Some(desktop.as_str()))
        }
        other => panic!("{other:?}"),
    }
}

/// The join form keeps the desktop's rules for names and emails (`orgdesk_rules`): a name of
/// 65 characters and an address without a dot in its domain are refused, as the desktop
/// would refuse them; 64 characters and a dotted domain pass.
pub async fn the_join_page_keeps_the_desktops_name_and_email_rules(
    gw: &TestGateway,
    _clock: Arc<ManualClock>,
) {
    let rules = rules(false, &[JoinField::Email]);
    let link = gw.put_join_link(&rules).await.link.unwrap();
    let form = gw.get(&link, None).await;
    assert!(form.body.contains("maxlength=\"64\""), "{}", form.body);
    let too_long = "x".repeat(65);
    for (name, email, reason) in [
        (
            too_long.as_str(),
            "li@example.org",
            "Please enter your name (up to 64 characters).",
        ),
        ("Li Wei", "a@b", "Please enter a valid email address."),
        (
            "Li Wei",
            "\"a b\"@example.org",
            "Please enter a valid email address.",
        ),
    ] {
        let refused = gw
            .join_via_link(
                &link,
                &[("name", name), ("email", email), ("username", "liwei")],
            )
            .await;
        assert_eq!(
            refused.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{name} {email}: {}",
            refused.body
        );
        assert!(refused.body.contains(reason), "{reason}: {}", refused.body);
    }
    assert!(gw.join_events().await.is_empty());

    let longest = "x".repeat(64);
    let joined = gw
        .join_via_link(
            &link,
            &[
                ("name", &longest),
                ("email", "li@example.org"),
                ("username", "liwei"),
            ],
        )
        .await;
    assert_eq!(joined.kind(), Some("joined"), "{}", joined.body);
    match &gw.join_events().await[..] {
        [EventKind::JoinRequested { details, .. }] => {
            assert_eq!(details.name, longest);
            assert_eq!(details.email.as_deref(), Some("li@example.org"));
        }
        other => panic!("{other:?}"),
    }
}

pub async fn the_organization_code_joins_and_locks_out_guessers(
    gw: &TestGateway,
    clock: Arc<ManualClock>,
) {
    let created = gw.put_join_link(&rules(false, &[JoinField::Mobile])).await;
    let code = created.code.unwrap();

    // A right code, typed loosely, leads to the form; joining needs no approval here.
    let loose = format!(" {}-{} ", &code[..4], code[4..].to_lowercase());
    let (form, cookie) = gw.enter_code(&loose).await;
    assert_eq!(form.status, StatusCode::OK, "{}", form.body);
    form.assert_shows("name=\"mobile\"");
    assert_eq!(form.hidden("code").as_deref(), Some(code.as_str()));
    let joined = request_to_join(
        gw,
        &form,
        &cookie,
        &[
            ("code", &code),
            ("name", "Wang Wu"),
            ("mobile", "+86 138 0013 8000"),
            ("username", "wangwu"),
            ("password", PASSWORD),
            ("password_confirm", PASSWORD),
        ],
    )
    .await;
    assert_eq!(joined.status, StatusCode::OK, "{}", joined.body);
    assert_eq!(joined.kind(), Some("joined"));
    assert!(joined.body.contains("You have joined Acme Ltd"));
    assert_eq!(
        gw.get(&status_link(&joined), None).await.kind(),
        Some("approved")
    );
    match &gw.join_events().await[..] {
        [EventKind::JoinRequested {
            via: JoinVia::Code,
            details,
            approval_required: false,
            ..
        }] => assert_eq!(details.mobile.as_deref(), Some("+8613800138000")),
        other => panic!("{other:?}"),
    }

    // Nine wrong codes are only errors; the tenth starts a lockout, during which even the
    // right code is not looked at.
    for _ in 0..9 {
        let (wrong, _) = gw.enter_code("ZZZZ2222").await;
        assert_eq!(wrong.status, StatusCode::NOT_FOUND);
        wrong.assert_shows("This code is not valid");
    }
    let (tenth, _) = gw.enter_code("not a code").await;
    tenth.assert_is(StatusCode::TOO_MANY_REQUESTS, "locked");
    let until = orgdesk_gateway_time(clock.now_secs() + 60);
    assert!(tenth.body.contains(&until), "{until} in {}", tenth.body);
    let (refused, _) = gw.enter_code(&code).await;
    assert_eq!(refused.kind(), Some("locked"));
    // The form post that carries the code is under the same lockout.
    let sneaky = request_to_join(gw, &form, &cookie, &[("code", &code), ("name", "X")]).await;
    assert_eq!(sneaky.kind(), Some("locked"));

    // After the wait the right code works; the next wrong one locks for twice as long.
    clock.advance_secs(61);
    let (ok, _) = gw.enter_code(&code).await;
    assert_eq!(ok.status, StatusCode::OK, "{}", ok.body);
    let (wrong, _) = gw.enter_code("ZZZZ2222").await;
    assert_eq!(wrong.kind(), Some("locked"));
    assert!(wrong
        .body
        .contains(&orgdesk_gateway_time(clock.now_secs() + 120)));
    clock.advance_secs(121);
    let (ok, _) = gw.enter_code(&code).await;
    assert_eq!(ok.status, StatusCode::OK);
}

/// The page's date format (`2026-11-25 21:18 UTC`).
fn orgdesk_gateway_time(unix: i64) -> String {
    let format = time::macros::format_description!("[year]-[month]-[day] [hour]:[minute] UTC");
    time::OffsetDateTime::from_unix_timestamp(unix)
        .unwrap()
        .format(&format)
        .unwrap()
}

pub async fn rotating_or_disabling_the_join_link_stops_the_old_one(
    gw: &TestGateway,
    clock: Arc<ManualClock>,
) {
    let first = gw.put_join_link(&rules(true, &[])).await;
    let (old_link, old_code) = (first.link.unwrap(), first.code.unwrap());
    let rotated = gw.call(Method::POST, "/api/v1/join-link/rotate").await;
    assert_eq!(rotated.status(), StatusCode::OK);
    let rotated: JoinLink = rotated.json().await.unwrap();
    let (new_link, new_code) = (rotated.link.unwrap(), rotated.code.unwrap());
    assert_ne!(new_link, old_link);
    assert_ne!(new_code, old_code);
    let old = gw.get(&old_link, None).await;
    old.assert_is(StatusCode::NOT_FOUND, "unknown");
    assert_eq!(
        gw.enter_code(&old_code).await.0.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(gw.get(&new_link, None).await.status, StatusCode::OK);
    assert_eq!(gw.enter_code(&new_code).await.0.status, StatusCode::OK);

    // A form opened before the switch-off cannot be submitted after it.
    let form = gw.get(&new_link, None).await;
    let disabled = gw.call(Method::DELETE, "/api/v1/join-link").await;
    assert_eq!(disabled.status(), StatusCode::NO_CONTENT);
    let late = gw
        .post_back(
            &form,
            &new_link,
            &[
                ("name", "Late Comer"),
                ("username", "late"),
                ("password", PASSWORD),
                ("password_confirm", PASSWORD),
            ],
        )
        .await;
    assert_eq!(late.kind(), Some("unknown"));
    assert!(gw.join_events().await.is_empty());
    let off = gw.join_link().await;
    assert!(!off.enabled);
    assert_eq!((off.link, off.code), (None, None));
    let rotate_off = gw.call(Method::POST, "/api/v1/join-link/rotate").await;
    assert_eq!(rotate_off.status(), StatusCode::NOT_FOUND);

    // Switching on again issues a new link; an expiry ends it by the clock.
    let mut expiring = rules(true, &[]);
    expiring.expires_at = Some(orgdesk_gateway::Clock::now_secs(clock.as_ref()) + 3600);
    let again = gw.put_join_link(&expiring).await;
    let again_link = again.link.unwrap();
    assert_ne!(again_link, new_link);
    assert_eq!(gw.get(&again_link, None).await.status, StatusCode::OK);
    clock.advance_secs(3601);
    let expired = gw.get(&again_link, None).await;
    expired.assert_is(StatusCode::GONE, "expired");

    // Rules are checked.
    for bad in [
        serde_json::json!({"organization_name": "", "approval_required": true}),
        serde_json::json!({"organization_name": "A", "approval_required": true, "required_fields": ["department"]}),
        serde_json::json!({"organization_name": "A", "approval_required": true, "expires_at": 1}),
    ] {
        let r = gw.call_with(Method::PUT, "/api/v1/join-link", &bad).await;
        assert_eq!(r.status(), StatusCode::BAD_REQUEST, "{bad}");
    }
}

pub async fn an_sms_invitation_needs_an_sms_provider(gw: &TestGateway, _clock: Arc<ManualClock>) {
    let r = gw
        .create("sms-1", &invitation(Channel::Sms, "+8613800138000"))
        .await;
    assert_api_error(r, StatusCode::UNPROCESSABLE_ENTITY, "channel_unavailable").await;
}

/// Scenarios that start their own gateway (with providers configured) on the given store.
#[allow(unused_macros)]
macro_rules! for_each_provider_scenario {
    ($m:ident) => {
        $m!(sms_invitations_go_through_twilio);
        $m!(postmark_sends_the_mail_and_reports_bounces);
        $m!(password_resets_go_through_twilio_and_postmark);
    };
}

const ACCOUNT_SID: &str = "AC0123456789abcdef0123456789abcdef";

/// Texts through the Twilio stand-in at `base_url` (auth token "twilio-auth-token", from
/// +15005550006, delivery reports on), giving up on an answer after `timeout_secs`.
fn twilio_texts(base_url: String, timeout_secs: u64) -> TwilioConfig {
    TwilioConfig {
        account_sid: ACCOUNT_SID.into(),
        auth_token: Some("twilio-auth-token".into()),
        auth_token_file: None,
        auth_token_env: None,
        from: Some("+15005550006".into()),
        messaging_service_sid: None,
        base_url,
        timeout_secs,
        status_callback: true,
    }
}

/// Mail through the Postmark stand-in at `base_url`, with the bounce webhook taking the
/// credentials "postmark" / "hook-secret".
fn postmark_mails(base_url: String) -> MailConfig {
    MailConfig::Postmark(PostmarkConfig {
        from: "Orgdesk <noreply@example.org>".into(),
        server_token: Some("postmark-server-token".into()),
        server_token_file: None,
        server_token_env: None,
        message_stream: "outbound".into(),
        base_url,
        timeout_secs: 5,
        bounce_webhook: Some(BounceWebhookConfig {
            username: "postmark".into(),
            password: Some("hook-secret".into()),
            password_file: None,
            password_env: None,
        }),
    })
}

/// Form fields as owned pairs, the way a Twilio report is signed and sent.
fn owned_pairs(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

impl TestGateway {
    /// Posts the Twilio delivery report `params` to the status callback, signed with `token`
    /// (with an empty signature when `None`); the status of the answer.
    async fn twilio_report(&self, params: &[(String, String)], token: Option<&str>) -> StatusCode {
        let callback = format!("{}/hooks/twilio/status", self.base);
        let signature = token
            .map(|token| orgdesk_gateway::sms::twilio_signature(token, &callback, params))
            .unwrap_or_default();
        let answer = self
            .client
            .post(&callback)
            .header("X-Twilio-Signature", signature)
            .form(params)
            .send()
            .await
            .unwrap();
        answer.status()
    }

    /// Posts the Postmark bounce `body` to its webhook, with the basic-auth `user` and
    /// password when given; the status of the answer.
    async fn postmark_bounce(
        &self,
        user: Option<(&str, &str)>,
        body: &serde_json::Value,
    ) -> StatusCode {
        let mut request = self
            .client
            .post(format!("{}/hooks/postmark/bounce", self.base))
            .json(body);
        if let Some((username, password)) = user {
            request = request.basic_auth(username, Some(password));
        }
        request.send().await.unwrap().status()
    }

    /// Waits for the next failure event (`invitation_failed` or `password_reset_failed`),
    /// which must be about the invitation or reset `id`; its reason.
    async fn failure_of(&self, id: &str) -> String {
        let failed = self
            .wait_for_event(10, |k| {
                matches!(
                    k,
                    EventKind::InvitationFailed { .. } | EventKind::PasswordResetFailed { .. }
                )
            })
            .await;
        match failed {
            EventKind::InvitationFailed {
                invitation_id: about,
                reason,
            }
            | EventKind::PasswordResetFailed {
                reset_id: about,
                reason,
            } if about == id => reason,
            other => panic!("{other:?}"),
        }
    }
}

pub async fn sms_invitations_go_through_twilio(store: Option<Arc<dyn GatewayStore>>) {
    let twilio = providers::twilio(ACCOUNT_SID, "twilio-auth-token").await;
    let clock = Arc::new(ManualClock::starting_now());
    let base_url = twilio.base.clone();
    let gw = TestGateway::start_on(
        clock.clone(),
        move |config, dir| {
            let token_file = dir.join("twilio-token");
            std::fs::write(&token_file, "twilio-auth-token\n").unwrap();
            config.sms = Some(SmsConfig::Twilio(TwilioConfig {
                auth_token: None,
                auth_token_file: Some(token_file),
                ..twilio_texts(base_url, 1)
            }));
        },
        store,
    )
    .await;

    let mut req = invitation(Channel::Sms, "+8613800138000");
    req.locale = Some("zh-CN".into());
    let sent = gw.create("sms-1", &req).await;
    let created: InvitationCreated = created(sent).await;
    let delivered = gw
        .wait_for_event(10, |k| matches!(k, EventKind::InvitationDelivered { .. }))
        .await;
    let sent = twilio.requests();
    assert_eq!(sent.len(), 1, "{sent:?}");
    let request = &sent[0];
    assert_eq!(
        request.path,
        format!("/2010-04-01/Accounts/{ACCOUNT_SID}/Messages.json")
    );
    assert_eq!(
        request.headers["content-type"],
        "application/x-www-form-urlencoded"
    );
    let form = request.form();
    assert_eq!(form["To"], "+8613800138000");
    assert_eq!(form["From"], "+15005550006");
    let callback = format!("{}/hooks/twilio/status", gw.base);
    assert_eq!(form["StatusCallback"], callback);
    let body = &form["Body"];
    assert!(
        body.starts_with("Ann Admin 邀请您通过 Orgdesk 加入 Acme Ltd："),
        "{body}"
    );
    assert!(body.contains(&created.link), "{body}");
    assert!(
        body.contains(&orgdesk_gateway_time(created.expires_at)),
        "{body}"
    );
    assert_eq!(
        delivered,
        EventKind::InvitationDelivered {
            invitation_id: created.invitation_id.clone(),
            message_id: request.answered_id.clone().unwrap(),
            kept: false,
        }
    );

    // Twilio's delivery reports: only signed ones count; an undelivered message is reported
    // once, progress reports add nothing.
    let sid = request.answered_id.clone().unwrap();
    let report = |status: &str| {
        owned_pairs(&[
            ("AccountSid", ACCOUNT_SID),
            ("ApiVersion", "2010-04-01"),
            ("ErrorCode", "30003"),
            ("From", "+15005550006"),
            ("MessageSid", sid.as_str()),
            ("MessageStatus", status),
            ("SmsSid", sid.as_str()),
            ("SmsStatus", status),
            ("To", "+8613800138000"),
        ])
    };
    let before = gw.events(0, 0).await.events.len();
    let forged = report("undelivered");
    let status = gw.twilio_report(&forged, Some("not-the-token")).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let unsigned = gw.twilio_report(&forged, None).await;
    assert_eq!(unsigned, StatusCode::FORBIDDEN);
    let ok = gw
        .twilio_report(&report("delivered"), Some("twilio-auth-token"))
        .await;
    assert_eq!(ok, StatusCode::NO_CONTENT);
    assert_eq!(gw.events(0, 0).await.events.len(), before);
    let undelivered = report("undelivered");
    for _ in 0..2 {
        let status = gw
            .twilio_report(&undelivered, Some("twilio-auth-token"))
            .await;
        assert_eq!(status, StatusCode::NO_CONTENT);
    }
    let events = gw.events(0, 0).await.events;
    assert_eq!(events.len(), before + 1);
    assert_eq!(
        events.last().unwrap().kind,
        EventKind::InvitationBounced {
            invitation_id: created.invitation_id.clone(),
            reason: "Twilio: undelivered (error 30003)".into(),
        }
    );

    // Twilio refuses a number for good: one attempt, then invitation_failed with its reason.
    let refused = gw
        .created_invitation("sms-2", &invitation(Channel::Sms, TWILIO_INVALID))
        .await;
    let reason = gw.failure_of(&refused.invitation_id).await;
    assert!(
        reason.contains("21211") && reason.contains("not a valid phone number"),
        "{reason}"
    );

    // Twilio is briefly unavailable: the message waits for its retry (by the clock) and goes.
    let flaky = gw
        .created_invitation("sms-3", &invitation(Channel::Sms, TWILIO_FLAKY))
        .await;
    let tries = |n: usize| {
        let twilio = &twilio;
        async move {
            let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
            while twilio
                .requests()
                .iter()
                .filter(|r| r.form()["To"] == TWILIO_FLAKY)
                .count()
                < n
            {
                assert!(std::time::Instant::now() < deadline, "attempt {n} not made");
                tokio::time::sleep(std::time::Duration::from_millis(20)).await;
            }
        }
    };
    tries(1).await;
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let attempts = |twilio: &providers::StandIn| {
        twilio
            .requests()
            .iter()
            .filter(|r| r.form()["To"] == TWILIO_FLAKY)
            .count()
    };
    assert_eq!(attempts(&twilio), 1, "no retry before the backoff");
    clock.advance_secs(31);
    tries(2).await;
    let delivered = gw
        .wait_for_event(10, |k| {
            matches!(k, EventKind::InvitationDelivered { invitation_id, .. } if *invitation_id == flaky.invitation_id)
        })
        .await;
    assert!(
        matches!(delivered, EventKind::InvitationDelivered { message_id, .. } if message_id.starts_with("SM"))
    );

    // Twilio does not answer in time: the same, the message is retried and goes.
    let slow = gw
        .created_invitation("sms-4", &invitation(Channel::Sms, TWILIO_SLOW))
        .await;
    let slow_tries = || {
        twilio
            .requests()
            .iter()
            .filter(|r| r.form()["To"] == TWILIO_SLOW)
            .count()
    };
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while slow_tries() < 1 {
        assert!(std::time::Instant::now() < deadline, "no attempt");
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    // Past the gateway's 1 s timeout, with no retry before the backoff.
    tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
    assert_eq!(slow_tries(), 1);
    clock.advance_secs(31);
    let delivered = gw
        .wait_for_event(10, |k| {
            matches!(k, EventKind::InvitationDelivered { invitation_id, .. } if *invitation_id == slow.invitation_id)
        })
        .await;
    assert_eq!(slow_tries(), 2);
    assert!(
        !matches!(&delivered, EventKind::InvitationDelivered { message_id, .. } if message_id == "SMnever-seen"),
        "{delivered:?}"
    );
    gw.stop().await;
}

pub async fn postmark_sends_the_mail_and_reports_bounces(store: Option<Arc<dyn GatewayStore>>) {
    let postmark = providers::postmark("postmark-server-token").await;
    let clock = Arc::new(ManualClock::starting_now());
    let base_url = postmark.base.clone();
    let gw = TestGateway::start_on(
        clock,
        move |config, _| {
            config.mail = postmark_mails(base_url);
        },
        store,
    )
    .await;

    let mut req = invitation(Channel::Email, "li.wei@example.org");
    req.inviter_name = "Ann & <Admin>".into();
    let created = gw.created_invitation("pm-1", &req).await;
    let delivered = gw
        .wait_for_event(10, |k| matches!(k, EventKind::InvitationDelivered { .. }))
        .await;
    let sent = postmark.requests();
    assert_eq!(sent.len(), 1);
    let request = &sent[0];
    assert_eq!(
        request.headers["x-postmark-server-token"],
        "postmark-server-token"
    );
    assert_eq!(request.headers["accept"], "application/json");
    assert_eq!(request.headers["content-type"], "application/json");
    let json = request.json();
    assert_eq!(json["From"], "Orgdesk <noreply@example.org>");
    assert!(
        json["To"].as_str().unwrap().contains("li.wei@example.org"),
        "{json}"
    );
    assert_eq!(
        json["Subject"],
        "Ann & <Admin> invites you to join Acme Ltd"
    );
    assert_eq!(json["MessageStream"], "outbound");
    let text = json["TextBody"].as_str().unwrap();
    let html = json["HtmlBody"].as_str().unwrap();
    assert!(
        text.contains(&created.link) && text.contains("Ann & <Admin>"),
        "{text}"
    );
    assert!(
        html.contains(&created.link) && html.contains("Ann &amp; &lt;Admin&gt;"),
        "{html}"
    );
    let message_id = request.answered_id.clone().unwrap();
    assert_eq!(
        delivered,
        EventKind::InvitationDelivered {
            invitation_id: created.invitation_id.clone(),
            message_id: message_id.clone(),
            kept: false,
        }
    );

    // An inactive recipient is final.
    let inactive = gw
        .created_invitation("pm-2", &invitation(Channel::Email, POSTMARK_INACTIVE))
        .await;
    let reason = gw.failure_of(&inactive.invitation_id).await;
    assert!(reason.contains("406"), "{reason}");

    // The bounce webhook: only with the configured credentials, once per message.
    let bounce = serde_json::json!({
        "RecordType": "Bounce",
        "ID": 4323372036854775807u64,
        "Type": "HardBounce",
        "TypeCode": 1,
        "Name": "Hard bounce",
        "Tag": "",
        "MessageID": message_id,
        "ServerID": 23,
        "MessageStream": "outbound",
        "Description": "The server was unable to deliver your message (ex: unknown user, mailbox not found).",
        "Details": "smtp;550 5.1.1 The email account that you tried to reach does not exist.",
        "Email": "li.wei@example.org",
        "From": "noreply@example.org",
        "BouncedAt": "2026-11-23T01:00:00Z",
        "DumpAvailable": true,
        "Inactive": true,
        "CanActivate": true,
        "Subject": "Ann invites you",
        "Content": "",
    });
    assert_eq!(
        gw.postmark_bounce(None, &bounce).await,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        gw.postmark_bounce(Some(("postmark", "wrong")), &bounce)
            .await,
        StatusCode::UNAUTHORIZED
    );
    let before = gw.events(0, 0).await.events.len();
    assert_eq!(
        gw.postmark_bounce(Some(("postmark", "hook-secret")), &bounce)
            .await,
        StatusCode::OK
    );
    let bounced = gw
        .wait_for_event(5, |k| matches!(k, EventKind::InvitationBounced { .. }))
        .await;
    assert!(
        matches!(&bounced, EventKind::InvitationBounced { invitation_id, reason }
            if *invitation_id == created.invitation_id && reason.starts_with("HardBounce: The server was unable")),
        "{bounced:?}"
    );
    // Postmark retries webhooks: the same bounce again adds nothing; an unknown message is
    // acknowledged too.
    assert_eq!(
        gw.postmark_bounce(Some(("postmark", "hook-secret")), &bounce)
            .await,
        StatusCode::OK
    );
    let mut unknown = bounce.clone();
    unknown["MessageID"] = "00000000-0000-0000-0000-000000000000".into();
    assert_eq!(
        gw.postmark_bounce(Some(("postmark", "hook-secret")), &unknown)
            .await,
        StatusCode::OK
    );
    assert_eq!(gw.events(0, 0).await.events.len(), before + 1);
    gw.stop().await;
}

/// Someone who joined through the public link is a member like one who registered through an
/// invitation: they sign in on `/me`, which shows the name, mobile and email of their join
/// request, and the desktop's account state and password resets apply to them.
pub async fn a_joined_member_has_the_member_page_and_resets(
    gw: &TestGateway,
    _clock: Arc<ManualClock>,
) {
    use super::members::{reset_request, Jar, NEW_PASSWORD};
    use orgdesk_protocol::AccountState;

    let created = gw
        .put_join_link(&rules(false, &[JoinField::Email, JoinField::Mobile]))
        .await;
    let joined = gw
        .join_via_link(
            &created.link.unwrap(),
            &[
                ("name", "Zhang San"),
                ("email", "zhang.san@example.org"),
                ("mobile", "+8613800138000"),
                ("username", "zhang.san"),
            ],
        )
        .await;
    assert_eq!(joined.kind(), Some("joined"), "{}", joined.body);

    let mut jar = Jar::default();
    let me = gw.sign_in(&mut jar, "zhang.san", PASSWORD).await;
    me.assert_shows("Signed in as zhang.san · Acme Ltd");
    for value in [
        "value=\"Zhang San\"",
        "value=\"zhang.san@example.org\"",
        "value=\"+8613800138000\"",
    ] {
        assert!(me.body.contains(value), "{value}: {}", me.body);
    }

    // A reset link for the joined account changes its password.
    let reset = gw
        .created_reset(
            "zs-1",
            &reset_request("zhang.san", Channel::Link, "Zhang San"),
        )
        .await;
    let done = gw.use_reset(&reset.link, NEW_PASSWORD).await;
    assert_eq!(done.kind(), Some("password_changed"), "{}", done.body);
    let mut jar = Jar::default();
    let me = gw.sign_in(&mut jar, "zhang.san", NEW_PASSWORD).await;
    me.assert_shows("Signed in as zhang.san");

    // The desktop disables the joined account: no more resets.
    assert_eq!(
        gw.set_state("zhang.san", AccountState::Disabled)
            .await
            .status(),
        StatusCode::NO_CONTENT
    );
    let refused = gw
        .reset_for("zs-2", "zhang.san", Channel::Link, "Zhang San")
        .await;
    assert_api_error(refused, StatusCode::CONFLICT, "account_disabled").await;
}

/// Password resets go through the providers too: an `sms` reset is a text through Twilio, an
/// `email` reset a mail through Postmark, each reported as `password_reset_delivered` with the
/// provider's id. Bounces and undelivered reports for reset messages add nothing (they have no
/// event), and Twilio's refusal is `password_reset_failed`.
pub async fn password_resets_go_through_twilio_and_postmark(store: Option<Arc<dyn GatewayStore>>) {
    use super::members::{reset_request, NEW_PASSWORD};
    use orgdesk_protocol::PasswordResetCreated;

    let twilio = providers::twilio(ACCOUNT_SID, "twilio-auth-token").await;
    let postmark = providers::postmark("postmark-server-token").await;
    let (twilio_url, postmark_url) = (twilio.base.clone(), postmark.base.clone());
    let gw = TestGateway::start_on(
        Arc::new(ManualClock::starting_now()),
        move |config, _| {
            config.sms = Some(SmsConfig::Twilio(twilio_texts(twilio_url, 5)));
            config.mail = postmark_mails(postmark_url);
        },
        store,
    )
    .await;
    gw.account("k1", "Li Wei", "li.wei").await;
    let delivered = |reset_id: String| {
        let gw = &gw;
        async move {
            gw.wait_for_event(10, |k| {
                matches!(k, EventKind::PasswordResetDelivered { reset_id: r, .. } if *r == reset_id)
            })
            .await
        }
    };

    // By text message.
    let by_sms = gw
        .reset_for("r-sms", "li.wei", Channel::Sms, "+8613800138000")
        .await;
    let by_sms: PasswordResetCreated = created(by_sms).await;
    let event = delivered(by_sms.reset_id.clone()).await;
    let sent = twilio.requests();
    assert_eq!(sent.len(), 1, "{sent:?}");
    let form = sent[0].form();
    assert_eq!(form["To"], "+8613800138000");
    let body = &form["Body"];
    assert!(
        body.starts_with("Reset your Orgdesk password for li.wei at Acme Ltd: "),
        "{body}"
    );
    assert!(body.contains(&by_sms.link), "{body}");
    let sid = sent[0].answered_id.clone().unwrap();
    assert_eq!(
        event,
        EventKind::PasswordResetDelivered {
            reset_id: by_sms.reset_id.clone(),
            message_id: sid.clone(),
        }
    );
    // Twilio later says the text was undelivered: acknowledged, nothing reported.
    let report = owned_pairs(&[
        ("AccountSid", ACCOUNT_SID),
        ("MessageSid", sid.as_str()),
        ("MessageStatus", "undelivered"),
        ("ErrorCode", "30003"),
    ]);
    let before = gw.events(0, 0).await.events.len();
    let answered = gw.twilio_report(&report, Some("twilio-auth-token")).await;
    assert_eq!(answered, StatusCode::NO_CONTENT);
    assert_eq!(gw.events(0, 0).await.events.len(), before);
    // The texted link works.
    let done = gw.use_reset(&by_sms.link, NEW_PASSWORD).await;
    assert_eq!(done.kind(), Some("password_changed"), "{}", done.body);

    // By mail, through Postmark.
    let by_mail = gw
        .created_reset(
            "r-mail",
            &reset_request("li.wei", Channel::Email, "li.wei@example.org"),
        )
        .await;
    let event = delivered(by_mail.reset_id.clone()).await;
    let sent = postmark.requests();
    assert_eq!(sent.len(), 1);
    let json = sent[0].json();
    assert_eq!(json["Subject"], "Reset your password for Acme Ltd");
    assert!(
        json["To"].as_str().unwrap().contains("li.wei@example.org"),
        "{json}"
    );
    for part in ["TextBody", "HtmlBody"] {
        assert!(
            json[part].as_str().unwrap().contains(&by_mail.link),
            "{part}: {json}"
        );
    }
    let message_id = sent[0].answered_id.clone().unwrap();
    assert_eq!(
        event,
        EventKind::PasswordResetDelivered {
            reset_id: by_mail.reset_id.clone(),
            message_id: message_id.clone(),
        }
    );
    // A bounce of the reset mail is acknowledged and adds nothing.
    let before = gw.events(0, 0).await.events.len();
    let bounce = serde_json::json!({
        "RecordType": "Bounce",
        "Type": "HardBounce",
        "MessageID": message_id,
        "Description": "The server was unable to deliver your message.",
        "Email": "li.wei@example.org",
    });
    let answered = gw
        .postmark_bounce(Some(("postmark", "hook-secret")), &bounce)
        .await;
    assert_eq!(answered, StatusCode::OK);
    assert_eq!(gw.events(0, 0).await.events.len(), before);

    // Twilio refuses a number for good: password_reset_failed with its reason.
    let refused = gw
        .created_reset(
            "r-sms-2",
            &reset_request("li.wei", Channel::Sms, TWILIO_INVALID),
        )
        .await;
    let reason = gw.failure_of(&refused.reset_id).await;
    assert!(reason.contains("21211"), "{reason}");
    gw.stop().await;
}

/// Asks to join through `link` with `fields`; returns the request's id.
async fn ask_to_join(gw: &TestGateway, link: &str, fields: &[(&str, &str)]) -> String {
    let sent = gw.join_via_link(link, fields).await;
    assert_eq!(sent.kind(), Some("join_requested"), "{}", sent.body);
    match gw.join_events().await.pop() {
        Some(EventKind::JoinRequested { request_id, .. }) => request_id,
        other => panic!("{other:?}"),
    }
}

/// The next mail in `inbox` that is not in `seen`: its raw text, text part and HTML part.
async fn next_mail(
    inbox: &std::path::Path,
    seen: &mut Vec<std::path::PathBuf>,
) -> (String, String, String) {
    let files = super::wait_for_files(inbox, seen.len() + 1, 15).await;
    let new: Vec<_> = files.into_iter().filter(|f| !seen.contains(f)).collect();
    assert_eq!(new.len(), 1, "one new mail: {new:?}");
    seen.push(new[0].clone());
    let raw = std::fs::read_to_string(&new[0]).unwrap();
    let (text, html) = super::mail_parts(&raw);
    (raw, text, html)
}

/// A decision on a join request is told by mail, through a real SMTP server, to the person
/// when they gave an email, in the language of the join page they used: an approval says how
/// to sign in (the organization, the username, the member page), a rejection is a short note;
/// approving after a rejection sends a second mail. No email, no mail; repeating a decision
/// sends nothing.
pub async fn join_decisions_are_mailed(store: Option<Arc<dyn GatewayStore>>) {
    use super::smtp::{free_port, smtp_to, SmtpServer};

    let port = free_port();
    let gw =
        TestGateway::start_on(Arc::new(orgdesk_gateway::SystemClock), smtp_to(port), store).await;
    let smtp = SmtpServer::start(port, gw.dir.path());
    let inbox = smtp.inbox();
    let mut seen = Vec::new();
    let mut named = rules(true, &[]);
    named.organization_name = "Acme <Group> & Co".into();
    let link = gw.put_join_link(&named).await.link.unwrap();

    // Asked without an email: approved, and nobody to tell.
    let silent = ask_to_join(&gw, &link, &[("name", "Qian Yi"), ("username", "qianyi")]).await;
    assert_eq!(gw.decide(&silent, true).await.status(), StatusCode::OK);

    named.required_fields = vec![JoinField::Email];
    gw.put_join_link(&named).await;
    let ask = |name, email, username, lang| {
        let fields = [
            ("name", name),
            ("email", email),
            ("username", username),
            ("lang", lang),
        ];
        let (gw, link) = (&gw, &link);
        async move { ask_to_join(gw, link, &fields).await }
    };
    let ann = ask("Ann Lee", "ann@example.org", "ann.lee", "en").await;
    assert_eq!(gw.decide(&ann, true).await.status(), StatusCode::OK);
    let (raw, text, html) = next_mail(&inbox, &mut seen).await;
    assert!(raw.contains("To: \"Ann Lee\" <ann@example.org>"), "{raw}");
    let member_page = format!("{}/me", gw.base);
    for expected in [
        "Welcome to Acme <Group> & Co",
        "Your request to join Acme <Group> & Co was approved",
        "with the username ann.lee",
        &member_page,
    ] {
        assert!(text.contains(expected), "{expected} in {text}");
    }
    assert!(html.contains("Acme &lt;Group&gt; &amp; Co"), "{html}");
    assert!(!html.contains("<Group>"), "names are escaped: {html}");
    assert!(html.contains(&format!("href=\"{member_page}\"")), "{html}");

    // Asked on the Chinese page: rejected, then approved after all.
    let zhao = ask("Zhao Lei", "zhao@example.org", "zhaolei", "zh").await;
    assert_eq!(gw.decide(&zhao, false).await.status(), StatusCode::OK);
    let (raw, text, html) = next_mail(&inbox, &mut seen).await;
    assert!(raw.contains("<zhao@example.org>"), "{raw}");
    assert!(
        text.contains("您加入 Acme <Group> & Co 的申请未获批准"),
        "{text}"
    );
    assert!(
        !text.contains(&member_page),
        "no link in a rejection: {text}"
    );
    assert!(html.contains("lang=\"zh-CN\""), "{html}");
    assert!(!html.contains("href="), "no link in a rejection: {html}");
    // The same decision again changes nothing and sends nothing.
    assert_eq!(gw.decide(&zhao, false).await.status(), StatusCode::OK);

    assert_eq!(gw.decide(&zhao, true).await.status(), StatusCode::OK);
    let (raw, text, _) = next_mail(&inbox, &mut seen).await;
    assert!(raw.contains("<zhao@example.org>"), "{raw}");
    assert!(text.contains("欢迎加入 Acme <Group> & Co"), "{text}");
    assert!(text.contains("用户名 zhaolei"), "{text}");
    assert!(text.contains(&member_page), "{text}");
    assert_eq!(gw.decide(&zhao, true).await.status(), StatusCode::OK);

    // Nothing more arrives: not for the request without an email, not for a repeated
    // decision.
    tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
    assert_eq!(super::wait_for_files(&inbox, 0, 1).await.len(), 3);
    gw.stop().await;
    drop(smtp);
}
