import { EllipsisOutlined, PlusOutlined } from "@ant-design/icons";
import { useMutation, useQuery } from "@tanstack/react-query";
import { App as AntApp, Alert, Button, Dropdown, Form, Input, Modal, Select, Tooltip, Tree, TreeSelect, Typography } from "antd";
import type { MenuProps, TreeProps } from "antd";
import { memo, useCallback, useMemo, useState } from "react";
import { useTranslation } from "react-i18next";

import * as api from "../api";
import type { CommandError } from "../bindings/CommandError";
import type { DepartmentNode } from "../bindings/DepartmentNode";
import { errorText } from "../errors";
import { NAME_MAX } from "../password";
import { applyServerError, deptOptions, findDept, useInvalidateDirectory, useStableCallback } from "./shared";

type DeptData = { key: number; dept: DepartmentNode; children: DeptData[] };

type TitleProps = {
  dept: DepartmentNode;
  isRoot: boolean;
  onAddChild: (dept: DepartmentNode) => void;
  onMenu: (dept: DepartmentNode, key: string) => void;
};

/** A shown node: its name, its member count, and its buttons (the menu is made when opened). */
const DeptTitle = memo(function DeptTitle({ dept, isRoot, onAddChild, onMenu }: TitleProps) {
  const { t } = useTranslation();
  const [menuOpen, setMenuOpen] = useState(false);
  const menu: MenuProps | undefined = useMemo(() => {
    if (!menuOpen) return { items: [] };
    const items: MenuProps["items"] = [];
    if (!isRoot) {
      items.push({ key: "sibling", label: <span data-testid="dept-action-add-sibling">{t("dept.addSibling")}</span> });
    }
    items.push({ key: "child", label: <span data-testid="dept-action-add-child">{t("dept.addChild")}</span> });
    if (!isRoot) {
      items.push(
        { key: "rename", label: <span data-testid="dept-action-rename">{t("dept.rename")}</span> },
        { key: "move", label: <span data-testid="dept-action-move">{t("dept.moveTo")}</span> },
      );
    }
    items.push({ key: "head", label: <span data-testid="dept-action-set-head">{t("dept.setHead")}</span> });
    if (!isRoot) {
      items.push(
        { type: "divider" },
        { key: "delete", danger: true, label: <span data-testid="dept-action-delete">{t("dept.delete")}</span> },
      );
    } else {
      items.push(
        { type: "divider" },
        {
          key: "rootHint",
          disabled: true,
          label: (
            <Tooltip title={t("dept.rootHint")} placement="right">
              <span data-testid="dept-root-hint">{t("dept.rootFixed")}</span>
            </Tooltip>
          ),
        },
      );
    }
    return { items, onClick: ({ key }) => onMenu(dept, key) };
  }, [menuOpen, isRoot, t, dept, onMenu]);

  return (
    <span className="orgdesk-tree-node">
      <span className="orgdesk-tree-label" data-testid={`dept-node-${dept.id}`}>
        <span className="orgdesk-tree-name">{dept.name}</span>
        <span className="orgdesk-tree-count">{dept.totalMembers}</span>
      </span>
      <span className="orgdesk-tree-actions" onClick={(e) => e.stopPropagation()}>
        <Tooltip title={t("dept.addChild")} mouseEnterDelay={0.6}>
          <Button
            type="text"
            size="small"
            icon={<PlusOutlined />}
            aria-label={t("dept.addChild")}
            data-testid={`dept-add-child-${dept.id}`}
            onClick={() => onAddChild(dept)}
          />
        </Tooltip>
        <Dropdown trigger={["click"]} menu={menu} open={menuOpen} onOpenChange={setMenuOpen}>
          <Button type="text" size="small" icon={<EllipsisOutlined />} aria-label={t("dept.more")} data-testid={`dept-more-${dept.id}`} />
        </Dropdown>
      </span>
    </span>
  );
});

type NameDialog = { mode: "child" | "sibling" | "rename"; dept: DepartmentNode };
type Located = { node: DepartmentNode; parent: DepartmentNode | null };

function index(root: DepartmentNode): Map<number, Located> {
  const map = new Map<number, Located>();
  const walk = (node: DepartmentNode, parent: DepartmentNode | null) => {
    map.set(node.id, { node, parent });
    node.children.forEach((c) => walk(c, node));
  };
  walk(root, null);
  return map;
}

type Props = {
  root: DepartmentNode;
  selectedId: number;
  onSelect: (id: number) => void;
  /** Delete refusal: select every member of this department (with sub-departments). */
  onSelectMembers: (id: number) => void;
};

