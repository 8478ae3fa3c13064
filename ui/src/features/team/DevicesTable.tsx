import { App as AntApp, Alert, Button, Table, Tag, Typography } from "antd";
import { useTranslation } from "react-i18next";

import * as api from "../../api";
import type { TeamDevice } from "../../bindings/TeamDevice";
import { formatTime } from "../../components/text";
import { errorText } from "../../errors";
import { useRevokeDevice, useTeamDevices } from "./queries";

/**
 * The team's devices: device, admin, enrolled, last seen, state. Another computer is revoked
 * after a confirmation; this very computer is not revoked from here (it could send nothing
 * more, its waiting changes included): another computer of the team revokes it.
 */
export function DevicesTable() {
  const { t, i18n } = useTranslation();
  const { message, modal } = AntApp.useApp();
  const devices = useTeamDevices(true);
  const revoke = useRevokeDevice({
    onSuccess: () => void message.success(t("team.devices.revoked")),
    onError: (e) => void message.error(e.message || errorText(t, e)),
  });
  const confirm = (d: TeamDevice) =>
    modal.confirm({
      title: t("team.devices.confirmTitle", { name: d.deviceName }),
      content: t("team.devices.confirmText", { name: d.deviceName, username: d.username }),
      okText: t("team.devices.revoke"),
      cancelText: t("common.cancel"),
      okButtonProps: { danger: true, "data-testid": "team-revoke-ok" },
      onOk: () => revoke.mutateAsync(d.deviceId).catch(() => null),
    });
  const time = (ms: number | null) => formatTime(i18n.language, ms);
  return (
    <>
      {devices.isError && <Alert type="error" showIcon title={errorText(t, api.toCommandError(devices.error))} style={{ marginBottom: 8 }} />}
      <Table<TeamDevice>
        data-testid="team-devices"
        size="small"
        rowKey="deviceId"
        loading={devices.isPending}
        dataSource={devices.data ?? []}
        pagination={false}
        onRow={(d) => ({ "data-testid": `team-device-${d.deviceId}` }) as React.HTMLAttributes<HTMLElement>}
        columns={[
          {
            key: "device",
            title: t("team.devices.device"),
            render: (_v, d) => (
              <span>
                {d.deviceName}
                {d.thisComputer && <Tag style={{ marginInlineStart: 8 }}>{t("team.devices.thisComputer")}</Tag>}
              </span>
            ),
          },
          { key: "admin", title: t("team.devices.admin"), dataIndex: "username" },
          { key: "enrolled", title: t("team.devices.enrolled"), render: (_v, d) => time(d.enrolledAt) },
          { key: "lastSeen", title: t("team.devices.lastSeen"), render: (_v, d) => time(d.lastSeenAt) },
          {
            key: "state",
            title: t("team.devices.state"),
            render: (_v, d) =>
              d.revokedAt === null ? (
                <Tag color="success">{t("team.devices.active")}</Tag>
              ) : (
                <Typography.Text type="secondary">{t("team.devices.revokedAt", { time: time(d.revokedAt) })}</Typography.Text>
              ),
          },
          {
            key: "actions",
            title: "",
            align: "right",
            render: (_v, d) =>
              d.revokedAt === null && !d.thisComputer ? (
                <Button size="small" danger onClick={() => confirm(d)} data-testid={`team-revoke-${d.deviceId}`}>
                  {t("team.devices.revoke")}
                </Button>
              ) : null,
          },
        ]}
      />
    </>
  );
}
