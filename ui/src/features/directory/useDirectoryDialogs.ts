import { useCallback, useState } from "react";

import type { BatchResult } from "../members/BatchResultModal";
import type { FormerMember } from "../../bindings/FormerMember";
import type { MemberDetails } from "../../bindings/MemberDetails";
import type { InviteTarget } from "../invitations/InviteDialog";
import type { InviteePrefill } from "../members/InviteeModal";
import type { MemberTarget } from "../members/RemoveDialog";
import type { ResetTarget } from "../members/ResetPasswordDialog";
import type { PasswordTarget } from "../members/SetPasswordDialog";

/**
 * Which of the directory's drawers and dialogs are open, and on what. The setters and the
 * openers keep their identity (the memoized drawer and toolbar take them).
 */
export function useDirectoryDialogs() {
  const [drawerId, setDrawerId] = useState<number | null>(null);
  const [editing, setEditing] = useState<MemberDetails | null>(null);
  const [removing, setRemoving] = useState<MemberTarget | null>(null);
  const [wizardOpen, setWizardOpen] = useState(false);
  const [invitee, setInvitee] = useState<InviteePrefill | null>(null);
  const [formerOpen, setFormerOpen] = useState(false);
  const [batchEdit, setBatchEdit] = useState(false);
  const [inviting, setInviting] = useState<InviteTarget[] | null>(null);
  const [batchOutcome, setBatchOutcome] = useState<BatchResult | null>(null);
  const [resetting, setResetting] = useState<ResetTarget | null>(null);
  const [settingPassword, setSettingPassword] = useState<PasswordTarget | null>(null);

  const closeDrawer = useCallback(() => setDrawerId(null), []);
  const openWizard = useCallback(() => setWizardOpen(true), []);
  const openInvitee = useCallback(() => setInvitee({}), []);
  const inviteFormer = useCallback((m: FormerMember) => setInvitee({ name: m.name, email: m.email, mobile: m.mobile }), []);
  const openFormer = useCallback(() => setFormerOpen(true), []);
  const closeFormer = useCallback(() => setFormerOpen(false), []);
  const openBatchEdit = useCallback(() => setBatchEdit(true), []);
  const closeBatchOutcome = useCallback(() => setBatchOutcome(null), []);

  return {
    drawerId,
    setDrawerId,
    closeDrawer,
    editing,
    setEditing,
    removing,
    setRemoving,
    wizardOpen,
    setWizardOpen,
    openWizard,
    invitee,
    setInvitee,
    openInvitee,
    inviteFormer,
    formerOpen,
    openFormer,
    closeFormer,
    batchEdit,
    setBatchEdit,
    openBatchEdit,
    inviting,
    setInviting,
    batchOutcome,
    setBatchOutcome,
    closeBatchOutcome,
    resetting,
    setResetting,
    settingPassword,
    setSettingPassword,
  };
}

export type DirectoryDialogsState = ReturnType<typeof useDirectoryDialogs>;
