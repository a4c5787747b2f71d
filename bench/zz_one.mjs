import { openBenchPage } from './harness.mjs';
const dist = process.argv[2] || '/work/main/dist';
const { page, close } = await openBenchPage({ dist, headers: { 'cross-origin-opener-policy': 'same-origin', 'cross-origin-embedder-policy': 'require-corp' } });
const r = await page.evaluate(async () => {
  const { createDataStore } = await import('/dist/index.js');
  const { SDL } = await import('./workloads.js');
  const { DataStore, models } = createDataStore({ schema: SDL, databaseName: 'zz1' + Math.random() });
  await DataStore.start();
  const make = IDBDatabase.prototype.transaction;
  let txAt = 0, completeAt = 0;
  IDBDatabase.prototype.transaction = function (...a) { const tx = make.apply(this, a); if (a[1] === 'readwrite') { txAt = performance.now(); tx.addEventListener('complete', () => { completeAt = performance.now(); }); } return tx; };
  const rows = [];
  for (let i = 0; i < 600; i++) {
    const t0 = performance.now();
    const p = new models.Post({ title: `Post ${i}`, rating: i % 5 });
    const t1 = performance.now();
    const sp = DataStore.save(p);
    const t2 = performance.now();
    await sp;
    const t3 = performance.now();
    if (i >= 100) rows.push({ ctor: t1 - t0, saveCall: t2 - t1, toTx: txAt - t1, tx: completeAt - txAt, afterComplete: t3 - completeAt, total: t3 - t0 });
  }
  const med = (k) => { const xs = rows.map((x) => x[k]).sort((a, b) => a - b); return (xs[xs.length >> 1] * 1000).toFixed(0); };
  return Object.fromEntries(Object.keys(rows[0]).map((k) => [k, med(k) + ' µs']));
});
console.log(r);
await close();
