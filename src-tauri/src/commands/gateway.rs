use orgdesk_core::auth::AdminRank;
use orgdesk_core::invitations::GatewayStatus;
use tauri::{AppHandle, Runtime};

use super::{require_rank, Answer, Dir};
use crate::gateway_link;
use crate::state::AppState;

/// Which gateway invitations go through is an organization-wide choice: Super Admins only.
fn require_super_admin(state: &AppState) -> Answer<()> {
    require_rank(
        state,
        AdminRank::SuperAdmin,
        "Only a Super Admin can change which gateway Orgdesk uses.",
    )
    .map(drop)
}

/// The remote gateway's address when one is in use (the token is never read back).
#[tauri::command]
pub async fn remote_gateway_url<R: Runtime>(
    app: AppHandle<R>,
    state: Dir<'_>,
) -> Answer<Option<String>> {
    state.require_session()?;
    gateway_link::remote_url(&app).await
}

#[tauri::command]
pub async fn connect_remote_gateway<R: Runtime>(
    app: AppHandle<R>,
    state: Dir<'_>,
    url: String,
    token: String,
) -> Answer<GatewayStatus> {
    require_super_admin(&state)?;
    gateway_link::connect_remote(&app, &url, &token).await
}

#[tauri::command]
pub async fn use_builtin_gateway<R: Runtime>(
    app: AppHandle<R>,
    state: Dir<'_>,
) -> Answer<GatewayStatus> {
    require_super_admin(&state)?;
    gateway_link::use_builtin(&app).await
}
