import type { AppStatus } from "../bindings/AppStatus";
import type { CommandError } from "../bindings/CommandError";
import type { DepartmentNode } from "../bindings/DepartmentNode";
import type { OrgOverview } from "../bindings/OrgOverview";
import type { Session } from "../bindings/Session";

export const session: Session = {
  memberId: 1,
  name: "Ada Lovelace",
  username: "ada",
  roles: ["Super Admin"],
  isInitialAdmin: true,
  organizationName: "Acme Ltd",
};

export const signedIn: AppStatus = {
  initialized: true,
  session,
  dbPath: "/home/ada/.local/share/orgdesk/orgdesk.db",
  version: "0.1.0",
};

export const tree: DepartmentNode = {
  id: 1,
  parentId: null,
  name: "Acme Ltd",
  directMembers: 1,
  totalMembers: 4,
  children: [
    { id: 2, parentId: 1, name: "Sales", directMembers: 2, totalMembers: 2, children: [] },
    { id: 3, parentId: 1, name: "Engineering", directMembers: 1, totalMembers: 1, children: [] },
  ],
};

export function overview(canRename: boolean): OrgOverview {
  return {
    name: "Acme Ltd",
    code: "ACME-7Q2K",
    rootDepartmentId: 1,
    createdAt: Date.UTC(2025, 0, 15, 9, 30),
    initialAdmin: { id: 1, name: "Ada Lovelace", username: "ada" },
    counts: { total: 4, enabled: 3, notJoined: 1, pendingApproval: 0, disabled: 0, resigned: 0 },
    departmentCount: 3,
    canRename,
  };
}

export function commandError(partial: Partial<CommandError> & Pick<CommandError, "code">): CommandError {
  return { message: "", details: [], retryAfterSecs: null, ...partial };
}
