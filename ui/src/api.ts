// The one typed module through which the UI talks to the backend (Tauri commands).
// Every command of docs/ui-contract.md has a function here; nothing else calls `invoke`.
import { invoke } from "@tauri-apps/api/core";

import { mark } from "./components/marks";

import type { AppStatus } from "./bindings/AppStatus";
import type { BatchChange } from "./bindings/BatchChange";
import type { ChangeOwnPasswordInput } from "./bindings/ChangeOwnPasswordInput";
import type { BatchOutcome } from "./bindings/BatchOutcome";
import type { DepartmentDeletion } from "./bindings/DepartmentDeletion";
import type { DepartmentDetails } from "./bindings/DepartmentDetails";
import type { FormerMember } from "./bindings/FormerMember";
import type { GatewayStatus } from "./bindings/GatewayStatus";
import type { InvitationBatchOutcome } from "./bindings/InvitationBatchOutcome";
import type { InvitationCounts } from "./bindings/InvitationCounts";
import type { InvitationQuery } from "./bindings/InvitationQuery";
import type { InvitationPage } from "./bindings/InvitationPage";
import type { InviteChannel } from "./bindings/InviteChannel";
import type { InviteOutcome } from "./bindings/InviteOutcome";
import type { JoinLinkInput } from "./bindings/JoinLinkInput";
import type { JoinLinkView } from "./bindings/JoinLinkView";
import type { JoinPlacement } from "./bindings/JoinPlacement";
import type { JoinRequestFilter } from "./bindings/JoinRequestFilter";
import type { JoinRequestPage } from "./bindings/JoinRequestPage";
import type { MailMessage } from "./bindings/MailMessage";
import type { MailSummary } from "./bindings/MailSummary";
import type { PasswordResetSent } from "./bindings/PasswordResetSent";
import type { MemberAction } from "./bindings/MemberAction";
import type { MemberDetails } from "./bindings/MemberDetails";
import type { MemberPage } from "./bindings/MemberPage";
import type { MemberPatch } from "./bindings/MemberPatch";
import type { MemberQuery } from "./bindings/MemberQuery";
import type { MemberStatus } from "./bindings/MemberStatus";
import type { NewInvitee } from "./bindings/NewInvitee";
import type { NewMember } from "./bindings/NewMember";
import type { NewRole } from "./bindings/NewRole";
import type { Role } from "./bindings/Role";
import type { Selection } from "./bindings/Selection";
import type { Settings } from "./bindings/Settings";
import type { JoinTeamInput } from "./bindings/JoinTeamInput";
import type { TeamDevice } from "./bindings/TeamDevice";
import type { TeamEnrollment } from "./bindings/TeamEnrollment";
import type { TeamStatus } from "./bindings/TeamStatus";
import type { RemoveOutcome } from "./bindings/RemoveOutcome";
import type { TransferPreview } from "./bindings/TransferPreview";
import type { UpdateOutcome } from "./bindings/UpdateOutcome";
import type { CommandError } from "./bindings/CommandError";
import type { DepartmentNode } from "./bindings/DepartmentNode";
import type { ErrorCode } from "./bindings/ErrorCode";
import type { ErrorDetail } from "./bindings/ErrorDetail";
import type { OrgOverview } from "./bindings/OrgOverview";
import type { Session } from "./bindings/Session";
import type { SetPasswordInput } from "./bindings/SetPasswordInput";
import type { SetupInput } from "./bindings/SetupInput";
import type { SignInInput } from "./bindings/SignInInput";

export const ERROR_CODES: readonly ErrorCode[] = [
  "validation",
  "not_found",
  "conflict",
  "invalid_credentials",
  "too_many_attempts",
  "quota_reached",
  "not_initialized",
  "already_initialized",
  "forbidden",
  "not_signed_in",
  "storage",
  "internal",
];

function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === "string" && (ERROR_CODES as readonly string[]).includes(value);
}

function toDetail(value: unknown): ErrorDetail | null {
  if (typeof value !== "object" || value === null) return null;
  const d = value as Record<string, unknown>;
  if (typeof d.code !== "string") return null;
  return {
    field: typeof d.field === "string" ? d.field : null,
    code: d.code,
    reason: typeof d.reason === "string" ? d.reason : "",
  };
}

