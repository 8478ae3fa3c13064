import { Alert, Button, Drawer, Table } from "antd";
import { memo } from "react";
import { useTranslation } from "react-i18next";

import * as api from "../../api";
import type { FormerMember } from "../../bindings/FormerMember";
import { applyServerError } from "../../components/forms";
import { dash, formatTime } from "../../components/text";
import { useFormerMembers } from "./queries";

/** People removed from the organization, kept as contacts; they can be invited again. */
function FormerMembersDrawerView({ open, onClose, onInvite }: { open: boolean; onClose: () => void; onInvite: (m: FormerMember) => void }) {
  const { t, i18n } = useTranslation();
  const former = useFormerMembers(open);
  return (
    <Drawer open={open} onClose={onClose} size={880} title={t("former.title")} data-testid="former-drawer" destroyOnHidden>
      {former.isError && <Alert type="error" showIcon title={applyServerError(t, null, api.toCommandError(former.error), [])} />}
      <Table<FormerMember>
        size="small"
        rowKey="id"
        loading={former.isPending}
        dataSource={former.data ?? []}
        pagination={{ pageSize: 50, hideOnSinglePage: true }}
        onRow={(r) => ({ "data-testid": `former-row-${r.id}` }) as React.HTMLAttributes<HTMLElement>}
        columns={[
          { key: "name", title: t("members.field.name"), dataIndex: "name" },
          { key: "username", title: t("members.field.username"), render: (_v, r) => dash(r.username) },
          { key: "email", title: t("members.field.email"), render: (_v, r) => dash(r.email) },
          { key: "mobile", title: t("members.field.mobile"), render: (_v, r) => dash(r.mobile) },
          { key: "removedAt", title: t("former.removedAt"), render: (_v, r) => formatTime(i18n.language, r.removedAt) },
          { key: "removedBy", title: t("former.removedBy"), dataIndex: "removedBy" },
          {
            key: "invite",
            title: "",
            width: 120,
            render: (_v, r) => (
              <Button type="link" size="small" data-testid={`former-invite-${r.id}`} onClick={() => onInvite(r)}>
                {t("former.inviteAgain")}
              </Button>
            ),
          },
        ]}
      />
    </Drawer>
  );
}

export const FormerMembersDrawer = memo(FormerMembersDrawerView);
