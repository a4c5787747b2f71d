// The benchmark workloads, each in two implementations side by side: the
// product (datastore-wasm through its DataStore API) and plain IndexedDB
// doing the same logical work the way a hand-written app would (same data,
// same stores and indexes, one transaction per logical operation).
//
// bench/run.mjs drives this page: configure(params) once, then
// run(workload, side, rep) for every repetition and side, and cleanup() at
// the end. A run sets up its data (not timed), times the work with
// performance.now(), verifies the data afterwards and answers
// {ms, ops, values, checks, notes}; a failed check fails the whole bench.
import { createDataStore } from '/dist/index.js';

export const SDL = `
type Post @model {
  id: ID!
  title: String!
  rating: Int!
  comments: [Comment] @hasMany(indexName: "byPost", fields: ["id"])
}
type Comment @model {
  id: ID!
  postID: ID! @index(name: "byPost")
  content: String!
  order: Int! @index(name: "byOrder")
  post: Post @belongsTo(fields: ["postID"])
}`;

// Sizes; run.mjs sends the full or the smoke set.
let P = {
  save: 1000, queryAll: 1000, queryAllRounds: 30, byPostPosts: 100, byPostComments: 10,
  byId: 1000, cascade: 1000, observe: 200, big: 100000, bigPosts: 1000, window: 100,
  rangeQueries: 100, small: 1000, smallPosts: 10, scaleQueries: 20, group: 100, groupRounds: 10,
  batchRounds: 5, cascadeRounds: 4,
};

const now = () => performance.now();
const uuid = () => crypto.randomUUID();
const iso = () => new Date().toISOString();
const TEXT = 'Lorem ipsum dolor sit amet, consectetur adipiscing elit';

