import { mockIPC } from "@tauri-apps/api/mocks";
import { render } from "@testing-library/react";
import type { ReactElement } from "react";

import { Providers } from "../Providers";
import { createQueryClient } from "../queryClient";

export function renderWithProviders(ui: ReactElement) {
  const client = createQueryClient();
  return { client, ...render(<Providers client={client}>{ui}</Providers>) };
}

type Handler = (args: Record<string, unknown>) => unknown;

/** Mocks the backend with one handler per command; an unknown command fails the way the runtime does.
 *  With `events`, `emit` from "@tauri-apps/api/event" reaches the window's listeners. */
export function mockBackend(handlers: Record<string, Handler>, { events = false }: { events?: boolean } = {}) {
  const calls: { cmd: string; args: Record<string, unknown> }[] = [];
  mockIPC((cmd, payload) => {
    const args = (payload ?? {}) as Record<string, unknown>;
    calls.push({ cmd, args });
    const handler = handlers[cmd];
    if (!handler) throw `command ${cmd} not found`;
    return handler(args);
  }, { shouldMockEvents: events });
  return calls;
}
