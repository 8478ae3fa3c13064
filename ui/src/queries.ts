import { listen } from "@tauri-apps/api/event";
import { QueryCache, QueryClient, MutationCache, useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect } from "react";

import * as api from "./api";
import { isCommandError } from "./api";
import type { MemberQuery } from "./bindings/MemberQuery";

/**
 * A query client for the window. When any command answers `not_signed_in` (the session
 * ended in the backend), the app status is read again so the sign-in screen shows.
 */
export function createQueryClient(): QueryClient {
  const client: QueryClient = new QueryClient({
    queryCache: new QueryCache({
      onError: (error, query) => {
        if (isCommandError(error) && error.code === "not_signed_in" && query.queryKey[0] !== api.queryKeys.appStatus[0]) {
          void client.invalidateQueries({ queryKey: api.queryKeys.appStatus });
        }
      },
    }),
    mutationCache: new MutationCache({
      onError: (error) => {
        if (isCommandError(error) && error.code === "not_signed_in") {
          void client.invalidateQueries({ queryKey: api.queryKeys.appStatus });
        }
      },
    }),
    defaultOptions: {
      queries: { retry: false, refetchOnWindowFocus: false, staleTime: 30_000 },
      mutations: { retry: false },
    },
  });
  return client;
}

/** Rows on a page of the member list until the admin picks another size. */
export const FIRST_PAGE_SIZE = 50;

/** The member list as Members & Departments first shows it: a department with everyone below. */
export function firstPageQuery(departmentId: number): MemberQuery {
  return { departmentId, includeSubDepartments: true, status: "all", search: null, offset: 0, limit: FIRST_PAGE_SIZE };
}

/**
 * Reads what the directory screen shows first (the tree, then the root's card and first page of
 * members) as soon as the admin is signed in, while the window is still building the screen: the
 * screen then renders once, with its data, instead of asking in turn after each render.
 */
export async function prefetchDirectory(client: QueryClient): Promise<void> {
  const tree = await client.fetchQuery({ queryKey: api.queryKeys.departmentTree, queryFn: api.departmentTree });
  const query = firstPageQuery(tree.id);
  await Promise.all([
    client.prefetchQuery({ queryKey: api.queryKeys.members(query), queryFn: () => api.listMembers(query) }),
    client.prefetchQuery({ queryKey: api.queryKeys.departmentDetails(tree.id), queryFn: () => api.departmentDetails(tree.id) }),
  ]);
}

export function useAppStatus() {
  return useQuery({ queryKey: api.queryKeys.appStatus, queryFn: api.appStatus });
}

/**
 * Reads again what the backend says changed behind the window's back: invitations moving
 * through the gateway, members joining.
 */
export function useBackendEvents() {
  const client = useQueryClient();
  useEffect(() => {
    const invitationKeys = [
      api.queryKeys.invitationsAll,
      api.queryKeys.invitationCounts,
      api.queryKeys.gatewayStatus,
      api.queryKeys.joinRequestsAll,
    ];
    const directoryKeys = [
      api.queryKeys.membersAll,
      api.queryKeys.memberDetailsAll,
      api.queryKeys.departmentDetailsAll,
      api.queryKeys.orgOverview,
    ];
    const subscriptions = [
      listen(api.EVENTS.invitationsChanged, () => {
        for (const queryKey of invitationKeys) void client.invalidateQueries({ queryKey });
      }).catch(() => null),
      listen(api.EVENTS.directoryChanged, () => {
        for (const queryKey of directoryKeys) void client.invalidateQueries({ queryKey });
      }).catch(() => null),
    ];
    return () => {
      for (const s of subscriptions) void s.then((unlisten) => unlisten?.());
    };
  }, [client]);
}
