import { keepPreviousData, useQuery } from "@tanstack/react-query";

import * as api from "../../api";
import type { DepartmentDeletion } from "../../bindings/DepartmentDeletion";
import type { DepartmentNode } from "../../bindings/DepartmentNode";
import { useCommand, type CommandCallbacks } from "../../queryClient";
import { useInvalidateDirectory } from "../directory/queries";

export function useDepartmentTree() {
  return useQuery({ queryKey: api.queryKeys.departmentTree, queryFn: api.departmentTree });
}

/**
 * A department's card: name, path, head and counts. With `keepPrevious`, the previous
 * department's stays until this one's arrives (no skeleton flashing in between).
 */
export function useDepartmentDetails(id: number, { keepPrevious = false } = {}) {
  return useQuery({
    queryKey: api.queryKeys.departmentDetails(id),
    queryFn: () => api.departmentDetails(id),
    placeholderData: keepPrevious ? keepPreviousData : undefined,
  });
}

// Every change below alters the directory: the tree, the cards, members' departments, the overview.

export type MoveArgs = { id: number; parentId: number; index: number | null };

export function useMoveDepartment(callbacks: CommandCallbacks<null, MoveArgs>) {
  return useCommand(({ id, parentId, index }: MoveArgs) => api.moveDepartment(id, parentId, index), useInvalidateDirectory(), callbacks);
}

export function useDeleteDepartment(callbacks: CommandCallbacks<DepartmentDeletion, DepartmentNode>) {
  return useCommand((dept: DepartmentNode) => api.deleteDepartment(dept.id), useInvalidateDirectory(), callbacks);
}

/** What deleting a department would move, read afresh when its confirmation opens. */
export const deletionPreview = (dept: DepartmentNode): Promise<DepartmentDeletion> =>
  api.departmentDeletionPreview(dept.id).catch((e: unknown) => {
    throw api.toCommandError(e);
  });

/** Renames `renaming`, or else creates a department under `parentId`; answers the new one's id. */
export function useSaveDepartment(renaming: number | null, parentId: number, callbacks: CommandCallbacks<number | null, string>) {
  const save = (name: string) => (renaming !== null ? api.renameDepartment(renaming, name) : api.createDepartment(parentId, name));
  return useCommand(save, useInvalidateDirectory(), callbacks);
}

export function useSetDepartmentHead(id: number, callbacks: CommandCallbacks<null, number | null>) {
  return useCommand((memberId: number | null) => api.setDepartmentHead(id, memberId), useInvalidateDirectory(), callbacks);
}
