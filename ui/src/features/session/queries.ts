import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";

import * as api from "../../api";
import type { AppStatus } from "../../bindings/AppStatus";
import type { ChangeOwnPasswordInput } from "../../bindings/ChangeOwnPasswordInput";
import type { CommandError } from "../../bindings/CommandError";
import type { Session } from "../../bindings/Session";
import type { SetupInput } from "../../bindings/SetupInput";
import type { SignInInput } from "../../bindings/SignInInput";
import { useInvalidate } from "../../queryClient";
import { prefetchDirectory } from "../directory/queries";

/** Whether the organization exists and who is signed in: what the window shows first. */
export function useAppStatus() {
  return useQuery({ queryKey: api.queryKeys.appStatus, queryFn: api.appStatus });
}

const APP_STATUS_KEYS = [api.queryKeys.appStatus];

/** What setting up, signing in or out changes: the app status (read again). */
export function useInvalidateAppStatus() {
  return useInvalidate(APP_STATUS_KEYS);
}

/** First run: creates the organization and its first admin; `onCreated` runs before the status is read again. */
export function useSetupOrganization(onCreated: (input: SetupInput) => void, onRefused: (error: CommandError) => void) {
  const invalidate = useInvalidateAppStatus();
  return useMutation<null, CommandError, SetupInput>({
    mutationFn: api.setupOrganization,
    onSuccess: (_data, input) => {
      onCreated(input);
      invalidate();
    },
    onError: (error) => {
      if (error.code === "already_initialized") invalidate();
      onRefused(error);
    },
  });
}

/**
 * How long a sign-in waits for the directory's first screen (the tree, the root's card and first
 * page) before the window changes anyway and shows what is missing as loading.
 */
export const FIRST_SCREEN_WAIT_MS = 1_000;

/**
 * Signs in. The app's status (now with the session) and the directory's first screen are read
 * before the window changes (for at most `FIRST_SCREEN_WAIT_MS`), and the status is written
 * once: the signed-in window is then built once, with its rows. Built empty, its render held
 * the answers back and it was built again when they came; and a status read after it changed
 * built it a third time. `onSignedIn` runs with the status already holding the session.
 */
export function useSignIn(onSignedIn: (session: Session) => void, onRefused: (error: CommandError) => void) {
  const client = useQueryClient();
  const invalidate = useInvalidateAppStatus();
  return useMutation<Session, CommandError, SignInInput>({
    mutationFn: api.signIn,
    onSuccess: async (session) => {
      const status = await atMost(
        Promise.all([api.appStatus().catch(() => undefined), prefetchDirectory(client).catch(() => undefined)]),
        FIRST_SCREEN_WAIT_MS,
      );
      // The status read in time is written as it is; else the session goes into the one held,
      // and the status is read again after the window shows.
      const fresh = status?.[0];
      client.setQueryData<AppStatus>(api.queryKeys.appStatus, (old) => fresh ?? (old ? { ...old, session } : old));
      onSignedIn(session);
      if (!fresh) invalidate();
    },
    onError: (error) => {
      if (error.code === "not_initialized") invalidate();
      onRefused(error);
    },
  });
}

/**
 * Signs out. After `onSignedOut`, everything read while signed in is forgotten and the status
 * (now without a session) is read again.
 */
export function useSignOut(onSignedOut: () => void, onRefused: (error: CommandError) => void) {
  const client = useQueryClient();
  return useMutation<null, CommandError>({
    mutationFn: api.signOut,
    onSuccess: () => {
      onSignedOut();
      client.removeQueries({ predicate: (q) => q.queryKey[0] !== api.queryKeys.appStatus[0] });
      client.setQueryData<AppStatus>(api.queryKeys.appStatus, (old) => (old ? { ...old, session: null } : old));
      void client.invalidateQueries({ queryKey: api.queryKeys.appStatus });
    },
    onError: onRefused,
  });
}

/** The signed-in admin changes their own password; the status then holds the session without "must change". */
export function useChangeOwnPassword(onChanged: (session: Session) => void, onRefused: (error: CommandError) => void) {
  const client = useQueryClient();
  return useMutation<Session, CommandError, ChangeOwnPasswordInput>({
    mutationFn: api.changeOwnPassword,
    onSuccess: (session) => {
      client.setQueryData<AppStatus>(api.queryKeys.appStatus, (old) => (old ? { ...old, session } : old));
      onChanged(session);
    },
    onError: onRefused,
  });
}

/** What `work` answers, or nothing once `ms` have passed, whichever comes first. */
function atMost<T>(work: Promise<T>, ms: number): Promise<T | undefined> {
  let timer = 0;
  const later = new Promise<undefined>((resolve) => {
    timer = window.setTimeout(resolve, ms);
  });
  return Promise.race([work, later]).finally(() => window.clearTimeout(timer));
}
