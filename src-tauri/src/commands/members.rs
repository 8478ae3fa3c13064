use orgdesk_core::batch::{BatchChange, BatchOutcome, Selection};
use orgdesk_core::members::{
    FormerMember, MemberAction, MemberDetails, MemberPage, MemberPatch, MemberQuery, NewInvitee,
    NewMember, RemoveOutcome, SetPasswordInput, TransferPreview, UpdateOutcome,
};
use orgdesk_core::team::Command;
use orgdesk_core::types::{DepartmentId, MemberId, MemberStatus};

use super::{Answer, Dir};

directory_commands! {
    read list_members(query: MemberQuery) -> MemberPage = |d| d.list_members(&query);
    read member_details(id: MemberId) -> MemberDetails = |d| d.member_details(id);
    logged add_member(input: NewMember) -> MemberId =
        |d, a| d.add_member(a, &input),
        as |_| Command::add_member(input),
        // Its id is the one the directory gave it, read once the change is back.
        then |d, _| d.find_member(&input.username);
    logged add_invitee(input: NewInvitee) -> MemberId =
        |d, a| d.add_invitee(a, &input),
        as |_| Ok(Command::AddInvitee { invitee: input }),
        // Its id is the one the directory gave it, read once the change is back.
        then |d, _| d.find_invitee(&input);
    logged update_member(id: MemberId, patch: MemberPatch) -> UpdateOutcome =
        |d, a| d.update_member(a, id, &patch),
        as |_| Ok(Command::UpdateMember { member_id: id, patch });
    logged set_primary_department(id: MemberId, department_id: DepartmentId) -> () =
        |d, a| d.set_primary_department(a, id, department_id),
        as |_| Ok(Command::SetPrimaryDepartment { member_id: id, department_id });
    logged change_member_status(id: MemberId, action: MemberAction) -> MemberStatus =
        |d, a| d.change_status(a, id, action),
        as |_| Ok(Command::ChangeStatus { member_id: id, action });
    logged set_member_password(id: MemberId, input: SetPasswordInput) -> () =
        |d, a| d.set_member_password(a, id, &input),
        // Checked and hashed here: the change carries the hash, never the password.
        as |d| Command::set_member_password(d, id, &input);
    read transfer_preview(id: MemberId) -> TransferPreview = |d| d.transfer_preview(id);
    logged remove_member(id: MemberId, transfer_to: Option<MemberId>) -> RemoveOutcome =
        |d, a| d.remove_member(a, id, transfer_to),
        as |_| Ok(Command::RemoveMember { member_id: id, transfer_to });
    logged batch_update(selection: Selection, change: BatchChange) -> BatchOutcome =
        |d, a| d.batch_update(a, &selection, &change),
        // A list's filter is turned into its members' ids when the change is made.
        as |d| Ok(Command::BatchUpdate { member_ids: d.selection_ids(&selection)?, change });
    read former_members() -> Vec<FormerMember> = |d| d.former_members();
}
