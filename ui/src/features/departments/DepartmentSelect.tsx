import { TreeSelect } from "antd";
import type { TreeSelectProps } from "antd";

/**
 * A department (or several) picked from the tree: every branch open, searched by name. The
 * other props are Ant Design's TreeSelect's; `treeData` is usually `deptOptions(tree)`.
 */
export function DepartmentSelect(props: TreeSelectProps) {
  return <TreeSelect treeDefaultExpandAll showSearch treeNodeFilterProp="title" {...props} />;
}
