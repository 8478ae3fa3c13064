import { CopyOutlined } from "@ant-design/icons";
import { App as AntApp, Button, Input, Typography } from "antd";
import type { TextAreaRef } from "antd/es/input/TextArea";
import { useRef } from "react";
import { useTranslation } from "react-i18next";

import type { InvitationRow } from "../../bindings/InvitationRow";
import { Dialog } from "../../components/Dialog";
import { copyText } from "../../components/clipboard";
import { LocalOnlyLinkNotice } from "../settings/LocalOnly";

/** Shows an invitation link to pass on. "Copy link" puts it on the clipboard and says so; where the
 *  window may not write the clipboard (WebKitGTK can refuse), the link is left selected in its field
 *  with a message to copy it by hand. */
export function LinkModal({ row, onClose }: { row: InvitationRow; onClose: () => void }) {
  const { t } = useTranslation();
  const { message } = AntApp.useApp();
  const field = useRef<TextAreaRef>(null);
  const link = row.link ?? "";
  const byHand = () => {
    const area = field.current?.resizableTextArea?.textArea;
    area?.focus();
    area?.select();
    void message.warning({ content: <span data-testid="invitation-link-copy-by-hand">{t("invitations.copyByHand")}</span>, duration: 6 });
  };
  const copied = () => void message.success({ content: <span data-testid="invitation-link-copied">{t("invitations.copiedBody", { name: row.memberName })}</span> });
  return (
    <Dialog
      title={t("invitations.linkTitle", { name: row.memberName })}
      onClose={onClose}
      footer={[
        <Button key="close" onClick={onClose}>
          {t("common.close")}
        </Button>,
        <Button key="copy" type="primary" icon={<CopyOutlined />} data-testid="invitation-link-copy" onClick={() => copyText(link, copied, byHand)}>
          {t("invitations.copy")}
        </Button>,
      ]}
    >
      <LocalOnlyLinkNotice link={link} />
      <Typography.Paragraph type="secondary">{t("invitations.linkHint")}</Typography.Paragraph>
      <Input.TextArea ref={field} readOnly autoSize value={link} data-testid="invitation-link-text" onFocus={(e) => e.target.select()} />
    </Dialog>
  );
}
