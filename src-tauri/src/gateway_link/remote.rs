//! A remote gateway: its address and token checked, connecting to it (the token kept in the
//! keyring), switching back to the built-in gateway, and which one the settings name.

use std::sync::Arc;
use std::time::Duration;

use orgdesk_core::invitations::GatewayStatus;
use orgdesk_core::{CommandError, CoreError, Directory};
use orgdesk_link::Endpoint;
use tauri::{AppHandle, Emitter, Manager, Runtime};

use super::embedded::start_builtin;
use super::token::{keyring_forget, keyring_store, link_secret};
use super::{client, directory, GatewayLink, INVITATIONS_CHANGED, MODE_KEY, REMOTE_URL_KEY};

/// Connects the remote gateway the settings name, with the secret [`link_secret`] picks: on a
/// computer in a team its device credential (status mode `team`), else the organization's
/// API token (mode `remote`).
pub(super) async fn start_remote<R: Runtime>(app: &AppHandle<R>, url: String) {
    let Some(link) = app.try_state::<Arc<GatewayLink>>().map(|l| Arc::clone(&l)) else {
        return;
    };
    let in_team = directory(app, |d| d.team_device_account())
        .await
        .ok()
        .flatten()
        .is_some();
    match link_secret(&url, in_team).await {
        Ok((secret, token)) => link.use_endpoint(Endpoint { base: url, token }, secret.link_mode()),
        Err(why) => link.set_status(|s| {
            s.mode = "remote".into();
            s.url = Some(url);
            s.connected = false;
            s.last_error = Some(if in_team {
                format!(
                    "This computer's team credential could not be read from the system keyring \
                     ({why}), so the team's gateway cannot be reached: unlock the keyring and \
                     start Orgdesk again."
                )
            } else {
                format!(
                    "The remote gateway's token could not be read from the system keyring \
                     ({why}). Connect again in Settings."
                )
            });
        }),
    }
}

/// A field's refusal, as the window's Settings show it beside the field.
fn invalid(field: &str, code: &str, reason: String) -> CommandError {
    CommandError::from(orgdesk_core::CoreError::invalid(vec![
        orgdesk_core::ErrorDetail::field(field, code, reason),
    ]))
}

/// A gateway's address as Orgdesk keeps it: https (http only on this machine), without a
/// trailing slash.
pub(crate) fn checked_url(url: &str) -> Result<String, CommandError> {
    let url = url.trim().trim_end_matches('/').to_owned();
    let parsed = reqwest::Url::parse(&url).map_err(|_| {
        invalid(
            "url",
            "invalid_url",
            "Enter the gateway's address, e.g. https://gateway.example.com.".into(),
        )
    })?;
    let loopback = match parsed.host_str() {
        Some(h) => {
            h.eq_ignore_ascii_case("localhost")
                || h.trim_matches(|c| c == '[' || c == ']')
                    .parse::<std::net::IpAddr>()
                    .is_ok_and(|ip| ip.is_loopback())
        }
        None => false,
    };
    match parsed.scheme() {
        "https" => {}
        "http" if loopback => {}
        _ => {
            return Err(invalid(
                "url",
                "insecure_url",
                "The gateway's address must start with https:// (http:// only for this computer)."
                    .into(),
            ))
        }
    }
    Ok(url)
}

/// Checks an address and token against a gateway: the URL must be https (http only on this
/// machine) and the gateway must accept the token. Returns the address without a trailing
/// slash.
pub async fn check_remote(url: &str, token: &str) -> Result<String, CommandError> {
    use orgdesk_core::ErrorCode;
    let url = checked_url(url)?;
    let token = token.trim();
    if token.is_empty() {
        return Err(invalid(
            "token",
            "required",
            "Enter the organization's API token.".into(),
        ));
    }
    let answer = client()
        .get(format!(
            "{url}/api/v1/events?after={}&wait=0&limit=1",
            i64::MAX
        ))
        .bearer_auth(token)
        .timeout(Duration::from_secs(15))
        .send()
        .await
        .map_err(|e| {
            CommandError::new(
                ErrorCode::Internal,
                format!("The gateway at {url} could not be reached ({e})."),
            )
        })?;
    match answer.status() {
        s if s.is_success() => Ok(url),
        reqwest::StatusCode::UNAUTHORIZED => Err(invalid(
            "token",
            "token_refused",
            "The gateway refused this token. Copy it again from the gateway's administrator."
                .into(),
        )),
        s => Err(CommandError::new(
            ErrorCode::Internal,
            format!("The gateway at {url} answered {s}; is this an Orgdesk gateway?"),
        )),
    }
}

