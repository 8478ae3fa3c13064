import { useQuery } from "@tanstack/react-query";

import * as api from "../../api";

export function useDepartmentTree() {
  return useQuery({ queryKey: api.queryKeys.departmentTree, queryFn: api.departmentTree });
}
