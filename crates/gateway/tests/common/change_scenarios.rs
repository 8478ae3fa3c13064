//! Team mode's change log over HTTP, on every store: numbering, retries, refusals and the
//! long-poll; and the event feed read by every device of a team.

use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;

use orgdesk_gateway::{Clock, ManualClock};
use orgdesk_protocol::{AckEvents, ApiError, ChangesPage, EventKind, EventsPage};
use reqwest::{Method, StatusCode};
use serde_json::json;

use super::assert_api_error;
use super::TestGateway;

pub async fn the_change_log_numbers_changes_densely_once_each(
    gw: &TestGateway,
    _clock: Arc<ManualClock>,
) {
    let (li, one) = gw.account_with_device("li.wei", "Office PC").await;
    let (wang, two) = gw.account_with_device("wang.fang", "Laptop").await;
    assert_eq!(gw.change_log().await.next_cursor, 0);

    assert_eq!(
        gw.appended(&one.device_token, &["c1", "c2", "c3"]).await,
        [1, 2, 3]
    );
    // Change ids belong to their device: another device's "c1" is another change.
    assert_eq!(gw.appended(&two.device_token, &["c1", "x"]).await, [4, 5]);
    // A retry after a lost answer: what was sent keeps its number, the rest is appended.
    assert_eq!(gw.appended(&one.device_token, &["c2", "c4"]).await, [2, 6]);
    // An id sent before with another body is refused, and nothing of the request is kept.
    let reused = json!([
        {"change_id": "new", "body": {"op": "x"}},
        {"change_id": "c3", "body": {"op": "something else"}}
    ]);
    let r = gw.append(&one.device_token, reused).await;
    assert_eq!(r.status(), StatusCode::CONFLICT);
    let error: ApiError = r.json().await.unwrap();
    assert_eq!(error.code, "change_id_reused");
    assert!(
        error
            .message
            .starts_with("changes[1].change_id was sent before"),
        "{}",
        error.message
    );

    let log = gw.change_log().await;
    assert_eq!(log.next_cursor, 6);
    let seqs: Vec<i64> = log.changes.iter().map(|c| c.seq).collect();
    assert_eq!(seqs, [1, 2, 3, 4, 5, 6]);
    let authors: Vec<(&str, &str, &str)> = log
        .changes
        .iter()
        .map(|c| {
            (
                c.change_id.as_str(),
                c.device_id.as_str(),
                c.account_id.as_str(),
            )
        })
        .collect();
    let (d1, d2) = (one.device_id.as_str(), two.device_id.as_str());
    assert_eq!(
        authors,
        [
            ("c1", d1, li.as_str()),
            ("c2", d1, li.as_str()),
            ("c3", d1, li.as_str()),
            ("c1", d2, wang.as_str()),
            ("x", d2, wang.as_str()),
            ("c4", d1, li.as_str()),
        ]
    );
    assert_eq!(
        serde_json::Value::Object(log.changes[4].body.clone()),
        json!({"op": "rename", "id": "x"})
    );

    // Pages after a cursor; a device reads the log too.
    let r = gw.read_changes(&two.device_token, 3, "&limit=2").await;
    assert_eq!(r.status(), StatusCode::OK);
    let page: ChangesPage = r.json().await.unwrap();
    let seqs: Vec<i64> = page.changes.iter().map(|c| c.seq).collect();
    assert_eq!((seqs, page.next_cursor), (vec![4, 5], 5));

    // A long-poll after the end wakes on the next append.
    let waiting = gw.waiting_for_changes(&two.device_token, 6).await;
    assert_eq!(gw.appended(&one.device_token, &["c5"]).await, [7]);
    let (r, took) = waiting.await.unwrap();
    let page: ChangesPage = r.json().await.unwrap();
    assert_eq!(page.changes.len(), 1);
    assert_eq!((page.changes[0].seq, page.next_cursor), (7, 7));
    assert!(took < Duration::from_secs(10), "{took:?}");
    // An empty wait answers the cursor back.
    let r = gw.read_changes(&gw.creds.api_token, 7, "&wait=0").await;
    let page: ChangesPage = r.json().await.unwrap();
    assert_eq!((page.changes.len(), page.next_cursor), (0, 7));
}

