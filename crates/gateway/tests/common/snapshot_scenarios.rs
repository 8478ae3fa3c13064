//! Team mode's directory snapshots over HTTP, on every store: the newest kept per
//! organization, read by devices only, larger than other requests may be.

use std::sync::Arc;

use orgdesk_gateway::ManualClock;
use orgdesk_protocol::{SnapshotKept, SNAPSHOT_AT_SEQ_HEADER, SNAPSHOT_PATH};
use reqwest::StatusCode;

use super::assert_api_error;
use super::TestGateway;

impl TestGateway {
    /// `PUT /api/v1/team/snapshot` as `token`, with `query` (`?at_seq=…`) and `bytes`.
    pub async fn put_snapshot(&self, token: &str, query: &str, bytes: &[u8]) -> reqwest::Response {
        self.client
            .put(format!("{}{SNAPSHOT_PATH}{query}", self.base))
            .bearer_auth(token)
            .body(bytes.to_vec())
            .send()
            .await
            .unwrap()
    }

    /// A snapshot put as `token` at `at_seq` (it must succeed): the position kept now.
    pub async fn kept_snapshot(&self, token: &str, at_seq: i64, bytes: &[u8]) -> i64 {
        let r = self
            .put_snapshot(token, &format!("?at_seq={at_seq}"), bytes)
            .await;
        assert_eq!(r.status(), StatusCode::OK);
        r.json::<SnapshotKept>().await.unwrap().at_seq
    }

    /// `GET /api/v1/team/snapshot` as `token`.
    pub async fn get_snapshot(&self, token: &str) -> reqwest::Response {
        self.client
            .get(format!("{}{SNAPSHOT_PATH}", self.base))
            .bearer_auth(token)
            .send()
            .await
            .unwrap()
    }
}

pub async fn the_newest_snapshot_is_kept_and_read_by_devices(
    gw: &TestGateway,
    _clock: Arc<ManualClock>,
) {
    let api = gw.creds.api_token.clone();
    let (_, device) = gw.account_with_device("li.wei", "Office PC").await;
    let token = device.device_token.as_str();
    let r = gw.get_snapshot(token).await;
    assert_api_error(r, StatusCode::NOT_FOUND, "no_snapshot").await;

    // The first, with the API token, before any change; larger than any other request may be.
    let first = vec![7u8; 600 * 1024];
    assert_eq!(gw.kept_snapshot(&api, 0, &first).await, 0);
    let r = gw.get_snapshot(token).await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()[SNAPSHOT_AT_SEQ_HEADER], "0");
    assert_eq!(r.bytes().await.unwrap(), first);

    // Never beyond the log: a computer starting there would miss changes.
    let r = gw.put_snapshot(token, "?at_seq=1", b"ahead").await;
    assert_api_error(r, StatusCode::BAD_REQUEST, "invalid_request").await;
    assert_eq!(gw.appended(token, &["c1", "c2", "c3"]).await, [1, 2, 3]);
    assert_eq!(gw.kept_snapshot(token, 3, b"at three").await, 3);
    // An older one does not replace a newer.
    assert_eq!(gw.kept_snapshot(&api, 2, b"at two").await, 3);
    let r = gw.get_snapshot(token).await;
    assert_eq!(r.headers()[SNAPSHOT_AT_SEQ_HEADER], "3");
    assert_eq!(&r.bytes().await.unwrap()[..], b"at three");

    for (query, body) in [
        ("", &b"x"[..]),
        ("?at_seq=-1", b"x"),
        ("?at_seq=two", b"x"),
        ("?at_seq=3", b""),
    ] {
        let r = gw.put_snapshot(token, query, body).await;
        assert_api_error(r, StatusCode::BAD_REQUEST, "invalid_request").await;
    }

    // Reading names a device; a revoked one reads nothing.
    let r = gw.get_snapshot(&api).await;
    assert_api_error(r, StatusCode::FORBIDDEN, "device_token_required").await;
    let r = gw.revoke(&api, &device.device_id).await;
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    let r = gw.get_snapshot(token).await;
    assert_api_error(r, StatusCode::UNAUTHORIZED, "unauthorized").await;
    let r = gw.put_snapshot(token, "?at_seq=3", b"late").await;
    assert_api_error(r, StatusCode::UNAUTHORIZED, "unauthorized").await;
}
