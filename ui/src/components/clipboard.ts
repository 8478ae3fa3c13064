/** Writes `text` to the clipboard, then calls `done`. Where the window may not (WebKitGTK can
 *  refuse, or there is no clipboard API at all) it calls `byHand`, which lets the person copy it. */
export function copyText(text: string, done: () => void, byHand: () => void): void {
  if (!navigator.clipboard) return byHand();
  navigator.clipboard.writeText(text).then(done, byHand);
}
