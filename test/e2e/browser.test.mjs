// datastore-wasm in headless Chromium over real IndexedDB: the shared flow
// (flow.mjs) in a page, two tabs on one database, and atomic deletes under
// injected faults. The demo app (web/) has its own test: demo.test.mjs.
//
// One static server on 127.0.0.1 (random port) serves the demo at /, the
// built package (dist/) at /dist/ and this directory at /test/. Each
// describe block uses its own browser context, so their IndexedDB storage
// is separate.
import assert from 'node:assert/strict';
import { readFile, stat } from 'node:fs/promises';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { chromium } from 'playwright-core';
import { scenarios } from './flow.mjs';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const CHROMIUM = '/usr/bin/chromium';
const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const TIMEOUT = 20_000; // Playwright's waits; a test's own limit is above it

// URL prefix → directory; the longest prefix that matches wins.
const MOUNTS = [
  ['/dist/', path.join(ROOT, 'dist')],
  ['/test/', path.join(ROOT, 'test/e2e')],
  ['/', path.join(ROOT, 'web')],
];

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
  '.ts': 'text/plain; charset=utf-8',
};

async function serveFile(req, res) {
  const { pathname } = new URL(req.url, 'http://localhost');
  const [prefix, dir] = MOUNTS.find(([p]) => pathname.startsWith(p)) || [];
  if (!dir || (req.method !== 'GET' && req.method !== 'HEAD')) {
    res.writeHead(dir ? 405 : 404).end();
    return;
  }
  let file = path.join(dir, decodeURIComponent(pathname.slice(prefix.length)));
  if (file !== dir && !file.startsWith(dir + path.sep)) {
    res.writeHead(403).end();
    return;
  }
  try {
    if ((await stat(file)).isDirectory()) file = path.join(file, 'index.html');
    const body = await readFile(file);
    res.writeHead(200, {
      'Content-Type': TYPES[path.extname(file)] || 'application/octet-stream',
      'Content-Length': body.length,
      'Cache-Control': 'no-store',
    });
    res.end(req.method === 'HEAD' ? undefined : body);
  } catch (err) {
    res.writeHead(err.code === 'ENOENT' || err.code === 'EISDIR' ? 404 : 500).end(String(err.code || err));
  }
}

function startServer() {
  return new Promise((resolve, reject) => {
    const server = http.createServer((req, res) => {
      serveFile(req, res).catch((err) => res.writeHead(500).end(String(err)));
    });
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve(server));
  });
}

let server;
let origin;
let browser;

before(async () => {
  server = await startServer();
  origin = `http://127.0.0.1:${server.address().port}`;
  browser = await chromium.launch({ executablePath: CHROMIUM, args: FLAGS });
});

