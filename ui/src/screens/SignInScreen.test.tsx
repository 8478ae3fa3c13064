import { screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";

import { App } from "../App";
import type { AppStatus } from "../bindings/AppStatus";
import { commandError, session, signedIn, tree } from "../test/fixtures";
import { mockBackend, renderWithProviders } from "../test/render";

const signedOut: AppStatus = { ...signedIn, session: null };

async function signIn(user: ReturnType<typeof userEvent.setup>, password: string) {
  await user.type(await screen.findByTestId("signin-username"), "ada");
  await user.type(screen.getByTestId("signin-password"), `${password}{Enter}`);
}

describe("Sign-in screen", () => {
  it("says the username or password is incorrect", async () => {
    mockBackend({
      app_status: () => signedOut,
      sign_in: () => {
        throw commandError({ code: "invalid_credentials", message: "invalid credentials" });
      },
    });
    const user = userEvent.setup({ delay: null });
    renderWithProviders(<App />);
    expect(await screen.findByText("Sign in to Orgdesk")).toBeTruthy();
    await signIn(user, "wrong");
    const alert = await screen.findByTestId("signin-error");
    expect(alert.textContent).toContain("Incorrect username or password.");
  });

  it("says how many seconds to wait after too many attempts", async () => {
    mockBackend({
      app_status: () => signedOut,
      sign_in: () => {
        throw commandError({ code: "too_many_attempts", message: "wait", retryAfterSecs: 42 });
      },
    });
    const user = userEvent.setup({ delay: null });
    renderWithProviders(<App />);
    await signIn(user, "wrong");
    const alert = await screen.findByTestId("signin-error");
    expect(alert.textContent).toContain("Too many failed attempts. Try again in 42 seconds.");
  });

  it("opens the main window once signed in", async () => {
    let status = signedOut;
    const calls = mockBackend({
      app_status: () => status,
      sign_in: () => {
        status = signedIn;
        return session;
      },
      department_tree: () => tree,
    });
    const user = userEvent.setup({ delay: null });
    renderWithProviders(<App />);
    await signIn(user, "Str0ng!pass");
    expect((await screen.findByTestId("header-org")).textContent).toBe("Acme Ltd");
    expect(calls.find((c) => c.cmd === "sign_in")?.args).toEqual({ input: { username: "ada", password: "Str0ng!pass" } });
  });
});
