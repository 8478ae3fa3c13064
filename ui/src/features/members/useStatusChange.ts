import { App as AntApp } from "antd";
import { useTranslation } from "react-i18next";

import * as api from "../../api";
import { errorText } from "../../errors";
import { useKeptNotice } from "../../queryClient";
import { useInvalidateDirectory } from "../directory/queries";

/** Confirms and runs disable / enable / resign / restore. */
export function useStatusChange() {
  const { t } = useTranslation();
  const { message, modal } = AntApp.useApp();
  const invalidate = useInvalidateDirectory();
  const kept = useKeptNotice();
  return (member: { id: number; name: string }, action: api.StatusAction) => {
    modal.confirm({
      title: t(`members.confirm.${action}.title`, { name: member.name }),
      content: t(`members.confirm.${action}.text`, { name: member.name }),
      okText: t(`members.action.${action}`),
      cancelText: t("common.cancel"),
      okButtonProps: { danger: action === "disable" || action === "resign", "data-testid": "confirm-ok" },
      onOk: async () => {
        try {
          await api.changeMemberStatus(member.id, action);
          void message.success(t(`members.done.${action}`, { name: member.name }));
        } catch (e) {
          const error = api.toCommandError(e);
          if (!kept(error)) void message.error(errorText(t, error));
        } finally {
          invalidate();
        }
      },
    });
  };
}
