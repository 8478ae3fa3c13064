import { fireEvent, screen } from "@testing-library/react";
// From the same module build as the style hook RowLinkButton uses (the tests resolve `antd` to
// another build, whose theme context that hook does not see).
import Button from "antd/es/button";
import { describe, expect, it, vi } from "vitest";

import { renderWithProviders } from "../test/render";
import { RowLinkButton } from "./RowLinkButton";

/** The element's tag, classes (as a set), attributes and inner markup. */
const shape = (el: HTMLElement) => [
  el.tagName,
  [...el.classList].sort().join(" "),
  el.getAttribute("type"),
  el.hasAttribute("disabled"),
  el.innerHTML,
];

describe("RowLinkButton", () => {
  it("draws what Ant Design's small link button draws, plain, dangerous and disabled", () => {
    renderWithProviders(
      <>
        <Button type="link" size="small" data-testid="antd-plain">
          Resend
        </Button>
        <RowLinkButton testId="row-plain">Resend</RowLinkButton>
        <Button type="link" size="small" danger data-testid="antd-danger">
          取消
        </Button>
        <RowLinkButton danger testId="row-danger">
          取消
        </RowLinkButton>
        <Button type="link" size="small" disabled data-testid="antd-disabled">
          Link
        </Button>
        <RowLinkButton disabled testId="row-disabled">
          Link
        </RowLinkButton>
      </>,
    );
    for (const kind of ["plain", "danger", "disabled"]) {
      expect(shape(screen.getByTestId(`row-${kind}`)), kind).toEqual(shape(screen.getByTestId(`antd-${kind}`)));
    }
  });

  it("answers a click, and none while disabled", () => {
    const clicked = vi.fn();
    renderWithProviders(
      <>
        <RowLinkButton onClick={clicked} testId="on">
          Resend
        </RowLinkButton>
        <RowLinkButton onClick={clicked} disabled testId="off">
          Link
        </RowLinkButton>
      </>,
    );
    fireEvent.click(screen.getByTestId("off"));
    expect(clicked).not.toHaveBeenCalled();
    fireEvent.click(screen.getByTestId("on"));
    expect(clicked).toHaveBeenCalledTimes(1);
  });
});
