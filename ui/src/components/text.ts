/**
 * One formatter per language and style, made once: making an `Intl.DateTimeFormat` costs far
 * more than formatting with it (the engine loads the locale's data each time), and a list
 * formats two or three moments a row.
 */
const formatters = new Map<string, Intl.DateTimeFormat>();
function formatter(lang: string, options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const key = `${lang} ${options.dateStyle ?? ""} ${options.timeStyle ?? ""}`;
  let made = formatters.get(key);
  if (!made) {
    made = new Intl.DateTimeFormat(lang, options);
    formatters.set(key, made);
  }
  return made;
}

/** A moment (milliseconds since the epoch) as the day and the time of day in `lang`; "—" for none. */
export function formatTime(lang: string, ms: number | null): string {
  if (ms === null) return "—";
  return formatter(lang, { dateStyle: "medium", timeStyle: "short" }).format(ms);
}

/** The day alone, for a date read as a day (an expiry) in a narrow column; "—" for none. */
export function formatDay(lang: string, ms: number | null): string {
  if (ms === null) return "—";
  return formatter(lang, { dateStyle: "medium" }).format(ms);
}

const counters = new Map<string, Intl.NumberFormat>();

/** A count with the language's digit grouping ("100,000"), by a formatter made once per language. */
export function formatCount(lang: string, n: number): string {
  let made = counters.get(lang);
  if (!made) {
    made = new Intl.NumberFormat(lang);
    counters.set(lang, made);
  }
  return made.format(n);
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