// A small deterministic PRNG so that both sides ask the same questions in
// the same order.
function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function shuffled(list, seed) {
  const out = [...list];
  const r = rng(seed);
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(r() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

// ---------------------------------------------------------------- IndexedDB

const request = (r) => new Promise((resolve, reject) => {
  r.onsuccess = () => resolve(r.result);
  r.onerror = () => reject(r.error);
});

const done = (tx) => new Promise((resolve, reject) => {
  tx.oncomplete = () => resolve();
  tx.onabort = () => reject(tx.error || new Error('transaction aborted'));
  tx.onerror = () => reject(tx.error);
});

/** Opens (creating) a plain database with the product's layout. */
function openPlain(name) {
  const req = indexedDB.open(name, 1);
  req.onupgradeneeded = () => {
    const db = req.result;
    db.createObjectStore('Post', { keyPath: 'id' });
    const comments = db.createObjectStore('Comment', { keyPath: 'id' });
    comments.createIndex('postID', 'postID', { unique: false });
    comments.createIndex('order', 'order', { unique: false });
  };
  return request(req).then((db) => {
    db.onversionchange = () => db.close();
    return db;
  });
}

/** Opens an existing database (the product's) at its current version. */
function openExisting(name) {
  return request(indexedDB.open(name)).then((db) => {
    db.onversionchange = () => db.close();
    return db;
  });
}

function deleteDatabase(name) {
  return request(indexedDB.deleteDatabase(name));
}

/** Writes records into one store in one transaction (seeding, not timed). */
async function putAll(db, storeName, records) {
  const tx = db.transaction(storeName, 'readwrite');
  const os = tx.objectStore(storeName);
  for (const r of records) os.put(r);
  await done(tx);
}

/** Counts records of a store, or of an index key. */
async function count(db, storeName, indexName, key) {
  const tx = db.transaction(storeName, 'readonly');
  const src = indexName ? tx.objectStore(storeName).index(indexName) : tx.objectStore(storeName);
  return request(key === undefined ? src.count() : src.count(key));
}

// -------------------------------------------------------------- the two sides

let serial = 0;
const dbName = (side, tag) => `bench-${side}-${tag}-${++serial}-${uuid().slice(0, 8)}`;

async function newProduct(tag) {
  const name = dbName('product', tag);
  const { DataStore, models } = createDataStore({ schema: SDL, databaseName: name });
  await DataStore.start();
  const raw = async (fn) => {
    const db = await openExisting(name);
    try { return await fn(db); } finally { db.close(); }
  };
  return { side: 'product', name, DataStore, Post: models.Post, Comment: models.Comment, raw, close: () => DataStore.clear() };
}

async function newPlain(tag) {
  const name = dbName('plain', tag);
  const db = await openPlain(name);
  const raw = (fn) => fn(db);
  return { side: 'plain', name, db, raw, close: async () => { db.close(); await deleteDatabase(name); } };
}

const open = (side, tag) => (side === 'product' ? newProduct(tag) : newPlain(tag));

// Plain IndexedDB, written as an app would: one transaction per operation.
const plain = {
  async save(db, storeName, rec) {
    const tx = db.transaction(storeName, 'readwrite');
    tx.objectStore(storeName).put(rec);
    await done(tx);
    return rec;
  },
  get(db, storeName, key) {
    return request(db.transaction(storeName, 'readonly').objectStore(storeName).get(key));
  },
  all(db, storeName) {
    return request(db.transaction(storeName, 'readonly').objectStore(storeName).getAll());
  },
  byIndex(db, storeName, indexName, range) {
    return request(db.transaction(storeName, 'readonly').objectStore(storeName).index(indexName).getAll(range));
  },
  /** Puts a comment in a transaction that also counts its post, aborted when there is none. */
  async saveChecked(db, rec) {
    const tx = db.transaction(['Comment', 'Post'], 'readwrite');
    const parents = tx.objectStore('Post').count(rec.postID);
    parents.onsuccess = () => { if (parents.result === 0) tx.abort(); };
    tx.objectStore('Comment').put(rec);
    await done(tx);
    return rec;
  },
  /** Deletes a post and its comments in one transaction over both stores. */
  async cascade(db, postID) {
    const tx = db.transaction(['Comment', 'Post'], 'readwrite');
    const comments = tx.objectStore('Comment');
    const keys = await request(comments.index('postID').getAllKeys(postID));
    for (const k of keys) comments.delete(k);
    tx.objectStore('Post').delete(postID);
    await done(tx);
  },
};

const postRecord = (i) => {
  const t = iso();
  return { id: uuid(), title: `Post ${i}`, rating: i % 5, createdAt: t, updatedAt: t };
};
const commentRecord = (postID, i, order = i) => {
  const t = iso();
  return { id: uuid(), postID, content: `Comment ${i}: ${TEXT}`, order, createdAt: t, updatedAt: t };
};

// storePost stores the post that a workload's comments belong to; resolves
// with its id.
async function storePost(side, ctx) {
  if (side === 'product') return (await ctx.DataStore.save(new ctx.Post({ title: 'Post', rating: 1 }))).id;
  return (await plain.save(ctx.db, 'Post', postRecord(0))).id;
}

// saveComments saves N comments of one post one by one: with DataStore on
// the product side, with savePlain(db, record) on the plain side.
async function saveComments(side, name, savePlain) {
  const c = new Checks(side);
  const ctx = await open(side, name);
  const n = P.save;
  let ms;
  const postID = await storePost(side, ctx);
  if (side === 'product') {
    const { DataStore, Comment } = ctx;
    const t0 = now();
    for (let i = 0; i < n; i++) {
      await DataStore.save(new Comment({ postID, content: `Comment ${i}: ${TEXT}`, order: i }));
    }
    ms = now() - t0;
    c.eq((await DataStore.query(Comment, (x) => x.postID.eq(postID))).length, n, 'DataStore.query(Comment, postID) count');
  } else {
    const t0 = now();
    for (let i = 0; i < n; i++) await savePlain(ctx.db, commentRecord(postID, i));
    ms = now() - t0;
  }
  c.eq(await ctx.raw((db) => count(db, 'Comment', 'postID', postID)), n, 'stored comments of the post');
  c.eq(await ctx.raw((db) => count(db, 'Comment')), n, 'stored comments');
  await ctx.close();
  return { ms, ops: n, checks: c.list };
}

// ------------------------------------------------------------------ checks

class Checks {
  constructor(side) {
    this.side = side;
    this.list = [];
  }

  ok(cond, what) {
    this.list.push({ ok: !!cond, what: `${this.side}: ${what}` });
    return !!cond;
  }

  eq(got, want, what) {
    return this.ok(got === want, `${what}: got ${got}, want ${want}`);
  }
}

function idsEqual(records, ids) {
  if (records.length !== ids.length) return false;
  const want = new Set(ids);
  return records.every((r) => want.has(r.id));
}

function percentile(sorted, p) {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))];
}

