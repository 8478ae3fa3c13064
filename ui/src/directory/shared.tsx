import { useQuery, useQueryClient } from "@tanstack/react-query";
import { Badge } from "antd";
import type { FormInstance } from "antd";
import type { TFunction } from "i18next";
import { useCallback, useLayoutEffect, useRef } from "react";
import { useTranslation } from "react-i18next";

import * as api from "../api";
import type { CommandError } from "../bindings/CommandError";
import type { DepartmentNode } from "../bindings/DepartmentNode";
import type { MemberAction } from "../bindings/MemberAction";
import type { MemberStatus } from "../bindings/MemberStatus";
import { detailText, errorText, splitDetails } from "../errors";

/** Invalidates everything a directory change can affect: tree counts, lists, details, overview. */
export function useInvalidateDirectory() {
  const client = useQueryClient();
  return useCallback(() => {
    for (const key of [
      api.queryKeys.departmentTree,
      api.queryKeys.departmentDetailsAll,
      api.queryKeys.membersAll,
      api.queryKeys.memberDetailsAll,
      api.queryKeys.orgOverview,
      api.queryKeys.formerMembers,
      api.queryKeys.roles,
    ]) {
      void client.invalidateQueries({ queryKey: key });
    }
  }, [client]);
}

export function useDepartmentTree() {
  return useQuery({ queryKey: api.queryKeys.departmentTree, queryFn: api.departmentTree });
}

export function useRoles() {
  return useQuery({ queryKey: api.queryKeys.roles, queryFn: api.listRoles });
}

export type DeptOption = { value: number; title: string; children: DeptOption[]; disabled?: boolean };

/** The tree as TreeSelect data; `exclude` drops a subtree (a department cannot move under itself). */
export function deptOptions(node: DepartmentNode, exclude?: number): DeptOption[] {
  if (node.id === exclude) return [];
  return [{ value: node.id, title: node.name, children: node.children.flatMap((c) => deptOptions(c, exclude)) }];
}

export function findDept(node: DepartmentNode, id: number): DepartmentNode | null {
  if (node.id === id) return node;
  for (const child of node.children) {
    const found = findDept(child, id);
    if (found) return found;
  }
  return null;
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

/**
 * Puts a failed command's validation details onto the form's fields; returns the text of
 * whatever did not belong to a field (or null when everything was placed).
 */
export function applyServerError(
  t: TFunction,
  form: FormInstance | null,
  error: CommandError,
  fields: readonly string[],
  fieldMap: Record<string, string> = {},
): string | null {
  const mapped = { ...error, details: error.details.map((d) => ({ ...d, field: d.field && (fieldMap[d.field] ?? d.field) })) };
  const { byField, other } = splitDetails(mapped, fields);
  if (form) {
    form.setFields(
      [...byField].map(([name, codes]) => ({
        name,
        errors: codes.map((code) => detailText(t, { field: name, code, reason: "" })),
      })),
    );
  }
  const rest = other.map((d) => detailText(t, d));
  if (byField.size > 0 && rest.length === 0) return null;
  return [errorText(t, error), ...rest].join(" ");
}

export function formatTime(lang: string, ms: number | null): string {
  if (ms === null) return "—";
  return new Intl.DateTimeFormat(lang, { dateStyle: "medium", timeStyle: "short" }).format(new Date(ms));
}

/** True while the user types into a field (shortcuts must not fire then). */
export function isTyping(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  const tag = target.tagName;
  return tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || target.isContentEditable;
}

/**
 * Ant Design's single-line ellipsis for a Typography by its CSS alone: its `ellipsis` prop
 * measures the text after every render (a forced layout of the page) to decide on a tooltip;
 * give the element a `title` instead.
 */
export const ONE_LINE = "ant-typography-ellipsis ant-typography-ellipsis-single-line";

export function dash(value: string | null | undefined): string {
  return value && value.trim() !== "" ? value : "—";
}

/**
 * A callback whose identity never changes and which always calls the latest `fn`: memoized
 * children that take it do not render again when the screen does.
 */
export function useStableCallback<A extends unknown[], R>(fn: (...args: A) => R): (...args: A) => R {
  const latest = useRef(fn);
  useLayoutEffect(() => {
    latest.current = fn;
  });
  return useCallback((...args: A) => latest.current(...args), []);
}
