import { Alert, Table, Typography } from "antd";
import type { TableColumnsType } from "antd";
import type { UseQueryResult } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";

import * as api from "../api";
import { errorText } from "../errors";

type Props<T> = {
  /** The query of the whole list. */
  list: UseQueryResult<T[]>;
  columns: TableColumnsType<T>;
  testId: string;
  /** The line shown when the list is empty; Ant Design's own when absent. */
  emptyText?: string;
};

/**
 * A short list read whole (roles, saved mappings) as a small table without pages, keyed by its
 * rows' ids, with why it could not be read above it.
 */
export function ListTable<T extends { id: number }>({ list, columns, testId, emptyText }: Props<T>) {
  const { t } = useTranslation();
  return (
    <>
      {list.isError && <Alert type="error" showIcon title={errorText(t, api.toCommandError(list.error))} style={{ margin: 12 }} />}
      <Table<T>
        data-testid={testId}
        size="small"
        rowKey="id"
        loading={list.isPending}
        dataSource={list.data ?? []}
        pagination={false}
        locale={emptyText === undefined ? undefined : { emptyText: <Typography.Text type="secondary">{emptyText}</Typography.Text> }}
        columns={columns}
      />
    </>
  );
}
