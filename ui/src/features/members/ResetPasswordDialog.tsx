import { CopyOutlined } from "@ant-design/icons";
import { App as AntApp, Alert, Button, Input, Radio, Space, Typography } from "antd";
import { useState } from "react";
import { useTranslation } from "react-i18next";

import { Dialog } from "../../components/Dialog";
import { copyText } from "../../components/clipboard";
import { errorText } from "../../errors";
import { LocalOnlyLinkNotice } from "../settings/LocalOnly";
import { useSendPasswordReset, type ResetChannel } from "./queries";

export type ResetTarget = { id: number; name: string; email: string | null; mobile: string | null };

/** "Reset password": mail or text a one-time link to the member, or make one to pass on. */
export function ResetPasswordDialog({ member, onClose }: { member: ResetTarget; onClose: () => void }) {
  const { t } = useTranslation();
  const { message } = AntApp.useApp();
  const [channel, setChannel] = useState<ResetChannel>(member.email ? "email" : member.mobile ? "sms" : "link");
  const send = useSendPasswordReset(member.id);
  const done = send.data;
  const copy = (link: string) =>
    copyText(
      link,
      () => void message.success(t("reset.copied")),
      () => void message.info(t("reset.copyByHand")),
    );
  return (
    <Dialog
      title={t("reset.title", { name: member.name })}
      onClose={onClose}
      okText={done ? t("common.close") : t("reset.send")}
      okButtonProps={{ "data-testid": "reset-send", loading: send.isPending }}
      onOk={() => (done ? onClose() : send.mutate(channel))}
      cancelButtonProps={{ style: done ? { display: "none" } : undefined }}
    >
      {send.isError && (
        <Alert type="error" showIcon style={{ marginBottom: 12 }} title={send.error.message || errorText(t, send.error)} data-testid="reset-error" />
      )}
      {done ? (
        done.link ? (
          <>
            <Typography.Paragraph>{t("reset.linkReady")}</Typography.Paragraph>
            <LocalOnlyLinkNotice link={done.link} />
            <Input.TextArea readOnly autoSize value={done.link} data-testid="reset-link" onFocus={(e) => e.target.select()} />
            <Button icon={<CopyOutlined />} style={{ marginTop: 12 }} data-testid="reset-link-copy" onClick={() => void copy(done.link ?? "")}>
              {t("reset.copy")}
            </Button>
          </>
        ) : (
          <Alert
            type="success"
            showIcon
            title={done.channel === "sms" ? t("reset.sentSms", { mobile: done.recipient ?? "" }) : t("reset.sentMail", { email: done.recipient ?? "" })}
            data-testid="reset-sent"
          />
        )
      ) : (
        <>
          <Radio.Group value={channel} onChange={(e) => setChannel(e.target.value as ResetChannel)}>
            <Space orientation="vertical">
              <Radio value="email" disabled={!member.email} data-testid="reset-channel-email">
                {member.email ? t("reset.email", { email: member.email }) : t("reset.emailNone")}
              </Radio>
              <Radio value="sms" disabled={!member.mobile} data-testid="reset-channel-sms">
                {member.mobile ? t("reset.sms", { mobile: member.mobile }) : t("reset.smsNone")}
              </Radio>
              <Radio value="link" data-testid="reset-channel-link">
                {t("reset.link")}
              </Radio>
            </Space>
          </Radio.Group>
          <Typography.Paragraph type="secondary" style={{ marginTop: 12, marginBottom: 0 }}>
            {t("reset.hint")}
          </Typography.Paragraph>
        </>
      )}
    </Dialog>
  );
}
