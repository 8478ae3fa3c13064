import { App as AntApp, Alert, Button, Descriptions, Select, Skeleton, Typography } from "antd";
import type { TFunction } from "i18next";
import { useState } from "react";
import { useTranslation } from "react-i18next";

import type { MemberStatus } from "../../bindings/MemberStatus";
import type { RemoveOutcome } from "../../bindings/RemoveOutcome";
import { CancelButton } from "../../components/CancelButton";
import { Dialog } from "../../components/Dialog";
import { applyServerError } from "../../components/forms";
import { errorText } from "../../errors";
import { useMemberPage, useRemoveMember, useTransferPreview } from "./queries";

export type MemberTarget = { id: number; name: string; status: MemberStatus };

/** What the removal did: the name, and what moved to whom when anything had to. */
export function removedText(t: TFunction, name: string, outcome: RemoveOutcome): string {
  const to = outcome.transferredTo;
  if (to === null) return t("members.removed", { name });
  const heads =
    outcome.departmentsHeaded.length === 0
      ? t("members.movedNoHeads")
      : t("members.movedHeads", { names: outcome.departmentsHeaded.join(t("history.listSeparator")) });
  const what = [heads, t("members.movedInvitations", { count: outcome.invitationsSent })].join(t("members.movedSeparator"));
  return t("members.removedTo", { name, to: to.name, what });
}

/** Remove a member: directly when Not Joined, else after choosing who receives what they own. */
export function RemoveDialog({ member, onClose, onRemoved }: { member: MemberTarget; onClose: () => void; onRemoved: () => void }) {
  const { t } = useTranslation();
  const { message } = AntApp.useApp();
  const direct = member.status === "not_joined";
  const [search, setSearch] = useState("");
  const [recipient, setRecipient] = useState<number | null>(null);
  const [error, setError] = useState<string | null>(null);
  const preview = useTransferPreview(member.id, !direct);
  const candidatesQuery = {
    departmentId: null,
    includeSubDepartments: true,
    status: "enabled" as const,
    search: search.trim() || null,
    offset: 0,
    limit: 50,
  };
  const candidates = useMemberPage(candidatesQuery, { enabled: !direct });
  const remove = useRemoveMember(member.id, {
    onSuccess: (outcome) => {
      void message.success(removedText(t, member.name, outcome));
      onRemoved();
      onClose();
    },
    onKept: onClose,
    onError: (e) => setError(applyServerError(t, null, e, []) ?? errorText(t, e)),
  });
  const p = preview.data;
  return (
    <Dialog
      data-testid="remove-dialog"
      title={t("members.removeTitle", { name: member.name })}
      onClose={onClose}
      footer={[
        <CancelButton key="cancel" onClick={onClose} />,
        <Button
          key="ok"
          danger
          type="primary"
          data-testid="remove-confirm"
          loading={remove.isPending}
          disabled={!direct && recipient === null}
          onClick={() => remove.mutate(direct ? null : recipient)}
        >
          {t("members.action.remove")}
        </Button>,
      ]}
    >
      {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 12 }} />}
      {direct ? (
        <Typography.Paragraph>{t("members.removeDirect", { name: member.name })}</Typography.Paragraph>
      ) : (
        <>
          <Typography.Paragraph>{t("members.removeTransfer", { name: member.name })}</Typography.Paragraph>
          <div data-testid="transfer-preview" className="orgdesk-transfer-preview">
            {!p ? (
              <Skeleton active paragraph={{ rows: 2 }} title={false} />
            ) : (
              <Descriptions
                size="small"
                column={1}
                bordered
                items={[
                  {
                    key: "heads",
                    label: t("members.transfer.departments"),
                    children: p.departmentsHeaded.length === 0 ? t("members.transfer.none") : p.departmentsHeaded.join(", "),
                  },
                  { key: "inv", label: t("members.transfer.invitations"), children: p.invitationsSent },
                ]}
              />
            )}
            <Typography.Text type="secondary" style={{ display: "block", marginTop: 6 }} data-testid="transfer-requests-note">
              {t("members.transfer.requestsNote")}
            </Typography.Text>
          </div>
          <Typography.Text strong style={{ display: "block", margin: "16px 0 6px" }}>
            {t("members.transfer.to")}
          </Typography.Text>
          <Select
            data-testid="transfer-to"
            style={{ width: "100%" }}
            showSearch={{ filterOption: false, onSearch: setSearch }}
            placeholder={t("members.transfer.placeholder")}
            value={recipient ?? undefined}
            onChange={(v: number) => setRecipient(v)}
            loading={candidates.isFetching}
            options={(candidates.data?.rows ?? [])
              .filter((r) => r.id !== member.id)
              .map((r) => ({ value: r.id, label: r.username ? `${r.name} (${r.username})` : r.name }))}
            notFoundContent={t("members.transfer.noCandidates")}
          />
        </>
      )}
      <Typography.Paragraph type="secondary" style={{ marginTop: 16, marginBottom: 0 }}>
        {t("members.removeFormer")}
      </Typography.Paragraph>
    </Dialog>
  );
}
