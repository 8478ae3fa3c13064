import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";

import { fill } from "../../test/directory";
import { commandError } from "../../test/fixtures";
import { mockBackend, renderWithProviders } from "../../test/render";
import { GatewayCard } from "./GatewayCard";

const builtin = { mode: "embedded", url: "http://127.0.0.1:4000", connected: true, lastError: null, mailFolder: "/data/mail" };

describe("Gateway settings", () => {
  it("connects to a remote gateway, showing a refused token on its field first", async () => {
    let attempts = 0;
    const calls = mockBackend({
      gateway_status: () => builtin,
      remote_gateway_url: () => null,
      connect_remote_gateway: () => {
        attempts += 1;
        if (attempts === 1) {
          throw commandError({
            code: "validation",
            details: [{ field: "token", code: "token_refused", reason: "The gateway refused this token." }],
          });
        }
        return { ...builtin, mode: "remote", url: "https://gw.example.com" };
      },
    });
    const user = userEvent.setup({ delay: null });
    renderWithProviders(<GatewayCard />);
    expect((await screen.findByTestId("gateway-card-status")).textContent).toContain("Connected: on this computer only (http://127.0.0.1");
    await user.click(screen.getByTestId("gateway-choice-remote"));
    await fill(user, await screen.findByTestId("gateway-url"), "https://gw.example.com");
    await fill(user, screen.getByTestId("gateway-token"), "odt_secret");
    await user.click(screen.getByTestId("gateway-connect"));
    await waitFor(() =>
      expect(calls.find((c) => c.cmd === "connect_remote_gateway")?.args).toEqual({ url: "https://gw.example.com", token: "odt_secret" }),
    );
    expect(await screen.findByText("The gateway refused this token.")).toBeTruthy();
    await user.click(screen.getByTestId("gateway-connect"));
    await waitFor(() => expect(screen.getByTestId("gateway-card-status").textContent).toContain("https://gw.example.com"));
  });

  it("shows a computer of a team connected through its own credential, then removed from the team", async () => {
    const team = { ...builtin, mode: "team", url: "https://gw.example.com" };
    const removed = "This computer was removed from the team: the gateway no longer accepts its credential.";
    let revoked = false;
    mockBackend({
      gateway_status: () => (revoked ? { ...team, connected: false, lastError: removed } : team),
      remote_gateway_url: () => "https://gw.example.com",
    });
    const { client } = renderWithProviders(<GatewayCard />);
    await waitFor(() =>
      expect(screen.getByTestId("gateway-card-status").textContent).toBe(
        "Connected: your organization's gateway, through this computer's team credential (https://gw.example.com)",
      ),
    );
    revoked = true;
    await client.invalidateQueries();
    await waitFor(() => expect(screen.getByTestId("gateway-card-status").textContent).toBe(removed));
  });

  it("goes back to the built-in gateway", async () => {
    const calls = mockBackend({
      gateway_status: () => ({ ...builtin, mode: "remote", url: "https://gw.example.com" }),
      remote_gateway_url: () => "https://gw.example.com",
      use_builtin_gateway: () => builtin,
    });
    const user = userEvent.setup({ delay: null });
    renderWithProviders(<GatewayCard />);
    await waitFor(() => expect(screen.getByTestId("gateway-card-status").textContent).toContain("https://gw.example.com"));
    expect(screen.getByTestId("gateway-url")).toBeTruthy();
    await user.click(screen.getByTestId("gateway-choice-embedded"));
    await user.click(await screen.findByTestId("gateway-use-builtin"));
    await waitFor(() => expect(calls.some((c) => c.cmd === "use_builtin_gateway")).toBe(true));
  });
});
