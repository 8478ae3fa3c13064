import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";

import type { TeamStatus } from "../../bindings/TeamStatus";
import { setLanguage } from "../../i18n";
import { fill } from "../../test/directory";
import { commandError } from "../../test/fixtures";
import { mockBackend, renderWithProviders } from "../../test/render";
import { GatewayCard } from "./GatewayCard";

const builtin = { mode: "embedded", url: "http://127.0.0.1:4000", connected: true, lastError: null, mailFolder: "/data/mail" };
const outside: TeamStatus = { inTeam: false, gateway: null, deviceId: null, deviceName: null, admin: null, waiting: 0, refused: [] };
const joined: TeamStatus = {
  ...outside,
  inTeam: true,
  gateway: "https://gw.example.com",
  deviceId: "dev_laptop",
  deviceName: "Laptop",
  admin: { id: 1, name: "Ann Lee", username: "ann" },
};

describe("Gateway settings", () => {
  it("connects to a remote gateway, showing a refused token on its field first", async () => {
    let attempts = 0;
    const calls = mockBackend({
      gateway_status: () => builtin,
      team_status: () => outside,
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

  it("shows a computer of a team connected through its own credential, never asking for a token, then removed from the team", async () => {
    const team = { ...builtin, mode: "team", url: "https://gw.example.com" };
    const removed = "This computer was removed from the team: the gateway no longer accepts its credential.";
    let revoked = false;
    const calls = mockBackend({
      gateway_status: () => (revoked ? { ...team, connected: false, lastError: removed, lastErrorCode: "removed_from_team" } : team),
      team_status: () => joined,
      remote_gateway_url: () => "https://gw.example.com",
    });
    const { client } = renderWithProviders(<GatewayCard />);
    await waitFor(() =>
      expect(screen.getByTestId("gateway-card-status").textContent).toBe(
        "Connected: your organization's gateway, through this computer's team credential (https://gw.example.com)",
      ),
    );
    expect((await screen.findByTestId("gateway-team-url")).textContent).toBe("https://gw.example.com");
    expect(screen.getByTestId("gateway-team-credential").textContent).toBe("This computer's own device credential, kept in the system keyring");
    expect(screen.getByTestId("gateway-team-computer").textContent).toBe("Laptop, enrolled for Ann Lee (ann)");
    expect(screen.getByTestId("gateway-team-fixed").textContent).toContain("another gateway would take it out of the team");
    // No token form and no other gateway on offer.
    for (const id of ["gateway-token", "gateway-url", "gateway-choice-remote", "gateway-choice-embedded", "gateway-use-builtin"]) {
      expect(screen.queryByTestId(id)).toBeNull();
    }
    revoked = true;
    await client.invalidateQueries();
    await waitFor(() => expect(screen.getByTestId("gateway-card-status").textContent).toMatch(/^This computer was removed from the team: the gateway no longer accepts its credential \(/));
    expect(screen.queryByTestId("gateway-token")).toBeNull();
    await setLanguage("zh-CN");
    await waitFor(() => expect(screen.getByTestId("gateway-card-status").textContent).toMatch(/^本机已被移出团队：网关不再接受它的凭据/));
    expect(calls.some((c) => c.cmd === "connect_remote_gateway" || c.cmd === "use_builtin_gateway")).toBe(false);
  });

  it("on the computer that started the team, says which credential links it, in Chinese too", async () => {
    mockBackend({
      gateway_status: () => ({ ...builtin, mode: "remote", url: "https://gw.example.com" }),
      team_status: () => ({ ...joined, deviceName: "Office PC" }),
      remote_gateway_url: () => "https://gw.example.com",
    });
    await setLanguage("zh-CN");
    renderWithProviders(<GatewayCard />);
    expect((await screen.findByTestId("gateway-team-credential")).textContent).toBe("组织的 API 令牌，保存在系统钥匙串中");
    expect(screen.getByTestId("gateway-team-computer").textContent).toBe("Office PC，登记给 Ann Lee (ann)");
    expect(screen.getByTestId("gateway-team-fixed").textContent).toContain("退出团队");
    expect(screen.queryByTestId("gateway-token")).toBeNull();
  });

  it("goes back to the built-in gateway", async () => {
    const calls = mockBackend({
      gateway_status: () => ({ ...builtin, mode: "remote", url: "https://gw.example.com" }),
      team_status: () => ({ ...outside, gateway: "https://gw.example.com" }),
      remote_gateway_url: () => "https://gw.example.com",
      use_builtin_gateway: () => builtin,
    });
    const user = userEvent.setup({ delay: null });
    renderWithProviders(<GatewayCard />);
    await waitFor(() => expect(screen.getByTestId("gateway-card-status").textContent).toContain("https://gw.example.com"));
    expect(await screen.findByTestId("gateway-url")).toBeTruthy();
    await user.click(screen.getByTestId("gateway-choice-embedded"));
    await user.click(await screen.findByTestId("gateway-use-builtin"));
    await waitFor(() => expect(calls.some((c) => c.cmd === "use_builtin_gateway")).toBe(true));
  });
});
