// The sync benchmarks of `make bench` (bench/run.mjs calls runSync; alone:
// `node bench/run.mjs --only=sync`): datastore-wasm's sync against Amplify's
// own client (aws-amplify 6.22.1 / @aws-amplify/datastore 5.1.13, bundled with
// esbuild from bench/sync-amplify.mjs) on the same local datastore-server
// (built once from ./cmd/datastore-server, HTTPS/WSS with -dev-tls, SQLite),
// in headless Chromium (a fresh profile per run), the blog schema of test/e2e/amplify:
//
//   sync-first    first sync of RECORDS records (posts and their comments)
//                 into an empty browser: DataStore.start() → the 'ready' event
//   sync-latency  a save in one page → observe INSERT in another page (another
//                 origin, so another IndexedDB: another device): p50 and p95
//   sync-drain    N Posts saved offline, then online: the page's online event
//                 → outboxStatus {isEmpty: true}; the server must then hold all N
//
// Every run of a workload gets a fresh SQLite database (sync-first: a copy of
// one seeded once through GraphQL) and a server process of its own, and every
// page a new origin (an IndexedDB of its own: another device). The two
// clients alternate which goes first in each repetition; ratios are
// product/Amplify, paired per repetition. Each run has a Chromium of its
// own on a fresh profile (IndexedDB on disk, as for a user).
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { spawn, execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const BENCH = path.join(ROOT, 'bench');
const SCHEMA_SDL = path.join(ROOT, 'test/e2e/amplify/blog.graphql');
const SCHEMA_CODEGEN = path.join(ROOT, 'test/e2e/amplify/blog.schema.json');
const API_KEY = 'da2-bench-local-key';
const CLIENTS = ['product', 'amplify'];

export const SYNC_WORKLOADS = ['sync-first', 'sync-latency', 'sync-drain'];

export const SYNC_FULL = { posts: 2000, commentsPerPost: 4, latencySaves: 200, latencyWarmup: 10, drain: 1000 };
export const SYNC_SMOKE = { posts: 10, commentsPerPost: 2, latencySaves: 5, latencyWarmup: 2, drain: 10 };

const TYPES = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.mjs': 'text/javascript; charset=utf-8', '.wasm': 'application/wasm' };

// ------------------------------------------------------------ server

/** Builds datastore-server into dir (or takes $DATASTORE_SERVER_BIN). */
function serverBinary(dir) {
  if (process.env.DATASTORE_SERVER_BIN) return process.env.DATASTORE_SERVER_BIN;
  const bin = path.join(dir, 'datastore-server');
  execFileSync(process.env.GO || 'go', ['build', '-o', bin, './cmd/datastore-server'], { cwd: ROOT, stdio: ['ignore', 'inherit', 'inherit'] });
  return bin;
}

/** One datastore-server process over db; start() resolves with its GraphQL URL. */
class SyncServer {
  constructor(bin, dir, db) {
    Object.assign(this, { bin, dir, db, output: '' });
  }

  start() {
    const argv = ['-schema', SCHEMA_SDL, '-listen', '127.0.0.1:0', '-api-key', API_KEY, '-db', this.db, '-data', this.dir, '-dev-tls'];
    this.child = spawn(this.bin, argv, { cwd: this.dir, stdio: ['ignore', 'pipe', 'pipe'] });
    this.exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.stderr.on('data', (d) => { this.output += d; });
    let stdout = '';
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`datastore-server printed no graphql: line within 30 s:\n${this.output}`)), 30_000);
      this.child.stdout.on('data', (d) => {
        stdout += d;
        this.output += d;
        const m = /^graphql:\s*(\S+)/m.exec(stdout);
        if (m && /^realtime:/m.test(stdout)) {
          clearTimeout(timer);
          this.endpoint = m[1];
          resolve(this.endpoint);
        }
      });
      this.exited.then((code) => { clearTimeout(timer); reject(new Error(`datastore-server exited (${code}):\n${this.output}`)); });
    });
  }

  async stop() {
    if (!this.child || this.child.exitCode !== null) return;
    this.child.kill('SIGTERM');
    const kill = setTimeout(() => this.child.kill('SIGKILL'), 5000);
    await this.exited;
    clearTimeout(kill);
  }
}