pub async fn the_change_log_refuses_bad_changes_by_name(
    gw: &TestGateway,
    _clock: Arc<ManualClock>,
) {
    let (_, device) = gw.account_with_device("li.wei", "Office PC").await;
    let token = device.device_token.as_str();

    // The API token names no author.
    let r = gw.append_one(&gw.creds.api_token, "a").await;
    assert_api_error(r, StatusCode::FORBIDDEN, "device_token_required").await;

    let item = |id: &str| json!({"change_id": id, "body": {"op": "x"}});
    let too_many: Vec<_> = (0..501).map(|i| item(&format!("c{i}"))).collect();
    let big = "x".repeat(64 * 1024);
    let cases = [
        (json!([]), "changes must hold at least one change"),
        (too_many.into(), "changes holds 501 changes; at most 500"),
        (
            json!([item("a"), item("b"), item("c"), item("d e")]),
            "changes[3].change_id must be 1 to 64 characters",
        ),
        (json!([item("a"), item("")]), "changes[1].change_id must be"),
        (
            json!([item(&"x".repeat(65))]),
            "changes[0].change_id must be",
        ),
        (
            json!([item("a"), item("a")]),
            "changes[1].change_id repeats",
        ),
        (
            json!([item("a"), {"change_id": "b", "body": {"text": big}}]),
            "changes[1].body is 65547 bytes of JSON; at most 65536",
        ),
        (
            json!([{"change_id": "a", "body": [1]}]),
            "the body is not a valid request",
        ),
        (
            json!([{"change_id": "a"}]),
            "the body is not a valid request",
        ),
    ];
    for (changes, message) in cases {
        let r = gw.append(token, changes).await;
        assert_eq!(r.status(), StatusCode::BAD_REQUEST);
        let error: ApiError = r.json().await.unwrap();
        assert_eq!(error.code, "invalid_request");
        assert!(
            error.message.starts_with(message),
            "{message}: {}",
            error.message
        );
    }
    // Nothing of a refused request was kept; 500 changes are taken at once.
    assert_eq!(gw.change_log().await.next_cursor, 0);
    let ids: Vec<String> = (0..500).map(|i| format!("c{i}")).collect();
    let ids: Vec<&str> = ids.iter().map(String::as_str).collect();
    let seqs = gw.appended(token, &ids).await;
    assert_eq!(seqs, (1..=500).collect::<Vec<i64>>());
    let r = gw.read_changes(token, 0, "&limit=oops").await;
    assert_api_error(r, StatusCode::BAD_REQUEST, "invalid_request").await;
    let page: ChangesPage = gw
        .read_changes(token, 0, "&limit=5000")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(page.changes.len(), 500);
    let unique: HashSet<&str> = page.changes.iter().map(|c| c.change_id.as_str()).collect();
    assert_eq!(unique.len(), 500);
}

pub async fn a_revoked_device_can_neither_append_nor_read(
    gw: &TestGateway,
    _clock: Arc<ManualClock>,
) {
    let (_, device) = gw.account_with_device("li.wei", "Office PC").await;
    let token = device.device_token.as_str();
    assert_eq!(gw.appended(token, &["a"]).await, [1]);
    let r = gw.revoke(&gw.creds.api_token, &device.device_id).await;
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    gw.assert_device_refused(token).await;
    // What it sent before stays in the log, still named as its.
    let log = gw.change_log().await;
    assert_eq!(log.changes.len(), 1);
    assert_eq!(log.changes[0].device_id, device.device_id);
}

impl TestGateway {
    /// The feed's events after `after` as `token` (a device's, or the API token).
    async fn feed_as(&self, token: &str, after: i64) -> Vec<i64> {
        let path = format!("/api/v1/events?after={after}&limit=100");
        let r = self.team_call(Method::GET, &path, token, None).await;
        assert_eq!(r.status(), StatusCode::OK);
        let page: EventsPage = r.json().await.unwrap();
        page.events.iter().map(|e| e.seq).collect()
    }

    /// Acknowledges the feed up to `up_to` as `token`.
    async fn ack_as(&self, token: &str, up_to: i64) {
        let body = AckEvents { up_to };
        let r = self.team_post("/api/v1/events/ack", token, &body).await;
        assert_eq!(r.status(), StatusCode::NO_CONTENT);
    }
}

pub async fn every_device_reads_the_feed_until_all_have_acknowledged(
    gw: &TestGateway,
    clock: Arc<ManualClock>,
) {
    let (_, a) = gw.account_with_device("li.wei", "Office PC").await;
    let (_, b) = gw.account_with_device("wang.fang", "Laptop").await;
    let (_, revoked) = gw.account_with_device("zhao.lei", "Old PC").await;
    let r = gw.revoke(&gw.creds.api_token, &revoked.device_id).await;
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    let org = gw.creds.organization_id.clone();
    let before = gw.feed_as(&a.device_token, 0).await;
    for i in 0..3 {
        let kind = EventKind::Declined {
            invitation_id: format!("inv{i}"),
        };
        let store = gw.store();
        store
            .append_event(&org, kind, clock.now_secs())
            .await
            .unwrap();
    }
    let all = gw.feed_as(&a.device_token, 0).await;
    assert_eq!(all.len(), before.len() + 3);
    let last = *all.last().unwrap();

    // A's acknowledgement is A's: B (and the API token) still read every event.
    gw.ack_as(&a.device_token, last).await;
    assert_eq!(gw.feed_as(&a.device_token, 0).await, all);
    assert_eq!(gw.feed_as(&b.device_token, 0).await, all);
    // B acknowledges part: what both passed is gone, the rest stays for B.
    gw.ack_as(&b.device_token, all[all.len() - 2]).await;
    assert_eq!(gw.feed_as(&b.device_token, 0).await, [last]);
    // The revoked device, which never acknowledged, holds nothing back.
    gw.ack_as(&b.device_token, last).await;
    assert!(gw.feed_as(&a.device_token, 0).await.is_empty());

    // The API token reads beside the team: it holds what it has not acknowledged ...
    let kind = EventKind::Declined {
        invitation_id: "later".into(),
    };
    gw.store()
        .append_event(&org, kind, clock.now_secs())
        .await
        .unwrap();
    let later = gw.feed_as(&a.device_token, 0).await;
    assert_eq!(later.len(), 1);
    gw.ack_as(&gw.creds.api_token, last).await;
    gw.ack_as(&a.device_token, later[0]).await;
    gw.ack_as(&b.device_token, later[0]).await;
    assert_eq!(gw.feed_as(&b.device_token, 0).await, later);
    // ... until it has not acknowledged for 30 days: a token nobody reads with holds nothing.
    clock.advance_secs(31 * 86_400);
    gw.ack_as(&b.device_token, later[0]).await;
    assert!(gw.feed_as(&b.device_token, 0).await.is_empty());
}
