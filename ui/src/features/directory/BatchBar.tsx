import { App as AntApp, Button, Typography } from "antd";
import { useTranslation } from "react-i18next";

import * as api from "../../api";
import type { BatchOutcome } from "../../bindings/BatchOutcome";
import { errorText } from "../../errors";
import { useKeptNotice } from "../../queryClient";
import { useInvalidateDirectory } from "./queries";
import type { MemberList } from "./useMemberList";

const STATUS_ACTIONS = ["disable", "enable", "resign"] as const;

type Props = {
  /** The member list whose selection the bar acts on: the selection and how many members it
   *  holds, how many the list has found, whether it is all of them (not ticked rows), and
   *  picking all of them or none. */
  list: Pick<MemberList, "selection" | "selectedCount" | "total" | "allMatching" | "selectAllMatching" | "clearSelection">;
  onInvite: () => void;
  onEdit: () => void;
  /** A batch change finished: show what it did. */
  onDone: (outcome: BatchOutcome) => void;
};

/** Over the member list while members are selected: select all, clear, invite, edit, and status changes. */
export function BatchBar({ list, onInvite, onEdit, onDone }: Props) {
  const { selection, selectedCount: count, total, allMatching } = list;
  const { t } = useTranslation();
  const { message, modal } = AntApp.useApp();
  const invalidate = useInvalidateDirectory();
  const kept = useKeptNotice();
  const confirm = (a: (typeof STATUS_ACTIONS)[number]) =>
    modal.confirm({
      title: t(`batch.confirm.${a}`, { count }),
      content: t("batch.confirmText"),
      okText: t(`members.action.${a}`),
      cancelText: t("common.cancel"),
      okButtonProps: { danger: a !== "enable", "data-testid": "confirm-ok" },
      onOk: async () => {
        try {
          onDone(await api.batchUpdate(selection, { kind: a }));
        } catch (e) {
          const error = api.toCommandError(e);
          if (!kept(error)) void message.error(errorText(t, error));
        } finally {
          invalidate();
        }
      },
    });
  return (
    <div className="orgdesk-batch-bar" data-testid="batch-bar">
      <Typography.Text strong data-testid="batch-count">
        {t("batch.selected", { count })}
      </Typography.Text>
      {!allMatching && total > count && (
        <Button type="link" size="small" data-testid="batch-select-all" onClick={list.selectAllMatching}>
          {t("batch.selectAll", { count: total })}
        </Button>
      )}
      <Button type="link" size="small" onClick={list.clearSelection} data-testid="batch-clear">
        {t("batch.clear")}
      </Button>
      <span style={{ flex: 1 }} />
      <Button size="small" data-testid="batch-invite" disabled={allMatching} onClick={onInvite}>
        {t("invite.batch")}
      </Button>
      <Button size="small" data-testid="batch-edit" onClick={onEdit}>
        {t("batch.edit")}
      </Button>
      {STATUS_ACTIONS.map((a) => (
        <Button key={a} size="small" danger={a !== "enable"} data-testid={`batch-${a}`} onClick={() => confirm(a)}>
          {t(`members.action.${a}`)}
        </Button>
      ))}
    </div>
  );
}