const agent = new https.Agent({ keepAlive: true, maxSockets: 8, rejectUnauthorized: false });

/** One GraphQL request from Node; resolves with data, throws on errors. */
function graphql(endpoint, query, variables = {}) {
  const body = JSON.stringify({ query, variables });
  const url = new URL(endpoint);
  return new Promise((resolve, reject) => {
    const req = https.request({
      hostname: url.hostname, port: url.port, path: url.pathname, method: 'POST', agent,
      headers: { 'content-type': 'application/json', 'x-api-key': API_KEY, 'content-length': Buffer.byteLength(body) },
    }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d) => { text += d; });
      res.on('end', () => {
        let out;
        try { out = JSON.parse(text); } catch { return reject(new Error(`GraphQL answered ${res.statusCode}: ${text.slice(0, 300)}`)); }
        if (out.errors && out.errors.length) return reject(new Error(`GraphQL errors: ${JSON.stringify(out.errors).slice(0, 500)}`));
        resolve(out.data);
      });
    });
    req.once('error', reject);
    req.end(body);
  });
}

/**
 * Writes P.posts posts with P.commentsPerPost comments each through
 * GraphQL: 100 aliased create mutations per request, 4 requests at a time.
 */
async function seed(endpoint, P) {
  const posts = Array.from({ length: P.posts }, (_, i) => ({ id: randomUUID(), title: `seeded post ${i}`, rating: i % 10, status: i % 3 ? 'ACTIVE' : 'INACTIVE' }));
  const comments = posts.flatMap((p, i) => Array.from({ length: P.commentsPerPost }, (_, j) => ({
    id: randomUUID(), content: `comment ${j} of post ${i}: Lorem ipsum dolor sit amet, consectetur adipiscing elit`, postCommentsId: p.id,
  })));
  const batches = (list, field, type) => {
    const out = [];
    for (let i = 0; i < list.length; i += 100) {
      const part = list.slice(i, i + 100);
      const vars = part.map((_, k) => `$i${k}: ${type}!`).join(', ');
      const fields = part.map((_, k) => `m${k}: ${field}(input: $i${k}) { id }`).join(' ');
      out.push([`mutation Seed(${vars}) { ${fields} }`, Object.fromEntries(part.map((x, k) => [`i${k}`, x]))]);
    }
    return out;
  };
  for (const jobs of [batches(posts, 'createPost', 'CreatePostInput'), batches(comments, 'createComment', 'CreateCommentInput')]) {
    let next = 0;
    await Promise.all(Array.from({ length: 4 }, async () => {
      while (next < jobs.length) {
        const [q, v] = jobs[next++];
        await graphql(endpoint, q, v);
      }
    }));
  }
  return { posts: posts.length, comments: comments.length };
}

/** How many live (not deleted) Posts the server holds, by titles starting with prefix. */
async function serverPosts(endpoint, prefix) {
  let token = null;
  let n = 0;
  do {
    const data = await graphql(endpoint, 'query Q($t: String) { syncPosts(limit: 1000, nextToken: $t) { items { title _deleted } nextToken } }', { t: token });
    for (const it of data.syncPosts.items) if (!it._deleted && it.title.startsWith(prefix)) n++;
    token = data.syncPosts.nextToken;
  } while (token);
  return n;
}

// ------------------------------------------------------------ pages

