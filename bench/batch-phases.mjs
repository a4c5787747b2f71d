// Where a batch save's wall time goes, product against plain IndexedDB,
// without a profiler (`node bench/batch-phases.mjs`).
//
//   node bench/batch-phases.mjs [--n=1000] [--reps=11] [--dist=DIR]
//
// The product makes N comments with their model's constructor and saves
// them with DataStore.save([...]); plain IndexedDB makes the same records
// as object literals and puts them in one transaction (bench/workloads.js's
// save-batch). The two sides alternate in one cross-origin-isolated page
// (performance.now() in µs) and each run is split into:
//   make:  the constructors (plain: the literals, crypto.randomUUID);
//   toTx:  from the last record made to the transaction() call: the
//          product's planning in Go and the executor's set-up;
//   issue: from transaction() to the last add (plain: put) issued;
//   wait:  from there to the transaction's complete event;
//   after: from complete to DataStore.save's promise resolving.
// It prints the medians of the runs, ms, and the median of the paired
// product/plain ratios of the totals.
import fs from 'node:fs';
import path from 'node:path';
import { ROOT, option, openBenchPage, ISOLATED, median } from './harness.mjs';

const N = Number(option('n', 1000));
const REPS = Number(option('reps', 11));
const DIST = path.resolve(option('dist', path.join(ROOT, 'dist')));
const PHASES = ['make', 'toTx', 'issue', 'wait', 'after', 'total'];

// runs executes in the page: reps runs of each side, alternating which
// goes first, and answers {product: [...], plain: [...]} of phase times.
async function runs([n, reps]) {
  const { createDataStore } = await import('/dist/index.js');
  const { SDL } = await import('./workloads.js');
  // watch records, for the next read-write transaction, when it was asked
  // for, when its last write was issued and when it completed.
  const watch = () => {
    const make = IDBDatabase.prototype.transaction;
    const stores = ['add', 'put'].map((m) => [m, IDBObjectStore.prototype[m]]);
    const t = { tx: 0, last: 0, complete: 0 };
    IDBDatabase.prototype.transaction = function transaction(...args) {
      const tx = make.apply(this, args);
      if (args[1] === 'readwrite' && !t.tx) {
        t.tx = performance.now();
        tx.addEventListener('complete', () => { t.complete = performance.now(); });
      }
      return tx;
    };
    for (const [m, fn] of stores) {
      IDBObjectStore.prototype[m] = function write(...args) {
        const req = fn.apply(this, args);
        t.last = performance.now();
        return req;
      };
    }
    t.stop = () => {
      IDBDatabase.prototype.transaction = make;
      for (const [m, fn] of stores) IDBObjectStore.prototype[m] = fn;
    };
    return t;
  };
  const { productRound, plainRound } = await import('./batch-rounds.js');
  const product = async (r) => {
    const at = {};
    let t = null;
    await productRound(createDataStore, SDL, n, `batch-phases-product-${r}-${crypto.randomUUID()}`, (label) => {
      if (label === 'start') t = watch();
      at[label] = performance.now();
    });
    t.stop();
    return { make: at.made - at.start, toTx: t.tx - at.made, issue: t.last - t.tx, wait: t.complete - t.last, after: at.done - t.complete, total: at.done - at.start };
  };
  const plain = async (r) => {
    const at = {};
    await plainRound(n, `batch-phases-plain-${r}-${crypto.randomUUID()}`, (label) => { at[label] = performance.now(); });
    return { make: at.made - at.start, toTx: 0, issue: at.issued - at.made, wait: at.done - at.issued, after: 0, total: at.done - at.start };
  };
  const out = { product: [], plain: [] };
  for (let r = 0; r < reps; r++) {
    for (const side of r % 2 ? ['plain', 'product'] : ['product', 'plain']) {
      out[side].push(await (side === 'product' ? product : plain)(r));
    }
  }
  return out;
}

async function main() {
  if (!fs.existsSync(path.join(DIST, 'index.js'))) throw new Error(`${DIST}/index.js is missing: run \`make build\` first`);
  const { page, close } = await openBenchPage({ dist: DIST, headers: ISOLATED });
  try {
    const res = await page.evaluate(runs, [N, REPS]);
    console.log(`a batch of ${N} comments, ${REPS} runs a side; medians, ms`);
    console.log(['side'.padEnd(8), ...PHASES.map((p) => p.padStart(8))].join(' '));
    for (const side of ['product', 'plain']) {
      console.log([side.padEnd(8), ...PHASES.map((p) => median(res[side].map((x) => x[p])).toFixed(1).padStart(8))].join(' '));
    }
    const ratios = res.product.map((x, i) => x.total / res.plain[i].total);
    console.log(`product/plain, paired: ${median(ratios).toFixed(2)}× (${Math.min(...ratios).toFixed(2)}–${Math.max(...ratios).toFixed(2)})`);
  } finally {
    await close();
  }
}

main().catch((err) => { console.error(err); process.exit(1); });
