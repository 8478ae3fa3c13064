//! The API and page scenarios, written once and run on every store: each takes a fresh
//! gateway (and the clock it runs on) and stops it at the end.

use std::sync::Arc;
use std::time::{Duration, Instant};

use orgdesk_gateway::ManualClock;
use orgdesk_protocol::{AccountState, ApiError, Channel, EventKind, InvitationCreated};
use reqwest::{Method, StatusCode};

use super::assert_api_error;
use super::created;
use super::members::{hash_of, problems, Jar, PASSWORD};
use super::{files_in, invitation, mail_parts, wait_for_files, TestGateway};

#[allow(unused_imports)] // the suites that run no scenarios
pub use super::guard_scenarios::*;
#[allow(unused_imports)] // the suites that run no scenarios
pub use super::identity_scenarios::*;
#[allow(unused_imports)] // the suites that run no scenarios
pub use super::join_scenarios::*;
#[allow(unused_imports)] // the smtp and browser suites do not run the scenarios
pub use super::member_scenarios::*;
#[allow(unused_imports)] // the suites that run no scenarios
pub use super::team_scenarios::*;

/// Every scenario, for suites that run them all in a row.
#[allow(unused_macros)] // the smtp and browser suites do not run the scenarios
macro_rules! for_each_scenario {
    ($m:ident) => {
        $m!(the_api_requires_the_organizations_token);
        $m!(a_retried_create_answers_the_same_and_sends_once);
        $m!(the_mail_carries_the_invitation_and_its_link);
        $m!(resend_voids_the_old_link_and_cancel_closes_the_new_one);
        $m!(links_expire_by_the_clock);
        $m!(a_link_registers_once_and_the_feed_reports_it);
        $m!(forms_without_a_valid_csrf_token_are_refused);
        $m!(names_are_escaped_in_pages_and_mail);
        $m!(pages_speak_the_readers_language);
        $m!(pages_open_in_the_language_the_desktop_chose);
        $m!(one_recipient_gets_a_bounded_number_of_messages);
        $m!(a_reset_link_works_once_then_is_refused);
        $m!(an_expired_reset_is_refused);
        $m!(a_disabled_account_cannot_sign_in_or_reset);
        $m!(self_service_changes_name_and_emits_the_event);
        $m!(the_member_page_reads_mobiles_by_the_desktops_rule);
        $m!(sign_in_locks_after_five_failures);
        $m!(a_wait_stays_with_the_account_of_its_organization);
        $m!(a_password_set_by_an_admin_must_be_changed_first);
        $m!(stale_rows_are_pruned_in_batches);
        $m!(member_forms_without_a_valid_csrf_token_are_refused);
        $m!(names_are_escaped_on_the_member_page);
        $m!(an_expired_invitation_is_reported_once);
        $m!(the_reset_mail_carries_its_link);
        $m!(a_join_link_request_waits_for_the_desktops_decision);
        $m!(a_rejected_join_request_can_be_approved_later);
        $m!(a_mirror_ahead_of_the_decision_creates_the_requests_account);
        $m!(a_mirror_creates_an_account_under_the_id_the_directory_made);
        $m!(the_organization_code_joins_and_locks_out_guessers);
        $m!(the_join_page_reads_mobiles_by_the_desktops_rule);
        $m!(the_join_page_keeps_the_desktops_name_and_email_rules);
        $m!(rotating_or_disabling_the_join_link_stops_the_old_one);
        $m!(an_sms_invitation_needs_an_sms_provider);
        $m!(a_joined_member_has_the_member_page_and_resets);
        $m!(an_existing_account_accepts_a_second_invitation_by_signing_in);
        $m!(accepting_by_signing_in_counts_toward_the_sign_in_lockout);
        $m!(accepting_by_signing_in_refuses_missing_csrf_and_disabled_accounts);
        $m!(an_account_of_another_organization_is_copied_when_accepting);
    };
}

