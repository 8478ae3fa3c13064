import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";

import { commandError, overview } from "../../test/fixtures";
import { mockBackend, renderWithProviders } from "../../test/render";
import { OverviewScreen } from "./OverviewScreen";

describe("Organization Overview", () => {
  it("shows the organization and offers rename to the initial admin", async () => {
    let current = overview(true);
    const calls = mockBackend({
      org_overview: () => current,
      rename_organization: (args) => {
        current = { ...current, name: String(args.name) };
        return current;
      },
    });
    const user = userEvent.setup({ delay: null });
    renderWithProviders(<OverviewScreen />);

    expect((await screen.findByTestId("overview-name")).textContent).toBe("Acme Ltd");
    expect(screen.getByTestId("overview-code").textContent).toContain("ACME-7Q2K");
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
    mockBackend({ org_overview: () => overview(false) });
    renderWithProviders(<OverviewScreen />);
    expect((await screen.findByTestId("overview-rename-note")).textContent).toBe(
      "Only the initial admin can rename the organization.",
    );
    expect(screen.queryByTestId("overview-rename-input")).toBeNull();
    expect(screen.queryByTestId("overview-rename-submit")).toBeNull();
  });
});
