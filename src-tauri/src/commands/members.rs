use orgdesk_core::batch::{BatchChange, BatchOutcome, Selection};
use orgdesk_core::members::{
    FormerMember, MemberAction, MemberDetails, MemberPage, MemberPatch, MemberQuery, NewInvitee,
    NewMember, RemoveOutcome, SetPasswordInput, TransferPreview, UpdateOutcome,
};
use orgdesk_core::types::{DepartmentId, MemberId, MemberStatus};
use orgdesk_core::CommandError;
use tauri::State;

use crate::state::AppState;

#[tauri::command]
pub async fn list_members(
    state: State<'_, AppState>,
    query: MemberQuery,
) -> Result<MemberPage, CommandError> {
    state.read(move |d| d.list_members(&query)).await
}

#[tauri::command]
pub async fn member_details(
    state: State<'_, AppState>,
    id: MemberId,
) -> Result<MemberDetails, CommandError> {
    state.read(move |d| d.member_details(id)).await
}

#[tauri::command]
pub async fn add_member(
    state: State<'_, AppState>,
    input: NewMember,
) -> Result<MemberId, CommandError> {
    state.act(move |d, a| d.add_member(a, &input)).await
}

#[tauri::command]
pub async fn add_invitee(
    state: State<'_, AppState>,
    input: NewInvitee,
) -> Result<MemberId, CommandError> {
    state.act(move |d, a| d.add_invitee(a, &input)).await
}

#[tauri::command]
pub async fn update_member(
    state: State<'_, AppState>,
    id: MemberId,
    patch: MemberPatch,
) -> Result<UpdateOutcome, CommandError> {
    state.act(move |d, a| d.update_member(a, id, &patch)).await
}

#[tauri::command]
pub async fn set_primary_department(
    state: State<'_, AppState>,
    id: MemberId,
    department_id: DepartmentId,
) -> Result<(), CommandError> {
    state
        .act(move |d, a| d.set_primary_department(a, id, department_id))
        .await
}

#[tauri::command]
pub async fn change_member_status(
    state: State<'_, AppState>,
    id: MemberId,
    action: MemberAction,
) -> Result<MemberStatus, CommandError> {
    state.act(move |d, a| d.change_status(a, id, action)).await
}

#[tauri::command]
pub async fn set_member_password(
    state: State<'_, AppState>,
    id: MemberId,
    input: SetPasswordInput,
) -> Result<(), CommandError> {
    state
        .act(move |d, a| d.set_member_password(a, id, &input))
        .await
}

#[tauri::command]
pub async fn transfer_preview(
    state: State<'_, AppState>,
    id: MemberId,
) -> Result<TransferPreview, CommandError> {
    state.read(move |d| d.transfer_preview(id)).await
}

#[tauri::command]
pub async fn remove_member(
    state: State<'_, AppState>,
    id: MemberId,
    transfer_to: Option<MemberId>,
) -> Result<RemoveOutcome, CommandError> {
    state
        .act(move |d, a| d.remove_member(a, id, transfer_to))
        .await
}

#[tauri::command]
pub async fn batch_update(
    state: State<'_, AppState>,
    selection: Selection,
    change: BatchChange,
) -> Result<BatchOutcome, CommandError> {
    state
        .act(move |d, a| d.batch_update(a, &selection, &change))
        .await
}

#[tauri::command]
pub async fn former_members(state: State<'_, AppState>) -> Result<Vec<FormerMember>, CommandError> {
    state.read(|d| d.former_members()).await
}
