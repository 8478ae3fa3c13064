import { DownOutlined, QuestionCircleOutlined, UserAddOutlined, UserDeleteOutlined } from "@ant-design/icons";
import { App as AntApp, Alert, Button, Card, Dropdown, Segmented, Skeleton, Space, Switch, Tooltip, Typography } from "antd";
import type { InputRef, MenuProps } from "antd";
import { memo, useCallback, useEffect, useMemo, useRef, useState } from "react";
import { useTranslation } from "react-i18next";

import * as api from "../../api";
import type { BatchOutcome } from "../../bindings/BatchOutcome";
import type { FormerMember } from "../../bindings/FormerMember";
import type { MemberDetails } from "../../bindings/MemberDetails";
import type { MemberQuery } from "../../bindings/MemberQuery";
import type { MemberRow } from "../../bindings/MemberRow";
import type { Selection } from "../../bindings/Selection";
import type { StatusFilter } from "../../bindings/StatusFilter";
import { useFrameAfter } from "../../components/frames";
import { isTyping } from "../../components/keyboard";
import { ONE_LINE } from "../../components/text";
import { useStableCallback } from "../../components/useStableCallback";
import { errorText } from "../../errors";
import { DepartmentTree } from "../departments/DepartmentTree";
import { useDepartmentTree } from "../departments/queries";
import { useDepartmentDetails } from "../departments/queries";
import { findDept } from "../departments/tree";
import { InviteDialog, type InviteTarget } from "../invitations/InviteDialog";
import { AddMemberWizard } from "../members/AddMemberWizard";
import { BatchEditModal } from "../members/BatchEditModal";
import { BatchResultModal } from "../members/BatchResultModal";
import { EditMemberModal } from "../members/EditMemberModal";
import { FormerMembersDrawer } from "../members/FormerMembersDrawer";
import { InviteeModal, type InviteePrefill } from "../members/InviteeModal";
import { MemberDrawer } from "../members/MemberDrawer";
import { MemberTable, PAGE_SIZES } from "../members/MemberTable";
import { RemoveDialog, type MemberTarget } from "../members/RemoveDialog";
import { useFetchMemberDetails, useMemberPage, usePrefetchMemberDetails } from "../members/queries";
import { useStatusChange } from "../members/useStatusChange";
import { ExportListButton } from "../spreadsheets/ExportListButton";
import { MemberSearchBox } from "./MemberSearchBox";
import { useInvalidateDirectory } from "./queries";

const STATUSES: StatusFilter[] = ["all", "pending_join", "enabled", "disabled", "resigned"];

type Props = {
  /** Changes whenever the window asks for the search box to take the focus (the `E` shortcut). */
  focusSearchSignal?: number;
};

const DepartmentCard = memo(function DepartmentCard({ id }: { id: number }) {
  const { t } = useTranslation();
  // The previous department's card stays until the next one's details arrive (no skeleton
  // flashing in between, no jump of the list below it).
  const details = useDepartmentDetails(id, { keepPrevious: true });
  const d = details.data;
  if (details.isError) return <Alert type="error" showIcon title={errorText(t, api.toCommandError(details.error))} />;
  if (!d) return <Skeleton active title paragraph={{ rows: 1 }} />;
  return (
    <div className="orgdesk-dept-card">
      <div style={{ minWidth: 0 }}>
        {/* Cut by CSS with the whole name as its tooltip: Ant Design's measured ellipsis forces a
            layout of the page after every change of department. */}
        <Typography.Title level={4} style={{ margin: 0 }} data-testid="dept-title" className={ONE_LINE} title={d.name}>
          {d.name}
        </Typography.Title>
        <Typography.Text type="secondary" data-testid="dept-path">
          {d.isRoot ? t("directory.root") : d.path}
        </Typography.Text>
      </div>
      <Space size={24} wrap className="orgdesk-dept-stats">
        <div>
          <Typography.Text type="secondary">{t("dept.head")}</Typography.Text>
          <div data-testid="dept-head">{d.head ? d.head.name : <Typography.Text type="secondary">{t("dept.noHead")}</Typography.Text>}</div>
        </div>
        <div>
          <Typography.Text type="secondary">{t("dept.members")}</Typography.Text>
          <div data-testid="dept-counts">{t("dept.countsValue", { direct: d.directMembers, total: d.totalMembers })}</div>
        </div>
        <div>
          <Typography.Text type="secondary">{t("dept.subDepartments")}</Typography.Text>
          <div data-testid="dept-sub-count">{d.subDepartments}</div>
        </div>
      </Space>
    </div>
  );
});

