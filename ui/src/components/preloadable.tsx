import { lazy, useState, type ComponentType } from "react";

/**
 * A component whose code is a chunk of its own, loaded by `preload()` ahead of its first use
 * (or when first rendered, if sooner).
 *
 * Unlike `React.lazy` alone, once the chunk is in, the component renders at once: `React.lazy`
 * suspends on its first render even when its module is already loaded, and React then shows
 * the Suspense fallback and holds the content back until 300 ms after it (its fallback
 * throttle) — which every first opening of a screen paid. Only a component rendered before
 * its chunk arrived goes through `React.lazy` and the fallback.
 */
export function preloadable<P extends object, M>(load: () => Promise<M>, pick: (module: M) => ComponentType<P>) {
  let loaded: ComponentType<P> | undefined;
  let pending: Promise<ComponentType<P>> | undefined;
  const preload = () =>
    (pending ??= load().then((module) => {
      loaded = pick(module);
      return loaded;
    }));
  const Lazy = lazy(() => preload().then((component) => ({ default: component })));
  function Preloadable(props: P) {
    // An element keeps the kind it mounted with, so that the chunk arriving while it is on
    // screen does not mount it again.
    const [Component] = useState<ComponentType<P>>(() => loaded ?? Lazy);
    return <Component {...props} />;
  }
  return { Component: Preloadable, preload };
}
