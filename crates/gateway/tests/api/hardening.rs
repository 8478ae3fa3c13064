//! Guards against clients that try to hold or flood the gateway: deadlines, connection caps,
//! a bounded stop, body limits, and per-client budgets keyed by the real client address.
//! Everything runs on loopback (127.0.0.1 and 127.0.0.2); no test asserts a speed, only that
//! what must close does close within a generous bound.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use orgdesk_gateway::config::Config;
use orgdesk_gateway::ManualClock;
use reqwest::StatusCode;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpSocket, TcpStream};

use crate::common::members::{csrf_for, Jar};
use crate::common::TestGateway;

/// Far longer than any deadline the tests configure.
const GENEROUS: Duration = Duration::from_secs(15);

async fn start(adjust: impl FnOnce(&mut Config)) -> TestGateway {
    let clock = Arc::new(ManualClock::starting_now());
    TestGateway::start(clock, |config, _| adjust(config)).await
}

fn addr(gw: &TestGateway) -> SocketAddr {
    gw.gateway.as_ref().expect("running").local_addr()
}

/// A connection from `from` (127.0.0.1 or another loopback address).
async fn connect_from(from: [u8; 4], to: SocketAddr) -> TcpStream {
    let socket = TcpSocket::new_v4().expect("socket");
    socket
        .bind(SocketAddr::from((from, 0)))
        .expect("bind loopback");
    socket.connect(to).await.expect("connect")
}

/// Reads until the peer closes; what it sent before. Panics if it stays open too long.
async fn read_until_closed(stream: &mut TcpStream) -> String {
    let mut seen = Vec::new();
    let closed = tokio::time::timeout(GENEROUS, async {
        let mut buf = [0u8; 4096];
        loop {
            match stream.read(&mut buf).await {
                Ok(0) | Err(_) => return,
                Ok(n) => seen.extend_from_slice(&buf[..n]),
            }
        }
    })
    .await;
    assert!(closed.is_ok(), "the gateway kept the connection open");
    String::from_utf8_lossy(&seen).into_owned()
}

/// Reads one answer whose body ends with `</html>`.
async fn read_page(stream: &mut TcpStream) -> String {
    let mut seen = Vec::new();
    tokio::time::timeout(GENEROUS, async {
        let mut buf = [0u8; 4096];
        while !String::from_utf8_lossy(&seen).contains("</html>") {
            let n = stream.read(&mut buf).await.expect("read");
            assert!(n > 0, "closed before the answer was complete");
            seen.extend_from_slice(&buf[..n]);
        }
    })
    .await
    .expect("an answer");
    String::from_utf8_lossy(&seen).into_owned()
}

const GET: &[u8] = b"GET /nowhere HTTP/1.1\r\nHost: gw\r\n\r\n";

/// A gateway with the given header and idle deadlines (seconds), adjusted further by `adjust`.
async fn start_with_deadlines(
    header_secs: u64,
    idle_secs: u64,
    adjust: impl FnOnce(&mut Config),
) -> TestGateway {
    start(|c| {
        c.server.header_timeout_secs = header_secs;
        c.server.idle_timeout_secs = idle_secs;
        adjust(c);
    })
    .await
}

/// A connection from `from` that has been answered once (a 404 page), so that the gateway
/// has taken it in and counts it.
async fn answered_connection(from: [u8; 4], to: SocketAddr) -> TcpStream {
    let mut s = connect_from(from, to).await;
    s.write_all(GET).await.unwrap();
    assert!(read_page(&mut s).await.starts_with("HTTP/1.1 404"));
    s
}

/// One connection from each of `from`, each answered once (see `answered_connection`).
async fn answered_connections(from: &[[u8; 4]], to: SocketAddr) -> Vec<TcpStream> {
    let mut held = Vec::new();
    for from in from {
        held.push(answered_connection(*from, to).await);
    }
    held
}

/// What the gateway sends on a connection that sends `bytes`, until it closes it.
async fn seen_after_sending(gw: &TestGateway, bytes: &[u8]) -> String {
    let mut stream = TcpStream::connect(addr(gw)).await.unwrap();
    stream.write_all(bytes).await.unwrap();
    read_until_closed(&mut stream).await
}

