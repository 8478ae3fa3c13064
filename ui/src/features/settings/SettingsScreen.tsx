import { PlusOutlined } from "@ant-design/icons";
import {
  App as AntApp,
  Alert,
  AutoComplete,
  Button,
  Card,
  Descriptions,
  Form,
  Input,
  InputNumber,
  Modal,
  Space,
  Switch,
  Tag,
  Typography,
} from "antd";
import type { FormInstance } from "antd";
import type { UseMutationResult } from "@tanstack/react-query";
import { type ReactNode, useState } from "react";
import { useTranslation } from "react-i18next";

import * as api from "../../api";
import type { AppStatus } from "../../bindings/AppStatus";
import type { CommandError } from "../../bindings/CommandError";
import type { NewRole } from "../../bindings/NewRole";
import type { Role } from "../../bindings/Role";
import type { Settings } from "../../bindings/Settings";
import { LanguageSelect } from "../../components/LanguageSwitch";
import { ListTable } from "../../components/ListTable";
import { TitledPage } from "../../components/TitledPage";
import { applyServerError, requiredRule } from "../../components/forms";
import { errorText, localTime, nextUtcMidnight } from "../../errors";
import { useSystemDark } from "../../theme";
import { TeamCard } from "../team/TeamCard";
import { GatewayCard } from "./GatewayCard";
import { JoinNotificationsSwitch } from "./JoinNotificationsSwitch";
import { useCreateRole, useRoles, useSettings, useUpdateImportQuota, useUpdateSettings } from "./queries";

/** Common regions first; any ISO 3166 code can be typed. */
const REGIONS = ["CN", "US", "GB", "DE", "FR", "JP", "KR", "SG", "HK", "TW", "IN", "AU", "CA", "NL", "SE", "CH", "ES", "IT", "BR", "AE"];

type SettingsFormProps<V extends Record<string, unknown>> = {
  form: FormInstance<V>;
  /** The save (`useUpdateSettings()` …), which answers the settings as saved. */
  save: UseMutationResult<Settings, CommandError, Settings>;
  /** The form's values from the settings, and the settings with the form's values in them. */
  toValues: (settings: Settings) => V;
  fromValues: (values: V, settings: Settings) => Settings;
  /** The form's fields a refusal is shown on; `fieldMap` names the form's field of a setting
   *  whose name differs. */
  fields: readonly string[];
  fieldMap?: Record<string, string>;
  onValuesChange?: (changed: Partial<V>) => void;
  saveTestId: string;
  /** The form's fields, before its Save button. */
  children: ReactNode;
  /** The line under the form. */
  hint: ReactNode;
};

/** One inline settings form, once the settings are read (the reading's error instead, nothing
 *  while they load). Saved, it shows the settings as saved and "Saved"; refused, the reason on
 *  its fields and the rest above it. */
function SettingsForm<V extends Record<string, unknown>>(props: SettingsFormProps<V>) {
  const { form, save, toValues, fromValues, fields, fieldMap, onValuesChange, saveTestId, children, hint } = props;
  const { t } = useTranslation();
  const { message } = AntApp.useApp();
  const settings = useSettings();
  const [error, setError] = useState<string | null>(null);
  if (settings.isError) return <Alert type="error" showIcon title={errorText(t, api.toCommandError(settings.error))} />;
  if (!settings.data) return null;
  const data = settings.data;
  const submit = (values: V) => {
    setError(null);
    save.mutate(fromValues(values, data), {
      onSuccess: (saved) => {
        form.setFieldsValue(toValues(saved) as Parameters<typeof form.setFieldsValue>[0]);
        void message.success(t("settings.saved"));
      },
      onError: (e) => setError(applyServerError(t, form, e, fields, fieldMap)),
    });
  };
  // One block, so that the line under the form is under it (a description's content lays out
  // its children in a row) and the form keeps the width for its Save button beside the field.
  return (
    <div>
      {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 8 }} />}
      <Form<V> form={form} layout="inline" initialValues={toValues(data)} onValuesChange={onValuesChange} onFinish={submit}>
        {children}
        <Form.Item>
          <Button type="primary" htmlType="submit" loading={save.isPending} data-testid={saveTestId}>
            {t("common.save")}
          </Button>
        </Form.Item>
      </Form>
      {hint}
    </div>
  );
}

