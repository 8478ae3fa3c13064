import { Button, Typography } from "antd";
import { useMemo, useState } from "react";
import { useTranslation } from "react-i18next";

import type { DepartmentNode } from "../../bindings/DepartmentNode";
import { DepartmentSelect } from "./DepartmentSelect";
import { deptOptions, findDept } from "./tree";

export function DepartmentMoveForm({
  root,
  dept,
  currentParent,
  pending,
  onCancel,
  onMove,
}: {
  root: DepartmentNode;
  dept: DepartmentNode;
  currentParent: number;
  pending: boolean;
  onCancel: () => void;
  onMove: (parentId: number) => void;
}) {
  const { t } = useTranslation();
  const [target, setTarget] = useState<number>(currentParent);
  const options = useMemo(() => deptOptions(root, dept.id), [root, dept.id]);
  return (
    <>
      <Typography.Paragraph type="secondary">{t("dept.moveHint")}</Typography.Paragraph>
      <DepartmentSelect
        data-testid="dept-move-target"
        style={{ width: "100%" }}
        treeData={options}
        value={target}
        onChange={(v: number) => setTarget(v)}
        aria-label={t("dept.moveTarget")}
      />
      <div className="orgdesk-modal-footer">
        <Button onClick={onCancel}>{t("common.cancel")}</Button>
        <Button
          type="primary"
          data-testid="dept-move-ok"
          loading={pending}
          disabled={target === currentParent || !findDept(root, target)}
          onClick={() => onMove(target)}
        >
          {t("dept.move")}
        </Button>
      </div>
    </>
  );
}