// ------------------------------------------------ the product's record layout
// Records seeded into the product's database directly must look like those
// it writes itself. A probe record saved through DataStore shows which
// storage-only fields it adds beyond the model's (today: _seq, the
// insertion sequence, a number that grows with each first save). Those the
// bench knows are filled in; any other is reported in the run's notes.

let layoutProbe = null;

async function productLayout() {
  if (layoutProbe) return layoutProbe;
  const ctx = await newProduct('layout');
  const saved = await ctx.DataStore.save(new ctx.Post({ title: 'probe', rating: 1 }));
  const stored = await ctx.raw((db) => plain.get(db, 'Post', saved.id));
  await ctx.close();
  const known = new Set(['id', 'title', 'rating', 'createdAt', 'updatedAt']);
  const extra = Object.keys(stored).filter((k) => !known.has(k));
  layoutProbe = {
    seq: typeof stored._seq === 'number',
    unknown: extra.filter((k) => k !== '_seq'),
    missing: [...known].filter((k) => !(k in stored)),
  };
  return layoutProbe;
}

/** The records as the product would store them (a copy, with its hidden fields). */
async function asProductRecords(records) {
  const layout = await productLayout();
  if (!layout.seq) return records;
  // Microseconds since the epoch, increasing, as the engine's own sequence.
  const base = Date.now() * 1000;
  return records.map((r, i) => ({ ...r, _seq: base + i }));
}

/** Seeds records into a side's database in one transaction per store. */
async function seedInto(ctx, posts, comments) {
  const p = ctx.side === 'product' ? await asProductRecords([...posts, ...comments]) : [...posts, ...comments];
  await ctx.raw(async (db) => {
    if (posts.length) await putAll(db, 'Post', p.slice(0, posts.length));
    if (comments.length) await putAll(db, 'Comment', p.slice(posts.length));
  });
}

// ------------------------------------------------------------------ seeds
// Read-only workloads share one seeded database per side for the whole run,
// seeded with the same records, in one IndexedDB transaction per store
// (the product's database is written through IndexedDB directly, in its own
// layout, after DataStore.start()).

const seeds = new Map();

function seedData(kind) {
  switch (kind) {
    case 'posts': {
      const posts = Array.from({ length: P.queryAll }, (_, i) => postRecord(i));
      return { posts, comments: [] };
    }
    case 'byPost': {
      const posts = Array.from({ length: P.byPostPosts }, (_, i) => postRecord(i));
      const comments = [];
      for (const p of posts) for (let j = 0; j < P.byPostComments; j++) comments.push(commentRecord(p.id, comments.length));
      return { posts, comments };
    }
    case 'small':
    case 'big': {
      const n = kind === 'big' ? P.big : P.small;
      const nPosts = kind === 'big' ? P.bigPosts : P.smallPosts;
      const posts = Array.from({ length: nPosts }, (_, i) => postRecord(i));
      // Comment i has order i and belongs to post i mod nPosts.
      const comments = Array.from({ length: n }, (_, i) => commentRecord(posts[i % nPosts].id, i));
      return { posts, comments };
    }
  }
  throw new Error(`unknown seed ${kind}`);
}

