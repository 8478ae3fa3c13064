import { Button, Result, Spin } from "antd";
import { useEffect, useRef, useState, type ComponentProps } from "react";
import { useTranslation } from "react-i18next";

import { toCommandError, windowShown } from "./api";
import { afterNextPaint } from "./components/frames";
import { mark } from "./components/marks";
import { errorText } from "./errors";
import { ChangePasswordScreen } from "./features/session/ChangePasswordScreen";
import { SetupScreen } from "./features/session/SetupScreen";
import { SignInScreen } from "./features/session/SignInScreen";
import { useAppStatus } from "./features/session/queries";

// The signed-in window is its own chunk: start-up parses only what the sign-in screen needs,
// and the rest is fetched while the admin types a password.
type MainWindowModule = typeof import("./features/shell/MainWindow");
let mainWindowModule: MainWindowModule | null = null;
const loadMainWindow = (): Promise<MainWindowModule> =>
  import("./features/shell/MainWindow").then((m) => {
    if (!mainWindowModule) mark("main window code loaded");
    mainWindowModule = m;
    return m;
  });

const loading = (
  <div className="orgdesk-center" data-testid="app-loading">
    <Spin size="large" />
  </div>
);

type SignInHint = { username: string; created: boolean };

/** The window's state machine: set up -> sign in -> main window, driven by `app_status`. */
export function App() {
  const { t } = useTranslation();
  const status = useAppStatus();
  const [hint, setHint] = useState<SignInHint | null>(null);

  // Once the first screen is painted, the backend's link to the gateway starts its work (it
  // waits so as not to share the cores with the window's start).
  // Told once, by no render of its own: a state here would draw the whole window again.
  const told = useRef(false);
  const statusRead = !status.isPending;
  useEffect(() => {
    if (!statusRead) return;
    return afterNextPaint(() => {
      if (told.current) return;
      told.current = true;
      windowShown().catch(() => null);
    });
  }, [statusRead]);

  const signedIn = status.data?.session != null;
  useEffect(() => {
    if (status.data?.initialized && !signedIn) {
      const later = window.setTimeout(() => void loadMainWindow(), 300);
      return () => window.clearTimeout(later);
    }
  }, [status.data?.initialized, signedIn]);

  if (status.isPending) {
    return loading;
  }
  if (status.isError) {
    return (
      <div className="orgdesk-center">
        <Result
          status="error"
          title={t("app.loadFailed")}
          subTitle={errorText(t, toCommandError(status.error))}
          extra={
            <Button type="primary" onClick={() => void status.refetch()}>
              {t("app.retry")}
            </Button>
          }
        />
      </div>
    );
  }

  const { data } = status;
  if (!data.initialized) {
    return (
      <SetupScreen
        onCreated={(username) => setHint({ username, created: true })}
        onJoined={(username) => setHint({ username, created: false })}
      />
    );
  }
  if (!data.session) {
    return (
      <SignInScreen
        initialUsername={hint?.username ?? ""}
        created={hint?.created ?? false}
        onSignedIn={() => setHint(null)}
      />
    );
  }
  if (data.session.mustChangePassword) {
    return <ChangePasswordScreen session={data.session} onSignedOut={(username) => setHint({ username, created: false })} />;
  }
  return (
    <SignedInWindow
      status={data}
      session={data.session}
      onSignedOut={(username) => setHint({ username, created: false })}
    />
  );
}

/**
 * The signed-in window, drawn in the same frame when its code is already fetched (as it is
 * after the admin typed a password), else once it is.
 */
function SignedInWindow(props: ComponentProps<MainWindowModule["MainWindow"]>) {
  const [Loaded, setLoaded] = useState(() => mainWindowModule?.MainWindow ?? null);
  useEffect(() => {
    if (!Loaded) void loadMainWindow().then((m) => setLoaded(() => m.MainWindow));
  }, [Loaded]);
  return Loaded ? <Loaded {...props} /> : loading;
}
