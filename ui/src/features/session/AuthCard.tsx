import { Button, Card, Form, Typography } from "antd";
import type { ReactNode } from "react";
import { useTranslation } from "react-i18next";

import { FontWarmup } from "../../components/FontWarmup";
import { LanguageSwitch } from "../../components/LanguageSwitch";

type Props = {
  title: string;
  intro: string;
  testId?: string;
  children: ReactNode;
};

/**
 * The card a screen before the main window stands in (set-up, sign-in, a password to change):
 * the app's name with the language switch, the screen's title and a line under it.
 */
export function AuthCard({ title, intro, testId, children }: Props) {
  const { t } = useTranslation();
  return (
    <div className="orgdesk-center">
      <Card className="orgdesk-auth-card" variant="outlined" extra={<LanguageSwitch />} title={t("app.name")} data-testid={testId}>
        <Typography.Title level={3} style={{ marginTop: 0 }}>
          {title}
        </Typography.Title>
        <Typography.Paragraph type="secondary">{intro}</Typography.Paragraph>
        {children}
      </Card>
      <FontWarmup />
    </div>
  );
}

/** The full-width button that submits one of these forms, spinning while the command runs. */
export function SubmitButton({ loading, testId, children }: { loading: boolean; testId: string; children: ReactNode }) {
  return (
    <Form.Item style={{ marginBottom: 0 }}>
      <Button type="primary" htmlType="submit" block loading={loading} data-testid={testId}>
        {children}
      </Button>
    </Form.Item>
  );
}
