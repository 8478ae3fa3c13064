import { fireEvent, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { useState } from "react";
import { describe, expect, it, vi } from "vitest";

import { renderWithProviders } from "../../test/render";
import { NavMenu, type NavMenuItem } from "./NavMenu";

type Key = "a" | "b" | "c";

const ITEMS: NavMenuItem<Key>[] = [
  { key: "a", icon: <span data-testid="icon-a" />, label: "Alpha", testId: "nav-a" },
  { key: "b", icon: <span />, label: "Beta", testId: "nav-b" },
  { key: "c", icon: <span />, label: "Gamma", testId: "nav-c" },
];

function Harness({ items = ITEMS, onSelect }: { items?: NavMenuItem<Key>[]; onSelect?: (key: Key) => void }) {
  const [selected, setSelected] = useState<Key>("a");
  return (
    <NavMenu
      label="Navigation"
      items={items}
      selected={selected}
      onSelect={(key) => {
        onSelect?.(key);
        setSelected(key);
      }}
    />
  );
}

const entry = (name: string) => screen.getByRole("menuitem", { name });

describe("NavMenu", () => {
  it("is a labelled menu of entries, the current one marked, as Ant Design's Menu draws it", () => {
    renderWithProviders(<Harness />);
    const menu = screen.getByRole("menu", { name: "Navigation" });
    expect(menu.className).toContain("ant-menu-inline");
    expect(menu.getAttribute("tabindex")).toBe("0");
    expect(within(menu).getAllByRole("menuitem").map((li) => li.textContent)).toEqual(["Alpha", "Beta", "Gamma"]);
    expect(entry("Alpha").getAttribute("aria-current")).toBe("page");
    expect(entry("Alpha").className).toBe("ant-menu-item ant-menu-item-selected");
    expect(entry("Beta").getAttribute("aria-current")).toBeNull();
    expect(entry("Beta").getAttribute("tabindex")).toBe("-1");
    expect(screen.getByTestId("icon-a").className).toBe("ant-menu-item-icon");
    expect(screen.getByTestId("nav-b").textContent).toBe("Beta");
  });

  it("opens an entry on a click", async () => {
    const onSelect = vi.fn();
    const user = userEvent.setup({ delay: null });
    renderWithProviders(<Harness onSelect={onSelect} />);
    await user.click(screen.getByTestId("nav-c"));
    expect(onSelect).toHaveBeenCalledWith("c");
    expect(entry("Gamma").getAttribute("aria-current")).toBe("page");
    expect(entry("Alpha").getAttribute("aria-current")).toBeNull();
  });

  it("is one tab stop; the arrows, Home and End move the focus round the entries, Enter and Space open one", async () => {
    const onSelect = vi.fn();
    const user = userEvent.setup({ delay: null });
    renderWithProviders(
      <>
        <button type="button">before</button>
        <Harness onSelect={onSelect} />
        <button type="button">after</button>
      </>,
    );
    await user.click(screen.getByRole("button", { name: "before" }));
    await user.tab();
    expect(document.activeElement).toBe(screen.getByRole("menu"));

    // Keys pressed, then the entry with the focus.
    const steps: [string, string][] = [
      ["{ArrowDown}", "Alpha"],
      ["{ArrowDown}{ArrowDown}", "Gamma"],
      ["{ArrowDown}", "Alpha"],
      ["{ArrowUp}", "Gamma"],
      ["{Home}", "Alpha"],
      ["{End}", "Gamma"],
    ];
    for (const [keys, focused] of steps) {
      await user.keyboard(keys);
      expect(document.activeElement, keys).toBe(entry(focused));
    }
    // Moving the focus opens nothing.
    expect(onSelect).not.toHaveBeenCalled();

    await user.keyboard("{ArrowUp}{Enter}");
    expect(onSelect).toHaveBeenLastCalledWith("b");
    expect(entry("Beta").getAttribute("aria-current")).toBe("page");
    expect(document.activeElement).toBe(entry("Beta"));
    await user.keyboard("{ArrowDown} ");
    expect(onSelect).toHaveBeenLastCalledWith("c");

    // Tab leaves the list, whichever entry has the focus.
    await user.tab();
    expect(document.activeElement).toBe(screen.getByRole("button", { name: "after" }));
  });

  it("from the list itself, ↑ goes to the last entry and Enter opens nothing", () => {
    const onSelect = vi.fn();
    renderWithProviders(<Harness onSelect={onSelect} />);
    const menu = screen.getByRole("menu");
    menu.focus();
    fireEvent.keyDown(menu, { key: "Enter" });
    expect(onSelect).not.toHaveBeenCalled();
    fireEvent.keyDown(menu, { key: "ArrowUp" });
    expect(document.activeElement).toBe(entry("Gamma"));
  });

  it("shows an entry's badge beside its label, outside the label's own element", () => {
    const badged = ITEMS.map((item) => (item.key === "b" ? { ...item, badge: <span data-testid="nav-b-count">7</span> } : item));
    renderWithProviders(<Harness items={badged} />);
    expect(screen.getByTestId("nav-b-count").textContent).toBe("7");
    expect(screen.getByTestId("nav-b-count").closest(".ant-menu-title-content")).toBe(screen.getByTestId("nav-b").parentElement);
    // The label's own element keeps the label alone.
    expect(screen.getByTestId("nav-b").textContent).toBe("Beta");
    expect(entry("Alpha").textContent).toBe("Alpha");
  });
});
