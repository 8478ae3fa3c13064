import { describe, expect, it } from "vitest";

import passwordCases from "./bindings/passwordCases.json";
import { checkPassword } from "./password";

/** [password, username, the problems the rule finds]: answered by crates/rules. */
const PASSWORD_CASES = passwordCases as Array<[string, string, string[]]>;

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

  it("agrees with the shared rule on every case it answered", () => {
    for (const [password, username, problems] of PASSWORD_CASES) {
      const check = checkPassword(password, username);
      const what = `${JSON.stringify(password)} / ${JSON.stringify(username)}: ${problems.join(", ")}`;
      expect(check.ok, what).toBe(problems.length === 0);
      expect(check.length, what).toBe(!problems.some((p) => ["required", "too_short", "too_long"].includes(p)));
      expect(check.notUsername, what).toBe(!problems.includes("contains_username"));
      // An empty password is reported as required alone.
      if (!problems.includes("required")) expect(check.classes, what).toBe(!problems.includes("weak"));
    }
  });
});