/** An HTTP server on a port of its own: a new origin, so a fresh IndexedDB. */
function site(dist, amplifyDir) {
  const mounts = [['/bench/', BENCH], ['/dist/', dist], ['/amplify/', amplifyDir]];
  const server = http.createServer((req, res) => {
    const { pathname } = new URL(req.url, 'http://x');
    if (pathname === '/favicon.ico') return res.writeHead(204).end();
    const [prefix, dir] = mounts.find(([p]) => pathname.startsWith(p)) || [];
    const file = dir && path.resolve(dir, '.' + decodeURIComponent(pathname.slice(prefix.length - 1)));
    if (!file || !file.startsWith(dir + path.sep)) return res.writeHead(404).end();
    fs.readFile(file, (err, body) => {
      if (err) return res.writeHead(404).end();
      res.writeHead(200, { 'content-type': TYPES[path.extname(file)] || 'application/octet-stream', 'cache-control': 'no-store' }).end(body);
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({
    origin: `http://127.0.0.1:${server.address().port}`,
    close: () => { server.closeAllConnections(); return new Promise((r) => server.close(r)); },
  })));
}

// ------------------------------------------------------------ stats

const quantile = (xs, q) => {
  const s = [...xs].sort((a, b) => a - b);
  if (!s.length) return NaN;
  const i = (s.length - 1) * q;
  const lo = Math.floor(i);
  return s[lo] + (s[Math.min(lo + 1, s.length - 1)] - s[lo]) * (i - lo);
};
const median = (xs) => quantile(xs, 0.5);
const stats = (xs) => (xs.length ? { median: median(xs), min: Math.min(...xs), max: Math.max(...xs), n: xs.length } : null);

// ------------------------------------------------------------ the run

/**
 * Runs the sync workloads matching only (a RegExp, or null for all) reps
 * times per client. dist is the folder of the build to serve; log(…)
 * reports progress; record(workload, rep, {checks, error}) takes the data
 * checks as run.mjs keeps them. Resolves with { params, runs, rows }.
 */
export async function runSync({ dist, smoke, reps, only, log, record, flags, clients = CLIENTS, profiler = null, params = null, builds = {} }) {
  const P = params || (smoke ? SYNC_SMOKE : SYNC_FULL);
  const workloads = SYNC_WORKLOADS.filter((w) => !only || only.test(w));
  const records = P.posts * (1 + P.commentsPerPost);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'datastore-bench-sync-'));
  const sdl = fs.readFileSync(SCHEMA_SDL, 'utf8');
  const codegen = JSON.parse(fs.readFileSync(SCHEMA_CODEGEN, 'utf8'));
  const servers = new Set();
  const sites = new Set();
  let context;
  let serial = 0;
  let userAgent = '';
  const runs = Object.fromEntries(workloads.map((w) => [w, Object.fromEntries([...CLIENTS, ...Object.keys(builds)].map((c) => [c, []]))]));
  try {
    log('sync: building datastore-server and the Amplify bundle');
    const bin = serverBinary(tmp);
    const amplifyDir = path.join(tmp, 'amplify');
    const esbuild = await import('esbuild');
    await esbuild.build({
      entryPoints: [path.join(BENCH, 'sync-amplify.mjs')], outfile: path.join(amplifyDir, 'sync-amplify.js'),
      bundle: true, format: 'esm', platform: 'browser', target: 'es2022', minify: true, logLevel: 'warning',
      define: { global: 'globalThis', 'process.env.NODE_ENV': '"production"' },
    });

    // A server of its own per run, over db (a fresh file unless given).
    const server = async (db) => {
      const dir = path.join(tmp, `run-${++serial}`);
      fs.mkdirSync(dir);
      const s = new SyncServer(bin, dir, db || path.join(dir, 'datastore.db'));
      servers.add(s);
      await s.start();
      return s;
    };
    const stopServer = async (s) => { await s.stop(); servers.delete(s); };

    let template = null;
    if (workloads.includes('sync-first')) {
      const s = await server();
      const t0 = Date.now();
      const seeded = await seed(s.endpoint, P);
      log(`sync: seeded ${seeded.posts} posts and ${seeded.comments} comments through GraphQL in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
      await stopServer(s);
      template = s.db;
    }
    /** A fresh copy of the seeded database. */
    const seededCopy = () => {
      const file = path.join(tmp, `seeded-${++serial}.db`);
      fs.copyFileSync(template, file);
      return file;
    };

    // Each run gets a browser of its own, on a fresh profile (the pages of
    // one run share it, each on an origin of its own): a run must not pay
    // for what earlier runs left in the profile (IndexedDB compacting the
    // 10,000 records of the last one, say).
    const launch = async () => {
      const profile = fs.mkdtempSync(path.join(tmp, 'profile-'));
      context = await chromium.launchPersistentContext(profile, {
        executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
        headless: true,
        ignoreDefaultArgs: true,
        // Two pages at once must both run at full speed (no background-tab
        // throttling), and the pages talk to the server's self-signed HTTPS/WSS.
        args: [...flags, '--ignore-certificate-errors', '--disable-background-timer-throttling', '--disable-renderer-backgrounding',
          '--disable-backgrounding-occluded-windows', `--user-data-dir=${profile}`, '--remote-debugging-pipe', 'about:blank'],
        handleSIGINT: false, handleSIGTERM: false, handleSIGHUP: false,
      });
      return async () => {
        await context.close().catch(() => {});
        context = null;
        fs.rmSync(profile, { recursive: true, force: true, maxRetries: 5 });
      };
    };

    /** A page of client on a new origin, its DataStore opened against endpoint (not started). */
    const page = async (client, endpoint, { observe = false } = {}) => {
      // builds: more product clients, by name, each a dist folder (to compare builds: bench/sync-compare.mjs).
      const s = await site(builds[client] || dist, amplifyDir);
      sites.add(s);
      const p = await context.newPage();
      p.errors = [];
      p.on('pageerror', (e) => p.errors.push(e.message));
      // Failed requests show as console errors too: expected while offline, and reported by the checks anyway.
      if (process.env.SYNC_BENCH_CONSOLE) p.on('console', (m) => console.error(`[${client}] ${m.text()}`));
      p.on('console', (m) => { if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) p.errors.push(m.text()); });
      await p.goto(`${s.origin}/bench/sync.html?client=${builds[client] ? 'product' : client}`);
      await p.waitForFunction(() => window.syncBench || window.syncBenchError, null, { timeout: 60_000 });
      const [err, ua] = await p.evaluate(() => [window.syncBenchError, navigator.userAgent]);
      userAgent = ua;
      if (err) throw new Error(`${client}: the sync bench page did not load: ${err}`);
      await p.evaluate((cfg) => window.syncBench.open(cfg), { endpoint, apiKey: API_KEY, sdl, codegen, observe });
      p.closeAll = async () => {
        await p.close();
        await s.close();
        sites.delete(s);
      };
      return p;
    };

    const bodies = {
      async 'sync-first'(client) {
        const s = await server(seededCopy());
        const p = await page(client, s.endpoint);
        try {
          // profiler: { start(page), stop(page) } around the timed part (bench/sync-profile.mjs).
          if (profiler) await profiler.start(p);
          const t = await p.evaluate(() => window.syncBench.start());
          if (profiler) await profiler.stop(p);
          const n = await p.evaluate(() => window.syncBench.count());
          return {
            ms: t.ms, values: { ms: t.ms, syncQueriesReady: t.syncQueriesReady },
            checks: [{ ok: n.posts === P.posts && n.comments === P.posts * P.commentsPerPost, what: `${client}: first sync stored ${n.posts} posts and ${n.comments} comments (want ${P.posts} and ${P.posts * P.commentsPerPost})` },
              { ok: p.errors.length === 0, what: `${client}: first sync without page errors${p.errors.length ? ': ' + p.errors.slice(0, 3).join(' | ') : ''}` }],
          };
        } finally {
          await p.closeAll();
          await stopServer(s);
        }
      },

      async 'sync-latency'(client) {
        const s = await server();
        const a = await page(client, s.endpoint);
        const b = await page(client, s.endpoint, { observe: true });
        try {
          await Promise.all([a, b].map((x) => x.evaluate(async () => { await window.syncBench.start(); await window.syncBench.subscribed(); })));
          const lat = [];
          let missing = 0;
          for (let i = 0; i < P.latencyWarmup + P.latencySaves; i++) {
            const title = `latency ${i}`;
            const [tb, ta] = await Promise.all([
              b.evaluate((t) => window.syncBench.expect(t), title).catch(() => null),
              a.evaluate((t) => window.syncBench.save(t), title),
            ]);
            if (tb === null) missing++;
            else if (i >= P.latencyWarmup) lat.push(tb - ta);
          }
          const values = { p50: quantile(lat, 0.5), p95: quantile(lat, 0.95), mean: lat.reduce((x, y) => x + y, 0) / lat.length };
          const errs = [...a.errors, ...b.errors];
          return {
            ms: values.p50, values, samples: lat,
            checks: [{ ok: missing === 0, what: `${client}: every save reached the other page's observe (${missing} of ${P.latencyWarmup + P.latencySaves} did not)` },
              { ok: errs.length === 0, what: `${client}: latency without page errors${errs.length ? ': ' + errs.slice(0, 3).join(' | ') : ''}` }],
          };
        } finally {
          await a.closeAll();
          await b.closeAll();
          await stopServer(s);
        }
      },

      async 'sync-drain'(client) {
        const s = await server();
        const p = await page(client, s.endpoint);
        const prefix = `drain ${client} `;
        try {
          await p.evaluate(async () => { await window.syncBench.start(); await window.syncBench.subscribed(); });
          await context.setOffline(true);
          const saveMs = await p.evaluate(([pre, n]) => window.syncBench.saveMany(pre, n), [prefix, P.drain]);
          const since = await p.evaluate(() => window.syncBench.mark());
          if (profiler) await profiler.start(p);
          await context.setOffline(false);
          const d = await p.evaluate((m) => window.syncBench.drained(m), since);
          if (profiler) await profiler.stop(p);
          const onServer = await serverPosts(s.endpoint, prefix);
          return {
            ms: d.ms, values: { ms: d.ms, offlineSavesMs: saveMs },
            checks: [{ ok: onServer === P.drain, what: `${client}: the server holds all ${P.drain} Posts saved offline once the outbox is empty (it holds ${onServer})` },
              { ok: p.errors.length === 0, what: `${client}: drain without page errors${p.errors.length ? ': ' + p.errors.slice(0, 3).join(' | ') : ''}` }],
          };
        } finally {
          await context.setOffline(false);
          await p.closeAll();
          await stopServer(s);
        }
      },
    };

    for (let rep = 0; rep < reps; rep++) {
      for (const w of workloads) {
        const order = (rep + workloads.indexOf(w)) % 2 === 0 ? clients : [...clients].reverse();
        for (const client of order) {
          const t0 = Date.now();
          let out;
          const close = await launch();
          try {
            out = await bodies[w](client);
          } catch (err) {
            out = { error: String((err && err.stack) || err), checks: [{ ok: false, what: `${client}: ${w} threw: ${(err && err.message) || err}` }] };
          } finally {
            await close();
          }
          runs[w][client][rep] = out;
          record(w, rep, out);
          const fig = out.ms !== undefined ? `${out.ms.toFixed(1)} ms${out.values && out.values.p95 !== undefined ? ` (p95 ${out.values.p95.toFixed(1)} ms)` : ''}` : 'failed';
          log(`sync rep ${rep + 1}/${reps} ${w.padEnd(13)} ${client.padEnd(8)} ${fig.padStart(24)}  (${((Date.now() - t0) / 1000).toFixed(1)} s with setup)`);
        }
      }
    }
  } finally {
    await context?.close().catch(() => {});
    for (const s of sites) await s.close();
    for (const s of servers) await s.stop();
    agent.destroy();
    fs.rmSync(tmp, { recursive: true, force: true, maxRetries: 5 });
  }
  return { params: { ...P, records }, userAgent, runs, rows: summarizeSync(runs, P, records) };
}

