import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";

import type { TeamDevice } from "../../bindings/TeamDevice";
import type { TeamStatus } from "../../bindings/TeamStatus";
import { setLanguage } from "../../i18n";
import { pick } from "../../test/directory";
import { bobRefused, rows, session } from "../../test/fixtures";
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
  refused: [bobRefused],
};
/** Refusals of every shape: a variant by action, a plural, an unreadable change, a code the window does not know. */
const moreRefused: TeamStatus["refused"] = [
  { seq: 11, changeId: "c11", what: "Disable Bob Stone", kind: "member.status", values: { action: "disable", member: "Bob Stone" }, field: null, reason: "Member 4 does not exist.", code: "not_found", loggedAt: 1_700_000_300 },
  { seq: 10, changeId: "c10", what: "Change 3 members at once", kind: "member.batch", values: { count: "3" }, field: null, reason: "Only a Super Admin can do this.", code: "not_allowed", loggedAt: 1_700_000_200 },
  { seq: 9, changeId: "c9", what: "A change of kind \"member.fly\"", kind: null, values: {}, field: "kind", reason: "unknown variant `member.fly`", code: "unreadable", loggedAt: 1_700_000_100 },
  { seq: 8, changeId: "c8", what: "Make \"Sales\" the head", kind: "department.set_head", values: { action: "set", department: "Sales", member: "Ada Lovelace" }, field: null, reason: "A reason of a newer version.", code: "brand_new", loggedAt: 1_700_000_050 },
];
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

  it("words each refused change and why in the window's language, the core's English in English", async () => {
    const status = { ...inTeam, refused: [...moreRefused, ...inTeam.refused] };
    inTeamBackend({ team_status: () => status });
    const shown = async () => {
      const { unmount } = renderWithProviders(<TeamCard session={session} />);
      const text = (await screen.findByTestId("team-refused")).textContent;
      unmount();
      return text;
    };
    const english = await shown();
    const inEnglish = ["Disable Bob Stone", "Member 4 does not exist.", "Change 3 members at once", "Make Ada Lovelace the head of \"Sales\""];
    for (const text of [...inEnglish, "Add member Bob Two (bob)", "The username \"bob\" is already used."]) expect(english).toContain(text);
    await setLanguage("zh-CN");
    const chinese = await shown();
    const inChinese = [
      "停用 Bob Stone",
      "其中涉及的对象已不存在：另一位管理员的更改先到。",
      "一次更改 3 名成员",
      "在日志的这一位置，其作者不是有权进行此更改的已启用管理员。",
      "此版本的 Orgdesk 无法读取该更改。",
      "将 Ada Lovelace 设为“Sales”的负责人",
      "添加成员 Bob Two（bob）",
      "其中的用户名、邮箱或手机号已被其他成员使用。",
    ];
    for (const text of inChinese) expect(chinese).toContain(text);
    // What cannot be worded here stays as the core wrote it.
    for (const text of ["A change of kind \"member.fly\"", "A reason of a newer version."]) expect(chinese).toContain(text);
    expect(chinese).not.toContain("Member 4 does not exist.");
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