/** Whatever a rejected command (or the runtime under it) gave us, as a `CommandError`. */
export function toCommandError(e: unknown): CommandError {
  if (typeof e === "object" && e !== null && !(e instanceof Error)) {
    const o = e as Record<string, unknown>;
    if (isErrorCode(o.code)) {
      return {
        code: o.code,
        message: typeof o.message === "string" ? o.message : "",
        details: Array.isArray(o.details)
          ? o.details.map(toDetail).filter((d): d is ErrorDetail => d !== null)
          : [],
        retryAfterSecs: typeof o.retryAfterSecs === "number" ? o.retryAfterSecs : null,
      };
    }
  }
  let message: string;
  if (typeof e === "string") message = e;
  else if (e instanceof Error) message = e.message;
  else {
    try {
      message = JSON.stringify(e) ?? String(e);
    } catch {
      message = String(e);
    }
  }
  return { code: "internal", message, details: [], retryAfterSecs: null };
}

export function isCommandError(e: unknown): e is CommandError {
  return (
    typeof e === "object" &&
    e !== null &&
    !(e instanceof Error) &&
    isErrorCode((e as Record<string, unknown>).code) &&
    Array.isArray((e as Record<string, unknown>).details)
  );
}

/** Calls a command; a failure always rejects with a normalized `CommandError`. */
async function call<T>(command: string, args?: Record<string, unknown>): Promise<T> {
  mark(`${command} asked`);
  try {
    return await invoke<T>(command, args);
  } catch (e) {
    throw toCommandError(e);
  } finally {
    mark(`${command} answered`);
  }
}

export const appStatus = (): Promise<AppStatus> => call("app_status");

export const setupOrganization = (input: SetupInput): Promise<null> =>
  call("setup_organization", { input });

export const signIn = (input: SignInInput): Promise<Session> => call("sign_in", { input });

export const changeOwnPassword = (input: ChangeOwnPasswordInput): Promise<Session> =>
  call("change_own_password", { input });

export const signOut = (): Promise<null> => call("sign_out");

export const orgOverview = (): Promise<OrgOverview> => call("org_overview");

export const renameOrganization = (name: string): Promise<OrgOverview> =>
  call("rename_organization", { name });

export const departmentTree = (): Promise<DepartmentNode> => call("department_tree");

// The directory: departments.
export const departmentDetails = (id: number): Promise<DepartmentDetails> => call("department_details", { id });

export const createDepartment = (parentId: number, name: string): Promise<number> =>
  call("create_department", { parentId, name });

export const renameDepartment = (id: number, name: string): Promise<null> => call("rename_department", { id, name });

/** `index` is the position among the new siblings; null = last. */
export const moveDepartment = (id: number, parentId: number, index: number | null): Promise<null> =>
  call("move_department", { id, parentId, index });

/** What deleting would move: the resigned members whose position goes to the parent. */
export const departmentDeletionPreview = (id: number): Promise<DepartmentDeletion> =>
  call("department_deletion_preview", { id });

export const deleteDepartment = (id: number): Promise<DepartmentDeletion> => call("delete_department", { id });

export const setDepartmentHead = (id: number, memberId: number | null): Promise<null> =>
  call("set_department_head", { id, memberId });

// The directory: members.
export const listMembers = (query: MemberQuery): Promise<MemberPage> => call("list_members", { query });

export const memberDetails = (id: number): Promise<MemberDetails> => call("member_details", { id });

export const addMember = (input: NewMember): Promise<number> => call("add_member", { input });

export const addInvitee = (input: NewInvitee): Promise<number> => call("add_invitee", { input });

export const updateMember = (id: number, patch: MemberPatch): Promise<UpdateOutcome> =>
  call("update_member", { id, patch });

export const setPrimaryDepartment = (id: number, departmentId: number): Promise<null> =>
  call("set_primary_department", { id, departmentId });

export type StatusAction = Exclude<MemberAction, "edit" | "remove">;

export const changeMemberStatus = (id: number, action: StatusAction): Promise<MemberStatus> =>
  call("change_member_status", { id, action });

export const setMemberPassword = (id: number, input: SetPasswordInput): Promise<null> =>
  call("set_member_password", { id, input });

export const transferPreview = (id: number): Promise<TransferPreview> => call("transfer_preview", { id });

export const removeMember = (id: number, transferTo: number | null): Promise<RemoveOutcome> =>
  call("remove_member", { id, transferTo });

export const batchUpdate = (selection: Selection, change: BatchChange): Promise<BatchOutcome> =>
  call("batch_update", { selection, change });

export const formerMembers = (): Promise<FormerMember[]> => call("former_members");

// Roles and settings.
export const listRoles = (): Promise<Role[]> => call("list_roles");

export const createRole = (input: NewRole): Promise<number> => call("create_role", { input });

export const getSettings = (): Promise<Settings> => call("get_settings");

export const updateSettings = (settings: Settings): Promise<Settings> => call("update_settings", { settings });