const HINT_STYLE = { margin: "8px 0 0" };

function RegionForm() {
  const { t } = useTranslation();
  const [form] = Form.useForm<Settings>();
  const save = useUpdateSettings();
  return (
    <SettingsForm<Settings>
      form={form}
      save={save}
      toValues={(s) => s}
      fromValues={(v, s) => ({ ...s, defaultRegion: v.defaultRegion.trim().toUpperCase() })}
      fields={["defaultRegion"]}
      saveTestId="settings-region-save"
      hint={
        <Typography.Paragraph type="secondary" style={HINT_STYLE}>
          {t("settings.regionHint")}
        </Typography.Paragraph>
      }
    >
      <Form.Item name="defaultRegion" rules={[requiredRule(t)]}>
        <AutoComplete
          data-testid="settings-region"
          style={{ width: 200 }}
          options={REGIONS.map((r) => ({ value: r, label: `${r} · ${regionName(r, t)}` }))}
          filterOption={(input, option) => String(option?.label ?? "").toLowerCase().includes(input.toLowerCase())}
          aria-label={t("settings.region")}
        />
      </Form.Item>
    </SettingsForm>
  );
}

/** Off by default; switched on it starts from the free tier's 100 a day. */
const DEFAULT_QUOTA = 100;
const MAX_QUOTA = 10_000;

type QuotaValues = { enabled: boolean; limit: number | null };

const quotaValues = (s: Settings): QuotaValues => ({
  enabled: s.importQuotaPerDay != null,
  limit: s.importQuotaPerDay ?? DEFAULT_QUOTA,
});

function ImportQuotaForm() {
  const { t } = useTranslation();
  const [form] = Form.useForm<QuotaValues>();
  const enabled = Form.useWatch("enabled", form) ?? false;
  const save = useUpdateImportQuota();
  return (
    <SettingsForm<QuotaValues>
      form={form}
      save={save}
      toValues={quotaValues}
      fromValues={(v, s) => ({ ...s, importQuotaPerDay: v.enabled ? v.limit : null })}
      fields={["limit"]}
      fieldMap={{ importQuotaPerDay: "limit" }}
      onValuesChange={(changed) => {
        if (changed.enabled && form.getFieldValue("limit") == null) form.setFieldValue("limit", DEFAULT_QUOTA);
      }}
      saveTestId="settings-quota-save"
      hint={
        <Typography.Paragraph type="secondary" style={HINT_STYLE} data-testid="settings-quota-hint">
          {enabled ? t("settings.quota.hint", { time: localTime(t, nextUtcMidnight()) }) : t("settings.quota.off")}
        </Typography.Paragraph>
      }
    >
      <Form.Item name="enabled" valuePropName="checked">
        <Switch data-testid="settings-quota-switch" aria-label={t("settings.quota.switch")} />
      </Form.Item>
      <Form.Item>
        <Typography.Text>{t("settings.quota.switch")}</Typography.Text>
      </Form.Item>
      <Form.Item
        name="limit"
        rules={[{ required: enabled, type: "integer", min: 1, max: MAX_QUOTA, message: t("settings.quota.range") }]}
      >
        <InputNumber
          data-testid="settings-quota-limit"
          aria-label={t("settings.quota.limit")}
          disabled={!enabled}
          min={1}
          max={MAX_QUOTA}
          precision={0}
          suffix={t("settings.quota.perDay")}
          style={{ width: 150 }}
        />
      </Form.Item>
    </SettingsForm>
  );
}

function regionName(code: string, t: (k: string) => string): string {
  try {
    return new Intl.DisplayNames([t("settings.locale")], { type: "region" }).of(code) ?? code;
  } catch {
    return code;
  }
}