pub async fn the_api_requires_the_organizations_token(gw: &TestGateway, _clock: Arc<ManualClock>) {
    let url = format!("{}/api/v1/events", gw.base);

    let none = gw.client.get(&url).send().await.unwrap();
    assert_eq!(none.status(), StatusCode::UNAUTHORIZED);
    let body: ApiError = none.json().await.unwrap();
    assert_eq!(body.code, "unauthorized");

    let org = &gw.creds.organization_id;
    for bad in [
        format!("{org}.wrong-secret"),
        "org_unknown.secret".to_owned(),
        "garbage".to_owned(),
        gw.creds.api_token.to_uppercase(),
    ] {
        let r = gw.client.get(&url).bearer_auth(&bad).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED, "{bad}");
    }

    let ok = gw.call(Method::GET, "/api/v1/events").await;
    assert_eq!(ok.status(), StatusCode::OK);

    // Unknown API paths answer JSON, not a page.
    let missing = gw.call(Method::GET, "/api/v1/nothing").await;
    assert_api_error(missing, StatusCode::NOT_FOUND, "not_found").await;
}

pub async fn a_retried_create_answers_the_same_and_sends_once(
    gw: &TestGateway,
    _clock: Arc<ManualClock>,
) {
    let req = invitation(Channel::Email, "li.wei@example.org");

    let first = gw.create("outbox-1", &req).await;
    let first: InvitationCreated = created(first).await;
    assert!(
        first.link.starts_with(&format!("{}/i/", gw.base)),
        "{}",
        first.link
    );

    let again = gw.create("outbox-1", &req).await;
    assert_eq!(again.status(), StatusCode::CREATED);
    assert_eq!(again.headers()["idempotent-replayed"], "true");
    let again: InvitationCreated = again.json().await.unwrap();
    assert_eq!(again, first, "the replay is the first answer");

    // One mail, even after giving the outbox time to send a second one if it were queued.
    wait_for_files(&gw.mail_dir(), 1, 10).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(files_in(&gw.mail_dir()).len(), 1);

    let mut other = req.clone();
    other.recipient = "someone.else@example.org".into();
    let reused = gw.create("outbox-1", &other).await;
    assert_api_error(
        reused,
        StatusCode::UNPROCESSABLE_ENTITY,
        "idempotency_key_reused",
    )
    .await;

    let no_key = gw
        .call_with(Method::POST, "/api/v1/invitations", &req)
        .await;
    assert_api_error(no_key, StatusCode::BAD_REQUEST, "idempotency_key_required").await;

    let mut bad = req.clone();
    bad.recipient = "not an address".into();
    let r = gw.create("outbox-2", &bad).await;
    assert_api_error(r, StatusCode::BAD_REQUEST, "invalid_request").await;

    let broken = gw
        .api(Method::POST, "/api/v1/invitations")
        .header("Idempotency-Key", "outbox-3")
        .header("Content-Type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_api_error(broken, StatusCode::BAD_REQUEST, "invalid_request").await;
}

pub async fn the_mail_carries_the_invitation_and_its_link(
    gw: &TestGateway,
    _clock: Arc<ManualClock>,
) {
    let mut req = invitation(Channel::Email, "li.wei@example.org");
    req.locale = Some("zh-CN".into());
    let created = gw.created_invitation("k", &req).await;
    let file = wait_for_files(&gw.mail_dir(), 1, 10).await.remove(0);
    let raw = std::fs::read_to_string(file).unwrap();
    assert!(raw.contains("multipart/alternative"));
    let (text, html) = mail_parts(&raw);
    for part in [&text, &html] {
        assert!(part.contains(&created.link), "{part}");
        assert!(part.contains("Ann Admin 邀请您加入 Acme Ltd"), "{part}");
        assert!(part.contains("Engineering"));
    }
    let delivered = gw
        .wait_for_event(10, |k| matches!(k, EventKind::InvitationDelivered { .. }))
        .await;
    assert!(
        // This gateway writes its mail into a folder: the invitation is kept there, and the
        // event says so (the desktop shows it as kept, not delivered).
        matches!(delivered, EventKind::InvitationDelivered { ref invitation_id, ref message_id, kept: true }
            if *invitation_id == created.invitation_id && raw.contains(message_id.as_str())),
        "{delivered:?}"
    );
}

pub async fn resend_voids_the_old_link_and_cancel_closes_the_new_one(
    gw: &TestGateway,
    _clock: Arc<ManualClock>,
) {
    let created = gw.link_invitation("k1", "Li Wei").await;
    let resent = gw.invitation_action(&created.invitation_id, "resend").await;
    assert_eq!(resent.status(), StatusCode::OK);
    let resent: InvitationCreated = resent.json().await.unwrap();
    assert_ne!(resent.link, created.link);

    let old = gw.get(&created.link, None).await;
    old.assert_is(StatusCode::GONE, "replaced");
    let registered = gw.register(&resent.link, "liwei", "Correct-Horse1").await;
    assert_eq!(registered.kind(), Some("registered"));
    let again = gw.get(&format!("{}/register", created.link), None).await;
    assert_eq!(again.kind(), Some("replaced"));

    // Cancel a second invitation: its page says so; cancelling twice is fine; resend is refused.
    let second = gw.link_invitation("k2", "Zhang San").await;
    let cancel = |id: String| {
        gw.api(Method::POST, &format!("/api/v1/invitations/{id}/cancel"))
            .send()
    };
    assert_eq!(
        cancel(second.invitation_id.clone()).await.unwrap().status(),
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        cancel(second.invitation_id.clone()).await.unwrap().status(),
        StatusCode::NO_CONTENT
    );
    let page = gw.get(&second.link, None).await;
    page.assert_is(StatusCode::GONE, "cancelled");
    page.assert_shows("Ann Admin withdrew the invitation");
    let r = gw.invitation_action(&second.invitation_id, "resend").await;
    assert_api_error(r, StatusCode::CONFLICT, "invitation_closed").await;
    // A registered invitation cannot be cancelled; an unknown one is not found.
    assert_eq!(
        cancel(created.invitation_id).await.unwrap().status(),
        StatusCode::CONFLICT
    );
    assert_eq!(
        cancel("inv_nope".into()).await.unwrap().status(),
        StatusCode::NOT_FOUND
    );
}

pub async fn links_expire_by_the_clock(gw: &TestGateway, clock: Arc<ManualClock>) {
    let created = gw.link_invitation("k", "Li Wei").await;
    let form = gw.get(&format!("{}/register", created.link), None).await;
    assert_eq!(form.status, StatusCode::OK);

    clock.advance_secs(3 * 24 * 3600 + 1);
    let page = gw.get(&created.link, None).await;
    page.assert_is(StatusCode::GONE, "expired");
    page.assert_shows("Ask Ann Admin to send you a new invitation");

    // Even with a form fetched in time, submitting after expiry is refused.
    let posted = gw
        .post_registration(&form, &created.link, "liwei", "Correct-Horse1")
        .await;
    assert_eq!(posted.kind(), Some("expired"));
}

pub async fn a_link_registers_once_and_the_feed_reports_it(
    gw: &TestGateway,
    _clock: Arc<ManualClock>,
) {
    let created = gw.link_invitation("k", "Li Wei").await;

    // A form fetched now is submitted again after the registration below.
    let early_form = gw.get(&format!("{}/register", created.link), None).await;
    let page = gw.get(&created.link, None).await;
    assert_eq!(page.status, StatusCode::OK);
    page.assert_shows("Ann Admin invites you to join Acme Ltd");
    for (name, value) in [
        ("x-frame-options", "DENY"),
        ("x-content-type-options", "nosniff"),
        ("referrer-policy", "no-referrer"),
        ("cache-control", "no-store"),
    ] {
        assert_eq!(page.headers[name], value, "{name}");
    }
    let csp = page.headers["content-security-policy"].to_str().unwrap();
    assert!(
        csp.contains("default-src 'none'") && csp.contains("form-action 'self'"),
        "{csp}"
    );

    // Policy failures re-show the form with reasons and keep the token usable.
    let weak = gw.register(&created.link, "liwei", "password").await;
    assert_eq!(weak.status, StatusCode::UNPROCESSABLE_ENTITY);
    weak.assert_shows("at least three of");
    let bad_name = gw.register(&created.link, "x", "Correct-Horse1").await;
    assert!(bad_name
        .body
        .contains("The username must be 3–32 characters"));

    let done = gw.register(&created.link, "liwei", "Correct-Horse1").await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.body);
    assert_eq!(done.kind(), Some("registered"));

    // The token is spent: the page and a second registration say so.
    let reused = gw.get(&created.link, None).await;
    assert_eq!(reused.kind(), Some("used"));
    let second = gw
        .post_registration(&early_form, &created.link, "other", "Correct-Horse1")
        .await;
    assert_eq!(second.kind(), Some("used"), "{}", second.body);

    // The feed: opened, then registered with an Argon2id hash of the password.
    let page1 = gw.events(0, 0).await;
    let kinds: Vec<&EventKind> = page1.events.iter().map(|e| &e.kind).collect();
    assert!(
        matches!(kinds[0], EventKind::InvitationOpened { .. }),
        "{kinds:?}"
    );
    let EventKind::Registered {
        account_id,
        username,
        password_hash,
        invitation_id,
    } = kinds[1]
    else {
        panic!("{kinds:?}")
    };
    // A fresh account id of 128 random bits.
    let account_id = account_id.as_deref().expect("an account id");
    assert!(
        account_id.starts_with("acc_") && account_id.len() == 4 + 32,
        "{account_id}"
    );
    assert_eq!(
        (username.as_str(), invitation_id),
        ("liwei", &created.invitation_id)
    );
    assert!(
        password_hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
        "{password_hash}"
    );
    assert_eq!(page1.next_cursor, page1.events[1].seq);
    assert!(page1.events[0].seq < page1.events[1].seq);

    // Nothing after the cursor; a long-poll wakes as soon as something happens.
    assert!(gw.events(page1.next_cursor, 0).await.events.is_empty());
    let other = gw.link_invitation("k2", "Zhang San").await;
    let started = Instant::now();
    let poll = gw.events(page1.next_cursor, 20);
    let decline = async {
        tokio::time::sleep(Duration::from_millis(300)).await;
        let form = gw.get(&format!("{}/decline", other.link), None).await;
        gw.post_back(&form, &format!("{}/decline", other.link), &[])
            .await
    };
    let (woken, declined) = tokio::join!(poll, decline);
    assert_eq!(declined.kind(), Some("declined"));
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(
        woken.events[0].kind,
        EventKind::Declined {
            invitation_id: other.invitation_id.clone()
        }
    );
    // An empty long-poll ends at its deadline.
    let quiet = Instant::now();
    let empty = gw.events(gw.events(0, 0).await.next_cursor, 1).await;
    assert!(empty.events.is_empty());
    assert!(quiet.elapsed() >= Duration::from_millis(900));

    // Acknowledged events are forgotten.
    let ack = gw
        .api(Method::POST, "/api/v1/events/ack")
        .json(&orgdesk_protocol::AckEvents {
            up_to: page1.next_cursor,
        })
        .send()
        .await
        .unwrap();
    assert_eq!(ack.status(), StatusCode::NO_CONTENT);
    let rest = gw.events(0, 0).await;
    assert!(rest.events.iter().all(|e| e.seq > page1.next_cursor));
    assert!(!rest.events.is_empty());
}

