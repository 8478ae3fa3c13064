import { useQuery } from "@tanstack/react-query";

import * as api from "../../api";

export function useRoles() {
  return useQuery({ queryKey: api.queryKeys.roles, queryFn: api.listRoles });
}
