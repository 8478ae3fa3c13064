//! The built-in gateway: started on loopback (the same port as last time, mail as .eml files in
//! `<data>/mail`), its organization made or its API token rotated, and put to use.

use std::path::Path;
use std::sync::Arc;

use orgdesk_link::Endpoint;
use tauri::{AppHandle, Manager, Runtime};

use super::{directory, GatewayLink, ORG_ID_KEY, PORT_KEY};

pub(super) async fn start_builtin<R: Runtime>(app: &AppHandle<R>, data_dir: &Path) {
    let Some(link) = app.try_state::<Arc<GatewayLink>>().map(|l| Arc::clone(&l)) else {
        return;
    };
    let known = link.embedded.lock().ok().and_then(|e| e.clone());
    let started = match known {
        Some(endpoint) => Ok(endpoint),
        None => start_embedded(app, data_dir).await,
    };
    match started {
        Ok(endpoint) => {
            if let Ok(mut e) = link.embedded.lock() {
                *e = Some(endpoint.clone());
            }
            link.use_endpoint(endpoint, "embedded");
        }
        Err(message) => {
            eprintln!("Orgdesk could not start its gateway: {message}");
            link.set_status(|s| {
                s.mode = "unavailable".into();
                s.connected = false;
                s.last_error = Some(format!(
                    "The built-in gateway (on this computer only) could not start ({message}). Invitations stay \
                     queued until it can; restart Orgdesk to try again."
                ));
            });
        }
    }
}

async fn start_embedded<R: Runtime>(
    app: &AppHandle<R>,
    data_dir: &Path,
) -> Result<Endpoint, String> {
    std::fs::create_dir_all(data_dir).map_err(|e| e.to_string())?;
    let (org_id, port, org_name) = directory(app, |d| {
        Ok((
            d.local_value(ORG_ID_KEY)?,
            d.local_value(PORT_KEY)?.and_then(|p| p.parse::<u16>().ok()),
            d.organization_name().ok(),
        ))
    })
    .await
    .map_err(|e| e.message)?;

    let mut config = orgdesk_gateway::Config::local(
        data_dir.join("gateway.db").display().to_string(),
        data_dir.join("mail"),
    );
    config.pepper_file = Some(data_dir.join("gateway-pepper"));
    // The same port as last time, so links in mail already sent keep working.
    let mut gateway = None;
    if let Some(port) = port {
        config.listen.set_port(port);
        gateway = orgdesk_gateway::serve(config.clone()).await.ok();
    }
    let gateway = match gateway {
        Some(g) => g,
        None => {
            config.listen.set_port(0);
            orgdesk_gateway::serve(config)
                .await
                .map_err(|e| e.to_string())?
        }
    };
    let base = gateway.public_url().to_owned();
    let store = gateway.store();
    let (org_id, token) = match org_id {
        Some(id) => match orgdesk_gateway::rotate_api_token(store.as_ref(), &id).await {
            Ok(token) => (id, token),
            // The gateway's database was deleted: start a new organization there.
            Err(_) => new_org(&gateway, org_name.as_deref()).await?,
        },
        None => new_org(&gateway, org_name.as_deref()).await?,
    };
    let bound = gateway.local_addr().port();
    let fresh_org = org_id.clone();
    directory(app, move |d| {
        if d.local_value(ORG_ID_KEY)?.as_deref() != Some(fresh_org.as_str()) {
            // Another gateway database: its feed starts from the beginning.
            d.reset_gateway_event_cursor()?;
            d.set_local_value(ORG_ID_KEY, &fresh_org)?;
        }
        d.set_local_value(PORT_KEY, &bound.to_string())
    })
    .await
    .map_err(|e| e.message)?;
    // The gateway lives as long as the app: leak the handle so it is never dropped.
    std::mem::forget(gateway);
    Ok(Endpoint { base, token })
}

async fn new_org(
    gateway: &orgdesk_gateway::Gateway,
    name: Option<&str>,
) -> Result<(String, String), String> {
    let creds = gateway
        .create_organization(name.unwrap_or("Orgdesk"))
        .await
        .map_err(|e| e.to_string())?;
    Ok((creds.organization_id, creds.api_token))
}
