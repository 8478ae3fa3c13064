import { Form, Input } from "antd";
import { useTranslation } from "react-i18next";

import { USERNAME_PATTERN } from "../password";
import { requiredRule } from "./forms";

type Props = {
  label: string;
  testId: string;
  autoComplete: string;
};

/** The username of a new account, the `username` field of its form: required, with the rule
 * the core applies to usernames and the hint that explains it. */
export function UsernameField({ label, testId, autoComplete }: Props) {
  const { t } = useTranslation();
  return (
    <Form.Item
      name="username"
      label={label}
      extra={t("setup.usernameHint")}
      rules={[requiredRule(t), { pattern: USERNAME_PATTERN, message: t("setup.rule.username") }]}
    >
      <Input data-testid={testId} autoComplete={autoComplete} spellCheck={false} />
    </Form.Item>
  );
}
