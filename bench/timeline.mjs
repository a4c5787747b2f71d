// Where a one-by-one save's wall time goes, without a profiler (`make
// timeline`, or `node bench/timeline.mjs`).
//
//   node bench/timeline.mjs [--workloads=save-posts,save-comments,save-comments-checked] [--n=500] [--reps=6] [--dist=DIR] [--isolated=no]
//
// (--dist: another build's dist/, to compare two builds run after run)
//
// A sampling profiler inflates the short native calls of IndexedDB two to
// three times (bench/profile.mjs says what runs, not how long a save
// waits). This tool instead wraps IDBDatabase.transaction in the page,
// runs each workload's product and plain sides alternately, and splits
// the time between one read-write transaction and the next into three
// parts, as means over the saves:
//   between: from a transaction's complete event to the next
//            transaction() call: everything a save does outside IndexedDB
//            (the caller's await resuming, the model constructor, the
//            save's planning in Go, instance building; for plain, making
//            the record);
//   transaction(): the call itself;
//   in the transaction: from transaction() returning to complete
//            (requests, their events, the commit).
// The page is served cross-origin isolated (COOP and COEP headers), so
// performance.now() counts in microseconds rather than 100 µs steps.
import fs from 'node:fs';
import path from 'node:path';
import { ROOT, option, openBenchPage, ISOLATED } from './harness.mjs';

const WORKLOADS = option('workloads', 'save-posts,save-comments,save-comments-checked').split(',');
const N = Number(option('n', 500));
const REPS = Number(option('reps', 6));
const DIST = path.resolve(option('dist', path.join(ROOT, 'dist')));
// Cross-origin isolation: performance.now() in µs, not 100 µs steps
// (--isolated=no serves the page as make bench does, to compare).
const ISOLATE = option('isolated', 'yes') !== 'no';

// timeline runs in the page before its scripts: it records, for every
// read-write transaction, when transaction() was called, when it returned
// and when the transaction completed.
function timeline() {
  const log = [];
  window.__txLog = log;
  const make = IDBDatabase.prototype.transaction;
  IDBDatabase.prototype.transaction = function transaction(...args) {
    const called = performance.now();
    const tx = make.apply(this, args);
    const made = performance.now();
    if (args[1] === 'readwrite') {
      const entry = { called, made, complete: 0 };
      log.push(entry);
      tx.addEventListener('complete', () => { entry.complete = performance.now(); });
    }
    return tx;
  };
}

// phases reduces a workload's log to means per save, µs. A gap longer
// than 20 ms is not a save's (the workload's set-up or checks).
function phases(log) {
  let between = 0;
  let gaps = 0;
  let call = 0;
  let inside = 0;
  const done = log.filter((e) => e.complete > 0);
  for (let i = 0; i < done.length; i++) {
    call += done[i].made - done[i].called;
    inside += done[i].complete - done[i].made;
    const gap = i > 0 ? done[i].called - done[i - 1].complete : -1;
    if (gap >= 0 && gap < 20) { between += gap; gaps += 1; }
  }
  const us = (v, n) => (n ? (v * 1000) / n : NaN);
  return { between: us(between, gaps), call: us(call, done.length), inside: us(inside, done.length) };
}

const median = (xs) => {
  const s = xs.filter((x) => !Number.isNaN(x)).sort((a, b) => a - b);
  return s.length ? s[s.length >> 1] : NaN;
};

async function main() {
  if (!fs.existsSync(path.join(DIST, 'index.js'))) throw new Error(`${DIST}/index.js is missing: run \`make build\` first`);
  const { page, close } = await openBenchPage({ dist: DIST, headers: ISOLATE ? ISOLATED : {}, initScript: timeline });
  try {
    if (!(await page.evaluate(() => window.crossOriginIsolated))) console.log('(the page is not cross-origin isolated: times are in 100 µs steps)');
    await page.evaluate((n) => window.bench.configure({ save: n, batchRounds: 1, cascadeRounds: 1 }), N);
    await page.evaluate(() => window.bench.warmup());
    const rows = new Map(); // "workload side" → {total, between, call, inside}: lists over the reps
    for (let r = 0; r < REPS; r++) {
      for (const w of WORKLOADS) {
        for (const side of r % 2 ? ['plain', 'product'] : ['product', 'plain']) {
          await page.evaluate(() => { window.__txLog.length = 0; });
          const out = await page.evaluate(([name, s]) => window.bench.run(name, s), [w, side]);
          if (out.error) throw new Error(out.error);
          const p = phases(await page.evaluate(() => window.__txLog));
          const key = `${w} ${side}`;
          if (!rows.has(key)) rows.set(key, { total: [], between: [], call: [], inside: [] });
          const row = rows.get(key);
          row.total.push((out.ms * 1000) / out.ops);
          row.between.push(p.between);
          row.call.push(p.call);
          row.inside.push(p.inside);
        }
      }
    }
    const f = (v) => (Number.isNaN(v) ? 'n/a' : v.toFixed(0)).padStart(14);
    console.log(`one-by-one saves, ${N} a run, ${REPS} runs a side; medians of the runs' means, µs per save`);
    console.log(`${'workload'.padEnd(32)} ${'per save'.padStart(14)} ${'between'.padStart(14)} ${'transaction()'.padStart(14)} ${'in the tx'.padStart(14)}`);
    for (const [key, row] of rows) {
      console.log(`${key.padEnd(32)} ${f(median(row.total))} ${f(median(row.between))} ${f(median(row.call))} ${f(median(row.inside))}`);
    }
  } finally {
    await close();
  }
}

main().catch((err) => { console.error(err); process.exit(1); });
