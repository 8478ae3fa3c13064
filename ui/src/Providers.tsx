import { QueryClientProvider, type QueryClient } from "@tanstack/react-query";
import { App as AntApp, ConfigProvider, theme } from "antd";
import enUS from "antd/locale/en_US";
import zhCN from "antd/locale/zh_CN";
import type { ReactNode } from "react";
import { I18nextProvider, useTranslation } from "react-i18next";

import i18n from "./i18n";
import { useSystemDark } from "./theme";
import { THEME_COMPONENTS, THEME_TOKENS } from "./themeConfig";

function Themed({ children }: { children: ReactNode }) {
  const { i18n: current } = useTranslation();
  const dark = useSystemDark();
  return (
    <ConfigProvider
      locale={current.language === "zh-CN" ? zhCN : enUS}
      button={{ autoInsertSpace: false }}
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
