import { CopyOutlined, LinkOutlined, ReloadOutlined } from "@ant-design/icons";
import { App as AntApp, Alert, Button, Card, Checkbox, Space, Switch, Tooltip, Typography } from "antd";
import { useMemo, useState } from "react";
import { useTranslation } from "react-i18next";

import * as api from "../../api";
import type { CommandError } from "../../bindings/CommandError";
import type { JoinLinkInput } from "../../bindings/JoinLinkInput";
import { copyText } from "../../components/clipboard";
import { PlainDescriptions } from "../../components/PlainDescriptions";
import { ONE_LINE } from "../../components/text";
import { errorText } from "../../errors";
import { BuiltinModeNotice, LocalOnlyLinkNotice } from "../settings/LocalOnly";
import { useDisableJoinLink, useJoinLink, useRotateJoinLink, useSetJoinLink } from "./queries";

const FIELDS = ["email", "mobile", "employee_id", "work_location"] as const;

/** The QR code is an SVG document the backend made from the link alone (no user text in it). */
function QrCode({ svg }: { svg: string }) {
  const src = useMemo(() => `data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg)}`, [svg]);
  return <img src={src} alt="" width={168} height={168} data-testid="join-link-qr" style={{ display: "block" }} />;
}

/** The public join link and organization code: switch on with rules, rotate, switch off. */
export function JoinLinkCard() {
  const { t } = useTranslation();
  const { message, modal } = AntApp.useApp();
  const current = useJoinLink();
  const [draft, setDraft] = useState<JoinLinkInput | null>(null);
  const onError = (e: CommandError) => void message.error(errorText(t, e));
  const set = useSetJoinLink({
    onSuccess: () => {
      const wasOn = current.data?.enabled ?? false;
      setDraft(null);
      void message.success(t(wasOn ? "joinRequests.link.saved" : "joinRequests.link.enabled"));
    },
    onError,
  });
  const rotate = useRotateJoinLink({
    onSuccess: () => void message.success(t("joinRequests.link.rotated")),
    onError,
  });
  const disable = useDisableJoinLink({
    onSuccess: () => void message.success(t("joinRequests.link.disabled")),
    onError,
  });
  const v = current.data;
  const rules: JoinLinkInput = draft ?? { approvalRequired: v?.approvalRequired ?? true, requiredFields: v?.requiredFields ?? [] };
  const rulesForm = (
    <Space orientation="vertical" size={8}>
      <Space>
        <Switch
          checked={rules.approvalRequired}
          onChange={(approvalRequired) => setDraft({ ...rules, approvalRequired })}
          data-testid="join-link-approval"
        />
        <Typography.Text>{t("joinRequests.link.approval")}</Typography.Text>
      </Space>
      <div>
        <Typography.Text type="secondary">{t("joinRequests.link.required")} </Typography.Text>
        <Checkbox.Group
          value={rules.requiredFields}
          onChange={(f) => setDraft({ ...rules, requiredFields: f as string[] })}
          options={FIELDS.map((f) => ({ value: f, label: <span data-testid={`join-link-field-${f}`}>{t(`joinRequests.field.${f}`)}</span> }))}
        />
      </div>
    </Space>
  );
  return (
    <Card
      title={
        <Space>
          <LinkOutlined />
          {t("joinRequests.link.title")}
        </Space>
      }
      variant="outlined"
      style={{ marginBottom: 16 }}
      data-testid="join-link-card"
      loading={current.isLoading}
    >
      {current.isError ? (
        <Alert type="warning" showIcon title={errorText(t, api.toCommandError(current.error))} />
      ) : !v?.enabled ? (
        <Space orientation="vertical" size={12} style={{ width: "100%" }}>
          <BuiltinModeNotice />
          <Typography.Paragraph type="secondary" style={{ margin: 0 }}>
            {t("joinRequests.link.off")}
          </Typography.Paragraph>
          {rulesForm}
          <Button type="primary" loading={set.isPending} onClick={() => set.mutate(rules)} data-testid="join-link-enable">
            {t("joinRequests.link.enable")}
          </Button>
        </Space>
      ) : (
        <>
        <LocalOnlyLinkNotice link={v.link} />
        <div style={{ display: "flex", gap: 24, flexWrap: "wrap", alignItems: "flex-start" }}>
          {v.qrSvg && <QrCode svg={v.qrSvg} />}
          <Space orientation="vertical" size={12} style={{ flex: "1 1 360px", minWidth: 0 }}>
            <PlainDescriptions
              labelWidth={150}
              items={[
                {
                  key: "link",
                  label: t("joinRequests.link.link"),
                  children: (
                    <Space.Compact style={{ width: "100%" }}>
                      <Typography.Text code className={ONE_LINE} title={v.link ?? undefined} style={{ maxWidth: 420 }} data-testid="join-link-url">
                        {v.link ?? "—"}
                      </Typography.Text>
                      <Tooltip title={t("invitations.copy")}>
                        <Button
                          size="small"
                          icon={<CopyOutlined />}
                          aria-label={t("invitations.copy")}
                          disabled={!v.link}
                          onClick={() =>
                            copyText(
                              v.link ?? "",
                              () => void message.success(t("invitations.copied")),
                              () => void message.info(t("invitations.copyByHand")),
                            )
                          }
                        />
                      </Tooltip>
                    </Space.Compact>
                  ),
                },
                {
                  key: "code",
                  label: t("joinRequests.link.code"),
                  children: (
                    <Typography.Text strong style={{ fontSize: 18, letterSpacing: 2 }} data-testid="join-link-code">
                      {v.code ?? "—"}
                    </Typography.Text>
                  ),
                },
                {
                  key: "codeUrl",
                  label: t("joinRequests.link.codePage"),
                  children: <Typography.Text code>{v.codeUrl ?? "—"}</Typography.Text>,
                },
              ]}
            />
            {rulesForm}
            <Space wrap>
              <Button type="primary" disabled={draft === null} loading={set.isPending} onClick={() => set.mutate(rules)} data-testid="join-link-save">
                {t("joinRequests.link.save")}
              </Button>
              <Button
                icon={<ReloadOutlined />}
                loading={rotate.isPending}
                data-testid="join-link-rotate"
                onClick={() =>
                  modal.confirm({
                    title: t("joinRequests.link.rotateTitle"),
                    content: t("joinRequests.link.rotateBody"),
                    okText: t("joinRequests.link.rotate"),
                    okButtonProps: { "data-testid": "join-link-rotate-ok" },
                    onOk: () => rotate.mutateAsync(),
                  })
                }
              >
                {t("joinRequests.link.rotate")}
              </Button>
              <Button danger loading={disable.isPending} onClick={() => disable.mutate()} data-testid="join-link-disable">
                {t("joinRequests.link.disable")}
              </Button>
            </Space>
          </Space>
        </div>
        </>
      )}
    </Card>
  );
}
