import { Typography } from "antd";
import type { ReactNode } from "react";

/** A screen of the main window under its title. */
export function TitledPage({ title, testId, children }: { title: string; testId: string; children: ReactNode }) {
  return (
    <div className="orgdesk-page" data-testid={testId}>
      <Typography.Title level={4} style={{ marginTop: 0 }}>
        {title}
      </Typography.Title>
      {children}
    </div>
  );
}
