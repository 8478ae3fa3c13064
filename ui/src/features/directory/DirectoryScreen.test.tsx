import { fireEvent, screen, waitFor, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";

import type { MemberQuery } from "../../bindings/MemberQuery";
import { fill, pick, queries, renderDirectoryScreen } from "../../test/directory";
import { commandError, directoryHandlers, rows } from "../../test/fixtures";
import { mockBackend } from "../../test/render";

type Calls = ReturnType<typeof mockBackend>;


function lastQuery(calls: Calls): MemberQuery {
  const all = queries(calls).filter((q) => q.status !== "enabled" || q.departmentId !== null);
  return all[all.length - 1];
}



describe("Members & Departments", () => {
  it("requests one page at a time and sends the search text", async () => {
    const many = Array.from({ length: 120 }, (_, i) => ({ ...rows[0], id: 100 + i, name: `Person ${i}` }));
    const { calls, user } = await renderDirectoryScreen({
      list_members: (a) => {
        const q = a.query as MemberQuery;
        return { rows: [rows[0], ...many].slice(q.offset, q.offset + q.limit), total: 121 };
      },
    });
    expect(lastQuery(calls)).toMatchObject({ departmentId: 1, includeSubDepartments: true, status: "all", search: null, offset: 0, limit: 50 });
    expect(screen.getByTestId("member-total").textContent).toBe("121 members");

    await user.click(screen.getByTitle("2"));
    await waitFor(() => expect(lastQuery(calls)).toMatchObject({ offset: 50, limit: 50 }));
    expect(queries(calls).every((q) => q.limit <= 200)).toBe(true);

    await fill(user, screen.getByTestId("member-search"), "ad");
    await waitFor(() => expect(lastQuery(calls)).toMatchObject({ search: "ad", offset: 0, limit: 50 }));
    // The search's first page is asked for once, before the list renders with it, and that
    // answer is the one the list shows: the list does not ask again.
    await screen.findByTestId("member-row-1");
    const asked = queries(calls).filter((q) => q.search === "ad");
    expect(asked).toHaveLength(1);
  });

  it("changes the query with the status filter and the sub-department switch", async () => {
    const { calls, user } = await renderDirectoryScreen();
    expect(screen.getByTestId("status-filter").contains(screen.getByTestId("status-enabled"))).toBe(true);
    expect(screen.getByTestId("member-table").contains(screen.getByTestId("member-row-1"))).toBe(true);
    expect(screen.getByTestId("member-status-3").textContent).toBe("Not Joined");
    await user.click(screen.getByTestId("status-enabled"));
    await waitFor(() => expect(lastQuery(calls)).toMatchObject({ status: "enabled", includeSubDepartments: true }));
    await user.click(screen.getByTestId("include-subdepartments"));
    await waitFor(() => expect(lastQuery(calls)).toMatchObject({ status: "enabled", includeSubDepartments: false }));
    await user.click(screen.getByTestId("status-pending_join"));
    await waitFor(() => expect(lastQuery(calls)).toMatchObject({ status: "pending_join" }));
  });

  it("focuses the search with '/' but not while typing elsewhere", async () => {
    const { user } = await renderDirectoryScreen();
    const search = screen.getByTestId("member-search");
    expect(document.activeElement).not.toBe(search);
    await user.keyboard("/");
    expect(document.activeElement).toBe(search);
    expect((search as HTMLInputElement).value).toBe("");
  });

  it("opens the wizard with N and asks to remove the selection with Delete", async () => {
    const { calls, user } = await renderDirectoryScreen({ remove_member: () => null });
    await user.click(within(screen.getByTestId("member-row-3")).getByRole("checkbox"));
    await user.click(within(screen.getByTestId("member-row-2")).getByRole("checkbox"));
    (document.activeElement as HTMLElement | null)?.blur();
    await user.keyboard("{Delete}");
    const ask = await screen.findByTestId("remove-many");
    expect(ask.textContent).toContain("1 member has not joined and will be removed now.");
    expect(ask.textContent).toContain("Bob Stone");
    await user.click(screen.getByTestId("remove-many-ok"));
    await waitFor(() => expect(calls.filter((c) => c.cmd === "remove_member").map((c) => c.args)).toEqual([{ id: 3, transferTo: null }]));

    await user.keyboard("n");
    expect(await screen.findByTestId("wizard-name")).toBeTruthy();
  });

  it("offers in the row menu and the drawer only the actions the status allows", async () => {
    const { user } = await renderDirectoryScreen();
    await user.click(screen.getByTestId("member-actions-2"));
    expect(await screen.findByTestId("row-action-enable")).toBeTruthy();
    expect(screen.queryByTestId("row-action-disable")).toBeNull();
    expect(screen.queryByTestId("row-action-restore")).toBeNull();

    await user.click(screen.getByTestId("member-name-4"));
    const drawer = await screen.findByTestId("member-drawer");
    await within(drawer).findByTestId("action-restore");
    expect(within(drawer).getByTestId("action-remove")).toBeTruthy();
    expect(within(drawer).queryByTestId("action-edit")).toBeNull();
    expect(within(drawer).queryByTestId("action-disable")).toBeNull();
    expect(within(drawer).queryByTestId("action-enable")).toBeNull();
    expect(within(drawer).getByTestId("detail-status").textContent).toBe("Resigned");
    // Positions and history come a frame after the fields.
    expect((await within(drawer).findByTestId("detail-position-2")).textContent).toContain("Primary");
    expect(within(drawer).getByTestId("set-primary-3")).toBeTruthy();
    expect(within(drawer).getByTestId("detail-history").textContent).toContain("Ada Lovelace · added the member");
  });

  it("reads a member's details when the pointer rests on the row, and the drawer opens with them", async () => {
    const { calls, user } = await renderDirectoryScreen();
    const detailReads = () => calls.filter((c) => c.cmd === "member_details").map((c) => c.args.id);
    expect(detailReads()).toEqual([]);

    fireEvent.mouseEnter(screen.getByTestId("member-row-4"));
    await waitFor(() => expect(detailReads()).toEqual([4]));

    await user.click(screen.getByTestId("member-name-4"));
    const drawer = await screen.findByTestId("member-drawer");
    expect(within(drawer).getByTestId("detail-status").textContent).toBe("Resigned");
    expect(detailReads()).toEqual([4]);
  });

  it("opens a member's details once they are read, in one picture with no skeleton before it", async () => {
    const read = directoryHandlers().member_details;
    const { user } = await renderDirectoryScreen({
      member_details: (a) => new Promise((resolve) => setTimeout(() => resolve(read(a)), 60)),
    });
    await user.click(screen.getByTestId("member-name-4"));
    // Not yet: the details are being read.
    expect(screen.queryByTestId("member-drawer")).toBeNull();
    const drawer = await screen.findByTestId("member-drawer");
    expect(drawer.querySelector(".ant-skeleton")).toBeNull();
    expect(within(drawer).getByTestId("detail-name").textContent).toBe("Dee Gone");
  });

  it("opens the drawer on its skeleton when the details are slow to come", async () => {
    const read = directoryHandlers().member_details;
    const { user } = await renderDirectoryScreen({
      member_details: (a) => new Promise((resolve) => setTimeout(() => resolve(read(a)), 600)),
    });
    await user.click(screen.getByTestId("member-name-4"));
    const drawer = await screen.findByTestId("member-drawer", {}, { timeout: 400 });
    expect(drawer.querySelector(".ant-skeleton")).not.toBeNull();
    expect((await within(drawer).findByTestId("detail-name", {}, { timeout: 2000 })).textContent).toBe("Dee Gone");
  });

  it("fills the drawer with the next member in place, and closes what was open for the last one", async () => {
    const { user } = await renderDirectoryScreen();
    await user.click(screen.getByTestId("member-name-1"));
    const drawer = await screen.findByTestId("member-drawer");
    await within(drawer).findByTestId("action-reset-password");
    await user.click(within(drawer).getByTestId("action-reset-password"));
    expect(await screen.findByTestId("reset-send")).toBeTruthy();

    await user.click(screen.getByTestId("member-name-4"));
    await waitFor(() => expect(within(drawer).getByTestId("detail-name").textContent).toBe("Dee Gone"));
    // The same drawer, not one built again; the reset dialog was for Ada and is gone.
    expect(screen.getByTestId("member-drawer")).toBe(drawer);
    await waitFor(() => expect(screen.queryByTestId("reset-send")).toBeNull());

    // Closed and opened again for another member: still the same drawer, filled anew.
    await user.click(drawer.closest(".ant-drawer")!.querySelector(".ant-drawer-close")!);
    await waitFor(() => expect(drawer.closest(".ant-drawer-open")).toBeNull());
    await user.click(screen.getByTestId("member-name-1"));
    await waitFor(() => expect(within(drawer).getByTestId("detail-name").textContent).toBe("Ada Lovelace"));
    expect(screen.getByTestId("member-drawer")).toBe(drawer);
  });

  it("shows a delete refusal and selects all the department's members as a query", async () => {
    const message = "Sales still has 2 members and 1 sub-department (EMEA).";
    const { calls, user } = await renderDirectoryScreen({
      delete_department: () => {
        throw commandError({
          code: "validation",
          message,
          details: [
            { field: "members", code: "has_members", reason: "2" },
            { field: "subDepartments", code: "has_sub_departments", reason: "EMEA" },
          ],
        });
      },
      batch_update: () => ({ changed: 2, unchanged: 0, skipped: [] }),
    });
    await user.click(screen.getByTestId("dept-more-2"));
    await user.click(await screen.findByTestId("dept-action-delete"));
    await user.click(await screen.findByTestId("dept-delete-ok"));
    const refused = await screen.findByTestId("dept-delete-refused");
    expect(refused.textContent).toContain(message);
    await user.click(within(refused).getByTestId("dept-select-members"));

    await waitFor(() => expect(lastQuery(calls)).toMatchObject({ departmentId: 2, includeSubDepartments: true, status: "all" }));
    const bar = await screen.findByTestId("batch-bar");
    expect(bar.textContent).toContain("4 selected");
    await user.click(within(bar).getByTestId("batch-disable"));
    await user.click(await screen.findByTestId("confirm-ok"));
    await waitFor(() => expect(calls.some((c) => c.cmd === "batch_update")).toBe(true));
    const args = calls.find((c) => c.cmd === "batch_update")?.args as { selection: { kind: string; query: MemberQuery }; change: unknown };
    expect(args.selection.kind).toBe("query");
    expect(args.selection.query).toMatchObject({ departmentId: 2, includeSubDepartments: true, status: "all", search: null });
    expect(args.change).toEqual({ kind: "disable" });
  });

  it("lists the members a batch could not change, with the reason", async () => {
    const { calls, user } = await renderDirectoryScreen({
      batch_update: () => ({ changed: 1, unchanged: 0, skipped: [{ id: 4, name: "Dee Gone", reason: "A resigned member cannot be resigned." }] }),
    });
    const row1 = screen.getByTestId("member-row-1");
    const row4 = screen.getByTestId("member-row-4");
    await user.click(within(row1).getByRole("checkbox"));
    await user.click(within(row4).getByRole("checkbox"));
    expect(screen.queryByTestId("member-drawer")).toBeNull();
    const bar = await screen.findByTestId("batch-bar");
    await user.click(within(bar).getByTestId("batch-resign"));
    await user.click(await screen.findByTestId("confirm-ok"));
    const result = await screen.findByTestId("batch-result");
    expect(result.textContent).toContain("1 changed, 0 unchanged");
    expect(result.textContent).toContain("Dee Gone");
    expect(result.textContent).toContain("A resigned member cannot be resigned.");
    expect(calls.find((c) => c.cmd === "batch_update")?.args).toEqual({ selection: { kind: "ids", ids: [1, 4] }, change: { kind: "resign" } });
  });

  it("sends invitations to the selected members and lists those it skipped", async () => {
    const { calls, user } = await renderDirectoryScreen({
      invite_members: () => ({ invited: 1, skipped: [{ field: "Ann", code: "already_joined", reason: "Ann has already joined." }] }),
    });
    await user.click(within(screen.getByTestId("member-row-1")).getByRole("checkbox"));
    await user.click(within(screen.getByTestId("member-row-3")).getByRole("checkbox"));
    await user.click(await screen.findByTestId("batch-invite"));
    await user.click(await screen.findByTestId("invite-channel-link"));
    await user.click(screen.getByTestId("invite-send"));
    await waitFor(() => expect(calls.find((c) => c.cmd === "invite_members")?.args).toEqual({ memberIds: [1, 3], channel: "link" }));
    expect((await screen.findByTestId("invite-skipped")).textContent).toContain("Ann has already joined.");
  });

  it("batch edits the work location of the selected members", async () => {
    const { calls, user } = await renderDirectoryScreen({ batch_update: () => ({ changed: 1, unchanged: 0, skipped: [] }) });
    await user.click(within(screen.getByTestId("member-row-2")).getByRole("checkbox"));
    await user.click(await screen.findByTestId("batch-edit"));
    await pick(user, "batch-field", "Work location");
    await fill(user, await screen.findByTestId("batch-value"), "Berlin");
    await user.click(screen.getByTestId("batch-ok"));
    await waitFor(() =>
      expect(calls.find((c) => c.cmd === "batch_update")?.args).toEqual({
        selection: { kind: "ids", ids: [2] },
        change: { kind: "setWorkLocation", work_location: "Berlin" },
      }),
    );
    expect((await screen.findByTestId("batch-result")).textContent).toContain("1 changed");
  });

  it("batch Department adds the department by default, replaces all when asked, and says which it did", async () => {
    const { calls, user } = await renderDirectoryScreen({ batch_update: () => ({ changed: 2, unchanged: 1, skipped: [] }) });
    const run = async (replace: boolean) => {
      await user.click(within(screen.getByTestId("member-row-2")).getByRole("checkbox"));
      await user.click(await screen.findByTestId("batch-edit"));
      await pick(user, "batch-value", "Sales");
      const mode = screen.getByTestId("batch-dept-mode");
      expect((within(mode).getByLabelText("Add this department") as HTMLInputElement).checked).toBe(true);
      expect(screen.getByText("Added beside each member’s departments; their primary department stays as it is.")).toBeTruthy();
      if (replace) {
        await user.click(within(mode).getByLabelText("Replace all departments"));
        expect(screen.getByText(/Becomes each member’s only department/)).toBeTruthy();
      }
      await user.click(screen.getByTestId("batch-ok"));
      const result = await screen.findByTestId("batch-result");
      const headline = within(result).getByTestId("batch-result-headline").textContent;
      await user.click(within(result).getByTestId("batch-result-ok"));
      return headline;
    };
    expect(await run(false)).toBe("“Sales” added to the departments of 2 members.");
    expect(await run(true)).toBe("The departments of 2 members replaced with “Sales”.");
    const changes = calls.filter((c) => c.cmd === "batch_update").map((c) => c.args.change);
    expect(changes).toEqual([
      { kind: "setDepartment", department_id: 2, title: null, mode: "add" },
      { kind: "setDepartment", department_id: 2, title: null, mode: "replace" },
    ]);
  });

  it("says before and after deleting a department which resigned members' positions move to its parent", async () => {
    const moved = { name: "Sales", parentPath: "", parentName: "Acme", resignedMoved: [{ id: 4, name: "Dee Gone", username: null }] };
    const { calls, user } = await renderDirectoryScreen({
      department_deletion_preview: () => moved,
      delete_department: () => moved,
    });
    await user.click(screen.getByTestId("dept-more-2"));
    await user.click(await screen.findByTestId("dept-action-delete"));
    expect((await screen.findByTestId("dept-delete-moves")).textContent).toBe(
      "1 resigned member holds a position here: Dee Gone. It moves to “Acme”.",
    );
    await user.click(screen.getByTestId("dept-delete-ok"));
    await waitFor(() => expect(calls.find((c) => c.cmd === "delete_department")?.args).toEqual({ id: 2 }));
    expect(await screen.findByText("Department “Sales” deleted. The position of 1 resigned member (Dee Gone) moved to “Acme”.")).toBeTruthy();
  });

  it("creates a sub-department and shows a name error from the server", async () => {
    let taken = true;
    const { calls, user } = await renderDirectoryScreen({
      create_department: () => {
        if (taken) throw commandError({ code: "validation", details: [{ field: "name", code: "duplicate", reason: "dup" }] });
        return 7;
      },
    });
    await user.click(screen.getByTestId("dept-add-child-2"));
    await fill(user, await screen.findByTestId("dept-name-input"), "EMEA");
    await user.click(screen.getByTestId("dept-name-ok"));
    expect(await screen.findByText("Duplicate.")).toBeTruthy();
    taken = false;
    await user.click(screen.getByTestId("dept-name-ok"));
    await waitFor(() => expect(calls.filter((c) => c.cmd === "create_department").pop()?.args).toEqual({ parentId: 2, name: "EMEA" }));
  });
});
