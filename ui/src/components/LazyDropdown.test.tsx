import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { Button } from "antd";
import { describe, expect, it, vi } from "vitest";

import { renderWithProviders } from "../test/render";
import { LazyDropdown } from "./LazyDropdown";

const menu = (onClick: (key: string) => void) => ({
  items: [
    { key: "one", label: <span data-testid="item-one">One</span> },
    { key: "two", label: <span data-testid="item-two">Two</span> },
  ],
  onClick: ({ key }: { key: string }) => onClick(key),
});

const isOpen = () => document.querySelector(".ant-dropdown:not(.ant-dropdown-hidden)") !== null;

describe("LazyDropdown", () => {
  it("draws the button alone until its first click, then opens the menu, and a choice closes it", async () => {
    const chosen = vi.fn();
    const clicked = vi.fn();
    const user = userEvent.setup({ delay: null });
    renderWithProviders(
      <LazyDropdown menu={menu(chosen)}>
        <Button onClick={clicked} data-testid="trigger">
          Open
        </Button>
      </LazyDropdown>,
    );
    expect(screen.getByTestId("trigger").className).toContain("ant-dropdown-trigger");
    expect(document.querySelector(".ant-dropdown")).toBeNull();

    await user.click(screen.getByTestId("trigger"));
    expect(clicked).toHaveBeenCalledTimes(1);
    await waitFor(() => expect(isOpen()).toBe(true));
    await user.click(await screen.findByTestId("item-two"));
    expect(chosen).toHaveBeenCalledWith("two");
    await waitFor(() => expect(isOpen()).toBe(false));

    // Made once: the next click opens the same dropdown again.
    await user.click(screen.getByTestId("trigger"));
    expect(clicked).toHaveBeenCalledTimes(2);
    await waitFor(() => expect(isOpen()).toBe(true));
    await user.keyboard("{Escape}");
    await waitFor(() => expect(isOpen()).toBe(false));
  });

  it("opens from the keyboard on the focused button", async () => {
    const user = userEvent.setup({ delay: null });
    renderWithProviders(
      <LazyDropdown menu={menu(() => undefined)}>
        <Button data-testid="trigger">Open</Button>
      </LazyDropdown>,
    );
    screen.getByTestId("trigger").focus();
    await user.keyboard("{Enter}");
    expect(await screen.findByTestId("item-one")).toBeTruthy();
    // The button drawn inside the dropdown keeps the focus.
    await waitFor(() => expect(document.activeElement).toBe(screen.getByTestId("trigger")));
  });

  it("does not open while disabled", async () => {
    const user = userEvent.setup({ delay: null });
    renderWithProviders(
      <LazyDropdown menu={menu(() => undefined)} disabled>
        <span data-testid="trigger">Open</span>
      </LazyDropdown>,
    );
    await user.click(screen.getByTestId("trigger"));
    expect(document.querySelector(".ant-dropdown")).toBeNull();
  });
});
