import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";

import type { TeamDevice } from "../../bindings/TeamDevice";
import type { TeamStatus } from "../../bindings/TeamStatus";
import { pick } from "../../test/directory";
import { rows, session } from "../../test/fixtures";
import { mockBackend, renderWithProviders } from "../../test/render";
import { TeamCard } from "./TeamCard";

const GATEWAY = "https://gw.example.com";
const outside: TeamStatus = { inTeam: false, gateway: null, deviceId: null, deviceName: null, admin: null, waiting: 0, refused: [] };
const inTeam: TeamStatus = {
  inTeam: true,
  gateway: GATEWAY,
  deviceId: "dev_office",
  deviceName: "Office PC",
  admin: { id: 1, name: "Ada Lovelace", username: "ada" },
  waiting: 2,
  refused: [
    {
      seq: 7,
      changeId: "c7",
      what: "Add member Bob Two (bob)",
      field: "username",
      reason: "The username \"bob\" is already used.",
      loggedAt: 1_700_000_000,
    },
  ],
};
const devices: TeamDevice[] = [
  { deviceId: "dev_office", deviceName: "Office PC", accountId: "acc_ada", username: "ada", enrolledAt: 1_700_000_000_000, lastSeenAt: 1_700_000_600_000, revokedAt: null, thisComputer: true },
  { deviceId: "dev_laptop", deviceName: "Laptop", accountId: "acc_ada", username: "ada", enrolledAt: 1_700_000_100_000, lastSeenAt: null, revokedAt: null, thisComputer: false },
];
const admins = [...rows, { ...rows[1], id: 5, name: "Eve Admin", username: "eve", roles: ["Admin"], status: "enabled" as const }];

function inTeamBackend(extra: Record<string, (args: Record<string, unknown>) => unknown> = {}) {
  return mockBackend({
    team_status: () => inTeam,
    team_devices: () => devices,
    list_members: () => ({ rows: admins, total: admins.length }),
    ...extra,
  });
}

