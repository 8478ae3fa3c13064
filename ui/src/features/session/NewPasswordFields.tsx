import { Form, Input } from "antd";
import { useTranslation } from "react-i18next";

import { checkPassword } from "../../password";
import { PasswordPolicy } from "./PasswordPolicy";

type Props = {
  /** The form fields' names: the new password and its confirmation ("password" and "passwordConfirm" unless given). */
  name?: string;
  confirmName?: string;
  label: string;
  confirmLabel: string;
  /** Whose password it is: the policy refuses one that contains the username. */
  username: string;
  /** `<prefix>-password` and `<prefix>-password-confirm`. */
  testIdPrefix: string;
};

/**
 * A new password and its confirmation, with the policy's checklist under it: the same rules
 * and words wherever a password is chosen (setup, an admin setting a member's, one's own).
 */
export function NewPasswordFields({ name = "password", confirmName = "passwordConfirm", label, confirmLabel, username, testIdPrefix }: Props) {
  const { t } = useTranslation();
  // The password as typed, for the live policy checklist.
  const password = Form.useWatch<string | undefined>(name) ?? "";
  return (
    <>
      <Form.Item
        name={name}
        label={label}
        extra={<PasswordPolicy password={password} username={username} />}
        rules={[
          { required: true, message: t("common.required") },
          {
            validator: (_rule, value: string | undefined) =>
              !value || checkPassword(value, username).ok ? Promise.resolve() : Promise.reject(new Error(t("setup.rule.password"))),
          },
        ]}
        validateTrigger={["onBlur", "onChange"]}
      >
        <Input.Password data-testid={`${testIdPrefix}-password`} autoComplete="new-password" />
      </Form.Item>
      <Form.Item
        name={confirmName}
        label={confirmLabel}
        dependencies={[name]}
        rules={[
          { required: true, message: t("common.required") },
          ({ getFieldValue }) => ({
            validator: (_rule, value: string | undefined) =>
              !value || value === getFieldValue(name) ? Promise.resolve() : Promise.reject(new Error(t("setup.rule.mismatch"))),
          }),
        ]}
      >
        <Input.Password data-testid={`${testIdPrefix}-password-confirm`} autoComplete="new-password" />
      </Form.Item>
    </>
  );
}
