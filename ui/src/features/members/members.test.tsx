import { screen, waitFor, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";

import type { NewMember } from "../../bindings/NewMember";
import { fill, pick, queries, renderDirectoryScreen } from "../../test/directory";
import { commandError, refusedOnce } from "../../test/fixtures";





describe("Members & Departments: one member", () => {
  it("sends a correct NewMember from the wizard and shows server errors on the right step", async () => {
    let fail = true;
    const { calls, user } = await renderDirectoryScreen({
      add_member: () => {
        if (fail) {
          throw commandError({ code: "validation", details: [{ field: "username", code: "taken", reason: "taken" }] });
        }
        return 42;
      },
    });
    await user.click(screen.getByTestId("member-add"));
    await user.click(await screen.findByTestId("member-add-password"));
    await fill(user, await screen.findByTestId("wizard-name"), "Eve Newton");
    await fill(user, screen.getByTestId("wizard-position"), "Analyst");
    await user.click(screen.getByTestId("wizard-next"));
    await fill(user, await screen.findByTestId("wizard-username"), "eve");
    await fill(user, screen.getByTestId("wizard-password"), "Str0ng!pass");
    await fill(user, screen.getByTestId("wizard-email"), "eve@example.com");
    await user.click(screen.getByTestId("wizard-finish"));

    await waitFor(() => expect(calls.some((c) => c.cmd === "add_member")).toBe(true));
    const input = calls.find((c) => c.cmd === "add_member")?.args.input as NewMember;
    expect(input).toEqual({
      name: "Eve Newton",
      positions: [{ departmentId: 1, title: "Analyst" }],
      roleIds: [3],
      username: "eve",
      password: "Str0ng!pass",
      email: "eve@example.com",
      mobile: null,
    });
    // The username error shows under the username, on step 2.
    expect(await screen.findByText("Already in use.")).toBeTruthy();
    expect(screen.getByTestId("wizard-username").closest(".ant-form-item")?.textContent).toContain("Already in use.");

    fail = false;
    await user.clear(screen.getByTestId("wizard-username"));
    await fill(user, screen.getByTestId("wizard-username"), "eve2");
    await user.click(screen.getByTestId("wizard-finish"));
    await waitFor(() => expect(screen.queryByTestId("wizard-finish")).toBeNull());
  });

  it("goes back to step 1 when the server refuses the name", async () => {
    const { user } = await renderDirectoryScreen({
      add_member: () => {
        throw commandError({ code: "validation", details: [{ field: "name", code: "too_long", reason: "too long" }] });
      },
    });
    await user.click(screen.getByTestId("member-add"));
    await user.click(await screen.findByTestId("member-add-password"));
    await fill(user, await screen.findByTestId("wizard-name"), "Eve");
    await user.click(screen.getByTestId("wizard-next"));
    await fill(user, await screen.findByTestId("wizard-username"), "eve");
    await fill(user, screen.getByTestId("wizard-password"), "Str0ng!pass");
    await user.click(screen.getByTestId("wizard-finish"));
    await waitFor(() => expect(screen.getByTestId("wizard-next")).toBeTruthy());
    // The field error renders a moment after the step changes back.
    await waitFor(() =>
      expect(screen.getByTestId("wizard-name").closest(".ant-form-item")?.textContent).toContain("Too long."),
    );
  });

  it("sets the primary department from the drawer", async () => {
    const { calls, user } = await renderDirectoryScreen({ set_primary_department: () => null });
    await user.click(screen.getByTestId("member-row-1").querySelector("td:nth-child(3)") as HTMLElement);
    await user.click(await screen.findByTestId("set-primary-3"));
    await waitFor(() => expect(calls.find((c) => c.cmd === "set_primary_department")?.args).toEqual({ id: 1, departmentId: 3 }));
  });

  it("makes a password reset link for a joined member and explains a refusal", async () => {
    const { calls, user } = await renderDirectoryScreen({
      send_password_reset: refusedOnce(commandError({ code: "conflict", message: "Ada Lovelace has no account on the gateway." }), {
        channel: "link",
        recipient: null,
        link: "http://127.0.0.1:4000/r/tok",
        expiresAt: 1,
      }),
    });
    await user.click(screen.getByTestId("member-name-1"));
    await user.click(await screen.findByTestId("action-reset-password"));
    await user.click(await screen.findByTestId("reset-channel-link"));
    await user.click(screen.getByTestId("reset-send"));
    expect((await screen.findByTestId("reset-error")).textContent).toContain("has no account on the gateway");
    await user.click(screen.getByTestId("reset-send"));
    expect(((await screen.findByTestId("reset-link")) as HTMLTextAreaElement).value).toBe("http://127.0.0.1:4000/r/tok");
    expect(calls.filter((c) => c.cmd === "send_password_reset").at(-1)?.args).toEqual({ memberId: 1, channel: "link" });
  });

  it("disables the personal fields when locked and sends only what changed", async () => {
    const { calls, user } = await renderDirectoryScreen({ update_member: () => ({ mustSignInAgain: true }) });
    await user.click(screen.getByTestId("member-name-1"));
    await user.click(await screen.findByTestId("action-edit"));
    const name = (await screen.findByTestId("edit-name")) as HTMLInputElement;
    expect(name.disabled).toBe(true);
    expect(screen.getByTestId("edit-locked-note").textContent).toContain(
      "Only Ada Lovelace can change their name, mobile and personal email once they have joined.",
    );
    await user.clear(screen.getByTestId("edit-employee-id"));
    await fill(user, screen.getByTestId("edit-employee-id"), "E100");
    await user.click(screen.getByTestId("edit-save"));
    await waitFor(() => expect(calls.some((c) => c.cmd === "update_member")).toBe(true));
    expect(calls.find((c) => c.cmd === "update_member")?.args).toEqual({
      id: 1,
      patch: { name: null, email: null, mobile: null, employeeId: "E100", workLocation: null, orgEmail: null, positions: null, roleIds: null },
    });
    expect((await screen.findByTestId("relogin-notice")).textContent).toContain(
      "Ada Lovelace must sign in again for the new roles or departments to take effect.",
    );
  });

  it("lets the admin edit personal fields of a member who has not joined", async () => {
    const { user } = await renderDirectoryScreen();
    await user.click(screen.getByTestId("member-name-3"));
    await user.click(await screen.findByTestId("action-edit"));
    expect(((await screen.findByTestId("edit-name")) as HTMLInputElement).disabled).toBe(false);
    expect(screen.queryByTestId("edit-locked-note")).toBeNull();
  });

  it("requires a recipient before removing a member who has joined", async () => {
    const { calls, user } = await renderDirectoryScreen({
      transfer_preview: () => ({
        member: { id: 1, name: "Ada Lovelace", username: "ada" },
        needsTransfer: true,
        departmentsHeaded: ["Sales"],
        invitationsSent: 2,
      }),
      remove_member: () => ({ transferredTo: { id: 2, name: "Bob Stone", username: "bob" }, departmentsHeaded: ["Sales"], invitationsSent: 2 }),
    });
    await user.click(screen.getByTestId("member-actions-1"));
    await user.click(await screen.findByTestId("row-action-remove"));
    const dialog = await screen.findByTestId("remove-dialog");
    await waitFor(() => expect(within(dialog).getByTestId("transfer-preview").textContent).toContain("Sales"));
    const preview = within(dialog).getByTestId("transfer-preview").textContent;
    expect(preview).toContain("Open invitations they sent2");
    expect(preview).not.toContain("Join requests assigned");
    expect(preview).toContain("any admin decides them in Join Requests");
    const confirm = within(dialog).getByTestId("remove-confirm") as HTMLButtonElement;
    expect(confirm.disabled).toBe(true);
    await pick(user, "transfer-to", "Bob Stone (bob)");
    await waitFor(() => expect(confirm.disabled).toBe(false));
    await user.click(confirm);
    await waitFor(() => expect(calls.find((c) => c.cmd === "remove_member")?.args).toEqual({ id: 1, transferTo: 2 }));
    expect(await screen.findByText("Ada Lovelace removed. Moved to Bob Stone: the headship of Sales; 2 open invitations.")).toBeTruthy();
    const candidates = queries(calls).filter((q) => q.status === "enabled");
    expect(candidates.length).toBeGreaterThan(0);
  });

  it("removes a member who has not joined with a simple confirm", async () => {
    const { calls, user } = await renderDirectoryScreen({
      remove_member: () => ({ transferredTo: null, departmentsHeaded: [], invitationsSent: 0 }),
    });
    await user.click(screen.getByTestId("member-actions-3"));
    await user.click(await screen.findByTestId("row-action-remove"));
    const dialog = await screen.findByTestId("remove-dialog");
    expect(within(dialog).queryByTestId("transfer-to")).toBeNull();
    await user.click(within(dialog).getByTestId("remove-confirm"));
    await waitFor(() => expect(calls.find((c) => c.cmd === "remove_member")?.args).toEqual({ id: 3, transferTo: null }));
  });

  it("adds a user for invitation in the selected department and sends the invitation", async () => {
    const { calls, user } = await renderDirectoryScreen({ add_invitee: () => 9, invite_members: () => ({ invited: 1, skipped: [] }) });
    await user.click(screen.getByTestId("member-add"));
    await user.click(await screen.findByTestId("member-add-invite"));
    await fill(user, await screen.findByTestId("invitee-name"), "Fay");
    await fill(user, screen.getByTestId("invitee-email"), "fay@example.com");
    await fill(user, screen.getByTestId("invitee-position"), "Intern");
    await user.click(screen.getByTestId("invitee-save"));
    await waitFor(() =>
      expect(calls.find((c) => c.cmd === "add_invitee")?.args).toEqual({
        input: { name: "Fay", email: "fay@example.com", mobile: null, departmentId: 1, position: "Intern", roleIds: [], linkOnly: false },
      }),
    );
    await waitFor(() => expect(calls.find((c) => c.cmd === "invite_members")?.args).toEqual({ memberIds: [9], channel: "email" }));
  });

  it("adds a user for invitation with no contact for a link, with a role, in the organization's or a chosen language", async () => {
    const { calls, user } = await renderDirectoryScreen({
      add_invitee: () => 9,
      invite_members: () => ({ invited: 1, skipped: [] }),
      get_settings: () => ({ defaultRegion: "US", invitationLanguage: "zh" }),
    });
    await user.click(screen.getByTestId("member-add"));
    await user.click(await screen.findByTestId("member-add-invite"));
    await fill(user, await screen.findByTestId("invitee-name"), "Hal");
    await user.click(screen.getByTestId("invitee-channel-link"));
    expect(screen.queryByTestId("invitee-email")).toBeNull();
    expect(screen.getByTestId("invitee-link-only").textContent).toContain("the invitee's page asks for what it needs");
    // A role is found by typing part of its name.
    const roles = within(screen.getByTestId("invitee-roles")).getByRole("combobox");
    await user.click(roles);
    await user.type(roles, "dmi");
    await waitFor(() =>
      expect([...document.querySelectorAll(".ant-select-dropdown .ant-select-item-option")].map((o) => o.getAttribute("title"))).toEqual([
        "Super Admin",
        "Admin",
      ]),
    );
    await user.click(await screen.findByTitle("Admin"));
    // The organization's language is chosen until the admin picks another.
    await waitFor(() => expect((screen.getByTestId("invite-language-zh").closest("label") as HTMLElement).className).toContain("checked"));
    await user.click(screen.getByTestId("invite-language-en"));
    await user.click(screen.getByTestId("invitee-save"));
    await waitFor(() =>
      expect(calls.find((c) => c.cmd === "add_invitee")?.args).toEqual({
        input: { name: "Hal", email: null, mobile: null, departmentId: 1, position: null, roleIds: [2], linkOnly: true },
      }),
    );
    await waitFor(() => expect(calls.find((c) => c.cmd === "invite_members")?.args).toEqual({ memberIds: [9], channel: "link", language: "en" }));
  });

  it("adds a user for invitation without sending when the box is cleared", async () => {
    const { calls, user } = await renderDirectoryScreen({ add_invitee: () => 9 });
    await user.click(screen.getByTestId("member-add"));
    await user.click(await screen.findByTestId("member-add-invite"));
    await fill(user, await screen.findByTestId("invitee-name"), "Gil");
    await fill(user, screen.getByTestId("invitee-email"), "gil@example.com");
    await user.click(screen.getByTestId("invitee-send-now"));
    await user.click(screen.getByTestId("invitee-save"));
    await waitFor(() => expect(calls.some((c) => c.cmd === "add_invitee")).toBe(true));
    expect(calls.some((c) => c.cmd === "invite_members")).toBe(false);
  });

});
