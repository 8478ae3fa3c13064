import type { PaginationProps } from "antd";
import { useState } from "react";

import { useRowSelection } from "./selection";

/** Rows on a page of the lists the directory answers a page at a time. */
export const LIST_PAGE_SIZE = 50;

/**
 * The page of a list read from the directory a page at a time: its offset and limit for the
 * query, and the table's pagination once the answer's total is known. A change that empties
 * the last page (the last invitation cancelled, the last request decided) moves the list to
 * the last page there is, adjusted while rendering as React recommends over an effect.
 */
export function useListPage() {
  const [page, setPage] = useState(1);
  const offset = (page - 1) * LIST_PAGE_SIZE;
  /** Call while rendering, with the newest answer's total (`settled`: not a placeholder). */
  const pagination = (total: number | undefined, settled: boolean): PaginationProps => {
    const last = Math.max(1, Math.ceil((total ?? 0) / LIST_PAGE_SIZE));
    if (total !== undefined && settled && page > last) setPage(last);
    return {
      current: page,
      pageSize: LIST_PAGE_SIZE,
      total: total ?? 0,
      hideOnSinglePage: true,
      showSizeChanger: false,
      onChange: setPage,
    };
  };
  return { page, setPage, offset, limit: LIST_PAGE_SIZE, pagination };
}

/**
 * A list read a page at a time with a filter, a search and rows picked over every page
 * (invitations, join requests): a new filter or search starts again from the first page with
 * nothing picked.
 */
export function useFilteredList<T, K, F>(keyOf: (row: T) => K, firstFilter: F) {
  const [filter, setFilter] = useState<F>(firstFilter);
  const [search, setSearch] = useState("");
  const selection = useRowSelection(keyOf);
  const paging = useListPage();
  const restart = () => {
    paging.setPage(1);
    selection.clear();
  };
  const changeFilter = (f: F) => {
    setFilter(f);
    restart();
  };
  const changeSearch = (s: string) => {
    setSearch(s);
    restart();
  };
  return { ...paging, filter, changeFilter, search, changeSearch, selection };
}
