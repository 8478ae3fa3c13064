// The password and username rules, checked as the user types for early feedback. The rule
// itself lives in crates/rules: the limits below are generated from it, and
// password.test.ts checks this function against the cases the rule answered
// (bindings/passwordCases.json).
import { PASSWORD_MAX, PASSWORD_MIN, USERNAME_MAX, USERNAME_MIN } from "./bindings/passwordPolicy";

export { PASSWORD_MAX, PASSWORD_MIN };
export const USERNAME_PATTERN = new RegExp(`^[A-Za-z0-9._-]{${USERNAME_MIN},${USERNAME_MAX}}$`);
export const NAME_MAX = 64;

export type PasswordCheck = {
  /** 8–64 characters (Unicode code points). */
  length: boolean;
  /** How many of: lowercase letters, uppercase letters, digits, symbols. */
  classCount: number;
  classes: boolean;
  /** Does not contain the username (case-insensitive); true while there is no username. */
  notUsername: boolean;
  ok: boolean;
};

export function checkPassword(password: string, username: string): PasswordCheck {
  const length = [...password].length;
  const lower = /\p{Lowercase}/u.test(password);
  const upper = /\p{Uppercase}/u.test(password);
  const digit = /[0-9]/.test(password);
  // A symbol is any character that is not a letter, a number or white space.
  const symbol = /[^\p{Alphabetic}\p{N}\p{White_Space}]/u.test(password);
  const classCount = [lower, upper, digit, symbol].filter(Boolean).length;
  const name = username.trim().toLowerCase();
  const notUsername = name.length < USERNAME_MIN || !password.toLowerCase().includes(name);
  const lengthOk = length >= PASSWORD_MIN && length <= PASSWORD_MAX;
  const classes = classCount >= 3;
  return { length: lengthOk, classCount, classes, notUsername, ok: lengthOk && classes && notUsername };
}
