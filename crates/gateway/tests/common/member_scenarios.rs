//! The member scenarios (password resets, account state, `/me`, sign-in lockout, expired
//! invitations), run on every store like the rest of `scenarios`.

use std::sync::Arc;
use std::time::{Duration, Instant};

use orgdesk_gateway::{Clock, ManualClock};
use orgdesk_protocol::{
    AccountState, Channel, CreatePasswordReset, EventKind, PasswordResetCreated,
};
use reqwest::{Method, StatusCode};

use super::created;
use super::members::{csrf_for, hash_of, problems, reset_request, Jar, NEW_PASSWORD, PASSWORD};
use super::{assert_api_error, error_code};
use super::{invitation, mail_parts, wait_for_files, Page, TestGateway};

fn is_password_changed(k: &EventKind) -> bool {
    matches!(k, EventKind::PasswordChanged { .. })
}

pub async fn a_reset_link_works_once_then_is_refused(gw: &TestGateway, clock: Arc<ManualClock>) {
    gw.account("k1", "Li Wei", "li.wei").await;

    let unknown = gw.reset_for("r0", "nobody", Channel::Link, "x").await;
    assert_api_error(unknown, StatusCode::NOT_FOUND, "not_found").await;
    let no_key = gw
        .api(Method::POST, "/api/v1/password-resets")
        .json(&reset_request("li.wei", Channel::Link, "x"))
        .send()
        .await
        .unwrap();
    assert_eq!(error_code(no_key).await, "idempotency_key_required");
    let sms = gw
        .reset_for("r0", "li.wei", Channel::Sms, "+8613800138000")
        .await;
    assert_eq!(error_code(sms).await, "channel_unavailable");
    let bad_mail = gw
        .reset_for("r0", "li.wei", Channel::Email, "not-an-address")
        .await;
    assert_eq!(bad_mail.status(), StatusCode::BAD_REQUEST);

    // Usernames match without regard to case; the default lifetime is 24 hours.
    let req = reset_request("Li.Wei", Channel::Link, "Li Wei");
    let first = gw.reset("r1", &req).await;
    let first: PasswordResetCreated = created(first).await;
    assert!(
        first.link.starts_with(&format!("{}/r/", gw.base)),
        "{first:?}"
    );
    assert_eq!(first.expires_at, clock.now_secs() + 24 * 3600);
    let token = first.link.rsplit('/').next().unwrap();
    assert!(token.len() >= 22, "at least 128 bits: {token}");

    // A retry answers the same; the same key with another body is refused.
    let replay = gw.reset("r1", &req).await;
    assert_eq!(replay.status(), StatusCode::CREATED);
    assert_eq!(replay.headers()["idempotent-replayed"], "true");
    assert_eq!(replay.json::<PasswordResetCreated>().await.unwrap(), first);
    let other = CreatePasswordReset {
        recipient: "someone else".into(),
        ..req.clone()
    };
    assert_api_error(
        gw.reset("r1", &other).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "idempotency_key_reused",
    )
    .await;

    // A newer reset voids the older link.
    let second = gw.created_reset("r2", &req).await;
    assert_ne!(second.reset_id, first.reset_id);
    let old = gw.get(&first.link, None).await;
    old.assert_is(StatusCode::GONE, "replaced");

    let form = gw.get(&second.link, None).await;
    form.assert_is(StatusCode::OK, "reset");
    form.assert_shows("For your account li.wei at Acme Ltd.");
    assert_eq!(form.headers["referrer-policy"], "no-referrer");
    let cookie = form.cookie().unwrap();
    let csrf = form.hidden("csrf").unwrap();
    let post = |password: &'static str, confirm: &'static str| {
        let (gw, link, cookie, csrf) = (&gw, &second.link, &cookie, &csrf);
        async move {
            gw.post_form(
                link,
                Some(cookie),
                &[
                    ("csrf", csrf.as_str()),
                    ("password", password),
                    ("password_confirm", confirm),
                ],
            )
            .await
        }
    };
    // The registration policy applies, and a refused password leaves the link usable.
    let weak = post("password", "password").await;
    assert_eq!(weak.status, StatusCode::UNPROCESSABLE_ENTITY);
    weak.assert_shows("at least three of");
    let named = post("Li.Wei-2024", "Li.Wei-2024").await;
    assert!(
        problems(&named)
            .iter()
            .any(|p| p == "The password must not contain the username."),
        "{}",
        named.body
    );
    let mismatch = post(NEW_PASSWORD, "Battery-Staple8").await;
    assert!(mismatch.body.contains("The two passwords do not match."));

    let done = post(NEW_PASSWORD, NEW_PASSWORD).await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.body);
    assert_eq!(done.kind(), Some("password_changed"));
    done.assert_shows("href=\"&#x2f;me?lang=en\"");

    // Single use: the page and a second submission say it was used.
    let again = gw.get(&second.link, None).await;
    assert_eq!(
        (again.status, again.kind()),
        (StatusCode::GONE, Some("used"))
    );
    let resubmitted = post(NEW_PASSWORD, NEW_PASSWORD).await;
    assert_eq!(resubmitted.kind(), Some("used"));
    let unknown_link = gw.get(&format!("{}/r/not-a-token", gw.base), None).await;
    assert_eq!(
        (unknown_link.status, unknown_link.kind()),
        (StatusCode::NOT_FOUND, Some("unknown"))
    );

    // The feed carries the new password's hash, once.
    let changed = gw.events_where(is_password_changed).await;
    assert_eq!(changed.len(), 1, "{changed:?}");
    let EventKind::PasswordChanged {
        account_id,
        username,
        password_hash,
    } = &changed[0]
    else {
        unreachable!()
    };
    assert_eq!(username, "li.wei");
    assert_eq!(account_id.as_ref(), Some(&gw.account_id_of("li.wei").await));
    assert!(hash_of(password_hash, NEW_PASSWORD), "{password_hash}");
    assert!(!hash_of(password_hash, PASSWORD));

    // The old password no longer signs in; the new one does.
    let mut jar = Jar::default();
    let old_pw = gw.sign_in(&mut jar, "li.wei", PASSWORD).await;
    assert_eq!(old_pw.status, StatusCode::UNPROCESSABLE_ENTITY);
    let new_pw = gw.sign_in(&mut jar, "li.wei", NEW_PASSWORD).await;
    assert_eq!(new_pw.kind(), Some("me"), "{}", new_pw.body);
}

