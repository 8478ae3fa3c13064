import type { TFunction } from "i18next";

import type { HistoryChange } from "../../bindings/HistoryChange";
import type { HistoryItem } from "../../bindings/HistoryItem";

/** One change of a history entry, in the admin's language: "set primary department to Sales/EMEA". */
export function changeText(t: TFunction, c: HistoryChange): string {
  const list = (xs: string[]) => xs.join(t("history.listSeparator"));
  switch (c.kind) {
    case "field": {
      const field = t(`history.fields.${c.field}`, { defaultValue: c.field });
      return c.to === null ? t("history.change.fieldCleared", { field }) : t("history.change.field", { field, value: c.to });
    }
    case "primaryDepartment":
      return t("history.change.primaryDepartment", { department: c.department });
    case "departmentsAdded":
      return t("history.change.departmentsAdded", { departments: list(c.departments) });
    case "departmentsRemoved":
      return t("history.change.departmentsRemoved", { departments: list(c.departments) });
    case "title":
      if (c.department === null) {
        return c.title === null ? t("history.change.primaryTitleCleared") : t("history.change.primaryTitle", { title: c.title });
      }
      return c.title === null
        ? t("history.change.titleCleared", { department: c.department })
        : t("history.change.title", { department: c.department, title: c.title });
    case "rolesAdded":
      return t("history.change.rolesAdded", { roles: list(c.roles) });
    case "rolesRemoved":
      return t("history.change.rolesRemoved", { roles: list(c.roles) });
    case "positionMoved":
      return t("history.change.positionMoved", { from: c.from, to: c.to });
  }
}

/** What a history entry did: each change it names, else its action. */
export function historyAction(t: TFunction, h: HistoryItem): string {
  if (h.changes.length > 0) return h.changes.map((c) => changeText(t, c)).join(t("history.separator"));
  return t(`history.${h.action.replace(/\./g, "_")}`, { defaultValue: h.action });
}