/** The shared seeded database of one side: {ctx, posts, commentIds, ...}. */
async function seeded(kind, side) {
  let s = seeds.get(kind);
  if (!s) {
    const data = seedData(kind);
    s = {
      data,
      postIds: data.posts.map((p) => p.id),
      commentIdByOrder: data.comments.map((c) => c.id),
      perPost: data.posts.length ? data.comments.length / data.posts.length : 0,
      sides: {},
    };
    seeds.set(kind, s);
  }
  if (!s.sides[side]) {
    const t0 = now();
    const ctx = await open(side, `seed-${kind}`);
    await seedInto(ctx, s.data.posts, s.data.comments);
    s.sides[side] = { ctx, seedMs: now() - t0 };
    if (side === 'product') s.sides[side].posts = await ctx.DataStore.query(ctx.Post);
  }
  // Drop the generated records once both sides have them.
  if (s.sides.product && s.sides.plain && s.data) s.data = null;
  return { seed: s, ...s.sides[side] };
}

// ---------------------------------------------------------------- workloads
// Each returns {ms, ops, values?, checks, notes?}.

const workloads = {
  /** N posts saved one by one. */
  async 'save-posts'(side) {
    const c = new Checks(side);
    const ctx = await open(side, 'save-posts');
    const saved = [];
    const n = P.save;
    let ms;
    if (side === 'product') {
      const { DataStore, Post } = ctx;
      const t0 = now();
      for (let i = 0; i < n; i++) saved.push(await DataStore.save(new Post({ title: `Post ${i}`, rating: i % 5 })));
      ms = now() - t0;
      c.eq((await DataStore.query(Post)).length, n, 'DataStore.query(Post) count');
    } else {
      const t0 = now();
      for (let i = 0; i < n; i++) saved.push(await plain.save(ctx.db, 'Post', postRecord(i)));
      ms = now() - t0;
    }
    c.eq(await ctx.raw((db) => count(db, 'Post')), n, 'stored posts');
    c.eq(new Set(saved.map((p) => p.id)).size, n, 'distinct ids');
    await ctx.close();
    return { ms, ops: n, checks: c.list };
  },

  /** N comments of one post saved one by one. */
  'save-comments'(side) {
    return saveComments(side, 'save-comments', (db, rec) => plain.save(db, 'Comment', rec));
  },

  /**
   * The same, against plain IndexedDB doing the product's integrity rule
   * too (SPEC 3.2: a comment's post must exist, checked in the save's own
   * transaction): the same logical work, as a reference.
   */
  'save-comments-checked'(side) {
    return saveComments(side, 'save-comments-checked', plain.saveChecked);
  },

  /**
   * N comments of one post saved in one batch: DataStore.save([...])
   * against one plain transaction, R rounds (each of a new post): one batch
   * is one commit, whose time moves by a third from run to run here, so a
   * repetition sums several.
   */
  async 'save-batch'(side) {
    const c = new Checks(side);
    const ctx = await open(side, 'save-batch');
    const n = P.save;
    const rounds = P.batchRounds;
    let ms = 0;
    for (let r = 0; r < rounds; r++) {
      const postID = await storePost(side, ctx);
      if (side === 'product') {
        const { DataStore, Comment } = ctx;
        const t0 = now();
        const comments = [];
        for (let i = 0; i < n; i++) comments.push(new Comment({ postID, content: `Comment ${i}: ${TEXT}`, order: i }));
        const saved = await DataStore.save(comments);
        ms += now() - t0;
        c.eq(saved.length, n, 'DataStore.save([...]) resolves with every record');
      } else {
        const t0 = now();
        const records = [];
        for (let i = 0; i < n; i++) records.push(commentRecord(postID, i));
        await putAll(ctx.db, 'Comment', records);
        ms += now() - t0;
      }
      c.eq(await ctx.raw((db) => count(db, 'Comment', 'postID', postID)), n, 'stored comments of the post');
    }
    await ctx.close();
    return { ms, ops: n * rounds, checks: c.list };
  },

  /**
   * Promise.all of G un-awaited saves, R rounds: the product coalesces them
   * (group commit); plain IndexedDB writes one transaction per put.
   */
  async 'save-group'(side) {
    const c = new Checks(side);
    const ctx = await open(side, 'save-group');
    const g = P.group;
    const rounds = P.groupRounds;
    let ms = 0;
    let resolved = 0;
    let messages = 0;
    if (side === 'product') {
      const { DataStore, Post } = ctx;
      const sub = DataStore.observe(Post).subscribe(() => { messages += 1; });
      for (let r = 0; r < rounds; r++) {
        const t0 = now();
        const saved = await Promise.all(Array.from({ length: g }, (_, i) => DataStore.save(new Post({ title: `Post ${r}.${i}`, rating: i % 5 }))));
        ms += now() - t0;
        resolved += saved.filter((p) => p instanceof Post).length;
      }
      await new Promise((resolve) => setTimeout(resolve, 0));
      sub.unsubscribe();
      c.eq(messages, g * rounds, 'one observe message per save');
    } else {
      for (let r = 0; r < rounds; r++) {
        const records = Array.from({ length: g }, (_, i) => postRecord(i));
        const t0 = now();
        const saved = await Promise.all(records.map((rec) => plain.save(ctx.db, 'Post', rec)));
        ms += now() - t0;
        resolved += saved.length;
      }
    }
    c.eq(resolved, g * rounds, 'every save resolved');
    c.eq(await ctx.raw((db) => count(db, 'Post')), g * rounds, 'stored posts');
    await ctx.close();
    return { ms, ops: g * rounds, checks: c.list };
  },

  /** Query all N posts, several rounds. */
  async 'query-all'(side) {
    const c = new Checks(side);
    const { seed, ctx } = await seeded('posts', side);
    const rounds = P.queryAllRounds;
    // Each round's answer is kept until the next one's arrives (the
    // rounds' lengths are checked), not all of them: a run of 30 would
    // otherwise hold 30,000 records for the collector to trace.
    const lengths = [];
    let last = null;
    const t0 = now();
    if (side === 'product') {
      for (let i = 0; i < rounds; i++) lengths.push((last = await ctx.DataStore.query(ctx.Post)).length);
    } else {
      for (let i = 0; i < rounds; i++) lengths.push((last = await plain.all(ctx.db, 'Post')).length);
    }
    const ms = now() - t0;
    c.ok(lengths.every((n) => n === seed.postIds.length), `every query returned ${seed.postIds.length} posts`);
    c.ok(idsEqual(last, seed.postIds), 'the posts are the seeded ones');
    return { ms, ops: rounds, checks: c.list };
  },

  /** Comments of post X by predicate, for every post once. */
  async 'by-post-predicate'(side) {
    const c = new Checks(side);
    const { seed, ctx } = await seeded('byPost', side);
    const ids = shuffled(seed.postIds, 7);
    const results = [];
    const t0 = now();
    if (side === 'product') {
      const { DataStore, Comment } = ctx;
      for (const id of ids) results.push(await DataStore.query(Comment, (x) => x.postID.eq(id)));
    } else {
      for (const id of ids) results.push(await plain.byIndex(ctx.db, 'Comment', 'postID', id));
    }
    const ms = now() - t0;
    c.ok(results.every((r, i) => r.length === seed.perPost && r.every((x) => x.postID === ids[i])),
      `every query returned the ${seed.perPost} comments of its post`);
    const notes = side === 'product' ? { explain: await ctx.DataStore.explain(ctx.Comment, (x) => x.postID.eq(ids[0])) } : undefined;
    return { ms, ops: ids.length, checks: c.list, notes };
  },

  /** Comments of post X through post.comments.toArray(), for every post once. */
  async 'by-post-lazy'(side) {
    const c = new Checks(side);
    const { seed, ctx, posts } = await seeded('byPost', side);
    const ids = shuffled(seed.postIds, 7);
    const results = [];
    let ms;
    if (side === 'product') {
      const byId = new Map(posts.map((p) => [p.id, p]));
      const ordered = ids.map((id) => byId.get(id));
      const t0 = now();
      for (const post of ordered) results.push(await post.comments.toArray());
      ms = now() - t0;
    } else {
      const t0 = now();
      for (const id of ids) results.push(await plain.byIndex(ctx.db, 'Comment', 'postID', id));
      ms = now() - t0;
    }
    c.ok(results.every((r, i) => r.length === seed.perPost && r.every((x) => x.postID === ids[i])),
      `every toArray returned the ${seed.perPost} comments of its post`);
    return { ms, ops: ids.length, checks: c.list };
  },

  /** A post and its comments, read eagerly in one transaction (include), against plain IndexedDB reading both in one transaction. */
  async include(side) {
    const c = new Checks(side);
    const { seed, ctx } = await seeded('byPost', side);
    const ids = shuffled(seed.postIds, 13);
    const results = [];
    const t0 = now();
    if (side === 'product') {
      const { DataStore, Post } = ctx;
      for (const id of ids) {
        const post = await DataStore.query(Post, id, { include: (p) => [p.comments] });
        results.push([post, await post.comments.toArray()]);
      }
    } else {
      for (const id of ids) {
        const tx = ctx.db.transaction(['Post', 'Comment'], 'readonly');
        const post = request(tx.objectStore('Post').get(id));
        const comments = request(tx.objectStore('Comment').index('postID').getAll(id));
        results.push([await post, await comments]);
      }
    }
    const ms = now() - t0;
    c.ok(results.every(([post, cs], i) => post.id === ids[i] && cs.length === seed.perPost && cs.every((x) => x.postID === ids[i])),
      `every read returned its post and its ${seed.perPost} comments`);
    return { ms, ops: ids.length, checks: c.list };
  },

  /** N lookups by id. */
  async 'get-by-id'(side) {
    const c = new Checks(side);
    const { seed, ctx } = await seeded('posts', side);
    const ids = shuffled(seed.postIds, 11).slice(0, P.byId);
    const results = [];
    const t0 = now();
    if (side === 'product') {
      const { DataStore, Post } = ctx;
      for (const id of ids) results.push(await DataStore.query(Post, id));
    } else {
      for (const id of ids) results.push(await plain.get(ctx.db, 'Post', id));
    }
    const ms = now() - t0;
    c.ok(results.every((r, i) => r && r.id === ids[i]), `all ${ids.length} lookups found their post`);
    return { ms, ops: ids.length, checks: c.list };
  },

  /**
   * Deleting a post with N comments (cascade), beside a post that must
   * survive, R rounds: R posts with N comments each are seeded, then
   * deleted one after the other (one commit each, summed as save-batch's).
   */
  async cascade(side) {
    const c = new Checks(side);
    const ctx = await open(side, 'cascade');
    const rounds = P.cascadeRounds;
    const targets = Array.from({ length: rounds }, (_, r) => postRecord(r));
    const other = postRecord(rounds);
    const comments = targets.flatMap((t, r) => Array.from({ length: P.cascade }, (_, i) => commentRecord(t.id, r * P.cascade + i)));
    const keep = Array.from({ length: 10 }, (_, i) => commentRecord(other.id, rounds * P.cascade + i));
    await seedInto(ctx, [...targets, other], [...comments, ...keep]);
    let ms = 0;
    for (const target of targets) {
      if (side === 'product') {
        const { DataStore, Post, Comment } = ctx;
        const post = await DataStore.query(Post, target.id);
        c.ok(post && post.id === target.id, 'the post to delete is there');
        const t0 = now();
        await DataStore.delete(post);
        ms += now() - t0;
        c.eq(await DataStore.query(Post, target.id), undefined, 'DataStore.query(Post, deleted id)');
        c.eq((await DataStore.query(Comment, (x) => x.postID.eq(target.id))).length, 0, 'DataStore.query: comments of the deleted post');
      } else {
        const t0 = now();
        await plain.cascade(ctx.db, target.id);
        ms += now() - t0;
      }
      c.eq(await ctx.raw((db) => count(db, 'Comment', 'postID', target.id)), 0, 'stored comments of the deleted post');
    }
    c.eq(await ctx.raw((db) => count(db, 'Post')), 1, 'stored posts (the other survives)');
    c.eq(await ctx.raw((db) => count(db, 'Comment')), keep.length, 'stored comments (the other post\'s survive)');
    await ctx.close();
    return { ms, ops: rounds, checks: c.list };
  },

  /**
   * Observe latency: from the save call to the change message, over N
   * saves. Plain: a listener called on transaction complete.
   */
  async observe(side) {
    const c = new Checks(side);
    const ctx = await open(side, 'observe');
    const n = P.observe;
    const latencies = [];
    const messages = [];
    let arrived = null; // resolves the wait for the current message
    const onMessage = (msg) => {
      const t = now();
      messages.push(msg);
      if (arrived) arrived(t);
    };
    let ms;
    let unsubscribe;
    let saveOne;
    if (side === 'product') {
      const { DataStore, Post } = ctx;
      const sub = DataStore.observe(Post).subscribe(onMessage);
      unsubscribe = () => sub.unsubscribe();
      saveOne = (i) => DataStore.save(new Post({ title: `Post ${i}`, rating: i % 5 }));
    } else {
      const listeners = new Set([onMessage]);
      unsubscribe = () => listeners.clear();
      saveOne = (i) => {
        const rec = postRecord(i);
        const tx = ctx.db.transaction('Post', 'readwrite');
        tx.objectStore('Post').put(rec);
        return new Promise((resolve, reject) => {
          tx.oncomplete = () => {
            const msg = { model: 'Post', opType: 'INSERT', element: rec };
            for (const l of listeners) l(msg);
            resolve(rec);
          };
          tx.onabort = () => reject(tx.error || new Error('transaction aborted'));
        });
      };
    }
    const saved = [];
    const t0 = now();
    for (let i = 0; i < n; i++) {
      const got = new Promise((resolve) => { arrived = resolve; });
      const start = now();
      const rec = await saveOne(i);
      const at = await got;
      latencies.push(at - start);
      saved.push(rec);
    }
    ms = now() - t0;
    arrived = null;
    unsubscribe();
    latencies.sort((a, b) => a - b);
    c.eq(messages.length, n, 'messages');
    c.ok(messages.every((m, i) => m.opType === 'INSERT' && m.element.id === saved[i].id), 'one INSERT message per save, in order');
    c.eq(await ctx.raw((db) => count(db, 'Post')), n, 'stored posts');
    await ctx.close();
    return { ms, ops: n, values: { p50: percentile(latencies, 0.5), p95: percentile(latencies, 0.95) }, checks: c.list };
  },

  /** An indexed range query on Comment.order returning W of the big seed. */
  async range(side) {
    const c = new Checks(side);
    const { seed, ctx } = await seeded('big', side);
    const n = seed.commentIdByOrder.length;
    const r = rng(13);
    const los = Array.from({ length: P.rangeQueries }, () => Math.floor(r() * (n - P.window)));
    const results = [];
    const t0 = now();
    if (side === 'product') {
      const { DataStore, Comment } = ctx;
      for (const lo of los) results.push(await DataStore.query(Comment, (x) => x.order.between(lo, lo + P.window - 1)));
    } else {
      for (const lo of los) results.push(await plain.byIndex(ctx.db, 'Comment', 'order', IDBKeyRange.bound(lo, lo + P.window - 1)));
    }
    const ms = now() - t0;
    c.ok(results.every((res, i) => idsEqual(res, seed.commentIdByOrder.slice(los[i], los[i] + P.window))),
      `every range query returned exactly the ${P.window} comments of its range`);
    const notes = side === 'product'
      ? { explain: await ctx.DataStore.explain(ctx.Comment, (x) => x.order.between(los[0], los[0] + P.window - 1)) }
      : undefined;
    return { ms, ops: los.length, checks: c.list, notes };
  },

  /** Comments of one post with the small seed stored. */
  'one-post-small': (side) => onePost('small', side),
  /** Comments of one post with the big seed stored. */
  'one-post-big': (side) => onePost('big', side),
};

