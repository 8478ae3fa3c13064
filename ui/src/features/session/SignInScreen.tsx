import { Alert, Form, Input } from "antd";
import { useTranslation } from "react-i18next";

import type { Session } from "../../bindings/Session";
import type { SignInInput } from "../../bindings/SignInInput";
import { errorText } from "../../errors";
import { AuthCard, SubmitButton } from "./AuthCard";
import { useSignIn } from "./queries";

type Props = {
  initialUsername: string;
  /** The organization was just created: say so above the form. */
  created: boolean;
  onSignedIn: (session: Session) => void;
};

export function SignInScreen({ initialUsername, created, onSignedIn }: Props) {
  const { t } = useTranslation();
  const [form] = Form.useForm<SignInInput>();

  const signIn = useSignIn(onSignedIn, () => form.setFieldValue("password", ""));

  const required = { required: true, message: t("signIn.required") };

  return (
    <AuthCard title={t("signIn.title")} intro={t("signIn.subtitle")}>
      {created && !signIn.isError && (
        <Alert type="success" showIcon title={t("signIn.created")} data-testid="signin-notice" style={{ marginBottom: 16 }} />
      )}
      {signIn.isError && (
        <Alert
          type="error"
          showIcon
          role="alert"
          title={errorText(t, signIn.error)}
          data-testid="signin-error"
          style={{ marginBottom: 16 }}
        />
      )}
      <Form<SignInInput>
        form={form}
        layout="vertical"
        requiredMark={false}
        initialValues={{ username: initialUsername, password: "" }}
        onFinish={(values) => signIn.mutate({ username: values.username.trim(), password: values.password })}
        disabled={signIn.isPending}
      >
        <Form.Item name="username" label={t("signIn.username")} rules={[{ ...required, whitespace: true }]}>
          <Input
            data-testid="signin-username"
            autoComplete="username"
            spellCheck={false}
            autoFocus={initialUsername === ""}
          />
        </Form.Item>
        <Form.Item name="password" label={t("signIn.password")} rules={[required]}>
          <Input.Password
            data-testid="signin-password"
            autoComplete="current-password"
            autoFocus={initialUsername !== ""}
          />
        </Form.Item>
        <SubmitButton loading={signIn.isPending} testId="signin-submit">
          {t("signIn.submit")}
        </SubmitButton>
      </Form>
    </AuthCard>
  );
}
