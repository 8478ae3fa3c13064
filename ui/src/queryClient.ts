import { QueryCache, QueryClient, MutationCache } from "@tanstack/react-query";

import * as api from "./api";
import { isCommandError } from "./api";

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