async function onePost(kind, side) {
  const c = new Checks(side);
  const { seed, ctx } = await seeded(kind, side);
  const ids = shuffled(seed.postIds, 17).slice(0, P.scaleQueries);
  const results = [];
  const t0 = now();
  if (side === 'product') {
    const { DataStore, Comment } = ctx;
    for (const id of ids) results.push(await DataStore.query(Comment, (x) => x.postID.eq(id)));
  } else {
    for (const id of ids) results.push(await plain.byIndex(ctx.db, 'Comment', 'postID', id));
  }
  const ms = now() - t0;
  c.ok(results.every((r, i) => r.length === seed.perPost && r.every((x) => x.postID === ids[i])),
    `every query returned the ${seed.perPost} comments of its post (${seed.commentIdByOrder.length} stored)`);
  return { ms, ops: ids.length, checks: c.list };
}

// A short untimed pass over both sides' common paths (JIT, wasm tier-up).
async function warmup() {
  for (const side of ['product', 'plain']) {
    const ctx = await open(side, 'warmup');
    if (side === 'product') {
      const { DataStore, Post, Comment } = ctx;
      for (let i = 0; i < 30; i++) {
        const p = await DataStore.save(new Post({ title: `Post ${i}`, rating: 1 }));
        await DataStore.save(new Comment({ postID: p.id, content: TEXT, order: i }));
        await DataStore.query(Post, p.id);
        await DataStore.query(Comment, (x) => x.postID.eq(p.id));
        await p.comments.toArray();
      }
      for (const p of await DataStore.query(Post)) await DataStore.delete(p);
    } else {
      for (let i = 0; i < 30; i++) {
        const p = await plain.save(ctx.db, 'Post', postRecord(i));
        await plain.save(ctx.db, 'Comment', commentRecord(p.id, i));
        await plain.get(ctx.db, 'Post', p.id);
        await plain.byIndex(ctx.db, 'Comment', 'postID', p.id);
      }
      for (const p of await plain.all(ctx.db, 'Post')) await plain.cascade(ctx.db, p.id);
    }
    await ctx.close();
  }
}

// ---------------------------------------------------------------- the API

export const api = {
  names: Object.keys(workloads),

  configure(params) {
    P = { ...P, ...params };
    return P;
  },

  warmup,

  /** Runs one workload on one side; never throws (an error is a failed check). */
  async run(name, side) {
    const fn = workloads[name];
    if (!fn) return { error: `unknown workload ${name}`, checks: [{ ok: false, what: `unknown workload ${name}` }] };
    try {
      return await fn(side);
    } catch (err) {
      const message = (err && (err.stack || err.message)) || String(err);
      return { error: message, checks: [{ ok: false, what: `${side}: ${name} threw: ${(err && err.message) || err}` }] };
    }
  },

  /** What the bench found out about the product's stored records. */
  productLayout,

  /** How long the shared seeds took to write (ms), by seed and side. */
  seedTimes() {
    const out = {};
    for (const [kind, s] of seeds) out[kind] = Object.fromEntries(Object.entries(s.sides).map(([k, v]) => [k, v.seedMs]));
    return out;
  },

  /** Deletes every database the shared seeds made. */
  async cleanup() {
    for (const s of seeds.values()) {
      for (const { ctx } of Object.values(s.sides)) await ctx.close();
    }
    seeds.clear();
  },
};
