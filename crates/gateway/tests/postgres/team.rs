//! Team mode with two gateway instances on one database: devices of one organization append
//! through both at once, and the change log stays dense and in one order; a long-poll on one
//! instance wakes on an append through the other, which announces it to every instance's
//! listener once committed; a device revoked through one is refused by the other, and its
//! long-poll there ends.

use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;

use orgdesk_gateway::store::{
    ChangeAuthor, ChangeText, Feed, GatewayStore, NewChanges, PostgresStore,
};
use orgdesk_gateway::ManualClock;
use orgdesk_protocol::{ChangesPage, DeviceCredential};
use reqwest::StatusCode;

use crate::common::members::PASSWORD;
use crate::common::postgres::PgServer;
use crate::common::{created, TestGateway};

/// Two gateways on one fresh database, sharing a clock.
async fn two_instances(pg: &PgServer) -> (TestGateway, TestGateway) {
    let url = pg.database().await;
    let clock = Arc::new(ManualClock::starting_now());
    let mut gateways = Vec::new();
    for _ in 0..2 {
        let store: Arc<dyn GatewayStore> =
            Arc::new(PostgresStore::connect(&url, 5).await.expect("store"));
        gateways.push(TestGateway::start_on(clock.clone(), |_, _| {}, Some(store)).await);
    }
    let b = gateways.pop().unwrap();
    (gateways.pop().unwrap(), b)
}

/// `count` changes named `prefix0`, `prefix1`, … appended by `device` through `gw` in
/// batches of 20.
async fn append_all(gw: &TestGateway, device: &DeviceCredential, prefix: &str, count: usize) {
    let ids: Vec<String> = (0..count).map(|i| format!("{prefix}{i}")).collect();
    for batch in ids.chunks(20) {
        let batch: Vec<&str> = batch.iter().map(String::as_str).collect();
        gw.appended(&device.device_token, &batch).await;
    }
}

/// The whole change log as `gw` reads it with `token`.
async fn whole_log(gw: &TestGateway, token: &str) -> ChangesPage {
    let r = gw.read_changes(token, 0, "&limit=1000").await;
    assert_eq!(r.status(), StatusCode::OK);
    r.json().await.unwrap()
}

pub async fn two_instances_share_one_change_log(pg: &PgServer) {
    let (a, b) = two_instances(pg).await;
    let api = a.creds.api_token.clone();
    let li = a.mirror_enabled("li.wei", PASSWORD).await;
    let wang = a.mirror_enabled("wang.fang", PASSWORD).await;
    let on_a = a.device_of(&li, "Office PC").await;
    let r = b.register_device_with(&api, &wang, "Laptop").await;
    let on_b: DeviceCredential = created(r).await;

    // 2 × 200 changes through both instances at once.
    tokio::join!(
        append_all(&a, &on_a, "a", 200),
        append_all(&b, &on_b, "b", 200)
    );
    let (log_a, log_b) = (whole_log(&a, &api).await, whole_log(&b, &api).await);
    assert_eq!(log_a, log_b);
    let seqs: Vec<i64> = log_a.changes.iter().map(|c| c.seq).collect();
    assert_eq!(seqs, (1..=400).collect::<Vec<i64>>());
    let once: HashSet<(&str, &str)> = log_a
        .changes
        .iter()
        .map(|c| (c.device_id.as_str(), c.change_id.as_str()))
        .collect();
    assert_eq!(once.len(), 400);
    // Each device's changes keep the order it sent them in.
    for (device, prefix) in [(&on_a, "a"), (&on_b, "b")] {
        let sent: Vec<&str> = log_a
            .changes
            .iter()
            .filter(|c| c.device_id == device.device_id)
            .map(|c| c.change_id.as_str())
            .collect();
        let expected: Vec<String> = (0..200).map(|i| format!("{prefix}{i}")).collect();
        assert_eq!(sent, expected);
    }

    // A long-poll on B wakes on an append through A, announced to B once committed.
    let waiting = b.waiting_for_changes(&on_b.device_token, 400).await;
    assert_eq!(a.appended(&on_a.device_token, &["late"]).await, [401]);
    let (r, took) = waiting.await.unwrap();
    let page: ChangesPage = r.json().await.unwrap();
    assert_eq!(page.changes.len(), 1, "{page:?}");
    assert_eq!(page.changes[0].change_id, "late");
    assert!(took < Duration::from_secs(2), "{took:?}");

    // A device revoked through A is refused by B at once, and its long-poll on B ends.
    let took = a.revoke_while_polling(&b, &on_b, 401).await;
    assert!(took < Duration::from_secs(2), "{took:?}");
    b.assert_device_refused(&on_b.device_token).await;
    let author = ChangeAuthor {
        org_id: a.creds.organization_id.clone(),
        device_id: on_a.device_id.clone(),
        account_id: li,
    };
    appends_are_announced(&a, &b, author).await;
    a.stop().await;
    b.stop().await;
}

/// The next feed `heard` tells of, within 2 s.
async fn next_heard(heard: &mut tokio::sync::mpsc::UnboundedReceiver<Feed>) -> Feed {
    tokio::time::timeout(Duration::from_secs(2), heard.recv())
        .await
        .expect("heard within 2 s")
        .expect("still listening")
}

/// B's listener hears, once committed, what is appended through A's store: a change, an
/// event, a revocation of `author`'s device; a refused append announces nothing.
async fn appends_are_announced(a: &TestGateway, b: &TestGateway, author: ChangeAuthor) {
    let (tell, mut heard) = tokio::sync::mpsc::unbounded_channel();
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let listening = {
        let b = b.store();
        tokio::spawn(async move {
            let wake = move |feed| {
                let _ = tell.send(feed);
            };
            b.hear_appends(&wake, stopped).await;
        })
    };
    // Once listening, every feed is woken: whatever came before may have been missed.
    let mut first = Vec::new();
    for _ in Feed::ALL {
        first.push(next_heard(&mut heard).await);
    }
    assert_eq!(first, Feed::ALL);

    let store = a.store();
    let org = author.org_id.clone();
    let change = |body: &str| NewChanges {
        author: author.clone(),
        changes: vec![ChangeText {
            change_id: "announced".into(),
            body: body.into(),
        }],
    };
    store.append_changes(change("{}"), 0).await.unwrap();
    assert_eq!(next_heard(&mut heard).await, Feed::Changes);
    let refused = store.append_changes(change(r#"{"other":1}"#), 0).await;
    assert!(refused.is_err(), "{refused:?}");
    let kind = orgdesk_protocol::EventKind::PasswordChanged {
        account_id: Some(author.account_id.clone()),
        username: "li.wei".into(),
        password_hash: "$argon2id$v=19$new".into(),
    };
    store.append_event(&org, kind, 0).await.unwrap();
    assert_eq!(next_heard(&mut heard).await, Feed::Events);
    assert!(store
        .revoke_device(&org, &author.device_id, 0)
        .await
        .unwrap());
    assert_eq!(next_heard(&mut heard).await, Feed::Devices);

    stop.send_replace(true);
    listening.await.unwrap();
    assert!(heard.try_recv().is_err(), "nothing else was announced");
}
