import { screen } from "@testing-library/react";
import { Drawer, Modal, Select } from "antd";
import { describe, expect, it } from "vitest";

import { renderWithProviders } from "./test/render";

/** The `<style>` element a drawer or dialog adds to the page to lock the body's scrolling. */
const scrollLock = () => document.querySelector('style[rc-util-key^="rc-util-locker"]');

describe("Providers", () => {
  it("puts drawers and dialogs in an element of their own, so opening one adds no style to the page; menus stay in the body", async () => {
    renderWithProviders(
      <>
        <Drawer open title="Ada Lovelace">
          <span data-testid="in-drawer">details</span>
        </Drawer>
        <Modal open title="Invite">
          <span data-testid="in-dialog">form</span>
        </Modal>
        <Select open options={[{ value: "a", label: "Sales" }]} data-testid="select" />
      </>,
    );
    const overlays = document.getElementById("orgdesk-overlays");
    expect(overlays?.parentElement).toBe(document.body);
    expect(overlays?.contains(await screen.findByTestId("in-drawer"))).toBe(true);
    expect(overlays?.contains(screen.getByTestId("in-dialog"))).toBe(true);
    const option = await screen.findByText("Sales", { selector: ".ant-select-item-option-content" });
    expect(overlays?.contains(option)).toBe(false);
    expect(document.body.contains(option)).toBe(true);
    expect(scrollLock()).toBeNull();
  });
});
