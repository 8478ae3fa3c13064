import { TeamOutlined } from "@ant-design/icons";
import { Dropdown, Table, Typography } from "antd";
import type { MenuProps, TableColumnsType, TablePaginationConfig } from "antd";
import type { TFunction } from "i18next";
import type { TableRowSelection } from "antd/es/table/interface";
import { memo, useMemo, useState } from "react";
import { useTranslation } from "react-i18next";

import type { MemberRow } from "../bindings/MemberRow";
import { FIRST_PAGE_SIZE } from "../queries";
import { StatusDot, actionsForStatus, dash } from "./shared";

export const PAGE_SIZES = [FIRST_PAGE_SIZE, 100, 200];

type Props = {
  rows: MemberRow[];
  /** True before the first page arrived. */
  loading: boolean;
  total: number;
  page: number;
  pageSize: number;
  /** A search is applied: the empty list says "no match" rather than "no members". */
  searching: boolean;
  selectedKeys: readonly number[];
  onSelectionChange: (keys: number[], rows: MemberRow[]) => void;
  onOpen: (id: number) => void;
  /** The pointer rests on a row: its details may be fetched ahead of the click. */
  onHover?: (id: number) => void;
  onRowAction: (row: MemberRow, key: string) => void;
  onPageChange: (page: number, pageSize: number) => void;
};

/**
 * One page of members. Its props are stable between keystrokes (the screen passes memoized
 * callbacks), so it renders only when the page, the selection or the language change; the
 * row actions' menu is built when it opens, not for every row.
 */
export const MemberTable = memo(function MemberTable({
  rows,
  loading,
  total,
  page,
  pageSize,
  searching,
  selectedKeys,
  onSelectionChange,
  onOpen,
  onHover,
  onRowAction,
  onPageChange,
}: Props) {
  const { t } = useTranslation();

  const columns: TableColumnsType<MemberRow> = useMemo(
    () => [
      {
        key: "name",
        title: t("members.field.name"),
        width: 150,
        ellipsis: true,
        render: (_v, r) => (
          <a className="orgdesk-row-link" data-testid={`member-name-${r.id}`} onClick={() => onOpen(r.id)}>
            {r.name}
          </a>
        ),
      },
      { key: "username", title: t("members.field.username"), ellipsis: true, render: (_v, r) => dash(r.username) },
      { key: "dept", title: t("members.field.primaryDepartment"), width: 130, ellipsis: true, render: (_v, r) => dash(r.primaryDepartment) },
      { key: "position", title: t("members.field.position"), ellipsis: true, render: (_v, r) => dash(r.position) },
      {
        key: "roles",
        title: t("members.field.roles"),
        ellipsis: true,
        render: (_v, r) =>
          r.roles.length === 0
            ? "—"
            : r.roles.map((role) => (
                <span key={role} className="orgdesk-role-tag">
                  {role}
                </span>
              )),
      },
      {
        key: "status",
        title: t("members.field.status"),
        width: 104,
        render: (_v, r) => <StatusDot status={r.status} label={t(`members.status.${r.status}`)} testId={`member-status-${r.id}`} />,
      },
      { key: "employeeId", title: t("members.field.employeeId"), width: 116, ellipsis: true, render: (_v, r) => dash(r.employeeId) },
      {
        key: "actions",
        title: "",
        width: 48,
        // Kept in view when the table scrolls sideways by CSS (position: sticky), not by
        // antd's fixed columns, whose scroll bookkeeping forces a layout on every update.
        className: "orgdesk-col-actions",
        render: (_v, r) => <RowActions row={r} onAction={onRowAction} t={t} />,
      },
    ],
    [t, onOpen, onRowAction],
  );

  const rowSelection: TableRowSelection<MemberRow> = useMemo(
    () => ({
      selectedRowKeys: selectedKeys as number[],
      preserveSelectedRowKeys: true,
      onChange: (keys, picked) => onSelectionChange(keys.map(Number), picked),
    }),
    [selectedKeys, onSelectionChange],
  );

  const pagination: TablePaginationConfig = useMemo(
    () => ({
      current: page,
      pageSize,
      total,
      showSizeChanger: true,
      pageSizeOptions: PAGE_SIZES,
      showTotal: (n) => t("members.total", { count: n }),
      onChange: onPageChange,
      style: { paddingInline: 12 },
    }),
    [page, pageSize, total, t, onPageChange],
  );

  const locale = useMemo(
    () => ({
      emptyText: (
        <div style={{ padding: "32px 0" }}>
          <TeamOutlined style={{ fontSize: 40, opacity: 0.3 }} />
          <div>
            <Typography.Text type="secondary">{searching ? t("members.noMatch") : t("directory.empty")}</Typography.Text>
          </div>
        </div>
      ),
    }),
    [searching, t],
  );

  const onRow = useMemo(
    () => (r: MemberRow) =>
      ({
        "data-testid": `member-row-${r.id}`,
        onClick: (e: React.MouseEvent) => {
          const target = e.target as HTMLElement;
          if (target.closest(".ant-table-selection-column, [data-row-action], .ant-dropdown")) return;
          onOpen(r.id);
        },
        onMouseEnter: onHover ? () => onHover(r.id) : undefined,
        style: { cursor: "pointer" },
      }) as React.HTMLAttributes<HTMLElement>,
    [onOpen, onHover],
  );

  return (
    <Table<MemberRow>
      data-testid="member-table"
      size="small"
      rowKey="id"
      className="orgdesk-member-table"
      tableLayout="fixed"
      columns={columns}
      dataSource={rows}
      loading={loading}
      locale={locale}
      rowSelection={rowSelection}
      onRow={onRow}
      pagination={pagination}
    />
  );
});

