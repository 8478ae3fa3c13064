import { useQuery, useQueryClient } from "@tanstack/react-query";

import * as api from "../../api";
import type { JoinTeamInput } from "../../bindings/JoinTeamInput";
import type { TeamEnrollment } from "../../bindings/TeamEnrollment";
import type { TeamStatus } from "../../bindings/TeamStatus";
import { useCommand, useInvalidate, type CommandCallbacks } from "../../queryClient";
import { useInvalidateAppStatus } from "../session/queries";

/** This computer in team mode: its device, what waits to be sent, what the log refused. */
export function useTeamStatus() {
  return useQuery({ queryKey: api.queryKeys.teamStatus, queryFn: api.teamStatus });
}

export function useTeamDevices(enabled: boolean) {
  return useQuery({ queryKey: api.queryKeys.teamDevices, queryFn: api.teamDevices, enabled });
}

/** The name the join form proposes for this computer. */
export function useComputerName() {
  return useQuery({ queryKey: api.queryKeys.teamComputerName, queryFn: api.teamComputerName, staleTime: Infinity });
}

const TEAM_KEYS = [api.queryKeys.teamStatus, api.queryKeys.teamDevices];

/** What the team's log moving alters: what waits here, what was refused, the devices. */
export function useInvalidateTeam() {
  return useInvalidate(TEAM_KEYS);
}

export function useStartTeam(callbacks: CommandCallbacks<TeamStatus, string | null>) {
  const client = useQueryClient();
  const invalidate = useInvalidateTeam();
  const started = (status: TeamStatus) => {
    invalidate();
    client.setQueryData(api.queryKeys.teamStatus, status);
  };
  return useCommand(api.startTeam, started, callbacks);
}

/** An enrollment code alters nothing shown: the device appears once the other computer joins. */
export function useEnrollAdmin(callbacks: CommandCallbacks<TeamEnrollment, number>) {
  return useCommand(api.enrollTeamAdmin, () => undefined, callbacks);
}

const DEVICE_KEYS = [api.queryKeys.teamDevices];

export function useRevokeDevice(callbacks: CommandCallbacks<null, string>) {
  return useCommand(api.revokeTeamDevice, useInvalidate(DEVICE_KEYS), callbacks);
}

/** Joined, the app status says a directory is here: the sign-in screen shows. */
export function useJoinTeam(callbacks: CommandCallbacks<null, JoinTeamInput>) {
  return useCommand(api.joinTeam, useInvalidateAppStatus(), callbacks);
}
