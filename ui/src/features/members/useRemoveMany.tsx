import { App as AntApp, Typography } from "antd";
import { useCallback } from "react";
import { useTranslation } from "react-i18next";

import * as api from "../../api";
import type { MemberRow } from "../../bindings/MemberRow";
import { errorText } from "../../errors";
import { useKeptNotice } from "../../queryClient";
import { useInvalidateDirectory } from "../directory/queries";

/**
 * Confirms and removes several members at once: those who never joined directly; those who
 * joined are named and kept (each needs a recipient, in the remove dialog). `onDone` runs once
 * the removals ended.
 */
export function useRemoveMany() {
  const { t } = useTranslation();
  const { message, modal } = AntApp.useApp();
  const invalidate = useInvalidateDirectory();
  const kept = useKeptNotice();
  return useCallback(
    (rows: MemberRow[], onDone: () => void) => {
      const direct = rows.filter((r) => r.status === "not_joined");
      const joined = rows.filter((r) => r.status !== "not_joined");
      modal.confirm({
        title: t("members.removeMany.title", { count: rows.length }),
        content: (
          <div data-testid="remove-many">
            {direct.length > 0 && <p>{t("members.removeMany.direct", { count: direct.length })}</p>}
            {joined.length > 0 && (
              <p>
                {t("members.removeMany.joined", { count: joined.length })}{" "}
                <Typography.Text type="secondary">{joined.map((r) => r.name).join(", ")}</Typography.Text>
              </p>
            )}
          </div>
        ),
        okText: t("members.removeMany.ok", { count: direct.length }),
        cancelText: t("common.cancel"),
        okButtonProps: { danger: true, disabled: direct.length === 0, "data-testid": "remove-many-ok" },
        onOk: async () => {
          let removed = 0;
          for (const r of direct) {
            try {
              await api.removeMember(r.id, null);
              removed += 1;
            } catch (e) {
              const error = api.toCommandError(e);
              if (!kept(error)) void message.error(`${r.name}: ${errorText(t, error)}`);
            }
          }
          if (removed > 0) void message.success(t("members.removeMany.done", { count: removed }));
          onDone();
          invalidate();
        },
      });
    },
    [modal, t, message, invalidate, kept],
  );
}
