//! The desktop's side of joining: the public join link and organization code
//! (`/api/v1/join-link`) and decisions on join requests.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use orgdesk_protocol::{JoinDecision, JoinLink, JoinLinkRules, JoinRequestDecided};

use super::{check_text, JsonBody, Org};
use crate::error::{GatewayError, Result};
use crate::joining;
use crate::store::{
    JoinLinkRecord, JoinLinkRotation, JoinLinkUpdate, JoinLinkWrite, JoinRequestDecision,
    JoinSecrets,
};
use crate::Shared;

/// Draws a new link and code at most this many times when a code clashes with another
/// organization's (one chance in 2^40 per organization, so this is ample).
const CODE_DRAWS: usize = 5;

fn no_link() -> GatewayError {
    GatewayError::Missing("no join link is switched on for this organization")
}

/// The answer for a stored link: the link and code opened from their sealed copies.
fn answer(state: &Shared, record: JoinLinkRecord) -> Result<Json<JoinLink>> {
    let (link, code) = if record.enabled {
        let token = state.pepper.open(&record.sealed_token).ok_or_else(|| {
            GatewayError::Internal("the join link cannot be opened with this pepper".into())
        })?;
        let code = joining::open_code(&state.pepper, &record.sealed_code).ok_or_else(|| {
            GatewayError::Internal("the organization code cannot be opened with this pepper".into())
        })?;
        (
            Some(format!(
                "{}/j/{}",
                state.public_url,
                crate::secrets::encode(&token)
            )),
            Some(code),
        )
    } else {
        (None, None)
    };
    Ok(Json(JoinLink {
        enabled: record.enabled,
        link,
        code,
        code_url: format!("{}/join", state.public_url),
        rules: record.rules,
    }))
}

fn check_rules(state: &Shared, rules: &mut JoinLinkRules) -> Result<()> {
    rules.organization_name = rules.organization_name.trim().to_owned();
    check_text("organization_name", &rules.organization_name, true)?;
    rules.required_fields.sort();
    rules.required_fields.dedup();
    if let Some(at) = rules.expires_at {
        if at <= state.clock.now_secs() {
            return Err(GatewayError::InvalidRequest(
                "expires_at must be in the future".into(),
            ));
        }
    }
    Ok(())
}

/// Runs `write` with fresh secrets until the code does not clash.
async fn with_fresh_secrets<F, Fut>(state: &Shared, write: F) -> Result<Json<JoinLink>>
where
    F: Fn(JoinSecrets) -> Fut,
    Fut: std::future::Future<Output = Result<JoinLinkWrite>>,
{
    for _ in 0..CODE_DRAWS {
        match write(joining::fresh_secrets(&state.pepper)).await? {
            JoinLinkWrite::Written(record) => return answer(state, record),
            JoinLinkWrite::CodeTaken => continue,
            JoinLinkWrite::NotFound => return Err(no_link()),
        }
    }
    Err(GatewayError::Internal(
        "no free organization code after several draws".into(),
    ))
}

pub(crate) async fn put_link(
    State(state): State<Shared>,
    Org(org_id): Org,
    JsonBody(mut rules): JsonBody<JoinLinkRules>,
) -> Result<Json<JoinLink>> {
    check_rules(&state, &mut rules)?;
    let now = state.clock.now_secs();
    with_fresh_secrets(&state, |fresh| {
        state.store.put_join_link(
            JoinLinkUpdate {
                org_id: org_id.clone(),
                rules: rules.clone(),
                fresh,
            },
            now,
        )
    })
    .await
}

pub(crate) async fn rotate_link(
    State(state): State<Shared>,
    Org(org_id): Org,
) -> Result<Json<JoinLink>> {
    let now = state.clock.now_secs();
    with_fresh_secrets(&state, |fresh| {
        let org_id = org_id.clone();
        state
            .store
            .rotate_join_link(JoinLinkRotation { org_id, fresh }, now)
    })
    .await
}

pub(crate) async fn disable_link(
    State(state): State<Shared>,
    Org(org_id): Org,
) -> Result<StatusCode> {
    if state
        .store
        .disable_join_link(&org_id, state.clock.now_secs())
        .await?
    {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(no_link())
    }
}

pub(crate) async fn get_link(
    State(state): State<Shared>,
    Org(org_id): Org,
) -> Result<Json<JoinLink>> {
    let record = state
        .store
        .join_link(&org_id)
        .await?
        .ok_or(GatewayError::Missing(
            "no join link was set up for this organization",
        ))?;
    answer(&state, record)
}

pub(crate) async fn decide(
    State(state): State<Shared>,
    Org(org_id): Org,
    Path(id): Path<String>,
    JsonBody(decision): JsonBody<JoinDecision>,
) -> Result<Json<JoinRequestDecided>> {
    let status = state
        .store
        .decide_join_request(
            JoinRequestDecision {
                org_id,
                id: id.clone(),
                approved: decision.approved,
            },
            state.clock.now_secs(),
        )
        .await?;
    // The decision may have queued a message to the person.
    state.outbox_bell.notify_one();
    Ok(Json(JoinRequestDecided {
        request_id: id,
        status,
    }))
}
