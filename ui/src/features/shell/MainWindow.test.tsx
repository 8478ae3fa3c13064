import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { emit } from "@tauri-apps/api/event";
import { describe, expect, it } from "vitest";

import { App } from "../../App";
import { LANGUAGE_STORAGE_KEY } from "../../i18n";
import { directoryHandlers, overview, signedIn, tree } from "../../test/fixtures";
import { mockBackend, renderWithProviders } from "../../test/render";

describe("Main window", () => {
  it("switches the navigation to Chinese from the header, remembers it and tells the backend", async () => {
    const calls = mockBackend(directoryHandlers({ set_window_language: () => null }));
    const told = () => calls.filter((c) => c.cmd === "set_window_language").map((c) => c.args.language);
    const user = userEvent.setup({ delay: null });
    renderWithProviders(<App />);

    expect((await screen.findByTestId("nav-directory")).textContent).toBe("Members & Departments");
    expect(screen.getByTestId("nav-overview").textContent).toBe("Organization Overview");
    await waitFor(() => expect(told()).toEqual(["en"]));

    await user.click(screen.getByTestId("lang-switch"));
    await user.click(await screen.findByTestId("lang-zh"));

    await waitFor(() => expect(screen.getByTestId("nav-directory").textContent).toBe("成员与部门"));
    expect(screen.getByTestId("nav-invitations").textContent).toBe("邀请");
    expect(screen.getByTestId("nav-join-requests").textContent).toBe("加入申请");
    expect(screen.getByTestId("nav-import-export").textContent).toBe("导入 / 导出");
    expect(screen.getByTestId("nav-settings").textContent).toBe("设置");
    expect(screen.getByTestId("nav-overview").textContent).toBe("组织概览");
    expect(window.localStorage.getItem(LANGUAGE_STORAGE_KEY)).toBe("zh-CN");
    await waitFor(() => expect(told()).toEqual(["en", "zh-CN"]));

    await user.click(screen.getByTestId("lang-switch"));
    await user.click(await screen.findByTestId("lang-en"));
    await waitFor(() => expect(screen.getByTestId("nav-directory").textContent).toBe("Members & Departments"));
    await waitFor(() => expect(told()).toEqual(["en", "zh-CN", "en"]));
  });

  it("shows the department tree with the root expanded and the selected department", async () => {
    mockBackend(directoryHandlers());
    const user = userEvent.setup({ delay: null });
    renderWithProviders(<App />);

    expect(await screen.findByTestId("dept-tree")).toBeTruthy();
    expect((await screen.findByTestId("dept-title")).textContent).toBe("Acme Ltd");
    expect(screen.getByTestId("dept-node-1").textContent).toContain("4");
    await user.click(await screen.findByTestId("dept-node-2"));
    await waitFor(() => expect(screen.getByTestId("dept-title").textContent).toBe("Sales"));
    expect(screen.getByTestId("dept-counts").textContent).toBe("2 direct / 2 total");
    expect(screen.getByTestId("dept-head").textContent).toBe("Bob Stone");
  });

  it("reads the tree again when the directory changed behind the window's back", async () => {
    let sales = "Sales";
    mockBackend(
      directoryHandlers({
        department_tree: () => ({ ...tree, children: tree.children.map((c) => (c.id === 2 ? { ...c, name: sales } : c)) }),
      }),
      { events: true },
    );
    const { unmount } = renderWithProviders(<App />);
    await waitFor(() => expect(screen.getByTestId("dept-node-2").textContent).toContain("Sales"));
    // Another admin's computer renamed it; the team's change log brought it here.
    sales = "Sales & Marketing";
    await emit("directory-changed");
    await waitFor(() => expect(screen.getByTestId("dept-node-2").textContent).toContain("Sales & Marketing"));
    unmount();
    await new Promise((done) => setTimeout(done, 0));
  });

  it("navigates between screens and signs out", async () => {
    let status = signedIn;
    const calls = mockBackend({
      ...directoryHandlers(),
      app_status: () => status,
      org_overview: () => overview(true),
      sign_out: () => {
        status = { ...signedIn, session: null };
        return null;
      },
    });
    const user = userEvent.setup({ delay: null });
    renderWithProviders(<App />);

    await user.click(await screen.findByTestId("nav-settings"));
    expect((await screen.findByTestId("settings-db-path")).textContent).toContain(signedIn.dbPath);
    expect(screen.getByTestId("settings-version").textContent).toBe("0.1.0");
    expect(screen.getByText("Follows your system (light/dark)")).toBeTruthy();
    expect(screen.getByTestId("settings-mode").textContent).toContain("Light");

    await user.click(screen.getByTestId("nav-invitations"));
    expect(await screen.findByTestId("screen-invitations")).toBeTruthy();
    expect(screen.queryByRole("button", { name: /invite/i })).toBeNull();

    await user.click(screen.getByTestId("nav-overview"));
    expect((await screen.findByTestId("overview-name")).textContent).toBe("Acme Ltd");

    expect(screen.getByTestId("header-user").textContent).toContain("Ada Lovelace");
    await user.click(screen.getByTestId("header-user"));
    await user.click(await screen.findByTestId("sign-out"));

    expect(await screen.findByText("Sign in to Orgdesk")).toBeTruthy();
    expect(calls.some((c) => c.cmd === "sign_out")).toBe(true);
    await waitFor(() => expect((screen.getByTestId("signin-username") as HTMLInputElement).value).toBe("ada"));
  });

  it("opens Members & Departments with the search focused on E, but not while typing", async () => {
    mockBackend(directoryHandlers());
    const user = userEvent.setup({ delay: null });
    renderWithProviders(<App />);
    await user.click(await screen.findByTestId("nav-settings"));
    await screen.findByTestId("settings-region");
    const region = screen.getByTestId("settings-region").querySelector("input") ?? screen.getByTestId("settings-region");
    await user.click(region);
    await user.keyboard("e");
    expect(screen.queryByTestId("member-search")).toBeNull();
    (document.activeElement as HTMLElement | null)?.blur();
    await user.keyboard("e");
    const search = await screen.findByTestId("member-search");
    await waitFor(() => expect(document.activeElement).toBe(search));
  });

  it("counts the waiting join requests beside Join Requests and reads the count again when the feed brings more", async () => {
    let waiting = 0;
    const calls = mockBackend(
      directoryHandlers({ list_join_requests: () => ({ rows: [], total: waiting }) }),
      { events: true },
    );
    const { unmount } = renderWithProviders(<App />);
    await screen.findByTestId("nav-join-requests");
    await waitFor(() => expect(calls.some((c) => c.cmd === "list_join_requests" && c.args.filter === "waiting")).toBe(true));
    expect(screen.queryByTestId("nav-badge-joinRequests")).toBeNull();
    // The badge, showing nothing, is there from the first picture: a count arriving later only
    // fills it in.
    const badge = screen.getByTestId("nav").querySelector(".ant-badge");
    expect(badge).not.toBeNull();
    expect(badge?.textContent).toBe("");

    // A count that arrives renders the navigation, not the window and its screen.
    const marks: [string, number][] = [];
    (window as { __odMarks?: [string, number][] }).__odMarks = marks;
    waiting = 3;
    await emit("invitations-changed");
    await waitFor(() => expect(screen.getByTestId("nav-badge-joinRequests").textContent).toContain("3"));
    delete (window as { __odMarks?: unknown }).__odMarks;
    expect(marks.filter(([name]) => name === "main window render")).toEqual([]);
    // The label itself stays the entry's name.
    expect(screen.getByTestId("nav-join-requests").textContent).toBe("Join Requests");

    waiting = 0;
    await emit("invitations-changed");
    await waitFor(() => expect(screen.queryByTestId("nav-badge-joinRequests")).toBeNull());
    // The window stops listening while the mocked event plugin is still there.
    unmount();
    await new Promise((done) => setTimeout(done, 0));
  });
  it("reads ahead the first page of Invitations and Join Requests, and their first opening draws from it", async () => {
    const invitation = {
      id: 1, memberId: 4, memberName: "Ivy Invite", channel: "email", recipient: "ivy@example.com", state: "sent",
      language: "en", link: null, inviterName: "Ada Lovelace", createdAt: 0, updatedAt: 0, expiresAt: null,
      lastError: null, awaitingGateway: false, kept: false,
    };
    const request = {
      id: 7, via: "link", name: "Noa Levi", username: "noa", email: null, mobile: null, employeeId: null, workLocation: null,
      state: "pending", problem: null, memberId: null, requestedAt: 0, decidedAt: null, decidedBy: null,
    };
    const calls = mockBackend(
      directoryHandlers({
        list_invitations: () => ({ rows: [invitation], total: 1 }),
        invitation_counts: () => ({ awaitingGateway: 0, open: 1, failed: 0 }),
        gateway_status: () => ({ mode: "embedded", url: "http://127.0.0.1:4000", connected: true, lastError: null, mailFolder: null }),
        list_join_requests: () => ({ rows: [request], total: 1 }),
        join_link: () => ({ enabled: false, link: null, code: null, codeUrl: null, approvalRequired: true, requiredFields: [], qrSvg: null }),
      }),
    );
    // The first page each screen asks for: all invitations from the first; the waiting requests.
    const invitationPages = () =>
      calls.filter((c) => c.cmd === "list_invitations" && (c.args.query as { offset: number }).offset === 0).length;
    const requestPages = () => calls.filter((c) => c.cmd === "list_join_requests" && c.args.limit === 50).length;
    const user = userEvent.setup({ delay: null });
    renderWithProviders(<App />);
    await screen.findByTestId("nav-invitations");
    // Read ahead a moment after the window is shown, before either screen is opened.
    await waitFor(() => expect([invitationPages(), requestPages()]).toEqual([1, 1]), { timeout: 4_000 });

    await user.click(screen.getByTestId("nav-invitations"));
    expect((await screen.findByTestId("invitations-table")).textContent).toContain("Ivy Invite");
    await user.click(screen.getByTestId("nav-join-requests"));
    expect((await screen.findByTestId("join-requests-table")).textContent).toContain("Noa Levi");
    // Both drew from what was read ahead: neither asked for its first page again.
    expect([invitationPages(), requestPages()]).toEqual([1, 1]);
  });
});
