import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";

import { roles, session, signedIn, tree } from "../../test/fixtures";
import { mockBackend, renderWithProviders } from "../../test/render";
import { ApproveDialog } from "../joinRequests/ApproveDialog";
import { RolesSelect } from "./RolesSelect";

/** The dropdown's options as (title, greyed out). */
async function options() {
  let found: [string | null, boolean][] = [];
  await waitFor(() => {
    found = [...document.querySelectorAll(".ant-select-dropdown .ant-select-item-option")].map((o) => [
      o.getAttribute("title"),
      o.classList.contains("ant-select-item-option-disabled"),
    ]);
    expect(found).toHaveLength(3);
  });
  return found;
}

describe("Roles picker", () => {
  it("greys out Super Admin, saying why, for an admin who is not a Super Admin", async () => {
    mockBackend({
      app_status: () => ({ ...signedIn, session: { ...session, roles: ["Admin"] } }),
      list_roles: () => roles,
    });
    renderWithProviders(<RolesSelect open value={[1, 3]} data-testid="roles" />);
    expect(await options()).toEqual([
      ["Super Admin", true],
      ["Admin", false],
      ["Member", false],
    ]);
    expect(screen.getByText("(Only a Super Admin can give or take away this role.)")).toBeTruthy();
    // A member who holds it keeps its tag, which this admin cannot take away.
    const tags = [...document.querySelectorAll(".ant-select-selection-item")];
    expect(tags.map((t) => t.getAttribute("title"))).toEqual(["Super Admin", "Member"]);
    expect(tags[0].querySelector(".ant-select-selection-item-remove")).toBeNull();
    expect(tags[1].querySelector(".ant-select-selection-item-remove")).not.toBeNull();
  });

  it("offers every role to a Super Admin", async () => {
    mockBackend({ app_status: () => signedIn, list_roles: () => roles });
    renderWithProviders(<RolesSelect open value={[]} data-testid="roles" />);
    expect(await options()).toEqual([
      ["Super Admin", false],
      ["Admin", false],
      ["Member", false],
    ]);
    expect(screen.queryByText(/Only a Super Admin/)).toBeNull();
  });

  it("greys out Super Admin as the role to approve people into, for an Admin", async () => {
    mockBackend({
      app_status: () => ({ ...signedIn, session: { ...session, roles: ["Admin"] } }),
      list_roles: () => roles,
      department_tree: () => tree,
    });
    const user = userEvent.setup({ delay: null });
    renderWithProviders(<ApproveDialog rows={[]} pending={false} problem={null} onApprove={() => {}} onClose={() => {}} />);
    await user.click(within(await screen.findByTestId("approve-role")).getByRole("combobox"));
    expect(await options()).toEqual([
      ["Super Admin", true],
      ["Admin", false],
      ["Member", false],
    ]);
  });
});
