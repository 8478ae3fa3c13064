import { useState } from "react";

/** Rows picked with PlainTable's check boxes, kept by key over every page (with the rows, for their names). */
export function useRowSelection<T, K>(keyOf: (row: T) => K) {
  const [selected, setSelected] = useState<Map<K, T>>(new Map());
  /** PlainTable's `selection.onChange`: the new keys, and the rows newly picked on this page. */
  const onChange = (keys: K[], newly: T[]) => {
    const known = new Map([...selected, ...newly.map((r) => [keyOf(r), r] as const)]);
    const next = new Map<K, T>();
    for (const k of keys) {
      const row = known.get(k);
      if (row) next.set(k, row);
    }
    setSelected(next);
  };
  return { keys: [...selected.keys()], rows: [...selected.values()], onChange, clear: () => setSelected(new Map()) };
}