/** The department tree with its node actions and dialogs. */
function DepartmentTreeView({ root, selectedId, onSelect, onSelectMembers }: Props) {
  const { t } = useTranslation();
  const { message, modal } = AntApp.useApp();
  const invalidate = useInvalidateDirectory();
  const located = useMemo(() => index(root), [root]);
  const [expanded, setExpanded] = useState<React.Key[]>([root.id]);
  const [nameDialog, setNameDialog] = useState<NameDialog | null>(null);
  const [moveDialog, setMoveDialog] = useState<DepartmentNode | null>(null);
  const [headDialog, setHeadDialog] = useState<DepartmentNode | null>(null);
  const [refused, setRefused] = useState<{ dept: DepartmentNode; message: string } | null>(null);

  const move = useMutation<null, CommandError, { id: number; parentId: number; index: number | null }>({
    mutationFn: ({ id, parentId, index: i }) => api.moveDepartment(id, parentId, i),
    onSuccess: (_d, v) => {
      invalidate();
      setExpanded((keys) => (keys.includes(v.parentId) ? keys : [...keys, v.parentId]));
      setMoveDialog(null);
      void message.success(t("dept.moved"));
    },
    onError: (error) => void message.error(applyServerError(t, null, error, []) ?? errorText(t, error)),
  });

  const remove = useMutation<null, CommandError, DepartmentNode>({
    mutationFn: (dept) => api.deleteDepartment(dept.id),
    onSuccess: (_d, dept) => {
      const parent = located.get(dept.id)?.parent;
      if (dept.id === selectedId && parent) onSelect(parent.id);
      invalidate();
      void message.success(t("dept.deleted", { name: dept.name }));
    },
    onError: (error, dept) => {
      if (error.code === "validation" && error.details.some((d) => d.code === "has_members" || d.code === "has_sub_departments")) {
        setRefused({ dept, message: error.message || errorText(t, error) });
      } else {
        void message.error(errorText(t, error));
      }
    },
  });

  const onMenu = useStableCallback((dept: DepartmentNode, key: string) => {
    switch (key) {
      case "sibling":
      case "child":
      case "rename":
        setNameDialog({ mode: key, dept });
        break;
      case "move":
        setMoveDialog(dept);
        break;
      case "head":
        setHeadDialog(dept);
        break;
      case "delete":
        modal.confirm({
          title: t("dept.deleteConfirm", { name: dept.name }),
          content: t("dept.deleteConfirmText"),
          okText: t("dept.delete"),
          okButtonProps: { danger: true, "data-testid": "dept-delete-ok" },
          cancelText: t("common.cancel"),
          onOk: () => remove.mutate(dept),
        });
        break;
    }
  });

  const addChild = useStableCallback((dept: DepartmentNode) => setNameDialog({ mode: "child", dept }));
  // The tree's data carries the departments only; a node's title (with its buttons and menu)
  // is made when the node is shown, so 2,000 collapsed departments cost nothing.
  const treeData = useMemo(() => {
    const toData = (node: DepartmentNode): DeptData => ({ key: node.id, dept: node, children: node.children.map(toData) });
    return [toData(root)];
  }, [root]);
  const titleRender = useCallback(
    (data: DeptData) => <DeptTitle dept={data.dept} isRoot={data.dept.id === root.id} onAddChild={addChild} onMenu={onMenu} />,
    [root.id, addChild, onMenu],
  );

  const onDrop: TreeProps["onDrop"] = (info) => {
    const dragId = Number(info.dragNode.key);
    const targetId = Number(info.node.key);
    const target = located.get(targetId);
    if (!target || dragId === root.id) return;
    if (!info.dropToGap) {
      move.mutate({ id: dragId, parentId: targetId, index: null });
      return;
    }
    const parent = target.parent;
    if (!parent) return;
    const pos = String(info.node.pos).split("-");
    const relative = info.dropPosition - Number(pos[pos.length - 1]);
    const siblings = parent.children.filter((c) => c.id !== dragId);
    const at = siblings.findIndex((c) => c.id === targetId);
    move.mutate({ id: dragId, parentId: parent.id, index: relative < 0 ? at : at + 1 });
  };

  return (
    <>
      <div data-testid="dept-tree">
        <Tree<DeptData>
          blockNode
          draggable={{ icon: false, nodeDraggable: (node) => node.key !== root.id }}
          allowDrop={({ dropNode, dropPosition }) => !(dropNode.key === root.id && dropPosition !== 0)}
          onDrop={onDrop}
          expandedKeys={expanded}
          onExpand={(keys) => setExpanded(keys)}
          selectedKeys={[selectedId]}
          onSelect={(keys) => {
            if (keys.length > 0) onSelect(Number(keys[0]));
          }}
          treeData={treeData}
          titleRender={titleRender}
        />
      </div>
      {nameDialog && (
        <NameDialogView
          dialog={nameDialog}
          located={located}
          onClose={() => setNameDialog(null)}
          onCreated={(id, parentId) => {
            setExpanded((keys) => (keys.includes(parentId) ? keys : [...keys, parentId]));
            onSelect(id);
          }}
        />
      )}
      {moveDialog && (
        <Modal
          open
          title={t("dept.moveTitle", { name: moveDialog.name })}
          onCancel={() => setMoveDialog(null)}
          destroyOnHidden
          footer={null}
        >
          <MoveForm
            root={root}
            dept={moveDialog}
            currentParent={located.get(moveDialog.id)?.parent?.id ?? root.id}
            pending={move.isPending}
            onCancel={() => setMoveDialog(null)}
            onMove={(parentId) => move.mutate({ id: moveDialog.id, parentId, index: null })}
          />
        </Modal>
      )}
      {headDialog && <HeadDialog dept={headDialog} onClose={() => setHeadDialog(null)} />}
      <Modal
        open={refused !== null}
        data-testid="dept-delete-refused"
        title={t("dept.deleteRefused")}
        onCancel={() => setRefused(null)}
        footer={[
          <Button key="close" onClick={() => setRefused(null)}>
            {t("common.close")}
          </Button>,
          <Button
            key="select"
            type="primary"
            data-testid="dept-select-members"
            onClick={() => {
              if (refused) onSelectMembers(refused.dept.id);
              setRefused(null);
            }}
          >
            {t("dept.selectMembers")}
          </Button>,
        ]}
      >
        <Typography.Paragraph data-testid="dept-delete-message">{refused?.message}</Typography.Paragraph>
        <Typography.Text type="secondary">{t("dept.deleteRefusedHint")}</Typography.Text>
      </Modal>
    </>
  );
}

