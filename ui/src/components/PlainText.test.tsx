import { screen } from "@testing-library/react";
// From the same module build as the style hook PlainText uses (the tests resolve `antd` to
// another build, whose theme context that hook does not see).
import Typography from "antd/es/typography";
import { describe, expect, it } from "vitest";

import { renderWithProviders } from "../test/render";
import { PlainText } from "./PlainText";
import { ONE_LINE } from "./text";

/** The element's tag, classes (as a set) and inner markup. */
const shape = (el: HTMLElement) => [el.tagName, [...el.classList].sort().join(" "), el.innerHTML];

describe("PlainText", () => {
  it("draws what Ant Design's Typography draws for a secondary text, a warning, a strong text and a level-4 title", () => {
    renderWithProviders(
      <>
        <Typography.Text type="secondary" data-testid="antd-secondary">
          Members
        </Typography.Text>
        <PlainText secondary testId="plain-secondary">
          Members
        </PlainText>
        <Typography.Text type="warning" data-testid="antd-warning">
          Taken
        </Typography.Text>
        <PlainText warning testId="plain-warning">
          Taken
        </PlainText>
        <Typography.Text strong className={ONE_LINE} title="Acme" data-testid="antd-strong">
          Acme
        </Typography.Text>
        <PlainText strong className={ONE_LINE} title="Acme" testId="plain-strong">
          Acme
        </PlainText>
        <Typography.Title level={4} className={ONE_LINE} data-testid="antd-title">
          Sales
        </Typography.Title>
        <PlainText heading className={ONE_LINE} testId="plain-title">
          Sales
        </PlainText>
      </>,
    );
    for (const kind of ["secondary", "warning", "strong", "title"]) {
      expect(shape(screen.getByTestId(`plain-${kind}`)), kind).toEqual(shape(screen.getByTestId(`antd-${kind}`)));
    }
    expect(screen.getByTestId("plain-strong").getAttribute("title")).toBe("Acme");
  });
});
