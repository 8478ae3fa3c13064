import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";

import { App } from "../../App";
import type { AppStatus } from "../../bindings/AppStatus";
import { commandError, directoryHandlers, session, signedIn, tree } from "../../test/fixtures";
import { mockBackend, renderWithProviders } from "../../test/render";

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

  it("lays out the signed-in window's fonts while the admin types, and not once signed in", async () => {
    let status = signedOut;
    mockBackend({ ...directoryHandlers(), app_status: () => status, sign_in: () => ((status = signedIn), session) });
    const user = userEvent.setup({ delay: null });
    renderWithProviders(<App />);
    expect(await screen.findByTestId("font-warmup")).toBeTruthy();
    await signIn(user, "right");
    await screen.findByTestId("member-table");
    expect(screen.queryByTestId("font-warmup")).toBeNull();
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
    let treeAskedBeforeTheWindow: boolean | null = null;
    const calls = mockBackend({
      ...directoryHandlers(),
      department_tree: () => {
        treeAskedBeforeTheWindow ??= document.querySelector("[data-testid=header-org]") === null;
        return tree;
      },
      app_status: () => status,
      sign_in: () => {
        status = signedIn;
        return session;
      },
    });
    const user = userEvent.setup({ delay: null });
    renderWithProviders(<App />);
    await signIn(user, "Str0ng!pass");
    expect((await screen.findByTestId("header-org")).textContent).toBe("Acme Ltd");
    expect(calls.find((c) => c.cmd === "sign_in")?.args).toEqual({ input: { username: "ada", password: "Str0ng!pass" } });
    // The directory's first data is read once, right after signing in, and the screen uses it
    // rather than asking again.
    await screen.findByTestId("member-table");
    await waitFor(() => expect(calls.filter((c) => c.cmd === "list_members")).toHaveLength(1));
    const signedInAt = calls.findIndex((c) => c.cmd === "sign_in");
    const treeAt = calls.findIndex((c) => c.cmd === "department_tree");
    expect(treeAt).toBeGreaterThan(signedInAt);
    expect(calls.filter((c) => c.cmd === "department_tree")).toHaveLength(1);
    expect(treeAskedBeforeTheWindow).toBe(true);
    expect(calls.find((c) => c.cmd === "list_members")?.args).toEqual({
      query: { departmentId: tree.id, includeSubDepartments: true, status: "all", search: null, offset: 0, limit: 50 },
    });
  });

  it("shows the signed-in window first with its rows, not empty and filled later", async () => {
    let status = signedOut;
    let listAskedBeforeTheWindow: boolean | null = null;
    let statusReadsWithTheWindowShown = 0;
    const calls = mockBackend({
      ...directoryHandlers(),
      // The first page answers late, as a large directory's may: the window still waits for it.
      list_members: async (args) => {
        listAskedBeforeTheWindow ??= document.querySelector("[data-testid=header-org]") === null;
        await new Promise((resolve) => setTimeout(resolve, 300));
        return directoryHandlers().list_members(args);
      },
      app_status: () => {
        if (document.querySelector("[data-testid=header-org]")) statusReadsWithTheWindowShown += 1;
        return status;
      },
      sign_in: () => {
        status = signedIn;
        return session;
      },
    });
    // Whether the member list held a row in the very commit that first drew the window.
    let rowsWithTheWindow: boolean | null = null;
    const watch = new MutationObserver(() => {
      if (rowsWithTheWindow === null && document.querySelector("[data-testid=header-org]")) {
        rowsWithTheWindow = document.querySelector("[data-testid=member-table] tbody tr[data-testid^=member-row-]") !== null;
      }
    });
    watch.observe(document.body, { subtree: true, childList: true });
    const user = userEvent.setup({ delay: null });
    renderWithProviders(<App />);
    await signIn(user, "Str0ng!pass");
    await screen.findByTestId("header-org");
    watch.disconnect();
    expect(listAskedBeforeTheWindow).toBe(true);
    expect(rowsWithTheWindow).toBe(true);
    // The status holding the session was read before the window changed, not again after it
    // (a new status would build the whole window again).
    await screen.findByTestId("member-table");
    const signedInAt = calls.findIndex((c) => c.cmd === "sign_in");
    const statusAt = calls.findIndex((c, i) => i > signedInAt && c.cmd === "app_status");
    const firstPageAt = calls.findIndex((c) => c.cmd === "list_members");
    expect(statusAt).toBeGreaterThan(signedInAt);
    expect(statusAt).toBeLessThan(firstPageAt);
    expect(statusReadsWithTheWindowShown).toBe(0);
  });
});
