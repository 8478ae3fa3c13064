import { emit } from "@tauri-apps/api/event";
import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { Button } from "antd";
import { describe, expect, it, vi } from "vitest";

import * as api from "../../api";
import { errorText } from "../../errors";
import i18n, { setLanguage } from "../../i18n";
import { bobRefused, commandError } from "../../test/fixtures";
import { mockBackend, renderWithProviders } from "../../test/render";
import { useCommand } from "../../queryClient";
import { useBackendEvents } from "../shell/queries";

function RenameButton({ onError, onKept }: { onError: () => void; onKept?: () => void }) {
  const rename = useCommand((name: string) => api.renameDepartment(2, name), () => undefined, { onError, onKept });
  return <Button onClick={() => rename.mutate("Ops")}>Rename</Button>;
}

function Listening() {
  useBackendEvents();
  return null;
}

describe("Team mode's notices", () => {
  it("shows an edit kept on this computer as a notice, not as the caller's error, and lets its dialog close", async () => {
    const calls = mockBackend({
      rename_department: () => {
        throw commandError({
          code: "conflict",
          message: "Kept on this computer: the team's gateway has not answered yet.",
          details: [{ field: null, code: "kept", reason: "Saved on this computer." }],
        });
      },
      team_status: () => null,
    });
    const onError = vi.fn();
    const onKept = vi.fn();
    const user = userEvent.setup({ delay: null });
    renderWithProviders(<RenameButton onError={onError} onKept={onKept} />);
    await user.click(screen.getByText("Rename"));
    expect(await screen.findByText("Saved on this computer; it will be sent when the gateway answers.")).toBeTruthy();
    expect(onError).not.toHaveBeenCalled();
    expect(onKept).toHaveBeenCalledTimes(1);
    expect(calls.some((c) => c.cmd === "rename_department")).toBe(true);
  });

  it("still gives the caller any other refusal", async () => {
    mockBackend({ rename_department: () => Promise.reject(commandError({ code: "validation", message: "No." })) });
    const onError = vi.fn();
    const user = userEvent.setup({ delay: null });
    renderWithProviders(<RenameButton onError={onError} />);
    await user.click(screen.getByText("Rename"));
    await waitFor(() => expect(onError).toHaveBeenCalled());
    expect(screen.queryByText("Saved on this computer; it will be sent when the gateway answers.")).toBeNull();
  });

  it("tells the admin of each change the team refused, naming it and why, in the window's language", async () => {
    mockBackend({ team_status: () => null }, { events: true });
    const { unmount } = renderWithProviders(<Listening />);
    await new Promise((r) => setTimeout(r, 0));
    await emit(api.EVENTS.teamRefused, [bobRefused]);
    expect(await screen.findByText("The team refused: Add member Bob Two (bob)")).toBeTruthy();
    expect(screen.getByText("The username \"bob\" is already used.")).toBeTruthy();
    await setLanguage("zh-CN");
    await new Promise((r) => setTimeout(r, 0));
    await emit(api.EVENTS.teamRefused, [{ ...bobRefused, seq: 8 }]);
    expect(await screen.findByText("团队拒绝了：添加成员 Bob Two（bob）")).toBeTruthy();
    expect(screen.getByText("其中的用户名、邮箱或手机号已被其他成员使用。")).toBeTruthy();
    unmount();
  });

  it("gives the caller an edit refused because this computer was removed from the team in the window's language", async () => {
    mockBackend({
      rename_department: () => {
        throw commandError({
          code: "conflict",
          message: "This computer was removed from the team: the gateway no longer accepts its credential.",
          details: [{ field: null, code: "removed_from_team", reason: "This computer was removed from the team." }],
        });
      },
    });
    await setLanguage("zh-CN");
    const onError = vi.fn();
    const user = userEvent.setup({ delay: null });
    renderWithProviders(<RenameButton onError={onError} />);
    await user.click(screen.getByText("Rename"));
    await waitFor(() => expect(onError).toHaveBeenCalled());
    expect((onError.mock.calls[0] as [{ message: string }])[0].message).toMatch(/^本机已被移出团队：/);
  });

  it("words a call refused because this computer was removed from the team in the window's language", async () => {
    const removed = commandError({
      code: "conflict",
      message: "This computer was removed from the team: the gateway no longer accepts its credential.",
      details: [{ field: null, code: "removed_from_team", reason: "This computer was removed from the team." }],
    });
    expect(errorText(i18n.t, removed)).toMatch(/^This computer was removed from the team: /);
    await setLanguage("zh-CN");
    expect(errorText(i18n.t, removed)).toMatch(/^本机已被移出团队：/);
  });
});
