import { App as AntApp, Alert, Button, Card, Col, Descriptions, Form, Input, Row, Skeleton, Space, Statistic, Tag, Typography } from "antd";
import { useState } from "react";
import { useTranslation } from "react-i18next";

import * as api from "../../api";
import type { MemberCounts } from "../../bindings/MemberCounts";
import type { OrgOverview } from "../../bindings/OrgOverview";
import { TitledPage } from "../../components/TitledPage";
import { maxCharsRule } from "../../components/forms";
import { formatTime } from "../../components/text";
import { detailText, errorText } from "../../errors";
import { NAME_MAX } from "../../password";
import { useJoinLink } from "../joinRequests/queries";
import { useOrgOverview, useRenameOrganization } from "./queries";

const COUNT_KEYS: (keyof MemberCounts)[] = ["total", "enabled", "notJoined", "pendingApproval", "disabled", "resigned"];

function RenameForm({ overview }: { overview: OrgOverview }) {
  const { t } = useTranslation();
  const { message } = AntApp.useApp();
  const [form] = Form.useForm<{ name: string }>();
  const [serverError, setServerError] = useState<string | null>(null);

  const rename = useRenameOrganization({
    onSuccess: (updated) => {
      form.setFieldValue("name", updated.name);
      void message.success(t("overview.renamed"));
    },
    onError: (error) => {
      const fieldDetails = error.details.filter((d) => d.field === "name");
      if (error.code === "validation" && fieldDetails.length > 0) {
        form.setFields([{ name: "name", errors: fieldDetails.map((d) => detailText(t, d)) }]);
        setServerError(null);
      } else {
        setServerError(errorText(t, error));
      }
    },
  });

  return (
    <>
      {serverError && (
        <Alert type="error" showIcon title={serverError} style={{ marginBottom: 12 }} data-testid="overview-rename-error" />
      )}
      <Form
        form={form}
        layout="inline"
        initialValues={{ name: overview.name }}
        onFinish={({ name }) => {
          setServerError(null);
          rename.mutate(name.trim());
        }}
        disabled={rename.isPending}
      >
        <Form.Item
          name="name"
          style={{ flex: 1, maxWidth: 420 }}
          rules={[
            { required: true, whitespace: true, message: t("overview.nameRequired") },
            maxCharsRule(NAME_MAX, t("overview.nameTooLong", { max: NAME_MAX })),
          ]}
        >
          <Input data-testid="overview-rename-input" aria-label={t("overview.name")} />
        </Form.Item>
        <Form.Item>
          <Button type="primary" htmlType="submit" loading={rename.isPending} data-testid="overview-rename-submit">
            {t("overview.renameSubmit")}
          </Button>
        </Form.Item>
      </Form>
      <Typography.Paragraph type="secondary" style={{ marginTop: 8, marginBottom: 0 }}>
        {t("overview.renameHint")}
      </Typography.Paragraph>
    </>
  );
}

/**
 * The organization code that joins: the gateway's, with whether it is on. (The code made at
 * setup joined nothing and is not shown.) Switched on and off in Join Requests.
 */
function JoinCode() {
  const { t } = useTranslation();
  const link = useJoinLink();
  const state = link.isError ? "unknown" : link.data?.enabled ? "on" : "off";
  if (link.isPending) return <Skeleton.Input active size="small" />;
  return (
    <Space orientation="vertical" size={0}>
      <Space>
        {state === "on" && link.data?.code && (
          <Typography.Text code copyable data-testid="overview-code">
            {link.data.code}
          </Typography.Text>
        )}
        <Tag color={state === "on" ? "success" : "default"} data-testid="overview-code-state">
          {t(state === "on" ? "overview.codeOn" : state === "off" ? "overview.codeOff" : "overview.codeUnknown")}
        </Tag>
      </Space>
      {state !== "on" && (
        <Typography.Text type="secondary">{t(state === "off" ? "overview.codeHintOff" : "overview.codeHintUnknown")}</Typography.Text>
      )}
    </Space>
  );
}

export function OverviewScreen() {
  const { t, i18n } = useTranslation();
  const overview = useOrgOverview();

  if (overview.isError) {
    return (
      <div className="orgdesk-page" data-testid="overview">
        <Alert type="error" showIcon title={errorText(t, api.toCommandError(overview.error))} />
      </div>
    );
  }
  const data = overview.data;
  const created = data ? formatTime(i18n.language, data.createdAt) : "";

  return (
    <TitledPage title={t("overview.title")} testId="overview">
      {!data ? (
        <Card>
          <Skeleton active />
        </Card>
      ) : (
        <div style={{ display: "flex", flexDirection: "column", gap: 16 }}>
          <Card variant="outlined">
            <Descriptions
              column={{ xs: 1, sm: 1, md: 2 }}
              items={[
                {
                  key: "name",
                  label: t("overview.name"),
                  children: <span data-testid="overview-name">{data.name}</span>,
                },
                { key: "code", label: t("overview.code"), children: <JoinCode /> },
                { key: "created", label: t("overview.created"), children: <span data-testid="overview-created">{created}</span> },
                {
                  key: "admin",
                  label: t("overview.initialAdmin"),
                  children: (
                    <span data-testid="overview-admin">
                      {data.initialAdmin.name}
                      {data.initialAdmin.username && (
                        <Typography.Text type="secondary"> ({data.initialAdmin.username})</Typography.Text>
                      )}
                    </span>
                  ),
                },
                {
                  key: "departments",
                  label: t("overview.departments"),
                  children: <span data-testid="overview-departments">{data.departmentCount}</span>,
                },
              ]}
            />
          </Card>
          <div>
            <Typography.Title level={5} style={{ marginTop: 0 }}>
              {t("overview.members")}
            </Typography.Title>
            <Row gutter={[12, 12]}>
              {COUNT_KEYS.map((key) => (
                <Col key={key} xs={12} md={8} xl={4}>
                  <Card size="small" variant="outlined">
                    <Statistic title={t(`overview.count.${key}`)} value={data.counts[key]} data-testid={`count-${key}`} />
                  </Card>
                </Col>
              ))}
            </Row>
          </div>
          <Card size="small" variant="outlined" title={t("overview.rename")}>
            {data.canRename ? (
              <RenameForm overview={data} />
            ) : (
              <Typography.Text type="secondary" data-testid="overview-rename-note">
                {t("overview.renameOnlyInitialAdmin")}
              </Typography.Text>
            )}
          </Card>
        </div>
      )}
    </TitledPage>
  );
}
