import { App as AntApp, Alert, Space, Switch, Typography } from "antd";
import { useState } from "react";
import { useTranslation } from "react-i18next";

import * as api from "../../api";
import { errorText } from "../../errors";
import { useSettings, useUpdateSettings } from "./queries";

/** The OS notification for new join requests: on unless switched off; saved as soon as it is flipped. */
export function JoinNotificationsSwitch() {
  const { t } = useTranslation();
  const { message } = AntApp.useApp();
  const settings = useSettings();
  const [error, setError] = useState<string | null>(null);
  const save = useUpdateSettings({
    onSuccess: () => void message.success(t("settings.saved")),
    onError: (e) => setError(errorText(t, e)),
  });
  if (settings.isError) return <Alert type="error" showIcon title={errorText(t, api.toCommandError(settings.error))} />;
  if (!settings.data) return null;
  const on = settings.data.joinNotifications !== false;
  // One block: the switch, then the hint below it.
  return (
    <div>
      {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 8 }} />}
      <Space size={8}>
        <Switch
          data-testid="settings-notifications-switch"
          aria-label={t("settings.notifications.switch")}
          checked={on}
          loading={save.isPending}
          onChange={(checked) => {
            setError(null);
            save.mutate({ ...settings.data, joinNotifications: checked });
          }}
        />
        <Typography.Text>{t("settings.notifications.switch")}</Typography.Text>
      </Space>
      <Typography.Paragraph type="secondary" style={{ margin: "4px 0 0" }}>
        {t("settings.notifications.hint")}
      </Typography.Paragraph>
    </div>
  );
}
