import { act, render, screen } from "@testing-library/react";
import { Suspense } from "react";
import { describe, expect, it } from "vitest";

import { preloadable } from "./preloadable";

function Greeting({ name }: { name: string }) {
  return <p>Hello, {name}</p>;
}

const fallback = <p>Loading</p>;

describe("preloadable", () => {
  it("renders at once, with no fallback, once its chunk was preloaded", async () => {
    let loads = 0;
    const { Component, preload } = preloadable(
      async () => {
        loads += 1;
        return { Greeting };
      },
      (m) => m.Greeting,
    );
    await preload();
    await preload();
    render(
      <Suspense fallback={fallback}>
        <Component name="Ada" />
      </Suspense>,
    );
    // In the first render's output: React.lazy alone would show the fallback here.
    expect(screen.getByText("Hello, Ada")).not.toBeNull();
    expect(screen.queryByText("Loading")).toBeNull();
    expect(loads).toBe(1);
  });

  it("shows the fallback until its chunk arrives when rendered first", async () => {
    let arrive: (m: { Greeting: typeof Greeting }) => void = () => {};
    const { Component } = preloadable(
      () => new Promise<{ Greeting: typeof Greeting }>((resolve) => (arrive = resolve)),
      (m) => m.Greeting,
    );
    render(
      <Suspense fallback={fallback}>
        <Component name="Grace" />
      </Suspense>,
    );
    expect(screen.getByText("Loading")).not.toBeNull();
    await act(async () => arrive({ Greeting }));
    expect(await screen.findByText("Hello, Grace")).not.toBeNull();
  });
});
