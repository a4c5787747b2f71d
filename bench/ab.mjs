// Two builds' batch save, and plain IndexedDB, in turn in one page
// (`make ab A=DIR`, or `node bench/ab.mjs --a=DIR [--b=dist]`).
//
//   node bench/ab.mjs --a=DIR [--b=DIR] [--n=1000] [--reps=30] [--slowest=N]
//
// This machine's noise moves whole runs by 10% or more, so two builds run
// one after the other compare their runs, not themselves. Here both
// builds' modules (each a dist/ directory: `git worktree add` an older
// commit and `make build` there) are loaded in one cross-origin-isolated
// page, and each round runs A's DataStore.save([...]) of N new comments,
// B's, and plain IndexedDB's one transaction of N puts, in an order that
// rotates. A round is split as bench/batch-phases.mjs splits it: make (the
// constructors; plain's object literals), toTx (to the transaction() call:
// the plan), issue (to the last add or put issued), and the rest (the
// commit and after). It prints each side's medians, ms, and the medians of
// the paired ratios: A and B against plain, and B against A.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ROOT, option, openBenchPage, ISOLATED, median } from './harness.mjs';

const A = option('a', '');
const B = path.resolve(option('b', path.join(ROOT, 'dist')));
const N = Number(option('n', 1000));
const REPS = Number(option('reps', 30));
const SLOWEST = Number(option('slowest', 0));
const PARTS = ['make', 'toTx', 'issue', 'rest', 'total'];

// rounds executes in the page: reps rounds of the three sides (two warm-up
// rounds first, not kept); answers {a, b, plain}: lists of parts, ms.
async function rounds([n, reps]) {
  const libs = { a: await import('/dist/a/index.js'), b: await import('/dist/b/index.js') };
  const { SDL } = await import('./workloads.js');
  const { productRound, plainRound } = await import('./batch-rounds.js');
  // When the round's read-write transaction was asked for and when its
  // last write was issued.
  let tx = 0;
  let last = 0;
  const transaction = IDBDatabase.prototype.transaction;
  IDBDatabase.prototype.transaction = function watched(...args) {
    if (args[1] === 'readwrite' && !tx) tx = performance.now();
    return transaction.apply(this, args);
  };
  for (const m of ['add', 'put']) {
    const write = IDBObjectStore.prototype[m];
    IDBObjectStore.prototype[m] = function watched(...args) {
      const req = write.apply(this, args);
      last = performance.now();
      return req;
    };
  }
  const round = async (run) => {
    const at = {};
    await run((label) => {
      at[label] = performance.now();
      if (label === 'made') tx = 0;
    });
    return { make: at.made - at.start, toTx: tx - at.made, issue: last - tx, rest: at.done - last, total: at.done - at.start };
  };
  const product = (lib, r) => round((mark) => productRound(lib.createDataStore, SDL, n, `ab-${r}-${crypto.randomUUID()}`, mark));
  const plain = (r) => round((mark) => plainRound(n, `ab-plain-${r}-${crypto.randomUUID()}`, mark));
  const out = { a: [], b: [], plain: [] };
  const orders = [['a', 'b', 'plain'], ['b', 'plain', 'a'], ['plain', 'a', 'b'], ['b', 'a', 'plain'], ['a', 'plain', 'b'], ['plain', 'b', 'a']];
  for (let r = -2; r < reps; r++) {
    for (const side of orders[(r + 6) % 6]) {
      const x = side === 'plain' ? await plain(r) : await product(libs[side], r);
      if (r >= 0) out[side].push(x);
    }
  }
  return out;
}

async function main() {
  if (!A) throw new Error('--a=DIR names the dist/ directory of the build to compare with (B, --b, is dist/ by default)');
  for (const d of [A, B]) if (!fs.existsSync(path.join(d, 'index.js'))) throw new Error(`${d}/index.js is missing: run \`make build\` there first`);
  // Served as /dist/a/ and /dist/b/; A also as /dist/, which bench/page.html loads.
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'datastore-ab-'));
  fs.cpSync(A, dir, { recursive: true });
  fs.cpSync(A, path.join(dir, 'a'), { recursive: true });
  fs.cpSync(B, path.join(dir, 'b'), { recursive: true });
  try {
    const { page, close } = await openBenchPage({ dist: dir, headers: ISOLATED });
    try {
      const res = await page.evaluate(rounds, [N, REPS]);
      console.log(`a batch of ${N} comments, ${REPS} rounds; medians, ms (a: ${A}, b: ${B})`);
      console.log(['side'.padEnd(6), ...PARTS.map((p) => p.padStart(8))].join(' '));
      for (const side of ['a', 'b', 'plain']) {
        console.log([side.padEnd(6), ...PARTS.map((p) => median(res[side].map((x) => x[p])).toFixed(1).padStart(8))].join(' '));
      }
      const ratio = (x, y) => median(res[x].map((r, i) => r.total / res[y][i].total)).toFixed(3);
      const faster = res.b.filter((r, i) => r.total < res.a[i].total).length;
      console.log(`a/plain ${ratio('a', 'plain')}×, b/plain ${ratio('b', 'plain')}×, b/a ${ratio('b', 'a')}× (b faster in ${faster} of ${REPS} rounds)`);
      if (SLOWEST > 0) {
        for (const side of ['a', 'b', 'plain']) {
          const slow = [...res[side]].sort((x, y) => y.total - x.total).slice(0, SLOWEST);
          console.log(`${side} slowest (${PARTS.join(', ')}):`, slow.map((x) => PARTS.map((p) => x[p].toFixed(0)).join('/')).join('  '));
        }
      }
    } finally {
      await close();
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err) => { console.error(err); process.exit(1); });
