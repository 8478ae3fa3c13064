import { SaveOutlined } from "@ant-design/icons";
import { App as AntApp, Alert, Button, Input, Select, Space, Table, Tag, Typography } from "antd";
import { useMemo, useState } from "react";
import { useTranslation } from "react-i18next";

import type { ColumnMapping } from "../../bindings/ColumnMapping";
import type { FileColumns } from "../../bindings/FileColumns";
import type { ImportField } from "../../bindings/ImportField";
import type { SavedMapping } from "../../bindings/SavedMapping";
import { applyServerError } from "../../components/forms";
import { FIELDS, REQUIRED_FIELDS } from "./jobs";
import { useSaveMapping } from "./queries";

type Sources = Record<ImportField, string[]>;

function toSources(m: ColumnMapping): Sources {
  const out = Object.fromEntries(FIELDS.map((f) => [f, [] as string[]])) as Sources;
  for (const f of m.fields) out[f.field] = [...f.headers];
  return out;
}

export function toMapping(s: Sources): ColumnMapping {
  return { fields: FIELDS.filter((f) => s[f].length > 0).map((f) => ({ field: f, headers: s[f] })) };
}

/** True when every header the mapping names is in the file and the required fields are mapped. */
export function fits(m: ColumnMapping, headers: string[]): boolean {
  const have = new Set(headers.map((h) => h.trim().toLowerCase()));
  const named = m.fields.flatMap((f) => f.headers);
  const mapped = new Set(m.fields.filter((f) => f.headers.length > 0).map((f) => f.field));
  return named.every((h) => have.has(h.trim().toLowerCase())) && REQUIRED_FIELDS.every((f) => mapped.has(f));
}

type Props = {
  info: FileColumns;
  /** The mapping to start from (the suggestion, a saved mapping, or the one used last). */
  initial: ColumnMapping;
  /** The saved mapping `initial` came from, if any. */
  initialSaved: SavedMapping | null;
  saved: SavedMapping[];
  onContinue: (mapping: ColumnMapping) => void;
};

/** Which column of the file each Orgdesk field is read from. */
export function MappingStep({ info, initial, initialSaved, saved, onContinue }: Props) {
  const { t } = useTranslation();
  const { message } = AntApp.useApp();
  const [sources, setSources] = useState<Sources>(() => toSources(initial));
  const [using, setUsing] = useState<SavedMapping | null>(initialSaved);
  const [name, setName] = useState(initialSaved?.name ?? "");
  const [saveError, setSaveError] = useState<string | null>(null);

  const headers = useMemo(() => [...new Set(info.headers.filter((h) => h.trim() !== ""))], [info.headers]);
  const sample = (h: string) => {
    const i = info.headers.indexOf(h);
    return i >= 0 ? (info.samples[0]?.[i] ?? "") : "";
  };
  const missing = REQUIRED_FIELDS.filter((f) => sources[f].length === 0);
  const usable = saved.filter((m) => fits(m.mapping, info.headers));

  const save = useSaveMapping(toMapping(sources), {
    onSuccess: (m) => {
      setSaveError(null);
      setUsing(m);
      void message.success(t("importExport.mapping.savedOk", { name: m.name }));
    },
    onError: (e) => setSaveError(applyServerError(t, null, e, [])),
  });

  return (
    <div data-testid="mapping-step">
      <Typography.Paragraph type="secondary" style={{ marginTop: 0 }}>
        {t("importExport.mapping.intro")}
      </Typography.Paragraph>
      {usable.length > 0 && (
        <Space style={{ marginBottom: 12 }} wrap>
          <Typography.Text>{t("importExport.mapping.saved")}</Typography.Text>
          <Select<number>
            data-testid="mapping-saved"
            style={{ minWidth: 240 }}
            placeholder={t("importExport.mapping.savedNone")}
            value={using?.id}
            options={usable.map((m) => ({ value: m.id, label: m.name }))}
            onChange={(id) => {
              const m = usable.find((x) => x.id === id);
              if (!m) return;
              setUsing(m);
              setName(m.name);
              setSources(toSources(m.mapping));
            }}
          />
        </Space>
      )}
      {using && (
        <Alert type="info" showIcon style={{ marginBottom: 12 }} title={t("importExport.mapping.savedApplied", { name: using.name })} />
      )}
      <Table
        data-testid="mapping-table"
        size="small"
        pagination={false}
        rowKey={(f) => f}
        dataSource={FIELDS}
        columns={[
          {
            key: "field",
            title: t("importExport.mapping.field"),
            width: 170,
            render: (_v, f) => (
              <Space size={6}>
                <span>{t(`importExport.fields.${f}`)}</span>
                {REQUIRED_FIELDS.includes(f) && <Tag color="red">{t("importExport.mapping.required")}</Tag>}
              </Space>
            ),
          },
          {
            key: "columns",
            title: t("importExport.mapping.columns"),
            render: (_v, f) => (
              <Select<string[]>
                mode="multiple"
                allowClear
                data-testid={`mapping-field-${f}`}
                aria-label={t(`importExport.fields.${f}`)}
                style={{ width: "100%" }}
                placeholder={t("importExport.mapping.pick")}
                value={sources[f]}
                status={REQUIRED_FIELDS.includes(f) && sources[f].length === 0 ? "error" : undefined}
                options={headers.map((h) => ({ value: h, label: h }))}
                onChange={(v) => {
                  setUsing(null);
                  setSources((s) => ({ ...s, [f]: v }));
                }}
              />
            ),
          },
          {
            key: "sample",
            title: t("importExport.mapping.sample"),
            width: 200,
            ellipsis: true,
            render: (_v, f) => (
              <Typography.Text type="secondary" data-testid={`mapping-sample-${f}`}>
                {sources[f].map(sample).filter((x) => x.trim() !== "").join(" ")}
              </Typography.Text>
            ),
          },
        ]}
      />
      {missing.length > 0 && (
        <Alert
          type="warning"
          showIcon
          style={{ marginTop: 12 }}
          data-testid="mapping-missing"
          title={t("importExport.mapping.missingRequired", {
            fields: missing.map((f) => t(`importExport.fields.${f}`)).join(", "),
          })}
        />
      )}
      {saveError && <Alert type="error" showIcon style={{ marginTop: 12 }} title={saveError} />}
      <div style={{ display: "flex", gap: 8, marginTop: 16, alignItems: "center", flexWrap: "wrap" }}>
        <Space.Compact style={{ flex: "1 1 320px", maxWidth: 420 }}>
          <Input
            data-testid="mapping-save-name"
            placeholder={t("importExport.mapping.saveName")}
            aria-label={t("importExport.mapping.saveName")}
            value={name}
            maxLength={64}
            onChange={(e) => setName(e.target.value)}
            onPressEnter={() => name.trim() && missing.length === 0 && save.mutate(name)}
          />
          <Button
            icon={<SaveOutlined />}
            data-testid="mapping-save"
            disabled={!name.trim() || missing.length > 0}
            loading={save.isPending}
            onClick={() => save.mutate(name)}
          >
            {t("importExport.mapping.save")}
          </Button>
        </Space.Compact>
        <span style={{ flex: 1 }} />
        <Button type="primary" data-testid="mapping-continue" disabled={missing.length > 0} onClick={() => onContinue(toMapping(sources))}>
          {t("importExport.mapping.continue")}
        </Button>
      </div>
    </div>
  );
}
