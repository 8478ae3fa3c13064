import type { FormInstance } from "antd";
import type { Rule } from "antd/es/form";
import type { TFunction } from "i18next";

import type { CommandError } from "../bindings/CommandError";
import { detailText, errorText, splitDetails } from "../errors";

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

/**
 * A field's rule: at most `max` characters once trimmed, counted as people count them (an emoji
 * or a CJK character outside the BMP is one), as the core counts them.
 */
export function maxCharsRule(max: number, message: string): Rule {
  return {
    validator: (_rule, value: string | undefined) =>
      [...(value ?? "").trim()].length > max ? Promise.reject(new Error(message)) : Promise.resolve(),
  };
}

/**
 * A field's rule: something must be typed (spaces alone do not count). `message` defaults to
 * the common "Required" text.
 */
export function requiredRule(t: TFunction, message: string = t("common.required")): Rule {
  return { required: true, whitespace: true, message };
}
