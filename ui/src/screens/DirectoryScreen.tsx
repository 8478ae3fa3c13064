import { TeamOutlined } from "@ant-design/icons";
import { useQuery } from "@tanstack/react-query";
import { Alert, Card, Empty, Skeleton, Tree, Typography } from "antd";
import type { TreeDataNode } from "antd";
import { useMemo, useState } from "react";
import { useTranslation } from "react-i18next";

import * as api from "../api";
import type { DepartmentNode } from "../bindings/DepartmentNode";
import { errorText } from "../errors";

function toTreeData(node: DepartmentNode): TreeDataNode {
  return {
    key: node.id,
    title: (
      <span data-testid={`dept-node-${node.id}`}>
        {node.name}
        <Typography.Text type="secondary" style={{ marginInlineStart: 8, fontSize: 12 }}>
          {node.totalMembers}
        </Typography.Text>
      </span>
    ),
    children: node.children.map(toTreeData),
  };
}

function findNode(node: DepartmentNode, id: number): DepartmentNode | null {
  if (node.id === id) return node;
  for (const child of node.children) {
    const found = findNode(child, id);
    if (found) return found;
  }
  return null;
}

/** Members & Departments: the department tree and the selected department. */
export function DirectoryScreen() {
  const { t } = useTranslation();
  const tree = useQuery({ queryKey: api.queryKeys.departmentTree, queryFn: api.departmentTree });
  const [selectedId, setSelectedId] = useState<number | null>(null);
  const treeData = useMemo(() => (tree.data ? [toTreeData(tree.data)] : []), [tree.data]);

  if (tree.isError) {
    return (
      <div className="orgdesk-page">
        <Alert type="error" showIcon title={errorText(t, api.toCommandError(tree.error))} />
      </div>
    );
  }

  const root = tree.data;
  const selected = root ? ((selectedId !== null && findNode(root, selectedId)) || root) : null;

  return (
    <div className="orgdesk-page" style={{ height: "100%" }}>
      <div className="orgdesk-panes">
        <Card
          className="orgdesk-tree-pane"
          size="small"
          title={t("directory.departments")}
          styles={{ body: { padding: 8 } }}
        >
          {root ? (
            <div data-testid="dept-tree">
              <Tree
                blockNode
                defaultExpandedKeys={[root.id]}
                selectedKeys={selected ? [selected.id] : []}
                onSelect={(keys) => {
                  if (keys.length > 0) setSelectedId(Number(keys[0]));
                }}
                treeData={treeData}
              />
            </div>
          ) : (
            <Skeleton active paragraph={{ rows: 6 }} title={false} />
          )}
        </Card>
        <Card className="orgdesk-detail-pane" size="small">
          {selected ? (
            <>
              <Typography.Title level={4} style={{ margin: 0 }} data-testid="dept-title">
                {selected.name}
              </Typography.Title>
              <Typography.Text type="secondary" data-testid="dept-counts">
                {t("directory.counts", { count: selected.totalMembers, direct: selected.directMembers })}
              </Typography.Text>
              <Empty
                image={<TeamOutlined style={{ fontSize: 48, opacity: 0.35 }} />}
                description={<Typography.Text type="secondary">{t("directory.empty")}</Typography.Text>}
                style={{ padding: "64px 0" }}
              />
            </>
          ) : (
            <Skeleton active />
          )}
        </Card>
      </div>
    </div>
  );
}
