import type { Channel } from "@tauri-apps/api/core";
import { act, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";

import type { FileColumns } from "../../bindings/FileColumns";
import type { FileDrop } from "../../bindings/FileDrop";
import type { ImportSummary } from "../../bindings/ImportSummary";
import type { JobProgress } from "../../bindings/JobProgress";
import type { TeamStatus } from "../../bindings/TeamStatus";
import { setLanguage } from "../../i18n";
import { commandError, jobUntilCancelled, tree } from "../../test/fixtures";
import { mockBackend, renderWithProviders } from "../../test/render";
import { ImportExportScreen } from "./ImportExportScreen";

type Args = Record<string, unknown>;

const send = <T,>(channel: unknown, message: T) => (channel as Channel<T>).onmessage(message);

const ours: FileColumns = {
  headers: ["Name*", "Email", "Department*"],
  samples: [["Bob", "bob@example.com", "Sales"]],
  rows: 3,
  detected: {
    fields: [
      { field: "name", headers: ["Name*"] },
      { field: "email", headers: ["Email"] },
      { field: "department", headers: ["Department*"] },
    ],
  },
  suggested: {
    fields: [
      { field: "name", headers: ["Name*"] },
      { field: "email", headers: ["Email"] },
      { field: "department", headers: ["Department*"] },
    ],
  },
  missing: [],
};

const preview: ImportSummary = {
  counts: { create: 2, update: 0, unchanged: 0, failed: 1 },
  rows: 3,
  failures: [{ row: 4, column: "Department", reason: 'No department "Nowhere". Create it first.' }],
  skipped: [],
  skippedTotal: 0,
  warnings: [],
  warningsTotal: 0,
  ignoredColumns: ["Nickname"],
  departmentsCreated: [],
  committed: false,
  teamChanges: 0,
};

const imported: ImportSummary = { ...preview, committed: true };

/** This computer in a team or not. */
const teamStatus = (inTeam: boolean): TeamStatus => ({
  inTeam,
  gateway: inTeam ? "https://gw.example.com" : null,
  deviceId: null,
  deviceName: null,
  admin: null,
  waiting: 0,
  refused: [],
});

/** The backend every test starts from; `more` adds or replaces commands. */
function backend(more: Record<string, (args: Args) => unknown> = {}) {
  return mockBackend({
    watch_file_drops: () => null,
    list_saved_mappings: () => [],
    department_tree: () => tree,
    import_quota_status: () => ({ limit: null, used: 0, remaining: null, resetsAtMs: 0 }),
    team_status: () => teamStatus(false),
    ...more,
  });
}

/** The screen over `backend(more)` with a file chosen to import: the calls made and the user. */
async function chooseFile(more: Record<string, (args: Args) => unknown> = {}) {
  const calls = backend(more);
  const user = userEvent.setup({ delay: null });
  renderWithProviders(<ImportExportScreen />);
  await user.click(await screen.findByTestId("sheet-choose-file"));
  return { calls, user };
}

/** Clicks "Import" in the preview that is shown. */
async function commitShown() {
  const user = userEvent.setup({ delay: null });
  await user.click(await screen.findByTestId("import-commit"));
}

// The heaviest of these click through antd selects, which jsdom renders slowly on a busy
// 2-core machine.
const SLOW = 120_000;

describe("Import / Export", () => {
  it("downloads the template in the language of the UI", async () => {
    const calls = backend({ save_template: (a) => `/home/ada/Documents/${a.lang === "zh" ? "成员导入模板" : "template"}.xlsx` });
    const user = userEvent.setup({ delay: null });
    renderWithProviders(<ImportExportScreen />);
    await user.click(await screen.findByTestId("sheet-template"));
    expect((await screen.findByTestId("template-saved")).textContent).toBe("Template saved to /home/ada/Documents/template.xlsx");
    expect(calls.find((c) => c.cmd === "save_template")?.args).toEqual({ lang: "en", dialogTitle: "Save the import template" });

    await act(() => setLanguage("zh-CN"));
    await user.click(screen.getByTestId("sheet-template"));
    await waitFor(() => expect(calls.filter((c) => c.cmd === "save_template")[1]?.args).toEqual({ lang: "zh", dialogTitle: "保存导入模板" }));
  });

  it("previews a chosen file, imports it with progress and saves the results", async () => {
    const { calls, user } = await chooseFile({
      choose_import_file: () => "/home/ada/people.xlsx",
      inspect_import_file: () => ours,
      preview_import: (a) => {
        send<JobProgress>(a.onProgress, { stage: "validate", done: 1000, total: 3000 });
        return preview;
      },
      run_import: (a) => {
        send<JobProgress>(a.onProgress, { stage: "commit", done: 2, total: 2 });
        return imported;
      },
      save_import_results: () => "/home/ada/people-results.xlsx",
    });

    const dialog = await screen.findByTestId("import-preview");
    expect(screen.getByText("Import people.xlsx")).toBeTruthy();
    expect(screen.getByTestId("count-create").textContent).toBe("2");
    expect(screen.getByTestId("count-failed").textContent).toBe("1");
    const failures = within(dialog).getByTestId("import-failures");
    expect(failures.textContent).toContain("4");
    expect(failures.textContent).toContain("Department");
    expect(failures.textContent).toContain('No department "Nowhere"');
    expect(dialog.textContent).toContain("Columns ignored: Nickname");
    expect(within(dialog).queryByTestId("import-repaired")).toBeNull();
    // The failures can be fixed before importing: the preview's results file lists them.
    expect(screen.getByTestId("preview-download-results").textContent).toBe("Download preview results");
    expect(calls.find((c) => c.cmd === "preview_import")?.args).toMatchObject({
      path: "/home/ada/people.xlsx",
      options: { createMissingDepartments: false, mapping: null },
    });

    // Ticking "create missing departments" runs the preview again with it.
    const box = within(dialog).getByTestId("import-create-departments");
    await user.click(box);
    await waitFor(() =>
      expect(calls.filter((c) => c.cmd === "preview_import").at(-1)?.args).toMatchObject({ options: { createMissingDepartments: true } }),
    );

    const commit = await screen.findByTestId("import-commit");
    expect(commit.textContent).toBe("Import 2 rows");
    await user.click(screen.getByTestId("import-send-invitations"));
    await user.click(commit);
    const results = await screen.findByTestId("import-results");
    expect(results.textContent).toContain("Import finished");
    expect(results.textContent).toContain("2 created, 0 updated, 0 unchanged, 1 failed.");
    expect(calls.find((c) => c.cmd === "run_import")?.args).toMatchObject({
      path: "/home/ada/people.xlsx",
      options: { createMissingDepartments: true, mapping: null },
      sendInvitations: true,
    });

    await user.click(screen.getByTestId("import-download-results"));
    expect((await screen.findByTestId("results-saved")).textContent).toBe("Results saved to /home/ada/people-results.xlsx");
    expect(calls.find((c) => c.cmd === "save_import_results")?.args).toEqual({ dialogTitle: "Save the import results" });
  });

  it("says an import on a computer in a team went to the team's log, not that it was imported", async () => {
    const { calls, user } = await chooseFile({
      choose_import_file: () => "/home/ada/people.xlsx",
      inspect_import_file: () => ours,
      preview_import: () => preview,
      run_import: () => ({ ...preview, teamChanges: 3 }),
      team_status: () => teamStatus(true),
    });
    // Invitations go with an import on a computer in a team too: the backend sends them through
    // the team's log once the import's changes are back.
    await screen.findByTestId("import-preview");
    await user.click(await screen.findByTestId("import-send-invitations"));
    await commitShown();
    const results = await screen.findByTestId("import-results");
    expect(within(results).getByTestId("import-sent").textContent).toContain("Sent to the team");
    expect(results.textContent).toContain("as 3 changes, in order: 2 to create, 0 to update, 1 failed.");
    expect(results.textContent).not.toContain("Import finished");
    expect(results.textContent).not.toContain("2 created");
    // Counted as what the changes will do, not as done.
    expect(within(results).queryByText("Created")).toBeNull();
    expect(calls.find((c) => c.cmd === "run_import")?.args).toMatchObject({ sendInvitations: true });
  });

  it("cancels an import under way: back to the preview, nothing changed", async () => {
    const running = jobUntilCancelled();
    const { calls, user } = await chooseFile({
      choose_import_file: () => "/tmp/big.csv",
      inspect_import_file: () => ours,
      preview_import: () => preview,
      run_import: running.run,
      cancel_job: running.cancel,
    });
    await user.click(await screen.findByTestId("import-commit"));
    await waitFor(() => expect(running.progress).not.toBeNull());
    act(() => send<JobProgress>(running.progress, { stage: "commit", done: 1000, total: 4000 }));
    expect((await screen.findByTestId("import-progress-text")).textContent).toBe("Writing rows: 1,000 of 4,000");
    await user.click(screen.getByTestId("import-cancel"));
    expect((await screen.findByTestId("import-notice")).textContent).toBe("Cancelled. Nothing was changed.");
    const run = calls.find((c) => c.cmd === "run_import");
    expect(calls.find((c) => c.cmd === "cancel_job")?.args).toEqual({ job: run?.args.job });
    expect(screen.getByTestId("import-commit")).toBeTruthy();
  });

  it("opens the import for a spreadsheet dropped on the window", async () => {
    let drops: unknown = null;
    const calls = backend({
      watch_file_drops: (a) => {
        drops = a.onDrop;
        return null;
      },
      inspect_import_file: () => ours,
      preview_import: () => preview,
    });
    renderWithProviders(<ImportExportScreen />);
    await waitFor(() => expect(drops).not.toBeNull());
    act(() => send<FileDrop>(drops, { kind: "enter", paths: ["/home/ada/drop.csv"] }));
    const zone = screen.getByTestId("sheet-drop-zone");
    expect(zone.getAttribute("data-dragging")).toBe("true");
    expect(zone.textContent).toContain("Release to import this file");
    act(() => send<FileDrop>(drops, { kind: "drop", paths: ["/home/ada/drop.csv"] }));
    expect(await screen.findByTestId("import-preview")).toBeTruthy();
    expect(calls.find((c) => c.cmd === "inspect_import_file")?.args).toEqual({ path: "/home/ada/drop.csv" });
    expect(zone.getAttribute("data-dragging")).toBe("false");
  });

  it("shows why a file is refused, in the UI language", async () => {
    await chooseFile({
      choose_import_file: () => "/tmp/renamed.xlsx",
      inspect_import_file: () => {
        throw commandError({
          code: "validation",
          message: "The file is named .xlsx but is not a spreadsheet.",
          details: [{ field: "file", code: "not_spreadsheet", reason: "The file is named .xlsx but is not a spreadsheet." }],
        });
      },
    });
    const error = await screen.findByTestId("import-error");
    expect(error.textContent).toContain("The file is not a spreadsheet.");
    expect(error.textContent).toContain("Nothing was written.");
    expect(screen.getByTestId("import-choose-another")).toBeTruthy();
  });

  it("shows the imports left today and, when the quota refuses, when it resets in local time", async () => {
    const midnight = Math.floor(Date.now() / 86_400_000) * 86_400_000 + 86_400_000;
    const wait = Math.ceil((midnight - Date.now()) / 1000);
    const { calls, user } = await chooseFile({
      import_quota_status: () => ({ limit: 100, used: 97, remaining: 3, resetsAtMs: midnight }),
      choose_import_file: () => "/home/ada/people.xlsx",
      inspect_import_file: () => ours,
      preview_import: () => preview,
      run_import: () => {
        throw commandError({
          code: "quota_reached",
          message: "You have used today's 100 imports. The quota resets at 00:00 UTC (in 5 h 12 min).",
          retryAfterSecs: wait,
        });
      },
    });
    expect((await screen.findByTestId("import-quota-left")).textContent).toBe("3 of 100 imports left today");
    await user.click(screen.getByTestId("import-commit"));
    const error = await screen.findByTestId("import-error");
    const local = new Intl.DateTimeFormat("en", { hour: "2-digit", minute: "2-digit" }).format(new Date(midnight));
    expect(error.textContent).toContain(`You have used all of today's imports. The quota resets at ${local} your time (in `);
    expect(error.textContent).toContain("Nothing was written.");
    // The backend's English sentence (in UTC) is not shown; another file would be refused too.
    expect(error.textContent).not.toContain("00:00 UTC");
    expect(screen.queryByTestId("import-choose-another")).toBeNull();
    // The count is read again after the refusal.
    await waitFor(() => expect(calls.filter((c) => c.cmd === "import_quota_status").length).toBe(2));
  });

  it("refuses the preview once today's imports are used up, in the UI language", async () => {
    await act(() => setLanguage("zh-CN"));
    await chooseFile({
      choose_import_file: () => "/home/ada/people.xlsx",
      inspect_import_file: () => ours,
      preview_import: () => {
        throw commandError({ code: "quota_reached", message: "You have used today's 2 imports.", retryAfterSecs: 3 * 3600 + 60 });
      },
    });
    const error = await screen.findByTestId("import-error");
    expect(error.textContent).toContain("今天的导入次数已用完。配额将在你的时间");
    expect(error.textContent).toContain("（3 小时 1 分钟后）");
    expect(screen.queryByTestId("import-commit")).toBeNull();
  });

  it("asks for the row reasons in Chinese when the UI is in Chinese, and shows them", async () => {
    await act(() => setLanguage("zh-CN"));
    const zhPreview: ImportSummary = {
      ...preview,
      failures: [{ row: 4, column: "部门", reason: "部门“Nowhere”不存在。请先创建该部门，或勾选“创建缺少的部门”。" }],
    };
    const { calls, user } = await chooseFile({
      choose_import_file: () => "/home/ada/people.xlsx",
      inspect_import_file: () => ours,
      preview_import: () => zhPreview,
      run_import: () => ({ ...zhPreview, committed: true }),
    });
    const dialog = await screen.findByTestId("import-preview");
    expect(calls.find((c) => c.cmd === "preview_import")?.args).toMatchObject({
      options: { createMissingDepartments: false, mapping: null, lang: "zh" },
    });
    const failures = within(dialog).getByTestId("import-failures");
    expect(failures.textContent).toContain("部门");
    expect(failures.textContent).toContain("部门“Nowhere”不存在。");
    await user.click(screen.getByTestId("import-commit"));
    await screen.findByTestId("import-results");
    expect(calls.find((c) => c.cmd === "run_import")?.args).toMatchObject({ options: { lang: "zh" } });
  });

  it("asks for English row reasons when the UI is in English", async () => {
    const { calls } = await chooseFile({
      choose_import_file: () => "/home/ada/people.xlsx",
      inspect_import_file: () => ours,
      preview_import: () => preview,
    });
    await screen.findByTestId("import-preview");
    expect(calls.find((c) => c.cmd === "preview_import")?.args).toMatchObject({ options: { lang: "en" } });
  });

  it("lists repaired cells as warnings, not failures, in the preview and the results, in both languages", async () => {
    const repaired: ImportSummary = {
      ...preview,
      counts: { create: 3, update: 0, unchanged: 0, failed: 0 },
      failures: [],
      warnings: [{ row: 2, column: "Mobile", reason: 'Mobile is stored as the number 447946000000, which lost its leading "+": read as +447946000000.' }],
      warningsTotal: 1,
    };
    const { user } = await chooseFile({
      choose_import_file: () => "/home/ada/people.xlsx",
      inspect_import_file: () => ours,
      preview_import: () => repaired,
      run_import: () => ({ ...repaired, committed: true }),
    });
    const dialog = await screen.findByTestId("import-preview");
    expect(within(dialog).queryByTestId("import-failures")).toBeNull();
    const warned = within(dialog).getByTestId("import-repaired");
    expect(warned.textContent).toContain("2");
    expect(warned.textContent).toContain("read as +447946000000");
    expect(dialog.textContent).toContain("1 cell was repaired — check it reads as meant");
    await user.click(screen.getByTestId("import-commit"));
    const results = await screen.findByTestId("import-results");
    expect(within(results).getByTestId("import-repaired").textContent).toContain("+447946000000");

    await act(() => setLanguage("zh-CN"));
    expect(results.textContent).toContain("已修复 1 个单元格，请确认读取结果无误");
  });

  it("explains a refused file in Chinese, not with the backend's English sentence", async () => {
    await act(() => setLanguage("zh-CN"));
    const english = "The file is password-protected. Remove the password in Excel (File › Info › Protect Workbook) and import it again.";
    await chooseFile({
      choose_import_file: () => "/tmp/locked.xlsx",
      inspect_import_file: () => {
        throw commandError({ code: "validation", message: english, details: [{ field: "file", code: "encrypted", reason: english }] });
      },
    });
    const error = await screen.findByTestId("import-error");
    expect(error.textContent).toContain("文件受密码保护。");
    expect(error.textContent).toContain("请在 Excel 中取消工作簿密码");
    expect(error.textContent).not.toContain("password-protected");
  });

  it("keeps the backend's sentence for a refusal it has no words for", async () => {
    await act(() => setLanguage("zh-CN"));
    await chooseFile({
      choose_import_file: () => "/tmp/odd.xlsx",
      inspect_import_file: () => {
        throw commandError({ code: "validation", message: "Something new.", details: [{ field: "file", code: "brand_new", reason: "Something new." }] });
      },
    });
    const error = await screen.findByTestId("import-error");
    expect(error.textContent).toContain("无法导入此文件");
    expect(error.textContent).toContain("Something new.");
  });

  it("maps a Google Workspace export's columns, saves the mapping and previews with it", async () => {
    const google: FileColumns = {
      headers: ["First Name [Required]", "Last Name [Required]", "Email Address [Required]", "Org Unit Path [Required]"],
      samples: [["Jane", "Doe", "jane@acme.example", "/Sales"]],
      rows: 1,
      detected: { fields: [] },
      suggested: {
        fields: [
          { field: "name", headers: ["First Name [Required]", "Last Name [Required]"] },
          { field: "email", headers: ["Email Address [Required]"] },
          { field: "department", headers: ["Org Unit Path [Required]"] },
        ],
      },
      missing: ["name", "department"],
    };
    const { calls, user } = await chooseFile({
      choose_import_file: () => "/home/ada/google.csv",
      inspect_import_file: () => google,
      save_mapping: (a) => ({ id: 7, name: a.name, mapping: a.mapping, updatedAt: 0 }),
      preview_import: () => ({ ...preview, counts: { create: 1, update: 0, unchanged: 0, failed: 0 }, failures: [] }),
    });
    await screen.findByTestId("mapping-step");
    // The suggestion joins first and last name; the sample shows what the Name will be.
    expect(screen.getByTestId("mapping-sample-name").textContent).toBe("Jane Doe");
    expect(screen.getByTestId("mapping-sample-department").textContent).toBe("/Sales");
    expect(screen.queryByTestId("mapping-missing")).toBeNull();

    await user.click(screen.getByTestId("mapping-save-name"));
    await user.paste("Google Workspace");
    await user.click(screen.getByTestId("mapping-save"));
    await waitFor(() =>
      expect(calls.find((c) => c.cmd === "save_mapping")?.args).toEqual({ name: "Google Workspace", mapping: google.suggested }),
    );

    await user.click(screen.getByTestId("mapping-continue"));
    expect(await screen.findByTestId("import-preview")).toBeTruthy();
    expect(calls.find((c) => c.cmd === "preview_import")?.args).toMatchObject({ options: { mapping: google.suggested } });
    expect(screen.getByTestId("import-remap")).toBeTruthy();
  }, SLOW);

  it("uses a saved mapping that fits the file", async () => {
    const saved = {
      id: 3,
      name: "HR system",
      mapping: {
        fields: [
          { field: "name", headers: ["Full name"] },
          { field: "department", headers: ["Team"] },
        ],
      },
      updatedAt: 0,
    };
    const { calls, user } = await chooseFile({
      list_saved_mappings: () => [saved],
      choose_import_file: () => "/tmp/hr.csv",
      inspect_import_file: (): FileColumns => ({
        headers: ["Full name", "Team"],
        samples: [["Ada", "/"]],
        rows: 1,
        detected: { fields: [] },
        suggested: { fields: [] },
        missing: ["name", "department"],
      }),
      preview_import: () => preview,
    });
    const step = await screen.findByTestId("mapping-step");
    expect(step.textContent).toContain("Using the saved mapping “HR system”.");
    await user.click(screen.getByTestId("mapping-continue"));
    await waitFor(() =>
      expect(calls.find((c) => c.cmd === "preview_import")?.args).toMatchObject({ options: { mapping: saved.mapping } }),
    );
  });

  it("exports one department without sub-departments to CSV, with progress", async () => {
    const calls = backend({
      export_members_file: (a) => {
        send<JobProgress>(a.onProgress, { stage: "write", done: 1000, total: 2000 });
        return { path: "/home/ada/members-Acme Ltd-2026-11-23.csv", members: 2 };
      },
    });
    const user = userEvent.setup({ delay: null });
    renderWithProviders(<ImportExportScreen />);
    await user.click(await screen.findByTestId("export-scope-department"));
    expect((screen.getByTestId("export-start") as HTMLButtonElement).disabled).toBe(true);
    await user.click(screen.getByTestId("export-department").querySelector("input") ?? screen.getByTestId("export-department"));
    await user.click(await screen.findByTitle("Sales"));
    await user.click(screen.getByTestId("export-subdepartments"));
    await user.click(screen.getByTestId("export-format-csv"));
    await user.click(screen.getByTestId("export-start"));
    expect((await screen.findByTestId("export-result")).textContent).toBe(
      "Exported 2 members to /home/ada/members-Acme Ltd-2026-11-23.csv",
    );
    expect(calls.find((c) => c.cmd === "export_members_file")?.args).toMatchObject({
      query: { departmentId: 2, includeSubDepartments: false, status: "all" },
      format: "csv",
      lang: "en",
    });
  }, SLOW);
});
