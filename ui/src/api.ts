// The one typed module through which the UI talks to the backend (Tauri commands).
// Every command of docs/ui-contract.md has a function here; nothing else calls `invoke`.
import { invoke } from "@tauri-apps/api/core";

import type { AppStatus } from "./bindings/AppStatus";
import type { CommandError } from "./bindings/CommandError";
import type { DepartmentNode } from "./bindings/DepartmentNode";
import type { ErrorCode } from "./bindings/ErrorCode";
import type { ErrorDetail } from "./bindings/ErrorDetail";
import type { OrgOverview } from "./bindings/OrgOverview";
import type { Session } from "./bindings/Session";
import type { SetupInput } from "./bindings/SetupInput";
import type { SignInInput } from "./bindings/SignInInput";

export const ERROR_CODES: readonly ErrorCode[] = [
  "validation",
  "not_found",
  "conflict",
  "invalid_credentials",
  "too_many_attempts",
  "not_initialized",
  "already_initialized",
  "forbidden",
  "not_signed_in",
  "storage",
  "internal",
];

function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === "string" && (ERROR_CODES as readonly string[]).includes(value);
}

function toDetail(value: unknown): ErrorDetail | null {
  if (typeof value !== "object" || value === null) return null;
  const d = value as Record<string, unknown>;
  if (typeof d.code !== "string") return null;
  return {
    field: typeof d.field === "string" ? d.field : null,
    code: d.code,
    reason: typeof d.reason === "string" ? d.reason : "",
  };
}

/** Whatever a rejected command (or the runtime under it) gave us, as a `CommandError`. */
export function toCommandError(e: unknown): CommandError {
  if (typeof e === "object" && e !== null && !(e instanceof Error)) {
    const o = e as Record<string, unknown>;
    if (isErrorCode(o.code)) {
      return {
        code: o.code,
        message: typeof o.message === "string" ? o.message : "",
        details: Array.isArray(o.details)
          ? o.details.map(toDetail).filter((d): d is ErrorDetail => d !== null)
          : [],
        retryAfterSecs: typeof o.retryAfterSecs === "number" ? o.retryAfterSecs : null,
      };
    }
  }
  let message: string;
  if (typeof e === "string") message = e;
  else if (e instanceof Error) message = e.message;
  else {
    try {
      message = JSON.stringify(e) ?? String(e);
    } catch {
      message = String(e);
    }
  }
  return { code: "internal", message, details: [], retryAfterSecs: null };
}

export function isCommandError(e: unknown): e is CommandError {
  return (
    typeof e === "object" &&
    e !== null &&
    !(e instanceof Error) &&
    isErrorCode((e as Record<string, unknown>).code) &&
    Array.isArray((e as Record<string, unknown>).details)
  );
}

/** Calls a command; a failure always rejects with a normalized `CommandError`. */
async function call<T>(command: string, args?: Record<string, unknown>): Promise<T> {
  try {
    return await invoke<T>(command, args);
  } catch (e) {
    throw toCommandError(e);
  }
}

export const appStatus = (): Promise<AppStatus> => call("app_status");

export const setupOrganization = (input: SetupInput): Promise<null> =>
  call("setup_organization", { input });

export const signIn = (input: SignInInput): Promise<Session> => call("sign_in", { input });

export const signOut = (): Promise<null> => call("sign_out");

export const orgOverview = (): Promise<OrgOverview> => call("org_overview");

export const renameOrganization = (name: string): Promise<OrgOverview> =>
  call("rename_organization", { name });

export const departmentTree = (): Promise<DepartmentNode> => call("department_tree");

/** Query keys, so every screen invalidates the same things. */
export const queryKeys = {
  appStatus: ["app_status"] as const,
  orgOverview: ["org_overview"] as const,
  departmentTree: ["department_tree"] as const,
};