/** The language the window shows, which the OS notification for new join requests is written in. */
export const setWindowLanguage = (language: "en" | "zh-CN"): Promise<null> => call("set_window_language", { language });

/** The window has drawn its first picture: the backend's link to the gateway starts then. */
export const windowShown = (): Promise<null> => call("window_shown");

// Invitations and the gateway.
/** `language`: the invitation's (its mail, text message and pages); the organization's when absent. */
export const inviteMembers = (memberIds: number[], channel: InviteChannel, language?: Lang): Promise<InviteOutcome> =>
  call("invite_members", { memberIds, channel, language });

export const listInvitations = (query: InvitationQuery): Promise<InvitationPage> =>
  call("list_invitations", { query });

export const invitationCounts = (): Promise<InvitationCounts> => call("invitation_counts");

export const resendInvitation = (id: number): Promise<null> => call("resend_invitation", { id });

export const cancelInvitation = (id: number): Promise<null> => call("cancel_invitation", { id });

export const resendInvitations = (ids: number[]): Promise<InvitationBatchOutcome> => call("resend_invitations", { ids });

export const cancelInvitations = (ids: number[]): Promise<InvitationBatchOutcome> => call("cancel_invitations", { ids });

export const gatewayStatus = (): Promise<GatewayStatus> => call("gateway_status");

export const remoteGatewayUrl = (): Promise<string | null> => call("remote_gateway_url");

export const connectRemoteGateway = (url: string, token: string): Promise<GatewayStatus> =>
  call("connect_remote_gateway", { url, token });

export const switchToBuiltinGateway = (): Promise<GatewayStatus> => call("use_builtin_gateway");

// Team mode.
export const teamStatus = (): Promise<TeamStatus> => call("team_status");

/** What this computer is called in the team's device list unless the admin says otherwise. */
export const teamComputerName = (): Promise<string> => call("team_computer_name");

/** Super Admin only: this computer becomes the team's first device. */
export const startTeam = (deviceName: string | null): Promise<TeamStatus> => call("team_start", { deviceName });

export const enrollTeamAdmin = (memberId: number): Promise<TeamEnrollment> => call("team_enroll", { memberId });

export const teamDevices = (): Promise<TeamDevice[]> => call("team_devices");

export const revokeTeamDevice = (deviceId: string): Promise<null> => call("team_revoke", { deviceId });

/** Before any organization is set up here: joins the team and makes the directory from its snapshot. */
export const joinTeam = (input: JoinTeamInput): Promise<null> => call("team_join", { input });

export const listSentMail = (): Promise<MailSummary[]> => call("list_sent_mail");

export const readSentMail = (file: string): Promise<MailMessage> => call("read_sent_mail", { file });
export const readInvitationMail = (invitationId: number): Promise<MailMessage> =>
  call("read_invitation_mail", { invitationId });

export const sendPasswordReset = (memberId: number, channel: "email" | "sms" | "link"): Promise<PasswordResetSent> =>
  call("send_password_reset", { memberId, channel });

// Join requests and the public join link.
export const listJoinRequests = (
  filter: JoinRequestFilter,
  search: string,
  offset: number,
  limit: number,
): Promise<JoinRequestPage> => call("list_join_requests", { filter, search, offset, limit });

/** Approves (into `placement`, the root department and member role when absent) or rejects
 *  every request in `ids`, all or nothing; answers the new members' ids. */
export const decideJoinRequests = (ids: number[], approve: boolean, placement?: JoinPlacement): Promise<number[]> =>
  call("decide_join_requests", { ids, approve, placement: placement ?? null });

export const joinLink = (): Promise<JoinLinkView> => call("join_link");

export const setJoinLink = (input: JoinLinkInput): Promise<JoinLinkView> => call("set_join_link", { input });

export const rotateJoinLink = (): Promise<JoinLinkView> => call("rotate_join_link");

export const disableJoinLink = (): Promise<JoinLinkView> => call("disable_join_link");

/** Backend events that tell the window to read again. */
export const EVENTS = {
  invitationsChanged: "invitations-changed",
  directoryChanged: "directory-changed",
  teamRefused: "team-refused",
} as const;