// The rows: [workload, value, label, goal (ms of the product, or null)].
function summarizeSync(runs, P, records) {
  const fmt = (n) => n.toLocaleString('en-US');
  const defs = [
    ['sync-first', 'ms', `first sync of ${fmt(records)} records into an empty browser (start → ready)`, 1500],
    ['sync-first', 'syncQueriesReady', '  of which start → syncQueriesReady', null],
    ['sync-latency', 'p50', `save in page A → observe in page B, p50 (${P.latencySaves} saves)`, 30],
    ['sync-latency', 'p95', `save in page A → observe in page B, p95 (${P.latencySaves} saves)`, null],
    ['sync-drain', 'ms', `drain ${fmt(P.drain)} mutations queued offline (online → outbox empty)`, null],
    ['sync-drain', 'offlineSavesMs', `  (the ${fmt(P.drain)} saves made offline, not in the drain)`, null],
  ];
  const rows = [];
  for (const [w, value, label, goal] of defs) {
    const r = runs[w];
    if (!r) continue;
    const fig = (o) => (o && o.values ? o.values[value] : undefined);
    const prod = r.product.map(fig);
    const amp = r.amplify.map(fig);
    const paired = prod.map((v, i) => v / amp[i]).filter(Number.isFinite);
    rows.push({ workload: w, value, label, goal, product: stats(prod.filter(Number.isFinite)), amplify: stats(amp.filter(Number.isFinite)), ratio: stats(paired) });
  }
  return rows;
}

