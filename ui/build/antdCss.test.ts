import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";

import postcss from "postcss";
import { describe, expect, it } from "vitest";

import { UNUSED_COMPONENTS, trimAntdCss } from "./antdCss";

// Tests run from ui/.
const ui = process.cwd();
const trim = (css: string) => trimAntdCss(postcss.parse(css)).toString();

// The antd exports that render each component left out of the stylesheet.
const RENDERED_BY: Record<string, string[]> = {
  anchor: ["Anchor"],
  breadcrumb: ["Breadcrumb"],
  calendar: ["Calendar"],
  carousel: ["Carousel"],
  cascader: ["Cascader"],
  collapse: ["Collapse"],
  "color-picker": ["ColorPicker"],
  "float-btn": ["FloatButton"],
  image: ["Image"],
  masonry: ["Masonry"],
  mentions: ["Mentions"],
  otp: ["Input.OTP"],
  picker: ["DatePicker", "TimePicker", "Calendar"],
  qrcode: ["QRCode"],
  rate: ["Rate"],
  ribbon: ["Badge.Ribbon"],
  slider: ["Slider"],
  splitter: ["Splitter"],
  tabs: ["Tabs"],
  tour: ["Tour"],
  transfer: ["Transfer"],
  upload: ["Upload"],
};

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sources(path);
    return /\.tsx?$/.test(name) ? [path] : [];
  });
}

describe("the trimmed Ant Design stylesheet", () => {
  it("leaves out only components the UI never renders", () => {
    expect(Object.keys(RENDERED_BY).sort()).toEqual([...UNUSED_COMPONENTS].sort());
    const imported = new Set<string>();
    for (const file of sources(join(ui, "src"))) {
      const text = readFileSync(file, "utf8");
      for (const m of text.matchAll(/import\s*\{([^}]*)\}\s*from\s*"antd"/g)) {
        for (const name of m[1].split(",")) imported.add(name.replace(/\btype\b/, "").split(" as ")[0].trim());
      }
      for (const m of text.matchAll(/\b(Input\.OTP|Badge\.Ribbon)\b/g)) imported.add(m[1]);
    }
    for (const [component, exports] of Object.entries(RENDERED_BY)) {
      for (const name of exports) expect(imported.has(name), `${name} is used, so "${component}" must keep its styles`).toBe(false);
    }
    // The check sees the imports it guards.
    expect(imported.has("Button") && imported.has("TreeSelect") && imported.has("Descriptions")).toBe(true);
  });

  it("keeps the rules of the components in use and drops the others", () => {
    const full = readFileSync(join(ui, "node_modules", "antd", "dist", "antd.css"), "utf8");
    const trimmed = trim(full);
    expect(trimmed.length).toBeLessThan(full.length * 0.8);
    for (const kept of [".ant-btn", ".ant-select-tree", ".ant-tree-select", ".ant-empty-image", ".ant-pagination", ".ant-descriptions-item-label", ".ant-steps", ".ant-input-number", ".ant-message", ".ant-drawer"]) {
      expect(trimmed, kept).toContain(kept);
    }
    expect(trimmed).toMatch(/@keyframes [\w-]+/);
    for (const dropped of [".ant-picker", ".ant-upload", ".ant-tabs", ".ant-color-picker", ".ant-image-preview", ".ant-btn-rtl"]) {
      expect(trimmed, dropped).not.toContain(`${dropped}{`);
      expect(trimmed, dropped).not.toContain(`${dropped} `);
    }
  });

  it("keeps the selectors of a rule that are in use and empties no at-rule it keeps", () => {
    expect(trim(".ant-btn, .ant-picker .ant-btn { color: red }")).toBe(".ant-btn { color: red }");
    expect(trim(".ant-picker-dropdown { color: red } .ant-empty-image { color: blue }")).toBe(".ant-empty-image { color: blue }");
    expect(trim("@media (max-width: 575px) { .ant-tabs { margin: 0 } } .ant-tag-rtl { direction: rtl }")).toBe("");
    expect(trim("@keyframes antZoomIn { 0% { opacity: 0 } }")).toContain("antZoomIn");
  });
});
