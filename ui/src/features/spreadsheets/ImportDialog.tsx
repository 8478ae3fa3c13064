import { DownloadOutlined } from "@ant-design/icons";
import { App as AntApp, Alert, Button, Checkbox, Modal, Progress, Space, Statistic, Steps, Table, Tooltip, Typography, theme } from "antd";
import { useCallback, useEffect, useRef, useState } from "react";
import { useTranslation } from "react-i18next";

import * as api from "../../api";
import type { ColumnMapping } from "../../bindings/ColumnMapping";
import type { CommandError } from "../../bindings/CommandError";
import type { FileColumns } from "../../bindings/FileColumns";
import type { ImportCounts } from "../../bindings/ImportCounts";
import type { ImportQuotaStatus } from "../../bindings/ImportQuotaStatus";
import type { ImportSummary } from "../../bindings/ImportSummary";
import type { JobProgress } from "../../bindings/JobProgress";
import type { RowProblem } from "../../bindings/RowProblem";
import type { SavedMapping } from "../../bindings/SavedMapping";
import { localTime } from "../../errors";
import { useInvalidateDirectory } from "../directory/queries";
import { MappingStep, fits } from "./MappingStep";
import { columnLabel, failureSentence, failureText, isCancelled, newJobId, progressPercent, progressText, sheetLang } from "./jobs";
import { useImportQuota, useInvalidateImportQuota, useSavedMappings } from "./queries";

export type ChosenFile = { path: string; name: string };

type Phase =
  | { kind: "inspecting" }
  | { kind: "failed"; error: CommandError }
  | { kind: "mapping"; info: FileColumns }
  | { kind: "previewing"; progress: JobProgress | null }
  | { kind: "preview"; summary: ImportSummary; notice: string | null }
  | { kind: "importing"; progress: JobProgress | null; cancelling: boolean; preview: ImportSummary }
  | { kind: "done"; summary: ImportSummary };

type Props = {
  file: ChosenFile;
  onClose: () => void;
  onChooseAnother: () => void;
};

function Counts({ counts, done }: { counts: ImportCounts; done: boolean }) {
  const { t } = useTranslation();
  const { token } = theme.useToken();
  const label = done ? "countsDone" : "counts";
  const items: { key: keyof ImportCounts; color?: string }[] = [
    { key: "create", color: counts.create > 0 ? token.colorSuccess : undefined },
    { key: "update", color: counts.update > 0 ? token.colorPrimary : undefined },
    { key: "unchanged" },
    { key: "failed", color: counts.failed > 0 ? token.colorError : undefined },
  ];
  return (
    <div data-testid="import-counts" style={{ display: "grid", gridTemplateColumns: "repeat(4, 1fr)", gap: 12, margin: "12px 0 16px" }}>
      {items.map(({ key, color }) => (
        <div
          key={key}
          style={{ border: `1px solid ${token.colorBorderSecondary}`, borderRadius: token.borderRadiusLG, padding: "10px 14px" }}
        >
          <Statistic
            title={t(`importExport.import.${label}.${key}`)}
            value={counts[key]}
            styles={{ content: { color } }}
            valueRender={(node) => <span data-testid={`count-${key}`}>{node}</span>}
          />
        </div>
      ))}
    </div>
  );
}

function Problems({ title, problems, total, testId }: { title: string; problems: RowProblem[]; total: number; testId: string }) {
  const { t } = useTranslation();
  if (problems.length === 0) return null;
  return (
    <div style={{ marginTop: 16 }}>
      <Typography.Text strong>{title}</Typography.Text>
      <Table<RowProblem>
        data-testid={testId}
        size="small"
        style={{ marginTop: 8 }}
        pagination={false}
        scroll={{ y: 220 }}
        rowKey={(p) => `${p.row}-${p.column ?? ""}-${p.reason}`}
        dataSource={problems}
        columns={[
          { key: "row", title: t("importExport.import.colRow"), dataIndex: "row", width: 70 },
          { key: "column", title: t("importExport.import.colField"), width: 130, render: (_v, p) => columnLabel(t, p.column) },
          { key: "reason", title: t("importExport.import.colReason"), dataIndex: "reason" },
        ]}
      />
      {total > problems.length && (
        <Typography.Text type="secondary" style={{ display: "block", marginTop: 4 }}>
          {t("importExport.import.failuresMore", { shown: problems.length })}
        </Typography.Text>
      )}
    </div>
  );
}

/** Cells read other than as they are stored (a mobile whose "+" was lost): imported, but worth a look. */
function Repaired({ summary }: { summary: ImportSummary }) {
  const { t } = useTranslation();
  return (
    <Problems
      title={t("importExport.import.repairedTitle", { count: summary.warningsTotal })}
      problems={summary.warnings}
      total={summary.warningsTotal}
      testId="import-repaired"
    />
  );
}

