import { listen, type Event, type EventCallback } from "@tauri-apps/api/event";
import { App as AntApp } from "antd";
import { useCallback, useEffect } from "react";
import { useTranslation } from "react-i18next";

import * as api from "../../api";
import { currentLanguage } from "../../i18n";
import { useInvalidateDirectory } from "../directory/queries";
import { useInvalidateInvitations } from "../invitations/queries";
import { useInvalidateJoinRequests } from "../joinRequests/queries";
import { useInvalidateGatewayStatus } from "../settings/queries";
import { useInvalidateTeam } from "../team/queries";
import { refusedWhat, refusedWhy } from "../team/refusals";
import type { RefusedChange } from "../../bindings/RefusedChange";

/**
 * Reads again what the backend says changed behind the window's back: invitations moving
 * through the gateway (their lists and counts, the gateway's state, join requests), the
 * directory — members joining or changing their profile, and on a computer in a team any change
 * another admin's computer made (the tree, the member lists and details, department cards, the
 * overview) — and, in a team, what waits to be sent; and tells the admin, once each, of their
 * changes the team's log refused. One hook an event.
 */
export function useBackendEvents() {
  useInvitationsChanged();
  useDirectoryChanged();
  useTeamRefusals();
}

/** Calls `handler` on each `event` the backend sends while the component is on screen. */
function useBackendEvent<T>(event: string, handler: EventCallback<T>) {
  useEffect(() => {
    const subscription = listen<T>(event, handler).catch(() => null);
    return () => void subscription.then((unlisten) => unlisten?.());
  }, [event, handler]);
}

function useInvitationsChanged() {
  const invalidateInvitations = useInvalidateInvitations();
  const invalidateGatewayStatus = useInvalidateGatewayStatus();
  const invalidateJoinRequests = useInvalidateJoinRequests();
  const changed = useCallback(() => {
    invalidateInvitations();
    invalidateGatewayStatus();
    invalidateJoinRequests();
  }, [invalidateInvitations, invalidateGatewayStatus, invalidateJoinRequests]);
  useBackendEvent(api.EVENTS.invitationsChanged, changed);
}

function useDirectoryChanged() {
  const invalidateDirectory = useInvalidateDirectory();
  const invalidateTeam = useInvalidateTeam();
  const changed = useCallback(() => {
    invalidateDirectory();
    invalidateTeam();
  }, [invalidateDirectory, invalidateTeam]);
  useBackendEvent(api.EVENTS.directoryChanged, changed);
}

function useTeamRefusals() {
  const { t } = useTranslation();
  const { notification } = AntApp.useApp();
  const invalidateTeam = useInvalidateTeam();
  const refused = useCallback(
    (event: Event<RefusedChange[]>) => {
      invalidateTeam();
      for (const r of event.payload) {
        notification.warning({
          key: `team-refused-${r.seq}`,
          title: t("team.refused.notice", { what: refusedWhat(t, r) }),
          description: refusedWhy(t, r),
          duration: 0,
        });
      }
    },
    [t, notification, invalidateTeam],
  );
  useBackendEvent(api.EVENTS.teamRefused, refused);
}

/**
 * Tells the backend the language the window shows, at start and on every switch, so that the
 * OS notification for new join requests is written in it. Nothing to show when it fails: the
 * notification then keeps the language it had.
 */
export function useWindowLanguage() {
  const { i18n } = useTranslation();
  useEffect(() => {
    api.setWindowLanguage(currentLanguage()).catch(() => null);
  }, [i18n.language]);
}
