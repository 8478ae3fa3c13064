import { KeyOutlined, SendOutlined } from "@ant-design/icons";
import { useMutation, useQuery } from "@tanstack/react-query";
import {
  App as AntApp,
  Alert,
  Button,
  Descriptions,
  Drawer,
  Form,
  Input,
  Modal,
  Select,
  Skeleton,
  Space,
  Tag,
  TreeSelect,
  Typography,
} from "antd";
import { memo, useMemo, useState } from "react";
import { useTranslation } from "react-i18next";

import * as api from "../api";
import type { CommandError } from "../bindings/CommandError";
import type { MemberAction } from "../bindings/MemberAction";
import type { MemberDetails } from "../bindings/MemberDetails";
import type { MemberPatch } from "../bindings/MemberPatch";
import type { MemberStatus } from "../bindings/MemberStatus";
import type { UpdateOutcome } from "../bindings/UpdateOutcome";
import { errorText } from "../errors";
import { useFrameAfterChange } from "../components/frames";
import { InviteDialog } from "./InviteDialog";
import { MemberFields, MemberHistory, MemberPositions } from "./MemberDetailsBody";
import { ResetPasswordDialog } from "./ResetPasswordDialog";
import {
  applyServerError,
  deptOptions,
  useDepartmentTree,
  useInvalidateDirectory,
  useRoles,
} from "./shared";

export type MemberTarget = { id: number; name: string; status: MemberStatus };

/** Confirms and runs disable / enable / resign / restore. */
export function useStatusChange() {
  const { t } = useTranslation();
  const { message, modal } = AntApp.useApp();
  const invalidate = useInvalidateDirectory();
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
          void message.error(errorText(t, api.toCommandError(e)));
        } finally {
          invalidate();
        }
      },
    });
  };
}

const ACTION_ORDER: MemberAction[] = ["edit", "disable", "enable", "resign", "restore", "remove"];

type DrawerProps = {
  memberId: number | null;
  onClose: () => void;
  onEdit: (details: MemberDetails) => void;
  onRemove: (member: MemberTarget) => void;
};

