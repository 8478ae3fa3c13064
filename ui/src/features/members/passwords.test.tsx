import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";

import { App } from "../../App";
import type { AppStatus } from "../../bindings/AppStatus";
import { fill, renderDirectoryScreen } from "../../test/directory";
import { commandError, directoryHandlers, memberDetails, refusedOnce, rows, session, signedIn } from "../../test/fixtures";
import { mockBackend, renderWithProviders } from "../../test/render";

/** The input of a checkbox or radio, whether the test id is on it or on its label. */
function checkbox(el: HTMLElement): HTMLInputElement {
  return (el instanceof HTMLInputElement ? el : el.closest("label")?.querySelector("input")) as HTMLInputElement;
}

describe("Passwords", () => {
  it("offers each row the account actions its status allows", async () => {
    const { user } = await renderDirectoryScreen();
    const menuOf = async (id: number) => {
      await user.click(screen.getByTestId(`member-actions-${id}`));
      // Each row's menu stays in the page once made; the newest is the last.
      const menu = (await screen.findAllByTestId("row-action-view")).at(-1) as HTMLElement;
      const items = [...(menu.closest("ul")?.querySelectorAll("[data-testid^='row-action-']") ?? [])].map((e) => e.getAttribute("data-testid"));
      await user.keyboard("{Escape}");
      return items;
    };
    // Enabled with an account: a reset link and a new password, before the status actions.
    expect((await menuOf(1)).slice(0, 3)).toEqual(["row-action-view", "row-action-resetPassword", "row-action-setPassword"]);
    // Disabled: a new password (for when they are enabled again), no reset link.
    const bob = await menuOf(2);
    expect(bob).toContain("row-action-setPassword");
    expect(bob).not.toContain("row-action-resetPassword");
    // Not joined: an invitation.
    const cy = await menuOf(3);
    expect(cy).toContain("row-action-invite");
    expect(cy).not.toContain("row-action-setPassword");
    // Resigned: nothing about the account.
    const dee = await menuOf(4);
    expect(dee.filter((k) => /invite|Password/.test(k ?? ""))).toEqual([]);
  });

  it("sets a member's password from the row's menu, to be changed at the next sign-in", async () => {
    const { calls, user } = await renderDirectoryScreen({
      set_member_password: refusedOnce(
        commandError({ code: "validation", details: [{ field: "password", code: "contains_username", reason: "contains the username" }] }),
        null,
      ),
    });
    await user.click(screen.getByTestId("member-actions-2"));
    await user.click(await screen.findByTestId("row-action-setPassword"));
    const dialog = await screen.findByTestId("set-password-dialog");
    expect(within(dialog).getByTestId("password-policy")).toBeTruthy();
    expect(checkbox(within(dialog).getByTestId("set-password-must-change")).checked).toBe(true);

    // A weak password is caught before it is sent.
    await fill(user, screen.getByTestId("set-password"), "weak");
    await fill(user, screen.getByTestId("set-password-confirm"), "weak");
    await user.click(screen.getByTestId("set-password-submit"));
    await waitFor(() => expect(screen.getByTestId("policy-length").getAttribute("data-met")).toBe("false"));
    expect(calls.some((c) => c.cmd === "set_member_password")).toBe(false);

    await user.clear(screen.getByTestId("set-password"));
    await user.clear(screen.getByTestId("set-password-confirm"));
    await fill(user, screen.getByTestId("set-password"), "Temp-Orchid-51");
    await fill(user, screen.getByTestId("set-password-confirm"), "Temp-Orchid-51");
    await user.click(screen.getByTestId("set-password-submit"));
    // The core's refusal shows under the field it names.
    await waitFor(() =>
      expect(screen.getByTestId("set-password").closest(".ant-form-item")?.textContent).toContain("username"),
    );
    await user.click(screen.getByTestId("set-password-submit"));
    await waitFor(() => expect(screen.queryByTestId("set-password-dialog")).toBeNull());
    expect(calls.filter((c) => c.cmd === "set_member_password").at(-1)?.args).toEqual({
      id: 2,
      input: { password: "Temp-Orchid-51", mustChange: true },
    });
  });

  it("texts a reset link to a member's mobile when they have no email", async () => {
    const { calls, user } = await renderDirectoryScreen({
      member_details: () => memberDetails({ ...rows[0], mobile: "+447946000000" }),
      send_password_reset: (a) =>
        a.channel === "sms"
          ? { channel: "sms", recipient: "+447946000000", link: null, expiresAt: 1 }
          : { channel: "link", recipient: null, link: "http://gw.example/r/tok", expiresAt: 1 },
    });
    await user.click(screen.getByTestId("member-name-1"));
    await user.click(await screen.findByTestId("action-reset-password"));
    // No email: the text message is chosen first, the email choice says why it is off.
    expect(checkbox(await screen.findByTestId("reset-channel-sms")).checked).toBe(true);
    expect(checkbox(screen.getByTestId("reset-channel-email")).disabled).toBe(true);
    expect(screen.getByTestId("reset-channel-email").closest("label")?.textContent).toBe("Email (no email address)");
    await user.click(screen.getByTestId("reset-send"));
    expect((await screen.findByTestId("reset-sent")).textContent).toBe("A reset link was texted to +447946000000.");
    expect(calls.filter((c) => c.cmd === "send_password_reset").at(-1)?.args).toEqual({ memberId: 1, channel: "sms" });
  });

  it("asks an admin whose password was set for them to choose a new one before anything else", async () => {
    let status: AppStatus = { ...signedIn, session: { ...session, mustChangePassword: true } };
    const calls = mockBackend({
      ...directoryHandlers(),
      app_status: () => status,
      change_own_password: (a) => {
        const input = a.input as { currentPassword: string };
        if (input.currentPassword !== "Temp-Orchid-51") {
          throw commandError({ code: "validation", details: [{ field: "currentPassword", code: "wrong_password", reason: "wrong" }] });
        }
        status = signedIn;
        return session;
      },
    });
    const user = userEvent.setup({ delay: null });
    renderWithProviders(<App />);
    expect(await screen.findByTestId("must-change-password")).toBeTruthy();
    expect(screen.queryByTestId("nav-directory")).toBeNull();

    await fill(user, screen.getByTestId("change-password-current"), "Wrong-Guess-1");
    await fill(user, screen.getByTestId("change-new-password"), "Quiet-Lantern-88");
    await fill(user, screen.getByTestId("change-new-password-confirm"), "Quiet-Lantern-88");
    await user.click(screen.getByTestId("change-password-submit"));
    await waitFor(() =>
      expect(screen.getByTestId("change-password-current").closest(".ant-form-item")?.textContent).toContain(
        "The current password is not right.",
      ),
    );
    await user.clear(screen.getByTestId("change-password-current"));
    await fill(user, screen.getByTestId("change-password-current"), "Temp-Orchid-51");
    await user.click(screen.getByTestId("change-password-submit"));
    expect(await screen.findByTestId("nav-directory")).toBeTruthy();
    expect(calls.filter((c) => c.cmd === "change_own_password").at(-1)?.args).toEqual({
      input: { currentPassword: "Temp-Orchid-51", newPassword: "Quiet-Lantern-88" },
    });
  });

  it("changes one's own password from the menu under one's name", async () => {
    const calls = mockBackend({ ...directoryHandlers(), change_own_password: () => session });
    const user = userEvent.setup({ delay: null });
    renderWithProviders(<App />);
    await user.click(await screen.findByTestId("header-user"));
    // The menu takes the focus a few frames after it opens (for the keyboard). Chosen before
    // that, as only a test is quick enough to, the menu would take the focus from the dialog
    // the choice opened, and the dialog's focus lock would then hold it on itself.
    await waitFor(() => expect(document.activeElement?.closest(".ant-dropdown-menu")).toBeTruthy());
    await user.click(await screen.findByTestId("change-password"));
    expect(await screen.findByTestId("change-password-dialog")).toBeTruthy();
    // The dialog takes the focus once it has opened; typing before that would go nowhere.
    await waitFor(() => expect(document.activeElement?.closest(".ant-modal")).toBeTruthy());
    await fill(user, screen.getByTestId("change-password-current"), "Correct-Horse1");
    await fill(user, screen.getByTestId("change-new-password"), "Quiet-Lantern-88");
    await fill(user, screen.getByTestId("change-new-password-confirm"), "Quiet-Lantern-88");
    const typed = ["change-password-current", "change-new-password", "change-new-password-confirm"].map(
      (id) => (screen.getByTestId(id) as HTMLInputElement).value,
    );
    expect(typed).toEqual(["Correct-Horse1", "Quiet-Lantern-88", "Quiet-Lantern-88"]);
    await user.click(screen.getByTestId("change-password-submit"));
    await waitFor(() => expect(screen.queryByTestId("change-password-dialog")).toBeNull());
    expect(calls.some((c) => c.cmd === "change_own_password")).toBe(true);
  });
});
