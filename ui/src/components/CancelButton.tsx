import { Button } from "antd";
import { useTranslation } from "react-i18next";

/** The Cancel button of a dialog's footer. */
export function CancelButton({ onClick }: { onClick: () => void }) {
  const { t } = useTranslation();
  return <Button onClick={onClick}>{t("common.cancel")}</Button>;
}
