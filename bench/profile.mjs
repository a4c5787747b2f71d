// A CPU profile of the product's save workloads in Chromium, and where a
// save's time goes (`make profile`, or `node bench/profile.mjs`).
//
//   node bench/profile.mjs [--workloads=save-posts,save-comments] [--n=1000] [--side=product|plain] [--out=FILE]
//   node bench/profile.mjs --from=FILE [--saves=N]   (summarize a profile written before)
//
// It builds a wasm with Go's symbol names (the product's build strips
// them) into a temporary copy of dist/, serves bench/ and that copy on
// 127.0.0.1, runs the workloads' product side once untimed (warm-up) and
// once under the DevTools protocol's Profiler, writes the .cpuprofile
// (open it in DevTools' Performance panel) and prints the self time by
// part: the model constructor, the DataStore's save, the Go calls (by Go
// package), JSON, the IndexedDB executor, instance building, observe
// dispatch, the garbage collector, and idle time (waiting for IndexedDB).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { ROOT, option, openBenchPage } from './harness.mjs';

const WORKLOADS = option('workloads', 'save-posts,save-comments').split(',');
const N = Number(option('n', 1000));
const SIDE = option('side', 'product');
const OUT = option('out', path.join(ROOT, 'bench', 'results', 'save.cpuprofile'));

// ------------------------------------------------------------ the build

function build() {
  if (!fs.existsSync(path.join(ROOT, 'dist', 'index.js'))) throw new Error('dist/index.js is missing: run `make build` first');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'datastore-profile-dist-'));
  fs.cpSync(path.join(ROOT, 'dist'), dir, { recursive: true });
  for (const f of fs.readdirSync(dir)) if (f.startsWith('datastore.wasm.')) fs.rmSync(path.join(dir, f));
  execFileSync('go', ['build', '-trimpath', '-o', path.join(dir, 'datastore.wasm'), './wasm'], {
    cwd: ROOT, env: { ...process.env, GOOS: 'js', GOARCH: 'wasm' }, stdio: 'inherit',
  });
  return dir;
}

// ------------------------------------------------------------ the parts

// part names a profile node's function by where it is: the order of the
// tests matters (the first that holds wins).
function part(frame) {
  const { functionName: fn, url } = frame;
  if (fn === '(garbage collector)') return 'JS garbage collector';
  if (fn === '(idle)') return 'idle (waiting for IndexedDB to commit)';
  if (fn === '(program)') return 'browser (program: IndexedDB, event loop)';
  if (fn === '(root)') return 'root';
  if (/\.wasm$/.test(url) || /^(wasm-function|runtime\.|syscall\/js|encoding|github\.com|internal|strconv|sync\.|reflect\.|main\.)/.test(fn)) {
    if (/^syscall\/js/.test(fn) && !/\.wasm$/.test(url)) return 'wasm_exec.js (crossing JS↔Go)';
    if (/datastore_wasm_relation/.test(fn)) return 'Go: relation (validate, plan)';
    if (/datastore_wasm_store/.test(fn)) return 'Go: store (encode plans, decide writes)';
    if (/jsonvalue/.test(fn)) return 'Go: JSON (jsonvalue parse/append)';
    if (/^(encoding|strconv)/.test(fn)) return 'Go: JSON (encoding/json, strconv)';
    if (/^(syscall|main\.)/.test(fn)) return 'Go: bridge and syscall/js';
    if (/^runtime\.(addspecial|SetFinalizer|removespecial|.*finalizer)/i.test(fn)) return 'Go: runtime (js.Value finalizers)';
    if (/^(runtime\.(mallocgc|gc|scanobject|markroot|.*sweep|greyobject|findObject|heapBits|growslice|makemap|newobject|memclr|memmove)|internal_runtime_maps)/.test(fn)) return 'Go: runtime (allocation, maps, GC)';
    return 'Go: runtime (scheduler, other)';
  }
  if (/wasm_exec/.test(url)) return 'wasm_exec.js (crossing JS↔Go)';
  if (url === '' && /^(encode|decode|encodeInto)$/.test(fn)) return 'wasm_exec.js (crossing JS↔Go)';
  if (url === '' && /^(parse|stringify)$/.test(fn)) return 'JSON (JS)';
  if (url === '' && fn === 'postMessage') return 'BroadcastChannel.postMessage (other tabs)';
  if (url === '' && fn === 'transaction') return 'IndexedDB: transaction set-up';
  if (url === '' && /^(add|put|get|getAll|count|delete|objectStore|index|commit|only|bound)$/.test(fn)) return `IndexedDB: ${fn}`;
  if (url === '' && fn === 'randomUUID') return 'crypto.randomUUID';
  if (url === '' && fn === 'queueMicrotask') return 'module: observe dispatch';
  if (url === '' || /^VM\d+/.test(url)) return 'IndexedDB executor (store/indexeddb_exec.js)';
  if (/workloads\.js/.test(url)) return 'bench workload';
  // wasm_exec.js is bundled into dist/index.js: its functions by name.
  if (/index\.js/.test(url) && /^(storeValue|loadValue|loadString|loadSlice|loadSliceOfValues|setInt64|getInt64|setInt32|getInt32|_resume|_makeFuncWrapper|run|wasmExit|mem|syscall\/js\..*)$/.test(fn)) return 'wasm_exec.js (crossing JS↔Go)';
  return `module: ${fn || '(anonymous)'}`;
}