/// What a connection from `from` that sends a request gets before it is closed.
async fn seen_before_closed(from: [u8; 4], to: SocketAddr) -> String {
    let mut s = connect_from(from, to).await;
    let _ = s.write_all(GET).await;
    read_until_closed(&mut s).await
}

#[tokio::test]
async fn headers_that_trickle_in_are_cut_off() {
    let gw = start_with_deadlines(1, 60, |_| {}).await;
    let seen = seen_after_sending(&gw, b"GET /nowhere HTTP/1.1\r\nHost: gw\r\n").await;
    assert!(!seen.contains("200 OK"), "{seen}");
    gw.stop().await;
}

#[tokio::test]
async fn a_body_that_trickles_in_is_refused() {
    let gw = start(|c| c.server.body_timeout_secs = 1).await;
    let seen = seen_after_sending(
        &gw,
        b"POST /me/sign-in HTTP/1.1\r\nHost: gw\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 100\r\n\r\ncsrf=",
    )
    .await;
    assert!(seen.starts_with("HTTP/1.1 408"), "{seen}");
    gw.stop().await;
}

#[tokio::test]
async fn an_idle_connection_is_closed() {
    let gw = start_with_deadlines(60, 1, |_| {}).await;
    let seen = seen_after_sending(&gw, GET).await;
    assert!(seen.starts_with("HTTP/1.1 404"), "{seen}");
    gw.stop().await;
}

