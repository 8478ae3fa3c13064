// The Chromium profile's printed report (chromium.mjs).

export const pct = (xs, p) => {
  const s = xs.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))];
};
export const fmt = (x) => (Number.isFinite(x) ? x.toFixed(0) : "-");
export const mb = (b) => (b / 1048576).toFixed(0);

// ---------------------------------------------------------------------------------------------
// Report

export function report(r) {
  const rows = [
    ["cold start -> sign-in field painted (from navigation)", r.lines.cold],
    ["sign-in click -> first rows painted", r.lines.signin],
    [`keystroke -> painted rows (${r.lines.search.length} queries, from last key)`, r.lines.search],
    ["  last key -> list_members called (debounce 150 + renders)", r.breakdown.debounceAndRender],
    ["  list_members IPC round trip as the page sees it (+ JSON parse)", r.breakdown.ipc],
    ["    of which the Node backend's answer (search + JSON)", r.backendMs],
    ["  answer -> rows in DOM (React render + commit)", r.breakdown.answerToDom],
    ["  rows in DOM -> painted frame", r.breakdown.domToPaint],
    ["input event handler (per key; React renders synchronously)", r.lines.inputHandler],
    ["input event queueing delay (per key)", r.lines.inputQueue],
    ["clear box -> full list painted", r.lines.clear],
    ["next page", r.lines.nextPage],
    ["member details (click -> name painted in drawer)", r.lines.details],
    ["switch department (click -> rows + title painted)", r.lines.department],
    ["open Invitations (click -> first row painted; the first opening first)", r.lines.invitations ?? []],
    ["open Join Requests (click -> first row painted; the first opening first)", r.lines.joinRequests ?? []],
  ];
  console.log(`\nChromium (headless, ${r.dist}${r.profile ? ", PROFILING: CPU profiler + React hook add overhead" : ""})`);
  console.log(`${"".padEnd(66)} ${"n".padStart(4)} ${"p50 ms".padStart(8)} ${"p95 ms".padStart(8)} ${"max ms".padStart(8)}`);
  for (const [label, xs] of rows) {
    console.log(`${label.padEnd(66)} ${String(xs.length).padStart(4)} ${fmt(pct(xs, 50)).padStart(8)} ${fmt(pct(xs, 95)).padStart(8)} ${fmt(pct(xs, 100)).padStart(8)}`);
  }
  for (const [what, xs] of Object.entries(r.firstPicture ?? {})) {
    const med = (f) => fmt(pct(xs.map(f), 50));
    console.log(
      `${what} (median of ${xs.length}): last answer read at ${med((x) => x.lastAnswer ?? NaN)} ms, ` +
        `content in the page at ${med((x) => x.toDom)} ms, painted at ${med((x) => x.toPaint)} ms`,
    );
    const withReact = xs.filter((x) => x.before);
    if (withReact.length) {
      const sum = (f) => withReact.reduce((a, x) => a + f(x.before), 0) / withReact.length;
      const names = {};
      for (const x of withReact) for (const [n, c] of Object.entries(x.before.byName)) names[n] = (names[n] ?? 0) + c / withReact.length;
      const top = Object.entries(names).sort((a, b) => b[1] - a[1]).slice(0, 24);
      console.log(
        `  rendered before it was in the page (mean): ${sum((b) => b.commits).toFixed(1)} commits, ${sum((b) => b.components).toFixed(0)} components, ` +
          `${sum((b) => b.hostMounted).toFixed(0)} elements mounted, ${sum((b) => b.hostUpdated).toFixed(0)} updated`,
      );
      console.log(`  ${top.map(([n, c]) => `${n} ${c.toFixed(c < 10 ? 1 : 0)}`).join(", ")}`);
    }
  }
  console.log("\nMain-thread time per action (CDP Performance.getMetrics deltas, ms):");
  console.log(`${"phase".padEnd(12)} ${"task".padStart(7)} ${"script".padStart(7)} ${"style".padStart(7)} ${"layout".padStart(7)} ${"layouts".padStart(8)} ${"recalcs".padStart(8)}`);
  for (const [k, m] of Object.entries(r.metrics)) {
    console.log(`${k.padEnd(12)} ${fmt(m.taskMs).padStart(7)} ${fmt(m.scriptMs).padStart(7)} ${fmt(m.styleMs).padStart(7)} ${fmt(m.layoutMs).padStart(7)} ${m.layouts.toFixed(1).padStart(8)} ${m.styleRecalcs.toFixed(1).padStart(8)}`);
  }
  console.log("(search: per query = its keys + debounce + answer, plus the clear back to the full list)");
  console.log("\nMemory:");
  for (const [k, m] of Object.entries(r.memory)) {
    console.log(
      `${k.padEnd(12)} JS heap ${mb(m.jsHeapUsed)} MB used (${mb(m.jsHeapUsedAfterGc)} MB after GC, ${mb(m.jsHeapTotal)} MB allocated), ` +
        `DOM nodes ${m.domNodes} (${m.domNodesAfterGc} after GC), listeners ${m.jsEventListeners}; renderer RSS ${m.rendererRss === null ? "?" : mb(m.rendererRss)} MB ` +
        `(PSS ${m.rendererPss === null ? "?" : mb(m.rendererPss)} MB), all Chromium processes RSS ${mb(m.chromiumRss)} MB / PSS ${mb(m.chromiumPss)} MB`,
    );
    console.log(`${"".padEnd(12)} ${m.processes}`);
  }
  if (r.styles) {
    console.log(`\n<style> elements: ${r.styles.count}, ${(r.styles.chars / 1024).toFixed(0)} KiB of CSS text`);
    for (const [p, s] of Object.entries(r.styles.perPhase)) {
      console.log(`  during ${p.padEnd(10)} ${String(s.added).padStart(4)} added (${(s.addedChars / 1024).toFixed(1)} KiB), ${String(s.removed).padStart(4)} removed, ${s.textChanges} text changes`);
    }
  }
  for (const [phase, c] of Object.entries(r.cpu)) {
    console.log(`\nCPU profile: ${phase} — ${fmt(c.wallMs)} ms recorded, ${fmt(c.busyMs)} ms busy (GC ${fmt(c.gcMs)}, program ${fmt(c.programMs)}); @ant-design/cssinjs inclusive ${fmt(c.cssinjsTotalMs)} ms`);
    if (!["search", "details"].includes(phase)) {
      console.log(`  packages by total: ${c.pkgTotal.slice(0, 8).map(([k, v]) => `${k} ${fmt(v)}`).join(", ")}`);
      continue;
    }
    console.log("  top by self time (ms):");
    for (const [k, v] of c.topSelf) console.log(`    ${fmt(v).padStart(6)}  ${k}`);
    console.log("  top by total time (ms):");
    for (const [k, v] of c.topTotal) console.log(`    ${fmt(v).padStart(6)}  ${k}`);
    console.log("  our code (src/) by total (ms):");
    for (const [k, v] of c.ours) console.log(`    ${fmt(v).padStart(6)}  ${k}`);
    console.log("  packages by self / total (ms):");
    const totals = new Map(c.pkgTotal);
    for (const [k, v] of c.pkgSelf) console.log(`    ${fmt(v).padStart(6)} / ${fmt(totals.get(k)).padStart(6)}  ${k}`);
    if (c.cssinjsFns.length) {
      console.log("  CSS-in-JS functions by total (ms):");
      for (const [k, v] of c.cssinjsFns) console.log(`    ${fmt(v).padStart(6)}  ${k}`);
    }
  }
  for (const { groups, keys } of Object.values(r.react)) {
    for (const [g, acc] of Object.entries(groups)) {
      const [ph, kind] = g.split(":");
      // Commits inside an input event are the keystroke's own renders: shown per keystroke.
      const d = kind === "key" ? keys[ph] || 1 : r.lines[ph]?.length || 1;
      const per = kind === "key" ? `per keystroke (${d} keys)` : `per action (${d} actions)`;
      console.log(
        `\nReact ${g}: ${acc.commits} commits; ${per}: ${(acc.components / d).toFixed(0)} components rendered, ` +
          `${(acc.hostUpdated / d).toFixed(0)} host elements updated, ${(acc.hostMounted / d).toFixed(0)} mounted`,
      );
      const top = Object.entries(acc.byName).sort((a, b) => b[1] - a[1]).slice(0, 30);
      console.log(`  ${top.map(([n, c]) => `${n} ${(c / d).toFixed(c / d < 10 ? 1 : 0)}`).join(", ")}`);
    }
  }
  if (r.unknown && Object.keys(r.unknown).length) console.log(`\nunknown commands: ${JSON.stringify(r.unknown)}`);
}