pub async fn forms_without_a_valid_csrf_token_are_refused(
    gw: &TestGateway,
    _clock: Arc<ManualClock>,
) {
    let created = gw.link_invitation("k", "Li Wei").await;
    let url = format!("{}/register", created.link);
    let (cookie, csrf) = gw.open_form(&url).await;
    let fields = |csrf: &'static str| {
        vec![
            ("csrf", csrf),
            ("username", "liwei"),
            ("password", "Correct-Horse1"),
            ("password_confirm", "Correct-Horse1"),
        ]
    };
    let missing = gw.post_form(&url, Some(&cookie), &fields("")[1..]).await;
    missing.assert_is(StatusCode::FORBIDDEN, "csrf");
    let wrong = gw
        .post_form(
            &url,
            Some(&cookie),
            &fields("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"),
        )
        .await;
    assert_eq!(wrong.status, StatusCode::FORBIDDEN);
    // The right token from another browser (no cookie, or another cookie) is refused too.
    let mut with_real = fields("");
    with_real[0].1 = &csrf;
    let no_cookie = gw.post_form(&url, None, &with_real).await;
    assert_eq!(no_cookie.status, StatusCode::FORBIDDEN);
    let other_cookie = gw
        .post_form(
            &url,
            Some("orgdesk_csrf=BBBBBBBBBBBBBBBBBBBBBB"),
            &with_real,
        )
        .await;
    assert_eq!(other_cookie.status, StatusCode::FORBIDDEN);
    // Nothing was consumed: the genuine submission still works.
    let ok = gw.post_form(&url, Some(&cookie), &with_real).await;
    assert_eq!(ok.kind(), Some("registered"), "{}", ok.body);
}

