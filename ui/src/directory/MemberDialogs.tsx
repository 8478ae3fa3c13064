import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { App as AntApp, Alert, Button, Checkbox, Drawer, Form, Input, Modal, Radio, Select, Steps, Table, TreeSelect, Typography } from "antd";
import { memo, useEffect, useMemo, useState } from "react";
import { useTranslation } from "react-i18next";

import * as api from "../api";
import { errorText } from "../errors";
import type { BatchChange } from "../bindings/BatchChange";
import type { BatchOutcome } from "../bindings/BatchOutcome";
import type { CommandError } from "../bindings/CommandError";
import type { FormerMember } from "../bindings/FormerMember";
import type { NewInvitee } from "../bindings/NewInvitee";
import type { NewMember } from "../bindings/NewMember";
import type { Selection } from "../bindings/Selection";
import { NAME_MAX, USERNAME_PATTERN, checkPassword } from "../password";
import { PasswordPolicy } from "../screens/SetupScreen";
import { applyServerError, dash, deptOptions, formatTime, useDepartmentTree, useInvalidateDirectory, useRoles } from "./shared";

const STEP1 = ["name", "departments", "position", "roleIds"] as const;
const STEP2 = ["username", "password", "email"] as const;

type WizardValues = {
  name: string;
  departments: number[];
  position: string;
  roleIds: number[];
  username: string;
  password: string;
  email: string;
};

