import { Segmented, Switch } from "antd";
import { memo, useMemo } from "react";
import { useTranslation } from "react-i18next";

import type { StatusFilter } from "../../bindings/StatusFilter";
import { PlainText } from "../../components/PlainText";

const STATUSES: StatusFilter[] = ["all", "pending_join", "enabled", "disabled", "resigned"];

type FiltersProps = {
  status: StatusFilter;
  onStatus: (s: StatusFilter) => void;
  includeSub: boolean;
  onIncludeSub: (v: boolean) => void;
  total: number;
};

/** The status filter, "include sub-departments" and the number of members found. */
export const MemberFilters = memo(function MemberFilters({ status, onStatus, includeSub, onIncludeSub, total }: FiltersProps) {
  const { t } = useTranslation();
  const options = useMemo(
    () => STATUSES.map((s) => ({ value: s, label: <span data-testid={`status-${s}`}>{t(`members.filter.${s}`)}</span> })),
    [t],
  );
  return (
    <div className="orgdesk-toolbar orgdesk-filters">
      <Segmented<StatusFilter> data-testid="status-filter" value={status} onChange={onStatus} options={options} />
      <label className="orgdesk-switch">
        <Switch size="small" checked={includeSub} onChange={onIncludeSub} data-testid="include-subdepartments" />
        <span>{t("members.includeSub")}</span>
      </label>
      <span style={{ flex: 1 }} />
      <PlainText secondary testId="member-total">
        {t("members.total", { count: total })}
      </PlainText>
    </div>
  );
});