pub async fn an_expired_reset_is_refused(gw: &TestGateway, clock: Arc<ManualClock>) {
    gw.account("k1", "Li Wei", "li.wei").await;
    let mut req = reset_request("li.wei", Channel::Link, "Li Wei");
    for bad in [59, 8 * 24 * 3600] {
        req.expires_in_secs = Some(bad);
        let r = gw.reset(&format!("bad{bad}"), &req).await;
        assert_eq!(r.status(), StatusCode::BAD_REQUEST, "{bad}");
    }
    req.expires_in_secs = None;
    let created = gw.created_reset("r1", &req).await;
    let form = gw.get(&created.link, None).await;
    assert_eq!(form.status, StatusCode::OK);

    clock.advance_secs(24 * 3600);
    let page = gw.get(&created.link, None).await;
    page.assert_shows("Ask your administrator to send you a new one.");
    page.assert_is(StatusCode::GONE, "expired");
    // A form fetched in time does not help after the expiry.
    let posted = gw
        .post_back(
            &form,
            &created.link,
            &[
                ("password", NEW_PASSWORD),
                ("password_confirm", NEW_PASSWORD),
            ],
        )
        .await;
    assert_eq!(posted.kind(), Some("expired"));
    assert!(gw.events_where(is_password_changed).await.is_empty());
    let mut jar = Jar::default();
    let still = gw.sign_in(&mut jar, "li.wei", PASSWORD).await;
    assert_eq!(still.kind(), Some("me"));
}

pub async fn a_disabled_account_cannot_sign_in_or_reset(
    gw: &TestGateway,
    _clock: Arc<ManualClock>,
) {
    let (_, mut jar) = gw.registered_and_signed_in("Li Wei", "li.wei").await;
    let pending = gw
        .created_reset("r1", &reset_request("li.wei", Channel::Link, "Li Wei"))
        .await;

    let disabled = gw.set_state("LI.WEI", AccountState::Disabled).await;
    assert_eq!(disabled.status(), StatusCode::NO_CONTENT);
    // The open session ended, and signing in again is refused even with the password.
    let me = gw.get_with(&format!("{}/me", gw.base), &mut jar).await;
    assert_eq!(me.kind(), Some("sign_in"));
    me.assert_shows("Your session has ended");
    let refused = gw.sign_in(&mut Jar::default(), "li.wei", PASSWORD).await;
    refused.assert_is(StatusCode::FORBIDDEN, "disabled");
    // No reset: neither a new one nor one sent before.
    let r = gw.reset_for("r2", "li.wei", Channel::Link, "Li Wei").await;
    assert_api_error(r, StatusCode::CONFLICT, "account_disabled").await;
    let old = gw.get(&pending.link, None).await;
    assert_eq!(
        (old.status, old.kind()),
        (StatusCode::GONE, Some("disabled"))
    );

    // Unknown usernames, bad bodies and missing tokens.
    let unknown = gw.set_state("nobody", AccountState::Disabled).await;
    assert_api_error(unknown, StatusCode::NOT_FOUND, "not_found").await;
    let bad = gw
        .api(Method::PUT, "/api/v1/accounts/li.wei/state")
        .header("Content-Type", "application/json")
        .body(r#"{"state":"gone"}"#)
        .send()
        .await
        .unwrap();
    assert_api_error(bad, StatusCode::BAD_REQUEST, "invalid_request").await;
    let anonymous = gw
        .client
        .put(format!("{}/api/v1/accounts/li.wei/state", gw.base))
        .json(&orgdesk_protocol::SetAccountState {
            state: AccountState::Enabled,
        })
        .send()
        .await
        .unwrap();
    assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);

    // Enabled again: signing in and resets work.
    assert_eq!(
        gw.set_state("li.wei", AccountState::Enabled).await.status(),
        StatusCode::NO_CONTENT
    );
    gw.assert_signs_in(&mut Jar::default(), "li.wei", PASSWORD)
        .await;
    let fresh = gw.reset_for("r3", "li.wei", Channel::Link, "Li Wei").await;
    let fresh: PasswordResetCreated = created(fresh).await;

    // Removed: the same refusals, and the username stays taken for registration.
    assert_eq!(
        gw.set_state("li.wei", AccountState::Removed).await.status(),
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        gw.sign_in(&mut Jar::default(), "li.wei", PASSWORD)
            .await
            .kind(),
        Some("disabled")
    );
    assert_eq!(
        gw.reset_for("r4", "li.wei", Channel::Link, "Li Wei")
            .await
            .status(),
        StatusCode::CONFLICT
    );
    assert_eq!(gw.get(&fresh.link, None).await.kind(), Some("disabled"));
    let newcomer = gw.link_invitation("k2", "Li Wei").await;
    let taken = gw.register(&newcomer.link, "li.wei", PASSWORD).await;
    assert_eq!(taken.status, StatusCode::UNPROCESSABLE_ENTITY);
    taken.assert_shows("This username is already taken");
    assert!(gw.events_where(is_password_changed).await.is_empty());
}