function RolesCard() {
  const { t } = useTranslation();
  const { message } = AntApp.useApp();
  const roles = useRoles();
  const [open, setOpen] = useState(false);
  const [form] = Form.useForm<NewRole>();
  const [error, setError] = useState<string | null>(null);
  const create = useCreateRole({
    onSuccess: (_id, input) => {
      void message.success(t("roles.created", { name: input.name }));
      setOpen(false);
      form.resetFields();
    },
    onError: (e) => setError(applyServerError(t, form, e, ["name", "description"])),
  });
  return (
    <Card
      variant="outlined"
      title={t("roles.title")}
      extra={
        <Button icon={<PlusOutlined />} onClick={() => setOpen(true)} data-testid="role-new">
          {t("roles.new")}
        </Button>
      }
      styles={{ body: { padding: 0 } }}
    >
      <ListTable<Role>
        list={roles}
        testId="roles-table"
        columns={[
          {
            key: "name",
            title: t("roles.name"),
            render: (_v, r) => (
              <Space size={6}>
                <span>{r.name}</span>
                {r.builtin && <Tag>{t("roles.builtin")}</Tag>}
              </Space>
            ),
          },
          { key: "description", title: t("roles.description"), dataIndex: "description" },
          { key: "members", title: t("roles.members"), dataIndex: "members", width: 120, align: "right" },
        ]}
      />
      <Modal
        open={open}
        title={t("roles.new")}
        onCancel={() => setOpen(false)}
        okText={t("common.save")}
        cancelText={t("common.cancel")}
        okButtonProps={{ loading: create.isPending, "data-testid": "role-save" }}
        onOk={() => form.submit()}
        destroyOnHidden
      >
        {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 12 }} />}
        <Form<NewRole>
          form={form}
          layout="vertical"
          requiredMark={false}
          initialValues={{ name: "", description: "" }}
          onFinish={(v) => {
            setError(null);
            create.mutate({ name: v.name.trim(), description: (v.description ?? "").trim() });
          }}
        >
          <Form.Item name="name" label={t("roles.name")} rules={[requiredRule(t)]}>
            <Input data-testid="role-name" autoFocus />
          </Form.Item>
          <Form.Item name="description" label={t("roles.description")} style={{ marginBottom: 0 }}>
            <Input.TextArea data-testid="role-description" rows={3} />
          </Form.Item>
        </Form>
      </Modal>
    </Card>
  );
}

export function SettingsScreen({ status }: { status: AppStatus }) {
  const { t } = useTranslation();
  const dark = useSystemDark();
  return (
    <TitledPage title={t("settings.title")} testId="screen-settings">
      <Space orientation="vertical" size={16} style={{ width: "100%" }}>
      <Card variant="outlined">
        <Descriptions
          column={1}
          styles={{ label: { width: 240 } }}
          items={[
            { key: "language", label: t("settings.language"), children: <LanguageSelect /> },
            {
              key: "appearance",
              label: t("settings.appearance"),
              children: (
                <Space size={8} wrap>
                  <Typography.Text>{t("settings.appearanceValue")}</Typography.Text>
                  <Tag data-testid="settings-mode">
                    {t("settings.currentMode", { mode: t(dark ? "settings.dark" : "settings.light") })}
                  </Tag>
                </Space>
              ),
            },
            { key: "region", label: t("settings.region"), children: <RegionForm /> },
            { key: "importQuota", label: t("settings.quota.title"), children: <ImportQuotaForm /> },
            { key: "notifications", label: t("settings.notifications.title"), children: <JoinNotificationsSwitch /> },
            {
              key: "dbPath",
              label: t("settings.dbPath"),
              children: (
                <Typography.Text code copyable data-testid="settings-db-path" style={{ wordBreak: "break-all" }}>
                  {status.dbPath}
                </Typography.Text>
              ),
            },
            {
              key: "version",
              label: t("settings.version"),
              children: <Typography.Text data-testid="settings-version">{status.version}</Typography.Text>,
            },
          ]}
        />
      </Card>
      <GatewayCard />
      {status.session && <TeamCard session={status.session} />}
      <RolesCard />
      </Space>
    </TitledPage>
  );
}