function SummaryNotes({ summary }: { summary: ImportSummary }) {
  const { t } = useTranslation();
  const notes: string[] = [];
  if (summary.departmentsCreated.length > 0) {
    notes.push(
      t(summary.committed ? "importExport.import.departmentsCreated" : "importExport.import.departmentsToCreate", {
        departments: summary.departmentsCreated.join(", "),
      }),
    );
  }
  if (summary.ignoredColumns.length > 0) {
    notes.push(t("importExport.import.ignored", { columns: summary.ignoredColumns.join(", ") }));
  }
  return (
    <div style={{ marginTop: 12 }} data-testid="import-notes">
      <Typography.Text type="secondary" style={{ display: "block" }}>
        {t("importExport.import.rowsRead", { count: summary.rows })}
      </Typography.Text>
      {notes.map((n) => (
        <Typography.Text type="secondary" key={n} style={{ display: "block" }}>
          {n}
        </Typography.Text>
      ))}
    </div>
  );
}

function JobBar({ progress, testId }: { progress: JobProgress | null; testId: string }) {
  const { t } = useTranslation();
  return (
    <div style={{ padding: "24px 0" }} data-testid={testId}>
      <Progress percent={progressPercent(progress)} status="active" />
      <Typography.Text type="secondary" data-testid={`${testId}-text`}>
        {progressText(t, progress)}
      </Typography.Text>
    </div>
  );
}

/** "3 of 100 imports left today", next to the Import button when the quota (Settings) is on. */
function QuotaLeft({ status }: { status: ImportQuotaStatus | undefined }) {
  const { t } = useTranslation();
  if (!status || status.limit === null || status.remaining === null) return null;
  return (
    <Tooltip title={t("importExport.import.quotaLeftHint", { time: localTime(t, status.resetsAtMs) })}>
      <Typography.Text type={status.remaining === 0 ? "warning" : "secondary"} data-testid="import-quota-left">
        {t("importExport.import.quotaLeft", { remaining: status.remaining, limit: status.limit })}
      </Typography.Text>
    </Tooltip>
  );
}

/**
 * Importing one file: column mapping when its headers are not ours, a preview (dry run), the
 * import in one transaction with progress and cancel, then the results.
 */
