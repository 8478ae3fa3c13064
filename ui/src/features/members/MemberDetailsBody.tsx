import { Button, Empty, Tag, Timeline, Tooltip, Typography } from "antd";
import { memo } from "react";
import { useTranslation } from "react-i18next";

import type { HistoryItem } from "../../bindings/HistoryItem";
import type { InvitationRow } from "../../bindings/InvitationRow";
import type { MemberDetails } from "../../bindings/MemberDetails";
import { PlainDescriptions, type PlainItem } from "../../components/PlainDescriptions";
import { dash, formatTime } from "../../components/text";
import { historyAction } from "./historyText";
import { StatusBadge } from "./status";

/** A member's fields, and for one not joined yet, where their latest invitation stands. */
export const MemberFields = memo(function MemberFields({ member: m, latest }: { member: MemberDetails; latest: InvitationRow | undefined }) {
  const { t, i18n } = useTranslation();
  const items: PlainItem[] = [
    { key: "status", label: t("members.field.status"), children: <StatusBadge status={m.status} testId="detail-status" /> },
    { key: "username", label: t("members.field.username"), children: <span data-testid="detail-username">{dash(m.username)}</span> },
    { key: "email", label: t("members.field.email"), children: dash(m.email) },
    { key: "orgEmail", label: t("members.field.orgEmail"), children: dash(m.orgEmail) },
    { key: "mobile", label: t("members.field.mobile"), children: dash(m.mobile) },
    { key: "employeeId", label: t("members.field.employeeId"), children: <span data-testid="detail-employee-id">{dash(m.employeeId)}</span> },
    { key: "workLocation", label: t("members.field.workLocation"), children: <span data-testid="detail-work-location">{dash(m.workLocation)}</span> },
    {
      key: "roles",
      label: t("members.field.roles"),
      children: <span data-testid="detail-roles">{m.roles.length === 0 ? "—" : m.roles.map((r) => <Tag key={r.id}>{r.name}</Tag>)}</span>,
    },
    { key: "activated", label: t("members.field.activatedAt"), children: formatTime(i18n.language, m.activatedAt) },
    { key: "lastLogin", label: t("members.field.lastLoginAt"), children: formatTime(i18n.language, m.lastLoginAt) },
    { key: "created", label: t("members.field.createdAt"), children: formatTime(i18n.language, m.createdAt) },
    { key: "createdBy", label: t("members.field.createdBy"), children: dash(m.createdBy?.name) },
  ];
  if (m.status === "not_joined") {
    items.push(
      { key: "invitationEmail", label: t("members.field.invitationEmail"), children: dash(m.invitationEmail) },
      {
        key: "invitation",
        label: t("invite.latest"),
        children: latest ? (
          <Tooltip title={latest.lastError ?? undefined}>
            <Tag data-testid="detail-invitation-state" color={latest.state === "failed" ? "error" : undefined}>
              {t(`invitations.state.${latest.kept ? "kept" : latest.state}`)} · {t(`invitations.channel.${latest.channel}`)}
            </Tag>
          </Tooltip>
        ) : (
          <span data-testid="detail-invitation-state">{t("invite.none")}</span>
        ),
      },
    );
  }
  return <PlainDescriptions items={items} labelWidth={150} />;
});

type PositionsProps = {
  member: MemberDetails;
  /** The department being made primary, while that is under way. */
  settingPrimary: number | null;
  onSetPrimary: (departmentId: number) => void;
};

/** A member's departments and titles; any but the primary one can be made primary. */
export function MemberPositions({ member: m, settingPrimary, onSetPrimary }: PositionsProps) {
  const { t } = useTranslation();
  return (
    <div>
      <Typography.Title level={5}>{t("members.field.positions")}</Typography.Title>
      <ul className="orgdesk-plain-list orgdesk-positions" data-testid="detail-positions">
        {m.positions.map((p) => (
          <li key={p.departmentId} data-testid={`detail-position-${p.departmentId}`}>
            <div style={{ minWidth: 0 }}>
              <Typography.Text strong>{p.departmentPath || p.departmentName}</Typography.Text>
              <Typography.Text type="secondary">{p.title || t("members.noTitle")}</Typography.Text>
            </div>
            {p.isPrimary ? (
              <Tag color="blue" style={{ marginInlineEnd: 0 }}>
                {t("members.primary")}
              </Tag>
            ) : (
              <Button
                type="link"
                size="small"
                data-testid={`set-primary-${p.departmentId}`}
                loading={settingPrimary === p.departmentId}
                onClick={() => onSetPrimary(p.departmentId)}
              >
                {t("members.setPrimary")}
              </Button>
            )}
          </li>
        ))}
      </ul>
    </div>
  );
}

/** What was done to a member, newest first, by whom and when. */
export const MemberHistory = memo(function MemberHistory({ history }: { history: HistoryItem[] }) {
  const { t, i18n } = useTranslation();
  return (
    <div data-testid="detail-history">
      <Typography.Title level={5}>{t("members.history")}</Typography.Title>
      {history.length === 0 ? (
        <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t("members.noHistory")} />
      ) : (
        <Timeline
          items={history.map((h, i) => ({
            key: i,
            content: (
              <>
                <Typography.Text>
                  {t("members.historyLine", { actor: h.actorName, action: historyAction(t, h) })}
                </Typography.Text>
                <br />
                <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                  {formatTime(i18n.language, h.at)}
                </Typography.Text>
              </>
            ),
          }))}
        />
      )}
    </div>
  );
});
