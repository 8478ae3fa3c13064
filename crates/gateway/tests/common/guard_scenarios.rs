//! Guards that must hold even when the check in front of them is gone: the store's own
//! single-use and expiry checks on link tokens, the absolute session limit, CSRF on the
//! decline and join forms, and the wall between two organizations on one gateway. Each
//! test fails if its guard is removed. Run on every store.

use std::sync::Arc;

use orgdesk_gateway::store::{
    AccountStateChange, ConsumeOutcome, GatewayStore, Invitation, InvitationState, InviteeAccount,
    NewInvitation, NewLink, Registration, ResetConsumption,
};
use orgdesk_gateway::{Clock, ManualClock};
use orgdesk_protocol::{AccountState, Channel, EventKind, JoinLink, PasswordResetCreated};
use reqwest::{Method, StatusCode};

use super::join_scenarios::rules;
use super::members::{reset_request, Jar, PASSWORD};
use super::{assert_api_error, json_of, TestGateway};

#[allow(unused_macros)] // the smtp and browser suites do not run the scenarios
macro_rules! for_each_guard_scenario {
    ($m:ident) => {
        $m!(the_store_itself_refuses_used_expired_and_revoked_invitation_tokens);
        $m!(the_store_itself_refuses_used_expired_and_revoked_reset_tokens);
        $m!(a_session_ends_seven_days_after_signing_in);
        $m!(decline_and_join_forms_refuse_a_missing_or_wrong_csrf_token);
        $m!(one_organizations_token_reaches_nothing_of_another);
    };
}

/// A link invitation written straight into the gateway's store at `now`; the hash of its
/// token.
async fn stored_invitation(gw: &TestGateway, id: &str, now: i64, lifetime_secs: i64) -> [u8; 32] {
    let invitation = new_invitation(&gw.creds.organization_id, id, now, lifetime_secs);
    let token = invitation.link.token_hash;
    gw.store().create_invitation(invitation, now).await.unwrap();
    token
}

/// An invitation written straight into the store, with a token hash the test knows.
pub fn new_invitation(org_id: &str, id: &str, now: i64, lifetime_secs: i64) -> NewInvitation {
    NewInvitation {
        invitation: Invitation {
            id: id.into(),
            org_id: org_id.into(),
            channel: Channel::Link,
            recipient: "Li Wei".into(),
            invitee_name: "Li Wei".into(),
            organization_name: "Acme".into(),
            department_label: String::new(),
            position_label: String::new(),
            inviter_name: "Ann".into(),
            locale: "en".into(),
            locale_chosen: false,
            lifetime_secs,
            state: InvitationState::Pending,
            created_at: now,
        },
        idempotency_key: format!("key-{id}"),
        request_sha256: orgdesk_gateway::secrets::random_bytes(),
        link: NewLink {
            token_hash: orgdesk_gateway::secrets::random_bytes(),
            sealed_token: vec![1, 2, 3],
            expires_at: now + lifetime_secs,
            enqueue: false,
        },
    }
}

const HASH: &str =
    "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g";

/// Consumes the invitation link `token` for `account` at `now`, in the store itself.
async fn register(
    store: &dyn GatewayStore,
    token: [u8; 32],
    account: InviteeAccount,
    now: i64,
) -> ConsumeOutcome {
    let registration = Registration {
        token_hash: token,
        account,
    };
    store.register(registration, now).await.unwrap()
}

/// Li Wei's account of `org` set to `state`.
fn li_wei_state(org: &str, state: AccountState) -> AccountStateChange {
    AccountStateChange {
        org_id: org.into(),
        username_key: "li.wei".into(),
        state,
    }
}

