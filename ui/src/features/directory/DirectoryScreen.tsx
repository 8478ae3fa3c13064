import { App as AntApp, Alert, Card, Skeleton } from "antd";
import type { InputRef } from "antd";
import { useCallback, useEffect, useRef } from "react";
import { useTranslation } from "react-i18next";

import * as api from "../../api";
import type { BatchResult } from "../members/BatchResultModal";
import type { MemberRow } from "../../bindings/MemberRow";
import { useFrameAfter } from "../../components/frames";
import { useStableCallback } from "../../components/useStableCallback";
import { errorText } from "../../errors";
import { DepartmentTree } from "../departments/DepartmentTree";
import { useDepartmentTree } from "../departments/queries";
import { MemberTable } from "../members/MemberTable";
import { useFetchMemberDetails, useOpenMemberDetails, usePrefetchMemberDetails } from "../members/queries";
import { useRemoveMany } from "../members/useRemoveMany";
import { useStatusChange } from "../members/useStatusChange";
import { BatchBar } from "./BatchBar";
import { DepartmentCard } from "./DepartmentCard";
import { DirectoryDialogs } from "./DirectoryDialogs";
import { DirectoryToolbar } from "./DirectoryToolbar";
import { MemberFilters } from "./MemberFilters";
import { useDirectoryDialogs } from "./useDirectoryDialogs";
import { useDirectoryShortcuts } from "./useDirectoryShortcuts";
import { useMemberList } from "./useMemberList";

type Props = {
  /** Changes whenever the window asks for the search box to take the focus (the `E` shortcut). */
  focusSearchSignal?: number;
};

/**
 * Members & Departments: the department tree and the members of the selected department.
 * Typing renders the search box alone; a settled search renders the list and the counts, not
 * the tree, the department card or the toolbars (their props stay the same).
 */
export function DirectoryScreen({ focusSearchSignal = 0 }: Props) {
  const { t } = useTranslation();
  const { message } = AntApp.useApp();
  const statusChange = useStatusChange();
  const removeMany = useRemoveMany();
  const fetchDetails = useFetchMemberDetails();
  // A row under the pointer is likely the next one opened: its details are read ahead, so the
  // drawer shows them in its first frame instead of a skeleton.
  const prefetchDetails = usePrefetchMemberDetails();
  const tree = useDepartmentTree();
  const list = useMemberList(tree.data);
  const dialogs = useDirectoryDialogs();
  const searchRef = useRef<InputRef>(null);

  const root = tree.data;
  const { selected, members, total, pageRows, selectedMembers, clearSelection } = list;
  const { setDrawerId, setEditing, setRemoving, setBatchOutcome, setInviting, setResetting, setSettingPassword } = dialogs;
  const openDetails = useOpenMemberDetails(setDrawerId);
  // The tree is drawn a frame after the first rows, so that the first picture after sign-in
  // waits only for the members.
  const treeShown = useFrameAfter(members.data !== undefined || members.isError);

  const focusSearch = useCallback(() => {
    searchRef.current?.focus({ cursor: "all" });
  }, []);

  useEffect(() => {
    if (focusSearchSignal > 0) focusSearch();
  }, [focusSearchSignal, focusSearch]);

  const askRemoveSelection = useCallback(() => {
    if (selectedMembers.length === 0) return;
    if (selectedMembers.length === 1) {
      const [r] = selectedMembers;
      setRemoving({ id: r.id, name: r.name, status: r.status });
      return;
    }
    removeMany(selectedMembers, clearSelection);
  }, [selectedMembers, setRemoving, removeMany, clearSelection]);

  useDirectoryShortcuts({ onSearch: focusSearch, onAdd: dialogs.openWizard, onRemove: askRemoveSelection });

  const onRowAction = useStableCallback((row: MemberRow, key: string) => {
    if (key === "view") openDetails(row.id);
    else if (key === "edit") {
      fetchDetails(row.id)
        .then((details) => {
          if (details.allowedActions.includes("edit")) setEditing(details);
        })
        .catch((e: unknown) => void message.error(errorText(t, api.toCommandError(e))));
    } else if (key === "remove") setRemoving({ id: row.id, name: row.name, status: row.status });
    else if (key === "invite") setInviting([{ id: row.id, name: row.name, email: row.email, mobile: row.mobile }]);
    else if (key === "resetPassword") setResetting({ id: row.id, name: row.name, email: row.email, mobile: row.mobile });
    else if (key === "setPassword" && row.username) setSettingPassword({ id: row.id, name: row.name, username: row.username });
    else statusChange(row, key as api.StatusAction);
  });

  const batchDone = useCallback(
    (outcome: BatchResult) => {
      setBatchOutcome(outcome);
      clearSelection();
    },
    [setBatchOutcome, clearSelection],
  );
  const inviteSelection = () => setInviting(selectedMembers.map((r) => ({ id: r.id, name: r.name, email: r.email, mobile: r.mobile })));

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
            <DepartmentTree root={root} selectedId={selected.id} onSelect={list.selectDepartment} onSelectMembers={list.selectDepartmentMembers} />
          ) : (
            <Skeleton active paragraph={{ rows: 6 }} title={false} />
          )}
        </Card>
        <div className="orgdesk-detail-pane">
          <Card size="small" className="orgdesk-dept-card-wrap">
            {selected ? <DepartmentCard id={selected.id} /> : <Skeleton active />}
          </Card>
          <Card size="small" className="orgdesk-members-card" styles={MEMBERS_CARD_STYLES}>
            <DirectoryToolbar
              searchBox={list.searchBox}
              onSearch={list.setSearch}
              searchRef={searchRef}
              onFormer={dialogs.openFormer}
              query={list.query}
              total={total}
              onAddPassword={dialogs.openWizard}
              onAddInvite={dialogs.openInvitee}
            />
            <MemberFilters status={list.status} onStatus={list.setStatus} includeSub={list.includeSub} onIncludeSub={list.setIncludeSub} total={total} />
            {list.selectedCount > 0 && (
              <BatchBar
                list={list}
                onInvite={inviteSelection}
                onEdit={dialogs.openBatchEdit}
                onDone={batchDone}
              />
            )}
            {members.isError && (
              <Alert type="error" showIcon title={errorText(t, api.toCommandError(members.error))} style={{ margin: 12 }} />
            )}
            <MemberTable
              rows={pageRows}
              loading={members.isFetching && !members.data}
              total={total}
              page={list.page}
              pageSize={list.pageSize}
              searching={list.search !== "" && pageRows.length === 0}
              selectedKeys={list.tableKeys}
              onSelectionChange={list.onSelectionChange}
              onOpen={openDetails}
              onHover={prefetchDetails}
              onRowAction={onRowAction}
              onPageChange={list.onPageChange}
            />
          </Card>
        </div>
      </div>
      <DirectoryDialogs
        dialogs={dialogs}
        departmentId={list.departmentId}
        selection={list.selection}
        selectedCount={list.selectedCount}
        clearSelection={clearSelection}
        onBatchDone={batchDone}
      />
    </div>
  );
}

const TREE_CARD_STYLES = { body: { padding: 8 } };
const MEMBERS_CARD_STYLES = { body: { padding: 0 } };
