import { App as AntApp, Alert, Button, Form, Input, Steps } from "antd";
import { useEffect, useMemo, useState } from "react";
import { useTranslation } from "react-i18next";

import { CancelButton } from "../../components/CancelButton";
import { Dialog } from "../../components/Dialog";
import { UsernameField } from "../../components/UsernameField";
import { applyServerError, requiredRule } from "../../components/forms";
import { NAME_MAX, checkPassword } from "../../password";
import { DepartmentSelect } from "../departments/DepartmentSelect";
import { useDepartmentTree } from "../departments/queries";
import { deptOptions } from "../departments/tree";
import { PasswordPolicy } from "../session/PasswordPolicy";
import { RolesSelect } from "../settings/RolesSelect";
import { useRoles } from "../settings/queries";
import { useAddMember } from "./queries";

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

  const add = useAddMember({
    onSuccess: (id, input) => {
      void message.success(t("members.added", { name: input.name }));
      onAdded(id, input.name);
      onClose();
    },
    onKept: onClose,
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
    <Dialog
      width={600}
      title={t("members.wizard.title")}
      onClose={onClose}
      mask={{ closable: false }}
      footer={
        step === 0
          ? [
              <CancelButton key="cancel" onClick={onClose} />,
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
              requiredRule(t),
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
            <DepartmentSelect
              data-testid="wizard-departments"
              multiple
              treeData={treeData}
            />
          </Form.Item>
          <Form.Item name="position" label={t("members.field.position")}>
            <Input data-testid="wizard-position" placeholder={t("common.optional")} />
          </Form.Item>
          <Form.Item name="roleIds" label={t("members.field.roles")} style={{ marginBottom: 0 }}>
            <RolesSelect
              data-testid="wizard-roles"
            />
          </Form.Item>
        </div>
        <div style={{ display: step === 1 ? "block" : "none" }}>
          <UsernameField label={t("members.field.username")} testId="wizard-username" autoComplete="off" />
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
    </Dialog>
  );
}