after(async () => {
  await browser?.close();
  if (server) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

/** A new page in context that records uncaught errors and console errors. */
async function newPage(context) {
  const page = await context.newPage();
  page.setDefaultTimeout(TIMEOUT);
  page.errors = [];
  page.on('pageerror', (err) => page.errors.push(`pageerror: ${err.stack || err.message}`));
  page.on('console', (msg) => {
    if (msg.type() === 'error') page.errors.push(`console.error: ${msg.text()}`);
  });
  return page;
}

/** Opens the e2e page (page.html) and waits for its module script to load the package. */
async function openTestPage(page) {
  await page.goto(`${origin}/test/page.html`);
  await page.waitForFunction(() => document.body.dataset.ready === 'true' && !!window.e2e);
}

const errorsOf = (page) => (page.errors.length ? `\npage errors:\n${page.errors.join('\n')}` : '');

describe('the flow in Chromium (IndexedDB)', () => {
  let context;
  let page;

  before(async () => {
    context = await browser.newContext();
    page = await newPage(context);
    await openTestPage(page);
  });

  after(() => context?.close());

  for (const s of scenarios) {
    it(s.name, { todo: s.knownBug || undefined, timeout: 60_000 }, async () => {
      const [result] = await page.evaluate(
        (name) => window.e2e.runFlow(window.e2e.lib, { only: [name] }),
        s.name,
      );
      assert.ok(result.ok, `${result.message}\n${result.stack}${errorsOf(page)}`);
    });
  }

  it('had no uncaught errors in the page', () => {
    assert.deepEqual(page.errors, []);
  });
});

describe('two tabs on one database', () => {
  let context;
  let tabA;
  let tabB;

  before(async () => {
    context = await browser.newContext();
    tabA = await newPage(context);
    tabB = await newPage(context);
    await Promise.all([openTestPage(tabA), openTestPage(tabB)]);
    // The same schema and database name in both tabs.
    for (const tab of [tabA, tabB]) {
      await tab.evaluate(() => {
        const { lib, BLOG_SDL } = window.e2e;
        window.tab = lib.createDataStore({ schema: BLOG_SDL, databaseName: 'e2e-two-tabs' });
      });
    }
  });

  after(() => context?.close());

  it('a save in one tab is seen by the other, and so is a delete', { timeout: 60_000 }, async () => {
    const saved = await tabA.evaluate(async () => {
      const { DataStore, models: { Post, Comment, PostStatus } } = window.tab;
      const post = await DataStore.save(new Post({ title: 'From tab A', rating: 4, status: PostStatus.ACTIVE }));
      const comment = await DataStore.save(new Comment({ content: 'Comment from A', post }));
      return { postId: post.id, commentId: comment.id };
    });

    const seenByB = await tabB.evaluate(async ({ postId }) => {
      const { DataStore, models: { Post } } = window.tab;
      const post = await DataStore.query(Post, postId);
      if (!post) return null;
      const comments = await post.comments.toArray();
      return { title: post.title, rating: post.rating, comments: comments.map((c) => c.id) };
    }, saved);
    assert.deepEqual(seenByB, { title: 'From tab A', rating: 4, comments: [saved.commentId] }, `tab B sees tab A's post${errorsOf(tabB)}`);

    const deletedByB = await tabB.evaluate(async ({ postId }) => {
      const { DataStore, models: { Post } } = window.tab;
      const deleted = await DataStore.delete(await DataStore.query(Post, postId));
      return deleted.id;
    }, saved);
    assert.equal(deletedByB, saved.postId);

    const seenByA = await tabA.evaluate(async ({ postId }) => {
      const { DataStore, models: { Post, Comment } } = window.tab;
      return {
        byId: (await DataStore.query(Post, postId)) ?? null,
        posts: (await DataStore.query(Post)).length,
        comments: (await DataStore.query(Comment)).length,
      };
    }, saved);
    assert.deepEqual(seenByA, { byId: null, posts: 0, comments: 0 }, `tab A no longer sees the post nor its comment${errorsOf(tabA)}`);

    assert.deepEqual([...tabA.errors, ...tabB.errors], []);
  });

  // The tab holding the database's lock saves comments without reading
  // their post again (store/presence.go); a delete in the other tab takes
  // the lock first, so the first tab's next comment of that post reads
  // again and is refused. Run both ways: whichever tab holds the lock,
  // one round hands it over.
  it('a comment of a post the other tab deleted is refused, though this tab knew the post', { timeout: 60_000 }, async () => {
    for (const [writer, deleter] of [[tabA, tabB], [tabB, tabA]]) {
      const postId = await writer.evaluate(async () => {
        const { DataStore, models: { Post, Comment, PostStatus } } = window.tab;
        const post = await DataStore.save(new Post({ title: 'Known post', rating: 1, status: PostStatus.ACTIVE }));
        for (let i = 0; i < 3; i++) await DataStore.save(new Comment({ content: `known ${i}`, post }));
        window.knownPost = post;
        return post.id;
      });
      await deleter.evaluate(async (id) => {
        const { DataStore, models: { Post } } = window.tab;
        await DataStore.delete(await DataStore.query(Post, id));
      }, postId);
      const after = await writer.evaluate(async () => {
        const { DataStore, models: { Comment } } = window.tab;
        let error = null;
        try {
          await DataStore.save(new Comment({ content: 'too late', post: window.knownPost }));
        } catch (err) {
          error = String(err.message).slice(0, 21);
        }
        return { error, comments: (await DataStore.query(Comment)).length };
      });
      assert.deepEqual(after, { error: 'Data integrity error.', comments: 0 }, `the comment is refused and none is left${errorsOf(writer)}`);
    }
    assert.deepEqual([...tabA.errors, ...tabB.errors], []);
  });

  // Both tabs at once: one saves posts and comments of them as fast as it
  // can, the other deletes every post it finds, each delete taking the
  // lock from the first. Whatever interleaving happens, no comment is left
  // whose post is gone, and neither tab waits forever.
  it('comments saved in one tab while the other deletes their posts leave no orphan', { timeout: 60_000 }, async () => {
    // The writer starts with the lock: a delete of its own takes it.
    await tabA.evaluate(async () => {
      const { DataStore, models: { Post, PostStatus } } = window.tab;
      await DataStore.delete(await DataStore.save(new Post({ title: 'take the lock', rating: 1, status: PostStatus.ACTIVE })));
    });
    const writing = tabA.evaluate(async () => {
      const { DataStore, models: { Post, Comment, PostStatus } } = window.tab;
      let saved = 0;
      let refused = 0;
      for (let i = 0; i < 40; i++) {
        const post = await DataStore.save(new Post({ title: `race ${i}`, rating: 1, status: PostStatus.ACTIVE }));
        for (let j = 0; j < 5; j++) {
          try {
            await DataStore.save(new Comment({ content: `race ${i}.${j}`, post }));
            saved++;
          } catch (err) {
            if (!String(err.message).startsWith('Data integrity error.')) throw err;
            refused++;
          }
        }
      }
      return { saved, refused };
    });
    const deleting = tabB.evaluate(async () => {
      const { DataStore, models: { Post } } = window.tab;
      // Until it has deleted 25 of the writer's 40 posts, each as soon as
      // it sees it (bounded, should the writer end first).
      let deleted = 0;
      for (let round = 0; deleted < 25 && round < 20_000; round++) {
        for (const p of await DataStore.query(Post)) {
          await DataStore.delete(p);
          deleted++;
        }
      }
      return deleted;
    });
    const [wrote, deleted] = await Promise.all([writing, deleting]);
    const left = await tabA.evaluate(async () => {
      const { DataStore, models: { Post, Comment } } = window.tab;
      const posts = new Set((await DataStore.query(Post)).map((p) => p.id));
      const comments = await DataStore.query(Comment);
      const orphans = comments.filter((c) => !posts.has(c.postCommentsId)).length;
      for (const p of await DataStore.query(Post)) await DataStore.delete(p);
      return { orphans, comments: comments.length };
    });
    assert.equal(left.orphans, 0, `no comment outlives its post (${JSON.stringify({ wrote, deleted, left })})${errorsOf(tabA)}${errorsOf(tabB)}`);
    assert.equal(wrote.saved + wrote.refused, 200);
    assert.deepEqual([...tabA.errors, ...tabB.errors], []);
  });

  // observe and observeQuery in one tab see the other tab's writes
  // (BroadcastChannel), and clear() in one tab neither hangs nor breaks the
  // other: it is told, and its next call finds an empty database.
  it('observe and observeQuery across tabs, and clear() in one tab', { timeout: 60_000 }, async () => {
    const dbName = 'e2e-cross-tab';
    for (const tab of [tabA, tabB]) {
      await tab.evaluate((name) => {
        const { lib, BLOG_SDL } = window.e2e;
        window.x = lib.createDataStore({ schema: BLOG_SDL, databaseName: name });
        window.x.log = [];
        window.x.snaps = [];
        window.x.events = [];
        window.x.DataStore.events.subscribe((e) => window.x.events.push(e.type));
        return window.x.DataStore.start();
      }, dbName);
    }
    await tabA.evaluate(() => {
      const { DataStore, models: { Post } } = window.x;
      DataStore.observe(Post).subscribe((m) => window.x.log.push(`${m.opType} ${m.element.title} ${m.element instanceof Post}`));
      DataStore.observeQuery(Post, (p) => p.rating.ge(3), { interval: 10 }).subscribe((s) => window.x.snaps.push(s.items.map((p) => p.title)));
    });
    await tabB.evaluate(async () => {
      const { DataStore, models: { Post, PostStatus } } = window.x;
      const low = await DataStore.save(new Post({ title: 'low', rating: 1, status: PostStatus.ACTIVE }));
      const high = await DataStore.save(new Post({ title: 'high', rating: 5, status: PostStatus.ACTIVE }));
      await DataStore.save(Post.copyOf(low, (d) => { d.rating = 4; }));
      await DataStore.delete(high);
    });
    await tabA.waitForFunction(() => window.x.log.length >= 4, null, { timeout: TIMEOUT });
    assert.deepEqual(await tabA.evaluate(() => window.x.log), ['INSERT low true', 'INSERT high true', 'UPDATE low true', 'DELETE high true'], `tab A observes tab B's writes${errorsOf(tabA)}`);
    await tabA.waitForFunction(() => JSON.stringify(window.x.snaps.at(-1)) === '["low"]', null, { timeout: TIMEOUT });

    await tabB.evaluate(() => window.x.DataStore.clear());
    await tabA.waitForFunction(() => window.x.events.includes('closedByOtherTab'), null, { timeout: TIMEOUT });
    const afterClear = await tabA.evaluate(async () => {
      const { DataStore, models: { Post, PostStatus } } = window.x;
      const before = (await DataStore.query(Post)).length;
      await DataStore.save(new Post({ title: 'again', rating: 3, status: PostStatus.ACTIVE }));
      return { before, after: (await DataStore.query(Post)).map((p) => p.title) };
    });
    assert.deepEqual(afterClear, { before: 0, after: ['again'] }, `tab A works on after tab B's clear()${errorsOf(tabA)}`);
    await tabA.evaluate(() => window.x.DataStore.clear());
  });

  // Tab B opens the database with a newer schema (one more model). Tab A,
  // holding the old schema, is closed by the upgrade; its next call
  // reconnects without undoing B's schema, and B's records stay.
  it('a newer schema in one tab does not break the other, nor get undone by it', { timeout: 60_000 }, async () => {
    const dbName = 'e2e-schema-upgrade';
    const before = await tabA.evaluate(async (name) => {
      const { lib, BLOG_SDL } = window.e2e;
      window.older = lib.createDataStore({ schema: BLOG_SDL, databaseName: name });
      const { DataStore, models: { Post, PostStatus } } = window.older;
      const post = await DataStore.save(new Post({ title: 'Old tab', rating: 1, status: PostStatus.ACTIVE }));
      return post.id;
    }, dbName);
    const newer = await tabB.evaluate(async (name) => {
      const { lib, BLOG_SDL } = window.e2e;
      window.newer = lib.createDataStore({ schema: BLOG_SDL + ' type Tag @model { id: ID! label: String! }', databaseName: name });
      const { DataStore, models: { Tag, Post } } = window.newer;
      await DataStore.save(new Tag({ label: 'kept' }));
      return { posts: (await DataStore.query(Post)).length };
    }, dbName);
    assert.deepEqual(newer, { posts: 1 }, `the upgrade kept the old tab's post${errorsOf(tabB)}`);
    const older = await tabA.evaluate(async (id) => {
      const { DataStore, models: { Post } } = window.older;
      const post = await DataStore.query(Post, id);
      return post ? post.title : null;
    }, before);
    assert.equal(older, 'Old tab', `the old tab keeps working after the upgrade${errorsOf(tabA)}`);
    const tags = await tabB.evaluate(async () => {
      const { DataStore, models: { Tag } } = window.newer;
      return (await DataStore.query(Tag)).map((t) => t.label);
    });
    assert.deepEqual(tags, ['kept'], `the old tab did not undo the new schema${errorsOf(tabB)}`);
  });
});

// A delete is all or nothing: aborted at any of its requests, a cascade over
// 1,000 children leaves every record in place and sends no message.
describe('atomic deletes under injected faults', () => {
  let context;
  let page;
  before(async () => {
    context = await browser.newContext();
    page = await newPage(context);
    await openTestPage(page);
  });
  after(() => context?.close());

  it('100 aborted cascades over 1,000 children: zero partial deletes', { timeout: 120_000 }, async () => {
    const result = await page.evaluate(async () => {
      const { lib, BLOG_SDL } = window.e2e;
      const { DataStore, models: { Post, Comment, PostStatus } } = lib.createDataStore({ schema: BLOG_SDL, databaseName: 'e2e-faults', outbox: true });
      await DataStore.start();
      const { exec } = globalThis.__datastoreWasm.debugStorage(await DataStore._handle).value;
      const post = await DataStore.save(new Post({ title: 'root', rating: 1, status: PostStatus.ACTIVE }));
      await DataStore.save(Array.from({ length: 1000 }, (_, i) => new Comment({ content: `c${i}`, post })));
      const outboxBefore = (await DataStore.outbox.read()).length;
      let messages = 0;
      DataStore.observe().subscribe(() => { messages += 1; });
      // How many requests a cascade makes: count one, on a twin graph.
      const twin = await DataStore.save(new Post({ title: 'twin', rating: 1, status: PostStatus.ACTIVE }));
      await DataStore.save(Array.from({ length: 1000 }, (_, i) => new Comment({ content: `t${i}`, post: twin })));
      exec.faults.count = true;
      await DataStore.delete(twin);
      exec.faults.count = false;
      const requests = exec.faults.requests;
      messages = 0;
      const outboxAtStart = (await DataStore.outbox.read()).length;
      const failures = [];
      for (let run = 0; run < 100; run++) {
        exec.faults.abortAt = 1 + Math.floor(Math.random() * requests);
        const at = exec.faults.abortAt;
        const rejected = await DataStore.delete(post).then(() => false, () => true);
        const comments = (await DataStore.query(Comment, (c) => c.postCommentsId.eq(post.id))).length;
        const posts = (await DataStore.query(Post, post.id)) ? 1 : 0;
        if (!rejected || comments !== 1000 || posts !== 1) failures.push({ run, at, rejected, comments, posts });
      }
      const outboxAfter = (await DataStore.outbox.read()).length;
      const messagesDuringFaults = messages;
      await DataStore.delete(post);
      const left = (await DataStore.query(Comment)).length + (await DataStore.query(Post)).length;
      await DataStore.clear();
      return { requests, failures, messages: messagesDuringFaults, outboxAdded: outboxAfter - outboxAtStart, outboxBefore, left };
    });
    assert.ok(result.requests > 1000, `a cascade over 1,000 children makes ${result.requests} requests`);
    assert.deepEqual(result.failures, [], 'every aborted delete left the post and its 1,000 comments');
    assert.equal(result.messages, 0, 'aborted deletes send no message');
    assert.equal(result.outboxAdded, 0, 'aborted deletes add nothing to the outbox');
    assert.equal(result.left, 0, 'the delete without a fault removes everything');
  });
});
