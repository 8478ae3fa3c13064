import { useEffect, useState } from "react";

/**
 * Runs `then` in the frame after the next one: by then the next frame has been painted and the
 * tasks queued while it was made have run, so the deferred work never delays that picture (a
 * timer set from the first frame may run before the tasks that follow its paint). Returns the
 * cancel.
 */
export function afterNextPaint(then: () => void): () => void {
  let second = 0;
  const first = requestAnimationFrame(() => {
    second = requestAnimationFrame(then);
  });
  return () => {
    cancelAnimationFrame(first);
    cancelAnimationFrame(second);
  };
}

/**
 * False until a frame has been painted after `ready` first held, then true for good. What the
 * first picture of a screen can do without (the department tree beside the first rows, the rest
 * of a page of rows) is drawn in the next frame, so that the first one waits only for what the
 * admin came to see.
 */
export function useFrameAfter(ready = true): boolean {
  const [after, setAfter] = useState(false);
  useEffect(() => {
    if (after || !ready) return;
    return afterNextPaint(() => setAfter(true));
  }, [after, ready]);
  return after;
}

/** Above any table: the window's header and the page's margin (px). */
const ABOVE_TABLES = 160;

/** Rows a table builds in its first frame: as many as the window can show below its header. */
export function firstRows(rowHeight: number): number {
  const height = typeof window === "undefined" ? 800 : window.innerHeight || 800;
  return Math.max(8, Math.ceil((height - ABOVE_TABLES) / rowHeight) + 1);
}

/**
 * For a view that shows one record after another: false in the frames that show a new `key`
 * until one has been painted, then true until the key changes again.
 */
export function useFrameAfterChange(key: unknown): boolean {
  const [paintedFor, setPaintedFor] = useState<{ key: unknown } | null>(null);
  useEffect(() => {
    return afterNextPaint(() => setPaintedFor({ key }));
  }, [key]);
  return paintedFor !== null && Object.is(paintedFor.key, key);
}
