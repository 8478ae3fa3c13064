import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";

import { commandError, roles, signedIn } from "../test/fixtures";
import { mockBackend, renderWithProviders } from "../test/render";
import { SettingsScreen } from "./SettingsScreen";

describe("Settings", () => {
  it("lists the roles and creates a new one", async () => {
    const calls = mockBackend({
      get_settings: () => ({ defaultRegion: "US" }),
      list_roles: () => roles,
      create_role: () => 4,
    });
    const user = userEvent.setup({ delay: null });
    renderWithProviders(<SettingsScreen status={signedIn} />);
    const table = await screen.findByTestId("roles-table");
    await waitFor(() => expect(table.textContent).toContain("Super Admin"));
    expect(within(table).getAllByText("Built-in").length).toBe(3);

    await user.click(screen.getByTestId("role-new"));
    await user.click(await screen.findByTestId("role-name"));
    await user.paste("Auditor");
    await user.click(screen.getByTestId("role-description"));
    await user.paste("Reads the audit log");
    await user.click(screen.getByTestId("role-save"));
    await waitFor(() =>
      expect(calls.find((c) => c.cmd === "create_role")?.args).toEqual({ input: { name: "Auditor", description: "Reads the audit log" } }),
    );
  });

  it("saves the default region and shows a field error", async () => {
    const calls = mockBackend({
      get_settings: () => ({ defaultRegion: "US" }),
      list_roles: () => roles,
      update_settings: () => {
        throw commandError({ code: "validation", details: [{ field: "defaultRegion", code: "invalid_region", reason: "bad" }] });
      },
    });
    const user = userEvent.setup({ delay: null });
    renderWithProviders(<SettingsScreen status={signedIn} />);
    const region = (await screen.findByTestId("settings-region")).querySelector("input") ?? screen.getByTestId("settings-region");
    await user.clear(region);
    await user.click(region);
    await user.paste("zz");
    await user.click(screen.getByTestId("settings-region-save"));
    await waitFor(() => expect(calls.find((c) => c.cmd === "update_settings")?.args).toEqual({ settings: { defaultRegion: "ZZ" } }));
    expect(await screen.findByText("Not a valid region.")).toBeTruthy();
  });
});
