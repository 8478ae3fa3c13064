import { Card, Descriptions, Space, Tag, Typography } from "antd";
import { useTranslation } from "react-i18next";

import type { AppStatus } from "../bindings/AppStatus";
import { LanguageSelect } from "../components/LanguageSwitch";
import { useSystemDark } from "../theme";

export function SettingsScreen({ status }: { status: AppStatus }) {
  const { t } = useTranslation();
  const dark = useSystemDark();
  return (
    <div className="orgdesk-page" data-testid="screen-settings">
      <Typography.Title level={4} style={{ marginTop: 0 }}>
        {t("settings.title")}
      </Typography.Title>
      <Card variant="outlined">
        <Descriptions
          column={1}
          styles={{ label: { width: 160 } }}
          items={[
            { key: "language", label: t("settings.language"), children: <LanguageSelect /> },
            {
              key: "appearance",
              label: t("settings.appearance"),
              children: (
                <Space size={8} wrap>
                  <Typography.Text>{t("settings.appearanceValue")}</Typography.Text>
                  <Tag data-testid="settings-mode">
                    {t("settings.currentMode", { mode: t(dark ? "settings.dark" : "settings.light") })}
                  </Tag>
                </Space>
              ),
            },
            {
              key: "dbPath",
              label: t("settings.dbPath"),
              children: (
                <Typography.Text code copyable data-testid="settings-db-path" style={{ wordBreak: "break-all" }}>
                  {status.dbPath}
                </Typography.Text>
              ),
            },
            {
              key: "version",
              label: t("settings.version"),
              children: <Typography.Text data-testid="settings-version">{status.version}</Typography.Text>,
            },
          ]}
        />
      </Card>
    </div>
  );
}
