import type { TFunction } from "i18next";

import type { CommandError } from "./bindings/CommandError";
import type { ErrorDetail } from "./bindings/ErrorDetail";
import type { GatewayStatus } from "./bindings/GatewayStatus";

/** One validation detail in the UI language; an unknown code falls back to the server's reason. */
export function detailText(t: TFunction, detail: ErrorDetail): string {
  return t(`errors.detail.${detail.code}`, { defaultValue: detail.reason || detail.code });
}

/**
 * Why the gateway is not reached: in the window's language when the backend gives a code for
 * it (`gateway.problem.<code>`, such as `removed_from_team`), else the backend's own words.
 */
export function gatewayProblemText(t: TFunction, status: GatewayStatus): string | null {
  if (!status.lastErrorCode) return status.lastError;
  return t(`gateway.problem.${status.lastErrorCode}`, { defaultValue: status.lastError ?? "" });
}

/** The sentence shown for a failed command, chosen by its code. */
export function errorText(t: TFunction, error: CommandError): string {
  if (isRemovedFromTeam(error)) return t("gateway.problem.removed_from_team", { defaultValue: error.message });
  if (error.code === "too_many_attempts" && error.retryAfterSecs !== null) {
    return t("errors.code.too_many_attempts", { count: Math.max(1, Math.ceil(error.retryAfterSecs)) });
  }
  if (error.code === "quota_reached" && error.retryAfterSecs !== null) {
    const wait = Math.max(0, error.retryAfterSecs);
    return t("errors.quota.resetsAt", { time: localTime(t, Date.now() + wait * 1000), wait: waitText(t, wait) });
  }
  return t(`errors.code.${error.code}`);
}

/**
 * A moment as the admin's clock shows it ("08:00"), to the nearest minute: a reset at 00:00
 * UTC reached through a wait in whole seconds lands a moment after the minute.
 */
export function localTime(t: TFunction, ms: number): string {
  const minute = Math.round(ms / 60_000) * 60_000;
  return new Intl.DateTimeFormat(t("settings.locale"), { hour: "2-digit", minute: "2-digit" }).format(new Date(minute));
}

/** The next 00:00 UTC, when daily counts (the import quota) start again. */
export function nextUtcMidnight(now = Date.now()): number {
  const day = 86_400_000;
  return Math.floor(now / day) * day + day;
}

/** "5 h 12 min", rounded up to the minute (the last seconds still read "1 min"). */
export function waitText(t: TFunction, secs: number): string {
  const minutes = Math.max(1, Math.ceil(secs / 60));
  const h = Math.floor(minutes / 60);
  const m = minutes % 60;
  if (h === 0) return t("errors.quota.minutes", { m });
  if (m === 0) return t("errors.quota.hours", { h });
  return t("errors.quota.hoursMinutes", { h, m });
}

/**
 * Server validation details split into the ones that belong to a known form field and
 * the rest (shown above the form).
 */
export function splitDetails(
  error: CommandError,
  fields: readonly string[],
): { byField: Map<string, string[]>; other: ErrorDetail[] } {
  const byField = new Map<string, string[]>();
  const other: ErrorDetail[] = [];
  for (const d of error.details) {
    if (d.field !== null && fields.includes(d.field)) {
      byField.set(d.field, [...(byField.get(d.field) ?? []), d.code]);
    } else {
      other.push(d);
    }
  }
  return { byField, other };
}

/** Refused because the team's gateway no longer accepts this computer's credential (its detail `removed_from_team`). */
export function isRemovedFromTeam(error: CommandError): boolean {
  return error.details.some((d) => d.field === null && d.code === "removed_from_team");
}

/**
 * An edit kept on this computer because the team's gateway has not answered yet (its detail
 * `kept`): nothing is lost, so the window shows a notice, not an error.
 */
export function isKept(error: CommandError): boolean {
  return error.details.some((d) => d.code === "kept");
}
