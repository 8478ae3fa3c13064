//! One identity per person: account ids in the feed, the directory's mirror of its usernames
//! and its refusals. Run on every store like the other scenarios.

use std::sync::Arc;

use argon2::password_hash::PasswordHasher;
use argon2::Argon2;
use orgdesk_gateway::ManualClock;
use orgdesk_protocol::{
    AccountState, ApiError, Channel, EventKind, JoinLinkRules, MirrorAccounts, MirroredAccount,
    MirroredAccounts, RefuseAccount, MAX_MIRRORED_ACCOUNTS,
};
use reqwest::StatusCode;

use super::assert_api_error;
use super::members::{reset_request, Jar, NEW_PASSWORD, PASSWORD};
use super::{Page, TestGateway};

#[macro_export]
macro_rules! for_each_identity_scenario {
    ($m:ident) => {
        $m!(one_person_keeps_one_account_id_in_every_event);
        $m!(a_mirrored_username_cannot_be_registered_or_joined);
        $m!(the_mirror_takes_over_an_account_registered_under_a_directory_username);
        $m!(a_reserved_account_cannot_sign_in_or_get_a_reset);
        $m!(a_bad_mirror_is_refused_whole);
        $m!(a_refused_account_is_removed_and_told_why);
        $m!(organizations_do_not_reach_each_others_accounts);
    };
}

fn hash(password: &str) -> String {
    Argon2::default()
        .hash_password(password.as_bytes())
        .unwrap()
        .to_string()
}

/// An account as the directory mirrors it, named "USERNAME (directory)".
pub fn mirrored(
    username: &str,
    password_hash: Option<String>,
    state: AccountState,
) -> MirroredAccount {
    MirroredAccount {
        account_id: None,
        username: username.into(),
        password_hash,
        state,
        name: format!("{username} (directory)"),
        email: None,
        mobile: None,
        must_change_password: false,
    }
}

fn no_approval() -> JoinLinkRules {
    JoinLinkRules {
        organization_name: "Acme Ltd".into(),
        approval_required: false,
        required_fields: vec![],
        expires_at: None,
    }
}

impl TestGateway {
    pub async fn mirror_with(
        &self,
        token: &str,
        accounts: Vec<MirroredAccount>,
    ) -> reqwest::Response {
        self.client
            .post(format!("{}/api/v1/accounts/mirror", self.base))
            .bearer_auth(token)
            .json(&MirrorAccounts { accounts })
            .send()
            .await
            .unwrap()
    }

    /// Mirrors one enabled account `username` with `password`; its account id.
    pub async fn mirror_enabled(&self, username: &str, password: &str) -> String {
        let account = mirrored(username, Some(hash(password)), AccountState::Enabled);
        self.mirror(vec![account]).await.remove(0)
    }

    /// Mirrors `accounts` and answers their ids (the request must succeed).
    pub async fn mirror(&self, accounts: Vec<MirroredAccount>) -> Vec<String> {
        let r = self.mirror_with(&self.creds.api_token, accounts).await;
        assert_eq!(r.status(), StatusCode::OK);
        r.json::<MirroredAccounts>().await.unwrap().account_ids
    }

    pub async fn refuse_with(
        &self,
        token: &str,
        account_id: &str,
        reason: &str,
    ) -> reqwest::Response {
        self.client
            .post(format!(
                "{}/api/v1/accounts/{account_id}/refusal",
                self.base
            ))
            .bearer_auth(token)
            .json(&RefuseAccount {
                reason: reason.into(),
            })
            .send()
            .await
            .unwrap()
    }

    /// The id of the account the latest `signed_in` of `username` named.
    async fn signed_in_as(&self, username: &str) -> Option<String> {
        self.events_where(|k| matches!(k, EventKind::SignedIn { username: u, .. } if u == username))
            .await
            .into_iter()
            .next_back()
            .and_then(|k| match k {
                EventKind::SignedIn { account_id, .. } => account_id,
                _ => None,
            })
    }

    /// Joins through the public link (no approval) as `username`; the page and the status link.
    async fn join_as(&self, link: &str, username: &str) -> (Page, Option<String>) {
        let page = self
            .join_via_link(link, &[("name", "Joiner"), ("username", username)])
            .await;
        let marker = "id=\"status-link\" href=\"";
        let status = page.body.find(marker).map(|start| {
            let rest = &page.body[start + marker.len()..];
            rest[..rest.find('"').unwrap()].replace("&#x2f;", "/")
        });
        (page, status)
    }
}

fn is_sign_in_refused(page: &Page) -> bool {
    page.status == StatusCode::UNPROCESSABLE_ENTITY
        && page.body.contains("The username or password is incorrect.")
}

