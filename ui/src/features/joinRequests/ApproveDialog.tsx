import { Alert, Button, Form, Select, Typography } from "antd";
import { useMemo } from "react";
import { useTranslation } from "react-i18next";

import type { JoinPlacement } from "../../bindings/JoinPlacement";
import type { JoinRequestRow } from "../../bindings/JoinRequestRow";
import { CancelButton } from "../../components/CancelButton";
import { Dialog } from "../../components/Dialog";
import { DepartmentSelect } from "../departments/DepartmentSelect";
import { useDepartmentTree } from "../departments/queries";
import { deptOptions } from "../departments/tree";
import { useRoleChoices } from "../settings/RolesSelect";

type Values = { departmentId?: number; roleId?: number };

/**
 * Approve one request or several: where the people go and the role they get, the root
 * department and the plain Member role unless the admin chooses otherwise. `problem` is why
 * the last try was refused (nothing was written then).
 */
export function ApproveDialog({
  rows,
  pending,
  problem,
  onApprove,
  onClose,
}: {
  rows: JoinRequestRow[];
  pending: boolean;
  problem: string[] | null;
  onApprove: (placement: JoinPlacement) => void;
  onClose: () => void;
}) {
  const { t } = useTranslation();
  const tree = useDepartmentTree();
  const { roles, options: roleOptions, optionRender } = useRoleChoices();
  const [form] = Form.useForm<Values>();
  const treeData = useMemo(() => (tree.data ? deptOptions(tree.data) : []), [tree.data]);
  const memberRole = roles.data?.find((r) => r.builtin && r.name === "Member")?.id;
  const first = rows[0];
  const title =
    rows.length > 1
      ? t("joinRequests.dialog.titleMany", { count: rows.length })
      : t(first?.state === "rejected" ? "joinRequests.dialog.reapproveTitle" : "joinRequests.dialog.title", { name: first?.name ?? "" });
  return (
    <Dialog
      title={title}
      onClose={onClose}
      data-testid="approve-dialog"
      footer={[
        <CancelButton key="cancel" onClick={onClose} />,
        <Button key="ok" type="primary" loading={pending} onClick={() => form.submit()} data-testid="approve-dialog-ok">
          {t("joinRequests.dialog.ok")}
        </Button>,
      ]}
    >
      {problem && (
        <Alert
          type="error"
          showIcon
          style={{ marginBottom: 12 }}
          data-testid="approve-dialog-problem"
          title={t("joinRequests.decideFailed")}
          description={
            <ul style={{ margin: 0, paddingInlineStart: 18 }}>
              {problem.map((p) => (
                <li key={p}>{p}</li>
              ))}
            </ul>
          }
        />
      )}
      <Form<Values>
        form={form}
        layout="vertical"
        onFinish={(v) => onApprove({ departmentId: v.departmentId ?? tree.data?.id ?? null, roleId: v.roleId ?? memberRole ?? null })}
      >
        <Form.Item name="departmentId" label={t("joinRequests.dialog.department")} initialValue={tree.data?.id}>
          <DepartmentSelect
            data-testid="approve-department"
            treeData={treeData}
            placeholder={tree.data?.name}
          />
        </Form.Item>
        <Form.Item name="roleId" label={t("joinRequests.dialog.role")} initialValue={memberRole}>
          <Select
            data-testid="approve-role"
            loading={roles.isPending}
            placeholder={roles.data?.find((r) => r.id === memberRole)?.name}
            options={roleOptions}
            optionRender={optionRender}
          />
        </Form.Item>
      </Form>
      <Typography.Paragraph type="secondary" style={{ marginBottom: 0 }}>
        {t("joinRequests.dialog.hint")}
      </Typography.Paragraph>
    </Dialog>
  );
}
