//! `/healthz`, `/readyz` and the metrics listener on SQLite (the same checks run on
//! PostgreSQL in the `postgres` suite), and what `/readyz` says when it is not ready.

use crate::common::probes::{probes_and_metrics_answer, with_metrics};
use crate::common::TestGateway;

#[tokio::test]
async fn probes_and_metrics_answer_on_sqlite() {
    probes_and_metrics_answer(None).await;
}

#[tokio::test]
async fn the_metrics_listener_is_off_by_default() {
    let (gw, _clock) = TestGateway::manual().await;
    assert_eq!(gw.gateway.as_ref().unwrap().metrics_addr(), None);
    gw.stop().await;
}

/// A database behind this build's schema (another instance rolled back, a restore of an old
/// backup) is reported with 503 and the reason, and ready again once it is current.
#[tokio::test]
async fn readyz_answers_503_with_the_reason_when_migrations_are_missing() {
    let gw = with_metrics(None).await;
    let db = gw.dir.path().join("gateway.db");
    let conn = rusqlite::Connection::open(&db).unwrap();
    let current: i64 = conn
        .pragma_query_value(None, "user_version", |r| r.get(0))
        .unwrap();
    conn.pragma_update(None, "user_version", current - 1)
        .unwrap();

    let ready = gw.fetch("/readyz").await;
    assert_eq!(ready.status(), 503);
    let body: serde_json::Value = ready.json().await.unwrap();
    assert_eq!(body["status"], "unavailable");
    assert_eq!(body["code"], "migrations_pending");
    let reason = body["reason"].as_str().unwrap();
    assert!(
        reason.contains(&format!("at migration {}", current - 1))
            && reason.contains(&format!("needs {current}")),
        "{reason}"
    );
    // The process itself is up.
    let health = gw.get(&format!("{}/healthz", gw.base), None).await;
    assert_eq!(health.status, 200);

    conn.pragma_update(None, "user_version", current).unwrap();
    let again = gw.get(&format!("{}/readyz", gw.base), None).await;
    assert_eq!(again.status, 200, "{}", again.body);
    gw.stop().await;
}

/// The metrics address must not be the public one.
#[test]
fn metrics_listen_must_differ_from_listen() {
    let same = "database='a'\nlisten='127.0.0.1:8470'\nmetrics_listen='127.0.0.1:8470'";
    let refused = orgdesk_gateway::Config::from_toml(same).unwrap_err();
    assert!(refused.to_string().contains("metrics_listen"), "{refused}");
    let other = "database='a'\nlisten='127.0.0.1:8470'\nmetrics_listen='127.0.0.1:9470'";
    assert!(orgdesk_gateway::Config::from_toml(other).is_ok());
}