pub async fn one_person_keeps_one_account_id_in_every_event(
    gw: &TestGateway,
    _clock: Arc<ManualClock>,
) {
    let (id, mut jar) = gw.registered_and_signed_in("Li Wei", "li.wei").await;
    gw.member_form(
        &mut jar,
        "/me/details",
        &[("name", "Li Wei (Eng)"), ("mobile", ""), ("email", "")],
    )
    .await;
    gw.member_form(
        &mut jar,
        "/me/password",
        &[
            ("current_password", PASSWORD),
            ("password", NEW_PASSWORD),
            ("password_confirm", NEW_PASSWORD),
        ],
    )
    .await;
    let named: Vec<Option<String>> = gw
        .all_events()
        .await
        .into_iter()
        .filter_map(|e| match e.kind {
            EventKind::Registered { account_id, .. }
            | EventKind::SignedIn { account_id, .. }
            | EventKind::PasswordChanged { account_id, .. }
            | EventKind::PersonalDetailsChanged { account_id, .. } => Some(account_id),
            _ => None,
        })
        .collect();
    assert_eq!(named.len(), 4, "{named:?}");
    assert!(named.iter().all(|n| n.as_ref() == Some(&id)), "{named:?}");

    // A reset link names the same account.
    let created = gw
        .created_reset("r1", &reset_request("li.wei", Channel::Link, "Li Wei"))
        .await;
    gw.use_reset(&created.link, PASSWORD).await;
    let resets = gw
        .events_where(|k| matches!(k, EventKind::PasswordChanged { .. }))
        .await;
    assert_eq!(resets.len(), 2);
    assert!(
        matches!(&resets[1], EventKind::PasswordChanged { account_id: Some(a), .. } if *a == id)
    );

    // Someone who joins is named in join_requested with the account they then sign in to.
    let link = gw.put_join_link(&no_approval()).await.link.unwrap();
    let (joined, _) = gw.join_as(&link, "zhang.san").await;
    assert_eq!(joined.status, StatusCode::OK, "{}", joined.body);
    let joined_id = gw.account_id_of("zhang.san").await;
    assert_ne!(joined_id, id);
    let mut jar = Jar::default();
    gw.assert_signs_in(&mut jar, "zhang.san", PASSWORD).await;
    assert_eq!(gw.signed_in_as("zhang.san").await, Some(joined_id));
}

pub async fn a_mirrored_username_cannot_be_registered_or_joined(
    gw: &TestGateway,
    _clock: Arc<ManualClock>,
) {
    let ids = gw
        .mirror(vec![
            mirrored("alice", Some(hash(PASSWORD)), AccountState::Enabled),
            mirrored("reserved", None, AccountState::Enabled),
            mirrored("off", Some(hash(PASSWORD)), AccountState::Disabled),
            mirrored("gone", Some(hash(PASSWORD)), AccountState::Removed),
        ])
        .await;
    assert_eq!(ids.len(), 4);
    assert!(
        ids.iter()
            .all(|id| id.starts_with("acc_") && id.len() == 36),
        "{ids:?}"
    );
    let link = gw.put_join_link(&no_approval()).await.link.unwrap();
    for (i, username) in ["ALICE", "reserved", "Off", "gone"].into_iter().enumerate() {
        let invited = gw.link_invitation(&format!("k{i}"), "Someone").await;
        let taken = gw.register(&invited.link, username, "Stranger-Pass9").await;
        assert_eq!(taken.status, StatusCode::UNPROCESSABLE_ENTITY, "{username}");
        taken.assert_shows("This username is already taken");
        let (joined, _) = gw.join_as(&link, username).await;
        assert_eq!(
            joined.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{username}"
        );
        joined.assert_shows("This username is already taken");
    }
    assert!(gw
        .events_where(|k| matches!(
            k,
            EventKind::Registered { .. } | EventKind::JoinRequested { .. }
        ))
        .await
        .is_empty());

    // A request that was waiting for approval under a username the directory then mirrors
    // is turned down, and its status page says why.
    let mut waiting = no_approval();
    waiting.approval_required = true;
    gw.put_join_link(&waiting).await;
    let (pending, status) = gw.join_as(&link, "boris").await;
    assert_eq!(pending.status, StatusCode::OK, "{}", pending.body);
    gw.mirror(vec![mirrored("boris", None, AccountState::Enabled)])
        .await;
    let page = gw.get(&status.unwrap(), None).await;
    assert_eq!(page.kind(), Some("refused"), "{}", page.body);
    page.assert_shows("already used in the organization&#x27;s directory");
}

