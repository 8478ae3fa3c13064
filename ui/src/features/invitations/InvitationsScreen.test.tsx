import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";

import type { InvitationRow } from "../../bindings/InvitationRow";
import { mockBackend, renderWithProviders } from "../../test/render";
import { InvitationsScreen } from "./InvitationsScreen";
import { InviteDialog } from "./InviteDialog";

function row(over: Partial<InvitationRow>): InvitationRow {
  return {
    id: 1,
    memberId: 4,
    memberName: "Ivy <b>Invite</b>",
    channel: "email",
    recipient: "ivy@example.com",
    state: "delivered",
    language: "en",
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

  it("shows an invitation another admin's computer is sending as being sent from there", async () => {
    mockBackend({
      list_invitations: () => ({ rows: [row({ state: "queued", link: null, awaitingGateway: false })], total: 1 }),
      invitation_counts: () => ({ awaitingGateway: 0, open: 1, failed: 0 }),
      gateway_status: () => ({ ...connected, mode: "team" }),
    });
    renderWithProviders(<InvitationsScreen />);
    expect((await screen.findByTestId("invitation-state-1")).textContent).toBe("Being sent from another admin's computer");
    expect(screen.queryByTestId("invitations-awaiting")).toBeNull();
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

const ALL = [row({ memberName: "Ivy" }), row({ id: 2, memberName: "Joe", language: "zh", channel: "link", recipient: "Joe" }), row({ id: 3, memberName: "Kim" })];

function backend(extra: Record<string, (args: Record<string, unknown>) => unknown> = {}) {
  return mockBackend({
    list_invitations: (args) => {
      const search = ((args.query as { search?: string }).search ?? "").toLowerCase();
      const matching = ALL.filter((r) => r.memberName.toLowerCase().includes(search));
      return { rows: matching, total: matching.length };
    },
    invitation_counts: () => ({ awaitingGateway: 0, open: 3, failed: 0 }),
    gateway_status: () => ({ mode: "embedded", url: "http://127.0.0.1:4000", connected: true, lastError: null, mailFolder: "/data/mail" }),
    ...extra,
  });
}

afterEach(() => vi.restoreAllMocks());

describe("Invitations in batches", () => {
  it("searches, shows each invitation's language, and resends then cancels the selected ones, naming those passed over", async () => {
    const calls = backend({
      resend_invitations: () => ({
        changed: 1,
        skipped: [{ field: "Joe", code: "invitation_closed", reason: "The invitation to Joe is already cancelled; invite Joe again instead." }],
      }),
      cancel_invitations: () => ({ changed: 2, skipped: [] }),
    });
    const user = userEvent.setup({ delay: null });
    renderWithProviders(<InvitationsScreen />);
    const table = await screen.findByTestId("invitations-table");
    await waitFor(() => expect(table.textContent).toContain("Kim"));
    expect(screen.getByTestId("invitation-language-2").textContent).toBe("简体中文");
    expect(screen.getByTestId("invitation-language-1").textContent).toBe("English");

    await user.type(within(screen.getByTestId("invitations-search")).getByRole("searchbox"), "jo");
    await waitFor(() => expect(table.textContent).not.toContain("Kim"));
    expect(calls.some((c) => c.cmd === "list_invitations" && (c.args.query as { search: string }).search === "jo")).toBe(true);
    await user.clear(within(screen.getByTestId("invitations-search")).getByRole("searchbox"));
    await waitFor(() => expect(table.textContent).toContain("Kim"));

    await user.click(screen.getByLabelText("Select the invitation to Ivy"));
    await user.click(screen.getByLabelText("Select the invitation to Joe"));
    expect(screen.getByTestId("invitations-batch").textContent).toContain("2 invitations selected");
    await user.click(screen.getByTestId("invitations-resend-selected"));
    expect((await screen.findAllByText("Resend 2 invitations?")).length).toBeGreaterThan(0);
    await user.click(screen.getByTestId("invitations-batch-ok"));
    await waitFor(() => expect(calls.find((c) => c.cmd === "resend_invitations")?.args).toEqual({ ids: [1, 2] }));
    const result = await screen.findByTestId("invitations-batch-result");
    expect(result.textContent).toContain("1 invitation resent.");
    expect(result.textContent).toContain("Joe: the invitation is already closed");
    // The backend's words are not shown, only the translated reason.
    expect(result.textContent).not.toContain("invite Joe again instead");
    expect(screen.getAllByText("1 invitation was passed over").length).toBeGreaterThan(0);
    await user.click(screen.getByTestId("invitations-batch-result-ok"));
    expect(screen.queryByTestId("invitations-batch")).toBeNull();

    await user.click(screen.getByLabelText("Select the invitation to Ivy"));
    await user.click(screen.getByLabelText("Select the invitation to Kim"));
    await user.click(screen.getByTestId("invitations-cancel-selected"));
    expect((await screen.findAllByText("Cancel 2 invitations?")).length).toBeGreaterThan(0);
    await user.click(screen.getByTestId("invitations-batch-ok"));
    await waitFor(() => expect(calls.find((c) => c.cmd === "cancel_invitations")?.args).toEqual({ ids: [1, 3] }));
    expect((await screen.findAllByText("2 invitations cancelled.")).length).toBeGreaterThan(0);
  });

  it("copies the link and says so, or leaves it selected to copy by hand", async () => {
    backend();
    const user = userEvent.setup({ delay: null });
    const writeText = vi.fn(() => Promise.resolve());
    vi.spyOn(navigator, "clipboard", "get").mockReturnValue({ writeText } as unknown as Clipboard);
    renderWithProviders(<InvitationsScreen />);
    await user.click(await screen.findByTestId("invitation-link-2"));
    await user.click(await screen.findByTestId("invitation-link-copy"));
    expect(writeText).toHaveBeenCalledWith("http://127.0.0.1:4000/i/abc");
    expect((await screen.findByTestId("invitation-link-copied")).textContent).toBe(
      "Link copied: the invitation link for Joe is on the clipboard. Paste it into a message to them.",
    );

    writeText.mockImplementation(() => Promise.reject(new Error("not allowed")));
    await user.click(screen.getByTestId("invitation-link-copy"));
    expect((await screen.findByTestId("invitation-link-copy-by-hand")).textContent).toContain("The link is selected");
    const field = screen.getByTestId("invitation-link-text") as HTMLTextAreaElement;
    expect(document.activeElement).toBe(field);
    expect(field.value.slice(field.selectionStart, field.selectionEnd)).toBe("http://127.0.0.1:4000/i/abc");
  });

  it("sends an invitation in the organization's language unless another is picked", async () => {
    const calls = mockBackend({
      get_settings: () => ({ defaultRegion: "US", invitationLanguage: "zh" }),
      invite_members: () => ({ invited: 1, skipped: [] }),
    });
    const user = userEvent.setup({ delay: null });
    const target = { id: 7, name: "Ivy", email: "ivy@example.com", mobile: null };
    const { unmount } = renderWithProviders(<InviteDialog targets={[target]} onClose={() => undefined} />);
    await waitFor(() => expect((screen.getByTestId("invite-language-zh").closest("label") as HTMLElement).className).toContain("checked"));
    await user.click(screen.getByTestId("invite-send"));
    await waitFor(() => expect(calls.find((c) => c.cmd === "invite_members")?.args).toEqual({ memberIds: [7], channel: "email", language: "zh" }));
    unmount();

    calls.length = 0;
    renderWithProviders(<InviteDialog targets={[target]} onClose={() => undefined} />);
    await user.click(await screen.findByTestId("invite-language-en"));
    await user.click(screen.getByTestId("invite-send"));
    await waitFor(() => expect(calls.find((c) => c.cmd === "invite_members")?.args).toEqual({ memberIds: [7], channel: "email", language: "en" }));
  });
});
