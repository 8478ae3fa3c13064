import { Alert, Form, Input } from "antd";
import { useState } from "react";
import { useTranslation } from "react-i18next";

import type { CommandError } from "../../bindings/CommandError";
import type { SetupInput } from "../../bindings/SetupInput";
import { maxCharsRule, requiredRule } from "../../components/forms";
import { detailText, errorText, splitDetails } from "../../errors";
import { NAME_MAX, USERNAME_PATTERN } from "../../password";
import { AuthCard, SubmitButton } from "./AuthCard";
import { NewPasswordFields } from "./NewPasswordFields";
import { useSetupOrganization } from "./queries";

const FIELDS = ["organizationName", "adminName", "username", "password", "passwordConfirm"] as const;

/** First run: create the organization (and its root department) and the first admin. */
export function SetupScreen({ onCreated }: { onCreated: (username: string) => void }) {
  const { t } = useTranslation();
  const [form] = Form.useForm<SetupInput>();
  const [formError, setFormError] = useState<string | null>(null);
  const username = Form.useWatch("username", form) ?? "";

  const setup = useSetupOrganization(
    (input) => onCreated(input.username),
    (error) => {
      const { byField, other } = splitDetails(error, FIELDS);
      form.setFields(
        [...byField].map(([name, codes]) => ({
          name: name as keyof SetupInput,
          errors: codes.map((code) => detailText(t, { field: name, code, reason: reasonFor(error, name, code) })),
        })),
      );
      const rest = other.map((d) => detailText(t, d));
      setFormError(byField.size > 0 && rest.length === 0 ? null : [errorText(t, error), ...rest].join(" "));
    },
  );

  const required = requiredRule(t, t("setup.rule.required"));
  const maxChars = maxCharsRule(NAME_MAX, t("setup.rule.tooLong", { max: NAME_MAX }));

  const submit = (values: SetupInput) => {
    setFormError(null);
    setup.mutate({
      organizationName: values.organizationName.trim(),
      adminName: values.adminName.trim(),
      username: values.username.trim(),
      password: values.password,
      passwordConfirm: values.passwordConfirm,
    });
  };

  return (
    <AuthCard title={t("setup.title")} intro={t("setup.subtitle")}>
      {formError && (
        <Alert type="error" showIcon title={formError} data-testid="setup-error" style={{ marginBottom: 16 }} />
      )}
      <Form<SetupInput>
        form={form}
        layout="vertical"
        requiredMark={false}
        onFinish={submit}
        disabled={setup.isPending}
        validateTrigger="onBlur"
      >
        <Form.Item
          name="organizationName"
          label={t("setup.organizationName")}
          extra={t("setup.organizationNameHint")}
          rules={[required, maxChars]}
        >
          <Input data-testid="setup-org-name" autoFocus autoComplete="organization" />
        </Form.Item>
        <Form.Item name="adminName" label={t("setup.adminName")} rules={[required, maxChars]}>
          <Input data-testid="setup-admin-name" autoComplete="name" />
        </Form.Item>
        <Form.Item
          name="username"
          label={t("setup.username")}
          extra={t("setup.usernameHint")}
          rules={[required, { pattern: USERNAME_PATTERN, message: t("setup.rule.username") }]}
        >
          <Input data-testid="setup-username" autoComplete="username" spellCheck={false} />
        </Form.Item>
        <NewPasswordFields
          label={t("setup.password")}
          confirmLabel={t("setup.passwordConfirm")}
          username={username}
          testIdPrefix="setup"
        />
        <SubmitButton loading={setup.isPending} testId="setup-submit">
          {t("setup.submit")}
        </SubmitButton>
      </Form>
    </AuthCard>
  );
}

function reasonFor(error: CommandError, field: string, code: string): string {
  return error.details.find((d) => d.field === field && d.code === code)?.reason ?? "";
}