pub async fn the_mirror_takes_over_an_account_registered_under_a_directory_username(
    gw: &TestGateway,
    _clock: Arc<ManualClock>,
) {
    // A stranger registers the directory's Super Admin username before the mirror arrives.
    let (strangers, mut stranger) = gw.registered_and_signed_in("Stranger", "alice").await;

    let alice = gw.mirror_enabled("Alice", NEW_PASSWORD).await;
    assert_ne!(alice, strangers, "the directory's alice is a new account");
    // The stranger's session is over and their password opens nothing.
    let me = gw.get_with(&format!("{}/me", gw.base), &mut stranger).await;
    assert_eq!(me.kind(), Some("sign_in"), "{}", me.body);
    let mut jar = Jar::default();
    assert!(is_sign_in_refused(
        &gw.sign_in(&mut jar, "alice", PASSWORD).await
    ));
    // The directory's password does, under the new id, with the directory's name.
    let page = gw.sign_in(&mut jar, "alice", NEW_PASSWORD).await;
    assert_eq!(page.kind(), Some("me"), "{}", page.body);
    page.assert_shows("Alice (directory)");
    assert_eq!(gw.signed_in_as("Alice").await, Some(alice.clone()));

    // Mirroring it again under its id keeps it; a new password ends its sessions.
    let mut again = mirrored("Alice", Some(hash(PASSWORD)), AccountState::Enabled);
    again.account_id = Some(alice.clone());
    assert_eq!(
        gw.mirror(vec![again.clone()]).await,
        std::slice::from_ref(&alice)
    );
    let me = gw.get_with(&format!("{}/me", gw.base), &mut jar).await;
    assert_eq!(me.kind(), Some("sign_in"));
    gw.assert_signs_in(&mut jar, "alice", PASSWORD).await;

    // Renamed in the directory: the old username's account is removed, the new one is new.
    again.username = "alice.w".into();
    let renamed = gw.mirror(vec![again]).await;
    assert_ne!(renamed, std::slice::from_ref(&alice));
    let me = gw.get_with(&format!("{}/me", gw.base), &mut jar).await;
    assert_eq!(me.kind(), Some("sign_in"));
    let mut other = Jar::default();
    let old = gw.sign_in(&mut other, "alice", PASSWORD).await;
    assert_eq!(old.status, StatusCode::FORBIDDEN, "{}", old.body);
    gw.assert_signs_in(&mut other, "alice.w", PASSWORD).await;
}

pub async fn a_reserved_account_cannot_sign_in_or_get_a_reset(
    gw: &TestGateway,
    _clock: Arc<ManualClock>,
) {
    gw.mirror(vec![mirrored("reserved", None, AccountState::Enabled)])
        .await;
    let mut jar = Jar::default();
    for password in ["", PASSWORD, "$argon2id$"] {
        let page = gw.sign_in(&mut jar, "reserved", password).await;
        assert!(is_sign_in_refused(&page), "{}", page.body);
    }
    assert!(jar.get("orgdesk_session").is_none());
    let r = gw.reset_for("r1", "reserved", Channel::Link, "R").await;
    assert_api_error(r, StatusCode::CONFLICT, "account_reserved").await;
    // Accepting an invitation by signing in with it is refused the same way.
    let invited = gw.link_invitation("k1", "Someone").await;
    let url = format!("{}/sign-in", invited.link);
    let form = gw.get(&url, None).await;
    let page = gw
        .post_back(
            &form,
            &url,
            &[("username", "reserved"), ("password", PASSWORD)],
        )
        .await;
    assert!(is_sign_in_refused(&page), "{}", page.body);
}

pub async fn a_bad_mirror_is_refused_whole(gw: &TestGateway, _clock: Arc<ManualClock>) {
    let weak = hash(PASSWORD).replace("m=19456,t=2,p=1", "m=8,t=1,p=1");
    let cases = [
        (
            vec![
                mirrored("bob", Some(hash(PASSWORD)), AccountState::Enabled),
                mirrored("carol", Some(weak), AccountState::Enabled),
            ],
            "accounts[1].password_hash",
        ),
        (
            vec![
                mirrored("bob", None, AccountState::Enabled),
                mirrored("no spaces", None, AccountState::Enabled),
            ],
            "accounts[1].username",
        ),
        (
            vec![MirroredAccount {
                name: "Bob\u{7}".into(),
                ..mirrored("bob", None, AccountState::Enabled)
            }],
            "accounts[0].name",
        ),
        (
            vec![
                mirrored("bob", None, AccountState::Enabled),
                mirrored("BOB", None, AccountState::Enabled),
            ],
            "accounts[1].username",
        ),
        (
            (0..=MAX_MIRRORED_ACCOUNTS)
                .map(|i| mirrored(&format!("user{i}"), None, AccountState::Enabled))
                .collect(),
            "at most 500",
        ),
    ];
    for (accounts, named) in cases {
        let r = gw.mirror_with(&gw.creds.api_token, accounts).await;
        assert_eq!(r.status(), StatusCode::BAD_REQUEST);
        let error: ApiError = r.json().await.unwrap();
        assert_eq!(error.code, "invalid_request");
        assert!(error.message.contains(named), "{}", error.message);
    }
    // Nothing was written: bob is still free.
    let invited = gw.link_invitation("k1", "Someone").await;
    let done = gw.register(&invited.link, "bob", PASSWORD).await;
    assert_eq!(done.kind(), Some("registered"), "{}", done.body);
    // Without the organization's token, nothing.
    let r = gw.mirror_with("org_x.nothing", vec![]).await;
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
}

