// Engine-independent profile of the built UI in headless Chromium (issue 12).
//
// Usage (from the repository root; it builds nothing, it serves an already-built UI folder):
//   node ui/perf/chromium.mjs [dist-folder] [--profile] [--members=100000] [--departments=2000]
//                             [--queries=24] [--pages=10] [--details=10] [--json=out.json]
//                             [--save-profiles=dir]   (raw .cpuprofile per phase, for DevTools)
//   dist-folder  defaults to ui/dist (build it with `npm --prefix ui run build`).
//   --screenshots=dir  pictures of the directory and of a member's details, to compare builds.
//   DUMP_HTML='selector=file' (env)  writes the element's markup after sign-in, to compare DOMs.
//   DUMP_STYLES='sel|sel' (env)  prints the computed style and box of each selector after sign-in
//                (PROPS='a,b' picks the properties): the layout check when markup changes.
//   --profile    also records CPU profiles (CDP Profiler) per phase, React commits per keystroke
//                (a DevTools global hook) and Ant Design's CSS-in-JS figures. Names and source
//                files are readable only with an unminified build with source maps:
//                  (cd ui && npx vite build --sourcemap --outDir /tmp/ui-profile-dist --minify false)
//                  node ui/perf/chromium.mjs /tmp/ui-profile-dist --profile
//
// The window's Tauri IPC is replaced by a shim (window.__TAURI_INTERNALS__, injected before the
// page loads) whose backend runs in this Node process over synthetic data (100,000 members,
// 2,000 departments), precomputed so that it answers in a few milliseconds like the real core.
// Chromium: /usr/bin/chromium, headless, fresh profile, 1280x800. Times are measured in the page
// from the input event's timeStamp to the first frame painted after the expected rows are in the
// DOM (requestAnimationFrame, then a MessageChannel task).
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import { tmpdir } from "node:os";
import { extname, join, normalize, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";

import { chromium } from "playwright-core";

// ---------------------------------------------------------------------------------------------
// Options

const here = fileURLToPath(new URL(".", import.meta.url));
const opts = {
  dist: resolve(here, "..", "dist"),
  profile: false,
  members: 100_000,
  departments: 2_000,
  queries: 24,
  pages: 10,
  details: 10,
  json: null,
  saveProfiles: null,
  screenshots: null,
};
for (const arg of process.argv.slice(2)) {
  const m = /^--([a-z-]+)(?:=(.*))?$/.exec(arg);
  if (!m) opts.dist = resolve(arg);
  else if (m[1] === "profile") opts.profile = true;
  else if (m[1] === "json") opts.json = resolve(m[2]);
  else if (m[1] === "save-profiles" || m[1] === "saveprofiles") opts.saveProfiles = resolve(m[2]);
  else if (m[1] === "screenshots") opts.screenshots = resolve(m[2]);
  else if (m[1] in opts && m[2] !== undefined) opts[m[1]] = Number(m[2]);
  else {
    console.error(`unknown option ${arg}`);
    process.exit(2);
  }
}
if (!existsSync(join(opts.dist, "index.html"))) {
  console.error(`${opts.dist}/index.html not found: build the UI first`);
  process.exit(2);
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// ---------------------------------------------------------------------------------------------
// Synthetic backend (runs in Node; the page reaches it through an exposed binding)

function mulberry32(seed) {
  return () => {
    seed |= 0;
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const FIRST = (
  "James Mary Robert Patricia John Jennifer Michael Linda David Elizabeth William Barbara Richard Susan Joseph Jessica " +
  "Thomas Sarah Charles Karen Daniel Lisa Matthew Nancy Anthony Betty Mark Sandra Steven Ashley Paul Emily Andrew Donna " +
  "Joshua Michelle Kevin Carol Brian Amanda George Melissa Timothy Deborah Wei Fang Min Jing Lei Yan Hui Xin Jun Ling " +
  "Hiroshi Yuki Sofia Lucas Mateo Olga Ivan Priya Arjun Fatima Omar Chen Ana Pedro Lars Ingrid Noah Emma Liam Olivia"
).split(" ");
const LAST = (
  "Smith Johnson Williams Brown Jones Garcia Miller Davis Rodriguez Martinez Hernandez Lopez Gonzalez Wilson Anderson " +
  "Thomas Taylor Moore Jackson Martin Lee Perez Thompson White Harris Sanchez Clark Ramirez Lewis Robinson Walker Young " +
  "Allen King Wright Scott Torres Nguyen Hill Flores Wang Li Zhang Liu Chen Yang Huang Zhao Wu Zhou Xu Sun Ma Zhu Hu " +
  "Tanaka Suzuki Sato Kim Park Novak Kowalski Muller Schmidt Rossi Bianchi Silva Santos Ivanov Petrov Singh Patel Khan"
).split(" ");
const TITLES = [
  "Engineer", "Senior Engineer", "Staff Engineer", "Product Manager", "Designer", "Sales Representative",
  "Account Manager", "Analyst", "Accountant", "Recruiter", "Support Specialist", "Team Lead", "Director", null, null,
];
const DEPT_TOP = [
  "Engineering", "Sales", "Marketing", "Finance", "Human Resources", "Operations", "Customer Support",
  "Product", "Legal", "Research", "Logistics", "IT",
];
const DEPT_WORDS = [
  "Platform", "Mobile", "Web", "Data", "Security", "Infrastructure", "EMEA", "APAC", "Americas", "North", "South",
  "East", "West", "Enterprise", "SMB", "Payroll", "Recruiting", "Benefits", "Quality", "Design", "Analytics",
  "Partnerships", "Procurement", "Field", "Inside", "Growth", "Core", "Tools", "Billing", "Compliance",
];
const STATUSES = [
  ["enabled", 0.85], ["not_joined", 0.08], ["disabled", 0.04], ["resigned", 0.02], ["pending_approval", 0.01],
];
const ACTIVE = new Set(["enabled", "disabled", "not_joined"]);

function actionsForStatus(status) {
  switch (status) {
    case "enabled": return ["edit", "disable", "resign", "remove"];
    case "disabled": return ["edit", "enable", "resign", "remove"];
    case "resigned": return ["restore", "remove"];
    case "not_joined": return ["edit", "remove"];
    default: return ["remove"];
  }
}

function buildBackend(memberCount, deptCount) {
  const rnd = mulberry32(12);
  const pick = (a) => a[Math.floor(rnd() * a.length)];

  // Departments: a root and up to 5 levels below it (6 levels), about deptCount in all.
  const shares = [0, 0.006, 0.03, 0.12, 0.35];
  const depts = [{ id: 1, parentId: null, name: "Acme Corporation", level: 0, children: [] }];
  let levelNodes = [depts[0]];
  for (let level = 1; level <= 5; level++) {
    const n = level === 5 ? deptCount - depts.length : level === 1 ? DEPT_TOP.length : Math.round(deptCount * shares[level]);
    const next = [];
    for (let i = 0; i < n; i++) {
      const parent = level === 1 ? depts[0] : i < levelNodes.length ? levelNodes[i] : pick(levelNodes);
      const name = level === 1 ? DEPT_TOP[i] : `${pick(DEPT_WORDS)} ${level <= 2 ? pick(DEPT_WORDS) : ""}`.trim() + ` ${parent.children.length + 1}`;
      const d = { id: depts.length + 1, parentId: parent.id, name, level, children: [] };
      parent.children.push(d);
      depts.push(d);
      next.push(d);
    }
    levelNodes = next;
  }
  const deptById = new Map(depts.map((d) => [d.id, d]));
  // Euler tour: a member is in d's subtree when tin[d] <= tin[its dept] <= tout[d].
  let clock = 0;
  const tin = new Int32Array(depts.length + 2);
  const tout = new Int32Array(depts.length + 2);
  const tour = (d, path) => {
    d.path = path;
    tin[d.id] = clock++;
    for (const c of d.children) tour(c, path ? `${path}/${c.name}` : c.name);
    tout[d.id] = clock - 1;
  };
  depts[0].path = "";
  tin[1] = clock++;
  for (const c of depts[0].children) tour(c, c.name);
  tout[1] = clock - 1;

  // Members; the first is the signed-in admin.
  const members = [];
  const deeper = depts.filter((d) => d.level >= 2);
  for (let id = 1; id <= memberCount; id++) {
    const first = pick(FIRST);
    const last = pick(LAST);
    let status = "enabled";
    let r = rnd();
    for (const [s, p] of STATUSES) {
      if (r < p) {
        status = s;
        break;
      }
      r -= p;
    }
    const admin = id === 1;
    const name = admin ? "Ada Admin" : `${first} ${last}`;
    const joined = status !== "not_joined" && status !== "pending_approval";
    const username = admin ? "admin" : joined ? `${first}.${last}${id % 1000}`.toLowerCase() : null;
    const email = rnd() < 0.9 ? `${first}.${last}.${id}@example.com`.toLowerCase() : null;
    const mobile = rnd() < 0.7 ? `+1 555 ${String(1000000 + ((id * 48271) % 9000000)).slice(0, 7)}` : null;
    const employeeId = `E${String(100000 + ((id * 7919) % 900000)).padStart(6, "0")}`;
    const dept = admin ? depts[0] : rnd() < 0.03 ? pick(depts) : pick(deeper);
    const roles = admin ? ["Super Admin"] : rnd() < 0.02 ? ["Admin"] : rnd() < 0.01 ? ["HR"] : [];
    const m = {
      id, name, username, email, mobile, employeeId, status, roles,
      deptId: dept.id,
      position: admin ? "Administrator" : pick(TITLES),
      orgEmail: joined && username ? `${username}@acme.example` : null,
      workLocation: rnd() < 0.5 ? pick(["Shanghai", "Berlin", "Austin", "Remote", "Tokyo", "London"]) : null,
      createdAt: 1_700_000_000_000 + id * 60_000,
    };
    m.key = m.name.toLowerCase();
    m.hay = [m.name, m.username, m.email, m.mobile, m.employeeId, m.orgEmail].filter(Boolean).join("\u0001").toLowerCase();
    members.push(m);
  }
  const byId = new Map(members.map((m) => [m.id, m]));
  const order = members.slice().sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : a.id - b.id));

  // Counts per department (active members, primary position only).
  const direct = new Map();
  for (const m of members) if (ACTIVE.has(m.status)) direct.set(m.deptId, (direct.get(m.deptId) ?? 0) + 1);
  const totals = new Map();
  const count = (d) => {
    let t = direct.get(d.id) ?? 0;
    for (const c of d.children) t += count(c);
    totals.set(d.id, t);
    return t;
  };
  count(depts[0]);
  const subtreeSize = (d) => 1 + d.children.reduce((s, c) => s + subtreeSize(c), 0);
  const toNode = (d) => ({
    id: d.id, parentId: d.parentId, name: d.name,
    directMembers: direct.get(d.id) ?? 0, totalMembers: totals.get(d.id) ?? 0,
    children: d.children.map(toNode),
  });
  const treeJson = JSON.stringify(toNode(depts[0]));

  const cache = new Map();
  const matching = (q) => {
    const search = q.search ? q.search.trim().toLowerCase() : "";
    const deptId = q.departmentId ?? 1;
    const sub = q.includeSubDepartments;
    const key = `${deptId}|${sub}|${q.status}|${search}`;
    let hit = cache.get(key);
    if (hit) return hit;
    const lo = tin[deptId];
    const hi = sub ? tout[deptId] : lo;
    const all = deptId === 1 && sub;
    const want =
      q.status === "all" ? (s) => ACTIVE.has(s)
      : q.status === "pending_join" ? (s) => s === "not_joined"
      : (s) => s === q.status;
    hit = [];
    for (const m of order) {
      if (!want(m.status)) continue;
      if (!all) {
        const t = tin[m.deptId];
        if (t < lo || t > hi) continue;
      }
      if (search && !m.hay.includes(search)) continue;
      hit.push(m);
    }
    if (cache.size > 512) cache.delete(cache.keys().next().value);
    cache.set(key, hit);
    return hit;
  };
  const row = (m) => ({
    id: m.id, name: m.name, username: m.username, primaryDepartment: deptById.get(m.deptId).name,
    position: m.position, roles: m.roles, status: m.status, employeeId: m.employeeId, email: m.email, mobile: m.mobile,
  });
  const listMembers = (q) => {
    const hit = matching(q);
    return { rows: hit.slice(q.offset, q.offset + q.limit).map(row), total: hit.length };
  };
  const ref = (m) => (m ? { id: m.id, name: m.name, username: m.username } : null);
  const memberDetails = (id) => {
    const m = byId.get(id);
    if (!m) throw { code: "not_found", message: "no such member", details: [], retryAfterSecs: null };
    const d = deptById.get(m.deptId);
    return {
      id: m.id, name: m.name, username: m.username, email: m.email, orgEmail: m.orgEmail, mobile: m.mobile,
      employeeId: m.employeeId, workLocation: m.workLocation,
      positions: [{ departmentId: d.id, departmentName: d.name, departmentPath: d.path, title: m.position, isPrimary: true }],
      roles: m.roles.map((r, i) => ({ id: i + 1, name: r })),
      status: m.status, createdAt: m.createdAt,
      activatedAt: m.username ? m.createdAt + 3_600_000 : null, lastLoginAt: m.username ? m.createdAt + 86_400_000 : null,
      createdBy: ref(byId.get(1)), invitationEmail: m.status === "not_joined" ? m.email : null,
      personalFieldsLocked: m.username !== null, isInitialAdmin: m.id === 1,
      allowedActions: m.id === 1 ? [] : actionsForStatus(m.status),
      history: [{ at: m.createdAt, actorName: "Ada Admin", action: "create", before: null, after: { name: m.name } }],
    };
  };
  const departmentDetails = (id) => {
    const d = deptById.get(id);
    if (!d) throw { code: "not_found", message: "no such department", details: [], retryAfterSecs: null };
    const head = d.children.length > 0 ? order[(id * 7919) % order.length] : null;
    return {
      id: d.id, parentId: d.parentId, name: d.name, path: d.path, isRoot: d.id === 1, head: ref(head),
      directMembers: direct.get(d.id) ?? 0, totalMembers: totals.get(d.id) ?? 0, subDepartments: subtreeSize(d) - 1,
    };
  };

  const session = {
    memberId: 1, name: "Ada Admin", username: "admin", roles: ["Super Admin"], isInitialAdmin: true,
    organizationName: "Acme Corporation",
  };
  let signedIn = false;
  const counts = { total: 0, enabled: 0, notJoined: 0, pendingApproval: 0, disabled: 0, resigned: 0 };
  for (const m of members) {
    counts.total++;
    if (m.status === "enabled") counts.enabled++;
    else if (m.status === "not_joined") counts.notJoined++;
    else if (m.status === "pending_approval") counts.pendingApproval++;
    else if (m.status === "disabled") counts.disabled++;
    else counts.resigned++;
  }
  const unknown = new Map();
  const nodeMs = [];
  const handlers = {
    app_status: () => ({ initialized: true, session: signedIn ? session : null, dbPath: "/tmp/orgdesk-perf/orgdesk.db", version: "0.1.0" }),
    sign_in: () => ((signedIn = true), session),
    sign_out: () => ((signedIn = false), null),
    department_tree: () => ({ raw: treeJson }),
    department_details: (a) => departmentDetails(a.id),
    list_members: (a) => listMembers(a.query),
    member_details: (a) => memberDetails(a.id),
    org_overview: () => ({
      name: "Acme Corporation", code: "acme", rootDepartmentId: 1, createdAt: 1_700_000_000_000,
      initialAdmin: ref(byId.get(1)), counts, departmentCount: depts.length, canRename: true,
    }),
    invitation_counts: () => ({ awaitingGateway: 0, open: 0, failed: 0 }),
    gateway_status: () => ({ mode: "embedded", url: "http://127.0.0.1:0", connected: true, lastError: null, mailFolder: null }),
    remote_gateway_url: () => null,
    get_settings: () => ({ defaultRegion: "US", importQuotaPerDay: null }),
    list_roles: () => [
      { id: 1, name: "Super Admin", description: "", builtin: true, members: 1 },
      { id: 2, name: "Admin", description: "", builtin: true, members: 0 },
    ],
    former_members: () => [],
    list_invitations: () => ({ rows: [], total: 0 }),
    list_join_requests: () => ({ rows: [], total: 0 }),
    list_sent_mail: () => [],
    list_saved_mappings: () => [],
    import_quota_status: () => ({ limit: null, used: 0, remaining: null }),
    join_link: () => ({ enabled: false, url: null, expiresAt: null, requireApproval: true, departmentId: null }),
    watch_file_drops: () => null,
    cancel_job: () => null,
  };
  // Answers are JSON text, as over Tauri's IPC; the page parses them.
  const call = (cmd, argsJson) => {
    const h = handlers[cmd];
    if (!h) {
      unknown.set(cmd, (unknown.get(cmd) ?? 0) + 1);
      if (unknown.get(cmd) === 1) console.error(`[shim] unknown command ${cmd} ${argsJson} -> null`);
      return '{"ok":null}';
    }
    try {
      const started = performance.now();
      const out = h(JSON.parse(argsJson));
      if (cmd === "list_members") {
        const text = JSON.stringify({ ok: out });
        nodeMs.push(performance.now() - started);
        return text;
      }
      if (out && typeof out === "object" && "raw" in out) return `{"ok":${out.raw}}`;
      return JSON.stringify({ ok: out });
    } catch (e) {
      return JSON.stringify({ err: e });
    }
  };
  return { call, listMembers, byId, depts, members, unknown, nodeMs, clearCache: () => cache.clear() };
}

// ---------------------------------------------------------------------------------------------
// What runs in the page before the app: the IPC shim and the measuring helpers.

function pageInit({ profile }) {
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
        acc.commits++;
        const stack = [root.current];
        while (stack.length) {
          const f = stack.pop();
          const alt = f.alternate;
          if (COMPONENT_TAGS.has(f.tag)) {
            if (alt === null || (f.flags & 1) !== 0) {
              acc.components++;
              const n = nameOf(f);
              acc.byName[n] = (acc.byName[n] ?? 0) + 1;
            }
          } else if (f.tag === 5) {
            if (alt === null) acc.hostMounted++;
            else if (f.memoizedProps !== alt.memoizedProps) acc.hostUpdated++;
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

// ---------------------------------------------------------------------------------------------
// Static server

const TYPES = {
  ".html": "text/html", ".js": "text/javascript", ".css": "text/css", ".json": "application/json", ".map": "application/json",
  ".svg": "image/svg+xml", ".png": "image/png", ".ico": "image/x-icon", ".woff2": "font/woff2",
};
function serve(dir) {
  const server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url, "http://x").pathname);
    let file = normalize(join(dir, path));
    if (!file.startsWith(dir + sep) && file !== dir) {
      res.writeHead(403).end();
      return;
    }
    if (!existsSync(file) || statSync(file).isDirectory()) file = join(dir, "index.html");
    res.writeHead(200, { "content-type": TYPES[extname(file)] ?? "application/octet-stream", "cache-control": "no-store" });
    res.end(readFileSync(file));
  });
  return new Promise((r) => server.listen(0, "127.0.0.1", () => r(server)));
}

// ---------------------------------------------------------------------------------------------
// Source maps and CPU profile analysis

const B64 = new Map([..."ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"].map((c, i) => [c, i]));
function loadSourceMap(file) {
  if (!existsSync(`${file}.map`)) return null;
  const map = JSON.parse(readFileSync(`${file}.map`, "utf8"));
  const lines = [];
  let src = 0, sline = 0;
  for (const text of map.mappings.split(";")) {
    const segs = [];
    let gcol = 0;
    if (text) {
      for (const seg of text.split(",")) {
        const v = [];
        let value = 0, shift = 0;
        for (const ch of seg) {
          const d = B64.get(ch);
          value += (d & 31) << shift;
          if (d & 32) shift += 5;
          else {
            v.push(value & 1 ? -(value >>> 1) : value >>> 1);
            value = 0;
            shift = 0;
          }
        }
        gcol += v[0];
        if (v.length >= 4) {
          src += v[1];
          sline += v[2];
          segs.push(gcol, src, sline);
        }
      }
    }
    lines.push(segs);
  }
  const sources = map.sources.map((s) => {
    const i = s.lastIndexOf("node_modules/");
    if (i >= 0) return s.slice(i);
    const j = s.indexOf("/ui/src/");
    return j >= 0 ? s.slice(j + 4) : s.replace(/^(\.\.\/)+/, "");
  });
  return (line, col) => {
    const segs = lines[line];
    if (!segs || segs.length === 0) return null;
    let best = -1;
    for (let i = 0; i < segs.length; i += 3) {
      if (segs[i] <= col) best = i;
      else break;
    }
    if (best < 0) best = 0;
    return { file: sources[segs[best + 1]], line: segs[best + 2] + 1 };
  };
}

function packageOf(file) {
  if (!file) return "(unknown)";
  const i = file.lastIndexOf("node_modules/");
  if (i >= 0) {
    const parts = file.slice(i + 13).split("/");
    return parts[0].startsWith("@") ? `${parts[0]}/${parts[1]}` : parts[0];
  }
  if (file.startsWith("src/")) return file;
  return file;
}

function analyzeProfile(profile, dist) {
  const maps = new Map();
  const mapperFor = (url) => {
    if (!maps.has(url)) {
      let m = null;
      try {
        const p = new URL(url).pathname;
        const f = join(dist, p);
        if (p.endsWith(".js") && existsSync(f)) m = loadSourceMap(f);
      } catch {
        m = null;
      }
      maps.set(url, m);
    }
    return maps.get(url);
  };
  const info = new Map();
  const parent = new Map();
  for (const n of profile.nodes) {
    for (const c of n.children ?? []) parent.set(c, n.id);
    const cf = n.callFrame;
    const fn = cf.functionName || "(anonymous)";
    let file = null;
    let line = cf.lineNumber + 1;
    if (cf.url) {
      const mapper = mapperFor(cf.url);
      const loc = mapper?.(cf.lineNumber, cf.columnNumber);
      if (loc) ({ file, line } = loc);
      else file = cf.url.replace(/^https?:\/\/[^/]+\//, "");
    }
    const special = !cf.url && fn.startsWith("(");
    const key = special ? fn : `${fn}  ${file ?? "(native)"}:${line}`;
    info.set(n.id, { key, pkg: special ? fn : file ? packageOf(file) : "(native)", special, file });
  }
  const self = new Map(), total = new Map(), pkgSelf = new Map(), pkgTotal = new Map();
  const stackKeys = new Map();
  const keysOf = (id) => {
    let v = stackKeys.get(id);
    if (v) return v;
    const p = parent.get(id);
    const up = p === undefined ? { fns: new Set(), pkgs: new Set() } : keysOf(p);
    const me = info.get(id);
    v = up;
    if (!me.special && (!up.fns.has(me.key) || !up.pkgs.has(me.pkg))) {
      v = { fns: new Set(up.fns).add(me.key), pkgs: new Set(up.pkgs).add(me.pkg) };
    }
    stackKeys.set(id, v);
    return v;
  };
  const add = (m, k, dt) => m.set(k, (m.get(k) ?? 0) + dt);
  let wall = 0;
  const { samples, timeDeltas } = profile;
  for (let i = 0; i < samples.length; i++) {
    const dt = (timeDeltas[i + 1] ?? 0) / 1000;
    wall += dt;
    const me = info.get(samples[i]);
    add(self, me.key, dt);
    add(pkgSelf, me.pkg, dt);
    const ks = keysOf(samples[i]);
    for (const k of ks.fns) add(total, k, dt);
    for (const k of ks.pkgs) add(pkgTotal, k, dt);
  }
  const idle = self.get("(idle)") ?? 0;
  const top = (m, n) => [...m].filter(([k]) => !["(idle)", "(root)"].includes(k)).sort((a, b) => b[1] - a[1]).slice(0, n);
  return {
    wallMs: wall, busyMs: wall - idle, idleMs: idle,
    gcMs: self.get("(garbage collector)") ?? 0, programMs: self.get("(program)") ?? 0,
    topSelf: top(self, 25), topTotal: top(total, 25), pkgSelf: top(pkgSelf, 20), pkgTotal: top(pkgTotal, 20),
    ours: [...total].filter(([k]) => /\ssrc\//.test(k)).sort((a, b) => b[1] - a[1]).slice(0, 15),
    cssinjsTotalMs: [...pkgTotal].filter(([k]) => k.startsWith("@ant-design/cssinjs")).reduce((s, [, v]) => s + v, 0),
    cssinjsFns: [...total].filter(([k]) => k.includes("@ant-design/cssinjs") || k.includes("@emotion/hash") || k.includes("stylis")).sort((a, b) => b[1] - a[1]).slice(0, 12),
  };
}

// ---------------------------------------------------------------------------------------------
// Processes and memory

function chromiumProcesses(userDataDir) {
  const procs = [];
  for (const pid of readdirSync("/proc").filter((p) => /^\d+$/.test(p))) {
    try {
      // Chromium rewrites its children's command lines into one space-separated string.
      const cmd = readFileSync(`/proc/${pid}/cmdline`, "utf8").split(/[\0 ]/);
      const status = readFileSync(`/proc/${pid}/status`, "utf8");
      const ppid = Number(/PPid:\s+(\d+)/.exec(status)?.[1]);
      const rss = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) * 1024;
      procs.push({ pid: Number(pid), ppid, cmd, rss });
    } catch {
      // gone
    }
  }
  const browser = procs.find((p) => p.cmd.some((a) => a === `--user-data-dir=${userDataDir}`) && !p.cmd.some((a) => a.startsWith("--type=")));
  if (!browser) return [];
  const tree = [browser];
  for (let i = 0; i < tree.length; i++) for (const p of procs) if (p.ppid === tree[i].pid) tree.push(p);
  return tree.map((p) => {
    const type = p.cmd.find((a) => a.startsWith("--type="))?.slice(7) ?? "browser";
    let pss = null;
    try {
      pss = Number(/Pss:\s+(\d+)/.exec(readFileSync(`/proc/${p.pid}/smaps_rollup`, "utf8"))?.[1]) * 1024;
    } catch {
      pss = null;
    }
    return { pid: p.pid, type, rss: p.rss, pss };
  });
}

// ---------------------------------------------------------------------------------------------
// The scenario

const pct = (xs, p) => {
  const s = xs.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))];
};
const fmt = (x) => (Number.isFinite(x) ? x.toFixed(0) : "-");
const mb = (b) => (b / 1048576).toFixed(0);

