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
import { ROOT, option, openBenchPage } from './harness.mjs';

const N = Number(option('n', 1000));
const REPS = Number(option('reps', 11));
const DIST = path.resolve(option('dist', path.join(ROOT, 'dist')));
const ISOLATED = { 'cross-origin-opener-policy': 'same-origin', 'cross-origin-embedder-policy': 'require-corp' };
const PHASES = ['make', 'toTx', 'issue', 'wait', 'after', 'total'];

// runs executes in the page: reps runs of each side, alternating which
// goes first, and answers {product: [...], plain: [...]} of phase times.
async function runs([n, reps]) {
  const { createDataStore } = await import('/dist/index.js');
  const { SDL } = await import('./workloads.js');
  const TEXT = 'Lorem ipsum dolor sit amet, consectetur adipiscing elit';
  const settle = () => new Promise((resolve) => setTimeout(resolve, 0));
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
  const product = async (r) => {
    const { DataStore, models } = createDataStore({ schema: SDL, databaseName: `batch-phases-product-${r}-${crypto.randomUUID()}` });
    await DataStore.start();
    const post = await DataStore.save(new models.Post({ title: 'Post', rating: 1 }));
    await settle();
    const t = watch();
    const t0 = performance.now();
    const comments = [];
    for (let i = 0; i < n; i++) comments.push(new models.Comment({ postID: post.id, content: `Comment ${i}: ${TEXT}`, order: i }));
    const t1 = performance.now();
    const saved = await DataStore.save(comments);
    const t2 = performance.now();
    t.stop();
    if (saved.length !== n) throw new Error(`DataStore.save([...]) resolved with ${saved.length} records, not ${n}`);
    await DataStore.clear();
    return { make: t1 - t0, toTx: t.tx - t1, issue: t.last - t.tx, wait: t.complete - t.last, after: t2 - t.complete, total: t2 - t0 };
  };
  const plain = async (r) => {
    const name = `batch-phases-plain-${r}-${crypto.randomUUID()}`;
    const open = indexedDB.open(name, 1);
    open.onupgradeneeded = () => {
      open.result.createObjectStore('Post', { keyPath: 'id' });
      const comments = open.result.createObjectStore('Comment', { keyPath: 'id' });
      comments.createIndex('postID', 'postID');
      comments.createIndex('order', 'order');
    };
    const db = await new Promise((resolve, reject) => { open.onsuccess = () => resolve(open.result); open.onerror = () => reject(open.error); });
    await settle();
    const t0 = performance.now();
    const postID = crypto.randomUUID();
    const records = [];
    for (let i = 0; i < n; i++) {
      const at = new Date().toISOString();
      records.push({ id: crypto.randomUUID(), postID, content: `Comment ${i}: ${TEXT}`, order: i, createdAt: at, updatedAt: at });
    }
    const t1 = performance.now();
    const tx = db.transaction('Comment', 'readwrite');
    const store = tx.objectStore('Comment');
    for (const rec of records) store.put(rec);
    const t2 = performance.now();
    await new Promise((resolve, reject) => { tx.oncomplete = resolve; tx.onabort = () => reject(tx.error); });
    const t3 = performance.now();
    db.close();
    indexedDB.deleteDatabase(name);
    return { make: t1 - t0, toTx: 0, issue: t2 - t1, wait: t3 - t2, after: 0, total: t3 - t0 };
  };
  const out = { product: [], plain: [] };
  for (let r = 0; r < reps; r++) {
    for (const side of r % 2 ? ['plain', 'product'] : ['product', 'plain']) {
      out[side].push(await (side === 'product' ? product : plain)(r));
    }
  }
  return out;
}

const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];

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
