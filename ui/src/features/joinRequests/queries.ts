import { useQuery, useQueryClient, type QueryClient } from "@tanstack/react-query";

import * as api from "../../api";
import type { JoinLinkInput } from "../../bindings/JoinLinkInput";
import type { JoinLinkView } from "../../bindings/JoinLinkView";
import type { JoinPlacement } from "../../bindings/JoinPlacement";
import type { JoinRequestFilter } from "../../bindings/JoinRequestFilter";
import type { JoinRequestRow } from "../../bindings/JoinRequestRow";
import { LIST_PAGE_SIZE } from "../../components/paging";
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

/**
 * Switches the link on with its rules. On a computer in a team the rules are a change of the
 * log: kept on this computer while the gateway is slow to bring it back, the link was switched
 * on all the same, so it is read again from the gateway.
 */
export function useSetJoinLink(callbacks: CommandCallbacks<JoinLinkView, JoinLinkInput>) {
  const client = useQueryClient();
  const onKept = () => {
    void client.invalidateQueries({ queryKey: api.queryKeys.joinLink });
    callbacks.onKept?.();
  };
  return useJoinLinkCommand(api.setJoinLink, { ...callbacks, onKept });
}

export function useRotateJoinLink(callbacks: CommandCallbacks<JoinLinkView, void>) {
  return useJoinLinkCommand(api.rotateJoinLink, callbacks);
}

export function useDisableJoinLink(callbacks: CommandCallbacks<JoinLinkView, void>) {
  return useJoinLinkCommand(api.disableJoinLink, callbacks);
}

/** A page of join requests (`page` counts from 1); the previous page stays on screen while the next loads. */
/**
 * Reads ahead what the Join Requests screen shows first (the waiting requests' first page, and
 * the join link), so that its first opening draws from the cache as the later ones do.
 */
export function prefetchJoinRequests(client: QueryClient) {
  return Promise.all([
    client.prefetchQuery({
      queryKey: api.queryKeys.joinRequests("waiting", "", 1),
      queryFn: () => api.listJoinRequests("waiting", "", 0, LIST_PAGE_SIZE),
    }),
    client.prefetchQuery({ queryKey: api.queryKeys.joinLink, queryFn: api.joinLink }),
  ]);
}

export function useJoinRequests(filter: JoinRequestFilter, search: string, page: number, offset: number, limit: number) {
  return usePage(api.queryKeys.joinRequests(filter, search, page), () => api.listJoinRequests(filter, search, offset, limit), {
    keepPrevious: true,
  });
}

/** How many requests wait for a decision (the navigation's badge); read again whenever the
 *  join requests change, among them when the gateway's feed brings new ones. */
export function useWaitingJoinRequestCount(): number {
  const waiting = useQuery({
    queryKey: api.queryKeys.waitingJoinRequests,
    queryFn: () => api.listJoinRequests("waiting", "", 0, 1),
    select: (p) => p.total,
  });
  return waiting.data ?? 0;
}

/** The lists, the badge and the overview's "Pending approval" figure. */
const JOIN_REQUEST_KEYS = [api.queryKeys.joinRequestsAll, api.queryKeys.orgOverview];

/** What a change to join requests alters: their lists, their count and the overview. */
export function useInvalidateJoinRequests() {
  return useInvalidate(JOIN_REQUEST_KEYS);
}

/** Requests to approve (into `placement`) or reject, all or nothing. */
export type Decision = { rows: JoinRequestRow[]; approve: boolean; placement?: JoinPlacement };

/** Approves or rejects requests: alters the requests and, once approved, the directory. */
export function useDecideJoinRequests(callbacks: CommandCallbacks<number[], Decision>) {
  const invalidateRequests = useInvalidateJoinRequests();
  const invalidateDirectory = useInvalidateDirectory();
  const changed = () => {
    invalidateRequests();
    invalidateDirectory();
  };
  return useCommand(
    ({ rows, approve, placement }: Decision) => api.decideJoinRequests(rows.map((r) => Number(r.id)), approve, placement),
    changed,
    callbacks,
  );
}
