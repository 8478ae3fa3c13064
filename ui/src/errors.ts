import type { TFunction } from "i18next";

import type { CommandError } from "./bindings/CommandError";
import type { ErrorDetail } from "./bindings/ErrorDetail";

/** One validation detail in the UI language; an unknown code falls back to the server's reason. */
export function detailText(t: TFunction, detail: ErrorDetail): string {
  return t(`errors.detail.${detail.code}`, { defaultValue: detail.reason || detail.code });
}

/** The sentence shown for a failed command, chosen by its code. */
export function errorText(t: TFunction, error: CommandError): string {
  if (error.code === "too_many_attempts" && error.retryAfterSecs !== null) {
    return t("errors.code.too_many_attempts", { count: Math.max(1, Math.ceil(error.retryAfterSecs)) });
  }
  return t(`errors.code.${error.code}`);
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
