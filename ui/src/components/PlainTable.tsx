import { Pagination, Spin } from "antd";
import type { PaginationProps } from "antd";
import useCheckboxStyle from "antd/es/checkbox/style";
import useTableStyle from "antd/es/table/style";
import { memo, useCallback, useLayoutEffect, useMemo, useRef } from "react";
import type { CSSProperties, MouseEvent, ReactNode } from "react";

import { firstRows, useFrameAfter } from "./frames";

/** A column of a {@link PlainTable}. */
export type PlainColumn<T> = {
  key: string;
  title: string;
  /** In px; a column without a width shares what is left. */
  width?: number;
  /** One line, cut with "…"; the cell's whole text is its tooltip (`cellTitle`). */
  ellipsis?: boolean;
  className?: string;
  render: (row: T) => ReactNode;
  /** The tooltip of an ellipsis cell: its text, as Ant Design's table puts it. */
  cellTitle?: (row: T) => string | undefined;
};

/** What a row carries besides its cells. */
export type RowProps = {
  testId?: string;
  onClick?: (e: MouseEvent<HTMLTableRowElement>) => void;
  onMouseEnter?: () => void;
  style?: CSSProperties;
};

/** Row selection by check boxes, kept by the screen (keys over every page). */
export type PlainSelection<T, K> = {
  keys: readonly K[];
  /** The new keys, and the rows newly selected on this page. */
  onChange: (keys: K[], picked: T[]) => void;
  /** The label of a row's box (read aloud), e.g. "Select Ada Lovelace". */
  rowLabel: (row: T) => string;
  /** The label of the header's box, which selects or clears the whole page. */
  pageLabel: string;
};

type Props<T, K> = {
  rows: readonly T[];
  columns: readonly PlainColumn<T>[];
  rowKey: (row: T) => K;
  size: "small" | "medium";
  /** Columns keep their widths (`table-layout: fixed`); otherwise the browser sizes them to fit. */
  fixedLayout?: boolean;
  /** True before the first page arrived: a spinner over the table. */
  loading: boolean;
  /** Shown in the body when there are no rows. */
  empty: ReactNode;
  testId?: string;
  className?: string;
  /** Ant Design's pagination under the table; none when absent or when there is nothing to page. */
  pagination?: PaginationProps;
  selection?: PlainSelection<T, K>;
  /** Must be stable between renders (rows render again only when their own props change). */
  rowProps?: (row: T) => RowProps;
};

type Skin = { checkbox: string; box: string };

/**
 * A page of rows drawn as Ant Design's table draws it — its markup and class names, registered
 * through its own table and checkbox style hooks, so its stylesheet and theme give the same look
 * — without its per-cell components: a row is plain elements. Rows are keyed by their place on
 * the page, so a new page updates the rows already on screen instead of removing them and
 * building new ones. Whatever a cell keeps for one record must therefore be keyed by the record
 * (`key={row.id}`) or reset when the record changes.
 *
 * For lists read a page at a time (members, invitations, join requests); sorting, filters and
 * fixed columns are not offered.
 */
