import { App as AntApp, Button } from "antd";
import { useTranslation } from "react-i18next";

import type { Session } from "../../bindings/Session";
import { errorText } from "../../errors";
import { AuthCard } from "./AuthCard";
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
    <AuthCard title={t("changePassword.requiredTitle")} intro={t("changePassword.requiredIntro")} testId="must-change-password">
      <ChangePasswordForm session={session} onChanged={() => void message.success(t("changePassword.done"))} />
      <Button type="link" block style={{ marginTop: 8 }} onClick={() => signOut.mutate()} data-testid="must-change-sign-out">
        {t("changePassword.signOut")}
      </Button>
    </AuthCard>
  );
}
