// Generated from crates/rules (the password policy) by `make bindings`. Do not edit.
// The cases the rule answered are in passwordCases.json.

export const PASSWORD_MIN = 8;
export const PASSWORD_MAX = 64;
export const USERNAME_MIN = 3;
export const USERNAME_MAX = 32;