pub async fn names_are_escaped_in_pages_and_mail(gw: &TestGateway, _clock: Arc<ManualClock>) {
    let mut req = invitation(Channel::Email, "li.wei@example.org");
    req.inviter_name = "<script>alert(1)</script>".into();
    req.organization_name = "\"><img src=x onerror=alert(2)>".into();
    req.invitee_name = "Li & <b>Wei</b>".into();
    let created = gw.created_invitation("k", &req).await;

    let page = gw.get(&created.link, None).await;
    assert_eq!(page.status, StatusCode::OK);
    for raw in ["<script>alert(1)", "<img src=x", "<b>Wei"] {
        assert!(!page.body.contains(raw), "{raw} in page:\n{}", page.body);
    }
    page.assert_shows("&lt;script&gt;alert(1)&lt;&#x2f;script&gt;");

    let file = wait_for_files(&gw.mail_dir(), 1, 10).await.remove(0);
    let (text, html) = mail_parts(&std::fs::read_to_string(file).unwrap());
    for raw in ["<script>alert(1)", "<img src=x", "<b>Wei"] {
        assert!(!html.contains(raw), "{raw} in mail:\n{html}");
    }
    assert!(html.contains("&lt;script&gt;"), "{html}");
    // The text part is plain text: the names appear as written.
    assert!(text.contains("Li & <b>Wei</b>"), "{text}");

    // Control characters (header injection) are refused outright.
    let mut evil = invitation(Channel::Email, "li.wei@example.org");
    evil.inviter_name = "Ann\r\nBcc: victim@example.org".into();
    assert_eq!(
        gw.create("k2", &evil).await.status(),
        StatusCode::BAD_REQUEST
    );
}

