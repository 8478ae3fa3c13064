import { App as AntApp, Button, Form, Input, Radio, Select } from "antd";
import { useMemo, useState } from "react";
import { useTranslation } from "react-i18next";

import type { DepartmentMode } from "../../bindings/DepartmentMode";
import type { Selection } from "../../bindings/Selection";
import { CancelButton } from "../../components/CancelButton";
import { Dialog } from "../../components/Dialog";
import { applyServerError } from "../../components/forms";
import { DepartmentSelect } from "../departments/DepartmentSelect";
import { useDepartmentTree } from "../departments/queries";
import { deptOptions, findDept } from "../departments/tree";
import type { BatchResult } from "./BatchResultModal";
import { useBatchUpdate } from "./queries";

type BatchField = "department" | "position" | "workLocation";

/**
 * Batch edit: one field for every selected member, in one transaction. A department is added
 * beside each member's departments by default (nothing is lost); "Replace all departments"
 * makes it their only one.
 */
export function BatchEditModal({
  selection,
  count,
  onClose,
  onDone,
}: {
  selection: Selection;
  count: number;
  onClose: () => void;
  onDone: (outcome: BatchResult) => void;
}) {
  const { t } = useTranslation();
  const { message } = AntApp.useApp();
  const tree = useDepartmentTree();
  const [field, setField] = useState<BatchField>("department");
  const [dept, setDept] = useState<number | undefined>(undefined);
  const [mode, setMode] = useState<DepartmentMode>("add");
  const [text, setText] = useState("");
  const treeData = useMemo(() => (tree.data ? deptOptions(tree.data) : []), [tree.data]);
  const run = useBatchUpdate(selection, {
    onSuccess: (outcome, change) => {
      if (change.kind !== "setDepartment") onDone(outcome);
      else {
        const found = tree.data ? findDept(tree.data, change.department_id) : null;
        const key = change.mode === "add" ? "batch.doneAdd" : "batch.doneReplace";
        onDone({ ...outcome, headline: t(key, { count: outcome.changed, dept: found?.name ?? "" }) });
      }
      onClose();
    },
    onKept: onClose,
    onError: (e) => void message.error(applyServerError(t, null, e, []) ?? ""),
  });
  const ready = field === "department" ? dept !== undefined : field === "position" ? text.trim() !== "" : true;
  const submit = () => {
    if (field === "department" && dept !== undefined) run.mutate({ kind: "setDepartment", department_id: dept, title: null, mode });
    else if (field === "position") run.mutate({ kind: "setPosition", title: text.trim() });
    else if (field === "workLocation") run.mutate({ kind: "setWorkLocation", work_location: text.trim() });
  };
  return (
    <Dialog
      title={t("batch.editTitle", { count })}
      onClose={onClose}
      footer={[
        <CancelButton key="cancel" onClick={onClose} />,
        <Button key="ok" type="primary" data-testid="batch-ok" disabled={!ready} loading={run.isPending} onClick={submit}>
          {t("batch.apply")}
        </Button>,
      ]}
    >
      <Form layout="vertical" requiredMark={false}>
        <Form.Item label={t("batch.field")}>
          <Select<BatchField>
            data-testid="batch-field"
            value={field}
            onChange={(v) => {
              setField(v);
              setText("");
            }}
            options={[
              { value: "department", label: t("batch.fields.department") },
              { value: "position", label: t("batch.fields.position") },
              { value: "workLocation", label: t("batch.fields.workLocation") },
            ]}
          />
        </Form.Item>
        {field === "department" && (
          <Form.Item label={t("batch.departmentMode")}>
            <Radio.Group
              data-testid="batch-dept-mode"
              value={mode}
              onChange={(e) => setMode(e.target.value as DepartmentMode)}
              options={[
                { value: "add", label: t("batch.departmentModes.add") },
                { value: "replace", label: t("batch.departmentModes.replace") },
              ]}
            />
          </Form.Item>
        )}
        <Form.Item
          label={t("batch.value")}
          extra={
            field === "department"
              ? t(mode === "add" ? "batch.departmentHintAdd" : "batch.departmentHintReplace")
              : field === "position"
                ? t("batch.positionHint")
                : t("batch.locationHint")
          }
          style={{ marginBottom: 0 }}
        >
          {field === "department" ? (
            <DepartmentSelect
              data-testid="batch-value"
              treeData={treeData}
              value={dept}
              onChange={(v: number) => setDept(v)}
            />
          ) : (
            <Input data-testid="batch-value" value={text} onChange={(e) => setText(e.target.value)} />
          )}
        </Form.Item>
      </Form>
    </Dialog>
  );
}
