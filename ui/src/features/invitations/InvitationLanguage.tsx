import { Form, Radio } from "antd";
import { useTranslation } from "react-i18next";

import type { Lang } from "../../bindings/Lang";
import { useSettings } from "../settings/queries";

const LANGS: { value: Lang; label: string }[] = [
  { value: "en", label: "language.en" },
  { value: "zh", label: "language.zh-CN" },
];

/** The organization's invitation language (Settings), once read: what an invitation is in unless the admin picks another. */
export function useOrganizationInvitationLanguage(): Lang | undefined {
  return useSettings().data?.invitationLanguage;
}

/** "Language of the invitation": English or 简体中文, for the mail or text message and the invitee's pages. */
export function InvitationLanguage({ value, onChange }: { value: Lang | undefined; onChange: (l: Lang) => void }) {
  const { t } = useTranslation();
  return (
    <Form.Item label={t("invite.language")} extra={t("invite.languageHint")} style={{ marginBottom: 0 }}>
      <Radio.Group
        optionType="button"
        size="small"
        value={value}
        onChange={(e) => onChange(e.target.value as Lang)}
        data-testid="invite-language"
        options={LANGS.map((l) => ({ value: l.value, label: <span data-testid={`invite-language-${l.value}`}>{t(l.label)}</span> }))}
      />
    </Form.Item>
  );
}