/**
 * The "…" button of a row: a plain button (a page carries 50 of them) that looks like antd's
 * small text button; the dropdown and its menu are made on the first click.
 */
const RowActions = memo(function RowActions({
  row,
  onAction,
  t,
}: {
  row: MemberRow;
  onAction: (row: MemberRow, key: string) => void;
  t: TFunction;
}) {
  const [open, setOpen] = useState(false);
  const [armed, setArmed] = useState(false);
  const menu: MenuProps = useMemo(
    () => ({
      items: armed
        ? [
            { key: "view", label: <span data-testid="row-action-view">{t("members.action.view")}</span> },
            ...actionsForStatus(row.status).map((a) => ({
              key: a,
              danger: a === "remove",
              label: <span data-testid={`row-action-${a}`}>{t(`members.action.${a}`)}</span>,
            })),
          ]
        : [],
      onClick: ({ key }) => {
        setOpen(false);
        onAction(row, key);
      },
    }),
    [armed, row, onAction, t],
  );
  const button = (
    <button
      type="button"
      className="orgdesk-row-more"
      aria-label={t("members.actions")}
      data-testid={`member-actions-${row.id}`}
      onClick={
        armed
          ? undefined
          : () => {
              setArmed(true);
              setOpen(true);
            }
      }
    >
      <span>
        <span>
          <svg viewBox="64 64 896 896" width="1em" height="1em" fill="currentColor" aria-hidden focusable="false">
            <path d="M456 231a56 56 0 10112 0 56 56 0 10-112 0zm0 280a56 56 0 10112 0 56 56 0 10-112 0zm0 280a56 56 0 10112 0 56 56 0 10-112 0z" />
          </svg>
        </span>
      </span>
    </button>
  );
  return (
    <span onClick={(e) => e.stopPropagation()} data-row-action>
      {armed ? (
        <Dropdown trigger={["click"]} menu={menu} open={open} onOpenChange={setOpen}>
          {button}
        </Dropdown>
      ) : (
        button
      )}
    </span>
  );
});
