import { useQuery, useQueryClient } from "@tanstack/react-query";
import type { QueryClient } from "@tanstack/react-query";

import * as api from "../../api";
import type { AppStatus } from "../../bindings/AppStatus";
import type { Session } from "../../bindings/Session";
import type { SetupInput } from "../../bindings/SetupInput";
import type { SignInInput } from "../../bindings/SignInInput";
import { useCommand, useInvalidate, type CommandCallbacks } from "../../queryClient";
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

/** Reads the status again when a command was refused with `code` (the app's state moved on). */
function withStatusOnRefusal<D, V>(code: string, invalidate: () => void, callbacks: CommandCallbacks<D, V>): CommandCallbacks<D, V> {
  return {
    ...callbacks,
    onError: (...args) => {
      if (args[0].code === code) invalidate();
      return callbacks.onError?.(...args);
    },
  };
}

/** First run: creates the organization and its first admin. */
export function useSetupOrganization(callbacks: CommandCallbacks<null, SetupInput>) {
  const invalidate = useInvalidateAppStatus();
  return useCommand(api.setupOrganization, invalidate, withStatusOnRefusal("already_initialized", invalidate, callbacks));
}

/** Signs in; the directory's first screen is read at once, while the window is being built. */
export function useSignIn(callbacks: CommandCallbacks<Session, SignInInput>) {
  const client = useQueryClient();
  const invalidate = useInvalidateAppStatus();
  const signedIn = (session: Session) => {
    void prefetchDirectory(client).catch(() => undefined);
    client.setQueryData<AppStatus>(api.queryKeys.appStatus, (old) => (old ? { ...old, session } : old));
    invalidate();
  };
  return useCommand(api.signIn, signedIn, withStatusOnRefusal("not_initialized", invalidate, callbacks));
}

/** Forgets everything read while signed in, keeping the status (now without a session). */
function signedOut(client: QueryClient) {
  client.removeQueries({ predicate: (q) => q.queryKey[0] !== api.queryKeys.appStatus[0] });
  client.setQueryData<AppStatus>(api.queryKeys.appStatus, (old) => (old ? { ...old, session: null } : old));
  void client.invalidateQueries({ queryKey: api.queryKeys.appStatus });
}

export function useSignOut(callbacks: CommandCallbacks<null, void>) {
  const client = useQueryClient();
  return useCommand(api.signOut, () => signedOut(client), callbacks);
}