describe("Team card", () => {
  it("with the built-in gateway, says that team mode needs the organization's gateway", async () => {
    mockBackend({ team_status: () => outside });
    renderWithProviders(<TeamCard session={session} />);
    const notice = await screen.findByTestId("team-builtin");
    expect(notice.textContent).toContain("Team mode needs your organization's gateway.");
    expect(notice.textContent).toContain("Gateway card above");
    expect(screen.getByTestId("team-to-gateway").textContent).toBe("Go to the gateway");
    expect(screen.queryByTestId("team-start")).toBeNull();
  });

  it("lets a Super Admin start a team on the organization's gateway, after saying what it means", async () => {
    let status: TeamStatus = { ...outside, gateway: GATEWAY };
    const calls = mockBackend({
      team_status: () => status,
      team_start: () => {
        status = { ...inTeam, waiting: 0, refused: [] };
        return status;
      },
      team_devices: () => devices,
      list_members: () => ({ rows: admins, total: admins.length }),
    });
    const user = userEvent.setup({ delay: null });
    renderWithProviders(<TeamCard session={session} />);
    await user.click(await screen.findByTestId("team-start"));
    expect((await screen.findAllByText("Start a team on this gateway?")).length).toBeGreaterThan(0);
    await user.click(screen.getByTestId("team-start-ok"));
    await waitFor(() => expect(calls.find((c) => c.cmd === "team_start")?.args).toEqual({ deviceName: null }));
    expect((await screen.findByTestId("team-this-computer")).textContent).toBe("Office PC, enrolled for Ada Lovelace (ada)");
    expect(screen.getByTestId("team-waiting").textContent).toBe("Nothing: every change made here has reached the team.");
    expect(screen.getByTestId("team-refused-empty").textContent).toContain("every change made on this computer was accepted");
  });

  it("tells an Admin that only a Super Admin starts a team", async () => {
    mockBackend({ team_status: () => ({ ...outside, gateway: GATEWAY }) });
    renderWithProviders(<TeamCard session={{ ...session, roles: ["Admin"] }} />);
    expect((await screen.findByTestId("team-start-super-admin")).textContent).toBe("Only a Super Admin can start a team.");
    expect(screen.queryByTestId("team-start")).toBeNull();
  });

  it("in a team, shows this computer, what waits, the devices and the changes the team refused", async () => {
    inTeamBackend();
    renderWithProviders(<TeamCard session={session} />);
    expect((await screen.findByTestId("team-this-computer")).textContent).toBe("Office PC, enrolled for Ada Lovelace (ada)");
    expect(screen.getByTestId("team-waiting").textContent).toBe("2 changes made here wait for the gateway.");
    const refused = screen.getByTestId("team-refused");
    expect(refused.textContent).toContain("Add member Bob Two (bob)");
    expect(refused.textContent).toContain("The username \"bob\" is already used.");
    const table = await screen.findByTestId("team-devices");
    await waitFor(() => expect(table.textContent).toContain("Laptop"));
    const office = screen.getByTestId("team-device-dev_office");
    expect(office.textContent).toContain("This computer");
    expect(within(office).queryByRole("button")).toBeNull();
    expect(screen.getByTestId("team-device-dev_laptop").textContent).toContain("Active");
  });

  it("revokes another computer only once the admin confirms", async () => {
    const calls = inTeamBackend({ team_revoke: () => null });
    const user = userEvent.setup({ delay: null });
    renderWithProviders(<TeamCard session={session} />);
    await user.click(await screen.findByTestId("team-revoke-dev_laptop"));
    expect((await screen.findAllByText("Revoke Laptop?")).length).toBeGreaterThan(0);
    expect(calls.some((c) => c.cmd === "team_revoke")).toBe(false);
    await user.click(screen.getByTestId("team-revoke-ok"));
    await waitFor(() => expect(calls.find((c) => c.cmd === "team_revoke")?.args).toEqual({ deviceId: "dev_laptop" }));
    expect(await screen.findByText("Device revoked.")).toBeTruthy();
  });

  it("enrolls an admin: only admins are offered, and the code shows large with its expiry, address and steps", async () => {
    const expiresAt = Date.UTC(2030, 0, 2, 9, 30);
    const calls = inTeamBackend({
      team_enroll: () => ({ code: "ABCD-EFGH-JKLM-NPQR-STUV-WXYZ-2345", expiresAt, gateway: GATEWAY, member: { id: 5, name: "Eve Admin", username: "eve" } }),
    });
    const user = userEvent.setup({ delay: null });
    renderWithProviders(<TeamCard session={session} />);
    await screen.findByTestId("team-enroll-member");
    await waitFor(() => expect(calls.some((c) => c.cmd === "list_members")).toBe(true));
    await pick(user, "team-enroll-member", "Eve Admin (eve)");
    expect(screen.queryByTitle("Bob Stone (bob)")).toBeNull();
    await user.click(screen.getByTestId("team-enroll"));
    await waitFor(() => expect(calls.find((c) => c.cmd === "team_enroll")?.args).toEqual({ memberId: 5 }));
    const dialog = await screen.findByTestId("team-enroll-dialog");
    expect(screen.getByTestId("team-enroll-code").textContent).toBe("ABCD-EFGH-JKLM-NPQR-STUV-WXYZ-2345");
    expect(screen.getByTestId("team-enroll-gateway").textContent).toContain(GATEWAY);
    expect(screen.getByTestId("team-enroll-expires").textContent).toContain("2030");
    expect(within(dialog).getByTestId("team-enroll-steps").textContent).toContain("the username eve and Eve Admin's password");
    await user.click(screen.getByTestId("team-enroll-done"));
    await waitFor(() => expect(screen.queryByTestId("team-enroll-dialog")).toBeNull());
  });
});
