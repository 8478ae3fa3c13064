// Ant Design's static stylesheet (antd/dist/antd.css) holds the rules of every component it
// has; the window uses about half of them. Every rule is parsed and indexed by the web view at
// start and kept in its memory, so the build leaves out the rules that only style components
// this UI never renders, and right-to-left layouts (the UI's languages are written left to right).
import postcss, { type Root } from "postcss";
import type { Plugin } from "vite";

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

/** The Vite plugin: trims antd.css where it is imported. */
export function antdCss(): Plugin {
  return {
    name: "orgdesk-antd-css",
    enforce: "pre",
    transform(code, id) {
      if (!/antd[\\/]dist[\\/]antd\.css($|\?)/.test(id)) return null;
      return { code: trimAntdCss(postcss.parse(code)).toString(), map: null };
    },
  };
}
