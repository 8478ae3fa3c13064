// The values of Ant Design's CSS variables (`--ant-…`) for the window's theme, light and dark,
// worked out at build time. Ant Design 6 writes every value of its stylesheet as a variable and,
// while the window runs, adds a block of them to the page for the theme and one per component
// as each first appears (a `<style>` element each time, after which the web view works out the
// style of the whole page again). Known here, the values go into the stylesheet itself
// (build/antdCss.ts), and the window adds none.
//
// How: every component's style hook is run once inside the window's ConfigProvider, rendered
// on the server side, and the variable blocks it registers are read back from the style cache.
import { existsSync, readdirSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";

import { THEME_COMPONENTS, THEME_TOKENS } from "../src/themeConfig.ts";

/** A variable's name (with its leading `--`) and its value, with no `var()` left in it. */
export type ThemeVariables = Map<string, string>;

export interface ThemeValues {
  light: ThemeVariables;
  dark: ThemeVariables;
}

const VAR_REF = /var\((--ant-[\w-]+)\)/g;

/** The variable declarations of a CSS text, by name (a name declared twice must agree). */
export function declaredVariables(css: string): ThemeVariables {
  const vars: ThemeVariables = new Map();
  for (const m of css.matchAll(/(--ant-[\w-]+):([^;}]*)/g)) {
    const [, name, value] = m;
    const known = vars.get(name);
    if (known !== undefined && known !== value.trim()) {
      throw new Error(`Ant Design's theme gives ${name} two values: ${known} and ${value.trim()}`);
    }
    vars.set(name, value.trim());
  }
  // A value may name another variable of the theme: put its value in place.
  const resolve = (value: string, depth: number): string =>
    value.replace(VAR_REF, (ref, name: string) => {
      const inner = vars.get(name);
      if (inner === undefined || depth > 20) return ref;
      return resolve(inner, depth + 1);
    });
  return new Map([...vars].map(([name, value]) => [name, resolve(value, 0)]));
}

let cached: ThemeValues | null = null;

/** The theme's variables, light and dark (worked out once per build). */
export function themeValues(): ThemeValues {
  if (cached) return cached;
  const require = createRequire(import.meta.url);
  const React = require("react");
  const { renderToString } = require("react-dom/server");
  const { createCache, extractStyle, StyleProvider } = require("@ant-design/cssinjs");
  const antd = require("antd");
  const lib = join(dirname(require.resolve("antd/package.json")), "lib");
  // Each component's style hook, by the component's folder name (its class prefix).
  const hooks: Array<[string, (prefixCls: string, rootCls?: string) => unknown]> = [];
  for (const name of readdirSync(lib).sort()) {
    const file = join(lib, name, "style", "index.js");
    if (!existsSync(file)) continue;
    const hook = require(file).default;
    if (typeof hook === "function") hooks.push([name, hook]);
  }
  function EveryComponent() {
    for (const [name, hook] of hooks) hook(`ant-${name}`, `ant-${name}-css-var`);
    return null;
  }
  const render = (algorithm: unknown): ThemeVariables => {
    const cache = createCache();
    renderToString(
      React.createElement(
        StyleProvider,
        { cache, mock: "server" },
        React.createElement(
          antd.ConfigProvider,
          { theme: { zeroRuntime: true, algorithm, token: THEME_TOKENS, components: THEME_COMPONENTS } },
          React.createElement(EveryComponent),
        ),
      ),
    );
    return declaredVariables(extractStyle(cache, { plain: true }));
  };
  cached = { light: render(antd.theme.defaultAlgorithm), dark: render(antd.theme.darkAlgorithm) };
  return cached;
}
