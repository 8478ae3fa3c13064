import { InboxOutlined, MailOutlined, ReloadOutlined } from "@ant-design/icons";
import {
  App as AntApp,
  Alert,
  Badge,
  Button,
  Card,
  Drawer,
  Empty,
  List,
  Segmented,
  Space,
  Tag,
  Tooltip,
  Typography,
} from "antd";
import { useMemo, useState } from "react";
import { useTranslation } from "react-i18next";

import * as api from "../../api";
import type { InvitationRow } from "../../bindings/InvitationRow";
import type { InvitationState } from "../../bindings/InvitationState";
import type { PlainColumn } from "../../components/PlainTable";
import { PickableList } from "../../components/PickableList";
import { RowLinkButton } from "../../components/RowLinkButton";
import { ListSearch } from "../../components/ListSearch";
import { useFilteredList } from "../../components/paging";
import { formatDay, formatTime } from "../../components/text";
import { errorText, gatewayProblemText } from "../../errors";
import { useGatewayStatus } from "../settings/queries";
import { InvitationBatchBar } from "./InvitationBatchBar";
import { LinkModal } from "./LinkModal";
import { InvitationMailDrawer, MailMessageView } from "./MailMessageView";
import {
  invitationsQuery,
  useCancelInvitation,
  useInvitationCounts,
  useInvitations,
  useResendInvitation,
  useSentMail,
  useSentMailMessage,
} from "./queries";

type Filter = "all" | "open" | "failed" | "registered" | "closed";

const FILTER_STATES: Record<Filter, InvitationState[]> = {
  all: [],
  open: ["queued", "sent", "delivered", "opened", "failed"],
  failed: ["failed"],
  registered: ["registered"],
  closed: ["declined", "expired", "cancelled"],
};

/** How a row's state is shown: a message only written into the built-in gateway's folder is
 *  "kept", never "delivered"; on a computer of a team, an invitation queued with nothing for
 *  this computer to tell the gateway is being sent from the computer of the admin who made it
 *  ("elsewhere"), whose gateway's answer reaches this one through the team's log. */
type ShownState = InvitationState | "kept" | "elsewhere";
const shownState = (r: InvitationRow): ShownState => {
  if (r.kept) return "kept";
  return r.state === "queued" && !r.awaitingGateway ? "elsewhere" : r.state;
};

const STATE_COLOR: Record<ShownState, string> = {
  queued: "default",
  sent: "processing",
  delivered: "blue",
  opened: "cyan",
  failed: "error",
  kept: "gold",
  elsewhere: "default",
  registered: "success",
  declined: "warning",
  expired: "default",
  cancelled: "default",
};

const OPEN: InvitationState[] = FILTER_STATES.open;
const invitationId = (r: InvitationRow) => r.id;

/** The mail the built-in gateway wrote instead of sending, newest first, readable as text. */
function SentMailDrawer({ open, onClose }: { open: boolean; onClose: () => void }) {
  const { t, i18n } = useTranslation();
  const [file, setFile] = useState<string | null>(null);
  const mail = useSentMail(open);
  const message = useSentMailMessage(file, open);
  const status = useGatewayStatus({ enabled: open });
  return (
    <Drawer
      open={open}
      onClose={() => {
        setFile(null);
        onClose();
      }}
      size={640}
      title={file && message.data ? message.data.subject : t("invitations.mailTitle")}
      data-testid="sent-mail-drawer"
      destroyOnHidden
      extra={
        file ? (
          <Button onClick={() => setFile(null)} data-testid="sent-mail-back">
            {t("invitations.mailBack")}
          </Button>
        ) : (
          <Button icon={<ReloadOutlined />} onClick={() => void mail.refetch()} aria-label={t("invitations.refresh")} />
        )
      }
    >
      {file === null ? (
        <>
          <Typography.Paragraph type="secondary">
            {t("invitations.mailHint", { folder: status.data?.mailFolder ?? "—" })}
          </Typography.Paragraph>
          {mail.isError && <Alert type="error" showIcon title={errorText(t, api.toCommandError(mail.error))} />}
          <List
            data-testid="sent-mail-list"
            loading={mail.isLoading}
            dataSource={mail.data ?? []}
            locale={{ emptyText: <Empty description={t("invitations.mailEmpty")} /> }}
            renderItem={(m) => (
              <List.Item
                key={m.file}
                onClick={() => setFile(m.file)}
                style={{ cursor: "pointer" }}
                data-testid="sent-mail-item"
                actions={[<Typography.Text type="secondary" key="at">{formatTime(i18n.language, m.receivedAt)}</Typography.Text>]}
              >
                <List.Item.Meta avatar={<MailOutlined />} title={m.subject} description={m.to} />
              </List.Item>
            )}
          />
        </>
      ) : message.isError ? (
        <Alert type="error" showIcon title={errorText(t, api.toCommandError(message.error))} />
      ) : message.data ? (
        <MailMessageView message={message.data} />
      ) : null}
    </Drawer>
  );
}

