import { App as AntApp, Alert, Button, Checkbox, Form, Input, Radio, Typography } from "antd";
import { useMemo, useState } from "react";
import { useTranslation } from "react-i18next";

import * as api from "../../api";
import type { Lang } from "../../bindings/Lang";
import { CancelButton } from "../../components/CancelButton";
import { Dialog } from "../../components/Dialog";
import { applyServerError, requiredRule } from "../../components/forms";
import { errorText } from "../../errors";
import { DepartmentSelect } from "../departments/DepartmentSelect";
import { useDepartmentTree } from "../departments/queries";
import { deptOptions } from "../departments/tree";
import { InvitationLanguage, useOrganizationInvitationLanguage } from "../invitations/InvitationLanguage";
import { RolesSelect } from "../settings/RolesSelect";
import { useSettings } from "../settings/queries";
import { useAddInvitee } from "./queries";

export type InviteePrefill = { name?: string; email?: string | null; mobile?: string | null };

type InviteeValues = {
  name: string;
  /** How they will be reached: "link" needs no contact (the link is passed on by hand). */
  channel: "email" | "mobile" | "link";
  email: string;
  mobile: string;
  departmentId: number;
  position: string;
  roleIds: number[];
  sendNow: boolean;
};

/** "Add user for invitation": saved as Not Joined. */
export function InviteeModal({
  departmentId,
  prefill,
  onClose,
  onAdded,
}: {
  departmentId: number;
  prefill?: InviteePrefill;
  onClose: () => void;
  onAdded: (id: number) => void;
}) {
  const { t } = useTranslation();
  const { message } = AntApp.useApp();
  const tree = useDepartmentTree();
  const settings = useSettings();
  const organizationLanguage = useOrganizationInvitationLanguage();
  const [pickedLanguage, setPickedLanguage] = useState<Lang | undefined>(undefined);
  const language = pickedLanguage ?? organizationLanguage;
  const [form] = Form.useForm<InviteeValues>();
  const [error, setError] = useState<string | null>(null);
  const channel = Form.useWatch("channel", form) ?? (prefill?.email || !prefill?.mobile ? "email" : "mobile");
  const sendNow = Form.useWatch("sendNow", form) ?? true;
  const treeData = useMemo(() => (tree.data ? deptOptions(tree.data) : []), [tree.data]);
  // The member is saved even when the invitation is refused: say why, and let the admin resend.
  const inviteRefused = (e: unknown) => void message.warning(errorText(t, api.toCommandError(e)));
  const add = useAddInvitee(inviteRefused, {
    onSuccess: (id, { input, sendNow: sent }) => {
      void message.success(t(sent ? "members.invitee.addedAndInvited" : "members.invitee.added", { name: input.name }));
      onAdded(id);
      onClose();
    },
    onError: (e) => setError(applyServerError(t, form, e, ["name", "email", "mobile", "departmentId", "position"], { department: "departmentId", positions: "departmentId" })),
  });
  return (
    <Dialog
      title={t("members.invitee.title")}
      onClose={onClose}
      footer={[
        <CancelButton key="cancel" onClick={onClose} />,
        <Button key="save" type="primary" data-testid="invitee-save" loading={add.isPending} onClick={() => form.submit()}>
          {t("common.save")}
        </Button>,
      ]}
    >
      {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 12 }} />}
      <Form<InviteeValues>
        form={form}
        layout="vertical"
        requiredMark={false}
        initialValues={{
          name: prefill?.name ?? "",
          channel: prefill?.email || !prefill?.mobile ? "email" : "mobile",
          email: prefill?.email ?? "",
          mobile: prefill?.mobile ?? "",
          departmentId,
          position: "",
          roleIds: [],
          sendNow: true,
        }}
        onFinish={(v) => {
          setError(null);
          add.mutate({
            input: {
              name: v.name.trim(),
              email: v.channel === "email" ? v.email.trim() : null,
              mobile: v.channel === "mobile" ? v.mobile.trim() : null,
              departmentId: v.departmentId,
              position: (v.position ?? "").trim() || null,
              roleIds: v.roleIds ?? [],
              linkOnly: v.channel === "link",
            },
            sendNow: v.sendNow,
            language,
          });
        }}
      >
        <Form.Item name="name" label={t("members.field.name")} rules={[requiredRule(t)]}>
          <Input data-testid="invitee-name" autoFocus />
        </Form.Item>
        <Form.Item name="channel" label={t("members.invitee.contact")} style={{ marginBottom: 8 }}>
          <Radio.Group
            optionType="button"
            size="small"
            options={[
              { value: "email", label: <span data-testid="invitee-channel-email">{t("members.field.email")}</span> },
              { value: "mobile", label: <span data-testid="invitee-channel-mobile">{t("members.field.mobile")}</span> },
              { value: "link", label: <span data-testid="invitee-channel-link">{t("members.invitee.linkOnly")}</span> },
            ]}
          />
        </Form.Item>
        {channel === "link" ? (
          <Typography.Paragraph type="secondary" data-testid="invitee-link-only">
            {t("members.invitee.linkOnlyHint")}
          </Typography.Paragraph>
        ) : channel === "email" ? (
          <Form.Item
            name="email"
            rules={[
              requiredRule(t),
              { type: "email", message: t("errors.detail.invalid_email") },
            ]}
          >
            <Input data-testid="invitee-email" placeholder="name@example.com" />
          </Form.Item>
        ) : (
          <Form.Item
            name="mobile"
            extra={t("members.invitee.mobileHint", { region: settings.data?.defaultRegion ?? "—" })}
            rules={[requiredRule(t)]}
          >
            <Input data-testid="invitee-mobile" placeholder="+1 555 0100" />
          </Form.Item>
        )}
        <Form.Item name="departmentId" label={t("members.field.department")} rules={[{ required: true, message: t("common.required") }]}>
          <DepartmentSelect data-testid="invitee-department" treeData={treeData} />
        </Form.Item>
        <Form.Item name="position" label={t("members.field.position")}>
          <Input data-testid="invitee-position" placeholder={t("common.optional")} />
        </Form.Item>
        <Form.Item name="roleIds" label={t("members.invitee.roles")}>
          <RolesSelect
            data-testid="invitee-roles"
            placeholder={t("members.invitee.rolesPlaceholder")}
          />
        </Form.Item>
        <Form.Item name="sendNow" valuePropName="checked" style={{ marginBottom: 0 }} extra={t("members.invitee.note")}>
          <Checkbox data-testid="invitee-send-now">{t("members.invitee.sendNow")}</Checkbox>
        </Form.Item>
        {sendNow && (
          <div style={{ marginTop: 12 }}>
            <InvitationLanguage value={language} onChange={setPickedLanguage} />
          </div>
        )}
      </Form>
    </Dialog>
  );
}
