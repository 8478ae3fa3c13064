import { App as AntApp, Alert, Checkbox, Form, Typography } from "antd";
import { useState } from "react";
import { useTranslation } from "react-i18next";

import { Dialog } from "../../components/Dialog";
import { applyServerError } from "../../components/forms";
import { NewPasswordFields } from "../session/NewPasswordFields";
import { useSetMemberPassword } from "./queries";

type Values = { password: string; passwordConfirm: string; mustChange: boolean };
const FIELDS = ["password"] as const;

export type PasswordTarget = { id: number; name: string; username: string };

/**
 * "Set password": an admin gives a member a new password, by default one to be changed at the
 * next sign-in. The policy is shown as it is typed; the core checks it again.
 */
export function SetPasswordDialog({ member, onClose }: { member: PasswordTarget; onClose: () => void }) {
  const { t } = useTranslation();
  const { message } = AntApp.useApp();
  const [form] = Form.useForm<Values>();
  const [formError, setFormError] = useState<string | null>(null);
  const set = useSetMemberPassword(member.id, {
    onSuccess: () => {
      void message.success(t("setPassword.done", { name: member.name }));
      onClose();
    },
    onError: (error) => {
      // Field problems go under their field; a refusal (oneself, a Super Admin's) says why.
      const text = applyServerError(t, form, error, FIELDS);
      setFormError(text === null ? null : error.message || text);
    },
  });
  return (
    <Dialog
      title={t("setPassword.title", { name: member.name })}
      onClose={onClose}
      okText={t("setPassword.submit")}
      okButtonProps={{ "data-testid": "set-password-submit", loading: set.isPending }}
      onOk={() => form.submit()}
      data-testid="set-password-dialog"
    >
      <Typography.Paragraph type="secondary">{t("setPassword.intro", { name: member.name })}</Typography.Paragraph>
      {formError && <Alert type="error" showIcon role="alert" title={formError} style={{ marginBottom: 16 }} data-testid="set-password-error" />}
      <Form<Values>
        form={form}
        layout="vertical"
        requiredMark={false}
        disabled={set.isPending}
        initialValues={{ password: "", passwordConfirm: "", mustChange: true }}
        onFinish={(v) => {
          setFormError(null);
          set.mutate({ password: v.password, mustChange: v.mustChange });
        }}
      >
        <input type="hidden" autoComplete="username" value={member.username} readOnly />
        <NewPasswordFields
          label={t("setPassword.password")}
          confirmLabel={t("setPassword.confirm")}
          username={member.username}
          testIdPrefix="set"
        />
        <Form.Item name="mustChange" valuePropName="checked" extra={t("setPassword.mustChangeHint", { name: member.name })} style={{ marginBottom: 8 }}>
          <Checkbox data-testid="set-password-must-change">{t("setPassword.mustChange")}</Checkbox>
        </Form.Item>
        <Typography.Text type="secondary">{t("setPassword.passOn")}</Typography.Text>
      </Form>
    </Dialog>
  );
}
