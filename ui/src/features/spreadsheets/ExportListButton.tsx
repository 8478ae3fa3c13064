import { DownOutlined, ExportOutlined } from "@ant-design/icons";
import { App as AntApp, Button, Modal, Progress, Tooltip, Typography } from "antd";
import type { MenuProps } from "antd";
import { useEffect, useRef, useState } from "react";
import { useTranslation } from "react-i18next";

import * as api from "../../api";
import type { ExportFormat } from "../../bindings/ExportFormat";
import type { JobProgress } from "../../bindings/JobProgress";
import type { MemberQuery } from "../../bindings/MemberQuery";
import { LazyDropdown } from "../../components/LazyDropdown";
import { formatCount } from "../../components/text";
import { currentLanguage } from "../../i18n";
import { failureSentence, isCancelled, newJobId, progressPercent, progressText, sheetLang } from "./jobs";

type Props = {
  /** The list the admin is looking at: its department, sub-department switch, status and search. */
  query: MemberQuery;
  /** How many members that list holds (all pages). */
  total: number;
};

/** Exports exactly the member list on screen (all its pages) to .xlsx or .csv, with progress and cancel. */
export function ExportListButton({ query, total }: Props) {
  const { t } = useTranslation();
  const { message } = AntApp.useApp();
  const [running, setRunning] = useState(false);
  const [cancelling, setCancelling] = useState(false);
  const [progress, setProgress] = useState<JobProgress | null>(null);
  // The progress dialog is made when an export starts and unmade once it has closed: the list
  // renders this button with every answer, and a closed dialog is work for nothing.
  const [dialog, setDialog] = useState(false);
  const job = useRef<number | null>(null);

  // Leaving the screen stops a running export: nothing is written.
  useEffect(
    () => () => {
      if (job.current !== null) void api.cancelJob(job.current).catch(() => undefined);
    },
    [],
  );

  const start = async (format: ExportFormat) => {
    if (job.current !== null) return;
    const id = newJobId();
    job.current = id;
    setDialog(true);
    setRunning(true);
    setCancelling(false);
    setProgress(null);
    try {
      const result = await api.exportMembersFile(
        { ...query, offset: 0 },
        format,
        sheetLang(),
        t("importExport.export.dialog"),
        id,
        (p) => job.current === id && setProgress(p),
      );
      // null: the admin closed the save dialog; nothing happened, nothing to say.
      if (result) {
        void message.success({
          content: (
            <span data-testid="list-export-done">
              {t("importExport.export.done", { count: result.members, path: result.path })}
            </span>
          ),
          duration: 8,
        });
      }
    } catch (e) {
      const error = api.toCommandError(e);
      if (isCancelled(error)) {
        void message.info({ content: <span data-testid="list-export-cancelled">{t("importExport.export.cancelled")}</span> });
      } else {
        void message.error({ content: <span data-testid="list-export-failed">{failureSentence(t, error)}</span>, duration: 8 });
      }
    } finally {
      job.current = null;
      // The last progress stays on the closing panel; the next export starts from none.
      setRunning(false);
      setCancelling(false);
    }
  };

  const cancel = () => {
    if (job.current === null || cancelling) return;
    setCancelling(true);
    void api.cancelJob(job.current).catch(() => setCancelling(false));
  };

  const items: MenuProps["items"] = [
    { key: "xlsx", label: <span data-testid="list-export-xlsx">{t("directory.export.xlsx")}</span> },
    { key: "csv", label: <span data-testid="list-export-csv">{t("directory.export.csv")}</span> },
  ];
  const empty = total === 0;
  const label = empty
    ? t("directory.export.empty")
    : t("directory.export.tooltip", { count: total, n: formatCount(currentLanguage(), total) });

  return (
    <>
      <Tooltip title={label}>
        <span style={{ display: "inline-flex" }}>
          <LazyDropdown
            disabled={empty || running}
            menu={{ items, onClick: ({ key }) => void start(key as ExportFormat) }}
          >
            <Button
              icon={<ExportOutlined />}
              loading={running}
              disabled={empty}
              aria-label={label}
              data-testid="list-export"
            >
              {t("directory.export.button")} <DownOutlined style={{ fontSize: 10 }} />
            </Button>
          </LazyDropdown>
        </span>
      </Tooltip>
      {dialog && (
        <Modal
          open={running && progress !== null}
          afterClose={() => setDialog(false)}
          title={t("directory.export.progressTitle")}
          closable={false}
          mask={{ closable: false }}
          onCancel={cancel}
          footer={
            <Button onClick={cancel} loading={cancelling} data-testid="list-export-cancel">
              {cancelling ? t("directory.export.cancelling") : t("common.cancel")}
            </Button>
          }
          width={420}
          destroyOnHidden
        >
          <div data-testid="list-export-progress">
            <Progress percent={progressPercent(progress)} status="active" />
            <Typography.Text type="secondary" data-testid="list-export-progress-text">
              {progressText(t, progress)}
            </Typography.Text>
          </div>
        </Modal>
      )}
    </>
  );
}
