import { Alert, Card, Drawer, Spin, Typography } from "antd";
import { useTranslation } from "react-i18next";

import * as api from "../../api";
import type { InvitationRow } from "../../bindings/InvitationRow";
import type { MailMessage } from "../../bindings/MailMessage";
import { errorText } from "../../errors";
import { LocalOnlyLinkNotice } from "../settings/LocalOnly";
import { useInvitationMail } from "./queries";

/** One message of the built-in gateway's mail folder, as text, with its links to copy. */
export function MailMessageView({ message }: { message: MailMessage }) {
  const { t } = useTranslation();
  return (
    <div data-testid="sent-mail-message">
      <Typography.Paragraph style={{ marginBottom: 4 }}>
        <Typography.Text type="secondary">{t("invitations.mailFrom")}: </Typography.Text>
        {message.from}
      </Typography.Paragraph>
      <Typography.Paragraph>
        <Typography.Text type="secondary">{t("invitations.mailTo")}: </Typography.Text>
        <span data-testid="sent-mail-to">{message.to}</span>
      </Typography.Paragraph>
      <LocalOnlyLinkNotice link={message.links[0]} />
      <Card size="small">
        <pre className="orgdesk-mail-text" data-testid="sent-mail-text">
          {message.text}
        </pre>
      </Card>
      {message.links.length > 0 && (
        <Typography.Paragraph style={{ marginTop: 12 }}>
          <Typography.Text type="secondary">{t("invitations.mailLinks")}: </Typography.Text>
          {message.links.map((l) => (
            <Typography.Text key={l} copyable code data-testid="sent-mail-link">
              {l}
            </Typography.Text>
          ))}
        </Typography.Paragraph>
      )}
    </div>
  );
}

/** The message of an invitation kept on this computer (the built-in gateway sends nothing). */
export function InvitationMailDrawer({ row, onClose }: { row: InvitationRow; onClose: () => void }) {
  const { t } = useTranslation();
  const mail = useInvitationMail(row.id);
  return (
    <Drawer open onClose={onClose} size={640} destroyOnHidden data-testid="invitation-mail-drawer" title={mail.data?.subject ?? t("invitations.mailTitle")}>
      <Typography.Paragraph type="secondary">{t("invitations.keptHint", { name: row.memberName })}</Typography.Paragraph>
      {mail.isError ? (
        <Alert type="error" showIcon title={errorText(t, api.toCommandError(mail.error))} data-testid="invitation-mail-error" />
      ) : mail.data ? (
        <MailMessageView message={mail.data} />
      ) : (
        <Spin />
      )}
    </Drawer>
  );
}
