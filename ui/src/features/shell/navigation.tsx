import { ApartmentOutlined, ImportOutlined, InfoCircleOutlined, MailOutlined, SettingOutlined, UserAddOutlined } from "@ant-design/icons";
import type { QueryClient } from "@tanstack/react-query";
import { Badge } from "antd";
import { useMemo, type ReactNode } from "react";
import { useTranslation } from "react-i18next";

import type { AppStatus } from "../../bindings/AppStatus";
import { preloadable } from "../../components/preloadable";
import { DirectoryScreen } from "../directory/DirectoryScreen";
import { prefetchInvitations } from "../invitations/queries";
import { prefetchJoinRequests, useWaitingJoinRequestCount } from "../joinRequests/queries";

// The screens other than the directory are their own chunks: loaded once the directory is on
// screen (or when first opened, if sooner), so that neither start-up nor sign-in parses them,
// and shown at once when opened after that (`preloadable`).
const invitations = preloadable(() => import("../invitations/InvitationsScreen"), (m) => m.InvitationsScreen);
const joinRequests = preloadable(() => import("../joinRequests/JoinRequestsScreen"), (m) => m.JoinRequestsScreen);
const importExport = preloadable(() => import("../spreadsheets/ImportExportScreen"), (m) => m.ImportExportScreen);
const settings = preloadable(() => import("../settings/SettingsScreen"), (m) => m.SettingsScreen);
const overview = preloadable(() => import("../overview/OverviewScreen"), (m) => m.OverviewScreen);
const InvitationsScreen = invitations.Component;
const JoinRequestsScreen = joinRequests.Component;
const ImportExportScreen = importExport.Component;
const SettingsScreen = settings.Component;
const OverviewScreen = overview.Component;

/**
 * Loads the lazy screens' chunks ahead of their first opening, and reads ahead what the two
 * lists show first, so that a screen's first opening draws as its later ones do.
 */
export function preloadScreens(client: QueryClient) {
  for (const screen of [invitations, joinRequests, importExport, settings, overview]) void screen.preload();
  void prefetchInvitations(client);
  void prefetchJoinRequests(client);
}

export type ScreenKey = "directory" | "invitations" | "joinRequests" | "importExport" | "settings" | "overview";

/** The navigation's entries, in order. */
export const NAV: { key: ScreenKey; testId: string; icon: ReactNode }[] = [
  { key: "directory", testId: "nav-directory", icon: <ApartmentOutlined /> },
  { key: "invitations", testId: "nav-invitations", icon: <MailOutlined /> },
  { key: "joinRequests", testId: "nav-join-requests", icon: <UserAddOutlined /> },
  { key: "importExport", testId: "nav-import-export", icon: <ImportOutlined /> },
  { key: "settings", testId: "nav-settings", icon: <SettingOutlined /> },
  { key: "overview", testId: "nav-overview", icon: <InfoCircleOutlined /> },
];

/** The counts shown beside the entries' labels: the join requests waiting for a decision. */
export function useNavBadges(): Partial<Record<ScreenKey, number>> {
  const joinRequests = useWaitingJoinRequestCount();
  // The same object while the counts hold: the navigation's entries are made again only then.
  return useMemo(() => ({ joinRequests }), [joinRequests]);
}

/**
 * An entry's count beside its label; nothing shows when there is none. The badge is in the page
 * from the window's first picture even then, so that its styles are added with the window's
 * and a count arriving later does not make the web view work out the style of the whole
 * window again.
 */
export function NavBadge({ screen, count }: { screen: ScreenKey; count: number | undefined }) {
  const { t } = useTranslation();
  return (
    <Badge
      count={count ?? 0}
      overflowCount={99}
      size="small"
      title={count ? t("nav.waiting", { count }) : undefined}
      style={{ marginInlineStart: 8 }}
      data-testid={count ? `nav-badge-${screen}` : undefined}
    />
  );
}

/** The screen a navigation entry shows. */
export function Screen({ screen, status, focusSearch }: { screen: ScreenKey; status: AppStatus; focusSearch: number }) {
  switch (screen) {
    case "directory":
      return <DirectoryScreen focusSearchSignal={focusSearch} />;
    case "invitations":
      return <InvitationsScreen />;
    case "joinRequests":
      return <JoinRequestsScreen />;
    case "importExport":
      return <ImportExportScreen />;
    case "settings":
      return <SettingsScreen status={status} />;
    case "overview":
      return <OverviewScreen />;
  }
}

