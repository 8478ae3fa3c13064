import { TeamOutlined } from "@ant-design/icons";
import { App as AntApp, Alert, Button, Space, Typography } from "antd";
import { useTranslation } from "react-i18next";

import * as api from "../../api";
import type { Session } from "../../bindings/Session";
import type { TeamStatus } from "../../bindings/TeamStatus";
import { TitledCard } from "../../components/TitledCard";
import { errorText } from "../../errors";
import { SUPER_ADMIN } from "../members/status";
import { DevicesTable } from "./DevicesTable";
import { EnrollAdmin } from "./EnrollAdmin";
import { RefusedList } from "./RefusedList";
import { TeamFacts } from "./TeamFacts";
import { useStartTeam, useTeamStatus } from "./queries";
import { thisComputerText } from "./thisComputer";

const HINT = { margin: 0 };

/** Brings Settings' Gateway card into view, where the organization's gateway is connected. */
function showGatewayCard() {
  document.querySelector('[data-testid="gateway-card"]')?.scrollIntoView({ behavior: "smooth", block: "start" });
}

/**
 * Settings' Team card: with the built-in gateway, what team mode needs; with the
 * organization's gateway and no team, "Start a team" for a Super Admin; in a team, this
 * computer, enrolling an admin, the devices, what waits to be sent and what the log refused.
 */
export function TeamCard({ session }: { session: Session }) {
  const { t } = useTranslation();
  const status = useTeamStatus();
  const s = status.data;
  return (
    <TitledCard icon={<TeamOutlined />} title={t("team.title")} testId="team-card" loading={status.isPending}>
      {status.isError && <Alert type="error" showIcon title={errorText(t, api.toCommandError(status.error))} />}
      {s && !s.inTeam && s.gateway === null && (
        <Alert
          type="info"
          showIcon
          data-testid="team-builtin"
          title={t("team.builtin")}
          description={t("team.builtinHint")}
          action={
            <Button size="small" onClick={showGatewayCard} data-testid="team-to-gateway">
              {t("team.toGateway")}
            </Button>
          }
        />
      )}
      {s && !s.inTeam && s.gateway !== null && <StartTeam session={session} />}
      {s?.inTeam && <InTeam status={s} />}
    </TitledCard>
  );
}

function StartTeam({ session }: { session: Session }) {
  const { t } = useTranslation();
  const { message, modal } = AntApp.useApp();
  const start = useStartTeam({
    onSuccess: () => void message.success(t("team.started")),
    onError: (e) => void message.error(e.message || errorText(t, e)),
  });
  if (!session.roles.includes(SUPER_ADMIN)) {
    return (
      <Typography.Paragraph type="secondary" style={HINT} data-testid="team-start-super-admin">
        {t("team.startSuperAdminOnly")}
      </Typography.Paragraph>
    );
  }
  const confirm = () =>
    modal.confirm({
      title: t("team.startTitle"),
      content: t("team.startWhat"),
      okText: t("team.start"),
      cancelText: t("common.cancel"),
      okButtonProps: { "data-testid": "team-start-ok" },
      onOk: () => start.mutateAsync(null).catch(() => null),
    });
  return (
    <Space orientation="vertical" size={12}>
      <Typography.Paragraph style={HINT}>{t("team.startWhat")}</Typography.Paragraph>
      <Button type="primary" onClick={confirm} loading={start.isPending} data-testid="team-start">
        {t("team.start")}
      </Button>
    </Space>
  );
}

function InTeam({ status }: { status: TeamStatus }) {
  const { t } = useTranslation();
  return (
    <Space orientation="vertical" size={20} style={{ width: "100%" }}>
      <TeamFacts
        items={[
          {
            key: "computer",
            label: t("team.thisComputer"),
            children: (
              <span data-testid="team-this-computer">{thisComputerText(t, status)}</span>
            ),
          },
          { key: "gateway", label: t("team.gateway"), children: status.gateway ?? "—" },
          {
            key: "waiting",
            label: t("team.waitingLabel"),
            children: (
              <span data-testid="team-waiting">
                {status.waiting === 0 ? t("team.waitingNone") : t("team.waiting", { count: status.waiting })}
              </span>
            ),
          },
        ]}
      />
      <section>
        <Typography.Title level={5}>{t("team.enroll.heading")}</Typography.Title>
        <Typography.Paragraph type="secondary">{t("team.enroll.hint")}</Typography.Paragraph>
        <EnrollAdmin />
      </section>
      <section>
        <Typography.Title level={5}>{t("team.devices.title")}</Typography.Title>
        <Typography.Paragraph type="secondary">{t("team.devices.hint")}</Typography.Paragraph>
        <DevicesTable />
      </section>
      <section>
        <Typography.Title level={5}>{t("team.refused.title")}</Typography.Title>
        <RefusedList refused={status.refused} />
      </section>
    </Space>
  );
}
