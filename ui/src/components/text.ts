/** A moment (milliseconds since the epoch) as the day and the time of day in `lang`; "—" for none. */
export function formatTime(lang: string, ms: number | null): string {
  if (ms === null) return "—";
  return new Intl.DateTimeFormat(lang, { dateStyle: "medium", timeStyle: "short" }).format(new Date(ms));
}

/** The day alone, for a date read as a day (an expiry) in a narrow column; "—" for none. */
export function formatDay(lang: string, ms: number | null): string {
  if (ms === null) return "—";
  return new Intl.DateTimeFormat(lang, { dateStyle: "medium" }).format(new Date(ms));
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