export function ImportDialog({ file, onClose, onChooseAnother }: Props) {
  const { t } = useTranslation();
  const { message } = AntApp.useApp();
  const invalidate = useInvalidateDirectory();
  const [phase, setPhase] = useState<Phase>({ kind: "inspecting" });
  const [createDepartments, setCreateDepartments] = useState(false);
  const [sendInvitations, setSendInvitations] = useState(false);
  const [mapping, setMapping] = useState<ColumnMapping | null>(null);
  const [info, setInfo] = useState<FileColumns | null>(null);
  const [savingResults, setSavingResults] = useState(false);
  const job = useRef<number | null>(null);
  const alive = useRef(true);
  const saved = useSavedMappings();
  const quota = useImportQuota();
  const refreshQuota = useInvalidateImportQuota();

  useEffect(() => {
    alive.current = true;
    return () => {
      alive.current = false;
      if (job.current !== null) void api.cancelJob(job.current).catch(() => undefined);
    };
  }, []);

  const preview = useCallback(
    async (m: ColumnMapping | null, create: boolean) => {
      const id = newJobId();
      job.current = id;
      setPhase({ kind: "previewing", progress: null });
      try {
        // Row problems (and the results file) come back in the UI's language.
        const options = { createMissingDepartments: create, mapping: m, lang: sheetLang() };
        const summary = await api.previewImport(file.path, options, id, (p) => {
          if (alive.current && job.current === id) setPhase({ kind: "previewing", progress: p });
        });
        if (alive.current && job.current === id) setPhase({ kind: "preview", summary, notice: null });
      } catch (e) {
        if (!alive.current || job.current !== id) return;
        const error = api.toCommandError(e);
        if (isCancelled(error)) onClose();
        else setPhase({ kind: "failed", error });
        if (error.code === "quota_reached") refreshQuota();
      } finally {
        if (job.current === id) job.current = null;
      }
    },
    [file.path, onClose, refreshQuota],
  );

  // Look at the file first: its headers decide whether the mapping step is needed.
  useEffect(() => {
    let cancelled = false;
    api
      .inspectImportFile(file.path)
      .then((result) => {
        if (cancelled) return;
        setInfo(result);
        if (result.missing.length > 0) setPhase({ kind: "mapping", info: result });
        else void preview(null, false);
      })
      .catch((e: unknown) => !cancelled && setPhase({ kind: "failed", error: api.toCommandError(e) }));
    return () => {
      cancelled = true;
    };
  }, [file.path, preview]);

  const commit = async (previewed: ImportSummary) => {
    const id = newJobId();
    job.current = id;
    setPhase({ kind: "importing", progress: null, cancelling: false, preview: previewed });
    try {
      const summary = await api.runImport(
        file.path,
        { createMissingDepartments: createDepartments, mapping, lang: sheetLang() },
        id,
        (p) => {
          if (alive.current && job.current === id) setPhase((ph) => (ph.kind === "importing" ? { ...ph, progress: p } : ph));
        },
        sendInvitations,
      );
      invalidate();
      refreshQuota();
      if (alive.current) setPhase({ kind: "done", summary });
    } catch (e) {
      if (!alive.current) return;
      const error = api.toCommandError(e);
      if (isCancelled(error)) setPhase({ kind: "preview", summary: previewed, notice: t("importExport.import.cancelled") });
      else setPhase({ kind: "failed", error });
      if (error.code === "quota_reached") refreshQuota();
    } finally {
      if (job.current === id) job.current = null;
    }
  };

  const cancel = () => {
    if (job.current !== null) void api.cancelJob(job.current).catch(() => undefined);
    if (phase.kind === "importing") setPhase({ ...phase, cancelling: true });
    else onClose();
  };

  const downloadResults = async () => {
    setSavingResults(true);
    try {
      const path = await api.saveImportResults(t("importExport.import.resultsDialog"));
      if (path) void message.success(<span data-testid="results-saved">{t("importExport.import.resultsSaved", { path })}</span>);
    } catch (e) {
      void message.error(failureSentence(t, api.toCommandError(e)));
    } finally {
      setSavingResults(false);
    }
  };

  const savedList = saved.data ?? [];
  const showMapping = info !== null && (info.missing.length > 0 || mapping !== null);
  const stepKeys = [...(showMapping ? ["map"] : []), "preview", "import", "results"];
  const stepOf: Record<Phase["kind"], string> = {
    inspecting: "preview",
    failed: "preview",
    mapping: "map",
    previewing: "preview",
    preview: "preview",
    importing: "import",
    done: "results",
  };
  const current = stepKeys.indexOf(stepOf[phase.kind]);

  const startMapping = (fileInfo: FileColumns): { initial: ColumnMapping; initialSaved: SavedMapping | null } => {
    if (mapping) return { initial: mapping, initialSaved: null };
    const fitting = savedList.find((m) => fits(m.mapping, fileInfo.headers)) ?? null;
    return fitting ? { initial: fitting.mapping, initialSaved: fitting } : { initial: fileInfo.suggested, initialSaved: null };
  };

  let body: React.ReactNode = null;
  let footer: React.ReactNode = null;
  switch (phase.kind) {
    case "inspecting":
      body = <JobBar progress={null} testId="import-reading" />;
      footer = (
        <Button onClick={onClose} data-testid="import-close">
          {t("common.cancel")}
        </Button>
      );
      break;
    case "failed": {
      const f = failureText(t, phase.error);
      body = (
        <Alert
          type="error"
          showIcon
          data-testid="import-error"
          title={f.title}
          description={
            <>
              {f.detail && <div>{f.detail}</div>}
              <div>{t("importExport.import.nothingWritten")}</div>
            </>
          }
        />
      );
      footer = (
        <Space>
          <Button onClick={onClose} data-testid="import-close">
            {t("common.close")}
          </Button>
          {/* Another file would meet the same quota. */}
          {phase.error.code !== "quota_reached" && (
            <Button type="primary" onClick={onChooseAnother} data-testid="import-choose-another">
              {t("importExport.import.chooseAnother")}
            </Button>
          )}
        </Space>
      );
      break;
    }
    case "mapping": {
      if (saved.isPending) {
        body = <JobBar progress={null} testId="import-reading" />;
        break;
      }
      const start = startMapping(phase.info);
      body = (
        <MappingStep
          info={phase.info}
          initial={start.initial}
          initialSaved={start.initialSaved}
          saved={savedList}
          onContinue={(m) => {
            setMapping(m);
            void preview(m, createDepartments);
          }}
        />
      );
      break;
    }
    case "preview": {
      const s = phase.summary;
      const n = s.counts.create + s.counts.update;
      body = (
        <div data-testid="import-preview">
          {phase.notice && (
            <Alert type="info" showIcon style={{ marginBottom: 12 }} title={phase.notice} data-testid="import-notice" />
          )}
          <Typography.Text type="secondary">{t("importExport.import.previewTitle")}</Typography.Text>
          <Counts counts={s.counts} done={false} />
          {n === 0 && (
            <Alert type="info" showIcon style={{ marginBottom: 12 }} title={t("importExport.import.nothingToImport")} data-testid="import-nothing" />
          )}
          <Tooltip title={t("importExport.import.createDepartmentsHint")} placement="topLeft">
            <Checkbox
              data-testid="import-create-departments"
              checked={createDepartments}
              onChange={(e) => {
                setCreateDepartments(e.target.checked);
                void preview(mapping, e.target.checked);
              }}
            >
              {t("importExport.import.createDepartments")}
            </Checkbox>
          </Tooltip>
          <Tooltip title={t("importExport.import.sendInvitationsHint")} placement="topLeft">
            <Checkbox
              data-testid="import-send-invitations"
              checked={sendInvitations}
              onChange={(e) => setSendInvitations(e.target.checked)}
              style={{ marginInlineStart: 0 }}
            >
              {t("importExport.import.sendInvitations")}
            </Checkbox>
          </Tooltip>
          <SummaryNotes summary={s} />
          <Problems title={t("importExport.import.failuresTitle")} problems={s.failures} total={s.counts.failed} testId="import-failures" />
          <Problems
            title={t("importExport.import.skippedTitle", { count: s.skippedTotal })}
            problems={s.skipped}
            total={s.skippedTotal}
            testId="import-skipped"
          />
          <Repaired summary={s} />
        </div>
      );
      footer = (
        <Space wrap>
          <Button onClick={onClose} data-testid="import-close">
            {t("common.cancel")}
          </Button>
          {s.counts.failed > 0 && (
            <Button
              icon={<DownloadOutlined />}
              loading={savingResults}
              onClick={() => void downloadResults()}
              data-testid="preview-download-results"
            >
              {t("importExport.import.downloadPreview")}
            </Button>
          )}
          {showMapping && info && (
            <Button onClick={() => setPhase({ kind: "mapping", info })} data-testid="import-remap">
              {t("importExport.import.remap")}
            </Button>
          )}
          <QuotaLeft status={quota.data} />
          <Button type="primary" disabled={n === 0} onClick={() => void commit(s)} data-testid="import-commit">
            {t("importExport.import.commit", { count: n })}
          </Button>
        </Space>
      );
      break;
    }
    case "previewing":
    case "importing": {
      // Cancelling a dry run closes the dialog; an import shows "Cancelling" until it stops.
      const cancelling = phase.kind === "importing" && phase.cancelling;
      body = <JobBar progress={phase.progress} testId="import-progress" />;
      footer = (
        <Button onClick={cancel} loading={cancelling} data-testid="import-cancel">
          {cancelling ? t("importExport.import.cancelling") : t("importExport.import.cancel")}
        </Button>
      );
      break;
    }
    case "done": {
      const s = phase.summary;
      // On a computer in a team the import went to the team's log: nothing is written yet.
      const sent = s.teamChanges > 0;
      body = (
        <div data-testid="import-results">
          {sent ? (
            <Alert
              type="info"
              showIcon
              data-testid="import-sent"
              title={t("importExport.import.sentTitle")}
              description={t("importExport.import.sentSummary", { ...s.counts, count: s.teamChanges })}
            />
          ) : (
            <Alert
              type={s.counts.failed > 0 ? "warning" : "success"}
              showIcon
              title={t("importExport.import.doneTitle")}
              description={t("importExport.import.doneSummary", s.counts)}
            />
          )}
          <Counts counts={s.counts} done={!sent} />
          <SummaryNotes summary={s} />
          <Problems title={t("importExport.import.failuresDoneTitle")} problems={s.failures} total={s.counts.failed} testId="import-failures" />
          <Repaired summary={s} />
        </div>
      );
      footer = (
        <Space wrap>
          <Button icon={<DownloadOutlined />} loading={savingResults} onClick={() => void downloadResults()} data-testid="import-download-results">
            {t("importExport.import.downloadResults")}
          </Button>
          <Button type="primary" onClick={onClose} data-testid="import-done">
            {t("importExport.import.done")}
          </Button>
        </Space>
      );
      break;
    }
  }

  const busy = phase.kind === "importing";
  return (
    <Modal
      open
      width={phase.kind === "mapping" ? 860 : 760}
      title={t("importExport.import.dialogTitle", { name: file.name })}
      onCancel={busy ? undefined : cancel}
      closable={!busy}
      mask={{ closable: false }}
      keyboard={!busy}
      footer={footer}
      destroyOnHidden
      data-testid="import-dialog"
    >
      <div data-testid="import-dialog-body">
        <Steps
          size="small"
          current={current}
          style={{ margin: "8px 0 20px" }}
          items={stepKeys.map((k) => ({ key: k, title: t(`importExport.import.steps.${k}`) }))}
        />
        {body}
      </div>
    </Modal>
  );
}