pub async fn a_refused_account_is_removed_and_told_why(gw: &TestGateway, _clock: Arc<ManualClock>) {
    let link = gw.put_join_link(&no_approval()).await.link.unwrap();
    let (joined, status) = gw.join_as(&link, "carol").await;
    assert_eq!(joined.status, StatusCode::OK, "{}", joined.body);
    let id = gw.account_id_of("carol").await;
    let mut jar = Jar::default();
    gw.assert_signs_in(&mut jar, "carol", PASSWORD).await;

    let reason = "The username <carol> is used in the directory.";
    let r = gw.refuse_with(&gw.creds.api_token, &id, reason).await;
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    // The session is over; the right password shows the reason (escaped), a wrong one does not.
    let me = gw.get_with(&format!("{}/me", gw.base), &mut jar).await;
    assert_eq!(me.kind(), Some("sign_in"));
    let wrong = gw.sign_in(&mut Jar::default(), "carol", NEW_PASSWORD).await;
    assert!(is_sign_in_refused(&wrong), "{}", wrong.body);
    assert!(!wrong.body.contains("not accepted"));
    let right = gw.sign_in(&mut Jar::default(), "carol", PASSWORD).await;
    right.assert_is(StatusCode::FORBIDDEN, "refused");
    right.assert_shows(
        "Your registration was not accepted: The username &lt;carol&gt; is used in the directory.",
    );
    let status = status.unwrap();
    let page = gw.get(&status, None).await;
    assert_eq!(page.kind(), Some("refused"), "{}", page.body);
    page.assert_shows("&lt;carol&gt;");
    let zh = gw.get(&format!("{status}?lang=zh-CN"), None).await;
    zh.assert_shows("您的注册未被接受：");

    // An account the directory mirrors is the directory's: a refusal changes nothing.
    let dana = gw.mirror_enabled("dana", PASSWORD).await;
    let r = gw.refuse_with(&gw.creds.api_token, &dana, "no").await;
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    gw.assert_signs_in(&mut Jar::default(), "dana", PASSWORD)
        .await;

    // Unknown ids and bad reasons.
    let r = gw
        .refuse_with(&gw.creds.api_token, "acc_nobody", "no")
        .await;
    assert_api_error(r, StatusCode::NOT_FOUND, "not_found").await;
    for bad in ["", "line\nbreak", &"x".repeat(501)] {
        let r = gw.refuse_with(&gw.creds.api_token, &id, bad).await;
        assert_eq!(r.status(), StatusCode::BAD_REQUEST, "{bad:?}");
    }
}

pub async fn organizations_do_not_reach_each_others_accounts(
    gw: &TestGateway,
    _clock: Arc<ManualClock>,
) {
    gw.account("k1", "Alice", "alice").await;
    let alices = gw.account_id_of("alice").await;
    let other = gw.another_organization("Other").await;
    // The other organization cannot refuse it…
    let r = gw.refuse_with(&other.api_token, &alices, "mine").await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    // …nor take it over by naming its id (refused); without it, it gets an account of its own.
    let mut named = mirrored("alice", Some(hash(NEW_PASSWORD)), AccountState::Enabled);
    named.account_id = Some(alices.clone());
    let r = gw.mirror_with(&other.api_token, vec![named.clone()]).await;
    assert_api_error(r, StatusCode::CONFLICT, "account_taken").await;
    named.account_id = None;
    let r = gw.mirror_with(&other.api_token, vec![named]).await;
    assert_eq!(r.status(), StatusCode::OK);
    let theirs = r.json::<MirroredAccounts>().await.unwrap().account_ids;
    assert_ne!(theirs[0], alices);
    // The first organization's alice is untouched: same password, same id.
    gw.assert_signs_in(&mut Jar::default(), "alice", PASSWORD)
        .await;
    assert_eq!(gw.signed_in_as("alice").await, Some(alices.clone()));
}