const ShortcutHelp = memo(function ShortcutHelp() {
  const { t } = useTranslation();
  const rows: [string, string][] = [
    ["E", t("shortcuts.open")],
    ["/  Ctrl+K", t("shortcuts.search")],
    ["N", t("shortcuts.add")],
    ["Delete", t("shortcuts.remove")],
    ["↑ ↓ ← →", t("shortcuts.tree")],
  ];
  return (
    <Tooltip
      placement="bottomRight"
      title={
        <div data-testid="shortcut-help">
          <div style={{ fontWeight: 600, marginBottom: 4 }}>{t("shortcuts.title")}</div>
          {rows.map(([k, v]) => (
            <div key={k} style={{ display: "flex", gap: 12, justifyContent: "space-between" }}>
              <span>{v}</span>
              <kbd className="orgdesk-kbd">{k}</kbd>
            </div>
          ))}
        </div>
      }
    >
      <Button type="text" icon={<QuestionCircleOutlined />} aria-label={t("shortcuts.title")} data-testid="shortcuts" />
    </Tooltip>
  );
});

type FiltersProps = {
  status: StatusFilter;
  onStatus: (s: StatusFilter) => void;
  includeSub: boolean;
  onIncludeSub: (v: boolean) => void;
  total: number;
};

const MemberFilters = memo(function MemberFilters({ status, onStatus, includeSub, onIncludeSub, total }: FiltersProps) {
  const { t } = useTranslation();
  const options = useMemo(
    () => STATUSES.map((s) => ({ value: s, label: <span data-testid={`status-${s}`}>{t(`members.filter.${s}`)}</span> })),
    [t],
  );
  return (
    <div className="orgdesk-toolbar orgdesk-filters">
      <Segmented<StatusFilter> data-testid="status-filter" value={status} onChange={onStatus} options={options} />
      <label className="orgdesk-switch">
        <Switch size="small" checked={includeSub} onChange={onIncludeSub} data-testid="include-subdepartments" />
        <span>{t("members.includeSub")}</span>
      </label>
      <span style={{ flex: 1 }} />
      <Typography.Text type="secondary" data-testid="member-total">
        {t("members.total", { count: total })}
      </Typography.Text>
    </div>
  );
});

const AddMemberButton = memo(function AddMemberButton({ onPassword, onInvite }: { onPassword: () => void; onInvite: () => void }) {
  const { t } = useTranslation();
  const menu: MenuProps = useMemo(
    () => ({
      items: [
        { key: "password", label: <span data-testid="member-add-password">{t("members.addPassword")}</span> },
        { key: "invite", label: <span data-testid="member-add-invite">{t("members.addInvite")}</span> },
      ],
      onClick: ({ key }) => (key === "password" ? onPassword() : onInvite()),
    }),
    [t, onPassword, onInvite],
  );
  return (
    <Dropdown trigger={["click"]} menu={menu}>
      <Button type="primary" icon={<UserAddOutlined />} data-testid="member-add">
        {t("members.add")} <DownOutlined style={{ fontSize: 10 }} />
      </Button>
    </Dropdown>
  );
});

const NO_ROWS: MemberRow[] = [];

/**
 * Members & Departments: the department tree and the members of the selected department.
 * Typing renders the search box alone; a settled search renders the list and the counts, not
 * the tree, the department card or the toolbars (their props stay the same).
 */
