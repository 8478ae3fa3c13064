//! The probes and the metrics listener, on any store: `/healthz`, `/readyz`, and
//! `GET /metrics` on its own address counting requests by route pattern.

use std::sync::Arc;

use orgdesk_gateway::store::GatewayStore;
use orgdesk_gateway::ManualClock;

use super::TestGateway;

/// A gateway with the metrics listener on a free loopback port.
pub async fn with_metrics(store: Option<Arc<dyn GatewayStore>>) -> TestGateway {
    let clock = Arc::new(ManualClock::starting_now());
    TestGateway::start_on(
        clock,
        |config, _| config.metrics_listen = Some("127.0.0.1:0".parse().unwrap()),
        store,
    )
    .await
}

pub async fn probes_and_metrics_answer(store: Option<Arc<dyn GatewayStore>>) {
    let gw = with_metrics(store).await;
    let health = gw.client.get(format!("{}/healthz", gw.base)).send().await;
    let health = health.unwrap();
    assert_eq!(health.status(), 200);
    let body: serde_json::Value = health.json().await.unwrap();
    assert_eq!(body["status"], "ok");
    let ready = gw.client.get(format!("{}/readyz", gw.base)).send().await;
    let ready = ready.unwrap();
    assert_eq!(ready.status(), 200);
    let body: serde_json::Value = ready.json().await.unwrap();
    assert_eq!(body["status"], "ready");

    // A few requests to count: an invitation, a page with a token, and no route at all.
    gw.link_invitation("probe-1", "Li Wei").await;
    let secret = "not-a-real-token-but-secret-looking";
    let page = gw.get(&format!("{}/i/{secret}", gw.base), None).await;
    assert_eq!(page.status, 404);
    let missing = gw.get(&format!("{}/no/such/{secret}", gw.base), None).await;
    assert_eq!(missing.status, 404);

    let metrics_addr = gw.gateway.as_ref().unwrap().metrics_addr().expect("bound");
    assert_ne!(metrics_addr.port(), 0);
    let scraped = gw
        .client
        .get(format!("http://{metrics_addr}/metrics"))
        .send()
        .await
        .unwrap();
    assert_eq!(scraped.status(), 200);
    let kind = scraped.headers()["content-type"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(kind.starts_with("text/plain; version=0.0.4"), "{kind}");
    let text = scraped.text().await.unwrap();
    for line in [
        "orgdesk_gateway_http_requests_total{route=\"/api/v1/invitations\",method=\"POST\",status=\"201\"} 1",
        "orgdesk_gateway_http_requests_total{route=\"/i/{token}\",method=\"GET\",status=\"404\"} 1",
        "orgdesk_gateway_http_requests_total{route=\"unmatched\",method=\"GET\",status=\"404\"} 1",
        "orgdesk_gateway_http_requests_total{route=\"/healthz\",method=\"GET\",status=\"200\"} 1",
        "orgdesk_gateway_http_requests_total{route=\"/readyz\",method=\"GET\",status=\"200\"} 1",
        "orgdesk_gateway_http_request_duration_seconds_bucket{route=\"/i/{token}\",le=\"+Inf\"} 1",
        "orgdesk_gateway_http_request_duration_seconds_count{route=\"/api/v1/invitations\"} 1",
        "# TYPE orgdesk_gateway_http_request_duration_seconds histogram",
        "# TYPE orgdesk_gateway_outbox_depth gauge",
    ] {
        assert!(text.lines().any(|l| l == line), "{line} missing from:\n{text}");
    }
    let build = format!(
        "orgdesk_gateway_build_info{{version=\"{}\"}} 1",
        env!("CARGO_PKG_VERSION")
    );
    assert!(text.lines().any(|l| l == build), "{text}");
    // The depth is a number; what the test created was a link invitation, sent at once.
    let depth = text
        .lines()
        .find_map(|l| l.strip_prefix("orgdesk_gateway_outbox_depth "))
        .expect("the outbox depth");
    depth.parse::<u64>().expect("a count");
    // Tokens never become labels; the metrics are not on the public port.
    assert!(!text.contains(secret), "{text}");
    let public = gw.get(&format!("{}/metrics", gw.base), None).await;
    assert_eq!(public.status, 404);
    gw.stop().await;
}
