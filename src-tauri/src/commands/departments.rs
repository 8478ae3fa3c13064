use orgdesk_core::departments::DepartmentNode;
use orgdesk_core::CommandError;
use tauri::State;

use crate::state::AppState;

#[tauri::command]
pub async fn department_tree(state: State<'_, AppState>) -> Result<DepartmentNode, CommandError> {
    state.require_session()?;
    state.with_directory(|d| d.department_tree()).await
}
