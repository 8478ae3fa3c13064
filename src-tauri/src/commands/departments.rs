use orgdesk_core::department_deletion::DepartmentDeletion;
use orgdesk_core::departments::{DepartmentDetails, DepartmentNode};
use orgdesk_core::types::{DepartmentId, MemberId};

use super::{Answer, Dir};

#[tauri::command]
pub async fn department_tree(state: Dir<'_>) -> Answer<DepartmentNode> {
    state.read(|d| d.department_tree()).await
}

#[tauri::command]
pub async fn department_details(state: Dir<'_>, id: DepartmentId) -> Answer<DepartmentDetails> {
    state.read(move |d| d.department_details(id)).await
}

#[tauri::command]
pub async fn create_department(
    state: Dir<'_>,
    parent_id: DepartmentId,
    name: String,
) -> Answer<DepartmentId> {
    state
        .act(move |d, a| d.create_department(a, parent_id, &name))
        .await
}

#[tauri::command]
pub async fn rename_department(state: Dir<'_>, id: DepartmentId, name: String) -> Answer<()> {
    state
        .act(move |d, a| d.rename_department(a, id, &name))
        .await
}

#[tauri::command]
pub async fn move_department(
    state: Dir<'_>,
    id: DepartmentId,
    parent_id: DepartmentId,
    index: Option<usize>,
) -> Answer<()> {
    state
        .act(move |d, a| d.move_department(a, id, parent_id, index))
        .await
}

#[tauri::command]
pub async fn department_deletion_preview(
    state: Dir<'_>,
    id: DepartmentId,
) -> Answer<DepartmentDeletion> {
    state.read(move |d| d.department_deletion_preview(id)).await
}

#[tauri::command]
pub async fn delete_department(state: Dir<'_>, id: DepartmentId) -> Answer<DepartmentDeletion> {
    state.act(move |d, a| d.delete_department(a, id)).await
}

#[tauri::command]
pub async fn set_department_head(
    state: Dir<'_>,
    id: DepartmentId,
    member_id: Option<MemberId>,
) -> Answer<()> {
    state
        .act(move |d, a| d.set_department_head(a, id, member_id))
        .await
}
