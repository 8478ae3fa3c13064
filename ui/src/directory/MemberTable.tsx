import { TeamOutlined } from "@ant-design/icons";
import { Dropdown, Pagination, Spin, Typography } from "antd";
import useCheckboxStyle from "antd/es/checkbox/style";
import useTableStyle from "antd/es/table/style";
import type { MenuProps } from "antd";
import type { TFunction } from "i18next";
import { memo, useCallback, useLayoutEffect, useMemo, useRef, useState } from "react";
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

/** The columns after the selection column: width in px (none: shares what is left). */
const COLUMNS: { key: string; label: string; width?: number }[] = [
  { key: "name", label: "members.field.name", width: 150 },
  { key: "username", label: "members.field.username" },
  { key: "dept", label: "members.field.primaryDepartment", width: 130 },
  { key: "position", label: "members.field.position" },
  { key: "roles", label: "members.field.roles" },
  { key: "status", label: "members.field.status", width: 104 },
  { key: "employeeId", label: "members.field.employeeId", width: 116 },
];

/** Class names that Ant Design puts on its own components, so its stylesheet and theme apply. */
type Skin = { checkbox: string; wave: string };

/**
 * One page of members, drawn as Ant Design's small table draws it (its markup and class names,
 * so its stylesheet gives the same look) but without its per-cell machinery: a page is 50 rows
 * of plain elements. Rows are keyed by their place on the page, so a new answer updates the
 * rows already on screen instead of removing them and building new ones; what belongs to one
 * member (the row's menu) starts over when another member takes the place.
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
  const { t } = useTranslation();
  // Ant Design's own style hooks for the table and the checkbox: they register the components'
  // CSS variables (as a mounted Table or Checkbox would) and answer the class names to carry.
  const [hashId, vars] = useTableStyle("ant-table", "ant-table-css-var");
  const [boxHash, boxVars] = useCheckboxStyle("ant-checkbox", "ant-checkbox-css-var");
  const skin: Skin = useMemo(
    () => ({
      checkbox: `ant-checkbox-wrapper ${boxVars} ant-checkbox-css-var ${boxHash}`,
      wave: `ant-checkbox ant-wave-target ${boxHash}`,
    }),
    [boxVars, boxHash],
  );

  const selected = useMemo(() => new Set(selectedKeys), [selectedKeys]);
  // The place of the last box clicked without Shift: Shift+click sets the range up to it.
  const anchor = useRef<number | null>(null);
  // Read by the stable toggle below, so that rows need not render when the selection changes
  // elsewhere on the page.
  const current = useRef({ rows, selectedKeys });
  useLayoutEffect(() => {
    current.current = { rows, selectedKeys };
  }, [rows, selectedKeys]);

  const toggle = useCallback(
    (index: number, on: boolean, range: boolean) => {
      const { rows: pageRows, selectedKeys: keys } = current.current;
      const from = range && anchor.current !== null ? Math.min(anchor.current, index) : index;
      const to = range && anchor.current !== null ? Math.max(anchor.current, index) : index;
      if (!range) anchor.current = index;
      const changed = pageRows.slice(from, to + 1);
      const ids = new Set(changed.map((r) => r.id));
      const next = on ? [...keys.filter((k) => !ids.has(k)), ...changed.map((r) => r.id)] : keys.filter((k) => !ids.has(k));
      onSelectionChange(next, on ? changed : []);
    },
    [onSelectionChange],
  );

  const onPage = rows.filter((r) => selected.has(r.id)).length;
  const allOnPage = rows.length > 0 && onPage === rows.length;
  const toggleAll = () => {
    anchor.current = null;
    const ids = new Set(rows.map((r) => r.id));
    const rest = selectedKeys.filter((k) => !ids.has(k));
    onSelectionChange(allOnPage ? rest : [...rest, ...rows.map((r) => r.id)], allOnPage ? [] : rows);
  };

  const table = (
    <div
      className={`ant-table ant-table-small ${rows.length === 0 ? "ant-table-empty " : ""}${vars} ant-table-css-var ${hashId} ant-table-layout-fixed`}
      data-testid="member-table"
    >
      <div className="ant-table-container">
        <div className="ant-table-content">
          <table style={{ tableLayout: "fixed" }}>
            <colgroup>
              <col className="ant-table-selection-col" />
              {COLUMNS.map((c) => (
                <col key={c.key} style={c.width ? { width: c.width } : undefined} />
              ))}
              <col style={{ width: 48 }} />
            </colgroup>
            <thead className="ant-table-thead">
              <tr>
                <th className="ant-table-cell ant-table-selection-column" scope="col">
                  <div className="ant-table-selection">
                    <Checkbox
                      skin={skin}
                      checked={allOnPage}
                      indeterminate={onPage > 0 && !allOnPage}
                      disabled={rows.length === 0}
                      label={t("members.selectPage")}
                      onChange={toggleAll}
                    />
                  </div>
                </th>
                {COLUMNS.map((c) =>
                  c.key === "status" ? (
                    <th key={c.key} className="ant-table-cell" scope="col">
                      {t(c.label)}
                    </th>
                  ) : (
                    <th key={c.key} className="ant-table-cell ant-table-cell-ellipsis" title={t(c.label)} scope="col">
                      {t(c.label)}
                    </th>
                  ),
                )}
                <th className="ant-table-cell orgdesk-col-actions" />
              </tr>
            </thead>
            <tbody className="ant-table-tbody">
              {rows.length === 0 ? (
                <tr className="ant-table-placeholder">
                  <td className="ant-table-cell" colSpan={COLUMNS.length + 2}>
                    <div style={{ padding: "32px 0" }}>
                      <TeamOutlined style={{ fontSize: 40, opacity: 0.3 }} />
                      <div>
                        <Typography.Text type="secondary">{searching ? t("members.noMatch") : t("directory.empty")}</Typography.Text>
                      </div>
                    </div>
                  </td>
                </tr>
              ) : (
                rows.map((r, i) => (
                  <Row
                    // By place, not by member: a new page reuses the rows on screen.
                    key={i}
                    index={i}
                    row={r}
                    selected={selected.has(r.id)}
                    skin={skin}
                    t={t}
                    onToggle={toggle}
                    onOpen={onOpen}
                    onHover={onHover}
                    onAction={onRowAction}
                  />
                ))
              )}
            </tbody>
          </table>
        </div>
      </div>
    </div>
  );

  return (
    <div className={`${vars} ant-table-css-var ant-table-wrapper orgdesk-member-table ${hashId}`}>
      <Spin spinning={loading}>
        {table}
        {total > 0 && (
          <Pagination
            className="ant-table-pagination ant-table-pagination-end"
            size="small"
            current={page}
            pageSize={pageSize}
            total={total}
            showSizeChanger
            pageSizeOptions={PAGE_SIZES}
            showTotal={(n) => t("members.total", { count: n })}
            onChange={onPageChange}
            style={{ paddingInline: 12 }}
          />
        )}
      </Spin>
    </div>
  );
});

/** Ant Design's checkbox markup around a native box: the same look, no component per row. */
function Checkbox({
  skin,
  checked,
  indeterminate = false,
  disabled = false,
  label,
  onChange,
}: {
  skin: Skin;
  checked: boolean;
  indeterminate?: boolean;
  disabled?: boolean;
  label: string;
  onChange: (on: boolean, shift: boolean) => void;
}) {
  return (
    <label className={`${skin.checkbox}${checked ? " ant-checkbox-wrapper-checked" : ""}${disabled ? " ant-checkbox-wrapper-disabled" : ""}`}>
      <span
        className={`${skin.wave}${checked ? " ant-checkbox-checked" : ""}${indeterminate ? " ant-checkbox-indeterminate" : ""}${disabled ? " ant-checkbox-disabled" : ""}`}
      >
        <input
          aria-label={label}
          className="ant-checkbox-input"
          type="checkbox"
          checked={checked}
          disabled={disabled}
          onChange={(e) => onChange(e.target.checked, (e.nativeEvent as MouseEvent).shiftKey === true)}
        />
      </span>
    </label>
  );
}