/** A member's details, positions, history and the actions their status allows. */
function MemberDrawerView({ memberId: asked, onClose, onEdit, onRemove }: DrawerProps) {
  const { t } = useTranslation();
  // The drawer stays in the page once opened: the next member's details fill it in place
  // rather than building it again, and a closing drawer keeps showing its member as it slides
  // out. What was open inside it for one member (the invite or reset dialog) closes for the next.
  const [memberId, setMemberId] = useState(asked);
  const [inviting, setInviting] = useState(false);
  const [resetting, setResetting] = useState(false);
  if (asked !== null && asked !== memberId) {
    setMemberId(asked);
    setInviting(false);
    setResetting(false);
  }
  const { message } = AntApp.useApp();
  const invalidate = useInvalidateDirectory();
  const statusChange = useStatusChange();
  const details = useQuery({
    queryKey: api.queryKeys.memberDetails(memberId ?? 0),
    queryFn: () => api.memberDetails(memberId ?? 0),
    // Not read again while the drawer is closed (its member may have been removed).
    enabled: memberId !== null && asked !== null,
  });
  const setPrimary = useMutation<null, CommandError, { id: number; departmentId: number }>({
    mutationFn: ({ id, departmentId }) => api.setPrimaryDepartment(id, departmentId),
    onSuccess: () => {
      invalidate();
      void message.success(t("members.primarySet"));
    },
    onError: (e) => void message.error(applyServerError(t, null, e, []) ?? errorText(t, e)),
  });
  const m = details.data;
  const invitationQuery = { states: [], memberId: memberId ?? 0, offset: 0, limit: 1 };
  const invitations = useQuery({
    queryKey: api.queryKeys.invitations(invitationQuery),
    queryFn: () => api.listInvitations(invitationQuery),
    enabled: memberId !== null && asked !== null && m?.status === "not_joined",
  });
  const latest = m?.status === "not_joined" ? invitations.data?.rows[0] : undefined;
  // The first frame of a member shows their name and fields; positions and history follow in
  // the next one.
  const later = useFrameAfterChange(m?.id ?? null);

  const footer = m ? (
    <Space wrap>
      {m.status === "enabled" && m.username && (
        <Button icon={<KeyOutlined />} data-testid="action-reset-password" onClick={() => setResetting(true)}>
          {t("reset.action")}
        </Button>
      )}
      {m.status === "not_joined" && (
        <Button type="primary" icon={<SendOutlined />} data-testid="action-invite" onClick={() => setInviting(true)}>
          {latest ? t("invite.again") : t("invite.action")}
        </Button>
      )}
      {ACTION_ORDER.filter((a) => m.allowedActions.includes(a)).map((a) => (
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
      {resetting && m && <ResetPasswordDialog member={{ id: m.id, name: m.name, email: m.email }} onClose={() => setResetting(false)} />}
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

type EditValues = {
  name: string;
  email: string;
  mobile: string;
  employeeId: string;
  workLocation: string;
  orgEmail: string;
  positions: { departmentId: number | undefined; title: string }[];
  roleIds: number[];
};

const EDIT_FIELDS = ["name", "email", "mobile", "employeeId", "workLocation", "orgEmail", "positions", "roleIds"];

function norm(v: string | null | undefined): string {
  return (v ?? "").trim();
}

/** Edit a member: positions (first = primary), roles, IDs; personal fields only while not joined. */
/** A member's details; renders again only when its member or its callbacks change. */
export const MemberDrawer = memo(MemberDrawerView);

export function EditMemberModal({ member, onClose }: { member: MemberDetails; onClose: () => void }) {
  const { t } = useTranslation();
  const { message } = AntApp.useApp();
  const invalidate = useInvalidateDirectory();
  const tree = useDepartmentTree();
  const roles = useRoles();
  const [form] = Form.useForm<EditValues>();
  const [error, setError] = useState<string | null>(null);
  const [relogin, setRelogin] = useState(false);
  const locked = member.personalFieldsLocked;
  const treeData = useMemo(() => (tree.data ? deptOptions(tree.data) : []), [tree.data]);
  const initial: EditValues = {
    name: member.name,
    email: member.email ?? "",
    mobile: member.mobile ?? "",
    employeeId: member.employeeId ?? "",
    workLocation: member.workLocation ?? "",
    orgEmail: member.orgEmail ?? "",
    positions: [...member.positions]
      .sort((a, b) => Number(b.isPrimary) - Number(a.isPrimary))
      .map((p) => ({ departmentId: p.departmentId, title: p.title ?? "" })),
    roleIds: member.roles.map((r) => r.id),
  };

  const save = useMutation<UpdateOutcome, CommandError, MemberPatch>({
    mutationFn: (patch) => api.updateMember(member.id, patch),
    onSuccess: (outcome) => {
      invalidate();
      void message.success(t("members.saved", { name: member.name }));
      if (outcome.mustSignInAgain) setRelogin(true);
      else onClose();
    },
    onError: (e) => setError(applyServerError(t, form, e, EDIT_FIELDS)),
  });

  const submit = (v: EditValues) => {
    setError(null);
    const patch: MemberPatch = {
      name: null,
      email: null,
      mobile: null,
      employeeId: null,
      workLocation: null,
      orgEmail: null,
      positions: null,
      roleIds: null,
    };
    if (!locked) {
      if (norm(v.name) !== norm(initial.name)) patch.name = norm(v.name);
      if (norm(v.email) !== norm(initial.email)) patch.email = norm(v.email);
      if (norm(v.mobile) !== norm(initial.mobile)) patch.mobile = norm(v.mobile);
    }
    if (norm(v.employeeId) !== norm(initial.employeeId)) patch.employeeId = norm(v.employeeId);
    if (norm(v.workLocation) !== norm(initial.workLocation)) patch.workLocation = norm(v.workLocation);
    if (norm(v.orgEmail) !== norm(initial.orgEmail)) patch.orgEmail = norm(v.orgEmail);
    const positions = v.positions
      .filter((p) => p.departmentId !== undefined)
      .map((p) => ({ departmentId: p.departmentId as number, title: norm(p.title) || null }));
    const before = initial.positions.map((p) => ({ departmentId: p.departmentId as number, title: norm(p.title) || null }));
    if (JSON.stringify(positions) !== JSON.stringify(before)) patch.positions = positions;
    const roleIds = [...v.roleIds].sort((a, b) => a - b);
    if (JSON.stringify(roleIds) !== JSON.stringify([...initial.roleIds].sort((a, b) => a - b))) patch.roleIds = v.roleIds;
    if (Object.values(patch).every((x) => x === null)) {
      onClose();
      return;
    }
    save.mutate(patch);
  };

  return (
    <Modal
      open
      width={640}
      title={t("members.editTitle", { name: member.name })}
      onCancel={onClose}
      destroyOnHidden
      footer={
        relogin
          ? [
              <Button key="ok" type="primary" onClick={onClose}>
                {t("common.close")}
              </Button>,
            ]
          : [
              <Button key="cancel" onClick={onClose}>
                {t("common.cancel")}
              </Button>,
              <Button key="save" type="primary" data-testid="edit-save" loading={save.isPending} onClick={() => form.submit()}>
                {t("common.save")}
              </Button>,
            ]
      }
    >
      {relogin && (
        <Alert
          type="warning"
          showIcon
          data-testid="relogin-notice"
          title={t("members.relogin", { name: member.name })}
          style={{ marginBottom: 12 }}
        />
      )}
      {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 12 }} data-testid="edit-error" />}
      <Form<EditValues> form={form} layout="vertical" requiredMark={false} initialValues={initial} onFinish={submit} disabled={relogin}>
        {locked && (
          <Alert type="info" showIcon data-testid="edit-locked-note" title={t("members.personalLocked", { name: member.name })} style={{ marginBottom: 12 }} />
        )}
        <Form.Item name="name" label={t("members.field.name")} rules={[{ required: true, whitespace: true, message: t("common.required") }]}>
          <Input data-testid="edit-name" disabled={locked} />
        </Form.Item>
        <div className="orgdesk-form-row">
          <Form.Item name="mobile" label={t("members.field.mobile")}>
            <Input data-testid="edit-mobile" disabled={locked} />
          </Form.Item>
          <Form.Item name="email" label={t("members.field.email")}>
            <Input data-testid="edit-email" disabled={locked} />
          </Form.Item>
        </div>
        <Form.Item label={t("members.field.positions")} required>
          <Form.List name="positions">
            {(fields, { add, remove, move }) => (
              <>
                {fields.map((field, i) => (
                  <div key={field.key} className="orgdesk-position-row" data-testid={`edit-position-${i}`}>
                    <Form.Item name={[field.name, "departmentId"]} rules={[{ required: true, message: t("common.required") }]} noStyle>
                      <TreeSelect
                        style={{ flex: 1, minWidth: 0 }}
                        treeData={treeData}
                        treeDefaultExpandAll
                        showSearch
                        treeNodeFilterProp="title"
                        placeholder={t("members.field.department")}
                      />
                    </Form.Item>
                    <Form.Item name={[field.name, "title"]} noStyle>
                      <Input style={{ width: 160 }} placeholder={t("members.field.position")} />
                    </Form.Item>
                    {i === 0 ? (
                      <Tag color="blue" style={{ marginInlineEnd: 0 }}>
                        {t("members.primary")}
                      </Tag>
                    ) : (
                      <Button type="link" size="small" onClick={() => move(i, 0)}>
                        {t("members.makePrimary")}
                      </Button>
                    )}
                    <Button type="text" size="small" disabled={fields.length <= 1} onClick={() => remove(field.name)} aria-label={t("common.remove")}>
                      ×
                    </Button>
                  </div>
                ))}
                <Button type="dashed" block onClick={() => add({ departmentId: undefined, title: "" })}>
                  {t("members.addPosition")}
                </Button>
              </>
            )}
          </Form.List>
        </Form.Item>
        <Form.Item name="roleIds" label={t("members.field.roles")}>
          <Select
            mode="multiple"
            data-testid="edit-roles"
            options={(roles.data ?? []).map((r) => ({ value: r.id, label: r.name }))}
            loading={roles.isPending}
          />
        </Form.Item>
        <div className="orgdesk-form-row">
          <Form.Item name="employeeId" label={t("members.field.employeeId")}>
            <Input data-testid="edit-employee-id" />
          </Form.Item>
          <Form.Item name="workLocation" label={t("members.field.workLocation")}>
            <Input data-testid="edit-work-location" />
          </Form.Item>
        </div>
        <Form.Item name="orgEmail" label={t("members.field.orgEmail")} style={{ marginBottom: 0 }}>
          <Input data-testid="edit-org-email" />
        </Form.Item>
      </Form>
    </Modal>
  );
}

/** Remove a member: directly when Not Joined, else after choosing who receives what they own. */
export function RemoveDialog({ member, onClose, onRemoved }: { member: MemberTarget; onClose: () => void; onRemoved: () => void }) {
  const { t } = useTranslation();
  const { message } = AntApp.useApp();
  const invalidate = useInvalidateDirectory();
  const direct = member.status === "not_joined";
  const [search, setSearch] = useState("");
  const [recipient, setRecipient] = useState<number | null>(null);
  const [error, setError] = useState<string | null>(null);
  const preview = useQuery({
    queryKey: api.queryKeys.transferPreview(member.id),
    queryFn: () => api.transferPreview(member.id),
    enabled: !direct,
    staleTime: 0,
  });
  const candidatesQuery = {
    departmentId: null,
    includeSubDepartments: true,
    status: "enabled" as const,
    search: search.trim() || null,
    offset: 0,
    limit: 50,
  };
  const candidates = useQuery({
    queryKey: api.queryKeys.members(candidatesQuery),
    queryFn: () => api.listMembers(candidatesQuery),
    enabled: !direct,
  });
  const remove = useMutation<null, CommandError, number | null>({
    mutationFn: (to) => api.removeMember(member.id, to),
    onSuccess: () => {
      invalidate();
      void message.success(t("members.removed", { name: member.name }));
      onRemoved();
      onClose();
    },
    onError: (e) => setError(applyServerError(t, null, e, []) ?? errorText(t, e)),
  });
  const p = preview.data;
  return (
    <Modal
      open
      data-testid="remove-dialog"
      title={t("members.removeTitle", { name: member.name })}
      onCancel={onClose}
      destroyOnHidden
      footer={[
        <Button key="cancel" onClick={onClose}>
          {t("common.cancel")}
        </Button>,
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
                  { key: "req", label: t("members.transfer.requests"), children: p.joinRequestsAssigned },
                ]}
              />
            )}
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
    </Modal>
  );
}
