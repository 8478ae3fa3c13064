import { EllipsisOutlined, PlusOutlined } from "@ant-design/icons";
import { App as AntApp, Button, Dropdown, Modal, Tooltip, Tree, Typography } from "antd";
import type { MenuProps, TreeProps } from "antd";
import { memo, useCallback, useMemo, useState } from "react";
import { useTranslation } from "react-i18next";

import type { CommandError } from "../../bindings/CommandError";
import type { DepartmentDeletion } from "../../bindings/DepartmentDeletion";
import type { DepartmentNode } from "../../bindings/DepartmentNode";
import { applyServerError } from "../../components/forms";
import { useStableCallback } from "../../components/useStableCallback";
import { errorText } from "../../errors";
import { DepartmentHeadDialog } from "./DepartmentHeadDialog";
import { DepartmentMoveForm } from "./DepartmentMoveForm";
import { DepartmentNameDialog, type NameDialog } from "./DepartmentNameDialog";
import { deletionPreview, useDeleteDepartment, useMoveDepartment } from "./queries";
import { locate } from "./tree";

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
  const located = useMemo(() => locate(root), [root]);
  const [expanded, setExpanded] = useState<React.Key[]>([root.id]);
  const [nameDialog, setNameDialog] = useState<NameDialog | null>(null);
  const [moveDialog, setMoveDialog] = useState<DepartmentNode | null>(null);
  const [headDialog, setHeadDialog] = useState<DepartmentNode | null>(null);
  const [refused, setRefused] = useState<{ dept: DepartmentNode; message: string } | null>(null);

  const move = useMoveDepartment({
    onSuccess: (_d, v) => {
      setExpanded((keys) => (keys.includes(v.parentId) ? keys : [...keys, v.parentId]));
      setMoveDialog(null);
      void message.success(t("dept.moved"));
    },
    onError: (error) => void message.error(applyServerError(t, null, error, []) ?? errorText(t, error)),
  });

  // Resigned members' positions in a deleted department move to its parent: said before and after.
  const moves = (key: string, d: DepartmentDeletion) =>
    t(key, {
      count: d.resignedMoved.length,
      names: d.resignedMoved.map((m) => m.name).join(t("history.listSeparator")),
      parent: d.parentPath || d.parentName,
      name: d.name,
    });
  const remove = useDeleteDepartment({
    onSuccess: (done, dept) => {
      const parent = located.get(dept.id)?.parent;
      if (dept.id === selectedId && parent) onSelect(parent.id);
      void message.success(done.resignedMoved.length > 0 ? moves("dept.deletedMoved", done) : t("dept.deleted", { name: dept.name }));
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
        void deletionPreview(dept).then(
          (preview) => {
            modal.confirm({
              title: t("dept.deleteConfirm", { name: dept.name }),
              content: (
                <>
                  <p>{t("dept.deleteConfirmText")}</p>
                  {preview.resignedMoved.length > 0 && <p data-testid="dept-delete-moves">{moves("dept.deleteMovesResigned", preview)}</p>}
                </>
              ),
              okText: t("dept.delete"),
              okButtonProps: { danger: true, "data-testid": "dept-delete-ok" },
              cancelText: t("common.cancel"),
              onOk: () => remove.mutate(dept),
            });
          },
          (error: CommandError) => void message.error(errorText(t, error)),
        );
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
        <DepartmentNameDialog
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
          <DepartmentMoveForm
            root={root}
            dept={moveDialog}
            currentParent={located.get(moveDialog.id)?.parent?.id ?? root.id}
            pending={move.isPending}
            onCancel={() => setMoveDialog(null)}
            onMove={(parentId) => move.mutate({ id: moveDialog.id, parentId, index: null })}
          />
        </Modal>
      )}
      {headDialog && <DepartmentHeadDialog dept={headDialog} onClose={() => setHeadDialog(null)} />}
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
