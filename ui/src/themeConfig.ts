// The window's Ant Design theme: the tokens and component settings both the running window
// (src/Providers.tsx) and the build (build/antdTheme.ts, which writes their values into the
// stylesheet) read. Plain data, so that the build can load it without the UI.

/** Design tokens set for the whole window. */
export const THEME_TOKENS = {
  colorPrimary: "#3370ff",
  borderRadius: 6,
  fontSize: 14,
};

/** Per-component settings. */
export const THEME_COMPONENTS = {
  Layout: { headerHeight: 56, headerPadding: "0 20px" },
  Menu: { itemHeight: 38, itemMarginInline: 8, itemBorderRadius: 6 },
};