pub async fn self_service_changes_name_and_emits_the_event(
    gw: &TestGateway,
    clock: Arc<ManualClock>,
) {
    gw.account("k1", "Li Wei", "li.wei").await;
    let mut jar = Jar::default();
    let me = gw.sign_in(&mut jar, "Li.Wei", PASSWORD).await;
    assert_eq!(me.kind(), Some("me"), "{}", me.body);
    me.assert_shows("Signed in as li.wei · Acme Ltd");
    assert!(
        me.body.contains("value=\"Li Wei\""),
        "the invitation's name"
    );
    // Both languages.
    let zh = gw
        .get_with(&format!("{}/me?lang=zh-CN", gw.base), &mut jar)
        .await;
    assert!(
        zh.body.contains("我的信息") && zh.body.contains("退出登录"),
        "{}",
        zh.body
    );
    let zh_form = gw.get(&format!("{}/me?lang=zh-CN", gw.base), None).await;
    assert!(zh_form.body.contains("登录以查看和修改您的个人信息。"));
    // The session cookie: random, HttpOnly, SameSite=Strict, only for /me.
    let session = jar
        .get("orgdesk_session")
        .expect("a session cookie")
        .to_owned();
    assert_eq!(session.len(), 43, "256 bits in base64url");
    assert!(gw
        .events_where(|k| matches!(k, EventKind::SignedIn { .. }))
        .await
        .contains(&EventKind::SignedIn {
            account_id: Some(gw.account_id_of("li.wei").await),
            username: "li.wei".into()
        }));
    let li = gw.account_id_of("li.wei").await;

    // Only the name changes: the event carries only the name.
    let saved = gw.save_details(&mut jar, " Li Wei (Eng) ", "", "").await;
    assert_eq!(saved.kind(), Some("me"));
    saved.assert_shows("Your details have been saved.");
    assert!(saved.body.contains("value=\"Li Wei (Eng)\""));
    let details = |k: &EventKind| matches!(k, EventKind::PersonalDetailsChanged { .. });
    assert_eq!(
        gw.events_where(details).await,
        [EventKind::PersonalDetailsChanged {
            account_id: Some(li.clone()),
            username: "li.wei".into(),
            name: Some("Li Wei (Eng)".into()),
            mobile: None,
            email: None,
        }]
    );
    // The same values again change nothing and report nothing.
    let same = gw.save_details(&mut jar, "Li Wei (Eng)", "", "").await;
    same.assert_shows("Nothing was changed.");
    assert_eq!(gw.events_where(details).await.len(), 1);
    // Mobile and email, tidied to E.164.
    gw.save_details(
        &mut jar,
        "Li Wei (Eng)",
        "+86 138-0013-8000",
        "li.wei@example.org",
    )
    .await;
    assert_eq!(
        gw.events_where(details).await[1],
        EventKind::PersonalDetailsChanged {
            account_id: Some(li.clone()),
            username: "li.wei".into(),
            name: None,
            mobile: Some("+8613800138000".into()),
            email: Some("li.wei@example.org".into()),
        }
    );
    // Invalid values come back with the reasons and change nothing.
    for (name, mobile, email, reason) in [
        ("", "", "", "The name must be 1–64 characters"),
        (
            &"x".repeat(65)[..],
            "",
            "",
            "The name must be 1–64 characters",
        ),
        (
            "Li\u{1b}[31mWei",
            "",
            "",
            "The name must be 1–64 characters",
        ),
        (
            "Li",
            "13800138000",
            "",
            "The mobile number must be in international format",
        ),
        (
            "Li",
            "+86abc",
            "",
            "The mobile number must be in international format",
        ),
        ("Li", "", "li.wei@", "The email address is not valid."),
    ] {
        let page = gw.save_details(&mut jar, name, mobile, email).await;
        assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY, "{name:?}");
        assert!(
            problems(&page).iter().any(|p| p.starts_with(reason)),
            "{reason}: {:?}",
            problems(&page)
        );
    }
    assert_eq!(gw.events_where(details).await.len(), 2);

    // Change the password: the current one is checked, the policy applies, and the other
    // sessions of the account end while this one stays.
    let mut other = Jar::default();
    gw.assert_signs_in(&mut other, "li.wei", PASSWORD).await;
    let change = |current: &'static str, new: &'static str, confirm: &'static str| {
        [
            ("current_password", current),
            ("password", new),
            ("password_confirm", confirm),
        ]
    };
    let wrong = gw
        .member_form(
            &mut jar,
            "/me/password",
            &change("Wrong-Horse1", NEW_PASSWORD, NEW_PASSWORD),
        )
        .await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(wrong.body.contains("The current password is incorrect."));
    let weak = gw
        .member_form(
            &mut jar,
            "/me/password",
            &change(PASSWORD, "weakweak", "weakweak"),
        )
        .await;
    weak.assert_shows("at least three of");
    let changed = gw
        .member_form(
            &mut jar,
            "/me/password",
            &change(PASSWORD, NEW_PASSWORD, NEW_PASSWORD),
        )
        .await;
    changed.assert_shows("Your password has been changed.");
    let hashes = gw.events_where(is_password_changed).await;
    let li = gw.account_id_of("li.wei").await;
    assert!(
        matches!(&hashes[..], [EventKind::PasswordChanged { account_id, username, password_hash }]
            if username == "li.wei" && hash_of(password_hash, NEW_PASSWORD)
                && account_id.as_ref() == Some(&li)),
        "{hashes:?}"
    );
    let other_me = gw.get_with(&format!("{}/me", gw.base), &mut other).await;
    assert_eq!(other_me.kind(), Some("sign_in"), "the other session ended");
    assert_eq!(
        gw.get_with(&format!("{}/me", gw.base), &mut jar)
            .await
            .kind(),
        Some("me")
    );

    // Sign out: the cookie is dropped, and the old session value is dead on the server too.
    let before = jar.clone();
    let out = gw.member_form(&mut jar, "/me/sign-out", &[]).await;
    assert_eq!(out.kind(), Some("sign_in"));
    assert!(out.body.contains("You have signed out."));
    assert!(jar.get("orgdesk_session").is_none());
    let replayed = gw
        .get(&format!("{}/me", gw.base), before.header().as_deref())
        .await;
    assert_eq!(replayed.kind(), Some("sign_in"));

    // A session lives while it is used, and ends after 12 hours without a request.
    let mut idle = Jar::default();
    let me_url = format!("{}/me", gw.base);
    gw.assert_signs_in(&mut idle, "li.wei", NEW_PASSWORD).await;
    for _ in 0..2 {
        clock.advance_secs(11 * 3600);
        assert_eq!(gw.get_with(&me_url, &mut idle).await.kind(), Some("me"));
    }
    clock.advance_secs(12 * 3600);
    let ended = gw.get_with(&me_url, &mut idle).await;
    assert_eq!(ended.kind(), Some("sign_in"));
    ended.assert_shows("Your session has ended");
    assert!(
        idle.get("orgdesk_session").is_none(),
        "the cookie is dropped"
    );
}

