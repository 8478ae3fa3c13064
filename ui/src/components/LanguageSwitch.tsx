import { DownOutlined, GlobalOutlined } from "@ant-design/icons";
import { Button, Select } from "antd";
import type { MenuProps } from "antd";
import { useTranslation } from "react-i18next";

import { LazyDropdown } from "./LazyDropdown";
import { LANGUAGES, currentLanguage, setLanguage, type Language } from "../i18n";

const TEST_IDS: Record<Language, string> = { en: "lang-en", "zh-CN": "lang-zh" };

/** The header's language menu. */
export function LanguageSwitch() {
  const { t } = useTranslation();
  const language = currentLanguage();
  const items: MenuProps["items"] = LANGUAGES.map((lng) => ({
    key: lng,
    label: <span data-testid={TEST_IDS[lng]}>{t(`language.${lng}`)}</span>,
  }));
  return (
    <LazyDropdown
      autoFocus
      menu={{
        items,
        selectable: true,
        selectedKeys: [language],
        onClick: ({ key }) => void setLanguage(key as Language),
      }}
    >
      <Button type="text" icon={<GlobalOutlined />} data-testid="lang-switch" aria-label={t("language.label")}>
        {t(`language.${language}`)}
        <DownOutlined style={{ fontSize: 10 }} />
      </Button>
    </LazyDropdown>
  );
}

/** The same choice as a form control, for Settings. */
export function LanguageSelect() {
  const { t } = useTranslation();
  return (
    <Select<Language>
      value={currentLanguage()}
      onChange={(lng) => void setLanguage(lng)}
      options={LANGUAGES.map((lng) => ({ value: lng, label: t(`language.${lng}`) }))}
      style={{ width: 200 }}
      aria-label={t("language.label")}
      data-testid="settings-language"
    />
  );
}
