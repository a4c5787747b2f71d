// What one lookup costs in Chromium by the IndexedDB request that makes it
// (`node bench/request-costs.mjs [--n=3000]`): a get, a getAll of a range of one key,
// with and without a count of 1, in a transaction named by a string or a
// list, resolved on the request's success or on the transaction's
// complete. Each variant does n lookups (3,000), each in its own read-only
// transaction, the variants in turns; it prints the median lookup. The
// executor's choices (store/indexeddb_exec.js: a get for a primary key,
// reads resolved on success) rest on these figures.
import path from 'node:path';
import { ROOT, option, openBenchPage, ISOLATED } from './harness.mjs';

const N = Number(option('n', 3000));

async function measure(n) {
  const db = await new Promise((resolve, reject) => {
    const open = indexedDB.open(`request-costs-${crypto.randomUUID()}`);
    open.onupgradeneeded = () => open.result.createObjectStore('Post', { keyPath: 'id' });
    open.onsuccess = () => resolve(open.result);
    open.onerror = () => reject(open.error);
  });
  await new Promise((resolve) => {
    const tx = db.transaction('Post', 'readwrite');
    for (let i = 0; i < 1000; i++) tx.objectStore('Post').put({ id: `k${i}`, title: `Post ${i}`, rating: i % 5, _seq: i });
    tx.oncomplete = resolve;
  });
  const lookup = (names, make, onComplete = false) => (key) => new Promise((resolve) => {
    const tx = db.transaction(names, 'readonly');
    const req = make(tx.objectStore('Post'), key);
    if (onComplete) tx.oncomplete = () => resolve(req.result);
    else req.onsuccess = () => resolve(req.result);
  });
  const variants = {
    'get': lookup('Post', (s, k) => s.get(k)),
    'get, scope as a list': lookup(['Post'], (s, k) => s.get(k)),
    'getAll(only(key))': lookup('Post', (s, k) => s.getAll(IDBKeyRange.only(k))),
    'getAll(only(key), 1)': lookup('Post', (s, k) => s.getAll(IDBKeyRange.only(k), 1)),
    'get, resolved on complete': lookup('Post', (s, k) => s.get(k), true),
  };
  const names = Object.keys(variants);
  const times = Object.fromEntries(names.map((n) => [n, []]));
  // The variants take turns lookup by lookup, so that the machine's
  // slow spells fall on all alike; each lookup is timed on its own.
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < names.length; j++) {
      const n = names[(i + j) % names.length];
      const t0 = performance.now();
      await variants[n](`k${(i * 7) % 1000}`);
      times[n].push((performance.now() - t0) * 1000);
    }
  }
  db.close();
  const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
  return names.map((n) => [n, median(times[n])]);
}

const { page, close } = await openBenchPage({ dist: path.join(ROOT, 'dist'), headers: ISOLATED });
try {
  console.log(`one lookup in its own read-only transaction, median of ${N}, µs`);
  for (const [name, us] of await page.evaluate(measure, N)) console.log(`${name.padEnd(28)} ${us.toFixed(1).padStart(7)}`);
} finally {
  await close();
}
