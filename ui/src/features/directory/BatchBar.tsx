import { App as AntApp, Button, Typography } from "antd";
import { useTranslation } from "react-i18next";

import * as api from "../../api";
import type { BatchOutcome } from "../../bindings/BatchOutcome";
import type { Selection } from "../../bindings/Selection";
import { errorText } from "../../errors";
import { useKeptNotice } from "../../queryClient";
import { useInvalidateDirectory } from "./queries";

const STATUS_ACTIONS = ["disable", "enable", "resign"] as const;

type Props = {
  selection: Selection;
  /** How many members the selection holds. */
  count: number;
  /** How many members the list has found. */
  total: number;
  /** The selection is every member the list has found, not ticked rows. */
  allMatching: boolean;
  onSelectAll: () => void;
  onClear: () => void;
  onInvite: () => void;
  onEdit: () => void;
  /** A batch change finished: show what it did. */
  onDone: (outcome: BatchOutcome) => void;
};

/** Over the member list while members are selected: select all, clear, invite, edit, and status changes. */
export function BatchBar({ selection, count, total, allMatching, onSelectAll, onClear, onInvite, onEdit, onDone }: Props) {
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
        <Button type="link" size="small" data-testid="batch-select-all" onClick={onSelectAll}>
          {t("batch.selectAll", { count: total })}
        </Button>
      )}
      <Button type="link" size="small" onClick={onClear} data-testid="batch-clear">
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
