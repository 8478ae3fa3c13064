import { listen } from "@tauri-apps/api/event";
import { useQueryClient } from "@tanstack/react-query";
import { useEffect } from "react";

import * as api from "../../api";

/**
 * Reads again what the backend says changed behind the window's back: invitations moving
 * through the gateway, members joining.
 */
export function useBackendEvents() {
  const client = useQueryClient();
  useEffect(() => {
    const invitationKeys = [
      api.queryKeys.invitationsAll,
      api.queryKeys.invitationCounts,
      api.queryKeys.gatewayStatus,
      api.queryKeys.joinRequestsAll,
    ];
    const directoryKeys = [
      api.queryKeys.membersAll,
      api.queryKeys.memberDetailsAll,
      api.queryKeys.departmentDetailsAll,
      api.queryKeys.orgOverview,
    ];
    const subscriptions = [
      listen(api.EVENTS.invitationsChanged, () => {
        for (const queryKey of invitationKeys) void client.invalidateQueries({ queryKey });
      }).catch(() => null),
      listen(api.EVENTS.directoryChanged, () => {
        for (const queryKey of directoryKeys) void client.invalidateQueries({ queryKey });
      }).catch(() => null),
    ];
    return () => {
      for (const s of subscriptions) void s.then((unlisten) => unlisten?.());
    };
  }, [client]);
}
