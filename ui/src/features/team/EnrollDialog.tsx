import { CopyOutlined } from "@ant-design/icons";
import { App as AntApp, Button, Space, Typography } from "antd";
import { useTranslation } from "react-i18next";

import type { TeamEnrollment } from "../../bindings/TeamEnrollment";
import { Dialog } from "../../components/Dialog";
import { copyText } from "../../components/clipboard";
import { PlainDescriptions } from "../../components/PlainDescriptions";
import { formatTime } from "../../components/text";

/** The one-time code for an admin's other computer, large, with its expiry, the gateway's
 *  address and what to do on the other computer. */
export function EnrollDialog({ enrollment, onClose }: { enrollment: TeamEnrollment; onClose: () => void }) {
  const { t, i18n } = useTranslation();
  const { message } = AntApp.useApp();
  const { member, code, gateway, expiresAt } = enrollment;
  const username = member.username ?? "";
  return (
    <Dialog
      onClose={onClose}
      title={t("team.enroll.title", { name: member.name })}
      footer={
        <Button type="primary" onClick={onClose} data-testid="team-enroll-done">
          {t("team.enroll.done")}
        </Button>
      }
      width={560}
    >
      <div data-testid="team-enroll-dialog">
        <Typography.Paragraph type="secondary">{t("team.enroll.intro", { name: member.name })}</Typography.Paragraph>
        <Space align="center" size={12} style={{ marginBottom: 8 }} wrap>
          <Typography.Text
            data-testid="team-enroll-code"
            strong
            style={{ fontFamily: "ui-monospace, SFMono-Regular, Menlo, Consolas, monospace", fontSize: 22, letterSpacing: 1 }}
          >
            {code}
          </Typography.Text>
          <Button
            icon={<CopyOutlined />}
            data-testid="team-enroll-copy"
            onClick={() =>
              copyText(
                code,
                () => void message.success(t("team.enroll.copied")),
                () => void message.info(t("team.enroll.copyByHand")),
              )
            }
          >
            {t("team.enroll.copy")}
          </Button>
        </Space>
        <PlainDescriptions
          labelWidth={150}
          items={[
            {
              key: "expires",
              label: t("team.enroll.expires"),
              children: <span data-testid="team-enroll-expires">{formatTime(i18n.language, expiresAt)}</span>,
            },
            {
              key: "gateway",
              label: t("team.enroll.gateway"),
              children: (
                <Typography.Text copyable data-testid="team-enroll-gateway">
                  {gateway}
                </Typography.Text>
              ),
            },
            { key: "username", label: t("team.enroll.username"), children: username },
          ]}
        />
        <Typography.Title level={5} style={{ marginTop: 16 }}>
          {t("team.enroll.stepsTitle")}
        </Typography.Title>
        <ol data-testid="team-enroll-steps" style={{ paddingInlineStart: 20, margin: 0 }}>
          <li>{t("team.enroll.step1")}</li>
          <li>{t("team.enroll.step2")}</li>
          <li>{t("team.enroll.step3", { name: member.name, username })}</li>
        </ol>
        <Typography.Paragraph type="secondary" style={{ marginTop: 12, marginBottom: 0 }}>
          {t("team.enroll.once")}
        </Typography.Paragraph>
      </div>
    </Dialog>
  );
}
