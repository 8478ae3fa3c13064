import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";

import { GoToScreen } from "../../components/goTo";
import { mockBackend, renderWithProviders } from "../../test/render";
import { BuiltinModeNotice, LocalOnlyLinkNotice, isLocalOnlyLink } from "./LocalOnly";

const status = (mode: string) => ({ mode, url: "http://127.0.0.1:4000", connected: true, lastError: null, mailFolder: "/data/mail" });

describe("On this computer only", () => {
  it("knows a link that opens only on this computer", () => {
    for (const link of ["http://127.0.0.1:4000/i/abc", "http://localhost:8080/j/x", "http://[::1]:9/i", "http://127.1.2.3/i", "http://app.localhost/i"]) {
      expect(isLocalOnlyLink(link), link).toBe(true);
    }
    for (const link of ["https://gw.example.com/i/abc", "http://10.0.0.5:4000/i", "not a link", "", null, undefined]) {
      expect(isLocalOnlyLink(link), String(link)).toBe(false);
    }
  });

  it("warns beside a local link and offers to connect the organization's gateway", async () => {
    const goTo = vi.fn();
    const user = userEvent.setup({ delay: null });
    const { rerender } = renderWithProviders(
      <GoToScreen.Provider value={goTo}>
        <LocalOnlyLinkNotice link="http://127.0.0.1:4000/j/abc" />
      </GoToScreen.Provider>,
    );
    expect(screen.getByTestId("local-only-link").textContent).toContain("This link opens only on this computer");
    await user.click(screen.getByTestId("connect-gateway"));
    expect(goTo).toHaveBeenCalledWith("settings");
    rerender(<LocalOnlyLinkNotice link="https://gw.example.com/j/abc" />);
    expect(screen.queryByTestId("local-only-link")).toBeNull();
  });

  it("says what the built-in mode means while it is in use, and nothing with a remote gateway", async () => {
    let mode = "embedded";
    mockBackend({ gateway_status: () => status(mode) });
    const first = renderWithProviders(<BuiltinModeNotice />);
    const notice = await screen.findByTestId("builtin-mode-notice");
    expect(notice.textContent).toContain("On this computer only");
    expect(notice.textContent).toContain("Nothing is sent");
    // Outside the main window there is no screen to go to: no button that does nothing.
    expect(screen.queryByTestId("connect-gateway")).toBeNull();
    first.unmount();

    mode = "remote";
    renderWithProviders(<BuiltinModeNotice />);
    await waitFor(() => expect(screen.queryByTestId("builtin-mode-notice")).toBeNull());
  });
});
