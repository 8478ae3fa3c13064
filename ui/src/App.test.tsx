import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";

import { App } from "./App";
import type { AppStatus } from "./bindings/AppStatus";
import { mockBackend, renderWithProviders } from "./test/render";

const fresh: AppStatus = { initialized: false, session: null, dbPath: "/tmp/orgdesk.db", version: "0.1.0" };

describe("App", () => {
  it("tells the backend once, after its first screen is painted, that the window is shown", async () => {
    const calls = mockBackend({ app_status: () => fresh, window_shown: () => null });
    const user = userEvent.setup({ delay: null });
    renderWithProviders(<App />);
    const shown = () => calls.filter((c) => c.cmd === "window_shown").length;
    // Not while the status is read: the first screen is not drawn yet.
    expect(shown()).toBe(0);
    await screen.findByTestId("setup-org-name");
    await waitFor(() => expect(shown()).toBe(1));
    // The screen drawn again (typing) says nothing more.
    await user.type(screen.getByTestId("setup-org-name"), "Acme");
    expect(shown()).toBe(1);
  });
});
