use std::sync::Arc;

use orgdesk_core::join::{
    JoinDecision, JoinLinkInput, JoinLinkView, JoinPlacement, JoinRequestFilter, JoinRequestPage,
    MAX_JOIN_REQUEST_PAGE,
};
use orgdesk_core::{CommandError, ErrorCode};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use tauri::State;

use crate::gateway_link::{refusal, GatewayLink};
use crate::state::AppState;

#[tauri::command]
pub async fn list_join_requests(
    state: State<'_, AppState>,
    filter: JoinRequestFilter,
    search: Option<String>,
    offset: Option<u32>,
    limit: Option<u32>,
) -> Result<JoinRequestPage, CommandError> {
    let (offset, limit) = (offset.unwrap_or(0), limit.unwrap_or(MAX_JOIN_REQUEST_PAGE));
    let search = search.unwrap_or_default();
    state
        .read(move |d| d.join_request_page(filter, &search, offset, limit))
        .await
}

/// Approves (into `placement`'s department and role) or rejects every request in `ids`, all
/// or nothing, in one transaction; answers the new members' ids.
#[tauri::command]
pub async fn decide_join_requests(
    state: State<'_, AppState>,
    link: State<'_, Arc<GatewayLink>>,
    ids: Vec<i64>,
    approve: bool,
    placement: Option<JoinPlacement>,
) -> Result<Vec<i64>, CommandError> {
    let decision = if approve {
        JoinDecision::Approve(placement.unwrap_or_default())
    } else {
        JoinDecision::Reject
    };
    let members = link
        .act(&state, move |d, a| {
            d.decide_join_requests(a, &ids, decision)
        })
        .await?;
    Ok(members.into_iter().map(|m| m.0).collect())
}

const FIELDS: [&str; 4] = ["email", "mobile", "employee_id", "work_location"];

/// The gateway's answer as the screen shows it, with the QR code made here from the link.
fn view(v: &Value) -> JoinLinkView {
    let text = |k: &str| v[k].as_str().map(str::to_owned);
    let link = text("link");
    JoinLinkView {
        enabled: v["enabled"].as_bool().unwrap_or(false),
        qr_svg: link.as_deref().and_then(qr_svg),
        link,
        code: text("code"),
        code_url: text("code_url"),
        approval_required: v["approval_required"].as_bool().unwrap_or(true),
        required_fields: v["required_fields"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|f| f.as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default(),
    }
}

fn qr_svg(link: &str) -> Option<String> {
    let code = qrcode::QrCode::new(link.as_bytes()).ok()?;
    Some(
        code.render::<qrcode::render::svg::Color<'_>>()
            .min_dimensions(200, 200)
            .quiet_zone(true)
            .build(),
    )
}

fn parse(status: StatusCode, body: &str) -> Result<JoinLinkView, CommandError> {
    if !status.is_success() {
        return Err(refusal(status, body));
    }
    serde_json::from_str::<Value>(body)
        .map(|v| view(&v))
        .map_err(|e| {
            CommandError::new(
                ErrorCode::Internal,
                format!("The gateway's answer was not understood ({e})."),
            )
        })
}

fn off() -> JoinLinkView {
    JoinLinkView {
        enabled: false,
        link: None,
        code: None,
        code_url: None,
        approval_required: true,
        required_fields: Vec::new(),
        qr_svg: None,
    }
}

#[tauri::command]
pub async fn join_link(
    state: State<'_, AppState>,
    link: State<'_, Arc<GatewayLink>>,
) -> Result<JoinLinkView, CommandError> {
    state.require_session()?;
    let (status, body) = link.call(Method::GET, "/api/v1/join-link", None).await?;
    if status == StatusCode::NOT_FOUND {
        return Ok(off());
    }
    parse(status, &body)
}

#[tauri::command]
pub async fn set_join_link(
    state: State<'_, AppState>,
    link: State<'_, Arc<GatewayLink>>,
    input: JoinLinkInput,
) -> Result<JoinLinkView, CommandError> {
    if let Some(bad) = input
        .required_fields
        .iter()
        .find(|f| !FIELDS.contains(&f.as_str()))
    {
        return Err(CommandError::new(
            ErrorCode::Validation,
            format!("\"{bad}\" is not a field a person can be asked for."),
        ));
    }
    let org = state.read(|d| d.organization_name()).await?;
    let body = json!({
        "organization_name": org,
        "approval_required": input.approval_required,
        "required_fields": input.required_fields,
    });
    let (status, text) = link
        .call(Method::PUT, "/api/v1/join-link", Some(body))
        .await?;
    let view = parse(status, &text)?;
    // Joins are judged by the rules the admin set here, never by what an event claims.
    let rules = orgdesk_core::join::JoiningRules {
        approval_required: input.approval_required,
        required_fields: input.required_fields,
    };
    state
        .act(move |d, _| d.record_joining_rules(&rules))
        .await?;
    Ok(view)
}

#[tauri::command]
pub async fn rotate_join_link(
    state: State<'_, AppState>,
    link: State<'_, Arc<GatewayLink>>,
) -> Result<JoinLinkView, CommandError> {
    state.require_session()?;
    let (status, text) = link
        .call(Method::POST, "/api/v1/join-link/rotate", None)
        .await?;
    parse(status, &text)
}

#[tauri::command]
pub async fn disable_join_link(
    state: State<'_, AppState>,
    link: State<'_, Arc<GatewayLink>>,
) -> Result<JoinLinkView, CommandError> {
    state.require_session()?;
    let (status, text) = link.call(Method::DELETE, "/api/v1/join-link", None).await?;
    if !status.is_success() && status != StatusCode::NOT_FOUND {
        return Err(refusal(status, &text));
    }
    Ok(off())
}