/** The sync section of run.mjs's table, as lines; misses counts the goals missed. */
export function formatSync(result, reps) {
  const ms = (v) => (v === undefined || v === null || Number.isNaN(v) ? '-' : v >= 100 ? `${v.toFixed(0)} ms` : `${v.toFixed(1)} ms`);
  const range = (s, f) => (s ? `${f(s.median)} (${f(s.min)}–${f(s.max)})` : '-');
  const ratio = (v) => `${v.toFixed(2)}×`;
  const pad = (s, n) => (s.length >= n ? s : s + ' '.repeat(n - s.length));
  const lpad = (s, n) => (s.length >= n ? s : ' '.repeat(n - s.length) + s);
  const W = 76;
  const lines = [];
  let misses = 0;
  lines.push(`sync against datastore-server (127.0.0.1, HTTPS/WSS, SQLite, a fresh database per run): datastore-wasm vs Amplify's client (aws-amplify 6.22.1, @aws-amplify/datastore 5.1.13), ${reps} repetition(s)`);
  lines.push('median (min–max) over the repetitions; ratio = product/Amplify, paired per repetition; goals are on the product\'s own figure');
  lines.push(`${pad('workload', W)} ${lpad('product', 28)} ${lpad('Amplify', 28)}  ${pad('ratio (min–max)', 22)} goal`);
  lines.push('-'.repeat(W + 28 + 28 + 22 + 16));
  for (const r of result.rows) {
    let verdict = '';
    if (r.goal !== null) {
      const ok = r.product && r.product.median <= r.goal;
      if (!ok) misses++;
      verdict = `≤ ${r.goal} ms  ${ok ? 'ok' : 'MISS'}`;
    }
    lines.push(`${pad(r.label, W)} ${lpad(range(r.product, ms), 28)} ${lpad(range(r.amplify, ms), 28)}  ${pad(r.ratio ? range(r.ratio, ratio) : '-', 22)} ${verdict}`);
  }
  return { lines, misses };
}
