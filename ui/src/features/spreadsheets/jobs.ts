import type { TFunction } from "i18next";

import type { CommandError } from "../../bindings/CommandError";
import type { ErrorDetail } from "../../bindings/ErrorDetail";
import type { ImportField } from "../../bindings/ImportField";
import type { JobProgress } from "../../bindings/JobProgress";
import type { Lang } from "../../bindings/Lang";
import { formatCount } from "../../components/text";
import { errorText } from "../../errors";
import { currentLanguage } from "../../i18n";

let lastJob = Math.floor(Math.random() * 1_000_000);

/** A fresh id for a long job, to cancel it by. */
export function newJobId(): number {
  lastJob = (lastJob + 1) % 2_000_000_000;
  return lastJob;
}

/** True when a job ended because it was cancelled (nothing was written). */
export function isCancelled(e: CommandError): boolean {
  return e.details.some((d) => d.code === "cancelled");
}

/** The language spreadsheets are written in: the UI's. */
export function sheetLang(): Lang {
  return currentLanguage() === "zh-CN" ? "zh" : "en";
}

/** The last part of a path, on any system. */
export function fileName(path: string): string {
  const parts = path.split(/[\\/]/);
  return parts[parts.length - 1] || path;
}

export function isSpreadsheet(path: string): boolean {
  return /\.(xlsx|xlsm|xls|ods|csv)$/i.test(path);
}

export function progressPercent(p: JobProgress | null): number {
  if (!p || p.total === 0) return 0;
  return Math.min(100, Math.round((p.done / p.total) * 100));
}

export function progressText(t: TFunction, p: JobProgress | null): string {
  if (!p || p.stage === "read") return t("importExport.import.progress.read");
  const n = (x: number) => formatCount(currentLanguage(), x);
  return t(`importExport.import.progress.${p.stage}`, { done: n(p.done), total: n(p.total) });
}

/** The whole-file refusal a failed import carries, if that is why it failed. */
export function refusalOf(e: CommandError): ErrorDetail | null {
  return e.details.find((d) => d.field === "file") ?? null;
}

/** A failure's headline in the UI language, and the backend's specific sentence under it. */
export function failureText(t: TFunction, e: CommandError): { title: string; detail: string | null } {
  const refusal = refusalOf(e);
  if (refusal) {
    // The backend's sentence is English (and specific); in Chinese the UI says what to do
    // about each refusal code, and an unknown code keeps the backend's sentence.
    return {
      title: t(`importExport.import.refusal.${refusal.code}`, { defaultValue: t("importExport.import.refused") }),
      detail: t(`importExport.import.refusalDetail.${refusal.code}`, { reason: refusal.reason, defaultValue: refusal.reason }),
    };
  }
  // Storage and internal failures carry technical text, and the quota's headline already says
  // it all (in the admin's language and time zone): the headline alone is shown.
  const specific = e.code !== "storage" && e.code !== "internal" && e.code !== "quota_reached" && e.message ? e.message : null;
  return { title: errorText(t, e), detail: specific };
}

export const FIELDS: ImportField[] = [
  "name",
  "username",
  "password",
  "email",
  "mobile",
  "department",
  "position",
  "role",
  "employee_id",
  "work_location",
];

export const REQUIRED_FIELDS: ImportField[] = ["name", "department"];

/**
 * The column names row problems carry (English, or Chinese when the import ran in Chinese), to
 * the field whose label the UI shows.
 */
const COLUMN_FIELDS: Record<string, ImportField> = {
  Name: "name",
  Username: "username",
  Password: "password",
  Email: "email",
  Mobile: "mobile",
  Department: "department",
  Position: "position",
  Role: "role",
  "Employee ID": "employee_id",
  "Work Location": "work_location",
  姓名: "name",
  用户名: "username",
  密码: "password",
  邮箱: "email",
  手机号: "mobile",
  部门: "department",
  职位: "position",
  角色: "role",
  工号: "employee_id",
  工作地点: "work_location",
};

export function columnLabel(t: TFunction, column: string | null): string {
  if (column === null) return "—";
  const field = COLUMN_FIELDS[column];
  return field ? t(`importExport.fields.${field}`) : column;
}

/** A failure as one sentence, for a toast. */
export function failureSentence(t: TFunction, e: CommandError): string {
  const f = failureText(t, e);
  return f.detail && f.detail !== f.title ? `${f.title} ${f.detail}` : f.title;
}
