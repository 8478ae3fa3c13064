import { Table, Typography } from "antd";
import { useTranslation } from "react-i18next";

import type { RefusedChange } from "../../bindings/RefusedChange";
import { formatTime } from "../../components/text";
import { refusedWhat, refusedWhy } from "./refusals";

/** This computer's changes the team's log refused: when, what, why (newest first). */
export function RefusedList({ refused }: { refused: RefusedChange[] }) {
  const { t, i18n } = useTranslation();
  if (refused.length === 0) {
    return (
      <Typography.Text type="secondary" data-testid="team-refused-empty">
        {t("team.refused.none")}
      </Typography.Text>
    );
  }
  return (
    <Table<RefusedChange>
      data-testid="team-refused"
      size="small"
      rowKey="seq"
      dataSource={refused}
      pagination={refused.length > 10 ? { pageSize: 10, size: "small" } : false}
      columns={[
        { key: "when", title: t("team.refused.when"), width: 180, render: (_v, r) => formatTime(i18n.language, r.loggedAt * 1000) },
        { key: "what", title: t("team.refused.what"), render: (_v, r) => refusedWhat(t, r) },
        { key: "why", title: t("team.refused.why"), render: (_v, r) => refusedWhy(t, r) },
      ]}
    />
  );
}
