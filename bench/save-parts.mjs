// Where one save of a new comment goes, part by part, Go's share timed
// apart (`node bench/save-parts.mjs [--n=600] [--dist=DIR]`).
//
// bench/timeline.mjs splits the time between transactions; this tool
// splits the product's own part further, in a cross-origin-isolated page
// (performance.now() in 5 µs steps): it wraps the engine's WebAssembly
// exports (each ds* call timed, summed by export) and IDBDatabase's
// transaction(), then saves n new comments of one post one by one
// (`await DataStore.save(new Comment({...}))`, the first 100 not kept)
// and prints the median and the mean of each part, µs:
//   constructor       new Comment({...}), of which Go's dsConstruct;
//   save() returns    the synchronous part of DataStore.save;
//   to transaction()  from there to the read-write transaction() call
//                     (the group commit's microtask, the plan), of
//                     which Go's dsSave;
//   transaction()     the call itself;
//   in the tx         to the transaction's complete event;
//   resolve           from complete to the caller's await resuming.
import path from 'node:path';
import { ROOT, option, openBenchPage, ISOLATED } from './harness.mjs';

const N = Number(option('n', 600));
const DIST = path.resolve(option('dist', path.join(ROOT, 'dist')));

// watch runs in the page before its scripts.
function watch() {
  const t = { go: {}, tx: 0, txReturned: 0, done: 0 };
  window.saveParts = t;
  // Go.run wants a WebAssembly.Instance: the wrapped exports go on one.
  const wrapped = (exports) => {
    const out = {};
    for (const [name, f] of Object.entries(exports)) {
      out[name] = typeof f === 'function' && name.startsWith('ds')
        ? function timed(...args) {
          const t0 = performance.now();
          try {
            return f.apply(this, args);
          } finally {
            t.go[name] = (t.go[name] || 0) + performance.now() - t0;
          }
        }
        : f;
    }
    const inst = Object.create(WebAssembly.Instance.prototype);
    Object.defineProperty(inst, 'exports', { value: out });
    return inst;
  };
  const streaming = WebAssembly.instantiateStreaming;
  WebAssembly.instantiateStreaming = async (...args) => {
    const res = await streaming.apply(WebAssembly, args);
    return { module: res.module, instance: wrapped(res.instance.exports) };
  };
  const instantiate = WebAssembly.instantiate;
  WebAssembly.instantiate = async (...args) => {
    const res = await instantiate.apply(WebAssembly, args);
    return res instanceof WebAssembly.Instance ? wrapped(res.exports) : { module: res.module, instance: wrapped(res.instance.exports) };
  };
  const transaction = IDBDatabase.prototype.transaction;
  IDBDatabase.prototype.transaction = function watched(...args) {
    const t0 = performance.now();
    const tx = transaction.apply(this, args);
    if (args[1] === 'readwrite') {
      t.tx = t0;
      t.txReturned = performance.now();
      tx.addEventListener('complete', () => { t.done = performance.now(); });
    }
    return tx;
  };
}

async function measure(n) {
  const { createDataStore } = await import('/dist/index.js');
  const { SDL } = await import('./workloads.js');
  const { DataStore, models } = createDataStore({ schema: SDL, databaseName: `save-parts-${crypto.randomUUID()}` });
  await DataStore.start();
  const post = await DataStore.save(new models.Post({ title: 'Post', rating: 1 }));
  const t = window.saveParts;
  const rows = [];
  for (let i = 0; i < n; i++) {
    t.go = {};
    const t0 = performance.now();
    const comment = new models.Comment({ postID: post.id, content: `Comment ${i}: Lorem ipsum dolor sit amet, consectetur adipiscing elit`, order: i });
    const t1 = performance.now();
    const goCtor = t.go.dsConstruct || 0;
    const saving = DataStore.save(comment);
    const t2 = performance.now();
    await saving;
    const t3 = performance.now();
    if (i < 100) continue;
    rows.push({
      'constructor': t1 - t0, '  Go: dsConstruct': goCtor, 'save() returns': t2 - t1, 'to transaction()': t.tx - t2,
      '  Go: dsSave': t.go.dsSave || 0, 'transaction()': t.txReturned - t.tx, 'in the tx': t.done - t.txReturned,
      'resolve': t3 - t.done, 'total': t3 - t0,
    });
  }
  await DataStore.clear();
  const parts = Object.keys(rows[0]);
  return parts.map((p) => {
    const xs = rows.map((r) => r[p] * 1000).sort((a, b) => a - b);
    return [p, xs[xs.length >> 1], xs.reduce((s, x) => s + x, 0) / xs.length];
  });
}

const { page, close } = await openBenchPage({ dist: DIST, headers: ISOLATED, initScript: watch });
try {
  const parts = await page.evaluate(measure, N);
  console.log(`one save of a new comment (${N - 100} kept), µs`);
  console.log(`${'part'.padEnd(18)} ${'median'.padStart(7)} ${'mean'.padStart(7)}`);
  for (const [p, med, mean] of parts) console.log(`${p.padEnd(18)} ${med.toFixed(0).padStart(7)} ${mean.toFixed(0).padStart(7)}`);
} finally {
  await close();
}
