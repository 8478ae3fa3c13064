import { QueryClientProvider, type QueryClient } from "@tanstack/react-query";
import { App as AntApp, ConfigProvider, theme } from "antd";
import enUS from "antd/locale/en_US";
import zhCN from "antd/locale/zh_CN";
import type { ReactNode } from "react";
import { I18nextProvider, useTranslation } from "react-i18next";

import i18n from "./i18n";
import { useSystemDark } from "./theme";
import { THEME_COMPONENTS, THEME_TOKENS } from "./themeConfig";

/**
 * Where drawers and dialogs are put: an element of their own at the end of the page's body.
 * Put in the body itself, an open drawer or dialog "locks the body's scrolling": it measures
 * the page (a forced layout) and adds a `<style>` element to it, removed again on closing, and
 * each one makes the web view work out the style of the whole window again (a member's details
 * opened two to three times as slowly in WebKit for it). The window's body never scrolls — its
 * lists scroll inside it — so there is nothing to lock.
 */
export function overlayRoot(): HTMLElement {
  let root = document.getElementById("orgdesk-overlays");
  if (!root) {
    root = document.createElement("div");
    root.id = "orgdesk-overlays";
    document.body.appendChild(root);
  }
  return root;
}

/**
 * Drawers (which ask with the body) and dialogs (which ask with nothing) go to `overlayRoot`;
 * menus and dropdowns (which ask with the element they open from) to the body, as ever.
 */
function popupContainer(trigger?: HTMLElement): HTMLElement {
  return trigger && trigger !== document.body ? document.body : overlayRoot();
}

function Themed({ children }: { children: ReactNode }) {
  const { i18n: current } = useTranslation();
  const dark = useSystemDark();
  return (
    <ConfigProvider
      locale={current.language === "zh-CN" ? zhCN : enUS}
      button={{ autoInsertSpace: false }}
      getPopupContainer={popupContainer}
      theme={{
        zeroRuntime: true,
        algorithm: dark ? theme.darkAlgorithm : theme.defaultAlgorithm,
        token: THEME_TOKENS,
        components: THEME_COMPONENTS,
      }}
    >
      <AntApp className="orgdesk-app">{children}</AntApp>
    </ConfigProvider>
  );
}

/** Everything a screen needs around it: backend data, language, theme and antd's message API. */
export function Providers({ client, children }: { client: QueryClient; children: ReactNode }) {
  return (
    <I18nextProvider i18n={i18n}>
      <QueryClientProvider client={client}>
        <Themed>{children}</Themed>
      </QueryClientProvider>
    </I18nextProvider>
  );
}
