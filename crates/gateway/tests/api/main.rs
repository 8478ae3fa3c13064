//! The gateway's API and pages over real HTTP on 127.0.0.1:0 with the SQLite store, mail
//! written to files and a clock the tests move. The same scenarios run on PostgreSQL in the
//! `postgres` suite.

#[path = "../common/mod.rs"]
#[macro_use]
mod common;

mod hardening;
mod links;
mod probes;

use common::{scenarios, TestGateway};

/// A test of the scenario `name` (from any family) on a fresh gateway with the SQLite store.
macro_rules! sqlite_test {
    ($name:ident) => {
        #[tokio::test]
        async fn $name() {
            let (gw, clock) = TestGateway::manual().await;
            scenarios::$name(&gw, clock).await;
            gw.stop().await;
        }
    };
}

for_each_scenario!(sqlite_test);
for_each_identity_scenario!(sqlite_test);
for_each_guard_scenario!(sqlite_test);

/// Team mode's scenarios, named `team::…` so that they run together.
mod team {
    use super::common::{scenarios, TestGateway};

    for_each_team_scenario!(sqlite_test);
}

/// Behind an https public address every cookie carries the `__Host-` prefix (so the browser
/// takes it only with Secure, Path=/ and no Domain) and stays HttpOnly, SameSite=Strict.
#[tokio::test]
async fn cookies_take_the_host_prefix_under_https() {
    use common::members::{csrf_for, Jar, PASSWORD};
    let clock = std::sync::Arc::new(orgdesk_gateway::ManualClock::starting_now());
    let gw = TestGateway::start(clock, |config, _| {
        config.public_url = "https://members.example.org".into();
    })
    .await;
    // Links name the public address; this test reaches the gateway directly.
    let created = gw
        .created_invitation(
            "k1",
            &common::invitation(orgdesk_protocol::Channel::Link, "Li Wei"),
        )
        .await;
    assert!(created.link.starts_with("https://members.example.org/i/"));
    let link = created
        .link
        .replace("https://members.example.org", &gw.base);
    let done = gw.register(&link, "li.wei", PASSWORD).await;
    assert_eq!(done.kind(), Some("registered"));
    let mut jar = Jar::default();
    let form = gw.get_with(&format!("{}/me", gw.base), &mut jar).await;
    let csrf_cookie = form.headers["set-cookie"].to_str().unwrap().to_owned();
    assert!(
        csrf_cookie.starts_with("__Host-orgdesk_csrf=")
            && csrf_cookie.contains("Path=/;")
            && !csrf_cookie.contains("Domain")
            && csrf_cookie.contains("HttpOnly")
            && csrf_cookie.contains("SameSite=Strict")
            && csrf_cookie.contains("Secure"),
        "{csrf_cookie}"
    );
    let posted = gw
        .post_with(
            &format!("{}/me/sign-in", gw.base),
            &mut jar,
            &[
                ("csrf", &csrf_for(&form, "/me/sign-in").unwrap()),
                ("username", "li.wei"),
                ("password", PASSWORD),
            ],
        )
        .await;
    assert_eq!(posted.status, reqwest::StatusCode::SEE_OTHER);
    let session = posted.headers["set-cookie"].to_str().unwrap();
    assert!(session.starts_with("__Host-orgdesk_session="), "{session}");
    for attribute in ["Path=/;", "HttpOnly", "SameSite=Strict", "Secure"] {
        assert!(
            session.contains(attribute),
            "{attribute} missing: {session}"
        );
    }
    assert!(!session.contains("Domain"), "{session}");
    assert_eq!(
        posted.headers["strict-transport-security"],
        "max-age=31536000"
    );
    // The prefixed cookies are the ones read: the member page opens, and signing out drops
    // the session cookie under the same name and path.
    let me = gw.follow(posted, &mut jar).await;
    assert_eq!(me.kind(), Some("me"), "{}", me.body);
    let out = gw.member_form(&mut jar, "/me/sign-out", &[]).await;
    assert_eq!(out.kind(), Some("sign_in"));
    assert!(jar.get("__Host-orgdesk_session").is_none());
    // A cookie under the plain name is not taken for the prefixed one.
    let plain = gw
        .get(
            &format!("{}/me", gw.base),
            Some(&format!("orgdesk_session={}", "A".repeat(43))),
        )
        .await;
    assert!(!plain.body.contains("Your session has ended"));
    gw.stop().await;
}

/// On http loopback (the embedded gateway) the cookies keep their plain names, and the
/// session cookie its /me path; none is marked Secure.
#[tokio::test]
async fn cookies_keep_plain_names_on_http_loopback() {
    use common::members::{csrf_for, Jar};
    let (gw, _clock) = TestGateway::manual().await;
    let mut jar = Jar::default();
    let form = gw.get_with(&format!("{}/me", gw.base), &mut jar).await;
    let csrf_cookie = form.headers["set-cookie"].to_str().unwrap().to_owned();
    assert!(csrf_cookie.starts_with("orgdesk_csrf="), "{csrf_cookie}");
    assert!(!csrf_cookie.contains("Secure"), "{csrf_cookie}");
    assert!(csrf_for(&form, "/me/sign-in").is_some());
    gw.stop().await;
}

macro_rules! sqlite_provider_test {
    ($name:ident) => {
        #[tokio::test]
        async fn $name() {
            scenarios::$name(None).await;
        }
    };
}

for_each_provider_scenario!(sqlite_provider_test);
