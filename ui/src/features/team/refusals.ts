import type { TFunction } from "i18next";

import type { RefusedChange } from "../../bindings/RefusedChange";
import { currentLanguage } from "../../i18n";

/**
 * What a refused change would have done, in the window's language: worded by its kind with
 * the names it carries (`team.change.<kind>`; `action` picks a variant, `count` the plural);
 * the core's English when the change could not be read or its kind has no wording here.
 */
export function refusedWhat(t: TFunction, r: RefusedChange): string {
  if (r.kind === null) return r.what;
  const { action, count, ...names } = r.values;
  return t(`team.change.${r.kind}`, {
    ...names,
    context: action,
    count: count === undefined ? undefined : Number(count),
    defaultValue: r.what,
  });
}

/**
 * Why it was refused: the core's own sentence in English (as `orgdesk sync` prints it); in
 * another language the refusal's code translated (`team.refused.reason.<code>`, else the
 * field problem's `errors.detail.<code>`), the English sentence when the code is unknown.
 */
export function refusedWhy(t: TFunction, r: RefusedChange): string {
  if (currentLanguage() === "en" || r.code === "") return r.reason;
  return t(`team.refused.reason.${r.code}`, {
    defaultValue: t(`errors.detail.${r.code}`, { defaultValue: r.reason }),
  });
}
