import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { useState } from "react";
import { describe, expect, it, vi } from "vitest";

import { Providers } from "../../Providers";
import type { MemberRow } from "../../bindings/MemberRow";
import { renderWithProviders } from "../../test/render";
import { MemberTable } from "./MemberTable";

function member(id: number, name = `Member ${id}`): MemberRow {
  return {
    id,
    name,
    username: `user${id}`,
    primaryDepartment: "Sales",
    position: null,
    roles: [],
    status: "enabled",
    employeeId: null,
  } as unknown as MemberRow;
}

/** The table with its selection kept as the Members screen keeps it. */
function Harness({
  rows,
  total = rows.length,
  onOpen = () => {},
  onChange,
}: {
  rows: MemberRow[];
  total?: number;
  onOpen?: (id: number) => void;
  onChange?: (keys: number[]) => void;
}) {
  const [keys, setKeys] = useState<number[]>([]);
  return (
    <MemberTable
      rows={rows}
      loading={false}
      total={total}
      page={1}
      pageSize={50}
      searching={false}
      selectedKeys={keys}
      onSelectionChange={(next) => {
        setKeys(next);
        onChange?.(next);
      }}
      onOpen={onOpen}
      onRowAction={() => {}}
      onPageChange={() => {}}
    />
  );
}

const boxOf = (id: number) => within(screen.getByTestId(`member-row-${id}`)).getByRole("checkbox");

describe("the member list", () => {
  it("selects a range with Shift and the whole page from the header, and marks selected rows", async () => {
    const user = userEvent.setup();
    const changes: number[][] = [];
    renderWithProviders(<Harness rows={[1, 2, 3, 4, 5].map((id) => member(id))} onChange={(k) => changes.push(k)} />);

    await user.click(boxOf(2));
    await user.keyboard("{Shift>}");
    await user.click(boxOf(4));
    await user.keyboard("{/Shift}");
    expect(changes.at(-1)?.slice().sort()).toEqual([2, 3, 4]);
    expect(screen.getByTestId("member-row-3").className).toContain("ant-table-row-selected");
    expect(screen.getByTestId("member-row-5").className).not.toContain("ant-table-row-selected");

    const all = screen.getByRole("checkbox", { name: "Select all members on this page" });
    expect(all.closest(".ant-checkbox")?.className).toContain("ant-checkbox-indeterminate");
    await user.click(all);
    expect(changes.at(-1)?.slice().sort()).toEqual([1, 2, 3, 4, 5]);
    expect((all as HTMLInputElement).checked).toBe(true);
    await user.click(all);
    expect(changes.at(-1)).toEqual([]);
    expect((boxOf(3) as HTMLInputElement).checked).toBe(false);
  });

  it("opens a member from the row but not from its box, and names the box after the member", async () => {
    const user = userEvent.setup();
    const onOpen = vi.fn();
    renderWithProviders(<Harness rows={[member(7, "Ada <b>Lovelace</b>")]} onOpen={onOpen} />);
    await user.click(screen.getByRole("checkbox", { name: "Select Ada <b>Lovelace</b>" }));
    expect(onOpen).not.toHaveBeenCalled();
    await user.click(screen.getByTestId("member-name-7"));
    expect(onOpen).toHaveBeenCalledWith(7);
    // Typed text, never markup.
    expect(screen.getByTestId("member-name-7").textContent).toBe("Ada <b>Lovelace</b>");
    expect(screen.getByTestId("member-row-7").querySelector("b")).toBeNull();
  });

  it("shows a new page in the rows already on screen, with each row's menu made for its member", async () => {
    const user = userEvent.setup();
    const { client, rerender } = renderWithProviders(<Harness rows={[member(1), member(2)]} />);
    const first = screen.getByTestId("member-row-1");
    await user.click(screen.getByTestId("member-actions-1"));
    expect((await screen.findByTestId("row-action-view")).textContent).toBe("View details");
    await user.keyboard("{Escape}");

    rerender(
      <Providers client={client}>
        <Harness rows={[member(8), member(9)]} />
      </Providers>,
    );
    // The same element now shows member 8: nothing was removed and built again.
    expect(screen.getByTestId("member-row-8")).toBe(first);
    expect(screen.queryByTestId("member-row-1")).toBeNull();
    expect(within(first).getByTestId("member-name-8").textContent).toBe("Member 8");
    // Member 1's menu does not carry over to member 8: the button starts unarmed.
    expect(first.querySelector(".ant-dropdown-trigger")).toBeNull();
  });

  it("builds the rows a window shows first, and the rest of the page and its pager a frame later", async () => {
    const rows = Array.from({ length: 50 }, (_, i) => member(i + 1));
    const height = window.innerHeight;
    window.innerHeight = 800;
    try {
      renderWithProviders(<Harness rows={rows} total={120} />);
    } finally {
      window.innerHeight = height;
    }
    const count = () => screen.getByTestId("member-table").querySelectorAll("tbody tr.ant-table-row").length;
    // 800 px less the header and margins (160) hold 16 rows of 40 px; one more is built.
    expect(count()).toBe(17);
    expect(screen.getByTestId("member-row-1")).toBeTruthy();
    const pager = () => screen.getByTestId("member-table").closest(".ant-table-wrapper")?.querySelector(".ant-pagination") ?? null;
    expect(pager()).toBeNull();
    await waitFor(() => expect(count()).toBe(50));
    expect(screen.getByTestId("member-row-50")).toBeTruthy();
    expect(pager()).not.toBeNull();
  });

  it("says why the list is empty", () => {
    renderWithProviders(<Harness rows={[]} />);
    expect(screen.getByTestId("member-table").textContent).toContain("Members of this department appear here.");
    expect((screen.getByRole("checkbox", { name: "Select all members on this page" }) as HTMLInputElement).disabled).toBe(true);
  });
});
