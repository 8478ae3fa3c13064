import { Space, Typography } from "antd";
import { useTranslation } from "react-i18next";

import type { GatewayStatus } from "../../bindings/GatewayStatus";
import type { TeamStatus } from "../../bindings/TeamStatus";
import { TeamFacts } from "../team/TeamFacts";
import { thisComputerText } from "../team/thisComputer";

/**
 * The Gateway card on a computer in a team: the team's gateway, the credential this computer
 * links with (its own device credential; the organization's token is never asked for here),
 * the device and admin it is enrolled as, and why the gateway is not changed here.
 */
export function TeamGateway({ team, status }: { team: TeamStatus; status: GatewayStatus | undefined }) {
  const { t } = useTranslation();
  const credential = status?.mode === "team" ? t("gateway.team.deviceCredential") : t("gateway.team.apiToken");
  return (
    <Space orientation="vertical" size={8} style={{ width: "100%" }}>
      <TeamFacts
        testId="gateway-team"
        items={[
          { key: "url", label: t("gateway.url"), children: <span data-testid="gateway-team-url">{team.gateway ?? status?.url ?? "—"}</span> },
          { key: "credential", label: t("gateway.team.linkedWith"), children: <span data-testid="gateway-team-credential">{credential}</span> },
          {
            key: "computer",
            label: t("team.thisComputer"),
            children: <span data-testid="gateway-team-computer">{thisComputerText(t, team)}</span>,
          },
        ]}
      />
      <Typography.Paragraph type="secondary" style={{ margin: 0 }} data-testid="gateway-team-fixed">
        {t("gateway.team.fixed")}
      </Typography.Paragraph>
    </Space>
  );
}
