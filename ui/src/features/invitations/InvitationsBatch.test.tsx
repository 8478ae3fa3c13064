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
    memberName: "Ivy",
    channel: "email",
    recipient: "ivy@example.com",
    state: "sent",
    language: "en",
    link: "http://127.0.0.1:4000/i/abc",
    inviterName: "Ada Lovelace",
    createdAt: Date.UTC(2026, 10, 20, 9, 0),
    updatedAt: Date.UTC(2026, 10, 20, 9, 0),
    expiresAt: Date.UTC(2026, 10, 23, 9, 0),
    lastError: null,
    awaitingGateway: false,
    ...over,
  };
}

const ALL = [row({}), row({ id: 2, memberName: "Joe", language: "zh", channel: "link", recipient: "Joe" }), row({ id: 3, memberName: "Kim" })];

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
