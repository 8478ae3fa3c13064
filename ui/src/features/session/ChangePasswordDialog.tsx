import { App as AntApp, Modal } from "antd";
import { useTranslation } from "react-i18next";

import type { Session } from "../../bindings/Session";
import { ChangePasswordForm } from "./ChangePasswordForm";

/** "Change password" from the menu under the admin's name. */
export function ChangePasswordDialog({ session, onClose }: { session: Session; onClose: () => void }) {
  const { t } = useTranslation();
  const { message } = AntApp.useApp();
  return (
    <Modal open title={t("changePassword.title")} onCancel={onClose} footer={null} destroyOnHidden data-testid="change-password-dialog">
      <ChangePasswordForm
        session={session}
        onChanged={() => {
          void message.success(t("changePassword.done"));
          onClose();
        }}
      />
    </Modal>
  );
}
