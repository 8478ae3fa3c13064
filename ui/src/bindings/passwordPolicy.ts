// Generated from crates/rules (the password policy) by `make bindings`. Do not edit.

export const PASSWORD_MIN = 8;
export const PASSWORD_MAX = 64;
export const USERNAME_MIN = 3;
export const USERNAME_MAX = 32;

/** [password, username, the problems the rule finds] */
export const PASSWORD_CASES: Array<[string, string, string[]]> = [
  ["","",["required"]],
  ["Ab1!","",["too_short"]],
  ["Abcdef1!","",[]],
  ["abcdefgh","",["weak"]],
  ["abcdEFGH","",["weak"]],
  ["abcdEF12","",[]],
  ["abcd12!?","",[]],
  ["aB1!aB1!","",[]],
  ["Aa1!Aa1!Aa1!Aa1!Aa1!Aa1!Aa1!Aa1!Aa1!Aa1!Aa1!Aa1!Aa1!Aa1!Aa1!Aa1!","",[]],
  ["Aa1!Aa1!Aa1!Aa1!Aa1!Aa1!Aa1!Aa1!Aa1!Aa1!Aa1!Aa1!Aa1!Aa1!Aa1!Aa1!x","",["too_long"]],
  ["xxADAxx1!","ada",["contains_username"]],
  ["Str0ng!pass","ada",[]],
  ["Str0ng!pass"," Pass ",["contains_username"]],
  ["Abcdefg1","ab",[]],
  ["P\u00E4ssw\u00F6rd1","",[]],
  ["\u00DCn\u00EFc\u00F6d\u00E9!x","",[]],
  ["abcdefg\u0663A","",["weak"]],
  ["abcdefg\u00B2A","",["weak"]],
  ["abcdefgh\u2163A","",["weak"]],
  ["ABCDEFG\u00AA1","",[]],
  ["abcdefgh 1A","",[]],
  ["abcdefgh\u00A01A","",[]],
  ["abcdefgh\uFEFF1A","",[]],
  ["\u65E5\u672C\u8A9E\u306E\u30D1\u30B9\u30EF\u30FC\u30C91!","",["weak"]],
  ["\u00C0\u00C9\u00CE\u00D5\u00DCabc","",["weak"]],
];
