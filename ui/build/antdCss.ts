// Ant Design's static stylesheet (antd/dist/antd.css) holds the rules of every component it
// has; the window uses about half of them. Every rule is parsed and indexed by the web view at
// start and kept in its memory, so the build leaves out the rules that only style components
// this UI never renders, and right-to-left layouts (the UI's languages are written left to right).
// It also writes the theme's values in place of Ant Design's CSS variables (build/antdTheme.ts
// says why), in antd.css and in the UI's own stylesheets.
import postcss, { type Root } from "postcss";
import type { Plugin } from "vite";

import { type ThemeValues, themeValues } from "./antdTheme.ts";

/**
 * Components of Ant Design the UI does not use (by their class prefix). A component added to
 * the UI must leave this list, or it renders unstyled: build/antdCss.test.ts checks the list
 * against the components imported from "antd" in src/.
 */
export const UNUSED_COMPONENTS = [
  "anchor",
  "breadcrumb",
  "calendar",
  "carousel",
  "cascader",
  "collapse",
  "color-picker",
  "float-btn",
  "image",
  "masonry",
  "mentions",
  "otp",
  "picker",
  "qrcode",
  "rate",
  "ribbon",
  "slider",
  "splitter",
  "tabs",
  "tour",
  "transfer",
  "upload",
];

const CLASS = /\.ant-([a-z][a-z0-9-]*)/g;

function unused(selector: string): boolean {
  if (/-rtl\b/.test(selector)) return true;
  for (const m of selector.matchAll(CLASS)) {
    const name = m[1];
    if (UNUSED_COMPONENTS.some((c) => name === c || name.startsWith(`${c}-`))) return true;
  }
  return false;
}

/** The stylesheet without the rules that style only unused components or right-to-left text. */
export function trimAntdCss(root: Root): Root {
  root.walkRules((rule) => {
    if (rule.parent?.type === "atrule" && /keyframes$/i.test((rule.parent as { name: string }).name)) return;
    const kept = rule.selectors.filter((s) => !unused(s));
    if (kept.length === 0) rule.remove();
    else if (kept.length < rule.selectors.length) rule.selectors = kept;
  });
  root.walkAtRules((at) => {
    if (at.nodes !== undefined && at.nodes.length === 0) at.remove();
  });
  return root;
}

/**
 * `value` with every `var(--ant-…)` whose variable `valueOf` knows replaced by its value (a
 * fallback, if any, is dropped with it); the others are left as they are.
 */
export function substituteVariables(value: string, valueOf: (name: string) => string | undefined): string {
  let out = "";
  let from = 0;
  for (;;) {
    const at = value.indexOf("var(--ant-", from);
    if (at < 0) return out + value.slice(from);
    // The call's closing parenthesis (a fallback may hold parentheses of its own).
    let depth = 0;
    let end = at + 3;
    for (; end < value.length; end += 1) {
      if (value[end] === "(") depth += 1;
      else if (value[end] === ")" && (depth -= 1) === 0) break;
    }
    const call = value.slice(at, end + 1);
    const name = /^var\((--ant-[\w-]+)/.exec(call)![1];
    const known = valueOf(name);
    out += value.slice(from, at) + (known ?? `var(${name}${substituteVariables(call.slice(4 + name.length, -1), valueOf)})`);
    from = end + 1;
  }
}

/**
 * The stylesheet with the theme's values written in: a variable whose value is the same in the
 * light and the dark theme is replaced by that value wherever it is used; one that differs
 * (mostly colours) stays a variable, declared once for the whole page with its light value and,
 * when the system asks for a dark appearance, its dark one. Ant Design's own blocks of default
 * values (rules on `.css-var-…` classes) go: the page's values are the theme's.
 * A variable the stylesheet declares itself (a component's local one, such as a button's
 * colour set by its variant) is left alone. With `declareTheme`, the declarations of the
 * variables that differ are put first (antd.css); without, only the values are written in (the
 * UI's own stylesheets).
 */
export function writeThemeValues(root: Root, theme: ThemeValues, declareTheme: boolean): Root {
  root.walkRules((rule) => {
    if (rule.selectors.every((s) => s.includes(".css-var-"))) rule.remove();
  });
  const local = new Set<string>();
  root.walkDecls((decl) => {
    if (decl.prop.startsWith("--ant-")) local.add(decl.prop);
  });
  const same = (name: string) => {
    if (local.has(name)) return undefined;
    const light = theme.light.get(name);
    return light !== undefined && light === theme.dark.get(name) ? light : undefined;
  };
  root.walkDecls((decl) => {
    if (decl.value.includes("var(--ant-")) decl.value = substituteVariables(decl.value, same);
  });
  if (declareTheme) {
    // Every variable of the theme still used as one: those that differ, and those the
    // stylesheet also sets itself for some part of the page (its value elsewhere is the theme's).
    const differ = [...theme.light.keys()].filter((n) => same(n) === undefined && theme.dark.has(n)).sort();
    const block = (values: Map<string, string>) => differ.map((n) => `${n}:${values.get(n)}`).join(";");
    root.prepend(postcss.parse(`:root{${block(theme.light)}}@media (prefers-color-scheme: dark){:root{${block(theme.dark)}}}`));
  }
  return root;
}

/**
 * The Vite plugin: trims antd.css where it is imported and writes the theme's values into it
 * and into the UI's own stylesheets.
 */
export function antdCss(): Plugin {
  return {
    name: "orgdesk-antd-css",
    enforce: "pre",
    transform(code, id) {
      const file = id.split("?")[0];
      if (/antd[\\/]dist[\\/]antd\.css$/.test(file)) {
        return { code: writeThemeValues(trimAntdCss(postcss.parse(code)), themeValues(), true).toString(), map: null };
      }
      if (/[\\/]ui[\\/]src[\\/].*\.css$/.test(file) && code.includes("var(--ant-")) {
        return { code: writeThemeValues(postcss.parse(code), themeValues(), false).toString(), map: null };
      }
      return null;
    },
  };
}
