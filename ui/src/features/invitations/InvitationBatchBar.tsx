import { CloseCircleOutlined, RedoOutlined } from "@ant-design/icons";
import { App as AntApp, Button, Typography } from "antd";
import type { TFunction } from "i18next";
import { useTranslation } from "react-i18next";

import type { ErrorDetail } from "../../bindings/ErrorDetail";
import type { InvitationRow } from "../../bindings/InvitationRow";
import { SelectionBar } from "../../components/PickableList";
import { errorText } from "../../errors";
import { useChangeInvitations, type InvitationBatch } from "./queries";

/** One line per invitation passed over, by its code (never the backend's words). */
function passedOver(t: TFunction, d: ErrorDetail): string {
  const known = d.code === "invitation_closed" || d.code === "not_found";
  return t(`invitations.passedOver.${known ? d.code : "other"}`, { name: d.field ?? "" });
}

/** The selected invitations: Resend or Cancel them in one go (after a confirmation), then say what
 *  was done and name each one passed over. */
export function InvitationBatchBar({ picked, onDone }: { picked: InvitationRow[]; onDone: () => void }) {
  const { t } = useTranslation();
  const { message, modal } = AntApp.useApp();
  const change = useChangeInvitations({
    onSuccess: (out, { action }) => {
      onDone();
      const done =
        out.changed === 0
          ? t(action === "resend" ? "invitations.resentNone" : "invitations.cancelledNone")
          : t(action === "resend" ? "invitations.resentMany" : "invitations.cancelledMany", { count: out.changed });
      if (out.skipped.length === 0) {
        void message.success(done);
        return;
      }
      modal.warning({
        title: t("invitations.passedOverTitle", { count: out.skipped.length }),
        okButtonProps: { "data-testid": "invitations-batch-result-ok" },
        content: (
          <div data-testid="invitations-batch-result">
            <Typography.Paragraph>{done}</Typography.Paragraph>
            <ul style={{ margin: 0, paddingInlineStart: 18 }}>
              {out.skipped.map((d, i) => (
                <li key={i}>{passedOver(t, d)}</li>
              ))}
            </ul>
          </div>
        ),
      });
    },
    onError: (e) => void message.error(errorText(t, e)),
  });
  const confirm = (action: InvitationBatch["action"]) =>
    modal.confirm({
      title: t(action === "resend" ? "invitations.resendManyTitle" : "invitations.cancelManyTitle", { count: picked.length }),
      content: t(action === "resend" ? "invitations.resendManyBody" : "invitations.cancelManyBody"),
      okText: t(action === "resend" ? "invitations.resendSelected" : "invitations.cancelSelected"),
      okButtonProps: { danger: action === "cancel", "data-testid": "invitations-batch-ok" },
      cancelText: t("common.back"),
      onOk: () => change.mutateAsync({ action, ids: picked.map((r) => r.id) }).catch(() => undefined),
    });
  return (
    <SelectionBar
      testIdPrefix="invitations"
      countText={t("invitations.selected", { count: picked.length })}
      clearText={t("invitations.clearSelection")}
      onClear={onDone}
    >
      <Button size="small" type="primary" icon={<RedoOutlined />} onClick={() => confirm("resend")} data-testid="invitations-resend-selected">
        {t("invitations.resendSelected")}
      </Button>
      <Button size="small" danger icon={<CloseCircleOutlined />} onClick={() => confirm("cancel")} data-testid="invitations-cancel-selected">
        {t("invitations.cancelSelected")}
      </Button>
    </SelectionBar>
  );
}
