import { CheckOutlined, CloseOutlined, UserAddOutlined } from "@ant-design/icons";
import { App as AntApp, Button, Card, Segmented, Space, Tag } from "antd";
import { useState } from "react";
import { useTranslation } from "react-i18next";

import type { CommandError } from "../../bindings/CommandError";
import type { JoinRequestFilter } from "../../bindings/JoinRequestFilter";
import type { JoinRequestRow } from "../../bindings/JoinRequestRow";
import type { PlainColumn } from "../../components/PlainTable";
import { PickableList, SelectionBar } from "../../components/PickableList";
import { PlainText } from "../../components/PlainText";
import { ListSearch } from "../../components/ListSearch";
import { TitledPage } from "../../components/TitledPage";
import { useFilteredList } from "../../components/paging";
import { formatTime } from "../../components/text";
import { errorText } from "../../errors";
import { ApproveDialog } from "./ApproveDialog";
import { JoinLinkCard } from "./JoinLinkCard";
import { useDecideJoinRequests, useJoinRequests } from "./queries";

const requestId = (r: JoinRequestRow) => r.id;
const FILTERS: { value: JoinRequestFilter; label: string }[] = [
  { value: "waiting", label: "joinRequests.filter.pending" },
  { value: "rejected", label: "joinRequests.filter.rejected" },
  { value: "all", label: "joinRequests.filter.all" },
];

/** The reasons a refusal gives, one a request: they name the person and the field. */
const reasons = (t: Parameters<typeof errorText>[0], e: CommandError) => (e.details.length > 0 ? e.details.map((d) => d.reason) : [errorText(t, e)]);

/** People who asked to join through the link or the code: Waiting / Rejected / All, search,
 *  and Approve (into a chosen department and role), Reject or Re-approve, one or many at once. */
