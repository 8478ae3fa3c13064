import { QueryCache, QueryClient, MutationCache, keepPreviousData, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import type { QueryKey, UseMutationOptions } from "@tanstack/react-query";
import { App as AntApp } from "antd";
import { useCallback } from "react";
import { useTranslation } from "react-i18next";

import * as api from "./api";
import { isCommandError } from "./api";
import type { CommandError } from "./bindings/CommandError";
import { errorText, isKept, isRemovedFromTeam } from "./errors";

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

/**
 * A page of a list. With `keepPrevious`, the previous page stays on screen until this one's
 * answer arrives (an older answer that comes late lands in the cache under its own key).
 */
export function usePage<K extends QueryKey, T>(
  queryKey: K,
  queryFn: () => Promise<T>,
  { enabled = true, keepPrevious = false }: { enabled?: boolean; keepPrevious?: boolean } = {},
) {
  return useQuery({ queryKey, queryFn, enabled, placeholderData: keepPrevious ? keepPreviousData : undefined });
}

/**
 * A callback, the same on every render, that marks the queries under `keys` stale (those on
 * screen are read again). `keys` is a feature's constant list: what one of its changes alters.
 */
export function useInvalidate(keys: readonly QueryKey[]): () => void {
  const client = useQueryClient();
  return useCallback(() => {
    for (const queryKey of keys) void client.invalidateQueries({ queryKey });
  }, [client, keys]);
}

/** What a component adds to a feature's command: what to do with its answer or refusal, and
 *  (`onKept`) once an edit is kept on this computer until the team's gateway answers — its
 *  dialog closes, since the edit is saved and would only be queued again. */
export type CommandCallbacks<D, V> = Pick<UseMutationOptions<D, CommandError, V>, "onSuccess" | "onError" | "onSettled"> & {
  onKept?: () => void;
};

const KEPT_KEYS = [api.queryKeys.teamStatus];

/**
 * Answers an edit kept on this computer while the team's gateway does not answer with a
 * notice (and reads again what waits to be sent); true when `error` was that.
 */
export function useKeptNotice(): (error: CommandError) => boolean {
  const { message } = AntApp.useApp();
  const { t } = useTranslation();
  const invalidate = useInvalidate(KEPT_KEYS);
  return useCallback(
    (error: CommandError) => {
      if (!isKept(error)) return false;
      void message.info({ content: t("team.kept"), key: "team-kept" });
      invalidate();
      return true;
    },
    [message, t, invalidate],
  );
}

/**
 * A backend command as a mutation. When it succeeds, `changed` first brings the cache up to
 * date (what the feature says the command alters), then the caller's `onSuccess` runs. An edit
 * kept on this computer in a team is a notice, not the caller's error; one refused because
 * this computer was removed from its team reaches the caller with its message in the window's
 * language.
 */
export function useCommand<D, V = void>(
  mutationFn: (variables: V) => Promise<D>,
  changed: (data: D, variables: V) => void,
  callbacks: CommandCallbacks<D, V> = {},
) {
  const kept = useKeptNotice();
  const { t } = useTranslation();
  const { onKept, ...options } = callbacks;
  return useMutation<D, CommandError, V>({
    mutationFn,
    ...options,
    onSuccess: (...args) => {
      changed(args[0], args[1]);
      return callbacks.onSuccess?.(...args);
    },
    onError: (error, ...rest) => {
      if (kept(error)) return onKept?.();
      const worded = isRemovedFromTeam(error) ? { ...error, message: errorText(t, error) } : error;
      return callbacks.onError?.(worded, ...rest);
    },
  });
}
