// The Chromium profile's tools (chromium.mjs): the static server, source maps and CPU profile
// analysis, and the processes and memory of a Chromium run.
import { existsSync, readFileSync, readdirSync, statSync } from "node:fs";
import { createServer } from "node:http";
import { extname, join, normalize, sep } from "node:path";

// ---------------------------------------------------------------------------------------------
// Static server

const TYPES = {
  ".html": "text/html", ".js": "text/javascript", ".css": "text/css", ".json": "application/json", ".map": "application/json",
  ".svg": "image/svg+xml", ".png": "image/png", ".ico": "image/x-icon", ".woff2": "font/woff2",
};
export function serve(dir) {
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

export function analyzeProfile(profile, dist) {
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

export function chromiumProcesses(userDataDir) {
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