/** "Add member by username and password": two steps, saved as Enabled. */
export function AddMemberWizard({
  departmentId,
  onClose,
  onAdded,
}: {
  departmentId: number;
  onClose: () => void;
  onAdded: (id: number, name: string) => void;
}) {
  const { t } = useTranslation();
  const { message } = AntApp.useApp();
  const invalidate = useInvalidateDirectory();
  const tree = useDepartmentTree();
  const roles = useRoles();
  const [form] = Form.useForm<WizardValues>();
  const [step, setStep] = useState(0);
  const [error, setError] = useState<string | null>(null);
  const password = Form.useWatch("password", form) ?? "";
  const username = Form.useWatch("username", form) ?? "";
  const treeData = useMemo(() => (tree.data ? deptOptions(tree.data) : []), [tree.data]);
  const memberRole = roles.data?.find((r) => r.builtin && r.name === "Member");
  const defaultRoles = memberRole ? [memberRole.id] : [];

  // The roles arrive after the dialog opens: default to Member unless the admin already chose.
  const memberRoleId = memberRole?.id;
  useEffect(() => {
    if (memberRoleId !== undefined && !form.isFieldTouched("roleIds") && (form.getFieldValue("roleIds") ?? []).length === 0) {
      form.setFieldValue("roleIds", [memberRoleId]);
    }
  }, [memberRoleId, form]);

  const add = useMutation<number, CommandError, NewMember>({
    mutationFn: api.addMember,
    onSuccess: (id, input) => {
      invalidate();
      void message.success(t("members.added", { name: input.name }));
      onAdded(id, input.name);
      onClose();
    },
    onError: (e) => {
      const fieldMap: Record<string, string> = { positions: "departments", mobile: "email" };
      const text = applyServerError(t, form, e, [...STEP1, ...STEP2], fieldMap);
      const fields = e.details.map((d) => (d.field ? (fieldMap[d.field] ?? d.field) : ""));
      if (fields.some((f) => (STEP1 as readonly string[]).includes(f)) && !fields.some((f) => (STEP2 as readonly string[]).includes(f))) {
        setStep(0);
      }
      setError(text);
    },
  });

  const next = async () => {
    try {
      await form.validateFields([...STEP1]);
      setError(null);
      setStep(1);
    } catch {
      // the fields show what is missing
    }
  };

  const finish = async () => {
    try {
      await form.validateFields([...STEP2]);
    } catch {
      return;
    }
    const v = form.getFieldsValue(true) as WizardValues;
    setError(null);
    const title = (v.position ?? "").trim() || null;
    add.mutate({
      name: v.name.trim(),
      positions: v.departments.map((d, i) => ({ departmentId: d, title: i === 0 ? title : null })),
      roleIds: v.roleIds ?? [],
      username: v.username.trim(),
      password: v.password,
      email: (v.email ?? "").trim() || null,
      mobile: null,
    });
  };

  return (
    <Modal
      open
      width={600}
      title={t("members.wizard.title")}
      onCancel={onClose}
      destroyOnHidden
      mask={{ closable: false }}
      footer={
        step === 0
          ? [
              <Button key="cancel" onClick={onClose}>
                {t("common.cancel")}
              </Button>,
              <Button key="next" type="primary" data-testid="wizard-next" onClick={() => void next()}>
                {t("members.wizard.next")}
              </Button>,
            ]
          : [
              <Button key="back" data-testid="wizard-back" onClick={() => setStep(0)}>
                {t("members.wizard.back")}
              </Button>,
              <Button key="finish" type="primary" data-testid="wizard-finish" loading={add.isPending} onClick={() => void finish()}>
                {t("members.wizard.finish")}
              </Button>,
            ]
      }
    >
      <Steps
        size="small"
        current={step}
        style={{ marginBottom: 20 }}
        items={[{ title: t("members.wizard.step1") }, { title: t("members.wizard.step2") }]}
      />
      {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 12 }} data-testid="wizard-error" />}
      <Form<WizardValues>
        form={form}
        layout="vertical"
        requiredMark={false}
        preserve
        initialValues={{ departments: [departmentId], roleIds: defaultRoles, position: "", email: "" }}
      >
        <div style={{ display: step === 0 ? "block" : "none" }}>
          <Form.Item
            name="name"
            label={t("members.field.name")}
            rules={[
              { required: true, whitespace: true, message: t("common.required") },
              { max: NAME_MAX, message: t("common.tooLong", { max: NAME_MAX }) },
            ]}
          >
            <Input data-testid="wizard-name" autoFocus />
          </Form.Item>
          <Form.Item
            name="departments"
            label={t("members.field.departments")}
            extra={t("members.wizard.primaryHint")}
            rules={[{ required: true, type: "array", min: 1, message: t("common.required") }]}
          >
            <TreeSelect
              data-testid="wizard-departments"
              multiple
              treeData={treeData}
              treeDefaultExpandAll
              showSearch
              treeNodeFilterProp="title"
            />
          </Form.Item>
          <Form.Item name="position" label={t("members.field.position")}>
            <Input data-testid="wizard-position" placeholder={t("common.optional")} />
          </Form.Item>
          <Form.Item name="roleIds" label={t("members.field.roles")} style={{ marginBottom: 0 }}>
            <Select
              mode="multiple"
              data-testid="wizard-roles"
              options={(roles.data ?? []).map((r) => ({ value: r.id, label: r.name }))}
              loading={roles.isPending}
            />
          </Form.Item>
        </div>
        <div style={{ display: step === 1 ? "block" : "none" }}>
          <Form.Item
            name="username"
            label={t("members.field.username")}
            extra={t("setup.usernameHint")}
            rules={[
              { required: true, whitespace: true, message: t("common.required") },
              { pattern: USERNAME_PATTERN, message: t("setup.rule.username") },
            ]}
          >
            <Input data-testid="wizard-username" spellCheck={false} autoComplete="off" />
          </Form.Item>
          <Form.Item
            name="password"
            label={t("members.field.password")}
            extra={<PasswordPolicy password={password} username={username} />}
            rules={[
              { required: true, message: t("common.required") },
              {
                validator: (_r, value: string | undefined) =>
                  !value || checkPassword(value, form.getFieldValue("username") ?? "").ok
                    ? Promise.resolve()
                    : Promise.reject(new Error(t("setup.rule.password"))),
              },
            ]}
          >
            <Input.Password data-testid="wizard-password" autoComplete="new-password" />
          </Form.Item>
          <Form.Item name="email" label={t("members.field.email")} rules={[{ type: "email", message: t("errors.detail.invalid_email") }]} style={{ marginBottom: 0 }}>
            <Input data-testid="wizard-email" placeholder={t("common.optional")} />
          </Form.Item>
        </div>
      </Form>
    </Modal>
  );
}

export type InviteePrefill = { name?: string; email?: string | null; mobile?: string | null };

type InviteeValues = {
  name: string;
  channel: "email" | "mobile";
  email: string;
  mobile: string;
  departmentId: number;
  position: string;
  sendNow: boolean;
};