/** The department tree with its node actions and dialogs; renders again only when its props change. */
export const DepartmentTree = memo(DepartmentTreeView);

function NameDialogView({
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
  const invalidate = useInvalidateDirectory();
  const [form] = Form.useForm<{ name: string }>();
  const [error, setError] = useState<string | null>(null);
  const parentId =
    dialog.mode === "child" ? dialog.dept.id : (located.get(dialog.dept.id)?.parent?.id ?? dialog.dept.id);

  const save = useMutation<number | null, CommandError, string>({
    mutationFn: (name) =>
      dialog.mode === "rename" ? api.renameDepartment(dialog.dept.id, name) : api.createDepartment(parentId, name),
    onSuccess: (id) => {
      invalidate();
      void message.success(t(dialog.mode === "rename" ? "dept.renamed" : "dept.created"));
      if (dialog.mode !== "rename" && typeof id === "number") onCreated(id, parentId);
      onClose();
    },
    onError: (e) => setError(applyServerError(t, form, e, ["name"])),
  });

  const title =
    dialog.mode === "rename"
      ? t("dept.renameTitle", { name: dialog.dept.name })
      : t("dept.createTitle", { parent: located.get(parentId)?.node.name ?? "" });

  return (
    <Modal
      open
      title={title}
      onCancel={onClose}
      destroyOnHidden
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
            { required: true, whitespace: true, message: t("common.required") },
            {
              validator: (_r, v: string | undefined) =>
                [...(v ?? "").trim()].length > NAME_MAX
                  ? Promise.reject(new Error(t("common.tooLong", { max: NAME_MAX })))
                  : Promise.resolve(),
            },
          ]}
        >
          <Input data-testid="dept-name-input" autoFocus maxLength={NAME_MAX * 2} />
        </Form.Item>
      </Form>
    </Modal>
  );
}

function MoveForm({
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
      <TreeSelect
        data-testid="dept-move-target"
        style={{ width: "100%" }}
        treeData={options}
        value={target}
        onChange={(v: number) => setTarget(v)}
        treeDefaultExpandAll
        showSearch
        treeNodeFilterProp="title"
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

function HeadDialog({ dept, onClose }: { dept: DepartmentNode; onClose: () => void }) {
  const { t } = useTranslation();
  const { message } = AntApp.useApp();
  const invalidate = useInvalidateDirectory();
  const [search, setSearch] = useState("");
  const details = useQuery({ queryKey: api.queryKeys.departmentDetails(dept.id), queryFn: () => api.departmentDetails(dept.id) });
  const [value, setValue] = useState<number | null | undefined>(undefined);
  const members = useQuery({
    queryKey: api.queryKeys.members({
      departmentId: dept.id,
      includeSubDepartments: false,
      status: "all",
      search: search || null,
      offset: 0,
      limit: 50,
    }),
    queryFn: () =>
      api.listMembers({ departmentId: dept.id, includeSubDepartments: false, status: "all", search: search || null, offset: 0, limit: 50 }),
  });
  const current = value === undefined ? (details.data?.head?.id ?? null) : value;
  const options = (members.data?.rows ?? []).map((m) => ({ value: m.id, label: m.username ? `${m.name} (${m.username})` : m.name }));
  if (details.data?.head && !options.some((o) => o.value === details.data?.head?.id)) {
    options.unshift({ value: details.data.head.id, label: details.data.head.name });
  }
  const save = useMutation<null, CommandError, number | null>({
    mutationFn: (memberId) => api.setDepartmentHead(dept.id, memberId),
    onSuccess: () => {
      invalidate();
      void message.success(t("dept.headSaved"));
      onClose();
    },
    onError: (e) => void message.error(applyServerError(t, null, e, []) ?? errorText(t, e)),
  });
  return (
    <Modal
      open
      title={t("dept.setHeadTitle", { name: dept.name })}
      onCancel={onClose}
      okText={t("common.save")}
      cancelText={t("common.cancel")}
      okButtonProps={{ "data-testid": "dept-head-ok", loading: save.isPending }}
      onOk={() => save.mutate(current)}
      destroyOnHidden
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
    </Modal>
  );
}
