import { useQuery, useQueryClient } from "@tanstack/react-query";

import * as api from "../../api";
import type { JoinLinkInput } from "../../bindings/JoinLinkInput";
import type { JoinLinkView } from "../../bindings/JoinLinkView";
import type { JoinRequestRow } from "../../bindings/JoinRequestRow";
import { useCommand, useInvalidate, usePage, type CommandCallbacks } from "../../queryClient";
import { useInvalidateDirectory } from "../directory/queries";

export function useJoinLink() {
  return useQuery({ queryKey: api.queryKeys.joinLink, queryFn: api.joinLink });
}

/** A change to the join link answers the link as it now is: it replaces the one read. */
function useJoinLinkCommand<V>(command: (v: V) => Promise<JoinLinkView>, callbacks: CommandCallbacks<JoinLinkView, V>) {
  const client = useQueryClient();
  return useCommand(command, (v: JoinLinkView) => client.setQueryData(api.queryKeys.joinLink, v), callbacks);
}

export function useSetJoinLink(callbacks: CommandCallbacks<JoinLinkView, JoinLinkInput>) {
  return useJoinLinkCommand(api.setJoinLink, callbacks);
}

export function useRotateJoinLink(callbacks: CommandCallbacks<JoinLinkView, void>) {
  return useJoinLinkCommand(api.rotateJoinLink, callbacks);
}

export function useDisableJoinLink(callbacks: CommandCallbacks<JoinLinkView, void>) {
  return useJoinLinkCommand(api.disableJoinLink, callbacks);
}

/** A page of join requests (`page` counts from 1); the previous page stays on screen while the next loads. */
export function useJoinRequests(pendingOnly: boolean, page: number, offset: number, limit: number) {
  return usePage(api.queryKeys.joinRequests(pendingOnly, page), () => api.listJoinRequests(pendingOnly, offset, limit), { keepPrevious: true });
}

const JOIN_REQUEST_KEYS = [api.queryKeys.joinRequestsAll];

/** What a change to join requests alters: their lists. */
export function useInvalidateJoinRequests() {
  return useInvalidate(JOIN_REQUEST_KEYS);
}

export type Decision = { row: JoinRequestRow; approve: boolean };

/** Approves or rejects a request: alters the requests and, once approved, the directory. */
export function useDecideJoinRequest(callbacks: CommandCallbacks<number | null, Decision>) {
  const invalidateRequests = useInvalidateJoinRequests();
  const invalidateDirectory = useInvalidateDirectory();
  const changed = () => {
    invalidateRequests();
    invalidateDirectory();
  };
  return useCommand(({ row, approve }: Decision) => api.decideJoinRequest(Number(row.id), approve), changed, callbacks);
}