/** Every invitation with its delivery state and language; search, resend or cancel one or many, copy
 *  the link; read the mail sent. */
export function InvitationsScreen() {
  const { t, i18n } = useTranslation();
  const { message, modal } = AntApp.useApp();
  const list = useFilteredList<InvitationRow, number, Filter>(invitationId, "all");
  const { filter, changeFilter, search, changeSearch, selection, offset, limit, pagination } = list;
  const [linkRow, setLinkRow] = useState<InvitationRow | null>(null);
  const [mailOpen, setMailOpen] = useState(false);
  const [mailOf, setMailOf] = useState<InvitationRow | null>(null);
  // One page at a time from the directory; the previous page stays on screen while the next loads.
  const query = useMemo(() => invitationsQuery(FILTER_STATES[filter], search, offset, limit), [filter, search, offset, limit]);
  const rows = useInvitations(query, { keepPrevious: true });
  const counts = useInvitationCounts();
  const status = useGatewayStatus({ refetchInterval: 5_000 });
  const resend = useResendInvitation({
    onSuccess: (_, r) => {
      void message.success(t("invitations.resent", { name: r.memberName }));
    },
    onError: (e) => void message.error(errorText(t, e)),
  });
  const cancel = useCancelInvitation({
    onSuccess: (_, r) => {
      void message.success(t("invitations.cancelled", { name: r.memberName }));
    },
    onError: (e) => void message.error(errorText(t, e)),
  });

  const columns: PlainColumn<InvitationRow>[] = [
    { title: t("invitations.col.member"), key: "member", render: (r) => r.memberName },
    {
      title: t("invitations.col.channel"),
      key: "channel",
      render: (r) => t(`invitations.channel.${r.channel}`),
    },
    { title: t("invitations.col.recipient"), key: "recipient", render: (r) => r.recipient },
    {
      title: t("invitations.col.language"),
      key: "language",
      render: (r) => <span data-testid={`invitation-language-${r.id}`}>{t(r.language === "zh" ? "language.zh-CN" : "language.en")}</span>,
    },
    {
      title: t("invitations.col.state"),
      key: "state",
      render: (r) => {
        const tag = (
          <Tag color={STATE_COLOR[shownState(r)]} data-testid={`invitation-state-${r.id}`}>
            {t(`invitations.state.${shownState(r)}`)}
          </Tag>
        );
        return r.lastError ? <Tooltip title={r.lastError}>{tag}</Tooltip> : tag;
      },
    },
    {
      title: t("invitations.col.sent"),
      key: "sent",
      render: (r) => formatTime(i18n.language, r.createdAt),
    },
    {
      title: t("invitations.col.expires"),
      key: "expires",
      render: (r) => (OPEN.includes(r.state) ? formatDay(i18n.language, r.expiresAt) : "—"),
    },
    {
      title: t("invitations.col.actions"),
      key: "actions",
      render: (r) =>
        r.state === "expired" ? (
          <RowLinkButton onClick={() => resend.mutate(r)} testId={`invitation-resend-${r.id}`}>
            {t("invitations.resend")}
          </RowLinkButton>
        ) : OPEN.includes(r.state) ? (
          // Wraps onto a second line rather than pushing the table wider than the window.
          <Space size={0} wrap>
            {r.kept && (
              <RowLinkButton onClick={() => setMailOf(r)} testId={`invitation-message-${r.id}`}>
                {t("invitations.message")}
              </RowLinkButton>
            )}
            <RowLinkButton disabled={!r.link} onClick={() => setLinkRow(r)} testId={`invitation-link-${r.id}`}>
              {t("invitations.link")}
            </RowLinkButton>
            <RowLinkButton onClick={() => resend.mutate(r)} testId={`invitation-resend-${r.id}`}>
              {t("invitations.resend")}
            </RowLinkButton>
            <RowLinkButton
              danger
              testId={`invitation-cancel-${r.id}`}
              onClick={() =>
                modal.confirm({
                  title: t("invitations.cancelTitle", { name: r.memberName }),
                  content: t("invitations.cancelBody"),
                  okText: t("invitations.cancelOk"),
                  okButtonProps: { danger: true, "data-testid": "invitation-cancel-ok" },
                  cancelText: t("common.back"),
                  onOk: () => cancel.mutateAsync(r),
                })
              }
            >
              {t("invitations.cancel")}
            </RowLinkButton>
          </Space>
        ) : null,
    },
  ];

  const s = status.data;
  return (
    <div className="orgdesk-page" data-testid="screen-invitations">
      <div style={{ display: "flex", alignItems: "center", gap: 12, flexWrap: "wrap", marginBottom: 12 }}>
        <Typography.Title level={4} style={{ margin: 0, flex: "1 1 auto" }}>
          {t("invitations.title")}
        </Typography.Title>
        <span data-testid="gateway-status">
          {s ? (
            <Tooltip title={gatewayProblemText(t, s) ?? s.url ?? ""}>
              <Badge
                status={s.connected ? "success" : "warning"}
                text={s.connected ? t("invitations.gatewayOk", { mode: t(`invitations.mode.${s.mode}`) }) : t("invitations.gatewayDown")}
              />
            </Tooltip>
          ) : null}
        </span>
        <Button icon={<InboxOutlined />} onClick={() => setMailOpen(true)} data-testid="sent-mail-open">
          {t("invitations.mail")}
        </Button>
      </div>
      {s && !s.connected && s.lastError && (
        <Alert type="warning" showIcon style={{ marginBottom: 12 }} title={t("invitations.queuedNote")} description={gatewayProblemText(t, s)} />
      )}
      <Card variant="outlined">
        <Space style={{ marginBottom: 12, width: "100%", justifyContent: "space-between" }} wrap>
          <Segmented<Filter>
            value={filter}
            onChange={changeFilter}
            data-testid="invitations-filter"
            options={(["all", "open", "failed", "registered", "closed"] as Filter[]).map((f) => ({
              value: f,
              label: f === "failed" && counts.data?.failed ? `${t(`invitations.filter.${f}`)} (${counts.data.failed})` : t(`invitations.filter.${f}`),
            }))}
          />
          <ListSearch
            value={search}
            onChange={changeSearch}
            placeholder={t("invitations.search")}
            testId="invitations-search"
          />
          {counts.data && counts.data.awaitingGateway > 0 && (
            <Typography.Text type="secondary" data-testid="invitations-awaiting">
              {t("invitations.awaiting", { count: counts.data.awaitingGateway })}
            </Typography.Text>
          )}
        </Space>
        {selection.rows.length > 0 && <InvitationBatchBar picked={selection.rows} onDone={selection.clear} />}
        <PickableList<InvitationRow, number>
          page={rows}
          pagination={pagination}
          selection={selection}
          rowKey={invitationId}
          columns={columns}
          testId="invitations-table"
          rowLabel={(r) => t("invitations.select", { name: r.memberName })}
          pageLabel={t("invitations.selectPage")}
          emptyIcon={<MailOutlined />}
          emptyText={t("invitations.empty")}
        />
      </Card>
      {linkRow && <LinkModal row={linkRow} onClose={() => setLinkRow(null)} />}
      <SentMailDrawer open={mailOpen} onClose={() => setMailOpen(false)} />
      {mailOf && <InvitationMailDrawer row={mailOf} onClose={() => setMailOf(null)} />}
    </div>
  );
}
