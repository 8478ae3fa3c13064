import { describe, expect, it } from "vitest";

import * as api from "./api";
import { mockBackend } from "./test/render";

describe("toCommandError", () => {
  it("turns a string from the runtime into an internal error", () => {
    expect(api.toCommandError("command sign_in not found")).toEqual({
      code: "internal",
      message: "command sign_in not found",
      details: [],
      retryAfterSecs: null,
    });
  });

  it("turns an Error into an internal error with its message", () => {
    const e = api.toCommandError(new Error("IPC failed"));
    expect(e.code).toBe("internal");
    expect(e.message).toBe("IPC failed");
  });

  it("keeps a CommandError as it is", () => {
    const err = {
      code: "validation",
      message: "invalid input",
      details: [{ field: "password", code: "weak", reason: "too weak" }],
      retryAfterSecs: null,
    };
    expect(api.toCommandError(err)).toEqual(err);
  });

  it("fills what a partial CommandError leaves out", () => {
    expect(api.toCommandError({ code: "too_many_attempts", retryAfterSecs: 30 })).toEqual({
      code: "too_many_attempts",
      message: "",
      details: [],
      retryAfterSecs: 30,
    });
  });

  it("treats an object with an unknown code, null and undefined as internal", () => {
    expect(api.toCommandError({ code: "boom" }).code).toBe("internal");
    expect(api.toCommandError(null).code).toBe("internal");
    expect(api.toCommandError(undefined).code).toBe("internal");
  });
});

describe("commands", () => {
  it("pass their arguments in camelCase and normalize rejections", async () => {
    const calls = mockBackend({
      rename_organization: () => {
        throw "backend exploded";
      },
      sign_in: (args) => ({ ...(args.input as object), memberId: 1 }),
    });
    await expect(api.renameOrganization("New")).rejects.toMatchObject({ code: "internal", message: "backend exploded" });
    await api.signIn({ username: "ada", password: "pw" });
    expect(calls.map((c) => [c.cmd, c.args])).toEqual([
      ["rename_organization", { name: "New" }],
      ["sign_in", { input: { username: "ada", password: "pw" } }],
    ]);
  });
});