export function DirectoryScreen({ focusSearchSignal = 0 }: Props) {
  const { t } = useTranslation();
  const { message, modal } = AntApp.useApp();
  const fetchDetails = useFetchMemberDetails();
  const invalidate = useInvalidateDirectory();
  const statusChange = useStatusChange();
  const tree = useDepartmentTree();
  const [selectedId, setSelectedId] = useState<number | null>(null);
  const [searchBox, setSearchBox] = useState(0);
  const [search, setSearch] = useState("");
  const [status, setStatus] = useState<StatusFilter>("all");
  const [includeSub, setIncludeSub] = useState(true);
  const [page, setPage] = useState(1);
  const [pageSize, setPageSize] = useState(PAGE_SIZES[0]);
  const [selectedKeys, setSelectedKeys] = useState<number[]>([]);
  const [selectedRows, setSelectedRows] = useState<Map<number, MemberRow>>(new Map());
  const [allMatching, setAllMatching] = useState(false);
  const [drawerId, setDrawerId] = useState<number | null>(null);
  const [editing, setEditing] = useState<MemberDetails | null>(null);
  const [removing, setRemoving] = useState<MemberTarget | null>(null);
  const [wizardOpen, setWizardOpen] = useState(false);
  const [invitee, setInvitee] = useState<InviteePrefill | null>(null);
  const [formerOpen, setFormerOpen] = useState(false);
  const [batchEdit, setBatchEdit] = useState(false);
  const [inviting, setInviting] = useState<InviteTarget[] | null>(null);
  const [batchOutcome, setBatchOutcome] = useState<BatchOutcome | null>(null);
  const searchRef = useRef<InputRef>(null);

  const root = tree.data;
  const selected = useMemo(() => (root ? (selectedId !== null && findDept(root, selectedId)) || root : null), [root, selectedId]);
  const departmentId = selected?.id ?? null;

  const clearSelection = useCallback(() => {
    setSelectedKeys([]);
    setSelectedRows(new Map());
    setAllMatching(false);
  }, []);

  // A new filter starts at the first page with nothing selected.
  const filterKey = `${departmentId}|${includeSub}|${status}|${search}`;
  const [lastFilter, setLastFilter] = useState(filterKey);
  if (lastFilter !== filterKey) {
    setLastFilter(filterKey);
    setPage(1);
    // Kept as they are when already empty: the list's props stay the same until the answer.
    setSelectedKeys((keys) => (keys.length === 0 ? keys : []));
    setSelectedRows((rows) => (rows.size === 0 ? rows : new Map()));
    setAllMatching(false);
  }

  const query: MemberQuery = useMemo(
    () => ({
      departmentId,
      includeSubDepartments: includeSub,
      status,
      search: search === "" ? null : search,
      offset: (page - 1) * pageSize,
      limit: pageSize,
    }),
    [departmentId, includeSub, status, search, page, pageSize],
  );
  // Only the newest query's answer is ever shown: an older one that answers late lands in the
  // cache under its own key, and the previous page stays on screen until the newest arrives.
  const members = useMemberPage(query, { enabled: departmentId !== null, keepPrevious: true });
  const total = members.data?.total ?? 0;
  const pageRows = members.data?.rows ?? NO_ROWS;
  // The tree is drawn a frame after the first rows, so that the first picture after sign-in
  // waits only for the members.
  const treeShown = useFrameAfter(members.data !== undefined || members.isError);

  const focusSearch = useCallback(() => {
    searchRef.current?.focus({ cursor: "all" });
  }, []);

  useEffect(() => {
    if (focusSearchSignal > 0) focusSearch();
  }, [focusSearchSignal, focusSearch]);

  const selection: Selection = allMatching
    ? { kind: "query", query: { ...query, offset: 0 } }
    : { kind: "ids", ids: selectedKeys };
  const selectedCount = allMatching ? total : selectedKeys.length;

  const askRemoveSelection = useCallback(() => {
    const rows = selectedKeys.map((id) => selectedRows.get(id)).filter((r): r is MemberRow => r !== undefined);
    if (rows.length === 0) return;
    if (rows.length === 1) {
      setRemoving({ id: rows[0].id, name: rows[0].name, status: rows[0].status });
      return;
    }
    const direct = rows.filter((r) => r.status === "not_joined");
    const joined = rows.filter((r) => r.status !== "not_joined");
    modal.confirm({
      title: t("members.removeMany.title", { count: rows.length }),
      content: (
        <div data-testid="remove-many">
          {direct.length > 0 && <p>{t("members.removeMany.direct", { count: direct.length })}</p>}
          {joined.length > 0 && (
            <p>
              {t("members.removeMany.joined", { count: joined.length })}{" "}
              <Typography.Text type="secondary">{joined.map((r) => r.name).join(", ")}</Typography.Text>
            </p>
          )}
        </div>
      ),
      okText: t("members.removeMany.ok", { count: direct.length }),
      cancelText: t("common.cancel"),
      okButtonProps: { danger: true, disabled: direct.length === 0, "data-testid": "remove-many-ok" },
      onOk: async () => {
        let removed = 0;
        for (const r of direct) {
          try {
            await api.removeMember(r.id, null);
            removed += 1;
          } catch (e) {
            void message.error(`${r.name}: ${errorText(t, api.toCommandError(e))}`);
          }
        }
        if (removed > 0) void message.success(t("members.removeMany.done", { count: removed }));
        clearSelection();
        invalidate();
      },
    });
  }, [selectedKeys, selectedRows, modal, t, message, clearSelection, invalidate]);

  // Keyboard: "/" or Ctrl+K search, N add, Delete remove the selection; never while typing.
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if ((e.ctrlKey || e.metaKey) && e.key.toLowerCase() === "k") {
        e.preventDefault();
        focusSearch();
        return;
      }
      if (isTyping(e.target) || e.ctrlKey || e.metaKey || e.altKey) return;
      if (document.querySelector(".ant-modal-wrap:not([style*='display: none']) .ant-modal")) return;
      if (e.key === "/") {
        e.preventDefault();
        focusSearch();
      } else if (e.key === "n" || e.key === "N") {
        e.preventDefault();
        setWizardOpen(true);
      } else if (e.key === "Delete") {
        e.preventDefault();
        askRemoveSelection();
      }
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [focusSearch, askRemoveSelection]);

  const selectDepartmentMembers = useCallback((id: number) => {
    setSelectedId(id);
    setIncludeSub(true);
    setStatus("all");
    setSearchBox((n) => n + 1);
    setSearch("");
    setLastFilter(`${id}|true|all|`);
    setPage(1);
    setSelectedKeys([]);
    setSelectedRows(new Map());
    setAllMatching(true);
  }, []);

  const onRowAction = useStableCallback((row: MemberRow, key: string) => {
    if (key === "view") setDrawerId(row.id);
    else if (key === "edit") {
      fetchDetails(row.id)
        .then((details) => {
          if (details.allowedActions.includes("edit")) setEditing(details);
        })
        .catch((e: unknown) => void message.error(errorText(t, api.toCommandError(e))));
    } else if (key === "remove") setRemoving({ id: row.id, name: row.name, status: row.status });
    else statusChange(row, key as api.StatusAction);
  });

  const onSelectionChange = useCallback((keys: number[], rows: MemberRow[]) => {
    setAllMatching(false);
    setSelectedKeys(keys);
    setSelectedRows((old) => {
      const next = new Map<number, MemberRow>();
      for (const id of keys) {
        const row = rows.find((r) => r?.id === id) ?? old.get(id);
        if (row) next.set(id, row);
      }
      return next;
    });
  }, []);

  const onPageChange = useStableCallback((p: number, size: number) => {
    if (size !== pageSize) {
      setPageSize(size);
      setPage(1);
    } else {
      setPage(p);
    }
  });

  const tableKeys = useMemo(() => (allMatching ? pageRows.map((r) => r.id) : selectedKeys), [allMatching, pageRows, selectedKeys]);
  const closeDrawer = useCallback(() => setDrawerId(null), []);
  // A row under the pointer is likely the next one opened: its details are read ahead, so the
  // drawer shows them in its first frame instead of a skeleton (kept 30 s, like every query).
  const prefetchDetails = usePrefetchMemberDetails();
  const openWizard = useCallback(() => setWizardOpen(true), []);
  const openInvitee = useCallback(() => setInvitee({}), []);
  const inviteFormer = useCallback((m: FormerMember) => setInvitee({ name: m.name, email: m.email, mobile: m.mobile }), []);
  const closeFormer = useCallback(() => setFormerOpen(false), []);
  const closeBatchOutcome = useCallback(() => setBatchOutcome(null), []);

  if (tree.isError) {
    return (
      <div className="orgdesk-page">
        <Alert type="error" showIcon title={errorText(t, api.toCommandError(tree.error))} />
      </div>
    );
  }

  return (
    <div className="orgdesk-page orgdesk-directory">
      <div className="orgdesk-panes">
        <Card className="orgdesk-tree-pane" size="small" title={t("directory.departments")} styles={TREE_CARD_STYLES}>
          {root && selected && treeShown ? (
            <DepartmentTree root={root} selectedId={selected.id} onSelect={setSelectedId} onSelectMembers={selectDepartmentMembers} />
          ) : (
            <Skeleton active paragraph={{ rows: 6 }} title={false} />
          )}
        </Card>
        <div className="orgdesk-detail-pane">
          <Card size="small" className="orgdesk-dept-card-wrap">
            {selected ? <DepartmentCard id={selected.id} /> : <Skeleton active />}
          </Card>
          <Card size="small" className="orgdesk-members-card" styles={MEMBERS_CARD_STYLES}>
            <div className="orgdesk-toolbar">
              <MemberSearchBox key={searchBox} onSearch={setSearch} inputRef={searchRef} />
              <span style={{ flex: 1 }} />
              <Button type="text" icon={<UserDeleteOutlined />} onClick={() => setFormerOpen(true)} data-testid="former-members">
                {t("former.open")}
              </Button>
              <ExportListButton query={query} total={total} />
              <AddMemberButton onPassword={openWizard} onInvite={openInvitee} />
              <ShortcutHelp />
            </div>
            <MemberFilters status={status} onStatus={setStatus} includeSub={includeSub} onIncludeSub={setIncludeSub} total={total} />
            {selectedCount > 0 && (
              <div className="orgdesk-batch-bar" data-testid="batch-bar">
                <Typography.Text strong data-testid="batch-count">
                  {t("batch.selected", { count: selectedCount })}
                </Typography.Text>
                {!allMatching && total > selectedKeys.length && (
                  <Button type="link" size="small" data-testid="batch-select-all" onClick={() => setAllMatching(true)}>
                    {t("batch.selectAll", { count: total })}
                  </Button>
                )}
                <Button type="link" size="small" onClick={clearSelection} data-testid="batch-clear">
                  {t("batch.clear")}
                </Button>
                <span style={{ flex: 1 }} />
                <Button
                  size="small"
                  data-testid="batch-invite"
                  disabled={allMatching}
                  onClick={() =>
                    setInviting(
                      selectedKeys
                        .map((id) => selectedRows.get(id))
                        .filter((r): r is MemberRow => r !== undefined)
                        .map((r) => ({ id: r.id, name: r.name, email: r.email, mobile: r.mobile })),
                    )
                  }
                >
                  {t("invite.batch")}
                </Button>
                <Button size="small" data-testid="batch-edit" onClick={() => setBatchEdit(true)}>
                  {t("batch.edit")}
                </Button>
                {(["disable", "enable", "resign"] as const).map((a) => (
                  <Button
                    key={a}
                    size="small"
                    danger={a !== "enable"}
                    data-testid={`batch-${a}`}
                    onClick={() =>
                      modal.confirm({
                        title: t(`batch.confirm.${a}`, { count: selectedCount }),
                        content: t("batch.confirmText"),
                        okText: t(`members.action.${a}`),
                        cancelText: t("common.cancel"),
                        okButtonProps: { danger: a !== "enable", "data-testid": "confirm-ok" },
                        onOk: async () => {
                          try {
                            const outcome = await api.batchUpdate(selection, { kind: a });
                            setBatchOutcome(outcome);
                            clearSelection();
                          } catch (e) {
                            void message.error(errorText(t, api.toCommandError(e)));
                          } finally {
                            invalidate();
                          }
                        },
                      })
                    }
                  >
                    {t(`members.action.${a}`)}
                  </Button>
                ))}
              </div>
            )}
            {members.isError && (
              <Alert type="error" showIcon title={errorText(t, api.toCommandError(members.error))} style={{ margin: 12 }} />
            )}
            <MemberTable
              rows={pageRows}
              loading={members.isFetching && !members.data}
              total={total}
              page={page}
              pageSize={pageSize}
              searching={search !== "" && pageRows.length === 0}
              selectedKeys={tableKeys}
              onSelectionChange={onSelectionChange}
              onOpen={setDrawerId}
              onHover={prefetchDetails}
              onRowAction={onRowAction}
              onPageChange={onPageChange}
            />
          </Card>
        </div>
      </div>
      <MemberDrawer memberId={drawerId} onClose={closeDrawer} onEdit={setEditing} onRemove={setRemoving} />
      {editing && <EditMemberModal member={editing} onClose={() => setEditing(null)} />}
      {removing && (
        <RemoveDialog
          member={removing}
          onClose={() => setRemoving(null)}
          onRemoved={() => {
            if (drawerId === removing.id) setDrawerId(null);
            clearSelection();
          }}
        />
      )}
      {wizardOpen && departmentId !== null && (
        <AddMemberWizard departmentId={departmentId} onClose={() => setWizardOpen(false)} onAdded={() => undefined} />
      )}
      {invitee && departmentId !== null && (
        <InviteeModal departmentId={departmentId} prefill={invitee} onClose={() => setInvitee(null)} onAdded={() => undefined} />
      )}
      <FormerMembersDrawer open={formerOpen} onClose={closeFormer} onInvite={inviteFormer} />
      {batchEdit && (
        <BatchEditModal
          selection={selection}
          count={selectedCount}
          onClose={() => setBatchEdit(false)}
          onDone={(o) => {
            setBatchOutcome(o);
            clearSelection();
          }}
        />
      )}
      <BatchResultModal outcome={batchOutcome} onClose={closeBatchOutcome} />
      {inviting && <InviteDialog targets={inviting} onClose={() => setInviting(null)} />}
    </div>
  );
}

const TREE_CARD_STYLES = { body: { padding: 8 } };
const MEMBERS_CARD_STYLES = { body: { padding: 0 } };
