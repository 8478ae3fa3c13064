import { Badge } from "antd";
import { useTranslation } from "react-i18next";

import type { MemberAction } from "../../bindings/MemberAction";
import type { MemberStatus } from "../../bindings/MemberStatus";

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
