//! The public join link and organization code, kept by the gateway: read, switch on with its
//! rules, rotate, switch off. The window's commands and the command line call these with the
//! gateway they reach (every computer of a team reads the same link with its device's
//! credential); the rules an admin sets are also recorded in the directory, which judges joins
//! by them — in a team through a `join.rules` change of the log, so every computer holds them,
//! while the gateway hears them from the author's computer alone.

use orgdesk_core::join::{JoinLinkInput, JoinLinkView, JoiningRules};
use orgdesk_core::{CommandError, CoreError, ErrorCode};
use orgdesk_link::Endpoint;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::gateway_link::{call, refusal};

/// The gateway's answer as the window shows it, with the QR code made here from the link.
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

/// The link as it is now; off when it was never switched on.
pub async fn read(gateway: &Endpoint) -> Result<JoinLinkView, CommandError> {
    let (status, body) = call(gateway, Method::GET, "/api/v1/join-link", None).await?;
    if status == StatusCode::NOT_FOUND {
        return Ok(off());
    }
    parse(status, &body)
}

/// Refuses a field a person cannot be asked for, naming it (the core's rule, before the
/// gateway is asked).
pub fn check_fields(input: &JoinLinkInput) -> Result<(), CommandError> {
    JoiningRules::from(input.clone())
        .check()
        .map_err(|d| CoreError::invalid(vec![d]).into())
}

/// Switches the link on with `input`'s rules, or changes the rules of a link that is on
/// (keeping its link and code), for the organization named `org`.
pub async fn switch_on(
    gateway: &Endpoint,
    org: &str,
    input: &JoinLinkInput,
) -> Result<JoinLinkView, CommandError> {
    check_fields(input)?;
    let body = json!({
        "organization_name": org,
        "approval_required": input.approval_required,
        "required_fields": input.required_fields,
    });
    let (status, text) = call(gateway, Method::PUT, "/api/v1/join-link", Some(body)).await?;
    parse(status, &text)
}

/// A new link and code; the old ones stop working.
pub async fn rotate(gateway: &Endpoint) -> Result<JoinLinkView, CommandError> {
    let (status, text) = call(gateway, Method::POST, "/api/v1/join-link/rotate", None).await?;
    parse(status, &text)
}

/// Switches the link and code off (the gateway keeps the rules).
pub async fn switch_off(gateway: &Endpoint) -> Result<JoinLinkView, CommandError> {
    let (status, text) = call(gateway, Method::DELETE, "/api/v1/join-link", None).await?;
    if !status.is_success() && status != StatusCode::NOT_FOUND {
        return Err(refusal(status, &text));
    }
    Ok(off())
}
