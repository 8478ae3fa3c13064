import { describe, expect, it } from "vitest";

import { dash, formatCount, formatDay, formatTime } from "./text";

// 2024-03-05 14:07 UTC; the day and hour asserted are those of the machine's time zone.
const MOMENT = Date.UTC(2024, 2, 5, 14, 7);

describe("text", () => {
  it("writes a moment as the day and the time of day", () => {
    const local = new Date(MOMENT);
    const text = formatTime("en", MOMENT);
    expect(text).toContain(String(local.getFullYear()));
    expect(text).toContain(String(local.getDate()));
    expect(text).toContain(String(local.getMinutes()).padStart(2, "0"));
    expect(text).toBe(local.toLocaleString("en", { dateStyle: "medium", timeStyle: "short" }));
  });

  it("writes the day alone, without the time", () => {
    const local = new Date(MOMENT);
    const text = formatDay("en", MOMENT);
    expect(text).toBe(local.toLocaleDateString("en", { dateStyle: "medium" }));
    expect(text).toContain(String(local.getFullYear()));
    expect(text).not.toContain(String(local.getMinutes()).padStart(2, "0"));
  });

  it("follows the language", () => {
    expect(formatDay("zh-CN", MOMENT)).toContain("年");
    expect(formatDay("en", MOMENT)).not.toContain("年");
  });

  it("keeps each language's and style's own formatter", () => {
    // Interleaved, as a list in one language beside a drawer in another would ask.
    const local = new Date(MOMENT);
    const minutes = String(local.getMinutes()).padStart(2, "0");
    expect(formatTime("en", MOMENT)).toContain(minutes);
    expect(formatDay("en", MOMENT)).not.toContain(minutes);
    expect(formatTime("zh-CN", MOMENT)).toContain("年");
    expect(formatTime("en", MOMENT)).not.toContain("年");
    expect(formatDay("zh-CN", MOMENT)).not.toContain(minutes);
    expect(formatTime("en", MOMENT + 60_000)).toBe(
      new Date(MOMENT + 60_000).toLocaleString("en", { dateStyle: "medium", timeStyle: "short" }),
    );
  });

  it("writes a count with the language's grouping", () => {
    expect(formatCount("en", 100_000)).toBe("100,000");
    expect(formatCount("de", 100_000)).toBe("100.000");
    expect(formatCount("en", 7)).toBe("7");
  });

  it.each([formatTime, formatDay])("writes a dash for no moment (%o)", (format) => {
    expect(format("en", null)).toBe("—");
  });

  it("writes a dash for an empty value", () => {
    expect(dash("  ")).toBe("—");
    expect(dash(null)).toBe("—");
    expect(dash("Ada")).toBe("Ada");
  });
});
