import { useQuery, useQueryClient } from "@tanstack/react-query";

import * as api from "../../api";
import type { OrgOverview } from "../../bindings/OrgOverview";
import { useCommand, useInvalidate, type CommandCallbacks } from "../../queryClient";

export function useOrgOverview() {
  return useQuery({ queryKey: api.queryKeys.orgOverview, queryFn: api.orgOverview });
}

/** The organization's name shows in the title bar (app status), the tree's root and the overview. */
const RENAME_KEYS = [api.queryKeys.appStatus, api.queryKeys.departmentTree, api.queryKeys.orgOverview];

export function useRenameOrganization(callbacks: CommandCallbacks<OrgOverview, string>) {
  const client = useQueryClient();
  const invalidate = useInvalidate(RENAME_KEYS);
  const renamed = (updated: OrgOverview) => {
    client.setQueryData(api.queryKeys.orgOverview, updated);
    invalidate();
  };
  return useCommand(api.renameOrganization, renamed, callbacks);
}