const QUERIES = [
  "a", "li", "wan", "e01", "zh", "son", "mar", "k", "12", "ch", "yu", "ber", "x", "ol", "ng", "jo",
  "lee", "7", "ann", "q", "ste", "h", "mi", "zzq", "ada", "tom", "555", "o",
];

async function run({ dist, profile, backend }) {
  const server = await serve(dist);
  const base = `http://127.0.0.1:${server.address().port}/`;
  const userDataDir = mkdtempSync(join(tmpdir(), "orgdesk-chromium-"));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: "/usr/bin/chromium",
    headless: true,
    viewport: { width: 1280, height: 800 },
    locale: "en-US",
    args: [
      "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
      "--disable-component-update", "--disable-sync", "--enable-precise-memory-info",
    ],
  });
  const out = { backendMs: backend.nodeMs, dist, profile, lines: {}, breakdown: {}, memory: {}, metrics: {}, cpu: {}, react: {}, styles: null, unknown: null };
  try {
    await context.exposeBinding("__orgdeskBackend", (_src, cmd, argsJson) => backend.call(cmd, argsJson));
    await context.addInitScript({ content: `(${pageInit.toString()})(${JSON.stringify({ profile })});` });
    const page = context.pages()[0] ?? (await context.newPage());
    page.setDefaultTimeout(60_000);
    page.on("pageerror", (e) => console.error(`[page error] ${e.message}`));
    page.on("console", (m) => {
      if (m.type() === "error") console.error(`[console] ${m.text()}`);
    });
    const cdp = await context.newCDPSession(page);
    await cdp.send("Performance.enable");
    await cdp.send("Profiler.enable");
    await cdp.send("Profiler.setSamplingInterval", { interval: 200 });

    const metrics = async () => Object.fromEntries((await cdp.send("Performance.getMetrics")).metrics.map((m) => [m.name, m.value]));
    const setPhase = (phase) => page.evaluate((p) => (window.__perf.phase = p), phase);
    let phaseStart = null;
    const begin = async (phase) => {
      await setPhase(phase);
      phaseStart = await metrics();
      if (profile) await cdp.send("Profiler.start");
    };
    const end = async (phase, actions) => {
      if (profile) {
        const { profile: prof } = await cdp.send("Profiler.stop");
        if (opts.saveProfiles) writeFileSync(join(opts.saveProfiles, `${phase}.cpuprofile`), JSON.stringify(prof));
        out.cpu[phase] = analyzeProfile(prof, dist);
      }
      const now = await metrics();
      const d = (k) => (now[k] - phaseStart[k]) * 1000;
      out.metrics[phase] = {
        actions,
        taskMs: d("TaskDuration") / actions, scriptMs: d("ScriptDuration") / actions,
        styleMs: d("RecalcStyleDuration") / actions, layoutMs: d("LayoutDuration") / actions,
        layouts: (now.LayoutCount - phaseStart.LayoutCount) / actions, styleRecalcs: (now.RecalcStyleCount - phaseStart.RecalcStyleCount) / actions,
      };
      if (profile) {
        out.react[phase] = await page.evaluate(() => {
          const r = { groups: window.__perf.react, keys: window.__perf.keys };
          window.__perf.react = {};
          window.__perf.keys = {};
          return r;
        });
      }
      await setPhase("idle");
    };
    const measure = async (spec, action, { from = "click" } = {}) => {
      await page.evaluate((s) => window.__perf.expect(s), spec);
      await action();
      const r = await page.evaluate(() => window.__perf.done());
      if (r.timeout) console.error(`[timeout] waiting for ${JSON.stringify(spec).slice(0, 200)}`);
      const start = from === "input" ? r.input : r.click;
      return { ...r, ms: r.paint !== null && start !== null ? r.paint - start : NaN, start };
    };
    const memory = async (label) => {
      const heap = await cdp.send("Runtime.getHeapUsage");
      const m = await metrics();
      await cdp.send("HeapProfiler.enable");
      await cdp.send("HeapProfiler.collectGarbage");
      const after = await cdp.send("Runtime.getHeapUsage");
      const mAfter = await metrics();
      const procs = chromiumProcesses(userDataDir);
      const renderers = procs.filter((p) => p.type === "renderer").sort((a, b) => b.rss - a.rss);
      out.memory[label] = {
        jsHeapUsed: heap.usedSize, jsHeapTotal: heap.totalSize, jsHeapUsedAfterGc: after.usedSize,
        domNodes: m.Nodes, domNodesAfterGc: mAfter.Nodes, jsEventListeners: mAfter.JSEventListeners,
        rendererRss: renderers[0]?.rss ?? null, rendererPss: renderers[0]?.pss ?? null,
        chromiumRss: procs.reduce((s, p) => s + p.rss, 0), chromiumPss: procs.reduce((s, p) => s + (p.pss ?? 0), 0),
        processes: procs.map((p) => `${p.type}:${mb(p.rss)}MB`).join(" "),
      };
    };
    const rootList = (q = {}) =>
      backend.listMembers({ departmentId: 1, includeSubDepartments: true, status: "all", search: null, offset: 0, limit: 50, ...q });
    const expectList = (page) => ({ rows: page.rows.map((r) => r.id), total: page.total });

    // Cold start to the sign-in field, sign-in to the first rows.
    await page.goto(base);
    const cold = await page.evaluate(() => window.__perf.done());
    out.lines.cold = [cold.paint];
    await page.click("[data-testid=signin-username]");
    await page.keyboard.type("admin", { delay: 20 });
    await page.click("[data-testid=signin-password]");
    await page.keyboard.type("any password", { delay: 20 });
    await sleep(300);
    await begin("signin");
    const first = await measure(expectList(rootList()), () => page.click("[data-testid=signin-submit]"));
    await end("signin", 1);
    out.lines.signin = [first.ms];
    await sleep(1500);
    if (process.env.DUMP_STYLES) {
      const wanted = process.env.PROPS
        ? process.env.PROPS.split(",")
        : ["display", "height", "line-height", "font-size", "padding", "margin", "border", "border-radius", "background-color", "color", "vertical-align", "gap", "min-width", "flex", "overflow", "white-space", "width"];
      const dump = await page.evaluate(([sels, props]) => {
        const out = {};
        for (const sel of sels) {
          const el = document.querySelector(sel);
          if (!el) { out[sel] = null; continue; }
          const cs = getComputedStyle(el);
          const r = el.getBoundingClientRect();
          out[sel] = { box: [r.width, r.height], ...Object.fromEntries(props.map((p) => [p, cs.getPropertyValue(p)])) };
        }
        return out;
      }, [process.env.DUMP_STYLES.split("|"), wanted]);
      console.log(JSON.stringify(dump, null, 1));
    }
    if (process.env.DUMP_HTML) {
      // DUMP_HTML='selector=file': the element's markup, to compare two builds' DOM.
      const [sel, file] = process.env.DUMP_HTML.split("=");
      writeFileSync(resolve(file), await page.evaluate((q) => document.querySelector(q)?.outerHTML ?? "", sel));
    }
    if (opts.screenshots) {
      mkdirSync(opts.screenshots, { recursive: true });
      await page.screenshot({ path: join(opts.screenshots, "directory.png") });
    }
    await memory("afterSignIn");

    // Search as you type.
    const search = "[data-testid=member-search]";
    await page.click(search);
    const keyMs = [];
    const clearMs = [];
    const inputHandler = [];
    const inputQueue = [];
    const bd = { debounceAndRender: [], ipc: [], answerToDom: [], domToPaint: [] };
    await sleep(500);
    await begin("search");
    const queries = QUERIES.slice(0, Math.max(opts.queries, 20));
    for (const q of queries) {
      await setPhase("search");
      const r = await measure(
        expectList(rootList({ search: q })),
        async () => {
          for (let i = 0; i < q.length; i++) {
            if (i > 0) await sleep(120);
            await page.keyboard.press(q[i]);
          }
        },
        { from: "input" },
      );
      keyMs.push(r.ms);
      for (const k of r.inputs) {
        if (k.end !== null) inputHandler.push(k.end - k.start);
        inputQueue.push(k.start - k.ts);
      }
      const call = r.ipc.find((c) => c.cmd === "list_members" && c.search === q);
      if (call && r.dom !== null) {
        bd.debounceAndRender.push(call.t0 - r.input);
        bd.ipc.push(call.parsed - call.t0);
        bd.answerToDom.push(r.dom - call.parsed);
        bd.domToPaint.push(r.paint - r.dom);
      }
      await sleep(250);
      await setPhase("clear");
      const c = await measure(
        expectList(rootList()),
        async () => {
          await page.keyboard.press("Control+A");
          await page.keyboard.press("Backspace");
        },
        { from: "input" },
      );
      clearMs.push(c.ms);
      for (const k of c.inputs) if (k.end !== null) inputHandler.push(k.end - k.start);
      await sleep(300);
    }
    await end("search", queries.length);
    out.lines.search = keyMs;
    out.lines.clear = clearMs;
    out.lines.inputHandler = inputHandler;
    out.lines.inputQueue = inputQueue;
    out.breakdown = bd;

    // Next page, on the full list.
    await page.mouse.move(0, 0);
    await sleep(300);
    await begin("nextPage");
    const pageMs = [];
    for (let p = 2; p < 2 + opts.pages; p++) {
      const r = await measure(expectList(rootList({ offset: (p - 1) * 50 })), () => page.click("li.ant-pagination-next button"));
      pageMs.push(r.ms);
      await sleep(300);
    }
    await end("nextPage", opts.pages);
    out.lines.nextPage = pageMs;

    // A member's details, from the current page.
    const current = rootList({ offset: opts.pages * 50 }).rows;
    await begin("details");
    const detailMs = [];
    for (let i = 0; i < opts.details; i++) {
      const m = current[i * 3 % current.length];
      const r = await measure(
        // The drawer stays in the page between members: its member's id, not a name two members
        // may share, says the new one is shown.
        { texts: [["[data-testid=detail-name]", m.name]], attrs: [["[data-testid=detail-name]", "data-member-id", String(m.id)]] },
        () => page.click(`[data-testid=member-name-${m.id}]`),
      );
      detailMs.push(r.ms);
      await sleep(200);
      if (opts.screenshots && i === 0) {
        await sleep(400);
        await page.screenshot({ path: join(opts.screenshots, "details.png") });
      }
      await page.keyboard.press("Escape");
      await page.waitForSelector(".ant-drawer-open [data-testid=member-drawer]", { state: "detached" });
      await sleep(300);
    }
    await end("details", opts.details);
    out.lines.details = detailMs;

    // Switching department in the tree (the root's children, each once).
    const tops = backend.depts[0].children;
    await begin("department");
    const deptMs = [];
    for (const d of tops) {
      const list = backend.listMembers({ departmentId: d.id, includeSubDepartments: true, status: "all", search: null, offset: 0, limit: 50 });
      const r = await measure(
        { ...expectList(list), texts: [["[data-testid=dept-title]", d.name]] },
        () => page.click(`[data-testid=dept-node-${d.id}]`),
      );
      deptMs.push(r.ms);
      await sleep(300);
    }
    await end("department", tops.length);
    out.lines.department = deptMs;

    await sleep(1000);
    await memory("end");
    out.styles = await page.evaluate(() => window.__perf.styleSummary());
    out.unknown = Object.fromEntries(backend.unknown);
  } finally {
    await context.close();
    server.close();
    rmSync(userDataDir, { recursive: true, force: true });
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Report

function report(r) {
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
  ];
  console.log(`\nChromium (headless, ${r.dist}${r.profile ? ", PROFILING: CPU profiler + React hook add overhead" : ""})`);
  console.log(`${"".padEnd(66)} ${"n".padStart(4)} ${"p50 ms".padStart(8)} ${"p95 ms".padStart(8)} ${"max ms".padStart(8)}`);
  for (const [label, xs] of rows) {
    console.log(`${label.padEnd(66)} ${String(xs.length).padStart(4)} ${fmt(pct(xs, 50)).padStart(8)} ${fmt(pct(xs, 95)).padStart(8)} ${fmt(pct(xs, 100)).padStart(8)}`);
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

const t0 = Date.now();
const backend = buildBackend(opts.members, opts.departments);
console.log(`backend: ${backend.members.length} members, ${backend.depts.length} departments (${Date.now() - t0} ms)`);
// Precomputed answers: every prefix of every query (a busy page lets the debounce fire between
// keys, so the intermediate searches are asked too), and each top department's list.
const t1 = performance.now();
for (const q of QUERIES) {
  for (let i = 1; i <= q.length; i++) {
    backend.listMembers({ departmentId: 1, includeSubDepartments: true, status: "all", search: q.slice(0, i), offset: 0, limit: 50 });
  }
}
for (const d of backend.depts[0].children) {
  backend.listMembers({ departmentId: d.id, includeSubDepartments: true, status: "all", search: null, offset: 0, limit: 50 });
}
console.log(`backend: answers precomputed (${(performance.now() - t1).toFixed(0)} ms)`);
if (opts.saveProfiles) mkdirSync(opts.saveProfiles, { recursive: true });
const result = await run({ dist: opts.dist, profile: opts.profile, backend });
report(result);
if (opts.json) writeFileSync(opts.json, JSON.stringify(result, null, 1));
