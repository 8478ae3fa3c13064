//! Prometheus metrics in the text exposition format, on their own listener
//! (`metrics_listen`, off by default) so that the public port never shows them: requests by
//! route and status, a latency histogram by route, the outbox depth and the build.
//!
//! Routes are labelled by their pattern (`/i/{token}`), never by the requested path, so no
//! token reaches the metrics and the number of series stays bounded.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::net::SocketAddr;
use std::sync::Mutex;
use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::http::{header, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::Shared;

/// Upper bounds of the latency buckets, in seconds.
const BUCKETS: [f64; 11] = [
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5,
];

/// The label of requests no route matched.
const UNMATCHED: &str = "unmatched";

#[derive(Default)]
struct Histogram {
    /// Observations at or under each bound of [`BUCKETS`] (not cumulative here).
    buckets: [u64; BUCKETS.len()],
    count: u64,
    sum: f64,
}

#[derive(Default)]
struct Counts {
    /// (route, method, status) → requests.
    requests: BTreeMap<(String, String, u16), u64>,
    /// route → latency.
    latency: BTreeMap<String, Histogram>,
}

/// What the gateway counts while it runs.
#[derive(Default)]
pub(crate) struct Metrics {
    counts: Mutex<Counts>,
}

impl Metrics {
    fn observe(&self, route: &str, method: &str, status: u16, seconds: f64) {
        let mut counts = self.counts.lock().unwrap_or_else(|p| p.into_inner());
        *counts
            .requests
            .entry((route.to_owned(), method.to_owned(), status))
            .or_insert(0) += 1;
        let h = counts.latency.entry(route.to_owned()).or_default();
        if let Some(i) = BUCKETS.iter().position(|bound| seconds <= *bound) {
            h.buckets[i] += 1;
        }
        h.count += 1;
        h.sum += seconds;
    }

    /// The text exposition of everything counted, with the outbox depth read by the caller.
    fn render(&self, outbox_depth: Option<u64>) -> String {
        let mut out = String::new();
        let _ = writeln!(
            out,
            "# HELP orgdesk_gateway_build_info The running build.\n\
             # TYPE orgdesk_gateway_build_info gauge\n\
             orgdesk_gateway_build_info{{version=\"{}\"}} 1",
            env!("CARGO_PKG_VERSION")
        );
        if let Some(depth) = outbox_depth {
            let _ = writeln!(
                out,
                "# HELP orgdesk_gateway_outbox_depth Messages waiting to be sent.\n\
                 # TYPE orgdesk_gateway_outbox_depth gauge\n\
                 orgdesk_gateway_outbox_depth {depth}"
            );
        }
        let counts = self.counts.lock().unwrap_or_else(|p| p.into_inner());
        out.push_str(
            "# HELP orgdesk_gateway_http_requests_total Requests answered, by route pattern, \
             method and status.\n# TYPE orgdesk_gateway_http_requests_total counter\n",
        );
        for ((route, method, status), n) in &counts.requests {
            let _ = writeln!(
                out,
                "orgdesk_gateway_http_requests_total{{route=\"{}\",method=\"{}\",status=\"{status}\"}} {n}",
                escape(route),
                escape(method)
            );
        }
        out.push_str(
            "# HELP orgdesk_gateway_http_request_duration_seconds Time to answer, by route \
             pattern.\n# TYPE orgdesk_gateway_http_request_duration_seconds histogram\n",
        );
        for (route, h) in &counts.latency {
            let route = escape(route);
            let mut cumulative = 0;
            for (bound, n) in BUCKETS.iter().zip(h.buckets) {
                cumulative += n;
                let _ = writeln!(
                    out,
                    "orgdesk_gateway_http_request_duration_seconds_bucket{{route=\"{route}\",le=\"{bound}\"}} {cumulative}"
                );
            }
            let _ = writeln!(
                out,
                "orgdesk_gateway_http_request_duration_seconds_bucket{{route=\"{route}\",le=\"+Inf\"}} {}\n\
                 orgdesk_gateway_http_request_duration_seconds_sum{{route=\"{route}\"}} {}\n\
                 orgdesk_gateway_http_request_duration_seconds_count{{route=\"{route}\"}} {}",
                h.count, h.sum, h.count
            );
        }
        out
    }
}

/// A label value as the text format wants it.
fn escape(value: &str) -> String {
    value
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

/// Counts every request the public router answers (the outermost layer, so the time
/// includes reading the body and every other layer).
pub(crate) async fn track(State(state): State<Shared>, request: Request, next: Next) -> Response {
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or(UNMATCHED, MatchedPath::as_str)
        .to_owned();
    let method = request.method().as_str().to_owned();
    let started = Instant::now();
    let response = next.run(request).await;
    let seconds = started.elapsed().as_secs_f64();
    state
        .metrics
        .observe(&route, &method, response.status().as_u16(), seconds);
    response
}

async fn scrape(State(state): State<Shared>) -> Response {
    let depth = match state.store.outbox_depth().await {
        Ok(n) => Some(n),
        Err(e) => {
            tracing::warn!(error = %e, "metrics: the outbox depth could not be read");
            None
        }
    };
    (
        StatusCode::OK,
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        state.metrics.render(depth),
    )
        .into_response()
}

/// Serves `GET /metrics` on `listener` until `shutdown` turns true.
pub(crate) fn spawn(
    listener: TcpListener,
    state: Shared,
    mut shutdown: watch::Receiver<bool>,
) -> JoinHandle<std::io::Result<()>> {
    let app = Router::new()
        .route("/metrics", get(scrape))
        .with_state(state);
    tokio::spawn(async move {
        axum::serve(listener, app)
            .with_graceful_shutdown(async move {
                let _ = shutdown.wait_for(|stop| *stop).await;
            })
            .await
    })
}

/// Binds the metrics listener, with the reason in the error.
pub(crate) async fn bind(addr: SocketAddr) -> crate::Result<TcpListener> {
    TcpListener::bind(addr).await.map_err(|e| {
        crate::GatewayError::Config(format!("metrics_listen {addr}: cannot listen there: {e}"))
    })
}
