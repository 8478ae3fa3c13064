import { Badge } from "antd";
import { useTranslation } from "react-i18next";

import type { MemberAction } from "../../bindings/MemberAction";
import type { MemberStatus } from "../../bindings/MemberStatus";
import { useAppStatus } from "../session/queries";

/** The built-in role that only a Super Admin gives, takes away or acts on (the core's rule). */
export const SUPER_ADMIN = "Super Admin";

/** Whether the signed-in admin holds the Super Admin role. */
export function useIsSuperAdmin(): boolean {
  return useAppStatus().data?.session?.roles.includes(SUPER_ADMIN) ?? false;
}

/**
 * Whether a member holding `roles` is out of the signed-in admin's reach for their status,
 * password and removal: a Super Admin, to an admin who is not one (the core refuses it).
 */
export function superAdminLocked(roles: readonly string[], viewerIsSuperAdmin: boolean): boolean {
  return !viewerIsSuperAdmin && roles.includes(SUPER_ADMIN);
}

export const STATUS_COLOR: Record<MemberStatus, "success" | "default" | "processing" | "warning" | "error"> = {
  enabled: "success",
  disabled: "default",
  not_joined: "processing",
  pending_approval: "warning",
  rejected: "error",
  resigned: "error",
};

export function StatusBadge({ status, testId }: { status: MemberStatus; testId?: string }) {
  const { t } = useTranslation();
  return (
    <span data-testid={testId} data-status={status}>
      <Badge status={STATUS_COLOR[status]} text={t(`members.status.${status}`)} />
    </span>
  );
}

/**
 * The status in a list row: the same dot and words as `StatusBadge`, in plain elements (a
 * page of rows renders 50 of them) and without the pulsing ring, which would repaint the
 * table on every animation frame.
 */
export function StatusDot({ status, label, testId }: { status: MemberStatus; label: string; testId?: string }) {
  return (
    <span data-testid={testId} data-status={status} className={`orgdesk-status orgdesk-status-${STATUS_COLOR[status]}`}>
      {label}
    </span>
  );
}

/** The actions a status allows (the same rule as the core), for rows we have no details of. */
/** A member who can sign in, or could once enabled: their password can be set or reset. */
export function hasAccount(m: { status: MemberStatus; username: string | null }): boolean {
  return m.username !== null && (m.status === "enabled" || m.status === "disabled");
}

/**
 * The row menu's account actions, before the status ones: a reset link for those who can sign
 * in, a new password for those with an account, an invitation for those who have not joined.
 */
export function accountActionsFor(m: { status: MemberStatus; username: string | null }): AccountAction[] {
  if (m.status === "not_joined") return ["invite"];
  if (!hasAccount(m)) return [];
  return m.status === "enabled" ? ["resetPassword", "setPassword"] : ["setPassword"];
}

export type AccountAction = "invite" | "resetPassword" | "setPassword";

export function actionsForStatus(status: MemberStatus): MemberAction[] {
  switch (status) {
    case "enabled":
      return ["edit", "disable", "resign", "remove"];
    case "disabled":
      return ["edit", "enable", "resign", "remove"];
    case "resigned":
      return ["restore", "remove"];
    case "not_joined":
      return ["edit", "remove"];
    default:
      return ["remove"];
  }
}
