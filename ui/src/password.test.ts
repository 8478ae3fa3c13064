import { describe, expect, it } from "vitest";

import { checkPassword } from "./password";

describe("checkPassword", () => {
  it("needs 8 to 64 characters", () => {
    expect(checkPassword("Ab1!", "").length).toBe(false);
    expect(checkPassword("Abcdef1!", "").length).toBe(true);
    expect(checkPassword("Aa1!".repeat(16), "").length).toBe(true);
    expect(checkPassword("Aa1!".repeat(16) + "x", "").length).toBe(false);
  });

  it("needs three of lowercase, uppercase, digits and symbols", () => {
    expect(checkPassword("abcdefgh", "").classCount).toBe(1);
    expect(checkPassword("abcdEFGH", "").classes).toBe(false);
    expect(checkPassword("abcdEF12", "").classes).toBe(true);
    expect(checkPassword("abcd12!?", "").classes).toBe(true);
    expect(checkPassword("aB1!aB1!", "").classCount).toBe(4);
  });

  it("refuses the username in any case", () => {
    expect(checkPassword("xxADAxx1!", "ada").notUsername).toBe(false);
    expect(checkPassword("Str0ng!pass", "ada").ok).toBe(true);
  });
});
