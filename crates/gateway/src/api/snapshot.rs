//! Team mode's directory snapshots: a device (or the API token) puts the directory as it
//! stood at a position of the change log, and a newly enrolled computer reads it, loads it and
//! then reads the log after that position. The gateway keeps the newest of each organization
//! as it came: the directory that loads it checks it.

use axum::body::Bytes;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::Json;
use orgdesk_protocol::{SnapshotKept, SNAPSHOT_AT_SEQ_HEADER};
use serde::Deserialize;

use super::Caller;
use crate::error::{GatewayError, Result};
use crate::store::Snapshot;
use crate::Shared;

#[derive(Debug, Deserialize)]
pub(crate) struct SnapshotQuery {
    at_seq: i64,
}

/// `PUT /api/v1/team/snapshot?at_seq=N` (device or API token), the snapshot's bytes as the
/// body: kept as the organization's unless the one kept was taken later.
pub(crate) async fn put(
    State(state): State<Shared>,
    caller: Caller,
    query: std::result::Result<Query<SnapshotQuery>, QueryRejection>,
    body: Bytes,
) -> Result<Json<SnapshotKept>> {
    let Ok(Query(SnapshotQuery { at_seq })) = query else {
        return Err(GatewayError::InvalidRequest(
            "at_seq must be given as a whole number (the change log position the snapshot \
             was taken at)"
                .into(),
        ));
    };
    if at_seq < 0 {
        return Err(GatewayError::InvalidRequest(
            "at_seq must not be negative".into(),
        ));
    }
    if body.is_empty() {
        return Err(GatewayError::InvalidRequest(
            "the snapshot is empty: the body carries its bytes".into(),
        ));
    }
    let snapshot = Snapshot {
        at_seq,
        content: body.to_vec(),
    };
    let now = state.clock.now_secs();
    let at_seq = state
        .store
        .put_snapshot(&caller.org_id, snapshot, now)
        .await?;
    Ok(Json(SnapshotKept { at_seq }))
}

/// `GET /api/v1/team/snapshot` (device token only): the kept snapshot's bytes, its position
/// in the `orgdesk-snapshot-at-seq` header; `no_snapshot` when none was put.
pub(crate) async fn get(State(state): State<Shared>, caller: Caller) -> Result<Response> {
    caller.device()?;
    let Snapshot { at_seq, content } = state
        .store
        .snapshot(&caller.org_id)
        .await?
        .ok_or(GatewayError::NoSnapshot)?;
    let headers = [
        (
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/octet-stream"),
        ),
        (
            header::HeaderName::from_static(SNAPSHOT_AT_SEQ_HEADER),
            HeaderValue::from(at_seq),
        ),
    ];
    Ok((headers, content).into_response())
}
