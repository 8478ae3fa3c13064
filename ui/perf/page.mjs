// What the Chromium profile (chromium.mjs) runs in the page before the app: the Tauri IPC shim
// and the measuring helpers. Serialized into the page: it must use nothing from this module.
// ---------------------------------------------------------------------------------------------
// What runs in the page before the app: the IPC shim and the measuring helpers.

export function pageInit({ profile }) {
  const perf = {
    phase: "load",
    lastInputTs: null,
    lastClickTs: null,
    inputs: [],
    ipc: [],
    inInput: false,
    react: {},
    keys: {},
    styles: {},
    spec: null,
    resolve: null,
    promise: null,
  };
  window.__perf = perf;

  // --- Tauri IPC shim ------------------------------------------------------------------------
  const callbacks = new Map();
  let nextId = 1;
  let nextEvent = 1;
  const transformCallback = (cb, once = false) => {
    const id = nextId++;
    callbacks.set(id, (data) => {
      if (once) callbacks.delete(id);
      return cb && cb(data);
    });
    return id;
  };
  window.__TAURI_INTERNALS__ = {
    metadata: { currentWindow: { label: "main" }, currentWebview: { windowLabel: "main", label: "main" } },
    plugins: { path: { sep: "/", delimiter: ":" } },
    transformCallback,
    unregisterCallback: (id) => callbacks.delete(id),
    runCallback: (id, data) => callbacks.get(id)?.(data),
    callbacks,
    convertFileSrc: (p, protocol = "asset") => `${protocol}://localhost/${encodeURIComponent(p)}`,
    invoke: async (cmd, args = {}) => {
      if (cmd === "plugin:event|listen") return nextEvent++;
      if (cmd.startsWith("plugin:event|")) return null;
      const t0 = performance.now();
      const text = await window.__orgdeskBackend(cmd, JSON.stringify(args));
      const t1 = performance.now();
      const out = JSON.parse(text);
      perf.ipc.push({ cmd, args, t0, t1, parsed: performance.now() });
      if ("err" in out) throw out.err;
      return out.ok;
    },
  };
  window.__TAURI_EVENT_PLUGIN_INTERNALS__ = { unregisterListener: (_event, id) => callbacks.delete(id) };

  // --- Input events: timestamp, queueing delay and handler time (React renders inside) --------
  window.addEventListener(
    "input",
    (e) => {
      perf.lastInputTs = e.timeStamp;
      perf.inInput = true;
      perf.keys[perf.phase] = (perf.keys[perf.phase] ?? 0) + 1;
      perf.inputs.push({ ts: e.timeStamp, start: performance.now(), end: null });
    },
    true,
  );
  window.addEventListener("input", () => {
    perf.inInput = false;
    const rec = perf.inputs[perf.inputs.length - 1];
    if (rec) rec.end = performance.now();
  });
  window.addEventListener("click", (e) => (perf.lastClickTs = e.timeStamp), true);

  // --- Waiting for the expected DOM, then for the next painted frame ---------------------------
  const check = () => {
    const s = perf.spec;
    if (!s) return false;
    if (s.present && !document.querySelector(s.present)) return false;
    if (s.absent && document.querySelector(s.absent)) return false;
    if (s.rows) {
      const trs = document.querySelectorAll(".ant-table-tbody tr[data-row-key]");
      if (trs.length !== s.rows.length) return false;
      for (let i = 0; i < trs.length; i++) if (trs[i].getAttribute("data-row-key") !== String(s.rows[i])) return false;
      if (s.rows.length === 0 && !document.querySelector(".ant-table-placeholder")) return false;
    }
    if (s.firstRow !== undefined) {
      const tr = document.querySelector(".ant-table-tbody tr[data-row-key]");
      if (!tr || tr.getAttribute("data-row-key") !== String(s.firstRow)) return false;
    }
    if (s.total !== undefined) {
      const el = document.querySelector("[data-testid=member-total]");
      if (!el || Number(el.textContent.replace(/\D/g, "")) !== s.total) return false;
    }
    for (const [sel, text] of s.texts ?? []) {
      const el = document.querySelector(sel);
      if (!el || el.textContent.trim() !== text) return false;
    }
    for (const [sel, attr, value] of s.attrs ?? []) {
      const el = document.querySelector(sel);
      if (!el || el.getAttribute(attr) !== value) return false;
    }
    return true;
  };
  const onChange = () => {
    if (!perf.spec || perf.spec.dom !== undefined || !check()) return;
    const spec = perf.spec;
    spec.dom = performance.now();
    requestAnimationFrame(() => {
      const ch = new MessageChannel();
      ch.port1.onmessage = () => {
        spec.paint = performance.now();
        perf.resolve?.();
      };
      ch.port2.postMessage(null);
    });
  };
  perf.expect = (spec) => {
    perf.spec = { ...spec };
    perf.ipc = [];
    perf.inputs = [];
    perf.lastInputTs = null;
    perf.lastClickTs = null;
    perf.promise = new Promise((r) => (perf.resolve = r));
    onChange();
  };
  perf.done = async (timeoutMs = 30000) => {
    const timer = new Promise((r) => setTimeout(() => r("timeout"), timeoutMs));
    const how = await Promise.race([perf.promise, timer]);
    const s = perf.spec;
    perf.spec = null;
    return {
      timeout: how === "timeout",
      dom: s.dom ?? null,
      paint: s.paint ?? null,
      before: s.before ?? null,
      input: perf.lastInputTs,
      click: perf.lastClickTs,
      inputs: perf.inputs,
      ipc: perf.ipc.map(({ cmd, args, t0, t1, parsed }) => ({ cmd, search: args?.query?.search ?? null, offset: args?.query?.offset, t0, t1, parsed })),
    };
  };
  const observer = new MutationObserver(onChange);
  observer.observe(document, { childList: true, subtree: true, characterData: true, attributes: true, attributeFilter: ["data-row-key"] });

  // Cold start: the sign-in field on screen.
  perf.expect({ present: "[data-testid=signin-username]" });

  // --- <style> elements (Ant Design's CSS-in-JS) added per phase -------------------------------
  const styleObserver = new MutationObserver((records) => {
    const st = (perf.styles[perf.phase] ??= { added: 0, addedChars: 0, removed: 0, textChanges: 0 });
    for (const r of records) {
      if (r.type === "childList") {
        for (const n of r.removedNodes) if (n.nodeName === "STYLE") st.removed++;
        for (const n of r.addedNodes) {
          if (n.nodeName === "STYLE") {
            st.added++;
            st.addedChars += n.textContent.length;
          } else if (r.target.nodeName === "STYLE") st.textChanges++;
        }
      } else if (r.type === "characterData") st.textChanges++;
    }
  });
  styleObserver.observe(document, { childList: true, subtree: true, characterData: true });
  perf.styleSummary = () => {
    const els = [...document.querySelectorAll("style")];
    return { count: els.length, chars: els.reduce((s, e) => s + e.textContent.length, 0), perPhase: perf.styles };
  };

  // --- React commits through a DevTools-like global hook (profile runs only) ------------------
  if (profile) {
    const nameOf = (f) => {
      const t = f.type;
      if (!t) return null;
      if (typeof t === "string") return null;
      if (typeof t === "function") return t.displayName || t.name || "(anonymous)";
      if (t.displayName) return t.displayName;
      if (t.render) return t.render.displayName || t.render.name || "ForwardRef";
      if (t.type) return t.type.displayName || t.type.name || "Memo";
      return null;
    };
    const COMPONENT_TAGS = new Set([0, 1, 11, 14, 15]);
    const hook = {
      renderers: new Map(),
      supportsFiber: true,
      isDisabled: false,
      inject(internals) {
        const id = hook.renderers.size + 1;
        hook.renderers.set(id, internals);
        return id;
      },
      checkDCE() {},
      onScheduleFiberRoot() {},
      onCommitFiberUnmount() {},
      onPostCommitFiberRoot() {},
      setStrictMode() {},
      onCommitFiberRoot(_id, root) {
        const key = `${perf.phase}:${perf.inInput ? "key" : "other"}`;
        const acc = (perf.react[key] ??= { commits: 0, components: 0, hostMounted: 0, hostUpdated: 0, byName: {} });
        // What was rendered from the action until the expected content is in the page (the
        // commit that puts it there included): the work its first picture waited for.
        const spec = perf.spec;
        const before = spec && spec.dom === undefined ? (spec.before ??= { commits: 0, components: 0, hostMounted: 0, hostUpdated: 0, byName: {} }) : null;
        const accs = before ? [acc, before] : [acc];
        const count = (field, n) => {
          for (const a of accs) {
            if (field === "byName") a.byName[n] = (a.byName[n] ?? 0) + 1;
            else a[field]++;
          }
        };
        count("commits");
        const stack = [root.current];
        while (stack.length) {
          const f = stack.pop();
          const alt = f.alternate;
          if (COMPONENT_TAGS.has(f.tag)) {
            if (alt === null || (f.flags & 1) !== 0) {
              count("components");
              count("byName", nameOf(f));
            }
          } else if (f.tag === 5) {
            if (alt === null) count("hostMounted");
            else if (f.memoizedProps !== alt.memoizedProps) count("hostUpdated");
          }
          // An untouched subtree keeps its child fibers: nothing below rendered.
          if (alt !== null && f.child === alt.child) {
            if (f.sibling) stack.push(f.sibling);
            continue;
          }
          if (f.sibling) stack.push(f.sibling);
          if (f.child) stack.push(f.child);
        }
      },
    };
    window.__REACT_DEVTOOLS_GLOBAL_HOOK__ = hook;
  }
}

