use orgdesk_core::roles::{NewRole, Role};
use orgdesk_core::types::RoleId;

use super::{Answer, Dir};

#[tauri::command]
pub async fn list_roles(state: Dir<'_>) -> Answer<Vec<Role>> {
    state.read(|d| d.roles()).await
}

#[tauri::command]
pub async fn create_role(state: Dir<'_>, input: NewRole) -> Answer<RoleId> {
    state.act(move |d, a| d.create_role(a, &input)).await
}
