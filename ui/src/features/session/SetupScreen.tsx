import { Alert, Button, Form, Input } from "antd";
import { useState } from "react";
import { useTranslation } from "react-i18next";

import type { CommandError } from "../../bindings/CommandError";
import type { SetupInput } from "../../bindings/SetupInput";
import { UsernameField } from "../../components/UsernameField";
import { maxCharsRule, requiredRule } from "../../components/forms";
import { detailText, errorText, splitDetails } from "../../errors";
import { NAME_MAX } from "../../password";
import { JoinTeamForm } from "../team/JoinTeamForm";
import { AuthCard, SubmitButton } from "./AuthCard";
import { NewPasswordFields } from "./NewPasswordFields";
import { useSetupOrganization } from "./queries";

const FIELDS = ["organizationName", "adminName", "username", "password", "passwordConfirm"] as const;

type Props = {
  onCreated: (username: string) => void;
  /** This computer joined its organization's team: the sign-in screen follows. */
  onJoined: (username: string) => void;
};

/**
 * First run: create the organization (and its root department) and the first admin, or join
 * the organization's team from a computer another admin enrolled.
 */
export function SetupScreen({ onCreated, onJoined }: Props) {
  const { t } = useTranslation();
  const [joining, setJoining] = useState(false);
  if (joining) {
    return (
      <AuthCard title={t("team.join.title")} intro={t("team.join.intro")} testId="join-team">
        <JoinTeamForm onJoined={onJoined} />
        <Button type="link" block onClick={() => setJoining(false)} data-testid="setup-create-instead" style={{ marginTop: 8 }}>
          {t("team.join.createInstead")}
        </Button>
      </AuthCard>
    );
  }
  return <CreateOrganization onCreated={onCreated} onJoin={() => setJoining(true)} />;
}

function CreateOrganization({ onCreated, onJoin }: { onCreated: (username: string) => void; onJoin: () => void }) {
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

  const required = requiredRule(t);
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
        <UsernameField
          label={t("setup.username")}
          testId="setup-username"
          autoComplete="username"
        />
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
      <Button type="link" block onClick={onJoin} data-testid="setup-join-team" style={{ marginTop: 8 }}>
        {t("team.join.instead")}
      </Button>
    </AuthCard>
  );
}

function reasonFor(error: CommandError, field: string, code: string): string {
  return error.details.find((d) => d.field === field && d.code === code)?.reason ?? "";
}
