import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";

import { fill } from "../../test/directory";
import { commandError, roles, signedIn } from "../../test/fixtures";
import { mockBackend, renderWithProviders } from "../../test/render";
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
    await fill(user, await screen.findByTestId("role-name"), "Auditor");
    await fill(user, screen.getByTestId("role-description"), "Reads the audit log");
    await user.click(screen.getByTestId("role-save"));
    await waitFor(() =>
      expect(calls.find((c) => c.cmd === "create_role")?.args).toEqual({ input: { name: "Auditor", description: "Reads the audit log" } }),
    );
  });

  it("turns the import quota on at 100 a day, changes it and turns it off", async () => {
    let saved: Record<string, unknown> = { defaultRegion: "US", importQuotaPerDay: null };
    const calls = mockBackend({
      get_settings: () => saved,
      list_roles: () => roles,
      update_settings: (a) => {
        saved = a.settings as Record<string, unknown>;
        return saved;
      },
    });
    const user = userEvent.setup({ delay: null });
    renderWithProviders(<SettingsScreen status={signedIn} />);
    const hint = await screen.findByTestId("settings-quota-hint");
    expect(hint.textContent).toBe("Off: admins may import as often as they need.");
    const limit = screen.getByTestId("settings-quota-limit").querySelector("input") ?? screen.getByTestId("settings-quota-limit");
    expect((limit as HTMLInputElement).disabled).toBe(true);

    await user.click(screen.getByTestId("settings-quota-switch"));
    expect((limit as HTMLInputElement).value).toBe("100");
    await waitFor(() => expect(hint.textContent).toContain("Previews don't count. The count resets at 00:00 UTC ("));
    await user.click(screen.getByTestId("settings-quota-save"));
    await waitFor(() =>
      expect(calls.filter((c) => c.cmd === "update_settings").at(-1)?.args).toEqual({
        settings: { defaultRegion: "US", importQuotaPerDay: 100 },
      }),
    );

    await user.clear(limit);
    await user.type(limit, "5");
    await user.click(screen.getByTestId("settings-quota-save"));
    await waitFor(() =>
      expect(calls.filter((c) => c.cmd === "update_settings").at(-1)?.args).toEqual({
        settings: { defaultRegion: "US", importQuotaPerDay: 5 },
      }),
    );

    await user.click(screen.getByTestId("settings-quota-switch"));
    await user.click(screen.getByTestId("settings-quota-save"));
    await waitFor(() =>
      expect(calls.filter((c) => c.cmd === "update_settings").at(-1)?.args).toEqual({
        settings: { defaultRegion: "US", importQuotaPerDay: null },
      }),
    );
    expect(calls.filter((c) => c.cmd === "update_settings").length).toBe(3);
    // Three saves through antd inputs: slow under jsdom on a busy 2-core machine.
  }, 120_000);

  it("shows the server's refusal of a quota under the field", async () => {
    mockBackend({
      get_settings: () => ({ defaultRegion: "US", importQuotaPerDay: 100 }),
      list_roles: () => roles,
      update_settings: () => {
        throw commandError({ code: "validation", details: [{ field: "importQuotaPerDay", code: "out_of_range", reason: "bad" }] });
      },
    });
    const user = userEvent.setup({ delay: null });
    renderWithProviders(<SettingsScreen status={signedIn} />);
    await user.click(await screen.findByTestId("settings-quota-save"));
    expect(await screen.findByText("Outside the allowed range.")).toBeTruthy();
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
    await fill(user, region, "zz");
    await user.click(screen.getByTestId("settings-region-save"));
    await waitFor(() => expect(calls.find((c) => c.cmd === "update_settings")?.args).toEqual({ settings: { defaultRegion: "ZZ" } }));
    expect(await screen.findByText("Not a valid region.")).toBeTruthy();
  });
});
