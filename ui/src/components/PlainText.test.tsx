import { screen } from "@testing-library/react";
// From the same module build as the style hook PlainText uses (the tests resolve `antd` to
// another build, whose theme context that hook does not see).
import Typography from "antd/es/typography";
import { Fragment, type ReactElement } from "react";
import { describe, expect, it } from "vitest";

import { renderWithProviders } from "../test/render";
import { PlainText } from "./PlainText";
import { ONE_LINE } from "./text";

/** The element's tag, classes (as a set) and inner markup. */
const shape = (el: HTMLElement) => [el.tagName, [...el.classList].sort().join(" "), el.innerHTML];

describe("PlainText", () => {
  it("draws what Ant Design's Typography draws for a secondary text, a warning, a strong text and a level-4 title", () => {
    // Each kind: Ant Design's element beside PlainText's, with the same text.
    const kinds: [string, ReactElement, ReactElement][] = [
      ["secondary", <Typography.Text type="secondary">Members</Typography.Text>, <PlainText secondary>Members</PlainText>],
      ["warning", <Typography.Text type="warning">Taken</Typography.Text>, <PlainText warning>Taken</PlainText>],
      [
        "strong",
        <Typography.Text strong className={ONE_LINE} title="Acme">Acme</Typography.Text>,
        <PlainText strong className={ONE_LINE} title="Acme">Acme</PlainText>,
      ],
      ["title", <Typography.Title level={4} className={ONE_LINE}>Sales</Typography.Title>, <PlainText heading className={ONE_LINE}>Sales</PlainText>],
    ];
    renderWithProviders(
      <>
        {kinds.map(([kind, antd, plain]) => (
          <Fragment key={kind}>
            <div data-testid={`antd-${kind}`}>{antd}</div>
            <div data-testid={`plain-${kind}`}>{plain}</div>
          </Fragment>
        ))}
      </>,
    );
    const drawn = (id: string) => screen.getByTestId(id).firstElementChild as HTMLElement;
    for (const [kind] of kinds) {
      expect(shape(drawn(`plain-${kind}`)), kind).toEqual(shape(drawn(`antd-${kind}`)));
    }
    expect(drawn("plain-strong").getAttribute("title")).toBe("Acme");
  });
});