pub async fn the_store_itself_refuses_used_expired_and_revoked_invitation_tokens(
    gw: &TestGateway,
    clock: Arc<ManualClock>,
) {
    let store = gw.store();
    let org = gw.creds.organization_id.clone();
    let now = clock.now_secs();

    // Used: the second consumption of any kind is refused by the store itself.
    let token = stored_invitation(gw, "inv_used", now, 3600).await;
    let li_wei = InviteeAccount::new_account("li.wei", HASH);
    assert!(matches!(
        register(&*store, token, li_wei, now).await,
        ConsumeOutcome::Done { .. }
    ));
    let zhang_san = InviteeAccount::new_account("zhang.san", HASH);
    assert_eq!(
        register(&*store, token, zhang_san, now).await,
        ConsumeOutcome::NotUsable
    );
    assert_eq!(
        store.decline(token, now).await.unwrap(),
        ConsumeOutcome::NotUsable
    );
    let existing = InviteeAccount::existing("li.wei", HASH);
    assert_eq!(
        register(&*store, token, existing, now).await,
        ConsumeOutcome::NotUsable
    );

    // Expired: one second past the expiry by the gateway's clock.
    let expired_token = stored_invitation(gw, "inv_expiring", now, 60).await;
    // Revoked: cancelled by the desktop.
    let cancelled_token = stored_invitation(gw, "inv_cancelled", now, 3600).await;
    store
        .cancel_invitation(&org, "inv_cancelled", now)
        .await
        .unwrap();
    let later = now + 61;
    for (what, token) in [("expired", expired_token), ("revoked", cancelled_token)] {
        let wang_wu = InviteeAccount::new_account("wang.wu", HASH);
        assert_eq!(
            register(&*store, token, wang_wu, later).await,
            ConsumeOutcome::NotUsable,
            "{what}"
        );
        assert_eq!(
            store.decline(token, later).await.unwrap(),
            ConsumeOutcome::NotUsable,
            "{what}"
        );
    }
    // Only the one registration made an account and an event.
    let registered = gw
        .events(0, 0)
        .await
        .events
        .into_iter()
        .filter(|e| {
            matches!(
                e.kind,
                EventKind::Registered { .. } | EventKind::Declined { .. }
            )
        })
        .count();
    assert_eq!(registered, 1);
}

pub async fn the_store_itself_refuses_used_expired_and_revoked_reset_tokens(
    gw: &TestGateway,
    clock: Arc<ManualClock>,
) {
    let now = clock.now_secs();
    let token = stored_invitation(gw, "inv_member", now, 3600).await;
    let store = gw.store();
    let org = gw.creds.organization_id.clone();
    register(
        &*store,
        token,
        InviteeAccount::new_account("li.wei", HASH),
        now,
    )
    .await;

    let reset = |id: &str, expires_at: i64| orgdesk_gateway::store::NewPasswordReset {
        id: id.into(),
        org_id: org.clone(),
        username_key: "li.wei".into(),
        channel: Channel::Link,
        recipient: "Li Wei".into(),
        organization_name: "Acme".into(),
        locale: "en".into(),
        idempotency_key: format!("key-{id}"),
        request_sha256: orgdesk_gateway::secrets::random_bytes(),
        link: NewLink {
            token_hash: orgdesk_gateway::secrets::random_bytes(),
            sealed_token: vec![4, 5, 6],
            expires_at,
            enqueue: false,
        },
    };
    let consume = |token: [u8; 32], at: i64| {
        let store = store.clone();
        let reset = ResetConsumption {
            token_hash: token,
            password_hash: HASH.into(),
        };
        async move { store.consume_reset(reset, at).await.unwrap() }
    };

    // Used: once only.
    let first = reset("rst_used", now + 600);
    let used = first.link.token_hash;
    store.create_password_reset(first, now).await.unwrap();
    assert_eq!(consume(used, now).await.as_deref(), Some("li.wei"));
    assert_eq!(consume(used, now).await, None);

    // Expired: one second past, by the gateway's clock.
    let short = reset("rst_short", now + 60);
    let expired = short.link.token_hash;
    store.create_password_reset(short, now).await.unwrap();
    assert_eq!(consume(expired, now + 61).await, None);

    // Revoked: a newer reset voids the older one; the newer one works.
    let older = reset("rst_older", now + 3600);
    let older_token = older.link.token_hash;
    store.create_password_reset(older, now + 100).await.unwrap();
    let newer = reset("rst_newer", now + 3600);
    let newer_token = newer.link.token_hash;
    store.create_password_reset(newer, now + 101).await.unwrap();
    assert_eq!(consume(older_token, now + 102).await, None);

    // And an account that is no longer enabled cannot use a live one.
    assert!(store
        .set_account_state(li_wei_state(&org, AccountState::Disabled), now + 103)
        .await
        .unwrap());
    assert_eq!(consume(newer_token, now + 104).await, None);
    store
        .set_account_state(li_wei_state(&org, AccountState::Enabled), now + 105)
        .await
        .unwrap();
    // Enabling again does not revive it: it was voided with the disabling.
    assert_eq!(consume(newer_token, now + 106).await, None);

    let changed = gw
        .events(0, 0)
        .await
        .events
        .into_iter()
        .filter(|e| matches!(e.kind, EventKind::PasswordChanged { .. }))
        .count();
    assert_eq!(changed, 1);
}

