//! `/healthz` (the process answers) and `/readyz` (the database answers and its schema is the
//! one this build expects; 503 with a JSON reason otherwise, also while the gateway stops, so
//! that a load balancer takes it out first).

use std::time::Duration;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;

use crate::Shared;

/// A database that takes longer than this to answer is not ready.
const READY_TIMEOUT: Duration = Duration::from_secs(2);

pub(crate) async fn healthz() -> Response {
    Json(json!({"status": "ok"})).into_response()
}

pub(crate) async fn readyz(State(state): State<Shared>) -> Response {
    if *state.shutdown.borrow() {
        return not_ready("stopping", "the gateway is stopping".to_owned());
    }
    match tokio::time::timeout(READY_TIMEOUT, state.store.schema_status()).await {
        Err(_) => not_ready(
            "database_unreachable",
            format!(
                "the database did not answer within {} s",
                READY_TIMEOUT.as_secs()
            ),
        ),
        Ok(Err(e)) => {
            tracing::warn!(error = %e, "readyz: the database did not answer");
            not_ready(
                "database_unreachable",
                "the database did not answer; see the gateway's log".to_owned(),
            )
        }
        Ok(Ok(schema)) if !schema.is_current() => not_ready(
            "migrations_pending",
            format!(
                "the database schema is at migration {}, this build needs {}",
                schema.applied, schema.expected
            ),
        ),
        Ok(Ok(_)) => Json(json!({"status": "ready"})).into_response(),
    }
}

fn not_ready(code: &str, reason: String) -> Response {
    (
        StatusCode::SERVICE_UNAVAILABLE,
        Json(json!({"status": "unavailable", "code": code, "reason": reason})),
    )
        .into_response()
}
