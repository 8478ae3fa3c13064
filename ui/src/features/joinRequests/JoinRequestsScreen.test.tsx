import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";

import type { JoinLinkView } from "../../bindings/JoinLinkView";
import type { JoinRequestRow } from "../../bindings/JoinRequestRow";
import { fill, pick } from "../../test/directory";
import { commandError, directoryHandlers } from "../../test/fixtures";
import { mockBackend, renderWithProviders } from "../../test/render";
import { JoinRequestsScreen } from "./JoinRequestsScreen";

const off: JoinLinkView = {
  enabled: false,
  link: null,
  code: null,
  codeUrl: null,
  approvalRequired: true,
  requiredFields: [],
  qrSvg: null,
};

const on: JoinLinkView = {
  enabled: true,
  link: "http://127.0.0.1:4000/j/tok",
  code: "K7PQ2XZM",
  codeUrl: "http://127.0.0.1:4000/join",
  approvalRequired: true,
  requiredFields: ["email"],
  qrSvg: '<svg xmlns="http://www.w3.org/2000/svg"/>',
};

/** What the first decision sent to the backend asked for. */
const firstDecision = (calls: ReturnType<typeof mockBackend>) => calls.find((c) => c.cmd === "decide_join_requests")?.args;

function request(over: Partial<JoinRequestRow>): JoinRequestRow {
  return {
    id: 1,
    via: "code",
    name: "Noa <i>Levi</i>",
    username: "noa",
    email: "noa@example.com",
    mobile: null,
    employeeId: null,
    workLocation: null,
    state: "pending",
    problem: null,
    memberId: null,
    requestedAt: Date.UTC(2026, 10, 22, 10),
    decidedAt: null,
    decidedBy: null,
    ...over,
  };
}