/** Query keys, so every screen invalidates the same things. */
export const queryKeys = {
  appStatus: ["app_status"] as const,
  orgOverview: ["org_overview"] as const,
  departmentTree: ["department_tree"] as const,
  departmentDetails: (id: number) => ["department_details", id] as const,
  departmentDetailsAll: ["department_details"] as const,
  members: (query: MemberQuery) => ["list_members", query] as const,
  membersAll: ["list_members"] as const,
  memberDetails: (id: number) => ["member_details", id] as const,
  memberDetailsAll: ["member_details"] as const,
  transferPreview: (id: number) => ["transfer_preview", id] as const,
  formerMembers: ["former_members"] as const,
  roles: ["list_roles"] as const,
  settings: ["get_settings"] as const,
  invitations: (query: InvitationQuery) => ["list_invitations", query] as const,
  invitationsAll: ["list_invitations"] as const,
  invitationCounts: ["invitation_counts"] as const,
  gatewayStatus: ["gateway_status"] as const,
  teamStatus: ["team_status"] as const,
  teamDevices: ["team_devices"] as const,
  teamComputerName: ["team_computer_name"] as const,
  remoteGatewayUrl: ["remote_gateway_url"] as const,
  joinRequests: (filter: JoinRequestFilter, search: string, page: number) =>
    ["list_join_requests", filter, search, page] as const,
  waitingJoinRequests: ["list_join_requests", "count"] as const,
  joinRequestsAll: ["list_join_requests"] as const,
  joinLink: ["join_link"] as const,
  sentMail: ["list_sent_mail"] as const,
  sentMailMessage: (file: string) => ["read_sent_mail", file] as const,
  invitationMail: (invitationId: number) => ["read_invitation_mail", invitationId] as const,
};

// Import / Export. Dialogs open in the backend, which answers with the chosen path (null when
// the admin cancels). Long jobs report progress through `onProgress` and stop on `cancelJob`.
import { Channel } from "@tauri-apps/api/core";

import type { ColumnMapping } from "./bindings/ColumnMapping";
import type { ExportFormat } from "./bindings/ExportFormat";
import type { ExportOutcome } from "./bindings/ExportOutcome";
import type { FileColumns } from "./bindings/FileColumns";
import type { FileDrop } from "./bindings/FileDrop";
import type { ImportOptions } from "./bindings/ImportOptions";
import type { ImportQuotaStatus } from "./bindings/ImportQuotaStatus";
import type { ImportSummary } from "./bindings/ImportSummary";
import type { JobProgress } from "./bindings/JobProgress";
import type { Lang } from "./bindings/Lang";
import type { SavedMapping } from "./bindings/SavedMapping";

export const saveTemplate = (lang: Lang, dialogTitle: string): Promise<string | null> =>
  call("save_template", { lang, dialogTitle });

export const chooseImportFile = (dialogTitle: string): Promise<string | null> =>
  call("choose_import_file", { dialogTitle });

export const inspectImportFile = (path: string): Promise<FileColumns> => call("inspect_import_file", { path });

export const previewImport = (
  path: string,
  options: ImportOptions,
  job: number,
  onProgress: (p: JobProgress) => void,
): Promise<ImportSummary> => call("preview_import", { path, options, job, onProgress: new Channel(onProgress) });

export const runImport = (
  path: string,
  options: ImportOptions,
  job: number,
  onProgress: (p: JobProgress) => void,
  sendInvitations = false,
): Promise<ImportSummary> => call("run_import", { path, options, job, onProgress: new Channel(onProgress), sendInvitations });

/** The signed-in admin's imports today against the quota in Settings. */
export const importQuotaStatus = (): Promise<ImportQuotaStatus> => call("import_quota_status");

export const cancelJob = (job: number): Promise<null> => call("cancel_job", { job });

export const saveImportResults = (dialogTitle: string): Promise<string | null> =>
  call("save_import_results", { dialogTitle });

export const exportMembersFile = (
  query: MemberQuery,
  format: ExportFormat,
  lang: Lang,
  dialogTitle: string,
  job: number,
  onProgress: (p: JobProgress) => void,
): Promise<ExportOutcome | null> =>
  call("export_members_file", { query, format, lang, dialogTitle, job, onProgress: new Channel(onProgress) });

export const listSavedMappings = (): Promise<SavedMapping[]> => call("list_saved_mappings");

export const saveMapping = (name: string, mapping: ColumnMapping): Promise<SavedMapping> =>
  call("save_mapping", { name, mapping });

export const deleteSavedMapping = (id: number): Promise<null> => call("delete_saved_mapping", { id });

/** Files dragged onto the window are reported to `onDrop` (the latest watcher wins). */
export const watchFileDrops = (onDrop: (d: FileDrop) => void): Promise<null> =>
  call("watch_file_drops", { onDrop: new Channel(onDrop) });

export const sheetQueryKeys = {
  savedMappings: ["list_saved_mappings"] as const,
  importQuota: ["import_quota_status"] as const,
};
