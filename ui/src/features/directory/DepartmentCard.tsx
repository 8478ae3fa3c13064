import { Alert, Skeleton, Space } from "antd";
import { memo } from "react";
import { useTranslation } from "react-i18next";

import * as api from "../../api";
import { PlainText } from "../../components/PlainText";
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
        <PlainText heading style={NO_MARGIN} testId="dept-title" className={ONE_LINE} title={d.name}>
          {d.name}
        </PlainText>
        <PlainText secondary testId="dept-path">
          {d.isRoot ? t("directory.root") : d.path}
        </PlainText>
      </div>
      <Space size={24} wrap className="orgdesk-dept-stats">
        <div>
          <PlainText secondary>{t("dept.head")}</PlainText>
          <div data-testid="dept-head">{d.head ? d.head.name : <PlainText secondary>{t("dept.noHead")}</PlainText>}</div>
        </div>
        <div>
          <PlainText secondary>{t("dept.members")}</PlainText>
          <div data-testid="dept-counts">{t("dept.countsValue", { direct: d.directMembers, total: d.totalMembers })}</div>
        </div>
        <div>
          <PlainText secondary>{t("dept.subDepartments")}</PlainText>
          <div data-testid="dept-sub-count">{d.subDepartments}</div>
        </div>
      </Space>
    </div>
  );
});

const NO_MARGIN = { margin: 0 };
