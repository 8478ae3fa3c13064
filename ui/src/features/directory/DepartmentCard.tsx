import { Alert, Skeleton, Space, Typography } from "antd";
import { memo } from "react";
import { useTranslation } from "react-i18next";

import * as api from "../../api";
import { ONE_LINE } from "../../components/text";
import { errorText } from "../../errors";
import { useDepartmentDetails } from "../departments/queries";

/** The selected department: its name, path, head and counts. */
export const DepartmentCard = memo(function DepartmentCard({ id }: { id: number }) {
  const { t } = useTranslation();
  // The previous department's card stays until the next one's details arrive (no skeleton
  // flashing in between, no jump of the list below it).
  const details = useDepartmentDetails(id, { keepPrevious: true });
  const d = details.data;
  if (details.isError) return <Alert type="error" showIcon title={errorText(t, api.toCommandError(details.error))} />;
  if (!d) return <Skeleton active title paragraph={{ rows: 1 }} />;
  return (
    <div className="orgdesk-dept-card">
      <div style={{ minWidth: 0 }}>
        {/* Cut by CSS with the whole name as its tooltip: Ant Design's measured ellipsis forces a
            layout of the page after every change of department. */}
        <Typography.Title level={4} style={{ margin: 0 }} data-testid="dept-title" className={ONE_LINE} title={d.name}>
          {d.name}
        </Typography.Title>
        <Typography.Text type="secondary" data-testid="dept-path">
          {d.isRoot ? t("directory.root") : d.path}
        </Typography.Text>
      </div>
      <Space size={24} wrap className="orgdesk-dept-stats">
        <div>
          <Typography.Text type="secondary">{t("dept.head")}</Typography.Text>
          <div data-testid="dept-head">{d.head ? d.head.name : <Typography.Text type="secondary">{t("dept.noHead")}</Typography.Text>}</div>
        </div>
        <div>
          <Typography.Text type="secondary">{t("dept.members")}</Typography.Text>
          <div data-testid="dept-counts">{t("dept.countsValue", { direct: d.directMembers, total: d.totalMembers })}</div>
        </div>
        <div>
          <Typography.Text type="secondary">{t("dept.subDepartments")}</Typography.Text>
          <div data-testid="dept-sub-count">{d.subDepartments}</div>
        </div>
      </Space>
    </div>
  );
});
