import { Alert, Form, Input } from "antd";
import { useState } from "react";
import { useTranslation } from "react-i18next";

import type { Session } from "../../bindings/Session";
import { applyServerError } from "../../components/forms";
import { SubmitButton } from "./AuthCard";
import { NewPasswordFields } from "./NewPasswordFields";
import { useChangeOwnPassword } from "./queries";

type Values = { currentPassword: string; newPassword: string; newPasswordConfirm: string };
const FIELDS = ["currentPassword", "newPassword"] as const;

/** The signed-in admin's own password: the current one, then a new one twice under the policy. */
export function ChangePasswordForm({ session, onChanged }: { session: Session; onChanged: (session: Session) => void }) {
  const { t } = useTranslation();
  const [form] = Form.useForm<Values>();
  const [formError, setFormError] = useState<string | null>(null);
  const change = useChangeOwnPassword(onChanged, (error) => setFormError(applyServerError(t, form, error, FIELDS)));
  return (
    <Form<Values>
      form={form}
      layout="vertical"
      requiredMark={false}
      disabled={change.isPending}
      onFinish={(v) => {
        setFormError(null);
        change.mutate({ currentPassword: v.currentPassword, newPassword: v.newPassword });
      }}
      data-testid="change-password-form"
    >
      {formError && <Alert type="error" showIcon role="alert" title={formError} style={{ marginBottom: 16 }} data-testid="change-password-error" />}
      <input type="hidden" autoComplete="username" value={session.username} readOnly />
      <Form.Item name="currentPassword" label={t("changePassword.current")} rules={[{ required: true, message: t("common.required") }]}>
        <Input.Password data-testid="change-password-current" autoComplete="current-password" autoFocus />
      </Form.Item>
      <NewPasswordFields
        name="newPassword"
        confirmName="newPasswordConfirm"
        label={t("changePassword.new")}
        confirmLabel={t("changePassword.confirm")}
        username={session.username}
        testIdPrefix="change-new"
      />
      <SubmitButton loading={change.isPending} testId="change-password-submit">
        {t("changePassword.submit")}
      </SubmitButton>
    </Form>
  );
}
