import { useState } from "react";

/**
 * False until `shown` first holds, then true for good: a drawer or dialog is made when it is
 * first opened — not in the window's first picture — and then stays, so that it can close with
 * its animation and open again without being built anew.
 */
export function useShownOnce(shown: boolean): boolean {
  const [once, setOnce] = useState(shown);
  if (shown && !once) setOnce(true);
  return once || shown;
}
