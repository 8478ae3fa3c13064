use orgdesk_core::department_deletion::DepartmentDeletion;
use orgdesk_core::departments::{DepartmentDetails, DepartmentNode};
use orgdesk_core::types::{DepartmentId, MemberId};
use orgdesk_core::CommandError;
use tauri::State;

use crate::state::AppState;

#[tauri::command]
pub async fn department_tree(state: State<'_, AppState>) -> Result<DepartmentNode, CommandError> {
    state.read(|d| d.department_tree()).await
}

#[tauri::command]
pub async fn department_details(
    state: State<'_, AppState>,
    id: DepartmentId,
) -> Result<DepartmentDetails, CommandError> {
    state.read(move |d| d.department_details(id)).await
}

#[tauri::command]
pub async fn create_department(
    state: State<'_, AppState>,
    parent_id: DepartmentId,
    name: String,
) -> Result<DepartmentId, CommandError> {
    state
        .act(move |d, a| d.create_department(a, parent_id, &name))
        .await
}

#[tauri::command]
pub async fn rename_department(
    state: State<'_, AppState>,
    id: DepartmentId,
    name: String,
) -> Result<(), CommandError> {
    state
        .act(move |d, a| d.rename_department(a, id, &name))
        .await
}

#[tauri::command]
pub async fn move_department(
    state: State<'_, AppState>,
    id: DepartmentId,
    parent_id: DepartmentId,
    index: Option<usize>,
) -> Result<(), CommandError> {
    state
        .act(move |d, a| d.move_department(a, id, parent_id, index))
        .await
}

#[tauri::command]
pub async fn department_deletion_preview(
    state: State<'_, AppState>,
    id: DepartmentId,
) -> Result<DepartmentDeletion, CommandError> {
    state.read(move |d| d.department_deletion_preview(id)).await
}

#[tauri::command]
pub async fn delete_department(
    state: State<'_, AppState>,
    id: DepartmentId,
) -> Result<DepartmentDeletion, CommandError> {
    state.act(move |d, a| d.delete_department(a, id)).await
}

#[tauri::command]
pub async fn set_department_head(
    state: State<'_, AppState>,
    id: DepartmentId,
    member_id: Option<MemberId>,
) -> Result<(), CommandError> {
    state
        .act(move |d, a| d.set_department_head(a, id, member_id))
        .await
}
