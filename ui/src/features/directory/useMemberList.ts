import { useQueryClient } from "@tanstack/react-query";
import { useCallback, useMemo, useState } from "react";

import * as api from "../../api";

import type { DepartmentNode } from "../../bindings/DepartmentNode";
import type { MemberQuery } from "../../bindings/MemberQuery";
import type { MemberRow } from "../../bindings/MemberRow";
import type { Selection } from "../../bindings/Selection";
import type { StatusFilter } from "../../bindings/StatusFilter";
import { useStableCallback } from "../../components/useStableCallback";
import { findDept } from "../departments/tree";
import { PAGE_SIZES } from "../members/MemberTable";
import { useMemberPage } from "../members/queries";

const NO_ROWS: MemberRow[] = [];

/** What {@link useMemberList} answers. */
export type MemberList = ReturnType<typeof useMemberList>;

/**
 * The member list of Members & Departments: the department shown, the filters, the settled
 * search, the page and the selection, and the page of members they ask for. The callbacks it
 * returns keep their identity, so that the memoized parts they go to do not render again.
 */
export function useMemberList(root: DepartmentNode | undefined) {
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

  // A settled search asks for its first page at once, before the list renders with it: the
  // answer is on its way while that render runs instead of after it.
  const client = useQueryClient();
  const searchFor = useStableCallback((text: string) => {
    if (departmentId !== null) {
      const first: MemberQuery = { ...query, search: text === "" ? null : text, offset: 0 };
      void client.prefetchQuery({ queryKey: api.queryKeys.members(first), queryFn: () => api.listMembers(first) });
    }
    setSearch(text);
  });
  const total = members.data?.total ?? 0;
  const pageRows = members.data?.rows ?? NO_ROWS;

  const selection: Selection = allMatching
    ? { kind: "query", query: { ...query, offset: 0 } }
    : { kind: "ids", ids: selectedKeys };
  const selectedCount = allMatching ? total : selectedKeys.length;
  /** The selected members whose rows were seen (all of them unless "all matching" is on). */
  const selectedMembers = useMemo(
    () => selectedKeys.map((id) => selectedRows.get(id)).filter((r): r is MemberRow => r !== undefined),
    [selectedKeys, selectedRows],
  );

  /** Shows every member of a department, all selected (a department that cannot be deleted). */
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

  const selectAllMatching = useCallback(() => setAllMatching(true), []);
  const tableKeys = useMemo(() => (allMatching ? pageRows.map((r) => r.id) : selectedKeys), [allMatching, pageRows, selectedKeys]);

  return {
    selected,
    departmentId,
    selectDepartment: setSelectedId,
    selectDepartmentMembers,
    /** The search box's key: a new one empties it. */
    searchBox,
    search,
    setSearch: searchFor,
    status,
    setStatus,
    includeSub,
    setIncludeSub,
    page,
    pageSize,
    onPageChange,
    query,
    members,
    total,
    pageRows,
    selection,
    selectedCount,
    selectedMembers,
    allMatching,
    selectAllMatching,
    clearSelection,
    onSelectionChange,
    tableKeys,
  };
}
