import { App as AntApp, Select, Typography } from "antd";
import { useState } from "react";
import { useTranslation } from "react-i18next";

import type { DepartmentNode } from "../../bindings/DepartmentNode";
import { Dialog } from "../../components/Dialog";
import { applyServerError } from "../../components/forms";
import { errorText } from "../../errors";
import { useMemberPage } from "../members/queries";
import { useDepartmentDetails, useSetDepartmentHead } from "./queries";

export function DepartmentHeadDialog({ dept, onClose }: { dept: DepartmentNode; onClose: () => void }) {
  const { t } = useTranslation();
  const { message } = AntApp.useApp();
  const [search, setSearch] = useState("");
  const details = useDepartmentDetails(dept.id);
  const [value, setValue] = useState<number | null | undefined>(undefined);
  const members = useMemberPage({ departmentId: dept.id, includeSubDepartments: false, status: "all", search: search || null, offset: 0, limit: 50 });
  const current = value === undefined ? (details.data?.head?.id ?? null) : value;
  const options = (members.data?.rows ?? []).map((m) => ({ value: m.id, label: m.username ? `${m.name} (${m.username})` : m.name }));
  if (details.data?.head && !options.some((o) => o.value === details.data?.head?.id)) {
    options.unshift({ value: details.data.head.id, label: details.data.head.name });
  }
  const save = useSetDepartmentHead(dept.id, {
    onSuccess: () => {
      void message.success(t("dept.headSaved"));
      onClose();
    },
    onKept: onClose,
    onError: (e) => void message.error(applyServerError(t, null, e, []) ?? errorText(t, e)),
  });
  return (
    <Dialog
      title={t("dept.setHeadTitle", { name: dept.name })}
      onClose={onClose}
      okText={t("common.save")}
      cancelText={t("common.cancel")}
      okButtonProps={{ "data-testid": "dept-head-ok", loading: save.isPending }}
      onOk={() => save.mutate(current)}
    >
      <Typography.Paragraph type="secondary">{t("dept.setHeadHint")}</Typography.Paragraph>
      <Select
        data-testid="dept-head-select"
        style={{ width: "100%" }}
        allowClear
        showSearch={{ filterOption: false, onSearch: setSearch }}
        placeholder={t("dept.noHead")}
        value={current}
        onChange={(v: number | undefined) => setValue(v ?? null)}
        options={options}
        loading={members.isFetching}
        notFoundContent={t("dept.noMembers")}
      />
    </Dialog>
  );
}
