import { Alert, Form, Input, Spin } from "antd";
import type { TFunction } from "i18next";
import { useEffect, useState } from "react";
import { useTranslation } from "react-i18next";

import type { CommandError } from "../../bindings/CommandError";
import type { JoinTeamInput } from "../../bindings/JoinTeamInput";
import { requiredRule } from "../../components/forms";
import { errorText } from "../../errors";
import { SubmitButton } from "../session/AuthCard";
import { useComputerName, useJoinTeam } from "./queries";

/** The refusals the join form says in its own words (`team.join.error.<code>`). */
const KNOWN = ["code_refused", "rate_limited", "unreachable", "invalid_url", "insecure_url"];

/** Why a join failed, as one sentence: the gateway's answer by its detail, never its raw text. */
function joinError(t: TFunction, e: CommandError): string {
  const known = e.details.find((d) => KNOWN.includes(d.code));
  if (known) return t(`team.join.error.${known.code}`);
  if (e.code === "already_initialized") return t("team.join.error.exists");
  // Anything else (the keyring refusing the credential, a team with no snapshot yet) in the
  // backend's own sentence.
  return e.message || errorText(t, e);
}

/**
 * First run on a computer another admin enrolled: the gateway's address, the one-time code,
 * the admin's username and password and this computer's name (its host name proposed). The
 * directory is downloaded while it waits; then the sign-in screen shows.
 */
export function JoinTeamForm({ onJoined }: { onJoined: (username: string) => void }) {
  const { t } = useTranslation();
  const [form] = Form.useForm<JoinTeamInput>();
  const [error, setError] = useState<string | null>(null);
  const computer = useComputerName();
  useEffect(() => {
    if (computer.data && !form.getFieldValue("deviceName")) form.setFieldValue("deviceName", computer.data);
  }, [computer.data, form]);
  const join = useJoinTeam({
    onSuccess: (_r, input) => onJoined(input.username),
    onError: (e) => setError(joinError(t, e)),
  });
  const required = requiredRule(t);
  return (
    <>
      {error && <Alert type="error" showIcon title={error} data-testid="join-error" style={{ marginBottom: 16 }} />}
      <Form<JoinTeamInput>
        form={form}
        layout="vertical"
        requiredMark={false}
        disabled={join.isPending}
        onFinish={(v) => {
          setError(null);
          join.mutate({
            url: v.url.trim(),
            code: v.code.trim().toUpperCase(),
            username: v.username.trim(),
            password: v.password,
            deviceName: (v.deviceName ?? "").trim(),
          });
        }}
      >
        <Form.Item name="url" label={t("team.join.url")} extra={t("team.join.urlHint")} rules={[required]}>
          <Input data-testid="join-url" placeholder="https://gateway.example.com" autoFocus />
        </Form.Item>
        <Form.Item name="code" label={t("team.join.code")} extra={t("team.join.codeHint")} rules={[required]}>
          <Input
            data-testid="join-code"
            placeholder="ABCD-EFGH-…"
            autoComplete="off"
            spellCheck={false}
            style={{ textTransform: "uppercase", fontFamily: "ui-monospace, SFMono-Regular, Menlo, Consolas, monospace" }}
          />
        </Form.Item>
        <Form.Item name="username" label={t("setup.username")} rules={[required]}>
          <Input data-testid="join-username" autoComplete="username" />
        </Form.Item>
        <Form.Item name="password" label={t("setup.password")} rules={[required]}>
          <Input.Password data-testid="join-password" autoComplete="current-password" />
        </Form.Item>
        <Form.Item name="deviceName" label={t("team.join.device")} extra={t("team.join.deviceHint")}>
          <Input data-testid="join-device" maxLength={100} />
        </Form.Item>
        {join.isPending && (
          <div data-testid="join-progress" style={{ marginBottom: 16 }}>
            <Spin size="small" /> <span style={{ marginInlineStart: 8 }}>{t("team.join.progress")}</span>
          </div>
        )}
        <SubmitButton loading={join.isPending} testId="join-submit">
          {t("team.join.submit")}
        </SubmitButton>
      </Form>
    </>
  );
}
