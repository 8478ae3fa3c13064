use orgdesk_core::batch::{BatchChange, BatchOutcome, Selection};
use orgdesk_core::members::{
    FormerMember, MemberAction, MemberDetails, MemberPage, MemberPatch, MemberQuery, NewInvitee,
    NewMember, RemoveOutcome, SetPasswordInput, TransferPreview, UpdateOutcome,
};
use orgdesk_core::types::{DepartmentId, MemberId, MemberStatus};

use super::{Answer, Dir};

#[tauri::command]
pub async fn list_members(state: Dir<'_>, query: MemberQuery) -> Answer<MemberPage> {
    state.read(move |d| d.list_members(&query)).await
}

#[tauri::command]
pub async fn member_details(state: Dir<'_>, id: MemberId) -> Answer<MemberDetails> {
    state.read(move |d| d.member_details(id)).await
}

#[tauri::command]
pub async fn add_member(state: Dir<'_>, input: NewMember) -> Answer<MemberId> {
    state.act(move |d, a| d.add_member(a, &input)).await
}

#[tauri::command]
pub async fn add_invitee(state: Dir<'_>, input: NewInvitee) -> Answer<MemberId> {
    state.act(move |d, a| d.add_invitee(a, &input)).await
}

#[tauri::command]
pub async fn update_member(
    state: Dir<'_>,
    id: MemberId,
    patch: MemberPatch,
) -> Answer<UpdateOutcome> {
    state.act(move |d, a| d.update_member(a, id, &patch)).await
}

#[tauri::command]
pub async fn set_primary_department(
    state: Dir<'_>,
    id: MemberId,
    department_id: DepartmentId,
) -> Answer<()> {
    state
        .act(move |d, a| d.set_primary_department(a, id, department_id))
        .await
}

#[tauri::command]
pub async fn change_member_status(
    state: Dir<'_>,
    id: MemberId,
    action: MemberAction,
) -> Answer<MemberStatus> {
    state.act(move |d, a| d.change_status(a, id, action)).await
}

#[tauri::command]
pub async fn set_member_password(
    state: Dir<'_>,
    id: MemberId,
    input: SetPasswordInput,
) -> Answer<()> {
    state
        .act(move |d, a| d.set_member_password(a, id, &input))
        .await
}

#[tauri::command]
pub async fn transfer_preview(state: Dir<'_>, id: MemberId) -> Answer<TransferPreview> {
    state.read(move |d| d.transfer_preview(id)).await
}

#[tauri::command]
pub async fn remove_member(
    state: Dir<'_>,
    id: MemberId,
    transfer_to: Option<MemberId>,
) -> Answer<RemoveOutcome> {
    state
        .act(move |d, a| d.remove_member(a, id, transfer_to))
        .await
}

#[tauri::command]
pub async fn batch_update(
    state: Dir<'_>,
    selection: Selection,
    change: BatchChange,
) -> Answer<BatchOutcome> {
    state
        .act(move |d, a| d.batch_update(a, &selection, &change))
        .await
}

#[tauri::command]
pub async fn former_members(state: Dir<'_>) -> Answer<Vec<FormerMember>> {
    state.read(|d| d.former_members()).await
}
