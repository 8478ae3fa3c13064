import { Card, Empty, Typography } from "antd";
import type { ReactNode } from "react";
import { useTranslation } from "react-i18next";

type Area = "invitations" | "joinRequests" | "importExport";

/** A screen whose content arrives with a later issue: its title and what will appear here. */
export function PlaceholderScreen({ area, icon }: { area: Area; icon: ReactNode }) {
  const { t } = useTranslation();
  return (
    <div className="orgdesk-page" data-testid={`screen-${area}`}>
      <Typography.Title level={4} style={{ marginTop: 0 }}>
        {t(`${area}.title`)}
      </Typography.Title>
      <Card variant="outlined">
        <Empty
          image={<span style={{ fontSize: 48, opacity: 0.35 }}>{icon}</span>}
          description={<Typography.Text type="secondary">{t(`${area}.empty`)}</Typography.Text>}
          style={{ padding: "48px 0" }}
        />
      </Card>
    </div>
  );
}
