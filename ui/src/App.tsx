import { Button, Result, Spin } from "antd";
import { useState } from "react";
import { useTranslation } from "react-i18next";

import { toCommandError } from "./api";
import { errorText } from "./errors";
import { useAppStatus } from "./queries";
import { MainWindow } from "./screens/MainWindow";
import { SetupScreen } from "./screens/SetupScreen";
import { SignInScreen } from "./screens/SignInScreen";

type SignInHint = { username: string; created: boolean };

/** The window's state machine: set up -> sign in -> main window, driven by `app_status`. */
export function App() {
  const { t } = useTranslation();
  const status = useAppStatus();
  const [hint, setHint] = useState<SignInHint | null>(null);

  if (status.isPending) {
    return (
      <div className="orgdesk-center" data-testid="app-loading">
        <Spin size="large" />
      </div>
    );
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
    return <SetupScreen onCreated={(username) => setHint({ username, created: true })} />;
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
  return (
    <MainWindow
      status={data}
      session={data.session}
      onSignedOut={(username) => setHint({ username, created: false })}
    />
  );
}
