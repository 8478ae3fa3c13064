import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";

import { App } from "../../App";
import type { AppStatus } from "../../bindings/AppStatus";
import { commandError } from "../../test/fixtures";
import { mockBackend, renderWithProviders } from "../../test/render";

const fresh: AppStatus = { initialized: false, session: null, dbPath: "/tmp/orgdesk.db", version: "0.1.0" };

async function fillForm(user: ReturnType<typeof userEvent.setup>, password = "Str0ng!pass") {
  const fields: [string, string][] = [
    ["setup-org-name", "Acme Ltd"],
    ["setup-admin-name", "Ada Lovelace"],
    ["setup-username", "ada"],
    ["setup-password", password],
    ["setup-password-confirm", password],
  ];
  await screen.findByTestId("setup-org-name");
  for (const [testId, value] of fields) {
    await user.click(screen.getByTestId(testId));
    await user.paste(value);
  }
}

function met(testId: string) {
  return screen.getByTestId(testId).getAttribute("data-met");
}

describe("Setup screen", () => {
  it("shows the password policy checklist as the password is typed", async () => {
    mockBackend({ app_status: () => fresh });
    const user = userEvent.setup({ delay: null });
    renderWithProviders(<App />);

    expect(await screen.findByText("Set up your organization")).toBeTruthy();
    expect(screen.getByText("It is also the name of the root department.")).toBeTruthy();
    await user.type(screen.getByTestId("setup-username"), "ada");
    const password = screen.getByTestId("setup-password");

    expect(met("policy-length")).toBe("false");
    expect(met("policy-classes")).toBe("false");

    await user.type(password, "abc");
    expect(met("policy-length")).toBe("false");
    expect(met("policy-classes")).toBe("false");
    expect(met("policy-username")).toBe("true");

    await user.type(password, "DEF12ada");
    expect(met("policy-length")).toBe("true");
    expect(met("policy-classes")).toBe("true");
    expect(met("policy-username")).toBe("false");
    expect(within(screen.getByTestId("policy-classes")).getByText(/\(3 of 4\)/)).toBeTruthy();

    await user.clear(password);
    await user.type(password, "abcDEF12!");
    expect(met("policy-username")).toBe("true");
    expect(within(screen.getByTestId("policy-classes")).getByText(/\(4 of 4\)/)).toBeTruthy();
  });

  it("does not send a password that breaks the policy", async () => {
    const calls = mockBackend({ app_status: () => fresh, setup_organization: () => null });
    const user = userEvent.setup({ delay: null });
    renderWithProviders(<App />);
    await fillForm(user, "password");
    await user.click(screen.getByTestId("setup-submit"));
    expect(await screen.findByText("The password does not meet the requirements below.")).toBeTruthy();
    expect(calls.some((c) => c.cmd === "setup_organization")).toBe(false);
  });

  it("shows the server's field errors under the fields", async () => {
    const calls = mockBackend({
      app_status: () => fresh,
      setup_organization: () => {
        throw commandError({
          code: "validation",
          message: "invalid input",
          details: [
            { field: "password", code: "weak", reason: "the password is too common" },
            { field: "organizationName", code: "reserved_name", reason: "This name is reserved." },
          ],
        });
      },
    });
    const user = userEvent.setup({ delay: null });
    renderWithProviders(<App />);
    await fillForm(user);
    await user.click(screen.getByTestId("setup-submit"));

    expect(await screen.findByText("The password is too weak.")).toBeTruthy();
    // An unknown detail code falls back to the server's reason.
    expect(screen.getByText("This name is reserved.")).toBeTruthy();
    const sent = calls.find((c) => c.cmd === "setup_organization");
    expect(sent?.args).toEqual({
      input: {
        organizationName: "Acme Ltd",
        adminName: "Ada Lovelace",
        username: "ada",
        password: "Str0ng!pass",
        passwordConfirm: "Str0ng!pass",
      },
    });
    // Errors are shown under their own fields.
    const passwordItem = screen.getByTestId("setup-password").closest(".ant-form-item");
    expect(passwordItem && within(passwordItem as HTMLElement).queryByText("The password is too weak.")).toBeTruthy();
  });

  it("goes to sign-in with the username filled in after the organization is created", async () => {
    let status = fresh;
    mockBackend({
      app_status: () => status,
      setup_organization: () => {
        status = { ...fresh, initialized: true };
        return null;
      },
    });
    const user = userEvent.setup({ delay: null });
    renderWithProviders(<App />);
    await fillForm(user);
    await user.type(screen.getByTestId("setup-password-confirm"), "{Enter}");

    expect(await screen.findByText("Organization created. Sign in to continue.")).toBeTruthy();
    expect(screen.getByText("Sign in to Orgdesk")).toBeTruthy();
    await waitFor(() => expect((screen.getByTestId("signin-username") as HTMLInputElement).value).toBe("ada"));
  });
});
