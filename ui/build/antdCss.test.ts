import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";

import postcss from "postcss";
import { describe, expect, it } from "vitest";

import { UNUSED_COMPONENTS, substituteVariables, trimAntdCss, writeThemeValues } from "./antdCss";
import { declaredVariables, themeValues } from "./antdTheme";

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

describe("the theme's values written into the stylesheet", () => {
  const theme = {
    light: new Map([["--ant-a", "1px"], ["--ant-c", "#fff"], ["--ant-d", "2px"]]),
    dark: new Map([["--ant-a", "1px"], ["--ant-c", "#000"], ["--ant-d", "2px"]]),
  };
  const write = (css: string, declare = true) => writeThemeValues(postcss.parse(css), theme, declare).toString();

  it("replaces a variable by its value wherever it is used, fallbacks and all", () => {
    const known = (n: string) => theme.light.get(n);
    expect(substituteVariables("calc(var(--ant-a) * 2) var(--ant-d, 3px)", known)).toBe("calc(1px * 2) 2px");
    expect(substituteVariables("var(--ant-x, var(--ant-a))", known)).toBe("var(--ant-x, 1px)");
    expect(substituteVariables("var(--ant-x,rgba(0,0,0,0.5)) solid", known)).toBe("var(--ant-x,rgba(0,0,0,0.5)) solid");
    expect(substituteVariables("0 0 0 var(--ant-a) var(--ant-a)", known)).toBe("0 0 0 1px 1px");
  });

  it("keeps a colour that differs in the dark theme as a variable declared for both", () => {
    const out = write(".x { color: var(--ant-c, red); margin: var(--ant-a) }");
    expect(out).toContain(".x { color: var(--ant-c, red); margin: 1px }");
    expect(out.startsWith(":root{--ant-c:#fff}@media (prefers-color-scheme: dark){:root{--ant-c:#000}}")).toBe(true);
    // The UI's own stylesheets get the values, not a second declaration.
    expect(write(".y { padding: var(--ant-d) var(--ant-c) }", false)).toBe(".y { padding: 2px var(--ant-c) }");
  });

  it("drops Ant Design's default blocks and leaves a variable the stylesheet sets itself", () => {
    const out = write(".css-var-_R_0_ { --ant-a: 9px } .css-var-_R_0_.ant-btn { --ant-d: 9px } .b { --ant-d: 5px; width: var(--ant-d) }", false);
    expect(out).not.toContain("css-var");
    expect(out).toContain(".b { --ant-d: 5px; width: var(--ant-d) }");
  });

  it("refuses a theme that gives one variable two values", () => {
    expect(declaredVariables(".a{--ant-q:var(--ant-r)}.b{--ant-r:4px}").get("--ant-q")).toBe("4px");
    expect(() => declaredVariables(".a{--ant-q:1px}.b{--ant-q:2px}")).toThrow(/two values/);
  });

  it("works out the window's own theme, light and dark", () => {
    const { light, dark } = themeValues();
    expect(light.get("--ant-color-primary")?.toLowerCase()).toBe("#3370ff");
    expect(light.get("--ant-layout-header-height")).toBe("56px");
    expect(light.get("--ant-menu-item-height")).toBe("38px");
    expect(light.get("--ant-border-radius")).toBe("6px");
    expect(dark.get("--ant-layout-header-height")).toBe("56px");
    expect(dark.get("--ant-color-bg-container")).not.toBe(light.get("--ant-color-bg-container"));
    for (const value of light.values()) expect(value).not.toContain("var(");
  });

  it("leaves no variable of the theme undeclared in the window's stylesheet", () => {
    const full = readFileSync(join(ui, "node_modules", "antd", "dist", "antd.css"), "utf8");
    const out = writeThemeValues(trimAntdCss(postcss.parse(full)), themeValues(), true).toString();
    const names = (css: string, re: RegExp) => new Set([...css.matchAll(re)].map((m) => m[1]));
    const declared = names(out, /(--ant-[\w-]+)\s*:/g);
    const declaredBefore = names(full, /(--ant-[\w-]+)\s*:/g);
    expect(out).not.toContain(".css-var-");
    expect(out.length).toBeLessThan(trimAntdCss(postcss.parse(full)).toString().length);
    // What is still used as a variable is declared, or was never declared by the stylesheet
    // (components set those on their elements while they run: a column's flex, a wave's colour).
    for (const name of names(out, /var\((--ant-[\w-]+)/g)) {
      expect(declared.has(name) || !declaredBefore.has(name), `${name} is used but no longer declared`).toBe(true);
    }
    expect(out).toMatch(/^:root\{[^}]*--ant-color-primary:#3370ff/i);
  });
});
