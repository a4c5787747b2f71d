// Where the product's first sync goes (issue 13, item 10): a CPU profile of
// bench/sync.mjs's sync-first workload (or sync-drain), product side, in Chromium.
//
//   node bench/sync-profile.mjs [--posts=2000] [--comments-per-post=4] [--out=FILE] [--top=40]
//   node bench/sync-profile.mjs --workload=sync-drain [--drain=1000]   (the drain after going online)
//
// It builds a wasm with Go's symbol names into a temporary copy of dist/
// (as bench/profile.mjs does), seeds a datastore-server, starts an empty
// DataStore against it under the DevTools Profiler, writes the .cpuprofile
// and prints the self time by part (bench/profile.mjs's parts) and the top
// functions, with the wall time from start() to ready.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { runSync, SYNC_FULL } from './sync.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const option = (name, def) => {
  const a = process.argv.slice(2).find((x) => x.startsWith(`--${name}=`));
  return a ? a.slice(name.length + 3) : def;
};
const WORKLOAD = option('workload', 'sync-first');
const OUT = option('out', path.join(ROOT, 'bench', 'results', `${WORKLOAD}.cpuprofile`));
const TOP = Number(option('top', 40));

function part(frame) {
  const { functionName: fn, url } = frame;
  if (fn === '(garbage collector)') return 'JS garbage collector';
  if (fn === '(idle)') return 'idle (network, IndexedDB commits)';
  if (fn === '(program)') return 'browser (program: IndexedDB, event loop)';
  if (/\.wasm$/.test(url)) {
    if (/syscall\/js|^main\./.test(fn)) return 'Go: bridge and syscall/js';
    if (/jsonvalue/.test(fn)) return 'Go: JSON (jsonvalue)';
    if (/syncengine/.test(fn)) return 'Go: syncengine';
    if (/syncstore/.test(fn)) return 'Go: syncstore';
    if (/datastore_wasm_relation|datastore-wasm\/relation/.test(fn)) return 'Go: relation';
    if (/datastore_wasm_store|datastore-wasm\/store/.test(fn)) return 'Go: store';
    if (/^runtime\.(mallocgc|gc|scanobject|markroot|.*sweep|greyobject|findObject|heapBits|growslice|makemap|newobject|memclr|memmove)|internal_runtime_maps|^runtime\.map/.test(fn)) return 'Go: runtime (allocation, maps, GC)';
    if (/^(strconv|unicode|strings|bytes|sort|slices)/.test(fn)) return 'Go: strconv/strings/sort';
    return 'Go: runtime (other)';
  }
  if (url === '' && /^(parse|stringify)$/.test(fn)) return 'JSON (JS)';
  if (url === '' && /^(add|put|get|getAll|count|delete|objectStore|index|commit|only|bound|transaction)$/.test(fn)) return `IndexedDB: ${fn}`;
  if (/index\.js/.test(url) && /^(storeValue|loadValue|loadString|loadSlice|loadSliceOfValues|setInt64|getInt64|setInt32|getInt32|_resume|_makeFuncWrapper|run|mem|syscall\/js\..*|encode|decode)$/.test(fn)) return 'wasm_exec.js (crossing JS↔Go)';
  if (url === '' && /^(encode|decode|encodeInto)$/.test(fn)) return 'wasm_exec.js (TextEncoder/Decoder)';
  if (url === '' || /^VM\d+/.test(url)) return 'IndexedDB executor / builtins';
  return `module: ${fn || '(anonymous)'}`;
}

function summarize(profile) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parts = new Map();
  const fns = new Map();
  for (let i = 0; i < profile.samples.length; i++) {
    const n = byId.get(profile.samples[i]);
    const ms = (profile.timeDeltas[i] || 0) / 1000;
    const k = part(n.callFrame);
    parts.set(k, (parts.get(k) || 0) + ms);
    const f = `${n.callFrame.functionName || '(anonymous)'} ${n.callFrame.url ? path.basename(n.callFrame.url) : ''}`;
    fns.set(f, (fns.get(f) || 0) + ms);
  }
  const total = [...parts.values()].reduce((a, b) => a + b, 0);
  const show = (m, n) => [...m.entries()].sort((a, b) => b[1] - a[1]).slice(0, n)
    .map(([k, v]) => `${k.slice(0, 90).padEnd(90)} ${v.toFixed(1).padStart(8)} ms ${((100 * v) / total).toFixed(1).padStart(5)}%`).join('\n');
  return `by part (self time, ${total.toFixed(0)} ms sampled):\n${show(parts, 30)}\n\ntop functions (self time):\n${show(fns, TOP)}`;
}

async function main() {
  const dist = fs.mkdtempSync(path.join(os.tmpdir(), 'datastore-sync-profile-dist-'));
  fs.cpSync(path.join(ROOT, 'dist'), dist, { recursive: true });
  for (const f of fs.readdirSync(dist)) if (f.startsWith('datastore.wasm.')) fs.rmSync(path.join(dist, f));
  execFileSync('go', ['build', '-trimpath', '-o', path.join(dist, 'datastore.wasm'), './wasm'], {
    cwd: ROOT, env: { ...process.env, GOOS: 'js', GOARCH: 'wasm' }, stdio: 'inherit',
  });
  let cdp;
  let profile;
  const profiler = {
    async start(page) {
      cdp = await page.context().newCDPSession(page);
      await cdp.send('Profiler.enable');
      await cdp.send('Profiler.setSamplingInterval', { interval: 200 });
      await cdp.send('Profiler.start');
    },
    async stop() {
      ({ profile } = await cdp.send('Profiler.stop'));
    },
  };
  const P = {
    ...SYNC_FULL, posts: Number(option('posts', SYNC_FULL.posts)), commentsPerPost: Number(option('comments-per-post', SYNC_FULL.commentsPerPost)),
    drain: Number(option('drain', SYNC_FULL.drain)),
  };
  try {
    const out = await runSync({
      dist, smoke: false, reps: 1, only: new RegExp(`^${WORKLOAD}$`), log: (...a) => console.error(...a), flags: FLAGS, clients: ['product'], profiler, params: P,
      record: (w, rep, o) => { for (const c of o.checks || []) if (!c.ok) console.error(`CHECK FAILED: ${c.what}`); if (o.error) console.error(o.error); },
    });
    const run = out.runs[WORKLOAD].product[0];
    fs.mkdirSync(path.dirname(OUT), { recursive: true });
    fs.writeFileSync(OUT, JSON.stringify(profile));
    const what = WORKLOAD === 'sync-drain' ? `draining ${P.drain} mutations, product, under the profiler: online → outbox empty ${run.ms.toFixed(0)} ms`
      : `first sync of ${out.params.records} records, product, under the profiler: start → ready ${run.ms.toFixed(0)} ms (syncQueriesReady ${run.values.syncQueriesReady.toFixed(0)} ms)`;
    console.log(`${what}; profile in ${OUT}\n`);
    console.log(summarize(profile));
  } finally {
    fs.rmSync(dist, { recursive: true, force: true });
  }
}

main().catch((err) => { console.error(err); process.exit(1); });
