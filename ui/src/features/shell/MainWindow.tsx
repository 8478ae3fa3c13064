import { DownOutlined, KeyOutlined, LogoutOutlined } from "@ant-design/icons";
import { useQueryClient } from "@tanstack/react-query";
import { App as AntApp, Avatar, Button, Layout, Spin, theme } from "antd";
import type { MenuProps } from "antd";
import { Suspense, useEffect, useLayoutEffect, useMemo, useState } from "react";
import { useTranslation } from "react-i18next";

import type { AppStatus } from "../../bindings/AppStatus";
import type { Session } from "../../bindings/Session";
import { LanguageSwitch } from "../../components/LanguageSwitch";
import { LazyDropdown } from "../../components/LazyDropdown";
import { mark } from "../../components/marks";
import { GoToScreen } from "../../components/goTo";
import { PlainText } from "../../components/PlainText";
import { isDialogOpen, isTyping } from "../../components/keyboard";
import { ONE_LINE } from "../../components/text";
import { errorText } from "../../errors";
import { ChangePasswordDialog } from "../session/ChangePasswordDialog";
import { useSignOut } from "../session/queries";
import { NavMenu } from "./NavMenu";
import { NAV, NavBadge, Screen, preloadScreens, useNavBadges, type ScreenKey } from "./navigation";
import { useBackendEvents, useWindowLanguage } from "./queries";

type Props = {
  status: AppStatus;
  session: Session;
  onSignedOut: (username: string) => void;
};

function Brand() {
  const { t } = useTranslation();
  const { token } = theme.useToken();
  return (
    <div className="orgdesk-brand" data-testid="brand">
      <span className="orgdesk-brand-mark" style={{ background: token.colorPrimary }} aria-hidden>
        O
      </span>
      <span style={{ color: token.colorText }}>{t("app.name")}</span>
    </div>
  );
}

/**
 * The navigation with its counts. A count that arrives or changes renders the navigation
 * alone, not the window and the screen in it.
 */
function Navigation({ selected, onSelect }: { selected: ScreenKey; onSelect: (screen: ScreenKey) => void }) {
  const { t } = useTranslation();
  const badges = useNavBadges();
  const items = useMemo(
    () =>
      NAV.map((item) => {
        // An entry that can have a count has its badge from the start, showing nothing at 0.
        const counted = item.key in badges;
        const badge = counted ? <NavBadge screen={item.key} count={badges[item.key]} /> : undefined;
        return { ...item, label: t(`nav.${item.key}`), badge };
      }),
    [t, badges],
  );
  return <NavMenu label={t("nav.label")} items={items} selected={selected} onSelect={onSelect} />;
}

/** The signed-in window: navigation on the left, the organization and the admin on top. */
export function MainWindow({ status, session, onSignedOut }: Props) {
  mark("main window render");
  useLayoutEffect(() => mark("main window committed"));
  const { t } = useTranslation();
  const { token } = theme.useToken();
  const { message } = AntApp.useApp();
  const [screen, setScreen] = useState<ScreenKey>("directory");
  const [focusSearch, setFocusSearch] = useState(0);
  useBackendEvents();
  useWindowLanguage();

  const client = useQueryClient();
  useEffect(() => {
    const later = window.setTimeout(() => preloadScreens(client), 1_000);
    return () => window.clearTimeout(later);
  }, [client]);

  // `E` opens Members & Departments with the search focused, from anywhere (not while typing).
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key !== "e" && e.key !== "E") return;
      if (isTyping(e.target) || e.ctrlKey || e.metaKey || e.altKey) return;
      if (isDialogOpen()) return;
      e.preventDefault();
      setScreen("directory");
      setFocusSearch((n) => n + 1);
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, []);

  const signOut = useSignOut(
    () => onSignedOut(session.username),
    (error) => void message.error(errorText(t, error)),
  );

  const [changingPassword, setChangingPassword] = useState(false);
  const userItems: MenuProps["items"] = [
    {
      key: "changePassword",
      icon: <KeyOutlined />,
      label: <span data-testid="change-password">{t("header.changePassword")}</span>,
    },
    {
      key: "signOut",
      icon: <LogoutOutlined />,
      label: <span data-testid="sign-out">{t("header.signOut")}</span>,
      disabled: signOut.isPending,
    },
  ];

  const initial = [...session.name.trim()][0]?.toUpperCase() ?? "?";

  return (
    <Layout style={{ height: "100%" }}>
      <Layout.Sider
        width={248}
        theme="light"
        style={{ borderRight: `1px solid ${token.colorBorderSecondary}`, overflow: "auto" }}
      >
        <Brand />
        <Navigation selected={screen} onSelect={setScreen} />
      </Layout.Sider>
      <Layout>
        <Layout.Header
          className="orgdesk-header"
          style={{ background: token.colorBgContainer, borderBottom: `1px solid ${token.colorBorderSecondary}` }}
        >
          <PlainText strong className={ONE_LINE} title={session.organizationName} style={ORG_NAME} testId="header-org">
            {session.organizationName}
          </PlainText>
          <div style={{ display: "flex", alignItems: "center", gap: 8, flex: "none" }}>
            <LanguageSwitch />
            <LazyDropdown
              autoFocus
              menu={{
                items: userItems,
                onClick: ({ key }) => (key === "signOut" ? signOut.mutate() : setChangingPassword(true)),
              }}
            >
              <Button type="text" data-testid="header-user" aria-label={t("header.account")} style={{ paddingInline: 8 }}>
                <Avatar size={24} style={{ background: token.colorPrimary, fontSize: 12 }}>
                  {initial}
                </Avatar>
                <span>{session.name}</span>
                <DownOutlined style={{ fontSize: 10 }} />
              </Button>
            </LazyDropdown>
          </div>
        </Layout.Header>
        <Layout.Content style={{ overflow: "auto", background: token.colorBgLayout }}>
          <Suspense
            fallback={
              <div className="orgdesk-center" data-testid="screen-loading">
                <Spin />
              </div>
            }
          >
            <GoToScreen.Provider value={setScreen}>
              <Screen screen={screen} status={status} focusSearch={focusSearch} />
            </GoToScreen.Provider>
          </Suspense>
          {changingPassword && <ChangePasswordDialog session={session} onClose={() => setChangingPassword(false)} />}
        </Layout.Content>
      </Layout>
    </Layout>
  );
}

const ORG_NAME = { fontSize: 15 };
