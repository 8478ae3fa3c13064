import { CheckOutlined, CloseOutlined, CopyOutlined, LinkOutlined, ReloadOutlined, UserAddOutlined } from "@ant-design/icons";
import {
  App as AntApp,
  Alert,
  Button,
  Card,
  Checkbox,
  Descriptions,
  Empty,
  Segmented,
  Space,
  Switch,
  Tag,
  Tooltip,
  Typography,
} from "antd";
import { useMemo, useState } from "react";
import { useTranslation } from "react-i18next";

import * as api from "../../api";
import type { CommandError } from "../../bindings/CommandError";
import type { JoinLinkInput } from "../../bindings/JoinLinkInput";
import type { JoinRequestRow } from "../../bindings/JoinRequestRow";
import { PlainTable } from "../../components/PlainTable";
import type { PlainColumn } from "../../components/PlainTable";
import { useListPage } from "../../components/paging";
import { ONE_LINE } from "../../components/text";
import { errorText } from "../../errors";
import { useDecideJoinRequest, useDisableJoinLink, useJoinLink, useJoinRequests, useRotateJoinLink, useSetJoinLink } from "./queries";

const FIELDS = ["email", "mobile", "employee_id", "work_location"] as const;
const NO_REQUESTS: JoinRequestRow[] = [];
const requestId = (r: JoinRequestRow) => r.id;

function copy(text: string, done: () => void, byHand: () => void) {
  navigator.clipboard.writeText(text).then(done).catch(byHand);
}

/** The QR code is an SVG document the backend made from the link alone (no user text in it). */
function QrCode({ svg }: { svg: string }) {
  const src = useMemo(() => `data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg)}`, [svg]);
  return <img src={src} alt="" width={168} height={168} data-testid="join-link-qr" style={{ display: "block" }} />;
}

/** The public join link and organization code: switch on with rules, rotate, switch off. */
function JoinLinkCard() {
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
          <Typography.Paragraph type="secondary" style={{ margin: 0 }}>
            {t("joinRequests.link.off")}
          </Typography.Paragraph>
          {rulesForm}
          <Button type="primary" loading={set.isPending} onClick={() => set.mutate(rules)} data-testid="join-link-enable">
            {t("joinRequests.link.enable")}
          </Button>
        </Space>
      ) : (
        <div style={{ display: "flex", gap: 24, flexWrap: "wrap", alignItems: "flex-start" }}>
          {v.qrSvg && <QrCode svg={v.qrSvg} />}
          <Space orientation="vertical" size={12} style={{ flex: "1 1 360px", minWidth: 0 }}>
            <Descriptions
              size="small"
              column={1}
              styles={{ label: { width: 150 } }}
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
                            copy(
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
      )}
    </Card>
  );
}

/** People who asked to join through the link or the code, with Approve / Reject. */
export function JoinRequestsScreen() {
  const { t, i18n } = useTranslation();
  const { message } = AntApp.useApp();
  const [pendingOnly, setPendingOnly] = useState(true);
  // One page at a time from the directory; the previous page stays on screen while the next loads.
  const { page, setPage, offset, limit, pagination } = useListPage();
  const rows = useJoinRequests(pendingOnly, page, offset, limit);
  const decide = useDecideJoinRequest({
    onSuccess: (_, { row, approve }) => {
      void message.success(t(approve ? "joinRequests.approved" : "joinRequests.rejected", { name: row.name }));
    },
    // The reason says which field clashes with whom: more useful than the generic sentence.
    onError: (e) => void message.error(e.details.map((d) => d.reason).join(" ") || errorText(t, e)),
  });
  const when = (ms: number | null) => (ms === null ? "—" : new Date(ms).toLocaleString(i18n.language, { dateStyle: "medium", timeStyle: "short" }));
  const columns: PlainColumn<JoinRequestRow>[] = [
    {
      title: t("joinRequests.col.name"),
      key: "name",
      render: (r) => (
        <Space orientation="vertical" size={0}>
          <Typography.Text strong>{r.name}</Typography.Text>
          <Typography.Text type="secondary">{r.username}</Typography.Text>
        </Space>
      ),
    },
    {
      title: t("joinRequests.col.contact"),
      key: "contact",
      render: (r) => (
        <Space orientation="vertical" size={0}>
          {[r.email, r.mobile, r.employeeId, r.workLocation].filter(Boolean).map((x) => (
            <Typography.Text key={x}>{x}</Typography.Text>
          ))}
        </Space>
      ),
    },
    { title: t("joinRequests.col.via"), key: "via", render: (r) => t(`joinRequests.via.${r.via === "code" ? "code" : "link"}`) },
    { title: t("joinRequests.col.requested"), key: "requested", render: (r) => when(r.requestedAt) },
    {
      title: t("joinRequests.col.state"),
      key: "state",
      render: (r) => (
        <Space orientation="vertical" size={0}>
          <Tag color={r.state === "approved" ? "success" : r.state === "rejected" ? "default" : "processing"} data-testid={`join-request-state-${r.id}`}>
            {t(`joinRequests.state.${r.state}`)}
          </Tag>
          {r.decidedBy && <Typography.Text type="secondary">{r.decidedBy}</Typography.Text>}
          {r.problem && (
            <Typography.Text type="warning" data-testid={`join-request-problem-${r.id}`}>
              {r.problem}
            </Typography.Text>
          )}
        </Space>
      ),
    },
    {
      title: t("joinRequests.col.actions"),
      key: "actions",
      render: (r) =>
        r.state === "pending" ? (
          <Space>
            <Button
              type="primary"
              size="small"
              icon={<CheckOutlined />}
              data-testid={`join-request-approve-${r.id}`}
              onClick={() => decide.mutate({ row: r, approve: true })}
            >
              {t("joinRequests.approve")}
            </Button>
            <Button size="small" icon={<CloseOutlined />} data-testid={`join-request-reject-${r.id}`} onClick={() => decide.mutate({ row: r, approve: false })}>
              {t("joinRequests.reject")}
            </Button>
          </Space>
        ) : null,
    },
  ];
  return (
    <div className="orgdesk-page" data-testid="screen-joinRequests">
      <Typography.Title level={4} style={{ marginTop: 0 }}>
        {t("joinRequests.title")}
      </Typography.Title>
      <JoinLinkCard />
      <Card variant="outlined">
        <Segmented<boolean>
          value={pendingOnly}
          onChange={(v) => {
            setPendingOnly(v);
            setPage(1);
          }}
          style={{ marginBottom: 12 }}
          data-testid="join-requests-filter"
          options={[
            { value: true, label: t("joinRequests.filter.pending") },
            { value: false, label: t("joinRequests.filter.all") },
          ]}
        />
        {rows.isError ? (
          <Alert type="error" showIcon title={errorText(t, api.toCommandError(rows.error))} />
        ) : (
          <PlainTable<JoinRequestRow, number>
            rowKey={requestId}
            size="medium"
            testId="join-requests-table"
            loading={rows.isLoading}
            columns={columns}
            rows={rows.data?.rows ?? NO_REQUESTS}
            pagination={pagination(rows.data?.total, !rows.isPlaceholderData)}
            empty={
              <Empty
                image={
                  <span style={{ fontSize: 48, opacity: 0.35 }}>
                    <UserAddOutlined />
                  </span>
                }
                description={<Typography.Text type="secondary">{t("joinRequests.empty")}</Typography.Text>}
              />
            }
          />
        )}
      </Card>
    </div>
  );
}
