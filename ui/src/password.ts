// The password and username rules of the contract, checked as the user types.
// The core applies the same rules; this only gives early feedback.

export const PASSWORD_MIN = 8;
export const PASSWORD_MAX = 64;
export const USERNAME_PATTERN = /^[A-Za-z0-9._-]{3,32}$/;
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
  const lower = /\p{Ll}/u.test(password);
  const upper = /\p{Lu}/u.test(password);
  const digit = /\p{Nd}/u.test(password);
  // A symbol is any character that is not a letter, a digit or white space.
  const symbol = /[^\p{L}\p{Nd}\s]/u.test(password);
  const classCount = [lower, upper, digit, symbol].filter(Boolean).length;
  const name = username.trim().toLowerCase();
  const notUsername = name === "" || !password.toLowerCase().includes(name);
  const lengthOk = length >= PASSWORD_MIN && length <= PASSWORD_MAX;
  const classes = classCount >= 3;
  return { length: lengthOk, classCount, classes, notUsername, ok: lengthOk && classes && notUsername };
}
