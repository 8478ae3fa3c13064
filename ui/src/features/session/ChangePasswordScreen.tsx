import { App as AntApp, Button, Card, Typography } from "antd";
import { useTranslation } from "react-i18next";

import type { Session } from "../../bindings/Session";
import { LanguageSwitch } from "../../components/LanguageSwitch";
import { errorText } from "../../errors";
import { ChangePasswordForm } from "./ChangePasswordForm";
import { useSignOut } from "./queries";

/**
 * After signing in with a password another admin set and asked to be changed: nothing else
 * until the admin has chosen their own (the commands refuse everything else meanwhile).
 */
export function ChangePasswordScreen({ session, onSignedOut }: { session: Session; onSignedOut: (username: string) => void }) {
  const { t } = useTranslation();
  const { message } = AntApp.useApp();
  const signOut = useSignOut(
    () => onSignedOut(session.username),
    (error) => void message.error(errorText(t, error)),
  );
  return (
    <div className="orgdesk-center">
      <Card className="orgdesk-auth-card" variant="outlined" extra={<LanguageSwitch />} title={t("app.name")} data-testid="must-change-password">
        <Typography.Title level={3} style={{ marginTop: 0 }}>
          {t("changePassword.requiredTitle")}
        </Typography.Title>
        <Typography.Paragraph type="secondary">{t("changePassword.requiredIntro")}</Typography.Paragraph>
        <ChangePasswordForm session={session} onChanged={() => void message.success(t("changePassword.done"))} />
        <Button type="link" block style={{ marginTop: 8 }} onClick={() => signOut.mutate()} data-testid="must-change-sign-out">
          {t("changePassword.signOut")}
        </Button>
      </Card>
    </div>
  );
}
