import { CheckCircleFilled, CloseCircleOutlined } from "@ant-design/icons";
import { Typography, theme } from "antd";
import { useTranslation } from "react-i18next";

import { checkPassword } from "../../password";

function PolicyItem({ met, testId, children }: { met: boolean; testId: string; children: string }) {
  const { token } = theme.useToken();
  return (
    <li data-testid={testId} data-met={met ? "true" : "false"}>
      {met ? (
        <CheckCircleFilled style={{ color: token.colorSuccess }} aria-hidden />
      ) : (
        <CloseCircleOutlined style={{ color: token.colorTextTertiary }} aria-hidden />
      )}
      <Typography.Text type={met ? undefined : "secondary"}>{children}</Typography.Text>
    </li>
  );
}

/** The live password checklist: exactly the policy of the contract. */
export function PasswordPolicy({ password, username }: { password: string; username: string }) {
  const { t } = useTranslation();
  const check = checkPassword(password, username);
  return (
    <ul className="orgdesk-policy" data-testid="password-policy" aria-label={t("setup.policyTitle")}>
      <PolicyItem met={check.length} testId="policy-length">
        {t("setup.policy.length")}
      </PolicyItem>
      <PolicyItem met={check.classes} testId="policy-classes">
        {t("setup.policy.classes", { count: check.classCount })}
      </PolicyItem>
      <PolicyItem met={check.notUsername && password !== ""} testId="policy-username">
        {t("setup.policy.username")}
      </PolicyItem>
    </ul>
  );
}
