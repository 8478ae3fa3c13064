use orgdesk_core::roles::{NewRole, Role};
use orgdesk_core::types::RoleId;
use orgdesk_core::CommandError;
use tauri::State;

use crate::state::AppState;

#[tauri::command]
pub async fn list_roles(state: State<'_, AppState>) -> Result<Vec<Role>, CommandError> {
    state.read(|d| d.roles()).await
}

#[tauri::command]
pub async fn create_role(
    state: State<'_, AppState>,
    input: NewRole,
) -> Result<RoleId, CommandError> {
    state.act(move |d, a| d.create_role(a, &input)).await
}
