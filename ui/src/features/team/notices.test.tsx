import { emit } from "@tauri-apps/api/event";
import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { Button } from "antd";
import { describe, expect, it, vi } from "vitest";

import * as api from "../../api";
import { commandError } from "../../test/fixtures";
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

  it("tells the admin of each change the team refused, naming it and why", async () => {
    mockBackend({ team_status: () => null }, { events: true });
    const { unmount } = renderWithProviders(<Listening />);
    await new Promise((r) => setTimeout(r, 0));
    await emit(api.EVENTS.teamRefused, [
      { seq: 9, changeId: "c9", what: "Add member Bob Two (bob)", field: "username", reason: "The username \"bob\" is already used.", loggedAt: 1_700_000_000 },
    ]);
    expect(await screen.findByText("The team refused: Add member Bob Two (bob)")).toBeTruthy();
    expect(screen.getByText("The username \"bob\" is already used.")).toBeTruthy();
    unmount();
  });
});
