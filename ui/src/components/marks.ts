// Named moments for the window benchmark (`make bench`, benches/window). The benchmark's probe
// sets `window.__odMarks` to a list when it starts a measurement, and each moment is appended
// with its time; in the admin's window there is no list and nothing is recorded. The benchmark
// prints the moments beside its timeline, so that a slow line shows where its time went: the
// backend's answers, a screen's render, its commit.

type MarkList = [string, number][];

/** Records `name` at this moment if the benchmark is listening. */
export function mark(name: string): void {
  const list = (window as { __odMarks?: MarkList }).__odMarks;
  if (list && list.length < 400) list.push([name, performance.now()]);
}