/// An invitation whose language the desktop named opens its pages in it, whatever the
/// browser prefers; the page's switch (`?lang=`) still wins, and a closed link says so in it.
pub async fn pages_open_in_the_language_the_desktop_chose(
    gw: &TestGateway,
    _clock: Arc<ManualClock>,
) {
    const ENGLISH_BROWSER: &str = "en-US,en;q=0.9";
    let mut req = invitation(Channel::Link, "Li Wei");
    req.locale = Some("zh-CN".into());
    let zh = gw.created_invitation("zh", &req).await;
    let body = gw.page_in(&zh.link, ENGLISH_BROWSER).await;
    assert!(
        body.contains("lang=\"zh-CN\"") && body.contains("立即加入"),
        "{body}"
    );
    assert!(
        body.contains("register?lang=zh-CN"),
        "its forms keep the language"
    );
    assert!(gw
        .page_in(&format!("{}/register", zh.link), ENGLISH_BROWSER)
        .await
        .contains("lang=\"zh-CN\""));
    let switched = gw
        .page_in(&format!("{}?lang=en", zh.link), ENGLISH_BROWSER)
        .await;
    assert!(switched.contains("Join now"), "{switched}");

    // English named by the desktop wins over a Chinese browser.
    req.locale = Some("en".into());
    let en = gw.created_invitation("en", &req).await;
    let body = gw.page_in(&en.link, "zh-CN").await;
    assert!(
        body.contains("Join now") && body.contains("lang=\"en\""),
        "{body}"
    );

    // A cancelled link says so in the invitation's language.
    let cancelled = gw.invitation_action(&zh.invitation_id, "cancel").await;
    assert_eq!(cancelled.status(), StatusCode::NO_CONTENT);
    let body = gw.page_in(&zh.link, ENGLISH_BROWSER).await;
    assert!(
        body.contains("data-kind=\"cancelled\"") && body.contains("lang=\"zh-CN\""),
        "{body}"
    );
}

