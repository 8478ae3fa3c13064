import { App as AntApp, Alert, Button, Form, Input, Tag } from "antd";
import { useMemo, useState } from "react";
import { useTranslation } from "react-i18next";

import type { MemberDetails } from "../../bindings/MemberDetails";
import type { MemberPatch } from "../../bindings/MemberPatch";
import { CancelButton } from "../../components/CancelButton";
import { Dialog } from "../../components/Dialog";
import { applyServerError, requiredRule } from "../../components/forms";
import { DepartmentSelect } from "../departments/DepartmentSelect";
import { useDepartmentTree } from "../departments/queries";
import { deptOptions } from "../departments/tree";
import { RolesSelect } from "../settings/RolesSelect";
import { useUpdateMember } from "./queries";

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

export function EditMemberModal({ member, onClose }: { member: MemberDetails; onClose: () => void }) {
  const { t } = useTranslation();
  const { message } = AntApp.useApp();
  const tree = useDepartmentTree();
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

  const save = useUpdateMember(member.id, {
    onSuccess: (outcome) => {
      void message.success(t("members.saved", { name: member.name }));
      if (outcome.mustSignInAgain) setRelogin(true);
      else onClose();
    },
    onKept: onClose,
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
    <Dialog
      width={640}
      title={t("members.editTitle", { name: member.name })}
      onClose={onClose}
      footer={
        relogin
          ? [
              <Button key="ok" type="primary" onClick={onClose}>
                {t("common.close")}
              </Button>,
            ]
          : [
              <CancelButton key="cancel" onClick={onClose} />,
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
        <Form.Item name="name" label={t("members.field.name")} rules={[requiredRule(t)]}>
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
                      <DepartmentSelect
                        style={{ flex: 1, minWidth: 0 }}
                        treeData={treeData}
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
          <RolesSelect
            data-testid="edit-roles"
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
    </Dialog>
  );
}
