import { CloudServerOutlined } from "@ant-design/icons";
import { App as AntApp, Alert, Badge, Button, Form, Input, Radio, Space, Typography } from "antd";
import { useState } from "react";
import { useTranslation } from "react-i18next";

import { TitledCard } from "../../components/TitledCard";
import { applyServerError, requiredRule } from "../../components/forms";
import { errorText, gatewayProblemText } from "../../errors";
import { useTeamStatus } from "../team/queries";
import { useConnectRemoteGateway, useGatewayStatus, useRemoteGatewayUrl, useSwitchToBuiltinGateway } from "./queries";
import { TeamGateway } from "./TeamGateway";

type RemoteValues = { url: string; token: string };

/**
 * Settings: which gateway sends invitations — the built-in one or a remote one (URL + token).
 * On a computer in a team (the backend's team status says so) the gateway is the team's: the
 * card says how this computer links to it and offers no other.
 */
export function GatewayCard() {
  const { t } = useTranslation();
  const status = useGatewayStatus();
  const team = useTeamStatus();
  const s = status.data;
  return (
    <TitledCard icon={<CloudServerOutlined />} title={t("gateway.title")} testId="gateway-card">
      <Space orientation="vertical" size={12} style={{ width: "100%" }}>
        {s && (
          <span data-testid="gateway-card-status">
            <Badge
              status={s.connected ? "success" : "warning"}
              text={
                s.connected
                  ? t("gateway.using", { mode: t(`invitations.mode.${s.mode}`), url: s.url ?? "" })
                  : (gatewayProblemText(t, s) ?? t("invitations.gatewayDown"))
              }
            />
          </span>
        )}
        {team.data?.inTeam && <TeamGateway team={team.data} status={s} />}
        {(team.isError || team.data?.inTeam === false) && <GatewayChoice />}
      </Space>
    </TitledCard>
  );
}

/** The built-in gateway or a remote one: the choice, the remote one's address and token. */
function GatewayChoice() {
  const { t } = useTranslation();
  const { message } = AntApp.useApp();
  const remoteUrl = useRemoteGatewayUrl();
  const [choice, setChoice] = useState<"embedded" | "remote" | null>(null);
  const [form] = Form.useForm<RemoteValues>();
  const [error, setError] = useState<string | null>(null);
  const done = () => {
    setChoice(null);
    form.resetFields();
  };
  const connect = useConnectRemoteGateway({
    onSuccess: () => {
      done();
      void message.success(t("gateway.connected"));
    },
    onError: (e) => {
      const top = applyServerError(t, form, e, ["url", "token"]);
      setError(e.details.length > 0 ? top : e.message || errorText(t, e));
    },
  });
  const builtin = useSwitchToBuiltinGateway({
    onSuccess: () => {
      done();
      void message.success(t("gateway.builtinOn"));
    },
    onError: (e) => setError(e.message || errorText(t, e)),
  });
  const current = remoteUrl.data ? "remote" : "embedded";
  const shown = choice ?? current;
  return (
    <>
      <Radio.Group
        value={shown}
        onChange={(e) => {
          setError(null);
          setChoice(e.target.value as "embedded" | "remote");
        }}
      >
        <Space orientation="vertical">
          <Radio value="embedded" data-testid="gateway-choice-embedded">
            {t("gateway.builtin")}
            <Typography.Text type="secondary"> · {t("gateway.builtinHint")}</Typography.Text>
          </Radio>
          <Radio value="remote" data-testid="gateway-choice-remote">
            {t("gateway.remote")}
            <Typography.Text type="secondary"> · {t("gateway.remoteHint")}</Typography.Text>
          </Radio>
        </Space>
      </Radio.Group>
      {error && <Alert type="error" showIcon title={error} data-testid="gateway-error" />}
      {shown === "remote" && (
        <Form<RemoteValues>
          form={form}
          layout="vertical"
          requiredMark={false}
          initialValues={{ url: remoteUrl.data ?? "", token: "" }}
          onFinish={(v) => {
            setError(null);
            connect.mutate(v);
          }}
          style={{ maxWidth: 520 }}
        >
          <Form.Item name="url" label={t("gateway.url")} rules={[requiredRule(t)]}>
            <Input data-testid="gateway-url" placeholder="https://gateway.example.com" />
          </Form.Item>
          <Form.Item
            name="token"
            label={t("gateway.token")}
            extra={t("gateway.tokenHint")}
            rules={[requiredRule(t)]}
          >
            <Input.Password data-testid="gateway-token" autoComplete="off" />
          </Form.Item>
          <Button type="primary" htmlType="submit" loading={connect.isPending} data-testid="gateway-connect">
            {t("gateway.connect")}
          </Button>
        </Form>
      )}
      {shown === "embedded" && current === "remote" && (
        <Button loading={builtin.isPending} onClick={() => builtin.mutate()} data-testid="gateway-use-builtin">
          {t("gateway.useBuiltin")}
        </Button>
      )}
    </>
  );
}
