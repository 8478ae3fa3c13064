import { render, screen } from "@testing-library/react";
import { describe, expect, it } from "vitest";

import { FontWarmup, WARMED_FONTS } from "./FontWarmup";

describe("FontWarmup", () => {
  it("lays out each size and weight of the signed-in window after the screen's first picture, hidden from everyone", async () => {
    render(<FontWarmup />);
    // Not in the screen's first picture.
    expect(screen.queryByTestId("font-warmup")).toBeNull();
    const warmup = await screen.findByTestId("font-warmup");
    expect(warmup.getAttribute("aria-hidden")).toBe("true");
    expect(warmup.className).toBe("orgdesk-font-warmup");
    const spans = [...warmup.querySelectorAll("span")];
    expect(spans.map((s) => [s.style.fontSize, s.style.fontWeight])).toEqual(
      WARMED_FONTS.map(([size, weight]) => [`${size}px`, String(weight)]),
    );
    // Latin and Chinese text in each: a Chinese name makes WebKit look for a fallback font.
    for (const span of spans) expect(span.textContent).toMatch(/Ag.*张/);
  });

  it("leaves nothing behind when the screen goes before its time", async () => {
    const { unmount } = render(<FontWarmup />);
    unmount();
    await new Promise((r) => setTimeout(r, 400));
    expect(screen.queryByTestId("font-warmup")).toBeNull();
    expect(document.querySelector(".orgdesk-font-warmup")).toBeNull();
  });
});
