import { fireEvent, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";

import type { MemberQuery } from "../bindings/MemberQuery";
import { DirectoryScreen } from "../features/directory/DirectoryScreen";
import { directoryHandlers } from "./fixtures";
import { mockBackend, renderWithProviders } from "./render";

/** Members & Departments over the directory fixtures (plus `extra` handlers), once its first row is shown. */
export async function renderDirectoryScreen(extra: Parameters<typeof directoryHandlers>[0] = {}) {
  const calls = mockBackend(directoryHandlers(extra));
  const user = userEvent.setup({ delay: null });
  renderWithProviders(<DirectoryScreen />);
  await screen.findByTestId("member-row-1");
  // The tree is drawn a frame after the first rows.
  await screen.findByTestId("dept-node-1");
  return { calls, user };
}

type Calls = ReturnType<typeof mockBackend>;

/** Every member-list query the screen sent, in order. */
export function queries(calls: Calls): MemberQuery[] {
  return calls.filter((c) => c.cmd === "list_members").map((c) => c.args.query as MemberQuery);
}

/** Types a value the quick way: focus, then paste (jsdom renders antd forms slowly). */
export async function fill(user: ReturnType<typeof userEvent.setup>, element: HTMLElement, text: string) {
  await user.click(element);
  await user.paste(text);
}

/** Opens an antd Select / TreeSelect by its test id and picks the option with this text. */
export async function pick(user: ReturnType<typeof userEvent.setup>, testId: string, text: string) {
  const select = screen.getByTestId(testId);
  const box = select.querySelector(".ant-select-selector, .ant-select-content, [role=combobox]") ?? select;
  fireEvent.mouseDown(box);
  const options = await screen.findAllByTitle(text);
  await user.click(options[options.length - 1]);
}