describe("Join Requests", () => {
  it("switches the join link on with its rules and shows link, code and QR code", async () => {
    const calls = mockBackend({
      join_link: () => off,
      set_join_link: () => on,
      list_join_requests: () => ({ rows: [], total: 0 }),
    });
    const user = userEvent.setup({ delay: null });
    renderWithProviders(<JoinRequestsScreen />);
    await user.click(await screen.findByTestId("join-link-field-email"));
    await user.click(screen.getByTestId("join-link-enable"));
    await waitFor(() =>
      expect(calls.find((c) => c.cmd === "set_join_link")?.args).toEqual({ input: { approvalRequired: true, requiredFields: ["email"] } }),
    );
    expect((await screen.findByTestId("join-link-code")).textContent).toBe("K7PQ2XZM");
    expect(screen.getByTestId("join-link-url").textContent).toContain("/j/tok");
    expect(screen.getByTestId("join-link-qr").getAttribute("src")).toMatch(/^data:image\/svg\+xml/);
    expect(await screen.findByText("No requests. People who ask to join through the public link or the organization code appear here.")).toBeTruthy();
  });

  it("reads the link again when a team's computer keeps the rules until the gateway answers", async () => {
    let switched = false;
    mockBackend({
      join_link: () => (switched ? on : off),
      set_join_link: () => {
        switched = true;
        throw commandError({
          code: "conflict",
          message: "Kept on this computer: the team's gateway has not answered yet.",
          details: [{ field: null, code: "kept", reason: "Saved on this computer." }],
        });
      },
      list_join_requests: () => ({ rows: [], total: 0 }),
    });
    const user = userEvent.setup({ delay: null });
    renderWithProviders(<JoinRequestsScreen />);
    await user.click(await screen.findByTestId("join-link-enable"));
    expect(await screen.findByText("Saved on this computer; it will be sent when the gateway answers.")).toBeTruthy();
    expect((await screen.findByTestId("join-link-code")).textContent).toBe("K7PQ2XZM");
  });

  it("rotates after confirming and switches off", async () => {
    const calls = mockBackend({
      join_link: () => on,
      rotate_join_link: () => ({ ...on, code: "NEWCODE9" }),
      disable_join_link: () => off,
      list_join_requests: () => ({ rows: [], total: 0 }),
    });
    const user = userEvent.setup({ delay: null });
    renderWithProviders(<JoinRequestsScreen />);
    await user.click(await screen.findByTestId("join-link-rotate"));
    await user.click(await screen.findByTestId("join-link-rotate-ok"));
    await waitFor(() => expect(screen.getByTestId("join-link-code").textContent).toBe("NEWCODE9"));
    await user.click(screen.getByTestId("join-link-disable"));
    expect(await screen.findByTestId("join-link-enable")).toBeTruthy();
    expect(calls.filter((c) => c.cmd === "disable_join_link").length).toBe(1);
  });

  it("approves into the chosen department and role, rejects, escapes what people typed, and says why approval failed", async () => {
    const calls = mockBackend({
      ...directoryHandlers(),
      join_link: () => on,
      list_join_requests: () => ({
        rows: [request({}), request({ id: 2, name: "Omer", username: "omer", problem: "Email \"x@example.com\" is already used by Ann." })],
        total: 2,
      }),
      decide_join_requests: (args) => {
        if ((args.ids as number[]).includes(2) && args.approve) throw commandError({
            code: "validation",
            details: [{ field: "request", code: "cannot_approve", reason: "Omer cannot be added as entered." }],
          });
        return [7];
      },
    });
    const user = userEvent.setup({ delay: null });
    const { container } = renderWithProviders(<JoinRequestsScreen />);
    expect(await screen.findByText("Noa <i>Levi</i>")).toBeTruthy();
    // What people typed never becomes markup. (The join link card may still show Ant Design's
    // loading dots, which are <i> elements of its own, while its query is answered.)
    expect(container.querySelector("i:not(.ant-spin-dot-item)")).toBeNull();
    expect(screen.getByTestId("join-request-problem-2").textContent).toContain("already used");
    expect(calls.find((c) => c.cmd === "list_join_requests")?.args).toMatchObject({ filter: "waiting", search: "" });

    await user.click(screen.getByTestId("join-request-approve-1"));
    expect(await screen.findByText("Approve the request from Noa <i>Levi</i>")).toBeTruthy();
    await pick(user, "approve-department", "Sales");
    await pick(user, "approve-role", "Admin");
    await user.click(screen.getByTestId("approve-dialog-ok"));
    await waitFor(() => expect(firstDecision(calls)).toEqual({ ids: [1], approve: true, placement: { departmentId: 2, roleId: 2 } }));
    expect(await screen.findByText("Noa <i>Levi</i> is now a member.")).toBeTruthy();
    await waitFor(() => expect(screen.queryByTestId("approve-dialog-ok")).toBeNull());

    // Refused: the dialog stays open and names the request and the reason.
    await user.click(screen.getByTestId("join-request-approve-2"));
    await user.click(await screen.findByTestId("approve-dialog-ok"));
    expect((await screen.findByTestId("approve-dialog-problem")).textContent).toContain("Omer cannot be added as entered.");
    await user.click(screen.getByText("Cancel"));

    await user.click(screen.getByTestId("join-request-reject-2"));
    await waitFor(() =>
      expect(calls.filter((c) => c.cmd === "decide_join_requests").at(-1)?.args).toEqual({ ids: [2], approve: false, placement: null }),
    );
  });

  it("closes the approve dialog when a team's computer keeps the decision until the gateway answers", async () => {
    mockBackend({
      ...directoryHandlers(),
      join_link: () => on,
      list_join_requests: () => ({ rows: [request({})], total: 1 }),
      decide_join_requests: () => {
        throw commandError({
          code: "conflict",
          message: "Kept on this computer: the team's gateway has not answered yet.",
          details: [{ field: null, code: "kept", reason: "Saved on this computer." }],
        });
      },
    });
    const user = userEvent.setup({ delay: null });
    renderWithProviders(<JoinRequestsScreen />);
    await user.click(await screen.findByTestId("join-request-approve-1"));
    await user.click(await screen.findByTestId("approve-dialog-ok"));
    expect(await screen.findByText("Saved on this computer; it will be sent when the gateway answers.")).toBeTruthy();
    await waitFor(() => expect(screen.queryByTestId("approve-dialog-ok")).toBeNull());
    expect(screen.queryByTestId("approve-dialog-problem")).toBeNull();
  });

  it("filters Waiting / Rejected / All, searches, and re-approves a rejected request with the default placement", async () => {
    const calls = mockBackend({
      ...directoryHandlers(),
      join_link: () => on,
      list_join_requests: (args) =>
        args.filter === "rejected"
          ? { rows: [request({ id: 3, name: "Ria", username: "ria", state: "rejected", decidedBy: "Ann Lee" })], total: 1 }
          : { rows: [request({})], total: 1 },
      decide_join_requests: () => [9],
    });
    const user = userEvent.setup({ delay: null });
    renderWithProviders(<JoinRequestsScreen />);
    await screen.findByText("Noa <i>Levi</i>");
    expect(screen.queryByTestId("join-request-reapprove-1")).toBeNull();

    await user.click(screen.getByText("Rejected"));
    expect(await screen.findByTestId("join-request-reapprove-3")).toBeTruthy();
    expect(screen.queryByTestId("join-request-reject-3")).toBeNull();
    await user.click(screen.getByText("All"));
    await fill(user, screen.getByPlaceholderText("Search name, username, email or mobile"), "noa@");
    await waitFor(() => expect(calls.filter((c) => c.cmd === "list_join_requests").at(-1)?.args).toMatchObject({ filter: "all", search: "noa@" }));
    expect(calls.some((c) => c.cmd === "list_join_requests" && c.args.filter === "rejected")).toBe(true);

    await user.click(screen.getByText("Rejected"));
    await user.click(await screen.findByTestId("join-request-reapprove-3"));
    expect(await screen.findByText("Re-approve the request from Ria")).toBeTruthy();
    await user.click(screen.getByTestId("approve-dialog-ok"));
    // The root department and the Member role unless chosen otherwise.
    await waitFor(() => expect(firstDecision(calls)).toEqual({ ids: [3], approve: true, placement: { departmentId: 1, roleId: 3 } }));
  });

  it("approves or rejects the selected requests at once and lists every one that cannot be approved", async () => {
    let refuse = true;
    const calls = mockBackend({
      ...directoryHandlers(),
      join_link: () => on,
      list_join_requests: () => ({
        rows: [request({}), request({ id: 2, name: "Omer", username: "omer" }), request({ id: 4, name: "Pia", username: "pia" })],
        total: 3,
      }),
      decide_join_requests: (args) => {
        if (args.approve && refuse) {
          refuse = false;
          throw commandError({
            code: "validation",
            details: [
              { field: "request", code: "cannot_approve", reason: "Omer cannot be added as entered: the username is already used." },
              { field: "request", code: "already_decided", reason: "The request from Pia was already approved." },
            ],
          });
        }
        return args.approve ? [7, 8] : [];
      },
    });
    const user = userEvent.setup({ delay: null });
    renderWithProviders(<JoinRequestsScreen />);
    await user.click(await screen.findByLabelText("Select Noa <i>Levi</i>"));
    await user.click(screen.getByLabelText("Select Omer"));
    expect(screen.getByTestId("join-requests-batch").textContent).toContain("2 selected");

    await user.click(screen.getByTestId("join-requests-approve-selected"));
    expect(await screen.findByText("Approve 2 requests")).toBeTruthy();
    await user.click(screen.getByTestId("approve-dialog-ok"));
    const problem = await screen.findByTestId("approve-dialog-problem");
    expect(problem.textContent).toContain("Nothing was changed.");
    expect(problem.textContent).toContain("Omer cannot be added as entered");
    expect(problem.textContent).toContain("Pia was already approved");
    await user.click(screen.getByTestId("approve-dialog-ok"));
    expect(await screen.findByText("2 requests approved; the people are now members.")).toBeTruthy();
    const approvals = calls.filter((c) => c.cmd === "decide_join_requests").map((c) => c.args.ids);
    expect(approvals).toEqual([
      [1, 2],
      [1, 2],
    ]);
    await waitFor(() => expect(screen.queryByTestId("join-requests-batch")).toBeNull());

    await user.click(screen.getByLabelText("Select all on this page"));
    await user.click(screen.getByTestId("join-requests-reject-selected"));
    await user.click(await screen.findByTestId("join-requests-reject-ok"));
    await waitFor(() =>
      expect(calls.filter((c) => c.cmd === "decide_join_requests").at(-1)?.args).toEqual({ ids: [1, 2, 4], approve: false, placement: null }),
    );
    expect(await screen.findByText("3 requests rejected.")).toBeTruthy();
  });
});
