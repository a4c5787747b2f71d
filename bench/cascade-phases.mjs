// Where the cascade delete's time goes, product against plain IndexedDB
// (`node bench/cascade-phases.mjs [--reps=20] [--dist=DIR]`).
//
// It runs make bench's cascade workload (a post with 1,000 comments
// deleted) on both sides in turns, and splits the delete's read-write
// transaction, from transaction() to complete, at these points:
//   read:    the comments' index read has succeeded (the product's
//            getAll of the records, plain's getAllKeys);
//   decided: the first delete is issued (between them: the product
//            deserializes the records, Go decides the walk's next step);
//   deletes: the transaction is complete (the deletes and the commit).
// It prints the medians, ms, and the median of the paired ratios of the
// whole delete (DataStore.delete against plain's transaction).
import path from 'node:path';
import { ROOT, option, openBenchPage, ISOLATED, median } from './harness.mjs';

const REPS = Number(option('reps', 20));
const DIST = path.resolve(option('dist', path.join(ROOT, 'dist')));

// watch runs in the page before its scripts: it records each read-write
// transaction (when asked for, when complete) and each index read and
// delete (when issued, when it succeeded).
function watch() {
  window.cascadeWatch = { txs: [], reqs: [] };
  const transaction = IDBDatabase.prototype.transaction;
  IDBDatabase.prototype.transaction = function watched(...args) {
    const tx = transaction.apply(this, args);
    if (args[1] === 'readwrite') {
      const t = { at: performance.now(), done: 0 };
      window.cascadeWatch.txs.push(t);
      tx.addEventListener('complete', () => { t.done = performance.now(); });
    }
    return tx;
  };
  const track = (proto, m, kind) => {
    const f = proto[m];
    proto[m] = function watched(...args) {
      const req = f.apply(this, args);
      const r = { kind, at: performance.now(), ok: 0 };
      window.cascadeWatch.reqs.push(r);
      req.addEventListener('success', () => { r.ok = performance.now(); });
      return req;
    };
  };
  track(IDBIndex.prototype, 'getAll', 'read');
  track(IDBIndex.prototype, 'getAllKeys', 'read');
  track(IDBObjectStore.prototype, 'delete', 'delete');
}

// once runs the workload on one side and answers its phases, ms.
async function once(side) {
  window.cascadeWatch.txs = [];
  window.cascadeWatch.reqs = [];
  const out = await window.bench.run('cascade', side);
  if (out.error) throw new Error(out.error);
  const tx = window.cascadeWatch.txs[window.cascadeWatch.txs.length - 1];
  const inTx = window.cascadeWatch.reqs.filter((r) => r.at >= tx.at && r.at <= tx.done);
  const read = inTx.find((r) => r.kind === 'read');
  const del = inTx.find((r) => r.kind === 'delete');
  return { total: out.ms, read: read.ok - tx.at, decided: del.at - read.ok, deletes: tx.done - del.at };
}

const { page, close } = await openBenchPage({ dist: DIST, headers: ISOLATED, initScript: watch });
try {
  await page.evaluate(() => window.bench.warmup());
  const res = { product: [], plain: [] };
  for (let r = 0; r < REPS; r++) {
    for (const side of r % 2 ? ['product', 'plain'] : ['plain', 'product']) res[side].push(await page.evaluate(once, side));
  }
  const parts = ['read', 'decided', 'deletes', 'total'];
  console.log(`cascade delete of a post with 1,000 comments, ${REPS} rounds; medians, ms`);
  console.log(['side'.padEnd(8), ...parts.map((p) => p.padStart(8))].join(' '));
  for (const side of ['product', 'plain']) console.log([side.padEnd(8), ...parts.map((p) => median(res[side].map((x) => x[p])).toFixed(1).padStart(8))].join(' '));
  console.log(`product/plain ${median(res.product.map((x, i) => x.total / res.plain[i].total)).toFixed(3)}× (median of paired rounds)`);
} finally {
  await close();
}
