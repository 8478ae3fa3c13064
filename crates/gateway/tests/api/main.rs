//! The gateway's API and pages over real HTTP on 127.0.0.1:0 with the SQLite store, mail
//! written to files and a clock the tests move. The same scenarios run on PostgreSQL in the
//! `postgres` suite.

#[path = "../common/mod.rs"]
#[macro_use]
mod common;

mod hardening;

use common::{scenarios, TestGateway};

macro_rules! sqlite_test {
    ($name:ident) => {
        #[tokio::test]
        async fn $name() {
            let (gw, clock) = TestGateway::manual().await;
            scenarios::$name(gw, clock).await;
        }
    };
}

for_each_scenario!(sqlite_test);

macro_rules! sqlite_identity_test {
    ($name:ident) => {
        #[tokio::test]
        async fn $name() {
            let (gw, clock) = TestGateway::manual().await;
            common::identity_scenarios::$name(gw, clock).await;
        }
    };
}

for_each_identity_scenario!(sqlite_identity_test);

/// Behind an https public address, the member page's cookies are marked Secure (and stay
/// HttpOnly, SameSite=Strict; the session cookie only for /me).
#[tokio::test]
async fn member_cookies_are_secure_under_https() {
    use common::members::{csrf_for, Jar, PASSWORD};
    let clock = std::sync::Arc::new(orgdesk_gateway::ManualClock::starting_now());
    let gw = TestGateway::start(clock, |config, _| {
        config.public_url = "https://members.example.org".into();
    })
    .await;
    // Links name the public address; this test reaches the gateway directly.
    let created: orgdesk_protocol::InvitationCreated = gw
        .create(
            "k1",
            &common::invitation(orgdesk_protocol::Channel::Link, "Li Wei"),
        )
        .await
        .json()
        .await
        .unwrap();
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
        csrf_cookie.starts_with("orgdesk_csrf=")
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
    assert!(session.starts_with("orgdesk_session="), "{session}");
    for attribute in ["Path=/me", "HttpOnly", "SameSite=Strict", "Secure"] {
        assert!(
            session.contains(attribute),
            "{attribute} missing: {session}"
        );
    }
    assert_eq!(
        posted.headers["strict-transport-security"],
        "max-age=31536000"
    );
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
