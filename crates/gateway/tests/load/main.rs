//! A load test from a second process: the real `orgdesk-gateway` binary serves on SQLite with
//! the file mailer, and this process drives 10,000 email invitations and 10,000 event-feed
//! requests through it over loopback with bounded concurrency, then reads the whole feed.
//! Every answer must be the expected one and the feed must report every invitation's
//! delivery exactly once. Nothing here measures time.

#[path = "../common/binary.rs"]
mod binary;
#[path = "../common/driver.rs"]
mod driver;

use std::collections::HashSet;
use std::time::{Duration, Instant};

use orgdesk_protocol::{Channel, CreateInvitation, EventKind, InvitationCreated};
use reqwest::Method;

const N: usize = 10_000;
const CONCURRENCY: usize = 16;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ten_thousand_invitations_and_feed_requests_from_another_process() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("gateway.toml");
    // The per-organization invitation limit (6,000 a minute by default) would refuse part of
    // this burst: this test raises it, as an operator expecting such bursts would.
    std::fs::write(
        &config,
        format!(
            r#"listen = "127.0.0.1:0"
database = "{db}"
pepper_file = "{pepper}"

[mail]
transport = "file"
dir = "{mail}"
from = "Orgdesk <noreply@example.org>"

[delivery]
poll_interval_ms = 50

[limits]
invitations_per_minute = 1000000
"#,
            db = dir.path().join("gateway.db").display(),
            pepper = dir.path().join("pepper").display(),
            mail = dir.path().join("mail").display(),
        ),
    )
    .unwrap();

    let (mut server, api) = driver::start(&config, CONCURRENCY);

    // 10,000 creations, each its own invitation with its own key and recipient.
    let created: Vec<InvitationCreated> =
        driver::run_on_api(N, CONCURRENCY, &api, |api, i| async move {
            let req = CreateInvitation {
                channel: Channel::Email,
                recipient: format!("person{i}@example.org"),
                invitee_name: format!("Person {i}"),
                organization_name: "Acme Ltd".into(),
                department_label: "Engineering".into(),
                position_label: String::new(),
                inviter_name: "Ann Admin".into(),
                expires_in_secs: None,
                locale: None,
            };
            let r = api
                .request(Method::POST, "/api/v1/invitations")
                .header("Idempotency-Key", format!("load-{i}"))
                .json(&req)
                .send()
                .await
                .expect("create request");
            assert_eq!(r.status(), 201, "creation {i}");
            r.json::<InvitationCreated>().await.expect("created body")
        })
        .await;
    let ids: HashSet<String> = created.iter().map(|c| c.invitation_id.clone()).collect();
    assert_eq!(ids.len(), N, "every creation made its own invitation");

    // 10,000 feed requests while the outbox delivers; each page is well-formed and in order.
    let pages: Vec<usize> = driver::run_on_api(N, CONCURRENCY, &api, |api, i| async move {
        let after = (i % 50) as i64 * 100;
        let page = api.events_page(&format!("after={after}&limit=100")).await;
        assert!(page.events.len() <= 100);
        assert!(page.events.windows(2).all(|w| w[0].seq < w[1].seq));
        assert!(page.events.iter().all(|e| e.seq > after));
        page.events.len()
    })
    .await;
    assert_eq!(pages.len(), N);

    // The whole feed: one delivery per invitation, nothing failed, no event twice.
    let mut cursor = 0;
    let mut delivered: HashSet<String> = HashSet::new();
    let mut seen_events: HashSet<String> = HashSet::new();
    let deadline = Instant::now() + Duration::from_secs(120);
    while delivered.len() < N {
        assert!(
            Instant::now() < deadline,
            "only {} of {N} deliveries reported",
            delivered.len()
        );
        let page = api
            .events_page(&format!("after={cursor}&limit=1000&wait=2"))
            .await;
        for e in &page.events {
            assert!(e.seq > cursor);
            assert!(seen_events.insert(e.id.clone()), "event {} twice", e.id);
            match &e.kind {
                EventKind::InvitationDelivered { invitation_id, .. } => {
                    assert!(ids.contains(invitation_id), "unknown {invitation_id}");
                    assert!(
                        delivered.insert(invitation_id.clone()),
                        "{invitation_id} twice"
                    );
                }
                other => panic!("unexpected event {other:?}"),
            }
        }
        cursor = page.next_cursor;
    }
    assert_eq!(delivered, ids);
    let mails = std::fs::read_dir(dir.path().join("mail"))
        .unwrap()
        .filter_map(Result::ok)
        .filter(|e| e.path().extension().is_some_and(|x| x == "eml"))
        .count();
    assert_eq!(mails, N, "one mail per invitation");

    let status = server.stop();
    assert!(status.success(), "{status:?}");
}
