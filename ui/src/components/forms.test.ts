import type { RuleObject } from "antd/es/form";
import type { TFunction } from "i18next";
import { describe, expect, it } from "vitest";

import { maxCharsRule, requiredRule } from "./forms";

/** What the rule answers for `value`: undefined when it passes, else its message. */
async function check(max: number, value: string | undefined): Promise<string | undefined> {
  const rule = maxCharsRule(max, "too long") as RuleObject;
  try {
    await rule.validator?.(rule, value, () => undefined);
    return undefined;
  } catch (e) {
    return (e as Error).message;
  }
}

describe("maxCharsRule", () => {
  it("passes up to the limit and refuses beyond it with its message", async () => {
    expect(await check(3, "abc")).toBeUndefined();
    expect(await check(3, "abcd")).toBe("too long");
  });

  it("counts the trimmed text, and nothing typed passes", async () => {
    expect(await check(3, "  abc  ")).toBeUndefined();
    expect(await check(3, undefined)).toBeUndefined();
  });

  it("counts a character outside the BMP as one", async () => {
    expect(await check(2, "😀😀")).toBeUndefined();
    expect(await check(2, "😀😀😀")).toBe("too long");
  });
});

describe("requiredRule", () => {
  const t = ((key: string) => `text of ${key}`) as unknown as TFunction;

  it("asks for something other than spaces, with the common text unless told", () => {
    expect(requiredRule(t)).toEqual({ required: true, whitespace: true, message: "text of common.required" });
    expect(requiredRule(t, "Type a name")).toEqual({ required: true, whitespace: true, message: "Type a name" });
  });
});
