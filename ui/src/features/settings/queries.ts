import { useQuery, useQueryClient } from "@tanstack/react-query";

import * as api from "../../api";
import type { GatewayStatus } from "../../bindings/GatewayStatus";
import type { NewRole } from "../../bindings/NewRole";
import type { Settings } from "../../bindings/Settings";
import { useCommand, useInvalidate, type CommandCallbacks } from "../../queryClient";
import { useInvalidateImportQuota } from "../spreadsheets/queries";

export function useSettings() {
  return useQuery({ queryKey: api.queryKeys.settings, queryFn: api.getSettings });
}

/** Saving settings answers them as saved: they replace the ones read. */
export function useUpdateSettings(callbacks: CommandCallbacks<Settings, Settings> = {}) {
  const client = useQueryClient();
  return useCommand(api.updateSettings, (saved: Settings) => client.setQueryData(api.queryKeys.settings, saved), callbacks);
}

/** Saving the daily import limit also alters the imports left today. */
export function useUpdateImportQuota(callbacks: CommandCallbacks<Settings, Settings> = {}) {
  const client = useQueryClient();
  const invalidateQuota = useInvalidateImportQuota();
  const saved = (s: Settings) => {
    client.setQueryData(api.queryKeys.settings, s);
    invalidateQuota();
  };
  return useCommand(api.updateSettings, saved, callbacks);
}

export function useRoles() {
  return useQuery({ queryKey: api.queryKeys.roles, queryFn: api.listRoles });
}

const ROLE_KEYS = [api.queryKeys.roles];

export function useCreateRole(callbacks: CommandCallbacks<number, NewRole>) {
  return useCommand(api.createRole, useInvalidate(ROLE_KEYS), callbacks);
}

/** The gateway's state; `refetchInterval` keeps it current while a screen shows it. */
export function useGatewayStatus({ enabled = true, refetchInterval }: { enabled?: boolean; refetchInterval?: number } = {}) {
  return useQuery({ queryKey: api.queryKeys.gatewayStatus, queryFn: api.gatewayStatus, enabled, refetchInterval });
}

export function useRemoteGatewayUrl() {
  return useQuery({ queryKey: api.queryKeys.remoteGatewayUrl, queryFn: api.remoteGatewayUrl });
}

const GATEWAY_STATUS_KEYS = [api.queryKeys.gatewayStatus];

/** What the gateway reporting a change alters: its state (queue, last contact). */
export function useInvalidateGatewayStatus() {
  return useInvalidate(GATEWAY_STATUS_KEYS);
}

/** Another gateway: its address, and the invitations (their links point at it). */
const GATEWAY_SWITCH_KEYS = [api.queryKeys.remoteGatewayUrl, api.queryKeys.invitationsAll];

function useGatewaySwitch<V>(command: (v: V) => Promise<GatewayStatus>, callbacks: CommandCallbacks<GatewayStatus, V>) {
  const client = useQueryClient();
  const invalidate = useInvalidate(GATEWAY_SWITCH_KEYS);
  const switched = (s: GatewayStatus) => {
    client.setQueryData(api.queryKeys.gatewayStatus, s);
    invalidate();
  };
  return useCommand(command, switched, callbacks);
}

export function useConnectRemoteGateway(callbacks: CommandCallbacks<GatewayStatus, { url: string; token: string }>) {
  return useGatewaySwitch(({ url, token }: { url: string; token: string }) => api.connectRemoteGateway(url, token), callbacks);
}

export function useSwitchToBuiltinGateway(callbacks: CommandCallbacks<GatewayStatus, void>) {
  return useGatewaySwitch(api.switchToBuiltinGateway, callbacks);
}
