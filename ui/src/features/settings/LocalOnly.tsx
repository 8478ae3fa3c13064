import { CloudServerOutlined } from "@ant-design/icons";
import { Alert, Button } from "antd";
import { useTranslation } from "react-i18next";

import { useGoToScreen } from "../../components/goTo";
import { useGatewayStatus } from "./queries";

const LOOPBACK = new Set(["localhost", "127.0.0.1", "[::1]", "::1"]);

/** Whether a link points at this computer itself (loopback): nobody else can open it. */
export function isLocalOnlyLink(link: string | null | undefined): boolean {
  if (!link) return false;
  let host: string;
  try {
    host = new URL(link).hostname.toLowerCase();
  } catch {
    return false;
  }
  return LOOPBACK.has(host) || host.endsWith(".localhost") || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/** "Connect your organization's gateway": opens Settings → Gateway (when in the main window). */
export function ConnectGatewayButton() {
  const { t } = useTranslation();
  const goTo = useGoToScreen();
  if (!goTo) return null;
  return (
    <Button size="small" icon={<CloudServerOutlined />} onClick={() => goTo("settings")} data-testid="connect-gateway">
      {t("localOnly.connect")}
    </Button>
  );
}

/** A notice with the way out under its words (not beside them: a narrow dialog would
 *  squeeze the words into a column). */
function Notice({ type, testId, title, body }: { type: "info" | "warning"; testId: string; title: string; body: string }) {
  return (
    <Alert
      type={type}
      showIcon
      data-testid={testId}
      style={{ marginBottom: 12 }}
      title={title}
      description={
        <>
          <div>{body}</div>
          <div style={{ marginTop: 8 }}>
            <ConnectGatewayButton />
          </div>
        </>
      }
    />
  );
}

/** Beside a link or QR code that opens only on this computer: says so, and how to reach people. */
export function LocalOnlyLinkNotice({ link }: { link: string | null | undefined }) {
  const { t } = useTranslation();
  if (!isLocalOnlyLink(link)) return null;
  return <Notice type="warning" testId="local-only-link" title={t("localOnly.linkTitle")} body={t("localOnly.linkBody")} />;
}

/** Where an invitation or the join link is made while the built-in gateway is in use: what
 *  "on this computer only" means, and the way out. */
export function BuiltinModeNotice() {
  const { t } = useTranslation();
  const status = useGatewayStatus();
  if (status.data?.mode !== "embedded") return null;
  return <Notice type="info" testId="builtin-mode-notice" title={t("localOnly.modeTitle")} body={t("localOnly.modeBody")} />;
}