#[tokio::test]
async fn one_address_cannot_take_every_connection() {
    let gw = start_with_deadlines(60, 60, |c| c.server.max_connections_per_client = 2).await;
    let to = addr(&gw);
    let mut held = answered_connections(&[[127, 0, 0, 1]; 2], to).await;
    let seen = seen_before_closed([127, 0, 0, 1], to).await;
    assert!(seen.is_empty(), "the third connection was served: {seen}");
    // Another address still gets through.
    answered_connection([127, 0, 0, 2], to).await;
    // A connection given back makes room again.
    drop(held.pop());
    let again = tokio::time::timeout(GENEROUS, async {
        loop {
            let mut s = connect_from([127, 0, 0, 1], to).await;
            if s.write_all(GET).await.is_ok() {
                let mut buf = [0u8; 12];
                if s.read_exact(&mut buf).await.is_ok() {
                    return buf;
                }
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    })
    .await
    .expect("a slot comes free");
    assert_eq!(&again, b"HTTP/1.1 404");
    drop(held);
    gw.stop().await;
}

#[tokio::test]
async fn the_connection_cap_holds_for_everyone() {
    let gw = start_with_deadlines(60, 60, |c| c.server.max_connections = 2).await;
    let to = addr(&gw);
    let held = answered_connections(&[[127, 0, 0, 1], [127, 0, 0, 2]], to).await;
    assert!(seen_before_closed([127, 0, 0, 3], to).await.is_empty());
    drop(held);
    gw.stop().await;
}

#[tokio::test]
async fn a_half_sent_request_does_not_hold_up_the_stop() {
    let gw = start_with_deadlines(300, 300, |c| c.server.shutdown_grace_secs = 1).await;
    let mut half = answered_connection([127, 0, 0, 1], addr(&gw)).await;
    half.write_all(b"POST /me/sign-in HTTP/1.1\r\nHost: gw\r\nContent-Le")
        .await
        .unwrap();
    // `stop` allows 10 s; without the bound the header deadline (300 s) would hold it.
    gw.stop().await;
    read_until_closed(&mut half).await;
}

#[tokio::test]
async fn oversized_bodies_get_413() {
    let gw = start(|c| c.server.max_body_bytes = 1024).await;
    let big = "x".repeat(4096);
    let api = gw
        .api(reqwest::Method::POST, "/api/v1/invitations")
        .header("Idempotency-Key", "big")
        .header("Content-Type", "application/json")
        .body(format!("{{\"recipient\":\"{big}\"}}"))
        .send()
        .await
        .unwrap();
    assert_eq!(api.status(), StatusCode::PAYLOAD_TOO_LARGE);
    let error: orgdesk_protocol::ApiError = api.json().await.unwrap();
    assert_eq!(error.code, "request_too_large");

    let page = gw
        .post_form(
            &format!("{}/me/sign-in", gw.base),
            None,
            &[("csrf", "x"), ("username", &big)],
        )
        .await;
    assert_eq!(page.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(page.headers["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/html"));
    page.assert_shows("too large");
    // Within the limit, the form is read as usual (a missing CSRF token is refused).
    let small = gw
        .post_form(&format!("{}/me/sign-in", gw.base), None, &[("csrf", "x")])
        .await;
    assert_eq!(small.status, StatusCode::FORBIDDEN);
    gw.stop().await;
}

/// Snapshots have a limit of their own, larger than other requests' by default: past it
/// they get 413 with that limit named.
#[tokio::test]
async fn oversized_snapshots_get_413() {
    let gw = start(|c| c.server.max_snapshot_bytes = 2048).await;
    let api = gw.creds.api_token.clone();
    let r = gw.put_snapshot(&api, "?at_seq=0", &[1u8; 4096]).await;
    assert_eq!(r.status(), StatusCode::PAYLOAD_TOO_LARGE);
    let error: orgdesk_protocol::ApiError = r.json().await.unwrap();
    assert_eq!(error.code, "request_too_large");
    assert!(error.message.contains("(2048 bytes)"), "{}", error.message);
    assert_eq!(gw.kept_snapshot(&api, 0, &[1u8; 2048]).await, 0);
    gw.stop().await;
}

/// Posts the sign-in form (a wrong password for a new username each time, so that no
/// sign-in lockout gets in the way) with a valid CSRF token, claiming to come from
/// `forwarded_for` when given.
async fn sign_in_post(gw: &TestGateway, forwarded_for: Option<&str>) -> StatusCode {
    static N: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let username = format!(
        "nobody{}",
        N.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
    );
    let mut jar = Jar::default();
    let form = gw.get_with(&format!("{}/me", gw.base), &mut jar).await;
    let csrf = csrf_for(&form, "/me/sign-in").expect("csrf");
    let mut req = gw
        .client
        .post(format!("{}/me/sign-in", gw.base))
        .header("Cookie", jar.header().unwrap())
        .form(&[
            ("csrf", csrf.as_str()),
            ("username", username.as_str()),
            ("password", "wrong"),
        ]);
    if let Some(xff) = forwarded_for {
        req = req.header("X-Forwarded-For", xff);
    }
    req.send().await.unwrap().status()
}

#[tokio::test]
async fn junk_without_a_csrf_token_uses_up_nobodys_budget() {
    let gw = start(|c| c.limits.form_posts_per_minute = 2).await;
    for _ in 0..10 {
        let junk = gw
            .post_form(
                &format!("{}/me/sign-in", gw.base),
                None,
                &[("username", "a")],
            )
            .await;
        assert_eq!(junk.status, StatusCode::FORBIDDEN);
    }
    assert_eq!(
        sign_in_post(&gw, None).await,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    assert_eq!(
        sign_in_post(&gw, None).await,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    // The budget is real: the third valid post in the minute is refused.
    assert_eq!(sign_in_post(&gw, None).await, StatusCode::TOO_MANY_REQUESTS);
    gw.stop().await;
}

#[tokio::test]
async fn forwarded_for_from_an_untrusted_peer_is_ignored() {
    let gw = start(|c| c.limits.form_posts_per_minute = 2).await;
    for xff in ["203.0.113.1", "203.0.113.2"] {
        assert_eq!(
            sign_in_post(&gw, Some(xff)).await,
            StatusCode::UNPROCESSABLE_ENTITY
        );
    }
    // Every post came from 127.0.0.1, whatever the header said.
    assert_eq!(
        sign_in_post(&gw, Some("203.0.113.3")).await,
        StatusCode::TOO_MANY_REQUESTS
    );
    gw.stop().await;
}

#[tokio::test]
async fn behind_a_trusted_proxy_each_client_has_its_budget_and_a_64_is_one_client() {
    let gw = start(|c| {
        c.limits.form_posts_per_minute = 2;
        c.server.trusted_proxies = vec!["127.0.0.1".into()];
    })
    .await;
    let ok = StatusCode::UNPROCESSABLE_ENTITY;
    // Two clients behind the proxy: separate budgets.
    assert_eq!(sign_in_post(&gw, Some("203.0.113.1")).await, ok);
    assert_eq!(sign_in_post(&gw, Some("203.0.113.1")).await, ok);
    assert_eq!(
        sign_in_post(&gw, Some("203.0.113.1")).await,
        StatusCode::TOO_MANY_REQUESTS
    );
    // What the client wrote to the left of the proxy's entry is not believed.
    assert_eq!(
        sign_in_post(&gw, Some("198.51.100.9, 203.0.113.1")).await,
        StatusCode::TOO_MANY_REQUESTS
    );
    assert_eq!(sign_in_post(&gw, Some("203.0.113.2")).await, ok);
    // Two addresses in one IPv6 /64 share a budget; the next /64 has its own.
    assert_eq!(sign_in_post(&gw, Some("2001:db8:1:2::1")).await, ok);
    assert_eq!(sign_in_post(&gw, Some("2001:db8:1:2:ffff::9")).await, ok);
    assert_eq!(
        sign_in_post(&gw, Some("2001:db8:1:2:abcd::1")).await,
        StatusCode::TOO_MANY_REQUESTS
    );
    assert_eq!(sign_in_post(&gw, Some("2001:db8:1:3::1")).await, ok);
    gw.stop().await;
}

#[tokio::test]
async fn names_with_bidirectional_controls_are_refused() {
    let gw = start(|_| {}).await;
    let mut req = crate::common::invitation(orgdesk_protocol::Channel::Link, "Li Wei");
    req.invitee_name = "Li\u{202E}nimda".into();
    let refused = gw.create("bidi", &req).await;
    assert_eq!(refused.status(), StatusCode::BAD_REQUEST);
    let error: orgdesk_protocol::ApiError = refused.json().await.unwrap();
    assert_eq!(error.code, "invalid_request");
    req.invitee_name = "Li Wei".into();
    assert_eq!(gw.create("plain", &req).await.status(), StatusCode::CREATED);
    gw.stop().await;
}

#[tokio::test]
async fn plaintext_smtp_credentials_are_refused_at_start() {
    let dir = tempfile::tempdir().unwrap();
    let mut config = Config::local(
        dir.path().join("gateway.db").to_string_lossy().into_owned(),
        dir.path().join("mail"),
    );
    config.mail = orgdesk_gateway::config::MailConfig::Smtp(orgdesk_gateway::config::SmtpConfig {
        host: "127.0.0.1".into(),
        port: 2525,
        tls: orgdesk_gateway::config::SmtpTls::None,
        from: "Orgdesk <noreply@example.org>".into(),
        username: Some("relay".into()),
        password_env: Some("ORGDESK_TEST_UNSET".into()),
        timeout_secs: 5,
        ca_file: None,
        allow_plaintext_auth: false,
    });
    let Err(refused) = orgdesk_gateway::serve(config).await else {
        panic!("a gateway that would send SMTP credentials in the clear started");
    };
    assert!(refused.to_string().contains("in the clear"), "{refused}");
}

/// The retention pruning runs by itself every `retention.interval_secs`.
#[tokio::test]
async fn stale_rows_are_pruned_periodically() {
    let clock = Arc::new(ManualClock::starting_now());
    let gw = TestGateway::start(clock.clone(), |config, _| {
        config.retention.interval_secs = 1;
    })
    .await;
    assert_eq!(
        sign_in_post(&gw, None).await,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    clock.advance_secs(2 * 24 * 3600);
    let gateway = gw.gateway.as_ref().expect("running");
    let deadline = tokio::time::Instant::now() + GENEROUS;
    while gateway.pruned_rows() < 2 {
        assert!(
            tokio::time::Instant::now() < deadline,
            "the stale counters were not pruned"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    gw.stop().await;
}
