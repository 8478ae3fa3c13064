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
import { type ReactNode, useState } from "react";
import { useTranslation } from "react-i18next";

import * as api from "../../api";
import type { AppStatus } from "../../bindings/AppStatus";
import type { NewRole } from "../../bindings/NewRole";
import type { Role } from "../../bindings/Role";
import type { Settings } from "../../bindings/Settings";
import { LanguageSelect } from "../../components/LanguageSwitch";
import { ListTable } from "../../components/ListTable";
import { TitledPage } from "../../components/TitledPage";
import { applyServerError } from "../../components/forms";
import { errorText, localTime, nextUtcMidnight } from "../../errors";
import { useSystemDark } from "../../theme";
import { GatewayCard } from "./GatewayCard";
import { JoinNotificationsSwitch } from "./JoinNotificationsSwitch";
import { useCreateRole, useRoles, useSettings, useUpdateImportQuota, useUpdateSettings } from "./queries";

/** Common regions first; any ISO 3166 code can be typed. */
const REGIONS = ["CN", "US", "GB", "DE", "FR", "JP", "KR", "SG", "HK", "TW", "IN", "AU", "CA", "NL", "SE", "CH", "ES", "IT", "BR", "AE"];

/** A settings form once the settings are read (`children` gets them): the reading's error
 *  instead, nothing while they load, and the last save's `error` above the form. */
function LoadedSettings({
  settings,
  error,
  children,
}: {
  settings: ReturnType<typeof useSettings>;
  error: string | null;
  children: (settings: Settings) => ReactNode;
}) {
  const { t } = useTranslation();
  if (settings.isError) return <Alert type="error" showIcon title={errorText(t, api.toCommandError(settings.error))} />;
  if (!settings.data) return null;
  return (
    <>
      {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 8 }} />}
      {children(settings.data)}
    </>
  );
}

function RegionForm() {
  const { t } = useTranslation();
  const { message } = AntApp.useApp();
  const settings = useSettings();
  const [form] = Form.useForm<Settings>();
  const [error, setError] = useState<string | null>(null);
  const save = useUpdateSettings({
    onSuccess: (saved) => {
      form.setFieldsValue(saved);
      void message.success(t("settings.saved"));
    },
    onError: (e) => setError(applyServerError(t, form, e, ["defaultRegion"])),
  });
  return (
    <LoadedSettings settings={settings} error={error}>
      {(data) => (
        <>
          <Form<Settings>
            form={form}
            layout="inline"
            initialValues={data}
            onFinish={(v) => {
              setError(null);
              save.mutate({ ...data, defaultRegion: v.defaultRegion.trim().toUpperCase() });
            }}
          >
            <Form.Item name="defaultRegion" rules={[{ required: true, whitespace: true, message: t("common.required") }]}>
              <AutoComplete
                data-testid="settings-region"
                style={{ width: 200 }}
                options={REGIONS.map((r) => ({ value: r, label: `${r} · ${regionName(r, t)}` }))}
                filterOption={(input, option) => String(option?.label ?? "").toLowerCase().includes(input.toLowerCase())}
                aria-label={t("settings.region")}
              />
            </Form.Item>
            <Form.Item>
              <Button type="primary" htmlType="submit" loading={save.isPending} data-testid="settings-region-save">
                {t("common.save")}
              </Button>
            </Form.Item>
          </Form>
          <Typography.Paragraph type="secondary" style={{ margin: "8px 0 0" }}>
            {t("settings.regionHint")}
          </Typography.Paragraph>
        </>
      )}
    </LoadedSettings>
  );
}

/** Off by default; switched on it starts from the free tier's 100 a day. */
const DEFAULT_QUOTA = 100;
const MAX_QUOTA = 10_000;

type QuotaValues = { enabled: boolean; limit: number | null };

function ImportQuotaForm() {
  const { t } = useTranslation();
  const { message } = AntApp.useApp();
  const settings = useSettings();
  const [form] = Form.useForm<QuotaValues>();
  const enabled = Form.useWatch("enabled", form) ?? false;
  const [error, setError] = useState<string | null>(null);
  const toValues = (s: Settings): QuotaValues => ({
    enabled: s.importQuotaPerDay != null,
    limit: s.importQuotaPerDay ?? DEFAULT_QUOTA,
  });
  const save = useUpdateImportQuota({
    onSuccess: (saved) => {
      form.setFieldsValue(toValues(saved));
      void message.success(t("settings.saved"));
    },
    onError: (e) => setError(applyServerError(t, form, e, ["limit"], { importQuotaPerDay: "limit" })),
  });
  return (
    <LoadedSettings settings={settings} error={error}>
      {(data) => (
        <>
          <Form<QuotaValues>
            form={form}
            layout="inline"
            initialValues={toValues(data)}
            onValuesChange={(changed: Partial<QuotaValues>) => {
              if (changed.enabled && form.getFieldValue("limit") == null) form.setFieldValue("limit", DEFAULT_QUOTA);
            }}
            onFinish={(v) => {
              setError(null);
              save.mutate({ ...data, importQuotaPerDay: v.enabled ? v.limit : null });
            }}
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
            <Form.Item>
              <Button type="primary" htmlType="submit" loading={save.isPending} data-testid="settings-quota-save">
                {t("common.save")}
              </Button>
            </Form.Item>
          </Form>
          <Typography.Paragraph type="secondary" style={{ margin: "8px 0 0" }} data-testid="settings-quota-hint">
            {enabled ? t("settings.quota.hint", { time: localTime(t, nextUtcMidnight()) }) : t("settings.quota.off")}
          </Typography.Paragraph>
        </>
      )}
    </LoadedSettings>
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
          <Form.Item name="name" label={t("roles.name")} rules={[{ required: true, whitespace: true, message: t("common.required") }]}>
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
          styles={{ label: { width: 160 } }}
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
      <RolesCard />
      </Space>
    </TitledPage>
  );
}
