import { useQuery, type QueryClient } from "@tanstack/react-query";

import * as api from "../../api";
import type { InvitationBatchOutcome } from "../../bindings/InvitationBatchOutcome";
import type { InvitationQuery } from "../../bindings/InvitationQuery";
import type { InvitationRow } from "../../bindings/InvitationRow";
import type { InviteChannel } from "../../bindings/InviteChannel";
import type { InviteOutcome } from "../../bindings/InviteOutcome";
import type { Lang } from "../../bindings/Lang";
import type { InvitationState } from "../../bindings/InvitationState";
import { LIST_PAGE_SIZE } from "../../components/paging";
import { useCommand, useInvalidate, usePage, type CommandCallbacks } from "../../queryClient";
import { useInvalidateDirectory } from "../directory/queries";

/** What the Invitations screen asks for a page of its list. */
export function invitationsQuery(states: InvitationState[], search: string, offset: number, limit: number): InvitationQuery {
  return { states, memberId: null, search: search.trim(), offset, limit };
}

/**
 * Reads ahead what the Invitations screen shows first (all invitations, the first page, and
 * the counts), so that its first opening draws from the cache as the later ones do.
 */
export function prefetchInvitations(client: QueryClient) {
  const first = invitationsQuery([], "", 0, LIST_PAGE_SIZE);
  return Promise.all([
    client.prefetchQuery({ queryKey: api.queryKeys.invitations(first), queryFn: () => api.listInvitations(first) }),
    client.prefetchQuery({ queryKey: api.queryKeys.invitationCounts, queryFn: api.invitationCounts }),
  ]);
}

/** A page of invitations (see `usePage` for `keepPrevious`). */
export function useInvitations(query: InvitationQuery, options: { enabled?: boolean; keepPrevious?: boolean } = {}) {
  return usePage(api.queryKeys.invitations(query), () => api.listInvitations(query), options);
}

export function useInvitationCounts() {
  return useQuery({ queryKey: api.queryKeys.invitationCounts, queryFn: api.invitationCounts });
}

/** The mail the built-in gateway wrote instead of sending. */
export function useSentMail(enabled: boolean) {
  return useQuery({ queryKey: api.queryKeys.sentMail, queryFn: api.listSentMail, enabled });
}

export function useSentMailMessage(file: string | null, enabled: boolean) {
  return useQuery({
    queryKey: api.queryKeys.sentMailMessage(file ?? ""),
    queryFn: () => api.readSentMail(file ?? ""),
    enabled: enabled && file !== null,
  });
}

/** The message of an invitation kept in the built-in gateway's folder (not sent). */
export function useInvitationMail(invitationId: number | null) {
  return useQuery({
    queryKey: api.queryKeys.invitationMail(invitationId ?? 0),
    queryFn: () => api.readInvitationMail(invitationId ?? 0),
    enabled: invitationId !== null,
  });
}

const INVITATION_KEYS = [api.queryKeys.invitationsAll, api.queryKeys.invitationCounts];

/** What a change to invitations alters: their lists and the counts by state. */
export function useInvalidateInvitations() {
  return useInvalidate(INVITATION_KEYS);
}

export function useResendInvitation(callbacks: CommandCallbacks<null, InvitationRow>) {
  return useCommand((r: InvitationRow) => api.resendInvitation(Number(r.id)), useInvalidateInvitations(), callbacks);
}

export function useCancelInvitation(callbacks: CommandCallbacks<null, InvitationRow>) {
  return useCommand((r: InvitationRow) => api.cancelInvitation(Number(r.id)), useInvalidateInvitations(), callbacks);
}

export type InvitationBatch = { action: "resend" | "cancel"; ids: number[] };

/** Resends or cancels several invitations in one go; those already closed are passed over and named. */
export function useChangeInvitations(callbacks: CommandCallbacks<InvitationBatchOutcome, InvitationBatch>) {
  const change = ({ action, ids }: InvitationBatch) => (action === "resend" ? api.resendInvitations(ids) : api.cancelInvitations(ids));
  return useCommand(change, useInvalidateInvitations(), callbacks);
}

/** Invites members: alters the invitations and the members (their status and latest invitation). */
export type InviteRequest = { channel: InviteChannel; language?: Lang };

export function useInviteMembers(memberIds: number[], callbacks: CommandCallbacks<InviteOutcome, InviteRequest>) {
  const invalidateInvitations = useInvalidateInvitations();
  const invalidateDirectory = useInvalidateDirectory();
  const changed = () => {
    invalidateInvitations();
    invalidateDirectory();
  };
  return useCommand(({ channel, language }: InviteRequest) => api.inviteMembers(memberIds, channel, language), changed, callbacks);
}
