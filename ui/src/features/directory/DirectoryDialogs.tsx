import type { BatchResult } from "../members/BatchResultModal";
import type { Selection } from "../../bindings/Selection";
import { useShownOnce } from "../../components/once";
import { InviteDialog } from "../invitations/InviteDialog";
import { AddMemberWizard } from "../members/AddMemberWizard";
import { BatchEditModal } from "../members/BatchEditModal";
import { BatchResultModal } from "../members/BatchResultModal";
import { EditMemberModal } from "../members/EditMemberModal";
import { FormerMembersDrawer } from "../members/FormerMembersDrawer";
import { InviteeModal } from "../members/InviteeModal";
import { MemberDrawer } from "../members/MemberDrawer";
import { RemoveDialog } from "../members/RemoveDialog";
import { ResetPasswordDialog } from "../members/ResetPasswordDialog";
import { SetPasswordDialog } from "../members/SetPasswordDialog";
import type { DirectoryDialogsState } from "./useDirectoryDialogs";

type Props = {
  dialogs: DirectoryDialogsState;
  /** Where members are added. */
  departmentId: number | null;
  selection: Selection;
  selectedCount: number;
  clearSelection: () => void;
  /** A batch change finished: show what it did, clear the selection. */
  onBatchDone: (outcome: BatchResult) => void;
};

/**
 * The drawers and dialogs of Members & Departments, each shown while `dialogs` says so. The
 * member drawer, the former members and the batch result are made when first opened (none is
 * in the window's first picture) and stay mounted, closed, after that.
 */
export function DirectoryDialogs({ dialogs: d, departmentId, selection, selectedCount, clearSelection, onBatchDone }: Props) {
  const removing = d.removing;
  const drawerMade = useShownOnce(d.drawerId !== null);
  const formerMade = useShownOnce(d.formerOpen);
  const batchOutcomeMade = useShownOnce(d.batchOutcome !== null);
  return (
    <>
      {drawerMade && <MemberDrawer memberId={d.drawerId} onClose={d.closeDrawer} onEdit={d.setEditing} onRemove={d.setRemoving} />}
      {d.editing && <EditMemberModal member={d.editing} onClose={() => d.setEditing(null)} />}
      {removing && (
        <RemoveDialog
          member={removing}
          onClose={() => d.setRemoving(null)}
          onRemoved={() => {
            if (d.drawerId === removing.id) d.setDrawerId(null);
            clearSelection();
          }}
        />
      )}
      {d.wizardOpen && departmentId !== null && (
        <AddMemberWizard departmentId={departmentId} onClose={() => d.setWizardOpen(false)} onAdded={() => undefined} />
      )}
      {d.invitee && departmentId !== null && (
        <InviteeModal departmentId={departmentId} prefill={d.invitee} onClose={() => d.setInvitee(null)} onAdded={() => undefined} />
      )}
      {formerMade && <FormerMembersDrawer open={d.formerOpen} onClose={d.closeFormer} onInvite={d.inviteFormer} />}
      {d.batchEdit && <BatchEditModal selection={selection} count={selectedCount} onClose={() => d.setBatchEdit(false)} onDone={onBatchDone} />}
      {batchOutcomeMade && <BatchResultModal outcome={d.batchOutcome} onClose={d.closeBatchOutcome} />}
      {d.inviting && <InviteDialog targets={d.inviting} onClose={() => d.setInviting(null)} />}
      {d.resetting && <ResetPasswordDialog member={d.resetting} onClose={() => d.setResetting(null)} />}
      {d.settingPassword && <SetPasswordDialog member={d.settingPassword} onClose={() => d.setSettingPassword(null)} />}
    </>
  );
}
