import { useCallback, useLayoutEffect, useRef } from "react";

/**
 * A callback whose identity never changes and which always calls the latest `fn`: memoized
 * children that take it do not render again when the screen does.
 */
export function useStableCallback<A extends unknown[], R>(fn: (...args: A) => R): (...args: A) => R {
  const latest = useRef(fn);
  useLayoutEffect(() => {
    latest.current = fn;
  });
  return useCallback((...args: A) => latest.current(...args), []);
}