/** "Add user for invitation": saved as Not Joined. */
export function InviteeModal({
  departmentId,
  prefill,
  onClose,
  onAdded,
}: {
  departmentId: number;
  prefill?: InviteePrefill;
  onClose: () => void;
  onAdded: (id: number) => void;
}) {
  const { t } = useTranslation();
  const { message } = AntApp.useApp();
  const invalidate = useInvalidateDirectory();
  const queryClient = useQueryClient();
  const tree = useDepartmentTree();
  const settings = useQuery({ queryKey: api.queryKeys.settings, queryFn: api.getSettings });
  const [form] = Form.useForm<InviteeValues>();
  const [error, setError] = useState<string | null>(null);
  const channel = Form.useWatch("channel", form) ?? (prefill?.email || !prefill?.mobile ? "email" : "mobile");
  const treeData = useMemo(() => (tree.data ? deptOptions(tree.data) : []), [tree.data]);
  const add = useMutation<number, CommandError, { input: NewInvitee; sendNow: boolean }>({
    mutationFn: async ({ input, sendNow }) => {
      const id = await api.addInvitee(input);
      if (sendNow) {
        try {
          await api.inviteMembers([id], input.email ? "email" : "sms");
        } catch (e) {
          // The member is saved; say why the invitation was not, and let the admin resend.
          void message.warning(errorText(t, api.toCommandError(e)));
        }
      }
      return id;
    },
    onSuccess: (id, { input, sendNow }) => {
      invalidate();
      void queryClient.invalidateQueries({ queryKey: api.queryKeys.invitationsAll });
      void message.success(t(sendNow ? "members.invitee.addedAndInvited" : "members.invitee.added", { name: input.name }));
      onAdded(id);
      onClose();
    },
    onError: (e) => setError(applyServerError(t, form, e, ["name", "email", "mobile", "departmentId", "position"], { department: "departmentId", positions: "departmentId" })),
  });
  return (
    <Modal
      open
      title={t("members.invitee.title")}
      onCancel={onClose}
      destroyOnHidden
      footer={[
        <Button key="cancel" onClick={onClose}>
          {t("common.cancel")}
        </Button>,
        <Button key="save" type="primary" data-testid="invitee-save" loading={add.isPending} onClick={() => form.submit()}>
          {t("common.save")}
        </Button>,
      ]}
    >
      {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 12 }} />}
      <Form<InviteeValues>
        form={form}
        layout="vertical"
        requiredMark={false}
        initialValues={{
          name: prefill?.name ?? "",
          channel: prefill?.email || !prefill?.mobile ? "email" : "mobile",
          email: prefill?.email ?? "",
          mobile: prefill?.mobile ?? "",
          departmentId,
          position: "",
          sendNow: true,
        }}
        onFinish={(v) => {
          setError(null);
          add.mutate({
            input: {
              name: v.name.trim(),
              email: v.channel === "email" ? v.email.trim() : null,
              mobile: v.channel === "mobile" ? v.mobile.trim() : null,
              departmentId: v.departmentId,
              position: (v.position ?? "").trim() || null,
            },
            sendNow: v.sendNow,
          });
        }}
      >
        <Form.Item name="name" label={t("members.field.name")} rules={[{ required: true, whitespace: true, message: t("common.required") }]}>
          <Input data-testid="invitee-name" autoFocus />
        </Form.Item>
        <Form.Item name="channel" label={t("members.invitee.contact")} style={{ marginBottom: 8 }}>
          <Radio.Group
            optionType="button"
            size="small"
            options={[
              { value: "email", label: <span data-testid="invitee-channel-email">{t("members.field.email")}</span> },
              { value: "mobile", label: <span data-testid="invitee-channel-mobile">{t("members.field.mobile")}</span> },
            ]}
          />
        </Form.Item>
        {channel === "email" ? (
          <Form.Item
            name="email"
            rules={[
              { required: true, whitespace: true, message: t("common.required") },
              { type: "email", message: t("errors.detail.invalid_email") },
            ]}
          >
            <Input data-testid="invitee-email" placeholder="name@example.com" />
          </Form.Item>
        ) : (
          <Form.Item
            name="mobile"
            extra={t("members.invitee.mobileHint", { region: settings.data?.defaultRegion ?? "—" })}
            rules={[{ required: true, whitespace: true, message: t("common.required") }]}
          >
            <Input data-testid="invitee-mobile" placeholder="+1 555 0100" />
          </Form.Item>
        )}
        <Form.Item name="departmentId" label={t("members.field.department")} rules={[{ required: true, message: t("common.required") }]}>
          <TreeSelect data-testid="invitee-department" treeData={treeData} treeDefaultExpandAll showSearch treeNodeFilterProp="title" />
        </Form.Item>
        <Form.Item name="position" label={t("members.field.position")}>
          <Input data-testid="invitee-position" placeholder={t("common.optional")} />
        </Form.Item>
        <Form.Item name="sendNow" valuePropName="checked" style={{ marginBottom: 0 }} extra={t("members.invitee.note")}>
          <Checkbox data-testid="invitee-send-now">{t("members.invitee.sendNow")}</Checkbox>
        </Form.Item>
      </Form>
    </Modal>
  );
}

type BatchField = "department" | "position" | "workLocation";

