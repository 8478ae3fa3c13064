import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";

import type { InvitationRow } from "../../bindings/InvitationRow";
import { mockBackend, renderWithProviders } from "../../test/render";
import { InvitationsScreen } from "./InvitationsScreen";

function row(over: Partial<InvitationRow>): InvitationRow {
  return {
    id: 1,
    memberId: 4,
    memberName: "Ivy <b>Invite</b>",
    channel: "email",
    recipient: "ivy@example.com",
    state: "delivered",
    link: "http://127.0.0.1:4000/i/abc",
    inviterName: "Ada Lovelace",
    createdAt: Date.UTC(2026, 10, 20, 9, 0),
    updatedAt: Date.UTC(2026, 10, 20, 9, 0),
    expiresAt: Date.UTC(2026, 10, 23, 9, 0),
    lastError: null,
    awaitingGateway: false,
    kept: false,
    ...over,
  };
}

const connected = { mode: "embedded", url: "http://127.0.0.1:4000", connected: true, lastError: null, mailFolder: "/data/mail" };

describe("Invitations", () => {
  it("lists invitations with their state, escapes names, filters, resends and cancels", async () => {
    const calls = mockBackend({
      list_invitations: (args) => {
        const states = (args.query as { states: string[] }).states;
        const all = [row({}), row({ id: 2, memberName: "Joe", state: "failed", lastError: "550 no such user" }), row({ id: 3, memberName: "Kim", state: "registered" })];
        const matching = states.length ? all.filter((r) => states.includes(r.state)) : all;
        return { rows: matching, total: matching.length };
      },
      invitation_counts: () => ({ awaitingGateway: 0, open: 2, failed: 1 }),
      gateway_status: () => connected,
      resend_invitation: () => null,
      cancel_invitation: () => null,
    });
    const user = userEvent.setup({ delay: null });
    const { container } = renderWithProviders(<InvitationsScreen />);
    const table = await screen.findByTestId("invitations-table");
    await waitFor(() => expect(table.textContent).toContain("Ivy <b>Invite</b>"));
    expect(container.querySelector("b")).toBeNull();
    expect(screen.getByTestId("invitation-state-1").textContent).toBe("Delivered");
    expect(screen.getByTestId("invitation-state-2").textContent).toBe("Failed");
    expect(screen.getByTestId("invitation-state-3").textContent).toBe("Joined");
    // A joined invitation has nothing left to do.
    expect(screen.queryByTestId("invitation-resend-3")).toBeNull();
    expect(screen.getByTestId("gateway-status").textContent).toContain("Gateway connected (on this computer only)");

    await user.click(screen.getByText("Failed (1)"));
    await waitFor(() => expect(table.textContent).not.toContain("Kim"));
    expect(calls.some((c) => c.cmd === "list_invitations" && (c.args.query as { states: string[] }).states.join() === "failed")).toBe(true);

    await user.click(screen.getByTestId("invitation-resend-2"));
    await waitFor(() => expect(calls.find((c) => c.cmd === "resend_invitation")?.args).toEqual({ id: 2 }));

    await user.click(screen.getByTestId("invitation-cancel-2"));
    await user.click(await screen.findByTestId("invitation-cancel-ok"));
    await waitFor(() => expect(calls.find((c) => c.cmd === "cancel_invitation")?.args).toEqual({ id: 2 }));
  });

  it("says invitations wait when the gateway is unreachable", async () => {
    mockBackend({
      list_invitations: () => ({ rows: [row({ state: "queued", link: null, awaitingGateway: true })], total: 1 }),
      invitation_counts: () => ({ awaitingGateway: 1, open: 1, failed: 0 }),
      gateway_status: () => ({ ...connected, connected: false, lastError: "The gateway could not be reached (connection refused)." }),
    });
    renderWithProviders(<InvitationsScreen />);
    expect(await screen.findByText("Invitations are kept and sent as soon as the gateway answers.")).toBeTruthy();
    expect(screen.getByText("The gateway could not be reached (connection refused).")).toBeTruthy();
    expect((await screen.findByTestId("invitations-awaiting")).textContent).toBe("1 change waiting for the gateway");
    expect((screen.getByTestId("invitation-link-1") as HTMLButtonElement).disabled).toBe(true);
  });

  it("shows the link to copy and reads the sent mail as text", async () => {
    mockBackend({
      list_invitations: () => ({ rows: [row({})], total: 1 }),
      invitation_counts: () => ({ awaitingGateway: 0, open: 1, failed: 0 }),
      gateway_status: () => connected,
      list_sent_mail: () => [{ file: "1-a.eml", to: "Ivy <ivy@example.com>", subject: "Ada invites you", receivedAt: Date.UTC(2026, 10, 20) }],
      read_sent_mail: (args) => ({
        file: args.file,
        from: "Orgdesk <noreply@localhost>",
        to: "Ivy <ivy@example.com>",
        subject: "Ada invites you",
        receivedAt: Date.UTC(2026, 10, 20),
        text: "Hello <script>alert(1)</script>\nhttp://127.0.0.1:4000/i/abc",
        links: ["http://127.0.0.1:4000/i/abc"],
      }),
    });
    const user = userEvent.setup({ delay: null });
    const { container } = renderWithProviders(<InvitationsScreen />);
    await user.click(await screen.findByTestId("invitation-link-1"));
    expect(((await screen.findByTestId("invitation-link-text")) as HTMLTextAreaElement).value).toBe("http://127.0.0.1:4000/i/abc");
    // A link to this computer's own gateway opens nowhere else: the dialog says so.
    expect((await screen.findByTestId("local-only-link")).textContent).toContain("This link opens only on this computer");

    await user.click(screen.getByTestId("sent-mail-open"));
    await user.click(await screen.findByTestId("sent-mail-item"));
    const text = await screen.findByTestId("sent-mail-text");
    expect(text.textContent).toContain("<script>alert(1)</script>");
    expect(container.ownerDocument.querySelector("[data-testid='sent-mail-text'] script")).toBeNull();
    expect(within(await screen.findByTestId("sent-mail-message")).getByTestId("sent-mail-link").textContent).toContain("/i/abc");
  });
  it("shows an invitation kept on this computer as kept, never delivered, with its message", async () => {
    const calls = mockBackend({
      list_invitations: () => ({
        rows: [row({ kept: true }), row({ id: 2, memberName: "Joe", link: "https://gw.example.com/i/x" })],
        total: 2,
      }),
      invitation_counts: () => ({ awaitingGateway: 0, open: 2, failed: 0 }),
      gateway_status: () => connected,
      read_invitation_mail: () => ({
        file: "1-a.eml",
        from: "Orgdesk <noreply@localhost>",
        to: "Ivy <ivy@example.com>",
        subject: "Ada invites you to Acme",
        receivedAt: Date.UTC(2026, 10, 20),
        text: "Open http://127.0.0.1:4000/i/abc",
        links: ["http://127.0.0.1:4000/i/abc"],
      }),
    });
    const user = userEvent.setup({ delay: null });
    renderWithProviders(<InvitationsScreen />);
    expect((await screen.findByTestId("invitation-state-1")).textContent).toBe("Kept on this computer (not sent)");
    // Delivered by a gateway that sends mail: delivered, and no message to read here.
    expect(screen.getByTestId("invitation-state-2").textContent).toBe("Delivered");
    expect(screen.queryByTestId("invitation-message-2")).toBeNull();

    await user.click(screen.getByTestId("invitation-message-1"));
    const drawer = await screen.findByTestId("invitation-mail-drawer");
    await waitFor(() => expect(within(drawer).getByTestId("sent-mail-text").textContent).toContain("Open http://127.0.0.1:4000/i/abc"));
    expect(drawer.textContent).toContain("Orgdesk kept this invitation to Ivy <b>Invite</b> on this computer instead of sending it.");
    expect(within(drawer).getByTestId("local-only-link")).toBeTruthy();
    expect(calls.find((c) => c.cmd === "read_invitation_mail")?.args).toEqual({ invitationId: 1 });
  });

  it("asks the directory for one page at a time and pages through all of them", async () => {
    const all = Array.from({ length: 120 }, (_, i) => row({ id: i + 1, memberName: `Person ${i + 1}` }));
    const calls = mockBackend({
      list_invitations: (args) => {
        const q = args.query as { offset: number; limit: number };
        return { rows: all.slice(q.offset, q.offset + q.limit), total: all.length };
      },
      invitation_counts: () => ({ awaitingGateway: 0, open: 120, failed: 0 }),
      gateway_status: () => connected,
      // Meanwhile twenty invitations went away: the third page no longer exists.
      resend_invitation: () => (all.splice(100), null),
    });
    const user = userEvent.setup({ delay: null });
    renderWithProviders(<InvitationsScreen />);
    const table = await screen.findByTestId("invitations-table");
    await waitFor(() => expect(table.textContent).toContain("Person 50"));
    expect(table.textContent).not.toContain("Person 51");
    const asked = () => calls.filter((c) => c.cmd === "list_invitations").map((c) => c.args.query as { offset: number; limit: number });
    expect(asked().every((q) => q.limit === 50)).toBe(true);

    await user.click(screen.getByTitle("3"));
    await waitFor(() => expect(table.textContent).toContain("Person 101"));
    expect(table.textContent).toContain("Person 120");
    expect(table.textContent).not.toContain("Person 99");
    expect(asked().at(-1)).toMatchObject({ offset: 100, limit: 50 });

    await user.click(screen.getByTestId("invitation-resend-101"));
    await waitFor(() => expect(table.textContent).toContain("Person 100"));
    expect(table.textContent).toContain("Person 51");
    expect(asked().at(-1)).toMatchObject({ offset: 50, limit: 50 });
  });
});
