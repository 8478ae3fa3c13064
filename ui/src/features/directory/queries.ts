import type { QueryClient } from "@tanstack/react-query";

import * as api from "../../api";
import type { MemberQuery } from "../../bindings/MemberQuery";
import { useInvalidate } from "../../queryClient";

/**
 * What a change to members or departments alters: the tree and its counts, the department
 * cards, the member lists and details, the overview, former members and roles.
 */
const DIRECTORY_KEYS = [
  api.queryKeys.departmentTree,
  api.queryKeys.departmentDetailsAll,
  api.queryKeys.membersAll,
  api.queryKeys.memberDetailsAll,
  api.queryKeys.orgOverview,
  api.queryKeys.formerMembers,
  api.queryKeys.roles,
];

/** Marks stale what a change to members or departments alters (see `DIRECTORY_KEYS`). */
export function useInvalidateDirectory() {
  return useInvalidate(DIRECTORY_KEYS);
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
