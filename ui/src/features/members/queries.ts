import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useCallback, useRef } from "react";

import * as api from "../../api";
import type { BatchChange } from "../../bindings/BatchChange";
import type { BatchOutcome } from "../../bindings/BatchOutcome";
import type { Lang } from "../../bindings/Lang";
import type { MemberQuery } from "../../bindings/MemberQuery";
import type { MemberPatch } from "../../bindings/MemberPatch";
import type { NewInvitee } from "../../bindings/NewInvitee";
import type { NewMember } from "../../bindings/NewMember";
import type { RemoveOutcome } from "../../bindings/RemoveOutcome";
import type { Selection } from "../../bindings/Selection";
import type { SetPasswordInput } from "../../bindings/SetPasswordInput";
import type { UpdateOutcome } from "../../bindings/UpdateOutcome";
import { useCommand, usePage, type CommandCallbacks } from "../../queryClient";
import { useInvalidateDirectory } from "../directory/queries";
import { useInvalidateInvitations } from "../invitations/queries";

/** A page of the member list (see `usePage` for `keepPrevious`). */
export function useMemberPage(query: MemberQuery, options: { enabled?: boolean; keepPrevious?: boolean } = {}) {
  return usePage(api.queryKeys.members(query), () => api.listMembers(query), options);
}

/** A member's details, as the drawer, the edit dialog and the read-ahead on hover ask for them. */
function detailsQuery(id: number) {
  return { queryKey: api.queryKeys.memberDetails(id), queryFn: () => api.memberDetails(id) };
}

export function useMemberDetails(id: number, enabled: boolean) {
  return useQuery({ ...detailsQuery(id), enabled });
}

/** Reads a member's details (from the cache when fresh), for an action that needs them first. */
export function useFetchMemberDetails() {
  const client = useQueryClient();
  return useCallback((id: number) => client.fetchQuery(detailsQuery(id)), [client]);
}

/** Reads a member's details ahead, so that opening them shows them at once (kept 30 s, like every query). */
export function usePrefetchMemberDetails() {
  const client = useQueryClient();
  return useCallback((id: number) => void client.prefetchQuery(detailsQuery(id)), [client]);
}

/** How long a click waits for a member's details before their drawer opens without them (ms). */
const OPEN_WAIT_MS = 150;

/**
 * Opens a member's details (`open`) once they are read: at once when they are already in hand,
 * else when the read — or the read-ahead already under way — answers, and after 150 ms at most
 * (the drawer then opens on its skeleton, as it did before). The drawer's first picture then
 * holds the member, in one render, where it used to draw a skeleton first and the member in a
 * second render that the answer waited behind. A newer click wins over one still waiting.
 */
export function useOpenMemberDetails(open: (id: number) => void) {
  const client = useQueryClient();
  const waiting = useRef<number | null>(null);
  return useCallback(
    (id: number) => {
      const query = detailsQuery(id);
      const state = client.getQueryState(query.queryKey);
      if (state?.data !== undefined && !state.isInvalidated) {
        waiting.current = null;
        open(id);
        return;
      }
      waiting.current = id;
      const go = () => {
        if (waiting.current !== id) return;
        waiting.current = null;
        open(id);
      };
      const timer = window.setTimeout(go, OPEN_WAIT_MS);
      void client.prefetchQuery(query).finally(() => {
        window.clearTimeout(timer);
        go();
      });
    },
    [client, open],
  );
}

export function useFormerMembers(enabled: boolean) {
  return useQuery({ queryKey: api.queryKeys.formerMembers, queryFn: api.formerMembers, enabled });
}

/** What removing a member hands over; read afresh every time the dialog opens. */
export function useTransferPreview(id: number, enabled: boolean) {
  return useQuery({ queryKey: api.queryKeys.transferPreview(id), queryFn: () => api.transferPreview(id), enabled, staleTime: 0 });
}

// Every change below alters the directory: lists, details, tree counts, the overview.

export function useAddMember(callbacks: CommandCallbacks<number, NewMember>) {
  return useCommand(api.addMember, useInvalidateDirectory(), callbacks);
}

/**
 * Adds a member to invite, and when `sendNow` invites them at once. The member is saved even if
 * the invitation is refused: `onInviteRefused` says why, and the admin can resend.
 */
/** A member added for invitation, invited at once (`sendNow`) in `language` (the organization's when absent). */
export type NewInviteeRequest = { input: NewInvitee; sendNow: boolean; language?: Lang };

export function useAddInvitee(
  onInviteRefused: (e: unknown) => void,
  callbacks: CommandCallbacks<number, NewInviteeRequest>,
) {
  const invalidateDirectory = useInvalidateDirectory();
  const invalidateInvitations = useInvalidateInvitations();
  const addInvitee = async ({ input, sendNow, language }: NewInviteeRequest) => {
    const id = await api.addInvitee(input);
    if (sendNow) {
      try {
        await api.inviteMembers([id], input.email ? "email" : input.mobile ? "sms" : "link", language);
      } catch (e) {
        onInviteRefused(e);
      }
    }
    return id;
  };
  const changed = () => {
    invalidateDirectory();
    invalidateInvitations();
  };
  return useCommand(addInvitee, changed, callbacks);
}

export function useUpdateMember(id: number, callbacks: CommandCallbacks<UpdateOutcome, MemberPatch>) {
  return useCommand((patch: MemberPatch) => api.updateMember(id, patch), useInvalidateDirectory(), callbacks);
}

export function useSetPrimaryDepartment(callbacks: CommandCallbacks<null, { id: number; departmentId: number }>) {
  return useCommand(
    ({ id, departmentId }: { id: number; departmentId: number }) => api.setPrimaryDepartment(id, departmentId),
    useInvalidateDirectory(),
    callbacks,
  );
}

/** Removes a member, handing what they own to `transferTo` (none for a member who never joined). */
export function useRemoveMember(id: number, callbacks: CommandCallbacks<RemoveOutcome, number | null>) {
  return useCommand((transferTo: number | null) => api.removeMember(id, transferTo), useInvalidateDirectory(), callbacks);
}

export function useBatchUpdate(selection: Selection, callbacks: CommandCallbacks<BatchOutcome, BatchChange>) {
  return useCommand((change: BatchChange) => api.batchUpdate(selection, change), useInvalidateDirectory(), callbacks);
}

export function useSendPasswordReset(memberId: number) {
  return useCommand((channel: ResetChannel) => api.sendPasswordReset(memberId, channel), useInvalidateDirectory());
}

/** How a reset link reaches the member: their email, their mobile, or a link the admin passes on. */
export type ResetChannel = "email" | "sms" | "link";

/** An admin sets a member's password (the member's history gains the entry). */
export function useSetMemberPassword(memberId: number, callbacks: CommandCallbacks<null, SetPasswordInput>) {
  return useCommand((input: SetPasswordInput) => api.setMemberPassword(memberId, input), useInvalidateDirectory(), callbacks);
}
