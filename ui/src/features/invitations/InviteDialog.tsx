import { App as AntApp, Alert, Radio, Space, Typography } from "antd";
import { useState } from "react";
import { useTranslation } from "react-i18next";

import type { InviteChannel } from "../../bindings/InviteChannel";
import type { InviteOutcome } from "../../bindings/InviteOutcome";
import type { Lang } from "../../bindings/Lang";
import { Dialog } from "../../components/Dialog";
import { errorText } from "../../errors";
import { BuiltinModeNotice } from "../settings/LocalOnly";
import { InvitationLanguage, useOrganizationInvitationLanguage } from "./InvitationLanguage";
import { useInviteMembers } from "./queries";

export type InviteTarget = { id: number; name: string; email: string | null; mobile: string | null };

/** "Send invitation": pick email, SMS or a link to pass on; queued at once, sent by the gateway. */
export function InviteDialog({ targets, onClose }: { targets: InviteTarget[]; onClose: () => void }) {
  const { t } = useTranslation();
  const { message } = AntApp.useApp();
  const anyEmail = targets.some((m) => m.email);
  const anyMobile = targets.some((m) => m.mobile);
  const [channel, setChannel] = useState<InviteChannel>(anyEmail ? "email" : anyMobile ? "sms" : "link");
  const [skipped, setSkipped] = useState<InviteOutcome["skipped"]>([]);
  // The organization's language until the admin picks one for this invitation.
  const [picked, setPicked] = useState<Lang | undefined>(undefined);
  const organizationLanguage = useOrganizationInvitationLanguage();
  const language = picked ?? organizationLanguage;
  const ids = targets.map((m) => m.id);
  const invite = useInviteMembers(ids, {
    onSuccess: (out) => {
      if (out.invited > 0) void message.success(t("invite.sent", { count: out.invited }));
      if (out.skipped.length > 0) setSkipped(out.skipped);
      else onClose();
    },
    onError: (e) => void message.error(errorText(t, e)),
  });
  const single = targets.length === 1 ? targets[0] : null;
  const recipient = (c: InviteChannel) => (single ? (c === "email" ? single.email : c === "sms" ? single.mobile : null) : null);
  return (
    <Dialog
      title={single ? t("invite.titleOne", { name: single.name }) : t("invite.titleMany", { count: targets.length })}
      onClose={onClose}
      okText={skipped.length ? t("common.close") : t("invite.send")}
      okButtonProps={{ "data-testid": "invite-send", loading: invite.isPending }}
      onOk={() => (skipped.length ? onClose() : invite.mutate({ channel, language }))}
      cancelButtonProps={{ style: skipped.length ? { display: "none" } : undefined }}
    >
      {skipped.length > 0 ? (
        <Alert
          type="warning"
          showIcon
          data-testid="invite-skipped"
          title={t("invite.skipped", { count: skipped.length })}
          description={
            <ul style={{ margin: 0, paddingInlineStart: 18 }}>
              {skipped.map((s, i) => (
                <li key={i}>{s.reason}</li>
              ))}
            </ul>
          }
        />
      ) : (
        <>
          <BuiltinModeNotice />
          <Radio.Group value={channel} onChange={(e) => setChannel(e.target.value as InviteChannel)} data-testid="invite-channel">
            <Space orientation="vertical">
              {(["email", "sms", "link"] as InviteChannel[]).map((c) => (
                <Radio key={c} value={c} disabled={(c === "email" && !anyEmail) || (c === "sms" && !anyMobile)} data-testid={`invite-channel-${c}`}>
                  {t(`invite.channel.${c}`)}
                  {recipient(c) && <Typography.Text type="secondary"> · {recipient(c)}</Typography.Text>}
                </Radio>
              ))}
            </Space>
          </Radio.Group>
          <Typography.Paragraph type="secondary" style={{ marginTop: 12 }}>
            {t(`invite.hint.${channel}`)}
          </Typography.Paragraph>
          <InvitationLanguage value={language} onChange={setPicked} />
        </>
      )}
    </Dialog>
  );
}