/// Stores a checked gateway's token in the system keyring (nowhere else): the window's
/// Settings and `orgdesk gateway use` alike.
pub(crate) async fn store_token(url: &str, token: &str) -> Result<(), CommandError> {
    keyring_store(url, token.trim()).await.map_err(|why| {
        CommandError::new(
            orgdesk_core::ErrorCode::Internal,
            format!(
                "The token could not be saved in the system keyring ({why}); nothing was changed. \
                 Orgdesk keeps this token only there."
            ),
        )
    })
}

/// Makes the gateway at `url` (its token stored) the directory's gateway, its feed followed
/// from its start.
pub(crate) fn choose_remote(d: &mut Directory, url: &str) -> Result<(), CoreError> {
    name_remote(d, url)?;
    d.reset_gateway_event_cursor()
}

/// Names the gateway at `url` as the directory's, keeping the members' bindings to its
/// accounts: a directory made from the snapshot of that gateway's team.
pub(crate) fn name_remote(d: &mut Directory, url: &str) -> Result<(), CoreError> {
    d.set_local_value(MODE_KEY, "remote")?;
    d.set_local_value(REMOTE_URL_KEY, url)
}

/// Refuses to change the gateway of a computer in a team (the directory names its device's
/// account): the team's log, its device credential and every other admin's computer are on
/// that gateway, so another one would take this computer out of the team. The window and
/// `orgdesk gateway use|builtin` alike; checked before any token is kept.
pub(crate) fn refuse_gateway_change_in_team(d: &Directory) -> Result<(), CoreError> {
    if d.team_device_account()?.is_none() {
        return Ok(());
    }
    Err(CoreError::Conflict(GATEWAY_FIXED_BY_TEAM.into()))
}

/// Why a computer in a team keeps its gateway.
const GATEWAY_FIXED_BY_TEAM: &str = "This computer is in your organization's team, \
     which works through this gateway: another gateway would take it out of the team, so its \
     gateway is not changed.";

/// Makes the built-in gateway the directory's, its feed followed from its start; answers the
/// remote address used until now, whose token is then removed from the keyring.
pub(crate) fn choose_builtin(d: &mut Directory) -> Result<Option<String>, CoreError> {
    let old = d.local_value(REMOTE_URL_KEY)?;
    d.set_local_value(MODE_KEY, "embedded")?;
    d.reset_gateway_event_cursor()?;
    Ok(old)
}

/// The remote gateway's address when the directory uses one.
pub(crate) fn chosen_remote(d: &Directory) -> Result<Option<String>, CoreError> {
    Ok(d.local_value(REMOTE_URL_KEY)?
        .filter(|_| d.local_value(MODE_KEY).ok().flatten().as_deref() == Some("remote")))
}

/// Switches to a remote gateway: checks it, stores the token in the system keyring (nowhere
/// else), remembers the address, and follows that gateway's feed from its start.
pub async fn connect_remote<R: Runtime>(
    app: &AppHandle<R>,
    url: &str,
    token: &str,
) -> Result<GatewayStatus, CommandError> {
    directory(app, |d| refuse_gateway_change_in_team(d)).await?;
    let url = check_remote(url, token).await?;
    store_token(&url, token).await?;
    let saved = url.clone();
    directory(app, move |d| choose_remote(d, &saved)).await?;
    let link = app.state::<Arc<GatewayLink>>();
    link.use_endpoint(
        Endpoint {
            base: url,
            token: token.trim().to_owned(),
        },
        "remote",
    );
    let _ = app.emit(INVITATIONS_CHANGED, ());
    Ok(link.status())
}

/// Back to the built-in gateway; the remote token is removed from the keyring.
pub async fn use_builtin<R: Runtime>(app: &AppHandle<R>) -> Result<GatewayStatus, CommandError> {
    let chosen = directory(app, |d| {
        refuse_gateway_change_in_team(d)?;
        choose_builtin(d)
    });
    if let Some(url) = chosen.await? {
        keyring_forget(&url).await;
    }
    let link = Arc::clone(&app.state::<Arc<GatewayLink>>());
    start_builtin(app, &link.data_dir.clone()).await;
    let _ = app.emit(INVITATIONS_CHANGED, ());
    Ok(link.status())
}

/// Which gateway the settings name, for the Settings screen.
pub async fn remote_url<R: Runtime>(app: &AppHandle<R>) -> Result<Option<String>, CommandError> {
    directory(app, |d| chosen_remote(d)).await
}
