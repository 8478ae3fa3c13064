import { screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";

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