/** Batch edit: one field for every selected member, in one transaction. */
export function BatchEditModal({
  selection,
  count,
  onClose,
  onDone,
}: {
  selection: Selection;
  count: number;
  onClose: () => void;
  onDone: (outcome: BatchOutcome) => void;
}) {
  const { t } = useTranslation();
  const { message } = AntApp.useApp();
  const invalidate = useInvalidateDirectory();
  const tree = useDepartmentTree();
  const [field, setField] = useState<BatchField>("department");
  const [dept, setDept] = useState<number | undefined>(undefined);
  const [text, setText] = useState("");
  const treeData = useMemo(() => (tree.data ? deptOptions(tree.data) : []), [tree.data]);
  const run = useMutation<BatchOutcome, CommandError, BatchChange>({
    mutationFn: (change) => api.batchUpdate(selection, change),
    onSuccess: (outcome) => {
      invalidate();
      onDone(outcome);
      onClose();
    },
    onError: (e) => void message.error(applyServerError(t, null, e, []) ?? ""),
  });
  const ready = field === "department" ? dept !== undefined : field === "position" ? text.trim() !== "" : true;
  const submit = () => {
    if (field === "department" && dept !== undefined) run.mutate({ kind: "setDepartment", department_id: dept, title: null });
    else if (field === "position") run.mutate({ kind: "setPosition", title: text.trim() });
    else if (field === "workLocation") run.mutate({ kind: "setWorkLocation", work_location: text.trim() });
  };
  return (
    <Modal
      open
      title={t("batch.editTitle", { count })}
      onCancel={onClose}
      destroyOnHidden
      footer={[
        <Button key="cancel" onClick={onClose}>
          {t("common.cancel")}
        </Button>,
        <Button key="ok" type="primary" data-testid="batch-ok" disabled={!ready} loading={run.isPending} onClick={submit}>
          {t("batch.apply")}
        </Button>,
      ]}
    >
      <Form layout="vertical" requiredMark={false}>
        <Form.Item label={t("batch.field")}>
          <Select<BatchField>
            data-testid="batch-field"
            value={field}
            onChange={(v) => {
              setField(v);
              setText("");
            }}
            options={[
              { value: "department", label: t("batch.fields.department") },
              { value: "position", label: t("batch.fields.position") },
              { value: "workLocation", label: t("batch.fields.workLocation") },
            ]}
          />
        </Form.Item>
        <Form.Item
          label={t("batch.value")}
          extra={field === "department" ? t("batch.departmentHint") : field === "position" ? t("batch.positionHint") : t("batch.locationHint")}
          style={{ marginBottom: 0 }}
        >
          {field === "department" ? (
            <TreeSelect
              data-testid="batch-value"
              treeData={treeData}
              value={dept}
              onChange={(v: number) => setDept(v)}
              treeDefaultExpandAll
              showSearch
              treeNodeFilterProp="title"
            />
          ) : (
            <Input data-testid="batch-value" value={text} onChange={(e) => setText(e.target.value)} />
          )}
        </Form.Item>
      </Form>
    </Modal>
  );
}

/** What a batch did: how many changed, and which could not, with the reason. */
function BatchResultModalView({ outcome, onClose }: { outcome: BatchOutcome | null; onClose: () => void }) {
  const { t } = useTranslation();
  return (
    <Modal
      open={outcome !== null}
      data-testid="batch-result"
      title={t("batch.resultTitle")}
      onCancel={onClose}
      footer={[
        <Button key="ok" type="primary" data-testid="batch-result-ok" onClick={onClose}>
          {t("common.close")}
        </Button>,
      ]}
    >
      {outcome && (
        <>
          <Alert
            type={outcome.skipped.length > 0 ? "warning" : "success"}
            showIcon
            data-testid="batch-result-summary"
            title={t("batch.summary", { changed: outcome.changed, unchanged: outcome.unchanged })}
            style={{ marginBottom: outcome.skipped.length > 0 ? 12 : 0 }}
          />
          {outcome.skipped.length > 0 && (
            <>
              <Typography.Text strong>{t("batch.skipped", { count: outcome.skipped.length })}</Typography.Text>
              <ul className="orgdesk-plain-list" data-testid="batch-skipped">
                {outcome.skipped.map((s) => (
                  <li key={s.id} data-testid={`batch-skipped-${s.id}`}>
                    <Typography.Text strong>{s.name}</Typography.Text>
                    <Typography.Text type="secondary">{s.reason}</Typography.Text>
                  </li>
                ))}
              </ul>
            </>
          )}
        </>
      )}
    </Modal>
  );
}

/** People removed from the organization, kept as contacts; they can be invited again. */
function FormerMembersDrawerView({ open, onClose, onInvite }: { open: boolean; onClose: () => void; onInvite: (m: FormerMember) => void }) {
  const { t, i18n } = useTranslation();
  const former = useQuery({ queryKey: api.queryKeys.formerMembers, queryFn: api.formerMembers, enabled: open });
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

export const BatchResultModal = memo(BatchResultModalView);
export const FormerMembersDrawer = memo(FormerMembersDrawerView);
