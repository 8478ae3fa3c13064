import { Alert, Button, Card, Form, Input, Typography } from "antd";
import { useTranslation } from "react-i18next";

import type { Session } from "../../bindings/Session";
import type { SignInInput } from "../../bindings/SignInInput";
import { LanguageSwitch } from "../../components/LanguageSwitch";
import { errorText } from "../../errors";
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
    <div className="orgdesk-center">
      <Card className="orgdesk-auth-card" variant="outlined" extra={<LanguageSwitch />} title={t("app.name")}>
        <Typography.Title level={3} style={{ marginTop: 0 }}>
          {t("signIn.title")}
        </Typography.Title>
        <Typography.Paragraph type="secondary">{t("signIn.subtitle")}</Typography.Paragraph>
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
          <Form.Item style={{ marginBottom: 0 }}>
            <Button type="primary" htmlType="submit" block loading={signIn.isPending} data-testid="signin-submit">
              {t("signIn.submit")}
            </Button>
          </Form.Item>
        </Form>
      </Card>
    </div>
  );
}
