import { ExportOutlined } from "@ant-design/icons";
import { Alert, Button, Card, Form, Progress, Radio, Segmented, Select, Space, Switch, Typography } from "antd";
import { useEffect, useRef, useState } from "react";
import { useTranslation } from "react-i18next";

import * as api from "../../api";
import type { ExportFormat } from "../../bindings/ExportFormat";
import type { ExportOutcome } from "../../bindings/ExportOutcome";
import type { JobProgress } from "../../bindings/JobProgress";
import type { StatusFilter } from "../../bindings/StatusFilter";
import { DepartmentSelect } from "../departments/DepartmentSelect";
import { useDepartmentTree } from "../departments/queries";
import { deptOptions } from "../departments/tree";
import { failureSentence, isCancelled, newJobId, progressPercent, progressText, sheetLang } from "./jobs";

const STATUSES: StatusFilter[] = ["all", "pending_join", "enabled", "disabled", "resigned"];

type Outcome = { kind: "saved"; result: ExportOutcome } | { kind: "cancelled" } | { kind: "error"; text: string };

/** Export: all members or one department (with or without its sub-departments), by status. */
export function ExportCard() {
  const { t } = useTranslation();
  const tree = useDepartmentTree();
  const [scope, setScope] = useState<"all" | "department">("all");
  const [department, setDepartment] = useState<number | null>(null);
  const [subDepartments, setSubDepartments] = useState(true);
  const [status, setStatus] = useState<StatusFilter>("all");
  const [format, setFormat] = useState<ExportFormat>("xlsx");
  const [running, setRunning] = useState(false);
  const [progress, setProgress] = useState<JobProgress | null>(null);
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  const job = useRef<number | null>(null);
  const result = useRef<HTMLDivElement>(null);

  // The card is below the fold on small windows: bring the outcome into view.
  useEffect(() => {
    if (outcome) result.current?.scrollIntoView?.({ block: "nearest", behavior: "smooth" });
  }, [outcome]);

  useEffect(
    () => () => {
      if (job.current !== null) void api.cancelJob(job.current).catch(() => undefined);
    },
    [],
  );

  const start = async () => {
    const id = newJobId();
    job.current = id;
    setRunning(true);
    setProgress(null);
    setOutcome(null);
    const byDepartment = scope === "department" && department !== null;
    try {
      const result = await api.exportMembersFile(
        {
          departmentId: byDepartment ? department : null,
          includeSubDepartments: byDepartment ? subDepartments : true,
          status,
          search: null,
          offset: 0,
          limit: 500,
        },
        format,
        sheetLang(),
        t("importExport.export.dialog"),
        id,
        (p) => job.current === id && setProgress(p),
      );
      if (result) setOutcome({ kind: "saved", result });
    } catch (e) {
      const error = api.toCommandError(e);
      setOutcome(isCancelled(error) ? { kind: "cancelled" } : { kind: "error", text: failureSentence(t, error) });
    } finally {
      job.current = null;
      setRunning(false);
      setProgress(null);
    }
  };

  const needsDepartment = scope === "department" && department === null;

  return (
    <Card variant="outlined" title={t("importExport.export.title")} data-testid="export-card">
      <Typography.Paragraph type="secondary" style={{ marginTop: 0 }}>
        {t("importExport.export.intro")}
      </Typography.Paragraph>
      <Form layout="horizontal" labelCol={{ flex: "120px" }} labelAlign="left" colon={false} disabled={running}>
        <Form.Item label={t("importExport.export.scope")} style={{ marginBottom: 12 }}>
          <Space orientation="vertical" style={{ width: "100%" }}>
            <Radio.Group
              data-testid="export-scope"
              value={scope}
              onChange={(e) => setScope(e.target.value as "all" | "department")}
              options={[
                { value: "all", label: <span data-testid="export-scope-all">{t("importExport.export.all")}</span> },
                { value: "department", label: <span data-testid="export-scope-department">{t("importExport.export.department")}</span> },
              ]}
            />
            {scope === "department" && (
              <Space wrap>
                <DepartmentSelect
                  data-testid="export-department"
                  style={{ minWidth: 260 }}
                  placeholder={t("importExport.export.chooseDepartment")}
                  value={department ?? undefined}
                  treeData={tree.data ? deptOptions(tree.data) : []}
                  onChange={(v: number) => setDepartment(v)}
                />
                <Space size={6}>
                  <Switch data-testid="export-subdepartments" checked={subDepartments} onChange={setSubDepartments} size="small" />
                  <span>{t("importExport.export.subDepartments")}</span>
                </Space>
              </Space>
            )}
          </Space>
        </Form.Item>
        <Form.Item label={t("importExport.export.status")} style={{ marginBottom: 12 }}>
          <Select<StatusFilter>
            data-testid="export-status"
            style={{ width: 200 }}
            value={status}
            onChange={setStatus}
            options={STATUSES.map((s) => ({ value: s, label: t(`members.filter.${s}`) }))}
          />
        </Form.Item>
        <Form.Item label={t("importExport.export.format")} style={{ marginBottom: 16 }}>
          <Segmented<ExportFormat>
            data-testid="export-format"
            value={format}
            onChange={setFormat}
            options={[
              { value: "xlsx", label: <span data-testid="export-format-xlsx">Excel (.xlsx)</span> },
              { value: "csv", label: <span data-testid="export-format-csv">CSV (.csv)</span> },
            ]}
          />
        </Form.Item>
      </Form>
      {running && progress && (
        <div data-testid="export-progress" style={{ marginBottom: 12 }}>
          <Progress percent={progressPercent(progress)} status="active" />
          <Typography.Text type="secondary">{progressText(t, progress)}</Typography.Text>
        </div>
      )}
      <Space>
        <Button
          type="primary"
          icon={<ExportOutlined />}
          loading={running}
          disabled={needsDepartment}
          onClick={() => void start()}
          data-testid="export-start"
        >
          {running ? t("importExport.export.exporting") : t("importExport.export.start")}
        </Button>
        {running && progress && (
          <Button onClick={() => job.current !== null && void api.cancelJob(job.current)} data-testid="export-cancel">
            {t("importExport.import.cancel")}
          </Button>
        )}
      </Space>
      <div ref={result}>
        {outcome?.kind === "saved" && (
          <Alert
            style={{ marginTop: 12 }}
            type="success"
            showIcon
            data-testid="export-result"
            title={t("importExport.export.done", { count: outcome.result.members, path: outcome.result.path })}
          />
        )}
        {outcome?.kind === "cancelled" && (
          <Alert style={{ marginTop: 12 }} type="info" showIcon data-testid="export-result" title={t("importExport.export.cancelled")} />
        )}
        {outcome?.kind === "error" && (
          <Alert style={{ marginTop: 12 }} type="error" showIcon data-testid="export-result" title={outcome.text} />
        )}
      </div>
    </Card>
  );
}
