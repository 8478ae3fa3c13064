import { screen } from "@testing-library/react";
import { describe, expect, it } from "vitest";

import { renderDirectoryScreen } from "../../test/directory";
import { memberDetails, rows, session, signedIn } from "../../test/fixtures";

/** Ada (member 1) holds the Super Admin role; the signed-in admin holds `roles`. */
async function signedInAs(roles: string[]) {
  return renderDirectoryScreen({
    app_status: () => ({ ...signedIn, session: { ...session, roles } }),
    member_details: (a) => {
      const row = rows.find((r) => r.id === a.id) ?? rows[0];
      return memberDetails(row, row.id === 1 ? { roles: [{ id: 1, name: "Super Admin" }] } : {});
    },
  });
}

/** The test ids of the newest row menu of member `id`. */
async function menuOf(user: Awaited<ReturnType<typeof signedInAs>>["user"], id: number) {
  await user.click(screen.getByTestId(`member-actions-${id}`));
  const menu = (await screen.findAllByTestId("row-action-view")).at(-1) as HTMLElement;
  const items = [...(menu.closest("ul")?.querySelectorAll("[data-testid^='row-action-']") ?? [])].map((e) => e.getAttribute("data-testid"));
  await user.keyboard("{Escape}");
  return items;
}

describe("A Super Admin, seen by an Admin", () => {
  it("offers only viewing and editing, and says why", async () => {
    const { user } = await signedInAs(["Admin"]);
    expect(await menuOf(user, 1)).toEqual(["row-action-view", "row-action-edit", "row-action-super-admin-only"]);
    expect(screen.getAllByTestId("row-action-super-admin-only").at(-1)?.textContent).toBe(
      "Only a Super Admin can change a Super Admin's status or password, or remove them.",
    );
    // Another member's menu is whole.
    expect(await menuOf(user, 2)).toContain("row-action-remove");

    await user.click(screen.getByTestId("member-name-1"));
    await screen.findByTestId("action-super-admin-only");
    expect(screen.getByTestId("action-edit")).toBeTruthy();
    for (const id of ["action-reset-password", "action-set-password", "action-disable", "action-resign", "action-remove"]) {
      expect(screen.queryByTestId(id), id).toBeNull();
    }
  });

  it("offers a Super Admin everything", async () => {
    const { user } = await signedInAs(["Super Admin"]);
    const items = await menuOf(user, 1);
    expect(items).toContain("row-action-setPassword");
    expect(items).toContain("row-action-disable");
    expect(items).not.toContain("row-action-super-admin-only");
    await user.click(screen.getByTestId("member-name-1"));
    await screen.findByTestId("action-set-password");
    expect(screen.getByTestId("action-disable")).toBeTruthy();
    expect(screen.queryByTestId("action-super-admin-only")).toBeNull();
  });
});
