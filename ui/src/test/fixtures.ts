import type { AppStatus } from "../bindings/AppStatus";
import type { CommandError } from "../bindings/CommandError";
import type { DepartmentNode } from "../bindings/DepartmentNode";
import type { OrgOverview } from "../bindings/OrgOverview";
import type { RefusedChange } from "../bindings/RefusedChange";
import type { Session } from "../bindings/Session";

export const session: Session = {
  memberId: 1,
  name: "Ada Lovelace",
  username: "ada",
  roles: ["Super Admin"],
  isInitialAdmin: true,
  organizationName: "Acme Ltd",
  mustChangePassword: false,
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
    rootDepartmentId: 1,
    createdAt: Date.UTC(2025, 0, 15, 9, 30),
    initialAdmin: { id: 1, name: "Ada Lovelace", username: "ada" },
    counts: { total: 4, enabled: 3, notJoined: 1, pendingApproval: 0, disabled: 0, resigned: 0 },
    departmentCount: 3,
    canRename,
  };
}

/** A change of this computer that the team's log refused: another "bob" came first. */
export const bobRefused: RefusedChange = {
  seq: 7,
  changeId: "c7",
  what: "Add member Bob Two (bob)",
  kind: "member.add",
  values: { name: "Bob Two", username: "bob" },
  field: "username",
  reason: "The username \"bob\" is already used.",
  code: "taken",
  loggedAt: 1_700_000_000,
};

export function commandError(partial: Partial<CommandError> & Pick<CommandError, "code">): CommandError {
  return { message: "", details: [], retryAfterSecs: null, ...partial };
}

/** A command's handler refused with `error` the first time it is called, answering `answer` after. */
export function refusedOnce(error: CommandError, answer: unknown): () => unknown {
  let refused = false;
  return () => {
    if (!refused) {
      refused = true;
      throw error;
    }
    return answer;
  };
}

import type { DepartmentDetails } from "../bindings/DepartmentDetails";
import type { MemberDetails } from "../bindings/MemberDetails";
import type { MemberQuery } from "../bindings/MemberQuery";
import type { MemberRow } from "../bindings/MemberRow";
import type { Role } from "../bindings/Role";

export const roles: Role[] = [
  { id: 1, name: "Super Admin", description: "Everything", builtin: true, members: 1 },
  { id: 2, name: "Admin", description: "Manages the directory", builtin: true, members: 0 },
  { id: 3, name: "Member", description: "Uses the organization", builtin: true, members: 3 },
];

export const rows: MemberRow[] = [
  { id: 1, name: "Ada Lovelace", username: "ada", primaryDepartment: "Acme Ltd", position: "Founder", roles: ["Super Admin"], status: "enabled", employeeId: "E1", email: null, mobile: null },
  { id: 2, name: "Bob Stone", username: "bob", primaryDepartment: "Sales", position: "Rep", roles: ["Member"], status: "disabled", employeeId: "E2", email: null, mobile: null },
  { id: 3, name: "Cy Invited", username: null, primaryDepartment: "Sales", position: null, roles: ["Member"], status: "not_joined", employeeId: null, email: "cy@example.com", mobile: null },
  { id: 4, name: "Dee Gone", username: "dee", primaryDepartment: "Engineering", position: null, roles: ["Member"], status: "resigned", employeeId: "E4", email: null, mobile: null },
];

export function deptDetails(id: number): DepartmentDetails {
  const names: Record<number, string> = { 1: "Acme Ltd", 2: "Sales", 3: "Engineering" };
  return {
    id,
    parentId: id === 1 ? null : 1,
    name: names[id] ?? `Dept ${id}`,
    path: id === 1 ? "" : (names[id] ?? ""),
    isRoot: id === 1,
    head: id === 2 ? { id: 2, name: "Bob Stone", username: "bob" } : null,
    directMembers: id === 1 ? 1 : 2,
    totalMembers: id === 1 ? 4 : 2,
    subDepartments: id === 1 ? 2 : 0,
  };
}

export function memberDetails(row: MemberRow, patch: Partial<MemberDetails> = {}): MemberDetails {
  const allowed: Record<string, MemberDetails["allowedActions"]> = {
    enabled: ["edit", "disable", "resign", "remove"],
    disabled: ["edit", "enable", "resign", "remove"],
    not_joined: ["edit", "remove"],
    resigned: ["restore", "remove"],
  };
  return {
    id: row.id,
    name: row.name,
    username: row.username,
    email: row.email,
    orgEmail: null,
    mobile: row.mobile,
    employeeId: row.employeeId,
    workLocation: null,
    positions: [
      { departmentId: 2, departmentName: "Sales", departmentPath: "Sales", title: row.position, isPrimary: true },
      { departmentId: 3, departmentName: "Engineering", departmentPath: "Engineering", title: null, isPrimary: false },
    ],
    roles: [{ id: 3, name: "Member" }],
    status: row.status,
    createdAt: Date.UTC(2025, 0, 15),
    activatedAt: row.status === "not_joined" ? null : Date.UTC(2025, 0, 16),
    lastLoginAt: null,
    createdBy: { id: 1, name: "Ada Lovelace", username: "ada" },
    invitationEmail: row.status === "not_joined" ? row.email : null,
    personalFieldsLocked: row.status !== "not_joined",
    isInitialAdmin: row.id === 1,
    allowedActions: allowed[row.status] ?? ["remove"],
    history: [{ at: Date.UTC(2025, 0, 15), actorName: "Ada Lovelace", action: "member.add", before: null, after: null, changes: [] }],
    ...patch,
  };
}

/** A directory backend over the fixtures; `list_members` pages and filters by search like the core. */
export function directoryHandlers(extra: Record<string, (args: Record<string, unknown>) => unknown> = {}) {
  return {
    app_status: () => signedIn,
    department_tree: () => tree,
    department_details: (a: Record<string, unknown>) => deptDetails(a.id as number),
    list_roles: () => roles,
    get_settings: () => ({ defaultRegion: "US" }),
    // The navigation's badge counts the waiting join requests.
    list_join_requests: () => ({ rows: [], total: 0 }),
    list_members: (a: Record<string, unknown>) => {
      const q = a.query as MemberQuery;
      const s = (q.search ?? "").toLowerCase();
      const matching = rows.filter((r) => !s || r.name.toLowerCase().includes(s) || (r.username ?? "").includes(s));
      return { rows: matching.slice(q.offset, q.offset + q.limit), total: matching.length };
    },
    member_details: (a: Record<string, unknown>) => memberDetails(rows.find((r) => r.id === a.id) ?? rows[0]),
    department_deletion_preview: () => ({ name: "Sales", parentPath: "", parentName: "Acme", resignedMoved: [] }),
    ...extra,
  };
}

/**
 * A long job (import, export) that runs until the admin cancels it: `run` keeps the job's
 * progress channel and never finishes on its own; `cancel` (the `cancel_job` handler) ends it as
 * the backend does, with a "cancelled" error.
 */
export function jobUntilCancelled() {
  let reject: ((e: unknown) => void) | null = null;
  const job = {
    progress: null as unknown,
    run: (a: Record<string, unknown>) => {
      job.progress = a.onProgress;
      return new Promise((_resolve, r) => {
        reject = r;
      });
    },
    cancel: () => {
      reject?.(commandError({ code: "conflict", details: [{ field: null, code: "cancelled", reason: "" }] }));
      return null;
    },
  };
  return job;
}