export function PlainTable<T, K extends string | number>({
  rows,
  columns,
  rowKey,
  size,
  fixedLayout = false,
  loading,
  empty,
  testId,
  className,
  pagination,
  selection,
  rowProps,
}: Props<T, K>) {
  const [hashId, vars] = useTableStyle("ant-table", "ant-table-css-var");
  const [boxHash, boxVars] = useCheckboxStyle("ant-checkbox", "ant-checkbox-css-var");
  const skin: Skin = useMemo(
    () => ({
      checkbox: `ant-checkbox-wrapper ${boxVars} ant-checkbox-css-var ${boxHash}`,
      box: `ant-checkbox ant-wave-target ${boxHash}`,
    }),
    [boxVars, boxHash],
  );

  // A table that appears builds the rows a window shows first and the rest a frame later, so
  // that the first picture waits for a screenful of rows rather than a whole page; once there, a
  // new page refills the rows on screen (cheap) and shows whole.
  const whole = useFrameAfter();
  const first = firstRows(40);
  // The pager stands below the whole page, so it comes with the rest of the rows.
  const shown = whole || rows.length <= first ? rows : rows.slice(0, first);

  const selected = useMemo(() => new Set<K>(selection?.keys ?? []), [selection?.keys]);
  // The place of the last box clicked without Shift: Shift+click sets the range up to it.
  const anchor = useRef<number | null>(null);
  // Read by the stable toggle, so that rows need not render when another row's box changes.
  const current = useRef({ rows, selection, rowKey });
  useLayoutEffect(() => {
    current.current = { rows, selection, rowKey };
  }, [rows, selection, rowKey]);
  const toggle = useCallback((index: number, on: boolean, range: boolean) => {
    const { rows: pageRows, selection: sel, rowKey: keyOf } = current.current;
    if (!sel) return;
    const from = range && anchor.current !== null ? Math.min(anchor.current, index) : index;
    const to = range && anchor.current !== null ? Math.max(anchor.current, index) : index;
    if (!range) anchor.current = index;
    const changed = pageRows.slice(from, to + 1);
    const ids = new Set(changed.map(keyOf));
    const rest = sel.keys.filter((k) => !ids.has(k));
    sel.onChange(on ? [...rest, ...changed.map(keyOf)] : rest, on ? changed : []);
  }, []);

  const onPage = selection ? rows.filter((r) => selected.has(rowKey(r))).length : 0;
  const allOnPage = rows.length > 0 && onPage === rows.length;
  const toggleAll = () => {
    if (!selection) return;
    anchor.current = null;
    const ids = new Set(rows.map(rowKey));
    const rest = selection.keys.filter((k) => !ids.has(k));
    selection.onChange(allOnPage ? rest : [...rest, ...rows.map(rowKey)], allOnPage ? [] : [...rows]);
  };
  const span = columns.length + (selection ? 1 : 0);

  return (
    <div className={`${vars} ant-table-css-var ant-table-wrapper${className ? ` ${className}` : ""} ${hashId}`}>
      <Spin spinning={loading}>
        <div
          className={`ant-table ant-table-${size}${rows.length === 0 ? " ant-table-empty" : ""} ${vars} ant-table-css-var ${hashId}${fixedLayout ? " ant-table-layout-fixed" : ""}`}
          data-testid={testId}
        >
          <div className="ant-table-container">
            <div className="ant-table-content">
              <table style={fixedLayout ? FIXED : AUTO}>
                {(fixedLayout || selection || columns.some((c) => c.width)) && (
                  <colgroup>
                    {selection && <col className="ant-table-selection-col" />}
                    {columns.map((c) => (
                      <col key={c.key} style={c.width ? { width: c.width } : undefined} />
                    ))}
                  </colgroup>
                )}
                <thead className="ant-table-thead">
                  <tr>
                    {selection && (
                      <th className="ant-table-cell ant-table-selection-column" scope="col">
                        <div className="ant-table-selection">
                          <Checkbox
                            skin={skin}
                            checked={allOnPage}
                            indeterminate={onPage > 0 && !allOnPage}
                            disabled={rows.length === 0}
                            label={selection.pageLabel}
                            onChange={toggleAll}
                          />
                        </div>
                      </th>
                    )}
                    {columns.map((c) => (
                      <th
                        key={c.key}
                        className={cellClass(c)}
                        title={c.ellipsis && c.title ? c.title : undefined}
                        scope={c.title ? "col" : undefined}
                      >
                        {c.title}
                      </th>
                    ))}
                  </tr>
                </thead>
                <tbody className="ant-table-tbody">
                  {rows.length === 0 ? (
                    <tr className="ant-table-placeholder">
                      <td className="ant-table-cell" colSpan={span}>
                        {empty}
                      </td>
                    </tr>
                  ) : (
                    shown.map((r, i) => (
                      <Row<T>
                        // By place, not by record: a new page reuses the rows on screen.
                        key={i}
                        index={i}
                        row={r}
                        rowKey={rowKey(r)}
                        columns={columns}
                        selected={selection ? selected.has(rowKey(r)) : null}
                        selectLabel={selection?.rowLabel(r)}
                        skin={skin}
                        onToggle={toggle}
                        rowProps={rowProps}
                      />
                    ))
                  )}
                </tbody>
              </table>
            </div>
          </div>
        </div>
        {pagination && shown === rows && (pagination.total ?? 0) > 0 && !(pagination.hideOnSinglePage && (pagination.total ?? 0) <= (pagination.pageSize ?? 10)) && (
          <Pagination size="small" {...pagination} className={`ant-table-pagination ant-table-pagination-end${pagination.className ? ` ${pagination.className}` : ""}`} />
        )}
      </Spin>
    </div>
  );
}

const FIXED = { tableLayout: "fixed" } as const;
const AUTO = { tableLayout: "auto" } as const;

function cellClass<T>(c: PlainColumn<T>): string {
  return `ant-table-cell${c.ellipsis ? " ant-table-cell-ellipsis" : ""}${c.className ? ` ${c.className}` : ""}`;
}

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
        className={`${skin.box}${checked ? " ant-checkbox-checked" : ""}${indeterminate ? " ant-checkbox-indeterminate" : ""}${disabled ? " ant-checkbox-disabled" : ""}`}
      >
        <input
          aria-label={label}
          className="ant-checkbox-input"
          type="checkbox"
          checked={checked}
          disabled={disabled}
          onChange={(e) => onChange(e.target.checked, (e.nativeEvent as globalThis.MouseEvent).shiftKey === true)}
        />
      </span>
    </label>
  );
}

type RowArgs<T> = {
  index: number;
  row: T;
  rowKey: string | number;
  columns: readonly PlainColumn<T>[];
  /** Null: the table has no selection. */
  selected: boolean | null;
  selectLabel?: string;
  skin: Skin;
  onToggle: (index: number, on: boolean, range: boolean) => void;
  rowProps?: (row: T) => RowProps;
};

const Row = memo(function Row<T>({ index, row, rowKey, columns, selected, selectLabel, skin, onToggle, rowProps }: RowArgs<T>) {
  const extra = rowProps?.(row);
  return (
    <tr
      data-testid={extra?.testId}
      className={`ant-table-row ant-table-row-level-0${selected ? " ant-table-row-selected" : ""}`}
      data-row-key={rowKey}
      style={extra?.style}
      onClick={extra?.onClick}
      onMouseEnter={extra?.onMouseEnter}
    >
      {selected !== null && (
        <td className="ant-table-cell ant-table-selection-column">
          <Checkbox skin={skin} checked={selected} label={selectLabel ?? ""} onChange={(on, shift) => onToggle(index, on, shift)} />
        </td>
      )}
      {columns.map((c) => (
        <td key={c.key} className={cellClass(c)} title={c.ellipsis ? c.cellTitle?.(row) : undefined}>
          {c.render(row)}
        </td>
      ))}
    </tr>
  );
}) as <T>(props: RowArgs<T>) => ReactNode;
