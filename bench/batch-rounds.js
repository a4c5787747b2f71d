// One round of a batch save of n new comments of one post, by the product
// and by plain IndexedDB, for the page tools that split it into phases
// (bench/batch-phases.mjs, bench/ab.mjs). Loaded in the page; each round
// calls mark(label) as it passes 'start' (before the first record is
// made), 'made' (after the last), 'issued' (plain: its last put issued)
// and 'done' (committed), and the tool reads its clock there.

const TEXT = 'Lorem ipsum dolor sit amet, consectetur adipiscing elit';

const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

/**
 * The product: the comments made with their model's constructor and saved
 * with DataStore.save([...]), in a fresh database named name, created by
 * createDataStore (the module of the build measured) with schema.
 */
export async function productRound(createDataStore, schema, n, name, mark) {
  const { DataStore, models } = createDataStore({ schema, databaseName: name });
  await DataStore.start();
  const post = await DataStore.save(new models.Post({ title: 'Post', rating: 1 }));
  await settle();
  mark('start');
  const comments = [];
  for (let i = 0; i < n; i++) comments.push(new models.Comment({ postID: post.id, content: `Comment ${i}: ${TEXT}`, order: i }));
  mark('made');
  const saved = await DataStore.save(comments);
  mark('done');
  if (saved.length !== n) throw new Error(`DataStore.save([...]) resolved with ${saved.length} records, not ${n}`);
  await DataStore.clear();
}

/**
 * Plain IndexedDB: the same records as object literals (the product's
 * fields, crypto.randomUUID ids), put in one transaction, in a fresh
 * database named name (bench/workloads.js's save-batch).
 */
export async function plainRound(n, name, mark) {
  const open = indexedDB.open(name, 1);
  open.onupgradeneeded = () => {
    open.result.createObjectStore('Post', { keyPath: 'id' });
    const comments = open.result.createObjectStore('Comment', { keyPath: 'id' });
    comments.createIndex('postID', 'postID');
    comments.createIndex('order', 'order');
  };
  const db = await new Promise((resolve, reject) => { open.onsuccess = () => resolve(open.result); open.onerror = () => reject(open.error); });
  await settle();
  mark('start');
  const postID = crypto.randomUUID();
  const records = [];
  for (let i = 0; i < n; i++) {
    const at = new Date().toISOString();
    records.push({ id: crypto.randomUUID(), postID, content: `Comment ${i}: ${TEXT}`, order: i, createdAt: at, updatedAt: at });
  }
  mark('made');
  const tx = db.transaction('Comment', 'readwrite');
  const store = tx.objectStore('Comment');
  for (const rec of records) store.put(rec);
  mark('issued');
  await new Promise((resolve, reject) => { tx.oncomplete = resolve; tx.onabort = () => reject(tx.error); });
  mark('done');
  db.close();
  indexedDB.deleteDatabase(name);
}
