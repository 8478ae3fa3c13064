use orgdesk_core::batch::{BatchChange, BatchOutcome, Selection};
use orgdesk_core::members::{
    FormerMember, MemberAction, MemberDetails, MemberPage, MemberPatch, MemberQuery, NewInvitee,
    NewMember, RemoveOutcome, SetPasswordInput, TransferPreview, UpdateOutcome,
};
use orgdesk_core::types::{DepartmentId, MemberId, MemberStatus};

use super::{Answer, Dir};

directory_commands! {
    read list_members(query: MemberQuery) -> MemberPage = |d| d.list_members(&query);
    read member_details(id: MemberId) -> MemberDetails = |d| d.member_details(id);
    act add_member(input: NewMember) -> MemberId = |d, a| d.add_member(a, &input);
    act add_invitee(input: NewInvitee) -> MemberId = |d, a| d.add_invitee(a, &input);
    act update_member(id: MemberId, patch: MemberPatch) -> UpdateOutcome =
        |d, a| d.update_member(a, id, &patch);
    act set_primary_department(id: MemberId, department_id: DepartmentId) -> () =
        |d, a| d.set_primary_department(a, id, department_id);
    act change_member_status(id: MemberId, action: MemberAction) -> MemberStatus =
        |d, a| d.change_status(a, id, action);
    act set_member_password(id: MemberId, input: SetPasswordInput) -> () =
        |d, a| d.set_member_password(a, id, &input);
    read transfer_preview(id: MemberId) -> TransferPreview = |d| d.transfer_preview(id);
    act remove_member(id: MemberId, transfer_to: Option<MemberId>) -> RemoveOutcome =
        |d, a| d.remove_member(a, id, transfer_to);
    act batch_update(selection: Selection, change: BatchChange) -> BatchOutcome =
        |d, a| d.batch_update(a, &selection, &change);
    read former_members() -> Vec<FormerMember> = |d| d.former_members();
}
