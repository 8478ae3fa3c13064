// The synthetic backend of the Chromium profile (chromium.mjs): 100,000 members in 2,000
// departments, answered in Node in a few milliseconds like the real core.
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

export function buildBackend(memberCount, deptCount) {
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
  // Invitations and join requests: the first 2,000 members as sent invitations and as waiting
  // requests, paged as the core pages them (no filter: the screens open on "all" / "waiting").
  const invitations = order.slice(0, 2_000).map((m, i) => ({
    id: i + 1, memberId: m.id, memberName: m.name, channel: "email", recipient: m.email ?? `${m.username}@example.com`,
    state: "sent", language: "en", link: null, inviterName: "Ada Admin", createdAt: m.createdAt, updatedAt: m.createdAt,
    expiresAt: m.createdAt + 3 * 86_400_000, lastError: null, awaitingGateway: false, kept: false,
  }));
  const joinRequests = order.slice(0, 2_000).map((m, i) => ({
    id: i + 1, via: "link", name: m.name, username: `${m.username ?? "user"}j`, email: null, mobile: null, employeeId: null,
    workLocation: null, state: "waiting", problem: null, memberId: null, requestedAt: m.createdAt, decidedAt: null, decidedBy: null,
  }));
  const page = (all, q) => {
    const offset = q?.offset ?? 0, limit = q?.limit ?? 50;
    return { rows: all.slice(offset, offset + limit), total: all.length };
  };
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
      history: [{ at: m.createdAt, actorName: "Ada Admin", action: "create", before: null, after: { name: m.name }, changes: [] }],
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
    team_status: () => ({ inTeam: false, gateway: null, deviceId: null, deviceName: null, admin: null, waiting: 0, refused: [] }),
    get_settings: () => ({ defaultRegion: "US", importQuotaPerDay: null }),
    list_roles: () => [
      { id: 1, name: "Super Admin", description: "", builtin: true, members: 1 },
      { id: 2, name: "Admin", description: "", builtin: true, members: 0 },
    ],
    former_members: () => [],
    list_invitations: (a) => page(invitations, a.query),
    list_join_requests: (a) => page(joinRequests, a),
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
  return { call, listMembers, byId, depts, members, invitations, joinRequests, unknown, nodeMs, clearCache: () => cache.clear() };
}

