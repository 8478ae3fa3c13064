import { cleanup, screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";

import { commandError, overview } from "../../test/fixtures";
import { mockBackend, renderWithProviders } from "../../test/render";
import type { JoinLinkView } from "../../bindings/JoinLinkView";
import { OverviewScreen } from "./OverviewScreen";

function joinLink(enabled: boolean): JoinLinkView {
  return {
    enabled,
    link: enabled ? "http://127.0.0.1:4000/j/tok" : null,
    code: enabled ? "K7PQ2XZM" : null,
    codeUrl: enabled ? "http://127.0.0.1:4000/join" : null,
    approvalRequired: true,
    requiredFields: [],
    qrSvg: null,
  };
}

describe("Organization Overview", () => {
  it("shows the organization and offers rename to the initial admin", async () => {
    let current = overview(true);
    const calls = mockBackend({
      org_overview: () => current,
      join_link: () => joinLink(true),
      rename_organization: (args) => {
        current = { ...current, name: String(args.name) };
        return current;
      },
    });
    const user = userEvent.setup({ delay: null });
    renderWithProviders(<OverviewScreen />);

    expect((await screen.findByTestId("overview-name")).textContent).toBe("Acme Ltd");
    // The code that joins is the gateway's, with its state.
    expect((await screen.findByTestId("overview-code")).textContent).toContain("K7PQ2XZM");
    expect(screen.getByTestId("overview-code-state").textContent).toBe("On");
    expect(screen.getByTestId("overview-departments").textContent).toBe("3");
    expect(screen.getByTestId("overview-admin").textContent).toContain("Ada Lovelace");
    expect(screen.getByText("Not joined")).toBeTruthy();
    expect(screen.queryByTestId("overview-rename-note")).toBeNull();

    const input = screen.getByTestId("overview-rename-input");
    await user.clear(input);
    await user.type(input, "  Acme Group ");
    await user.click(screen.getByTestId("overview-rename-submit"));

    await waitFor(() => expect(screen.getByTestId("overview-name").textContent).toBe("Acme Group"));
    expect(calls.find((c) => c.cmd === "rename_organization")?.args).toEqual({ name: "Acme Group" });
    expect(await screen.findByText("Organization renamed.")).toBeTruthy();
  });

  it("shows a server validation error under the name", async () => {
    mockBackend({
      org_overview: () => overview(true),
      join_link: () => joinLink(true),
      rename_organization: () => {
        throw commandError({
          code: "validation",
          message: "invalid",
          details: [{ field: "name", code: "invalid_chars", reason: "bad characters" }],
        });
      },
    });
    const user = userEvent.setup({ delay: null });
    renderWithProviders(<OverviewScreen />);
    const input = await screen.findByTestId("overview-rename-input");
    await user.type(input, "x{Enter}");
    expect(await screen.findByText("Contains characters that are not allowed.")).toBeTruthy();
  });

  it("tells other admins that only the initial admin renames", async () => {
    mockBackend({ org_overview: () => overview(false), join_link: () => joinLink(true) });
    renderWithProviders(<OverviewScreen />);
    expect((await screen.findByTestId("overview-rename-note")).textContent).toBe(
      "Only the initial admin can rename the organization.",
    );
    expect(screen.queryByTestId("overview-rename-input")).toBeNull();
    expect(screen.queryByTestId("overview-rename-submit")).toBeNull();
  });

  it("says the organization code is off, or cannot be read, instead of showing one that joins nothing", async () => {
    mockBackend({ org_overview: () => ({ ...overview(true), counts: { ...overview(true).counts, pendingApproval: 2 } }), join_link: () => joinLink(false) });
    renderWithProviders(<OverviewScreen />);
    expect((await screen.findByTestId("overview-code-state")).textContent).toBe("Off");
    expect(screen.queryByTestId("overview-code")).toBeNull();
    expect(screen.getByText("People can join with the organization code only while the join link is on (Join Requests).")).toBeTruthy();
    expect(screen.getByTestId("count-pendingApproval").textContent).toContain("2");
    cleanup();

    mockBackend({
      org_overview: () => overview(true),
      join_link: () => {
        throw commandError({ code: "internal", message: "The gateway cannot be reached." });
      },
    });
    renderWithProviders(<OverviewScreen />);
    expect((await screen.findByTestId("overview-code-state")).textContent).toBe("Unavailable");
    expect(screen.queryByTestId("overview-code")).toBeNull();
  });
});
