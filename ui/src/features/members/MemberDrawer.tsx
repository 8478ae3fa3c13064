import { KeyOutlined, LockOutlined, SendOutlined } from "@ant-design/icons";
import { App as AntApp, Alert, Button, Drawer, Skeleton, Space, Typography } from "antd";
import { memo, useLayoutEffect, useState } from "react";
import { useTranslation } from "react-i18next";

import * as api from "../../api";
import type { MemberAction } from "../../bindings/MemberAction";
import type { MemberDetails } from "../../bindings/MemberDetails";
import { applyServerError } from "../../components/forms";
import { useFrameAfterChange } from "../../components/frames";
import { mark } from "../../components/marks";
import { errorText } from "../../errors";
import { InviteDialog } from "../invitations/InviteDialog";
import { useInvitations } from "../invitations/queries";
import { MemberFields, MemberHistory, MemberPositions } from "./MemberDetailsBody";
import { type MemberTarget } from "./RemoveDialog";
import { ResetPasswordDialog } from "./ResetPasswordDialog";
import { SetPasswordDialog } from "./SetPasswordDialog";
import { hasAccount, superAdminLocked, useIsSuperAdmin } from "./status";
import { useMemberDetails, useSetPrimaryDepartment } from "./queries";
import { useStatusChange } from "./useStatusChange";

const ACTION_ORDER: MemberAction[] = ["edit", "disable", "enable", "resign", "restore", "remove"];

type DrawerProps = {
  memberId: number | null;
  onClose: () => void;
  onEdit: (details: MemberDetails) => void;
  onRemove: (member: MemberTarget) => void;
};

/** A member's details, positions, history and the actions their status allows. */
function MemberDrawerView({ memberId: asked, onClose, onEdit, onRemove }: DrawerProps) {
  mark("member drawer render");
  useLayoutEffect(() => mark("member drawer committed"));
  const { t } = useTranslation();
  // The drawer stays in the page once opened: the next member's details fill it in place
  // rather than building it again, and a closing drawer keeps showing its member as it slides
  // out. What was open inside it for one member (the invite or reset dialog) closes for the next.
  const [memberId, setMemberId] = useState(asked);
  const [inviting, setInviting] = useState(false);
  const [resetting, setResetting] = useState(false);
  const [settingPassword, setSettingPassword] = useState(false);
  if (asked !== null && asked !== memberId) {
    setMemberId(asked);
    setInviting(false);
    setResetting(false);
    setSettingPassword(false);
  }
  const { message } = AntApp.useApp();
  const statusChange = useStatusChange();
  // Not read again while the drawer is closed (its member may have been removed).
  const details = useMemberDetails(memberId ?? 0, memberId !== null && asked !== null);
  const setPrimary = useSetPrimaryDepartment({
    onSuccess: () => void message.success(t("members.primarySet")),
    onError: (e) => void message.error(applyServerError(t, null, e, []) ?? errorText(t, e)),
  });
  const m = details.data;
  // A Super Admin's account, status and removal are a Super Admin's (the core refuses others).
  const locked = superAdminLocked(m?.roles.map((r) => r.name) ?? [], useIsSuperAdmin());
  const invitationQuery = { states: [], memberId: memberId ?? 0, offset: 0, limit: 1 };
  const invitations = useInvitations(invitationQuery, { enabled: memberId !== null && asked !== null && m?.status === "not_joined" });
  const latest = m?.status === "not_joined" ? invitations.data?.rows[0] : undefined;
  // The first frame of a member shows their name and fields; positions and history follow in
  // the next one.
  const later = useFrameAfterChange(m?.id ?? null);

  const footer = m ? (
    <Space wrap>
      {m.status === "enabled" && m.username && !locked && (
        <Button icon={<KeyOutlined />} data-testid="action-reset-password" onClick={() => setResetting(true)}>
          {t("reset.action")}
        </Button>
      )}
      {hasAccount(m) && !locked && (
        <Button icon={<LockOutlined />} data-testid="action-set-password" onClick={() => setSettingPassword(true)}>
          {t("members.action.setPassword")}
        </Button>
      )}
      {m.status === "not_joined" && (
        <Button type="primary" icon={<SendOutlined />} data-testid="action-invite" onClick={() => setInviting(true)}>
          {latest ? t("invite.again") : t("invite.action")}
        </Button>
      )}
      {ACTION_ORDER.filter((a) => m.allowedActions.includes(a) && (!locked || a === "edit")).map((a) => (
        <Button
          key={a}
          data-testid={`action-${a}`}
          type={a === "edit" ? "primary" : "default"}
          danger={a === "remove"}
          onClick={() => {
            if (a === "edit") onEdit(m);
            else if (a === "remove") onRemove({ id: m.id, name: m.name, status: m.status });
            else statusChange(m, a);
          }}
        >
          {t(`members.action.${a}`)}
        </Button>
      ))}
      {locked && (
        <Typography.Text type="secondary" data-testid="action-super-admin-only">
          {t("members.superAdminOnly")}
        </Typography.Text>
      )}
    </Space>
  ) : null;

  return (
    <Drawer
      open={asked !== null}
      onClose={onClose}
      size={520}
      title={
        m ? (
          <span data-testid="detail-name" data-member-id={m.id}>
            {m.name}
          </span>
        ) : (
          t("members.details")
        )
      }
      footer={footer}
      data-testid="member-drawer"
    >
      {resetting && m && <ResetPasswordDialog member={{ id: m.id, name: m.name, email: m.email, mobile: m.mobile }} onClose={() => setResetting(false)} />}
      {settingPassword && m?.username && (
        <SetPasswordDialog member={{ id: m.id, name: m.name, username: m.username }} onClose={() => setSettingPassword(false)} />
      )}
      {inviting && m && (
        <InviteDialog targets={[{ id: m.id, name: m.name, email: m.email, mobile: m.mobile }]} onClose={() => setInviting(false)} />
      )}
      {details.isError ? (
        <Alert type="error" showIcon title={errorText(t, api.toCommandError(details.error))} />
      ) : !m ? (
        <Skeleton active />
      ) : (
        <Space orientation="vertical" size={20} style={{ width: "100%" }}>
          <MemberFields member={m} latest={latest} />
          {later && (
            <>
              <MemberPositions
                member={m}
                settingPrimary={setPrimary.isPending ? (setPrimary.variables?.departmentId ?? null) : null}
                onSetPrimary={(departmentId) => setPrimary.mutate({ id: m.id, departmentId })}
              />
              <MemberHistory history={m.history} />
            </>
          )}
        </Space>
      )}
    </Drawer>
  );
}

/** A member's details; renders again only when its member or its callbacks change. */
export const MemberDrawer = memo(MemberDrawerView);
