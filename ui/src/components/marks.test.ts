import { afterEach, describe, expect, it } from "vitest";

import { mark } from "./marks";

type Listening = { __odMarks?: [string, number][] };

afterEach(() => {
  delete (window as Listening).__odMarks;
});

describe("mark", () => {
  it("records nothing when the benchmark is not listening", () => {
    mark("main window render");
    expect((window as Listening).__odMarks).toBeUndefined();
  });

  it("appends each moment with its time, in order, when the benchmark listens", () => {
    const list: [string, number][] = [];
    (window as Listening).__odMarks = list;
    const before = performance.now();
    mark("sign_in asked");
    mark("sign_in answered");
    expect(list.map(([name]) => name)).toEqual(["sign_in asked", "sign_in answered"]);
    expect(list[0][1]).toBeGreaterThanOrEqual(before);
    expect(list[1][1]).toBeGreaterThanOrEqual(list[0][1]);
  });

  it("stops at 400 moments, so a page left listening cannot grow without end", () => {
    const list: [string, number][] = [];
    (window as Listening).__odMarks = list;
    for (let i = 0; i < 450; i++) mark(`m${i}`);
    expect(list).toHaveLength(400);
    expect(list[399][0]).toBe("m399");
  });
});
