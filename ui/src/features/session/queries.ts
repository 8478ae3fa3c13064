import { useQuery } from "@tanstack/react-query";

import * as api from "../../api";

export function useAppStatus() {
  return useQuery({ queryKey: api.queryKeys.appStatus, queryFn: api.appStatus });
}
