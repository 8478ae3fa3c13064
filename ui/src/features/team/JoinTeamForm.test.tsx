import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";

import { App } from "../../App";
import type { AppStatus } from "../../bindings/AppStatus";
import type { CommandError } from "../../bindings/CommandError";
import { fill } from "../../test/directory";
import { commandError } from "../../test/fixtures";
import { mockBackend, renderWithProviders } from "../../test/render";

const fresh: AppStatus = { initialized: false, session: null, dbPath: "/tmp/orgdesk.db", version: "0.1.0" };

const refusal = (code: string, errorCode: CommandError["code"] = "conflict") =>
  commandError({ code: errorCode, message: "the gateway's own words", details: [{ field: "code", code, reason: "raw" }] });

async function openJoin(user: ReturnType<typeof userEvent.setup>) {
  await user.click(await screen.findByTestId("setup-join-team"));
  expect(await screen.findByText("Join your organization's team", { selector: "h3" })).toBeTruthy();
}

async function fillJoin(user: ReturnType<typeof userEvent.setup>) {
  await fill(user, screen.getByTestId("join-url"), "https://gw.example.com");
  await fill(user, screen.getByTestId("join-code"), "abcd-efgh-jklm-npqr-stuv-wxyz-2345");
  await fill(user, screen.getByTestId("join-username"), "ada");
  await fill(user, screen.getByTestId("join-password"), "Correct-Horse1");
}

describe("Joining the organization's team on the first run", () => {
  it("says each refusal in a sentence, then joins and shows the sign-in screen", async () => {
    let initialized = false;
    const answers: (CommandError | null)[] = [
      refusal("code_refused", "invalid_credentials"),
      refusal("unreachable", "internal"),
      refusal("rate_limited", "too_many_attempts"),
      commandError({ code: "validation", details: [{ field: "url", code: "insecure_url", reason: "raw" }] }),
      null,
    ];
    const calls = mockBackend({
      app_status: () => ({ ...fresh, initialized }),
      team_computer_name: () => "ada-laptop",
      team_join: () => {
        const answer = answers.shift();
        if (answer) throw answer;
        initialized = true;
        return null;
      },
    });
    const user = userEvent.setup({ delay: null });
    renderWithProviders(<App />);
    await openJoin(user);
    await waitFor(() => expect((screen.getByTestId("join-device") as HTMLInputElement).value).toBe("ada-laptop"));
    await fillJoin(user);

    const sentences = [
      "The gateway did not accept this code with this username and password. Check them: the code may be mistyped, already used or expired (each code works once, for a limited time), or the password may be wrong.",
      "The gateway could not be reached. Check its address and this computer's network connection.",
      "Too many attempts from this computer. Wait a few minutes, then try again.",
      "The gateway's address must start with https:// (http:// only for this computer).",
    ];
    for (const sentence of sentences) {
      await user.click(screen.getByTestId("join-submit"));
      await waitFor(() => expect(screen.getByTestId("join-error").textContent).toBe(sentence));
      expect(screen.getByTestId("join-error").textContent).not.toContain("raw");
    }
    await user.click(screen.getByTestId("join-submit"));
    expect(await screen.findByText("Sign in")).toBeTruthy();
    expect(calls.filter((c) => c.cmd === "team_join").at(-1)?.args).toEqual({
      input: {
        url: "https://gw.example.com",
        code: "ABCD-EFGH-JKLM-NPQR-STUV-WXYZ-2345",
        username: "ada",
        password: "Correct-Horse1",
        deviceName: "ada-laptop",
      },
    });
  });

  it("shows progress while the directory downloads, and goes back to creating an organization", async () => {
    let finish: (v: null) => void = () => undefined;
    mockBackend({
      app_status: () => fresh,
      team_computer_name: () => "ada-laptop",
      team_join: () => new Promise<null>((resolve) => (finish = resolve)),
    });
    const user = userEvent.setup({ delay: null });
    renderWithProviders(<App />);
    await openJoin(user);
    await fillJoin(user);
    await user.click(screen.getByTestId("join-submit"));
    expect((await screen.findByTestId("join-progress")).textContent).toContain("downloading the directory");
    finish(null);
    await waitFor(() => expect(screen.queryByTestId("join-progress")).toBeNull());
    await user.click(screen.getByTestId("setup-create-instead"));
    expect(await screen.findByText("Set up your organization")).toBeTruthy();
  });
});