pub async fn sign_in_locks_after_five_failures(gw: &TestGateway, clock: Arc<ManualClock>) {
    gw.account("k1", "Li Wei", "li.wei").await;
    gw.account("k2", "Zhang San", "zhang.san").await;

    // An unknown username gets the same answer as a wrong password (it is checked against a
    // decoy hash; how long each takes is measured by the gateway benchmark, `make bench`).
    // The failures of each round are forgotten a day later, before they could lock anything.
    for _ in 0..3 {
        let known_page = gw
            .sign_in(&mut Jar::default(), "li.wei", "Wrong-Horse1")
            .await;
        let ghost_page = gw
            .sign_in(&mut Jar::default(), "ghost", "Wrong-Horse1")
            .await;
        assert_eq!(known_page.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(ghost_page.status, known_page.status);
        assert_eq!(problems(&ghost_page), problems(&known_page));
        assert_eq!(
            problems(&known_page),
            ["The username or password is incorrect."]
        );
        assert_eq!(known_page.kind(), ghost_page.kind());
        clock.advance_secs(25 * 3600);
    }

    gw.guess_wrong("li.wei", 5).await;
    // The account's next attempt waits, even with the right password, and the page says
    // until when.
    let locked = gw.sign_in(&mut Jar::default(), "li.wei", PASSWORD).await;
    assert_eq!(locked.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(
        locked.body.contains("Try again after") && locked.body.contains("in about 30 seconds"),
        "{}",
        locked.body
    );
    assert!(gw
        .events_where(|k| matches!(k, EventKind::SignedIn { .. }))
        .await
        .is_empty());
    // The count is in the store: another instance on the same database makes it wait too.
    let store = gw.store();
    let twin = TestGateway::start_on(clock.clone(), |_, _| {}, Some(store.clone())).await;
    let twin_page = twin.sign_in(&mut Jar::default(), "li.wei", PASSWORD).await;
    assert_eq!(twin_page.status, StatusCode::TOO_MANY_REQUESTS);
    twin.stop().await;
    // The wait is the account's: another member at the same address signs in.
    let other_member = gw.sign_in(&mut Jar::default(), "zhang.san", PASSWORD).await;
    assert_eq!(other_member.kind(), Some("me"), "{}", other_member.body);
    // An unknown username waits alike, so a wait tells nobody that an account exists.
    gw.guess_wrong("ghost", 5).await;
    let ghost_wait = gw.sign_in(&mut Jar::default(), "ghost", PASSWORD).await;
    assert_eq!(ghost_wait.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(problems(&ghost_wait).len(), 1);

    // After the wait the right password signs in: nobody is locked out for good.
    clock.advance_secs(31);
    let me = gw.sign_in(&mut Jar::default(), "li.wei", PASSWORD).await;
    assert_eq!(me.kind(), Some("me"), "{}", me.body);
    // The wait grows with each failure past the threshold: five more, then a sixth after
    // the first wait, and the next attempt waits twice as long.
    for _ in 0..5 {
        gw.sign_in(&mut Jar::default(), "li.wei", "Wrong-Horse1")
            .await;
    }
    clock.advance_secs(31);
    gw.guess_wrong("li.wei", 1).await;
    let doubled = gw.sign_in(&mut Jar::default(), "li.wei", PASSWORD).await;
    assert_eq!(doubled.status, StatusCode::TOO_MANY_REQUESTS);
    doubled.assert_shows("in about 60 seconds");
    clock.advance_secs(61);
    gw.assert_signs_in(&mut Jar::default(), "li.wei", PASSWORD)
        .await;
    let signed_in = gw
        .events_where(|k| matches!(k, EventKind::SignedIn { .. }))
        .await;
    assert_eq!(signed_in.len(), 3, "{signed_in:?}");

    // The client address has a counter of its own with a higher threshold (8 here): guesses
    // at many usernames make every attempt from it wait, whatever the username.
    clock.advance_secs(25 * 3600);
    let strict = TestGateway::start_on(
        clock.clone(),
        |config, _| config.sign_in.address_lockout_after_failures = 8,
        Some(store),
    )
    .await;
    for i in 0..8 {
        let page = strict
            .sign_in(&mut Jar::default(), &format!("guess{i}"), "Wrong-Horse1")
            .await;
        assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY, "guess {i}");
    }
    let address_waits = strict
        .sign_in(&mut Jar::default(), "zhang.san", PASSWORD)
        .await;
    assert_eq!(address_waits.status, StatusCode::TOO_MANY_REQUESTS);
    strict.stop().await;
}

/// Waits built where only one organization's account is named (the member's own password
/// form) stay with that account: the same username in another organization still
/// signs in on `/me`. Guesses on `/me`, which names no organization, count against every
/// account with the username.
pub async fn a_wait_stays_with_the_account_of_its_organization(
    gw: &TestGateway,
    clock: Arc<ManualClock>,
) {
    gw.account("k1", "Li Wei", "li.wei").await;
    let other = gw.another_organization("Other Ltd").await;
    let account = orgdesk_protocol::MirroredAccount {
        name: "Li Wei (Other)".into(),
        ..super::identity_scenarios::mirrored(
            "li.wei",
            Some(hash_password(NEW_PASSWORD)),
            AccountState::Enabled,
        )
    };
    let mirrored = gw.mirror_with(&other.api_token, vec![account]).await;
    assert_eq!(mirrored.status(), StatusCode::OK);

    // Org A's li.wei is signed in and someone at her keyboard guesses her current password.
    let mut jar = Jar::default();
    gw.assert_signs_in(&mut jar, "li.wei", PASSWORD).await;
    let change = [
        ("current_password", "Wrong-Horse1"),
        ("password", "Fresh-Horse-77"),
        ("password_confirm", "Fresh-Horse-77"),
    ];
    for _ in 0..5 {
        let page = gw.member_form(&mut jar, "/me/password", &change).await;
        assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    }
    let page = gw.member_form(&mut jar, "/me/password", &change).await;
    assert_eq!(page.status, StatusCode::TOO_MANY_REQUESTS, "{}", page.body);
    page.assert_shows("Try again after");
    // Even the right current password waits now.
    let right = [
        ("current_password", PASSWORD),
        ("password", "Fresh-Horse-77"),
        ("password_confirm", "Fresh-Horse-77"),
    ];
    let page = gw.member_form(&mut jar, "/me/password", &right).await;
    assert_eq!(page.status, StatusCode::TOO_MANY_REQUESTS);

    // Org A's li.wei waits on /me as well…
    let a = gw.sign_in(&mut Jar::default(), "li.wei", PASSWORD).await;
    assert_eq!(a.status, StatusCode::TOO_MANY_REQUESTS);
    // …but Org B's li.wei, with her own password, is not held up by it.
    let b = gw
        .sign_in(&mut Jar::default(), "li.wei", NEW_PASSWORD)
        .await;
    assert_eq!(b.kind(), Some("me"), "{}", b.body);
    b.assert_shows("Other Ltd");

    // After the wait, org A's li.wei changes her password with the right current one.
    clock.advance_secs(31);
    let page = gw.member_form(&mut jar, "/me/password", &right).await;
    page.assert_shows("Your password has been changed.");
}

/// A password an admin set in the directory with "must change at next sign-in": the member's
/// page shows only the password form, refuses their details until they choose their own, and
/// the mark is gone once they have (a later mirror without it changes nothing).
pub async fn a_password_set_by_an_admin_must_be_changed_first(
    gw: &TestGateway,
    _clock: Arc<ManualClock>,
) {
    // One hash for both mirrors: a new hash would end the member's sessions.
    let hash = hash_password(PASSWORD);
    let mirror = |account_id: Option<String>, must_change_password: bool| {
        gw.client
            .post(format!("{}/api/v1/accounts/mirror", gw.base))
            .bearer_auth(&gw.creds.api_token)
            .json(&orgdesk_protocol::MirrorAccounts {
                accounts: vec![orgdesk_protocol::MirroredAccount {
                    account_id,
                    username: "chen.jing".into(),
                    password_hash: Some(hash.clone()),
                    state: AccountState::Enabled,
                    name: "Chen Jing".into(),
                    email: None,
                    mobile: None,
                    must_change_password,
                }],
            })
            .send()
    };
    // Signed in before the admin's change, with the details form's token at hand.
    let first = mirror(None, false).await.unwrap();
    assert_eq!(first.status(), StatusCode::OK);
    let bound: orgdesk_protocol::MirroredAccounts = first.json().await.unwrap();
    let mut jar = Jar::default();
    let page = gw.sign_in(&mut jar, "chen.jing", PASSWORD).await;
    assert_eq!(page.kind(), Some("me"), "{}", page.body);
    assert!(!page.body.contains("id=\"must-change\""), "{}", page.body);
    let details_csrf = csrf_for(&page, "/me/details").expect("details form");

    let marked = mirror(Some(bound.account_ids[0].clone()), true)
        .await
        .unwrap();
    assert_eq!(marked.status(), StatusCode::OK);
    let page = gw.get_with(&format!("{}/me", gw.base), &mut jar).await;
    page.assert_shows("id=\"must-change\"");
    page.assert_shows("Choose your own password to go on");
    assert!(!page.body.contains("id=\"save-details\""), "{}", page.body);
    let details = [("name", "Someone Else"), ("mobile", ""), ("email", "")];
    let mut form = vec![("csrf", details_csrf.as_str())];
    form.extend_from_slice(&details);
    let refused = gw
        .post_with(&format!("{}/me/details", gw.base), &mut jar, &form)
        .await;
    assert_eq!(refused.status, StatusCode::CONFLICT, "{}", refused.body);
    assert!(gw
        .events_where(|k| matches!(k, EventKind::PersonalDetailsChanged { .. }))
        .await
        .is_empty());

    let change = [
        ("current_password", PASSWORD),
        ("password", NEW_PASSWORD),
        ("password_confirm", NEW_PASSWORD),
    ];
    let page = gw.member_form(&mut jar, "/me/password", &change).await;
    page.assert_shows("Your password has been changed.");
    assert!(!page.body.contains("id=\"must-change\""), "{}", page.body);
    page.assert_shows("id=\"save-details\"");
    assert_eq!(gw.events_where(is_password_changed).await.len(), 1);
    let saved = gw.member_form(&mut jar, "/me/details", &details).await;
    saved.assert_shows("Your details have been saved.");
}

fn hash_password(password: &str) -> String {
    use argon2::password_hash::PasswordHasher;
    argon2::Argon2::default()
        .hash_password(password.as_bytes())
        .unwrap()
        .to_string()
}

pub async fn member_forms_without_a_valid_csrf_token_are_refused(
    gw: &TestGateway,
    _clock: Arc<ManualClock>,
) {
    gw.account("k1", "Li Wei", "li.wei").await;
    let me_url = format!("{}/me", gw.base);

    // Signing in without the form's token (login CSRF) is refused.
    let mut anonymous = Jar::default();
    let form = gw.get_with(&me_url, &mut anonymous).await;
    assert!(csrf_for(&form, "/me/sign-in").is_some());
    let no_token = gw
        .post_with(
            &format!("{}/me/sign-in", gw.base),
            &mut anonymous,
            &[("username", "li.wei"), ("password", PASSWORD)],
        )
        .await;
    no_token.assert_is(StatusCode::FORBIDDEN, "csrf");
    assert!(anonymous.get("orgdesk_session").is_none());

    let mut jar = Jar::default();
    gw.assert_signs_in(&mut jar, "li.wei", PASSWORD).await;
    let me = gw.get_with(&me_url, &mut jar).await;
    let details_token = csrf_for(&me, "/me/details").unwrap();
    for (action, fields) in [
        (
            "/me/details",
            vec![("name", "Mallory"), ("mobile", ""), ("email", "")],
        ),
        (
            "/me/password",
            vec![
                ("current_password", PASSWORD),
                ("password", NEW_PASSWORD),
                ("password_confirm", NEW_PASSWORD),
            ],
        ),
        ("/me/sign-out", vec![]),
    ] {
        let url = format!("{}{action}", gw.base);
        let missing = gw.post_with(&url, &mut jar, &fields).await;
        assert_eq!(missing.status, StatusCode::FORBIDDEN, "{action}");
        assert_eq!(missing.kind(), Some("csrf"), "{action}");
        let mut wrong = fields.clone();
        wrong.push(("csrf", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"));
        assert_eq!(
            gw.post_with(&url, &mut jar, &wrong).await.status,
            StatusCode::FORBIDDEN,
            "{action}"
        );
        // A token is bound to its form: the details form's token does not post elsewhere.
        if action != "/me/details" {
            let mut borrowed = fields.clone();
            borrowed.push(("csrf", &details_token));
            assert_eq!(
                gw.post_with(&url, &mut jar, &borrowed).await.status,
                StatusCode::FORBIDDEN,
                "{action}"
            );
        }
        // The right token without the browser's CSRF cookie is refused too.
        let token = csrf_for(&gw.get_with(&me_url, &mut jar).await, action).unwrap();
        let mut with_token = fields.clone();
        with_token.push(("csrf", &token));
        let mut cookieless = jar.without("orgdesk_csrf");
        assert_eq!(
            gw.post_with(&url, &mut cookieless, &with_token)
                .await
                .status,
            StatusCode::FORBIDDEN,
            "{action}"
        );
    }
    // Nothing happened: still signed in, no change reported.
    assert_eq!(gw.get_with(&me_url, &mut jar).await.kind(), Some("me"));
    assert!(gw
        .events_where(|k| matches!(
            k,
            EventKind::PersonalDetailsChanged { .. } | EventKind::PasswordChanged { .. }
        ))
        .await
        .is_empty());

    // The reset form too; the link survives the refused post.
    let created = gw
        .created_reset("r1", &reset_request("li.wei", Channel::Link, "Li Wei"))
        .await;
    let form = gw.get(&created.link, None).await;
    let refused = gw
        .post_form(
            &created.link,
            form.cookie().as_deref(),
            &[
                ("password", NEW_PASSWORD),
                ("password_confirm", NEW_PASSWORD),
            ],
        )
        .await;
    assert_eq!(
        (refused.status, refused.kind()),
        (StatusCode::FORBIDDEN, Some("csrf"))
    );
    assert_eq!(
        gw.use_reset(&created.link, NEW_PASSWORD).await.kind(),
        Some("password_changed")
    );
}

/// The member page reads a mobile number by the desktop's own rule: a number with "+" and
/// 8–15 digits that no numbering plan holds is refused (the desktop would refuse it in the
/// event), and a valid one is kept in the E.164 form the desktop writes.
pub async fn the_member_page_reads_mobiles_by_the_desktops_rule(
    gw: &TestGateway,
    _clock: Arc<ManualClock>,
) {
    let (_, mut jar) = gw.registered_and_signed_in("Li Wei", "li.wei").await;
    let details = |k: &EventKind| matches!(k, EventKind::PersonalDetailsChanged { .. });
    // "+", 11 digits, no leading zero, but no such area code: not a number.
    let no_such_number = "+1 555 010 0000";
    assert!(orgdesk_rules::Mobile::parse(no_such_number, "US").is_err());
    for typed in [no_such_number, "+15550100000"] {
        let refused = gw.save_details(&mut jar, "Li Wei", typed, "").await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{typed}");
        assert_problem(
            &refused,
            "The mobile number must be in international format",
            typed,
        );
        let zh = gw
            .member_form(
                &mut jar,
                "/me/details",
                &[
                    ("lang", "zh-CN"),
                    ("name", "Li Wei"),
                    ("mobile", typed),
                    ("email", ""),
                ],
            )
            .await;
        assert_eq!(zh.status, StatusCode::UNPROCESSABLE_ENTITY, "{typed}");
        assert_problem(&zh, "手机号须为国际格式", typed);
    }
    assert!(gw.events_where(details).await.is_empty());

    // A valid number, typed as people type it, is kept as the desktop's rule writes it.
    let typed = "+1 (415) 555-2671";
    let desktop = orgdesk_rules::Mobile::parse(typed, "CN").unwrap();
    assert_eq!(desktop.as_str(), "+14155552671");
    let saved = gw.save_details(&mut jar, "Li Wei", typed, "").await;
    saved.assert_shows("Your details have been saved.");
    saved.assert_shows("value=\"+14155552671\"");
    assert_eq!(
        gw.events_where(details).await,
        [EventKind::PersonalDetailsChanged {
            account_id: Some(gw.account_id_of("li.wei").await),
            username: "li.wei".into(),
            name: None,
            mobile: Some(desktop.as_str().into()),
            email: None,
        }]
    );
}

pub async fn names_are_escaped_on_the_member_page(gw: &TestGateway, _clock: Arc<ManualClock>) {
    gw.account("k1", "<script>alert(1)</script>", "li.wei")
        .await;
    let mut jar = Jar::default();
    let me = gw.sign_in(&mut jar, "li.wei", PASSWORD).await;
    assert_eq!(me.kind(), Some("me"));
    assert!(!me.body.contains("<script>alert(1)"), "{}", me.body);
    me.assert_shows("value=\"&lt;script&gt;alert(1)&lt;&#x2f;script&gt;\"");

    let evil = "\"><img src=x onerror=alert(2)>";
    let saved = gw.save_details(&mut jar, evil, "", "").await;
    saved.assert_shows("Your details have been saved.");
    assert!(!saved.body.contains("<img src=x"), "{}", saved.body);
    assert!(saved
        .body
        .contains("&quot;&gt;&lt;img src=x onerror=alert(2)&gt;"));
    // Refused input is shown back escaped as well.
    let refused = gw.save_details(&mut jar, evil, "<b>bold</b>", "").await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(!refused.body.contains("<b>bold"), "{}", refused.body);
    // The event carries the text as typed: escaping is the page's business.
    assert!(gw
        .events_where(|k| matches!(k, EventKind::PersonalDetailsChanged { .. }))
        .await
        .contains(&EventKind::PersonalDetailsChanged {
            account_id: Some(gw.account_id_of("li.wei").await),
            username: "li.wei".into(),
            name: Some(evil.into()),
            mobile: None,
            email: None,
        }));

    // The reset page shows the organization name as text.
    let mut req = reset_request("li.wei", Channel::Link, "Li Wei");
    req.organization_name = "<b onmouseover=alert(3)>Acme</b>".into();
    let created = gw.created_reset("r1", &req).await;
    let page = gw.get(&created.link, None).await;
    assert!(!page.body.contains("<b onmouseover"), "{}", page.body);
    assert!(page.body.contains("&lt;b onmouseover=alert(3)&gt;Acme"));
}

pub async fn an_expired_invitation_is_reported_once(gw: &TestGateway, clock: Arc<ManualClock>) {
    let create = |key: &'static str, name: &'static str| {
        let gw = &gw;
        async move {
            let c = gw
                .created_invitation(key, &invitation(Channel::Link, name))
                .await;
            c
        }
    };
    let waiting = create("k1", "Li Wei").await;
    let registered = create("k2", "Zhang San").await;
    assert_eq!(
        gw.register(&registered.link, "zhang.san", PASSWORD)
            .await
            .kind(),
        Some("registered")
    );
    let cancelled = create("k3", "Wang Wu").await;
    gw.invitation_action(&cancelled.invitation_id, "cancel")
        .await;
    let expired = |k: &EventKind| matches!(k, EventKind::InvitationExpired { .. });

    // Nothing before the links expire.
    tokio::time::sleep(Duration::from_millis(400)).await;
    assert!(gw.events_where(expired).await.is_empty());

    clock.advance_secs(3 * 24 * 3600);
    let first = gw.wait_for_event(10, expired).await;
    assert_eq!(
        first,
        EventKind::InvitationExpired {
            invitation_id: waiting.invitation_id.clone()
        }
    );
    // Several sweeps later it is still reported once, and only for the pending invitation.
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(gw.events_where(expired).await, std::slice::from_ref(&first));

    // A resend issues a new link; when that one expires too, it is reported again.
    let resent = gw.invitation_action(&waiting.invitation_id, "resend").await;
    assert_eq!(resent.status(), StatusCode::OK);
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(gw.events_where(expired).await.len(), 1);
    clock.advance_secs(3 * 24 * 3600);
    let deadline = Instant::now() + Duration::from_secs(10);
    while gw.events_where(expired).await.len() < 2 {
        assert!(
            Instant::now() < deadline,
            "the second expiry was not reported"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(gw.events_where(expired).await, [first.clone(), first]);
}

pub async fn the_reset_mail_carries_its_link(gw: &TestGateway, _clock: Arc<ManualClock>) {
    gw.account("k1", "Li Wei", "li.wei").await;
    let mut req = reset_request("li.wei", Channel::Email, "li.wei@example.org");
    req.locale = Some("zh-CN".into());
    let created = gw.created_reset("r1", &req).await;
    let file = wait_for_files(&gw.mail_dir(), 1, 10).await.remove(0);
    let raw = std::fs::read_to_string(file).unwrap();
    assert!(raw.contains("multipart/alternative"), "{raw}");
    assert!(raw.contains("To: li.wei@example.org"), "{raw}");
    let (text, html) = mail_parts(&raw);
    for part in [&text, &html] {
        assert!(part.contains(&created.link), "{part}");
        assert!(part.contains("重置您在 Acme Ltd 的密码"), "{part}");
        assert!(part.contains("li.wei"), "{part}");
    }
    let delivered = gw
        .wait_for_event(10, |k| {
            matches!(k, EventKind::PasswordResetDelivered { .. })
        })
        .await;
    assert!(
        matches!(&delivered, EventKind::PasswordResetDelivered { reset_id, message_id }
            if *reset_id == created.reset_id && raw.contains(message_id.as_str())),
        "{delivered:?}"
    );
    // The link from the mail works.
    assert_eq!(
        gw.use_reset(&created.link, NEW_PASSWORD).await.kind(),
        Some("password_changed")
    );
}

/// Ended sessions and stale sign-in and wrong-code counters are pruned in bounded batches;
/// live sessions and fresh counters stay.
pub async fn stale_rows_are_pruned_in_batches(gw: &TestGateway, clock: Arc<ManualClock>) {
    use orgdesk_gateway::store::StaleBefore;
    gw.account("k1", "Li Wei", "li.wei").await;
    let store = gw.store();
    let me_url = format!("{}/me", gw.base);

    // Two sessions and three counters of guessed usernames, two wrong-code counters…
    let (mut old_a, mut old_b) = (Jar::default(), Jar::default());
    for jar in [&mut old_a, &mut old_b] {
        gw.assert_signs_in(jar, "li.wei", PASSWORD).await;
    }
    for ghost in ["ghost1", "ghost2", "ghost3"] {
        let page = gw.sign_in(&mut Jar::default(), ghost, "Wrong-Horse1").await;
        assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    }
    for client in ["198.51.100.1", "198.51.100.2"] {
        store
            .record_code_failure(client, clock.now_secs())
            .await
            .unwrap();
    }
    // …then eight days pass: the sessions are past their seven days, the counters past
    // their day. Fresh ones are made now and must stay.
    clock.advance_secs(8 * 24 * 3600);
    let mut fresh = Jar::default();
    gw.assert_signs_in(&mut fresh, "li.wei", PASSWORD).await;
    let page = gw
        .sign_in(&mut Jar::default(), "ghost4", "Wrong-Horse1")
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    store
        .record_code_failure("198.51.100.3", clock.now_secs())
        .await
        .unwrap();

    let now = clock.now_secs();
    let before = StaleBefore {
        session_seen: now - 12 * 3600,
        session_started: now - 7 * 24 * 3600,
        sign_in_failure: now - 24 * 3600,
        code_failure: now - 24 * 3600,
    };
    // Batches of one: never more than one row of a kind per call.
    let (mut sessions, mut failures, mut codes, mut calls) = (0, 0, 0, 0);
    loop {
        let pruned = store.prune_stale(before, now, 1).await.unwrap();
        assert!(
            pruned.sessions <= 1 && pruned.sign_in_failures <= 1 && pruned.code_failures <= 1,
            "{pruned:?}"
        );
        if pruned.total() == 0 {
            break;
        }
        sessions += pruned.sessions;
        failures += pruned.sign_in_failures;
        codes += pruned.code_failures;
        calls += 1;
        assert!(calls <= 10, "pruning does not finish");
    }
    assert_eq!((sessions, failures, codes), (2, 3, 2));
    // The gateway's own run finds nothing more.
    assert_eq!(gw.gateway.as_ref().unwrap().prune_now().await.unwrap(), 0);

    // What was fresh still works: the new session, the new counters.
    assert_eq!(gw.get_with(&me_url, &mut fresh).await.kind(), Some("me"));
    assert_eq!(
        gw.get_with(&me_url, &mut old_a).await.kind(),
        Some("sign_in")
    );
    assert_eq!(store.code_lockout("198.51.100.3", now).await.unwrap(), None);
    for _ in 0..4 {
        gw.sign_in(&mut Jar::default(), "ghost4", "Wrong-Horse1")
            .await;
    }
    // ghost4's counter survived the pruning: its fifth failure has made it wait.
    let waits = gw
        .sign_in(&mut Jar::default(), "ghost4", "Wrong-Horse1")
        .await;
    assert_eq!(waits.status, StatusCode::TOO_MANY_REQUESTS);
}

/// Asserts that `page` lists a problem that starts with `prefix` (`what` was typed).
fn assert_problem(page: &Page, prefix: &str, what: &str) {
    let problems = problems(page);
    assert!(
        problems.iter().any(|p| p.starts_with(prefix)),
        "{what}: {problems:?}"
    );
}
