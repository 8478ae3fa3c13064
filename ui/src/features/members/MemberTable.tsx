import { TeamOutlined } from "@ant-design/icons";
import { Dropdown, Typography } from "antd";
import type { MenuProps, PaginationProps } from "antd";
import type { TFunction } from "i18next";
import { memo, useCallback, useLayoutEffect, useMemo, useState } from "react";
import { useTranslation } from "react-i18next";

import type { MemberRow } from "../../bindings/MemberRow";
import { mark } from "../../components/marks";
import { PlainTable } from "../../components/PlainTable";
import type { PlainColumn, PlainSelection, RowProps } from "../../components/PlainTable";
import { dash } from "../../components/text";
import { FIRST_PAGE_SIZE } from "../directory/queries";
import { StatusDot, accountActionsFor, actionsForStatus, superAdminLocked, useIsSuperAdmin } from "./status";

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
 * One page of members, as a {@link PlainTable}: 50 rows of plain elements, refilled in place by
 * a new answer; the row's menu starts over when another member takes the row.
 *
 * Its props are stable between keystrokes (the screen passes memoized callbacks), so it renders
 * only when the page, the selection or the language change.
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
  mark("member rows render");
  useLayoutEffect(() => mark("member rows committed"));
  const { t } = useTranslation();

  const viewerIsSuperAdmin = useIsSuperAdmin();
  const columns: PlainColumn<MemberRow>[] = useMemo(() => {
    const text = (key: string, title: string, value: (r: MemberRow) => string | null, width?: number): PlainColumn<MemberRow> => ({
      key,
      title: t(title),
      width,
      ellipsis: true,
      render: (r) => dash(value(r)),
      cellTitle: (r) => dash(value(r)),
    });
    return [
      {
        key: "name",
        title: t("members.field.name"),
        width: 150,
        ellipsis: true,
        render: (r) => (
          <a className="orgdesk-row-link" data-testid={`member-name-${r.id}`}>
            {r.name}
          </a>
        ),
        cellTitle: (r) => r.name,
      },
      text("username", "members.field.username", (r) => r.username),
      text("dept", "members.field.primaryDepartment", (r) => r.primaryDepartment, 130),
      text("position", "members.field.position", (r) => r.position),
      {
        key: "roles",
        title: t("members.field.roles"),
        ellipsis: true,
        render: (r) =>
          r.roles.length === 0
            ? "—"
            : r.roles.map((role) => (
                <span key={role} className="orgdesk-role-tag">
                  {role}
                </span>
              )),
        cellTitle: (r) => (r.roles.length === 0 ? "—" : undefined),
      },
      {
        key: "status",
        title: t("members.field.status"),
        width: 96,
        render: (r) => <StatusDot status={r.status} label={t(`members.status.${r.status}`)} testId={`member-status-${r.id}`} />,
      },
      text("employeeId", "members.field.employeeId", (r) => r.employeeId, 100),
      {
        key: "actions",
        title: "",
        width: 48,
        render: (r) => <RowActions row={r} locked={superAdminLocked(r.roles, viewerIsSuperAdmin)} onAction={onRowAction} t={t} />,
      },
    ];
  }, [t, onRowAction, viewerIsSuperAdmin]);

  const selection: PlainSelection<MemberRow, number> = useMemo(
    () => ({
      keys: selectedKeys,
      onChange: onSelectionChange,
      rowLabel: (r) => t("members.selectRow", { name: r.name }),
      pageLabel: t("members.selectPage"),
    }),
    [selectedKeys, onSelectionChange, t],
  );

  const rowProps = useCallback(
    (r: MemberRow): RowProps => ({
      testId: `member-row-${r.id}`,
      onClick: (e) => {
        const target = e.target as HTMLElement;
        if (target.closest(".ant-table-selection-column, [data-row-action], .ant-dropdown")) return;
        onOpen(r.id);
      },
      onMouseEnter: onHover ? () => onHover(r.id) : undefined,
      style: ROW_STYLE,
    }),
    [onOpen, onHover],
  );

  const pagination: PaginationProps = useMemo(
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

  return (
    <PlainTable<MemberRow, number>
      testId="member-table"
      className="orgdesk-member-table"
      size="small"
      fixedLayout
      rows={rows}
      rowKey={memberId}
      columns={columns}
      loading={loading}
      selection={selection}
      rowProps={rowProps}
      pagination={pagination}
      empty={
        <div style={{ padding: "32px 0" }}>
          <TeamOutlined style={{ fontSize: 40, opacity: 0.3 }} />
          <div>
            <Typography.Text type="secondary">{searching ? t("members.noMatch") : t("directory.empty")}</Typography.Text>
          </div>
        </div>
      }
    />
  );
});

const ROW_STYLE = { cursor: "pointer" };
const memberId = (r: MemberRow) => r.id;

/**
 * The "…" button of a row: a plain button (a page carries 50 of them) that looks like antd's
 * small text button; the dropdown and its menu are made on the first click.
 */
const RowActions = memo(function RowActions({
  row,
  locked,
  onAction,
  t,
}: {
  row: MemberRow;
  /** A Super Admin, and the signed-in admin is not one: only viewing and editing are offered. */
  locked: boolean;
  onAction: (row: MemberRow, key: string) => void;
  t: TFunction;
}) {
  // Kept per member: a row that comes to show another member shows an unarmed button again.
  const [openFor, setOpenFor] = useState<number | null>(null);
  const [armedFor, setArmedFor] = useState<number | null>(null);
  const armed = armedFor === row.id;
  const open = openFor === row.id;
  const menu: MenuProps = useMemo(
    () => ({
      items: armed
        ? [
            { key: "view", label: <span data-testid="row-action-view">{t("members.action.view")}</span> },
            ...(locked ? [] : accountActionsFor(row)).map((a) => ({
              key: a,
              label: <span data-testid={`row-action-${a}`}>{t(`members.action.${a}`)}</span>,
            })),
            ...actionsForStatus(row.status)
              .filter((a) => !locked || a === "edit")
              .map((a) => ({
                key: a,
                danger: a === "remove",
                label: <span data-testid={`row-action-${a}`}>{t(`members.action.${a}`)}</span>,
              })),
            ...(locked
              ? [{ key: "superAdminOnly", disabled: true, label: <span data-testid="row-action-super-admin-only">{t("members.superAdminOnly")}</span> }]
              : []),
          ]
        : [],
      onClick: ({ key }) => {
        setOpenFor(null);
        onAction(row, key);
      },
    }),
    [armed, row, locked, onAction, t],
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
              setArmedFor(row.id);
              setOpenFor(row.id);
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
        <Dropdown trigger={["click"]} menu={menu} open={open} onOpenChange={(o) => setOpenFor(o ? row.id : null)}>
          {button}
        </Dropdown>
      ) : (
        button
      )}
    </span>
  );
});
