import type { DepartmentNode } from "../../bindings/DepartmentNode";

export type DeptOption = { value: number; title: string; children: DeptOption[]; disabled?: boolean };

/** The tree as TreeSelect data; `exclude` drops a subtree (a department cannot move under itself). */
export function deptOptions(node: DepartmentNode, exclude?: number): DeptOption[] {
  if (node.id === exclude) return [];
  return [{ value: node.id, title: node.name, children: node.children.flatMap((c) => deptOptions(c, exclude)) }];
}

export function findDept(node: DepartmentNode, id: number): DepartmentNode | null {
  if (node.id === id) return node;
  for (const child of node.children) {
    const found = findDept(child, id);
    if (found) return found;
  }
  return null;
}

/** A department and its parent (none for the root). */
export type Located = { node: DepartmentNode; parent: DepartmentNode | null };

/** Every department of the tree by id, with its parent. */
export function locate(root: DepartmentNode): Map<number, Located> {
  const map = new Map<number, Located>();
  const walk = (node: DepartmentNode, parent: DepartmentNode | null) => {
    map.set(node.id, { node, parent });
    node.children.forEach((c) => walk(c, node));
  };
  walk(root, null);
  return map;
}
