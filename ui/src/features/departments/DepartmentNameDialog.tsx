import { App as AntApp, Alert, Form, Input } from "antd";
import { useState } from "react";
import { useTranslation } from "react-i18next";

import type { DepartmentNode } from "../../bindings/DepartmentNode";
import { Dialog } from "../../components/Dialog";
import { applyServerError, maxCharsRule, requiredRule } from "../../components/forms";
import { NAME_MAX } from "../../password";
import { useSaveDepartment } from "./queries";
import { type Located } from "./tree";

export type NameDialog = { mode: "child" | "sibling" | "rename"; dept: DepartmentNode };

export function DepartmentNameDialog({
  dialog,
  located,
  onClose,
  onCreated,
}: {
  dialog: NameDialog;
  located: Map<number, Located>;
  onClose: () => void;
  onCreated: (id: number, parentId: number) => void;
}) {
  const { t } = useTranslation();
  const { message } = AntApp.useApp();
  const [form] = Form.useForm<{ name: string }>();
  const [error, setError] = useState<string | null>(null);
  const parentId =
    dialog.mode === "child" ? dialog.dept.id : (located.get(dialog.dept.id)?.parent?.id ?? dialog.dept.id);

  const save = useSaveDepartment(dialog.mode === "rename" ? dialog.dept.id : null, parentId, {
    onSuccess: (id) => {
      void message.success(t(dialog.mode === "rename" ? "dept.renamed" : "dept.created"));
      if (dialog.mode !== "rename" && typeof id === "number") onCreated(id, parentId);
      onClose();
    },
    onKept: onClose,
    onError: (e) => setError(applyServerError(t, form, e, ["name"])),
  });

  const title =
    dialog.mode === "rename"
      ? t("dept.renameTitle", { name: dialog.dept.name })
      : t("dept.createTitle", { parent: located.get(parentId)?.node.name ?? "" });

  return (
    <Dialog
      title={title}
      onClose={onClose}
      okText={t("common.save")}
      cancelText={t("common.cancel")}
      okButtonProps={{ "data-testid": "dept-name-ok", loading: save.isPending }}
      onOk={() => form.submit()}
    >
      {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 12 }} />}
      <Form
        form={form}
        layout="vertical"
        requiredMark={false}
        initialValues={{ name: dialog.mode === "rename" ? dialog.dept.name : "" }}
        onFinish={({ name }) => {
          setError(null);
          save.mutate(name.trim());
        }}
      >
        <Form.Item
          name="name"
          label={t("dept.name")}
          rules={[
            requiredRule(t),
            maxCharsRule(NAME_MAX, t("common.tooLong", { max: NAME_MAX })),
          ]}
        >
          <Input data-testid="dept-name-input" autoFocus maxLength={NAME_MAX * 2} />
        </Form.Item>
      </Form>
    </Dialog>
  );
}