export function JoinRequestsScreen() {
  const { t, i18n } = useTranslation();
  const { message, modal } = AntApp.useApp();
  const list = useFilteredList<JoinRequestRow, number, JoinRequestFilter>(requestId, "waiting");
  const { filter, changeFilter, search, changeSearch, selection, page, offset, limit, pagination } = list;
  // The requests the approve dialog is open for, and why the last try was refused.
  const [approving, setApproving] = useState<JoinRequestRow[] | null>(null);
  const [problem, setProblem] = useState<string[] | null>(null);
  // One page at a time from the directory; the previous page stays on screen while the next loads.
  const rows = useJoinRequests(filter, search.trim(), page, offset, limit);
  const finishDeciding = () => {
    setApproving(null);
    setProblem(null);
    selection.clear();
  };
  const decide = useDecideJoinRequests({
    onSuccess: (_, { rows: decided, approve }) => {
      const one = decided.length === 1;
      const key = approve ? (one ? "joinRequests.approved" : "joinRequests.approvedMany") : one ? "joinRequests.rejected" : "joinRequests.rejectedMany";
      void message.success(t(key, { name: decided[0]?.name ?? "", count: decided.length }));
      finishDeciding();
    },
    // On a computer in a team, kept here until the gateway answers: the decision is saved
    // (the notice says so), and deciding again would send it twice.
    onKept: finishDeciding,
    // Nothing was written: each refused request is named with its reason.
    onError: (e, { approve }) => {
      if (approve) setProblem(reasons(t, e));
      else void message.error(reasons(t, e).join(" "));
    },
  });
  const openApprove = (list: JoinRequestRow[]) => {
    setProblem(null);
    setApproving(list);
  };
  const reject = (list: JoinRequestRow[]) => decide.mutate({ rows: list, approve: false });
  const picked = selection.rows;
  const columns: PlainColumn<JoinRequestRow>[] = [
    {
      title: t("joinRequests.col.name"),
      key: "name",
      render: (r) => (
        <Space orientation="vertical" size={0}>
          <PlainText strong>{r.name}</PlainText>
          <PlainText secondary>{r.username}</PlainText>
        </Space>
      ),
    },
    {
      title: t("joinRequests.col.contact"),
      key: "contact",
      render: (r) => (
        <Space orientation="vertical" size={0}>
          {[r.email, r.mobile, r.employeeId, r.workLocation].filter(Boolean).map((x) => (
            <PlainText key={x}>{x}</PlainText>
          ))}
        </Space>
      ),
    },
    { title: t("joinRequests.col.via"), key: "via", render: (r) => t(`joinRequests.via.${r.via === "code" ? "code" : "link"}`) },
    { title: t("joinRequests.col.requested"), key: "requested", render: (r) => formatTime(i18n.language, r.requestedAt) },
    {
      title: t("joinRequests.col.state"),
      key: "state",
      render: (r) => (
        <Space orientation="vertical" size={0}>
          <Tag color={r.state === "approved" ? "success" : r.state === "rejected" ? "default" : "processing"} data-testid={`join-request-state-${r.id}`}>
            {t(`joinRequests.state.${r.state}`)}
          </Tag>
          {r.decidedBy && <PlainText secondary>{r.decidedBy}</PlainText>}
          {r.problem && (
            <PlainText warning testId={`join-request-problem-${r.id}`}>
              {r.problem}
            </PlainText>
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
            <Button type="primary" size="small" icon={<CheckOutlined />} data-testid={`join-request-approve-${r.id}`} onClick={() => openApprove([r])}>
              {t("joinRequests.approve")}
            </Button>
            <Button size="small" icon={<CloseOutlined />} data-testid={`join-request-reject-${r.id}`} onClick={() => reject([r])}>
              {t("joinRequests.reject")}
            </Button>
          </Space>
        ) : r.state === "rejected" ? (
          <Button size="small" icon={<CheckOutlined />} data-testid={`join-request-reapprove-${r.id}`} onClick={() => openApprove([r])}>
            {t("joinRequests.reapprove")}
          </Button>
        ) : null,
    },
  ];
  return (
    <TitledPage title={t("joinRequests.title")} testId="screen-joinRequests">
      <JoinLinkCard />
      <Card variant="outlined">
        <Space wrap style={{ marginBottom: 12 }}>
          <Segmented<JoinRequestFilter>
            value={filter}
            onChange={changeFilter}
            data-testid="join-requests-filter"
            options={FILTERS.map((f) => ({ value: f.value, label: t(f.label) }))}
          />
          <ListSearch
            value={search}
            onChange={changeSearch}
            placeholder={t("joinRequests.search")}
            testId="join-requests-search"
          />
        </Space>
        {picked.length > 0 && (
          <SelectionBar
            testIdPrefix="join-requests"
            countText={t("joinRequests.selected", { count: picked.length })}
            clearText={t("joinRequests.clearSelection")}
            onClear={selection.clear}
          >
            <Button
              type="primary"
              size="small"
              icon={<CheckOutlined />}
              disabled={picked.some((r) => r.state === "approved")}
              onClick={() => openApprove(picked)}
              data-testid="join-requests-approve-selected"
            >
              {t("joinRequests.approveSelected")}
            </Button>
            <Button
              size="small"
              icon={<CloseOutlined />}
              disabled={picked.some((r) => r.state !== "pending")}
              data-testid="join-requests-reject-selected"
              onClick={() =>
                modal.confirm({
                  title: t("joinRequests.rejectTitle", { count: picked.length }),
                  content: t("joinRequests.rejectBody"),
                  okText: t("joinRequests.rejectSelected"),
                  okButtonProps: { danger: true, "data-testid": "join-requests-reject-ok" },
                  onOk: () => decide.mutateAsync({ rows: picked, approve: false }).catch(() => undefined),
                })
              }
            >
              {t("joinRequests.rejectSelected")}
            </Button>
          </SelectionBar>
        )}
        <PickableList<JoinRequestRow, number>
          page={rows}
          pagination={pagination}
          selection={selection}
          rowKey={requestId}
          columns={columns}
          testId="join-requests-table"
          rowLabel={(r) => t("joinRequests.select", { name: r.name })}
          pageLabel={t("joinRequests.selectPage")}
          emptyIcon={<UserAddOutlined />}
          emptyText={t("joinRequests.empty")}
        />
      </Card>
      {approving && (
        <ApproveDialog
          rows={approving}
          pending={decide.isPending}
          problem={problem}
          onApprove={(placement) => decide.mutate({ rows: approving, approve: true, placement })}
          onClose={() => setApproving(null)}
        />
      )}
    </TitledPage>
  );
}
