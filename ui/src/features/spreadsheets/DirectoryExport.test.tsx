import type { Channel } from "@tauri-apps/api/core";
import { act, screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";

import type { JobProgress } from "../../bindings/JobProgress";
import type { MemberQuery } from "../../bindings/MemberQuery";
import { renderDirectoryScreen } from "../../test/directory";
import { commandError, jobUntilCancelled, rows } from "../../test/fixtures";
import { mockBackend } from "../../test/render";

type Calls = ReturnType<typeof mockBackend>;
type Args = Record<string, unknown>;

const send = <T,>(channel: unknown, message: T) => (channel as Channel<T>).onmessage(message);

const SLOW = 120_000;

const PATH = "/home/ada/members-Acme Ltd-2026-11-23.csv";

/** 120 people besides the fixtures, so that the list has more than one page. */
const many = Array.from({ length: 120 }, (_, i) => ({ ...rows[1], id: 100 + i, name: `Person ${i}`, username: `person${i}` }));

function manyMembers(a: Args) {
  const q = a.query as MemberQuery;
  const s = (q.search ?? "").toLowerCase();
  const matching = [...rows, ...many].filter((r) => !s || r.name.toLowerCase().includes(s));
  return { rows: matching.slice(q.offset, q.offset + q.limit), total: matching.length };
}

const exportButton = () => screen.getByTestId("list-export") as HTMLButtonElement;
const exports = (calls: Calls) => calls.filter((c) => c.cmd === "export_members_file").map((c) => c.args);
const lastList = (calls: Calls) => calls.filter((c) => c.cmd === "list_members").map((c) => c.args.query as MemberQuery).pop();

async function exportAs(user: ReturnType<typeof userEvent.setup>, format: "xlsx" | "csv") {
  await user.click(exportButton());
  await user.click(await screen.findByTestId(`list-export-${format}`));
}

describe("Members & Departments: export the current list", () => {
  it("exports the department, sub-department switch, status and search on screen, ignoring the page", async () => {
    const { calls, user } = await renderDirectoryScreen({
      list_members: manyMembers,
      export_members_file: () => ({ path: PATH, members: 120 }),
    });
    await user.click(screen.getByTestId("dept-node-2"));
    await waitFor(() => expect(lastList(calls)).toMatchObject({ departmentId: 2 }));
    await user.click(screen.getByTestId("include-subdepartments"));
    await user.click(screen.getByTestId("status-enabled"));
    await user.click(screen.getByTestId("member-search"));
    await user.paste("person");
    await waitFor(() => expect(screen.getByTestId("member-total").textContent).toBe("120 members"));
    await user.click(screen.getByTitle("2"));
    await waitFor(() => expect(lastList(calls)).toMatchObject({ offset: 50 }));
    expect(exportButton().getAttribute("aria-label")).toBe("Export this list: 120 members");

    await exportAs(user, "csv");

    expect((await screen.findByTestId("list-export-done")).textContent).toBe(`Exported 120 members to ${PATH}`);
    expect(exports(calls)).toHaveLength(1);
    expect(exports(calls)[0]).toMatchObject({
      query: { departmentId: 2, includeSubDepartments: false, status: "enabled", search: "person", offset: 0 },
      format: "csv",
      lang: "en",
      dialogTitle: "Export members",
    });
  }, SLOW);

  it("exports to Excel with the chosen format and the default filters", async () => {
    const { calls, user } = await renderDirectoryScreen({ export_members_file: () => ({ path: "/tmp/m.xlsx", members: 1 }) });
    expect(exportButton().getAttribute("aria-label")).toBe("Export this list: 4 members");
    await exportAs(user, "xlsx");
    expect((await screen.findByTestId("list-export-done")).textContent).toBe("Exported 1 member to /tmp/m.xlsx");
    expect(exports(calls)[0]).toMatchObject({
      query: { departmentId: 1, includeSubDepartments: true, status: "all", search: null, offset: 0 },
      format: "xlsx",
    });
  });

  it("shows progress while it writes, and Cancel stops that same job", async () => {
    const running = jobUntilCancelled();
    const { calls, user } = await renderDirectoryScreen({ export_members_file: running.run, cancel_job: running.cancel });
    await exportAs(user, "xlsx");
    await waitFor(() => expect(running.progress).not.toBeNull());
    act(() => send<JobProgress>(running.progress, { stage: "write", done: 1000, total: 4000 }));
    const panel = await screen.findByTestId("list-export-progress");
    expect(screen.getByTestId("list-export-progress-text").textContent).toBe("Writing: 1,000 of 4,000 members");
    expect(panel.querySelector("[role=progressbar]")?.getAttribute("aria-valuenow")).toBe("25");

    await user.click(screen.getByTestId("list-export-cancel"));

    expect((await screen.findByTestId("list-export-cancelled")).textContent).toBe("Export cancelled; no file was written.");
    const job = exports(calls)[0].job;
    expect(typeof job).toBe("number");
    expect(calls.filter((c) => c.cmd === "cancel_job").map((c) => c.args)).toEqual([{ job }]);
    await waitFor(() => expect(screen.queryByTestId("list-export-progress")).toBeNull());
    expect(screen.queryByTestId("list-export-done")).toBeNull();
    expect(exportButton().disabled).toBe(false);
  }, SLOW);

  it("says nothing when the admin closes the save dialog", async () => {
    const { calls, user } = await renderDirectoryScreen({ export_members_file: () => null });
    await exportAs(user, "csv");
    await waitFor(() => expect(exports(calls)).toHaveLength(1));
    await waitFor(() => expect(exportButton().className).not.toContain("ant-btn-loading"));
    await new Promise((r) => setTimeout(r, 100));
    expect(document.querySelector(".ant-message-notice")).toBeNull();
    expect(screen.queryByTestId("list-export-progress")).toBeNull();
    expect(calls.some((c) => c.cmd === "cancel_job")).toBe(false);
  });

  it("shows a failure as one sentence", async () => {
    const { user } = await renderDirectoryScreen({
      export_members_file: () => {
        throw commandError({ code: "storage", message: "disk I/O error" });
      },
    });
    await exportAs(user, "xlsx");
    expect((await screen.findByTestId("list-export-failed")).textContent).toBe("The database could not be read or written.");
    expect(screen.queryByTestId("list-export-cancelled")).toBeNull();
  });

  it("is disabled while the list is empty", async () => {
    const { calls, user } = await renderDirectoryScreen();
    expect(exportButton().disabled).toBe(false);
    await user.click(screen.getByTestId("member-search"));
    await user.paste("nobody matches this");
    await waitFor(() => expect(screen.getByTestId("member-total").textContent).toBe("0 members"));
    expect(exportButton().disabled).toBe(true);
    expect(exportButton().getAttribute("aria-label")).toBe("Nothing to export: this list is empty.");
    await user.click(exportButton());
    expect(screen.queryByTestId("list-export-csv")).toBeNull();
    expect(exports(calls)).toHaveLength(0);
  });
});
