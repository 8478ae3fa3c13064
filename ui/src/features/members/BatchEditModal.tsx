import { App as AntApp, Button, Form, Input, Modal, Select, TreeSelect } from "antd";
import { useMemo, useState } from "react";
import { useTranslation } from "react-i18next";

import type { BatchOutcome } from "../../bindings/BatchOutcome";
import type { Selection } from "../../bindings/Selection";
import { CancelButton } from "../../components/CancelButton";
import { applyServerError } from "../../components/forms";
import { useDepartmentTree } from "../departments/queries";
import { deptOptions } from "../departments/tree";
import { useBatchUpdate } from "./queries";

type BatchField = "department" | "position" | "workLocation";

/** Batch edit: one field for every selected member, in one transaction. */
export function BatchEditModal({
  selection,
  count,
  onClose,
  onDone,
}: {
  selection: Selection;
  count: number;
  onClose: () => void;
  onDone: (outcome: BatchOutcome) => void;
}) {
  const { t } = useTranslation();
  const { message } = AntApp.useApp();
  const tree = useDepartmentTree();
  const [field, setField] = useState<BatchField>("department");
  const [dept, setDept] = useState<number | undefined>(undefined);
  const [text, setText] = useState("");
  const treeData = useMemo(() => (tree.data ? deptOptions(tree.data) : []), [tree.data]);
  const run = useBatchUpdate(selection, {
    onSuccess: (outcome) => {
      onDone(outcome);
      onClose();
    },
    onError: (e) => void message.error(applyServerError(t, null, e, []) ?? ""),
  });
  const ready = field === "department" ? dept !== undefined : field === "position" ? text.trim() !== "" : true;
  const submit = () => {
    if (field === "department" && dept !== undefined) run.mutate({ kind: "setDepartment", department_id: dept, title: null });
    else if (field === "position") run.mutate({ kind: "setPosition", title: text.trim() });
    else if (field === "workLocation") run.mutate({ kind: "setWorkLocation", work_location: text.trim() });
  };
  return (
    <Modal
      open
      title={t("batch.editTitle", { count })}
      onCancel={onClose}
      destroyOnHidden
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
        <Form.Item
          label={t("batch.value")}
          extra={field === "department" ? t("batch.departmentHint") : field === "position" ? t("batch.positionHint") : t("batch.locationHint")}
          style={{ marginBottom: 0 }}
        >
          {field === "department" ? (
            <TreeSelect
              data-testid="batch-value"
              treeData={treeData}
              value={dept}
              onChange={(v: number) => setDept(v)}
              treeDefaultExpandAll
              showSearch
              treeNodeFilterProp="title"
            />
          ) : (
            <Input data-testid="batch-value" value={text} onChange={(e) => setText(e.target.value)} />
          )}
        </Form.Item>
      </Form>
    </Modal>
  );
}
