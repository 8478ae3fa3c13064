import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";

import type { JoinLinkView } from "../../bindings/JoinLinkView";
import type { JoinRequestRow } from "../../bindings/JoinRequestRow";
import { commandError } from "../../test/fixtures";
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

  it("approves and rejects requests, escaping what people typed, and says why approval failed", async () => {
    const calls = mockBackend({
      join_link: () => on,
      list_join_requests: () => ({
        rows: [request({}), request({ id: 2, name: "Omer", username: "omer", problem: "Email \"x@example.com\" is already used by Ann." })],
        total: 2,
      }),
      decide_join_request: (args) => {
        if (args.id === 2) throw commandError({
            code: "validation",
            details: [{ field: "request", code: "cannot_approve", reason: "Omer cannot be added as entered." }],
          });
        return 7;
      },
    });
    const user = userEvent.setup({ delay: null });
    const { container } = renderWithProviders(<JoinRequestsScreen />);
    expect(await screen.findByText("Noa <i>Levi</i>")).toBeTruthy();
    // What people typed never becomes markup. (The join link card may still show Ant Design's
    // loading dots, which are <i> elements of its own, while its query is answered.)
    expect(container.querySelector("i:not(.ant-spin-dot-item)")).toBeNull();
    expect(screen.getByTestId("join-request-problem-2").textContent).toContain("already used");
    await user.click(screen.getByTestId("join-request-approve-1"));
    await waitFor(() => expect(calls.find((c) => c.cmd === "decide_join_request")?.args).toEqual({ id: 1, approve: true }));
    await user.click(screen.getByTestId("join-request-approve-2"));
    expect(await screen.findByText("Omer cannot be added as entered.")).toBeTruthy();
    await user.click(screen.getByTestId("join-request-reject-2"));
    await waitFor(() => expect(calls.filter((c) => c.cmd === "decide_join_request").at(-1)?.args).toEqual({ id: 2, approve: false }));
  });
});
