import { Alert, Input, Modal, Radio, Space, Typography } from "antd";
import { useState } from "react";
import { useTranslation } from "react-i18next";

import { errorText } from "../../errors";
import { useSendPasswordReset } from "./queries";

/** "Reset password": mail a one-time link to the member, or make one to pass on. */
export function ResetPasswordDialog({ member, onClose }: { member: { id: number; name: string; email: string | null }; onClose: () => void }) {
  const { t } = useTranslation();
  const [channel, setChannel] = useState<"email" | "link">(member.email ? "email" : "link");
  const send = useSendPasswordReset(member.id);
  const done = send.data;
  return (
    <Modal
      open
      title={t("reset.title", { name: member.name })}
      onCancel={onClose}
      destroyOnHidden
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
            <Input.TextArea readOnly autoSize value={done.link} data-testid="reset-link" onFocus={(e) => e.target.select()} />
          </>
        ) : (
          <Alert type="success" showIcon title={t("reset.sentMail", { email: done.recipient ?? "" })} data-testid="reset-sent" />
        )
      ) : (
        <>
          <Radio.Group value={channel} onChange={(e) => setChannel(e.target.value as "email" | "link")}>
            <Space orientation="vertical">
              <Radio value="email" disabled={!member.email} data-testid="reset-channel-email">
                {member.email ? t("reset.email", { email: member.email }) : t("invite.channel.email")}
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
    </Modal>
  );
}