const Row = memo(function Row({
  index,
  row,
  selected,
  skin,
  t,
  onToggle,
  onOpen,
  onHover,
  onAction,
}: {
  index: number;
  row: MemberRow;
  selected: boolean;
  skin: Skin;
  t: TFunction;
  onToggle: (index: number, on: boolean, range: boolean) => void;
  onOpen: (id: number) => void;
  onHover?: (id: number) => void;
  onAction: (row: MemberRow, key: string) => void;
}) {
  const id = row.id;
  const text = (key: string, value: string | null) => {
    const shown = dash(value);
    return (
      <td key={key} className="ant-table-cell ant-table-cell-ellipsis" title={shown}>
        {shown}
      </td>
    );
  };
  return (
    <tr
      data-testid={`member-row-${id}`}
      className={`ant-table-row ant-table-row-level-0${selected ? " ant-table-row-selected" : ""}`}
      data-row-key={id}
      style={{ cursor: "pointer" }}
      onClick={(e) => {
        const target = e.target as HTMLElement;
        if (target.closest(".ant-table-selection-column, [data-row-action], .ant-dropdown")) return;
        onOpen(id);
      }}
      onMouseEnter={onHover ? () => onHover(id) : undefined}
    >
      <td className="ant-table-cell ant-table-selection-column">
        <Checkbox
          skin={skin}
          checked={selected}
          label={t("members.selectRow", { name: row.name })}
          onChange={(on, shift) => onToggle(index, on, shift)}
        />
      </td>
      <td className="ant-table-cell ant-table-cell-ellipsis" title={row.name}>
        <a className="orgdesk-row-link" data-testid={`member-name-${id}`}>
          {row.name}
        </a>
      </td>
      {text("username", row.username)}
      {text("dept", row.primaryDepartment)}
      {text("position", row.position)}
      {row.roles.length === 0 ? (
        text("roles", null)
      ) : (
        <td className="ant-table-cell ant-table-cell-ellipsis">
          {row.roles.map((role) => (
            <span key={role} className="orgdesk-role-tag">
              {role}
            </span>
          ))}
        </td>
      )}
      <td className="ant-table-cell">
        <StatusDot status={row.status} label={t(`members.status.${row.status}`)} testId={`member-status-${id}`} />
      </td>
      {text("employeeId", row.employeeId)}
      <td className="ant-table-cell orgdesk-col-actions">
        <RowActions row={row} onAction={onAction} t={t} />
      </td>
    </tr>
  );
});

/**
 * The "…" button of a row: a plain button (a page carries 50 of them) that looks like antd's
 * small text button; the dropdown and its menu are made on the first click, for the member the
 * row shows then (a row that comes to show another member starts unarmed again).
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
  const [openFor, setOpenFor] = useState<number | null>(null);
  const [armedFor, setArmedFor] = useState<number | null>(null);
  const armed = armedFor === row.id;
  const open = openFor === row.id;
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
        setOpenFor(null);
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
