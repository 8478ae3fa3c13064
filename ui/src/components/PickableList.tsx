import { Alert, Button, Empty, Space, Typography } from "antd";
import type { PaginationProps } from "antd";
import type { UseQueryResult } from "@tanstack/react-query";
import type { ReactNode } from "react";
import { useTranslation } from "react-i18next";

import * as api from "../api";
import { errorText } from "../errors";
import { PlainTable } from "./PlainTable";
import type { PlainColumn } from "./PlainTable";
import type { useRowSelection } from "./selection";

type BarProps = {
  /** `<prefix>-batch` on the bar, `<prefix>-clear` on its "Clear selection". */
  testIdPrefix: string;
  /** "3 selected", in the list's own words. */
  countText: string;
  clearText: string;
  onClear: () => void;
  /** The actions on the picked rows, between the count and "Clear selection". */
  children: ReactNode;
};

/** The bar over a list while rows are picked: how many, what can be done to them all, and clearing the pick. */
export function SelectionBar({ testIdPrefix, countText, clearText, onClear, children }: BarProps) {
  return (
    <Alert
      type="info"
      style={{ marginBottom: 12 }}
      data-testid={`${testIdPrefix}-batch`}
      title={
        <Space wrap>
          <Typography.Text>{countText}</Typography.Text>
          {children}
          <Button size="small" type="link" onClick={onClear} data-testid={`${testIdPrefix}-clear`}>
            {clearText}
          </Button>
        </Space>
      }
    />
  );
}

const NO_ROWS: readonly never[] = [];

type ListProps<T, K> = {
  /** The query of the page on screen. */
  page: UseQueryResult<{ rows: T[]; total: number }>;
  /** `useListPage`'s pagination. */
  pagination: (total: number | undefined, settled: boolean) => PaginationProps;
  selection: ReturnType<typeof useRowSelection<T, K>>;
  rowKey: (row: T) => K;
  columns: readonly PlainColumn<T>[];
  testId: string;
  /** The label of a row's box and of the page's box. */
  rowLabel: (row: T) => string;
  pageLabel: string;
  /** The picture and the line shown when the list has no rows. */
  emptyIcon: ReactNode;
  emptyText: string;
};

/**
 * A list read a page at a time whose rows can be picked over every page (invitations, join
 * requests): the rows under check boxes with the pages under them, a picture and a line when
 * there are none, or why the page could not be read.
 */
export function PickableList<T, K extends string | number>({
  page,
  pagination,
  selection,
  rowKey,
  columns,
  testId,
  rowLabel,
  pageLabel,
  emptyIcon,
  emptyText,
}: ListProps<T, K>) {
  const { t } = useTranslation();
  if (page.isError) return <Alert type="error" showIcon title={errorText(t, api.toCommandError(page.error))} />;
  return (
    <PlainTable<T, K>
      rowKey={rowKey}
      size="medium"
      testId={testId}
      loading={page.isLoading}
      columns={columns}
      rows={page.data?.rows ?? NO_ROWS}
      pagination={pagination(page.data?.total, !page.isPlaceholderData)}
      selection={{ keys: selection.keys, onChange: selection.onChange, rowLabel, pageLabel }}
      empty={
        <Empty
          image={<span style={{ fontSize: 48, opacity: 0.35 }}>{emptyIcon}</span>}
          description={<Typography.Text type="secondary">{emptyText}</Typography.Text>}
        />
      }
    />
  );
}