pub async fn a_session_ends_seven_days_after_signing_in(gw: &TestGateway, clock: Arc<ManualClock>) {
    gw.account("k1", "Li Wei", "li.wei").await;
    let me_url = format!("{}/me", gw.base);
    let mut jar = Jar::default();
    gw.assert_signs_in(&mut jar, "li.wei", PASSWORD).await;
    // Used every 10 hours, so it is never idle for 12: it lives up to its seventh day…
    let mut elapsed = 0;
    while elapsed + 10 * 3600 < 7 * 24 * 3600 {
        clock.advance_secs(10 * 3600);
        elapsed += 10 * 3600;
        assert_eq!(
            gw.get_with(&me_url, &mut jar).await.kind(),
            Some("me"),
            "after {elapsed} s"
        );
    }
    // …and not a second past it, however busy it was.
    clock.advance_secs(7 * 24 * 3600 - elapsed + 1);
    let ended = gw.get_with(&me_url, &mut jar).await;
    assert_eq!(ended.kind(), Some("sign_in"), "{}", ended.body);
    assert!(ended.body.contains("Your session has ended"));
}

/// Posts `form` to `url` three ways that must all be refused: without a token, with a
/// wrong one, and with the right one but another browser's cookie.
async fn refused_without_a_valid_token(
    gw: &TestGateway,
    url: &str,
    cookie: &str,
    csrf: &str,
    form: &[(&str, &str)],
) {
    let mut without = vec![];
    without.extend_from_slice(form);
    let mut wrong = vec![("csrf", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")];
    wrong.extend_from_slice(form);
    let mut right = vec![("csrf", csrf)];
    right.extend_from_slice(form);
    for (what, cookie, fields) in [
        ("no token", Some(cookie), &without),
        ("a wrong token", Some(cookie), &wrong),
        (
            "another browser's cookie",
            Some("orgdesk_csrf=BBBBBBBBBBBBBBBBBBBBBB"),
            &right,
        ),
        ("no cookie", None, &right),
    ] {
        let page = gw.post_form(url, cookie, fields).await;
        assert_eq!(page.status, StatusCode::FORBIDDEN, "{what} at {url}");
        assert_eq!(page.kind(), Some("csrf"), "{what} at {url}");
    }
}

pub async fn decline_and_join_forms_refuse_a_missing_or_wrong_csrf_token(
    gw: &TestGateway,
    _clock: Arc<ManualClock>,
) {
    // Decline.
    let created = gw.link_invitation("k1", "Li Wei").await;
    let url = format!("{}/decline", created.link);
    let form = gw.get(&url, None).await;
    let cookie = form.cookie().expect("a CSRF cookie");
    let csrf = form.hidden("csrf").expect("a CSRF token");
    refused_without_a_valid_token(gw, &url, &cookie, &csrf, &[]).await;
    // Nothing changed: no event, and the invitation still opens.
    assert!(gw
        .events(0, 0)
        .await
        .events
        .iter()
        .all(|e| !matches!(e.kind, EventKind::Declined { .. })));
    assert_eq!(gw.get(&created.link, None).await.status, StatusCode::OK);
    let declined = gw.post_form(&url, Some(&cookie), &[("csrf", &csrf)]).await;
    assert_eq!(declined.status, StatusCode::OK, "{}", declined.body);
    assert!(gw
        .events(0, 0)
        .await
        .events
        .iter()
        .any(|e| matches!(e.kind, EventKind::Declined { .. })));

    // The join link's form.
    let link = gw.put_join_link(&rules(true, &[])).await;
    let join_url = link.link.clone().expect("a join link");
    let form = gw.get(&join_url, None).await;
    let cookie = form.cookie().expect("a CSRF cookie");
    let csrf = form.hidden("csrf").expect("a CSRF token");
    let fields = [
        ("name", "Zhang San"),
        ("username", "zhang.san"),
        ("password", PASSWORD),
        ("password_confirm", PASSWORD),
    ];
    refused_without_a_valid_token(gw, &join_url, &cookie, &csrf, &fields).await;
    let joins = |events: Vec<orgdesk_protocol::Event>| {
        events
            .into_iter()
            .filter(|e| matches!(e.kind, EventKind::JoinRequested { .. }))
            .count()
    };
    assert_eq!(joins(gw.events(0, 0).await.events), 0);

    // The organization code's form: refused before the code is looked at, so a right code
    // sent without the token gets nowhere either.
    let code_url = format!("{}/join", gw.base);
    let (cookie, csrf) = gw.open_form(&code_url).await;
    let code = link.code.clone().expect("a code");
    refused_without_a_valid_token(gw, &code_url, &cookie, &csrf, &[("code", &code)]).await;

    // With the tokens, both work.
    let mut with = vec![("csrf", csrf.as_str())];
    with.push(("code", &code));
    let by_code = gw.post_form(&code_url, Some(&cookie), &with).await;
    assert_eq!(by_code.status, StatusCode::OK, "{}", by_code.body);
    assert!(by_code.hidden("csrf").is_some(), "the join form follows");
    let (cookie, csrf) = gw.open_form(&join_url).await;
    let mut all = vec![("csrf", csrf.as_str())];
    all.extend_from_slice(&fields);
    let sent = gw.post_form(&join_url, Some(&cookie), &all).await;
    assert_eq!(sent.status, StatusCode::OK, "{}", sent.body);
    assert_eq!(joins(gw.events(0, 0).await.events), 1);
}

pub async fn one_organizations_token_reaches_nothing_of_another(
    gw: &TestGateway,
    _clock: Arc<ManualClock>,
) {
    // Organization A (the gateway's own) has an account, an invitation, a join link, events.
    gw.account("k1", "Li Wei", "li.wei").await;
    let pending = gw.link_invitation("k2", "Zhang San").await;
    let rules = rules(true, &[]);
    let a_link = gw.put_join_link(&rules).await;
    let a_events = gw.events(0, 0).await.events;
    assert!(!a_events.is_empty());
    let a_account = gw.account_id_of("li.wei").await;

    let b = gw.another_organization("Other").await;
    let as_b = |method: Method, path: &str| {
        gw.client
            .request(method, format!("{}{path}", gw.base))
            .bearer_auth(&b.api_token)
    };

    // B's feed holds none of A's events, and B's acknowledgement does not touch A's.
    let b_feed: orgdesk_protocol::EventsPage =
        json_of(as_b(Method::GET, "/api/v1/events?after=0&wait=0")).await;
    assert!(b_feed.events.is_empty(), "{:?}", b_feed.events);
    let up_to = a_events.iter().map(|e| e.seq).max().unwrap();
    let ack = as_b(Method::POST, "/api/v1/events/ack")
        .json(&serde_json::json!({ "up_to": up_to }))
        .send()
        .await
        .unwrap();
    assert!(ack.status().is_success());
    assert_eq!(gw.events(0, 0).await.events.len(), a_events.len());

    // B cannot cancel or resend A's invitation: it stays usable.
    for action in ["cancel", "resend"] {
        let r = as_b(
            Method::POST,
            &format!("/api/v1/invitations/{}/{action}", pending.invitation_id),
        )
        .send()
        .await
        .unwrap();
        assert_eq!(r.status(), StatusCode::NOT_FOUND, "{action}");
    }
    assert_eq!(gw.get(&pending.link, None).await.status, StatusCode::OK);

    // B's join-link calls act on B's own link only.
    let r = as_b(Method::POST, "/api/v1/join-link/rotate")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    let r = as_b(Method::DELETE, "/api/v1/join-link")
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success() || r.status() == StatusCode::NOT_FOUND);
    let mut b_rules = rules.clone();
    b_rules.organization_name = "Other".into();
    let b_link: JoinLink = json_of(as_b(Method::PUT, "/api/v1/join-link").json(&b_rules)).await;
    assert_ne!(b_link.link, a_link.link);
    assert_ne!(b_link.code, a_link.code);
    let a_now = gw.join_link().await;
    assert_eq!(a_now, a_link);
    let a_join_url = a_link.link.clone().unwrap();
    assert_eq!(gw.get(&a_join_url, None).await.status, StatusCode::OK);

    // B cannot disable A's account, reset its password, or refuse it.
    let state = AccountState::Disabled;
    let r = as_b(Method::PUT, "/api/v1/accounts/li.wei/state")
        .json(&orgdesk_protocol::SetAccountState { state })
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    let r = as_b(Method::POST, "/api/v1/password-resets")
        .header("Idempotency-Key", "b-reset")
        .json(&reset_request("li.wei", Channel::Link, "x"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    assert!(r.json::<PasswordResetCreated>().await.is_err());
    let r = gw.refuse_with(&b.api_token, &a_account, "not ours").await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    // B's mirror naming A's account is refused; of the same username without it, it makes
    // B's own account. A's still signs in as before.
    let account = orgdesk_protocol::MirroredAccount {
        account_id: Some(a_account.clone()),
        name: "Li Wei (B)".into(),
        ..super::identity_scenarios::mirrored("li.wei", None, AccountState::Disabled)
    };
    let r = gw.mirror_with(&b.api_token, vec![account.clone()]).await;
    assert_api_error(r, StatusCode::CONFLICT, "account_taken").await;
    let own = orgdesk_protocol::MirroredAccount {
        account_id: None,
        ..account
    };
    let r = gw.mirror_with(&b.api_token, vec![own]).await;
    assert_eq!(r.status(), StatusCode::OK);
    let me = gw.sign_in(&mut Jar::default(), "li.wei", PASSWORD).await;
    assert_eq!(me.kind(), Some("me"), "{}", me.body);
    me.assert_shows("Acme");
}
