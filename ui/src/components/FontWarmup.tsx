import { useEffect, useState } from "react";

import { useFrameAfter } from "./frames";

/**
 * The type the signed-in window draws its text in — each size and weight it uses — laid out
 * once, hidden, while a screen before it (sign-in, set-up) waits for the admin's typing.
 *
 * WebKit on Linux resolves every font the first time a size and weight is used: it walks the
 * font-family list through fontconfig and, for characters the first font lacks (Chinese names
 * in Latin fonts), sorts the installed fonts for fallbacks. For the signed-in window's first
 * picture that took about 230 ms of the main thread right after sign-in. Laid out here first,
 * those answers are in WebKit's font cache when the window appears. Hidden text is still laid
 * out (its widths need the fonts), but never painted, read out or reachable.
 *
 * The list is what the signed-in window draws (`DUMP_FONTS=1 node ui/perf/chromium.mjs`
 * prints it): the body text, the small and large sizes, the headings and the brand.
 */
export const WARMED_FONTS: ReadonlyArray<readonly [size: number, weight: number]> = [
  [12, 400],
  [13, 400],
  [14, 400],
  [14, 500],
  [14, 600],
  [15, 600],
  [15, 700],
  [16, 400],
  [16, 600],
  [20, 600],
];

/** Latin, digits, the punctuation the lists show, and common Chinese characters. */
const SAMPLE = "Ag Wy 0123456789 @.-·…›× 张王李赵刘陈杨黄周吴徐孙朱马胡郭林何高罗部门成员邀请";

/** How long after the screen's first picture: a moment no one types a username in. */
const AFTER_PICTURE_MS = 250;

export function FontWarmup() {
  // After the screen's first picture, so that it never delays it or the first keys.
  const painted = useFrameAfter();
  const [shown, setShown] = useState(false);
  useEffect(() => {
    if (!painted) return;
    const timer = window.setTimeout(() => setShown(true), AFTER_PICTURE_MS);
    return () => window.clearTimeout(timer);
  }, [painted]);
  if (!shown) return null;
  return (
    <div className="orgdesk-font-warmup" aria-hidden="true" data-testid="font-warmup">
      {WARMED_FONTS.map(([size, weight]) => (
        <span key={`${size}-${weight}`} style={{ fontSize: size, fontWeight: weight }}>
          {SAMPLE}
        </span>
      ))}
    </div>
  );
}