pub async fn pages_speak_the_readers_language(gw: &TestGateway, _clock: Arc<ManualClock>) {
    let created = gw.link_invitation("k", "Li Wei").await;
    let zh = gw.page_in(&created.link, "zh-CN,zh;q=0.9,en;q=0.5").await;
    assert!(zh.contains("Ann Admin 邀请您加入 Acme Ltd"), "{zh}");
    assert!(zh.contains("立即加入") && zh.contains("lang=\"zh-CN\""));
    assert!(zh.contains("?lang=en"), "the switcher offers English");

    let en = gw
        .page_in(&format!("{}?lang=en", created.link), "zh-CN")
        .await;
    assert!(en.contains("Join now"), "{en}");

    let unknown = gw.get(&format!("{}/i/not-a-token", gw.base), None).await;
    unknown.assert_is(StatusCode::NOT_FOUND, "unknown");
    let css = gw.fetch("/static/gateway.css").await;
    assert_eq!(css.headers()["content-type"], "text/css; charset=utf-8");
}

pub async fn one_recipient_gets_a_bounded_number_of_messages(
    gw: &TestGateway,
    _clock: Arc<ManualClock>,
) {
    // The default limit is 5 messages per recipient per hour.
    let req = invitation(Channel::Email, "Li.Wei@example.org");
    let mut first = None;
    for i in 0..5 {
        let r = gw.create(&format!("k{i}"), &req).await;
        assert_eq!(r.status(), StatusCode::CREATED);
        first.get_or_insert(r.json::<InvitationCreated>().await.unwrap());
    }
    let mut same_person = req.clone();
    same_person.recipient = "li.wei@EXAMPLE.org".into();
    let refused = gw.create("k5", &same_person).await;
    assert_api_error(refused, StatusCode::TOO_MANY_REQUESTS, "rate_limited").await;
    // A retry still gets its answer: it sends nothing.
    let replay = gw.create("k0", &req).await;
    assert_eq!(replay.status(), StatusCode::CREATED);
    assert_eq!(
        replay.json::<InvitationCreated>().await.unwrap(),
        first.clone().unwrap()
    );
    // A resend is a message too.
    let resend = gw
        .api(
            Method::POST,
            &format!(
                "/api/v1/invitations/{}/resend",
                first.unwrap().invitation_id
            ),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(resend.status(), StatusCode::TOO_MANY_REQUESTS);
    // Others are unaffected.
    let other = gw
        .create("k6", &invitation(Channel::Email, "zhang.san@example.org"))
        .await;
    assert_eq!(other.status(), StatusCode::CREATED);
}

/// Opens `{link}/sign-in` and submits it with its own CSRF token and cookie.
async fn accept_signed_in(
    gw: &TestGateway,
    link: &str,
    username: &str,
    password: &str,
) -> super::Page {
    let fields = [("username", username), ("password", password)];
    gw.submit_own_form(&format!("{link}/sign-in"), &fields)
        .await
}

/// The `registered` event of one invitation: (username, password hash).
async fn registered_event(gw: &TestGateway, invitation_id: &str) -> (String, String) {
    let id = invitation_id.to_owned();
    match gw
        .wait_for_event(5, move |k| {
            matches!(k, EventKind::Registered { invitation_id, .. } if *invitation_id == id)
        })
        .await
    {
        EventKind::Registered {
            username,
            password_hash,
            ..
        } => (username, password_hash),
        other => panic!("unexpected {other:?}"),
    }
}

/// Li Wei registers as `li.wei` through a first link; the link of a second invitation to
/// the same person.
async fn second_link_for_a_member(gw: &TestGateway) -> InvitationCreated {
    let first = gw.link_invitation("k1", "Li Wei").await;
    assert_eq!(
        gw.register(&first.link, "li.wei", PASSWORD).await.kind(),
        Some("registered")
    );
    gw.link_invitation("k2", "Li Wei again").await
}

pub async fn an_existing_account_accepts_a_second_invitation_by_signing_in(
    gw: &TestGateway,
    _clock: Arc<ManualClock>,
) {
    let first = gw.link_invitation("k1", "Li Wei").await;
    let done = gw.register(&first.link, "Li.Wei", PASSWORD).await;
    assert_eq!(done.kind(), Some("registered"), "{}", done.body);
    let (_, first_hash) = registered_event(gw, &first.invitation_id).await;

    let second = gw.link_invitation("k2", "Li Wei again").await;
    let page = gw.get(&second.link, None).await;
    assert!(
        page.body.contains("I already have an account — sign in")
            && page.body.contains(&format!(
                "{}&#x2f;sign-in?lang=en",
                second
                    .link
                    .trim_start_matches(&gw.base)
                    .replace('/', "&#x2f;")
            )),
        "{}",
        page.body
    );
    let zh = gw
        .get(&format!("{}/sign-in?lang=zh-CN", second.link), None)
        .await;
    zh.assert_shows("登录并加入");

    // Wrong password and unknown username: the same generic answer, the link still usable.
    for (username, password) in [("li.wei", "Wrong-Horse1"), ("nobody", PASSWORD)] {
        let refused = accept_signed_in(gw, &second.link, username, password).await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(
            problems(&refused),
            ["The username or password is incorrect."]
        );
    }

    // The username in any case, the right password: registered with the same account.
    let early_form = gw.get(&format!("{}/sign-in", second.link), None).await;
    let accepted = accept_signed_in(gw, &second.link, "LI.WEI", PASSWORD).await;
    assert_eq!(accepted.status, StatusCode::OK, "{}", accepted.body);
    assert_eq!(accepted.kind(), Some("registered"));
    accepted.assert_shows("with your account Li.Wei");
    let (username, hash) = registered_event(gw, &second.invitation_id).await;
    assert_eq!(username, "Li.Wei");
    assert_eq!(hash, first_hash, "the existing hash, unchanged");
    assert!(hash_of(&hash, PASSWORD));

    // The token is spent: the page, the form and a form fetched earlier say so.
    assert_eq!(gw.get(&second.link, None).await.kind(), Some("used"));
    assert_eq!(
        gw.get(&format!("{}/sign-in", second.link), None)
            .await
            .kind(),
        Some("used")
    );
    let again = gw
        .post_back(
            &early_form,
            &format!("{}/sign-in", second.link),
            &[("username", "li.wei"), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(again.kind(), Some("used"), "{}", again.body);
    let registered = gw
        .events(0, 0)
        .await
        .events
        .into_iter()
        .filter(|e| matches!(&e.kind, EventKind::Registered { invitation_id, .. } if *invitation_id == second.invitation_id))
        .count();
    assert_eq!(registered, 1);

    // The account still signs in on its own page, with the same password.
    let me = gw.sign_in(&mut Jar::default(), "li.wei", PASSWORD).await;
    assert_eq!(me.status, StatusCode::OK, "{}", me.body);
}

pub async fn accepting_by_signing_in_counts_toward_the_sign_in_lockout(
    gw: &TestGateway,
    clock: Arc<ManualClock>,
) {
    let second = second_link_for_a_member(gw).await;
    for _ in 0..5 {
        let refused = accept_signed_in(gw, &second.link, "li.wei", "Wrong-Horse1").await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    }
    // Locked, even with the right password, here and on the member page alike.
    let locked = accept_signed_in(gw, &second.link, "li.wei", PASSWORD).await;
    assert_eq!(locked.status, StatusCode::TOO_MANY_REQUESTS);
    locked.assert_shows("Try again after");
    let me = gw.sign_in(&mut Jar::default(), "li.wei", PASSWORD).await;
    assert_eq!(me.status, StatusCode::TOO_MANY_REQUESTS);
    // The link was not consumed; after the pause the right password works.
    assert_eq!(gw.get(&second.link, None).await.status, StatusCode::OK);
    clock.advance_secs(31);
    let accepted = accept_signed_in(gw, &second.link, "li.wei", PASSWORD).await;
    assert_eq!(accepted.kind(), Some("registered"), "{}", accepted.body);
}

pub async fn accepting_by_signing_in_refuses_missing_csrf_and_disabled_accounts(
    gw: &TestGateway,
    _clock: Arc<ManualClock>,
) {
    let second = second_link_for_a_member(gw).await;
    let url = format!("{}/sign-in", second.link);
    let form = gw.get(&url, None).await;
    let cookie = form.cookie().unwrap();
    let creds = [("username", "li.wei"), ("password", PASSWORD)];
    // No token, no cookie, or a token made for another form: refused, nothing consumed.
    let no_token = gw.post_form(&url, Some(&cookie), &creds).await;
    let csrf = form.hidden("csrf").unwrap();
    let mut with_token = vec![("csrf", csrf.as_str())];
    with_token.extend_from_slice(&creds);
    let no_cookie = gw.post_form(&url, None, &with_token).await;
    let register_form = gw
        .get(&format!("{}/register", second.link), Some(&cookie))
        .await;
    let foreign = register_form.hidden("csrf").unwrap();
    let mut with_foreign = vec![("csrf", foreign.as_str())];
    with_foreign.extend_from_slice(&creds);
    let foreign_page = gw.post_form(&url, Some(&cookie), &with_foreign).await;
    for refused in [no_token, no_cookie, foreign_page] {
        assert_eq!(refused.status, StatusCode::FORBIDDEN, "{}", refused.body);
        assert_eq!(refused.kind(), Some("csrf"));
    }
    assert_eq!(gw.get(&second.link, None).await.status, StatusCode::OK);

    // A disabled account is refused like on the member page; the link stays usable.
    assert_eq!(
        gw.set_state("li.wei", AccountState::Disabled)
            .await
            .status(),
        StatusCode::NO_CONTENT
    );
    let disabled = accept_signed_in(gw, &second.link, "li.wei", PASSWORD).await;
    assert_eq!(disabled.status, StatusCode::FORBIDDEN, "{}", disabled.body);
    assert_eq!(disabled.kind(), Some("disabled"));
    assert_eq!(gw.get(&second.link, None).await.status, StatusCode::OK);

    // Expired, cancelled and unknown links get the same pages as the register form.
    gw.invitation_action(&second.invitation_id, "cancel").await;
    assert_eq!(gw.get(&url, None).await.kind(), Some("cancelled"));
    let unknown = gw
        .get(&format!("{}/i/nothing/sign-in", gw.base), None)
        .await;
    assert_eq!(unknown.kind(), Some("unknown"));
}

pub async fn an_account_of_another_organization_is_copied_when_accepting(
    gw: &TestGateway,
    clock: Arc<ManualClock>,
) {
    // Organization A (gw) and organization B (other), served from one store.
    let store = gw.store();
    let other = TestGateway::start_on(clock.clone(), |_, _| {}, Some(store)).await;

    let in_a = gw.link_invitation("k1", "Li Wei").await;
    assert_eq!(
        gw.register(&in_a.link, "li.wei", PASSWORD).await.kind(),
        Some("registered")
    );
    let (_, hash_a) = registered_event(gw, &in_a.invitation_id).await;

    let in_b = other.link_invitation("k1", "Li Wei").await;
    let accepted = accept_signed_in(&other, &in_b.link, "li.wei", PASSWORD).await;
    assert_eq!(accepted.kind(), Some("registered"), "{}", accepted.body);
    let (username, hash_b) = registered_event(&other, &in_b.invitation_id).await;
    assert_eq!((username.as_str(), &hash_b), ("li.wei", &hash_a));
    // The account now exists in B too: it signs in there with the same password.
    assert_eq!(
        other
            .sign_in(&mut Jar::default(), "li.wei", PASSWORD)
            .await
            .status,
        StatusCode::OK
    );

    // A username already taken in B by someone else is refused; the link stays usable.
    let zhang_b = other.link_invitation("k2", "Zhang San").await;
    assert_eq!(
        other
            .register(&zhang_b.link, "zhang.san", "Other-Horse2")
            .await
            .kind(),
        Some("registered")
    );
    let zhang_a = gw.link_invitation("k2", "Zhang San").await;
    assert_eq!(
        gw.register(&zhang_a.link, "zhang.san", PASSWORD)
            .await
            .kind(),
        Some("registered")
    );
    let in_b2 = other.link_invitation("k3", "Zhang San again").await;
    let taken = accept_signed_in(&other, &in_b2.link, "zhang.san", PASSWORD).await;
    assert_eq!(taken.status, StatusCode::CONFLICT, "{}", taken.body);
    taken.assert_shows("already has the username zhang.san");
    assert_eq!(other.get(&in_b2.link, None).await.status, StatusCode::OK);
    other.stop().await;
}
