import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";

import { setLanguage } from "../../i18n";
import { commandError } from "../../test/fixtures";
import { mockBackend, renderWithProviders } from "../../test/render";
import { JoinNotificationsSwitch } from "./JoinNotificationsSwitch";

describe("Join request notifications", () => {
  it("is on until switched off, and saves each flip with the other settings", async () => {
    let saved: Record<string, unknown> = { defaultRegion: "GB", importQuotaPerDay: 5, joinNotifications: true };
    const calls = mockBackend({
      get_settings: () => saved,
      update_settings: (a) => {
        saved = a.settings as Record<string, unknown>;
        return saved;
      },
    });
    const user = userEvent.setup({ delay: null });
    renderWithProviders(<JoinNotificationsSwitch />);
    const toggle = await screen.findByTestId("settings-notifications-switch");
    expect(toggle.getAttribute("aria-checked")).toBe("true");
    expect(screen.getByText(/announced once in a desktop notification/)).toBeTruthy();

    await user.click(toggle);
    await waitFor(() =>
      expect(calls.filter((c) => c.cmd === "update_settings").at(-1)?.args).toEqual({
        settings: { defaultRegion: "GB", importQuotaPerDay: 5, joinNotifications: false },
      }),
    );
    await waitFor(() => expect(toggle.getAttribute("aria-checked")).toBe("false"));

    await user.click(toggle);
    await waitFor(() => expect(calls.filter((c) => c.cmd === "update_settings").at(-1)?.args).toMatchObject({ settings: { joinNotifications: true } }));
    await waitFor(() => expect(toggle.getAttribute("aria-checked")).toBe("true"));
  });

  it("reads settings without the value as on, and speaks Chinese", async () => {
    mockBackend({ get_settings: () => ({ defaultRegion: "US", importQuotaPerDay: null }) });
    await setLanguage("zh-CN");
    renderWithProviders(<JoinNotificationsSwitch />);
    const toggle = await screen.findByTestId("settings-notifications-switch");
    expect(toggle.getAttribute("aria-checked")).toBe("true");
    expect(screen.getByText("有人申请加入时通知我")).toBeTruthy();
  });

  it("shows a refused save and keeps the switch as it was", async () => {
    mockBackend({
      get_settings: () => ({ defaultRegion: "US", importQuotaPerDay: null, joinNotifications: true }),
      update_settings: () => {
        throw commandError({ code: "forbidden" });
      },
    });
    const user = userEvent.setup({ delay: null });
    renderWithProviders(<JoinNotificationsSwitch />);
    const toggle = await screen.findByTestId("settings-notifications-switch");
    await user.click(toggle);
    expect((await screen.findByRole("alert")).textContent).toContain("You are not allowed to do this.");
    expect(toggle.getAttribute("aria-checked")).toBe("true");
  });
});