// Module functions grouped by what they do (js/*.js, bundled in index.js).
const MODULE = [
  [/^(fill|deepFreeze|instance|define|relationValue|memoOf|cls|get |.*Instance.*)$/, 'instance building (fill, freeze)'],
  [/^(_emit|deliver|accepts|next|_broadcast|queueMicrotask)$/, 'observe dispatch and broadcast'],
  [/^(construct|Model|.*Ctor|constructor|init|build|clean.*|_checkRelations)$/, 'model constructor'],
  [/^(save|_call|_engine|_batch|callSync|_groupSave|enqueue|flush|.*[Ww]rite.*)$/, 'DataStore.save / the call into Go'],
];

function label(frame) {
  const p = part(frame);
  if (!p.startsWith('module: ')) return p;
  const fn = p.slice(8);
  for (const [re, name] of MODULE) if (re.test(fn)) return `module: ${name}`;
  return `module: other (${fn})`;
}

function summarize(profile) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map();
  const dt = profile.timeDeltas;
  for (let i = 0; i < profile.samples.length; i++) {
    const n = byId.get(profile.samples[i]);
    const key = label(n.callFrame);
    self.set(key, (self.get(key) || 0) + (dt[i] || 0) / 1000);
  }
  const total = [...self.values()].reduce((a, b) => a + b, 0);
  return { total, rows: [...self.entries()].sort((a, b) => b[1] - a[1]) };
}

// ------------------------------------------------------------ main

function print(profile, saves, timed) {
  const { total, rows } = summarize(profile);
  for (const [w, ms] of Object.entries(timed)) console.log(`  ${w}: ${(ms * 1000).toFixed(0)} µs per operation (under the profiler)`);
  console.log(`\n${'part'.padEnd(52)} ${'ms'.padStart(8)} ${'µs/op'.padStart(8)} ${'share'.padStart(6)}`);
  for (const [k, v] of rows) {
    console.log(`${k.padEnd(52)} ${v.toFixed(1).padStart(8)} ${(v * 1000 / saves).toFixed(1).padStart(8)} ${((100 * v) / total).toFixed(1).padStart(5)}%`);
  }
}

async function main() {
  if (option('from')) {
    // Summarize a profile written before (--from=FILE --saves=N).
    print(JSON.parse(fs.readFileSync(option('from'), 'utf8')), Number(option('saves', N * WORKLOADS.length)), {});
    return;
  }
  const dist = build();
  const { page, close } = await openBenchPage({ dist });
  try {
    await page.evaluate((n) => window.bench.configure({ save: n, observe: Math.min(n, 200), batchRounds: 1, cascadeRounds: 1 }), N);
    await page.evaluate(() => window.bench.warmup());
    for (const w of WORKLOADS) await page.evaluate(([name, side]) => window.bench.run(name, side), [w, SIDE]);
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Profiler.enable');
    await cdp.send('Profiler.setSamplingInterval', { interval: 100 });
    const timed = {};
    let ops = 0;
    await cdp.send('Profiler.start');
    for (const w of WORKLOADS) {
      const out = await page.evaluate(([name, side]) => window.bench.run(name, side), [w, SIDE]);
      if (out.error) throw new Error(out.error);
      timed[w] = out.ms / out.ops;
      ops += out.ops;
    }
    const { profile } = await cdp.send('Profiler.stop');
    fs.mkdirSync(path.dirname(OUT), { recursive: true });
    fs.writeFileSync(OUT, JSON.stringify(profile));
    console.log(`profile of ${WORKLOADS.join(', ')} (${ops} operations), ${SIDE} side; written to ${OUT}`);
    print(profile, ops, timed);
  } finally {
    await close();
    fs.rmSync(dist, { recursive: true, force: true });
  }
}

main().catch((err) => { console.error(err); process.exit(1); });
