// Sync durability (issue 13, item 9): 500 mutations queued offline in one
// datastore-wasm page, then the drain interrupted, by stopping the
// datastore-server process (and starting it again on the same SQLite
// file and port), or by reloading the page (the mutation log is in
// IndexedDB). Afterwards every mutation must have reached the server
// exactly once and the local store must agree with it.
//
// Each of the 500 mutations is of a record of its own, so none is merged
// into another in the outbox and each leaves its own mark on the server:
// a create gives _version 1, an update _version 2 with its title, a delete
// a tombstone at _version 2. A mutation sent twice shows: an update as
// _version 3 (AUTOMERGE takes a stale update and bumps the version), a
// create as a ConditionalCheckFailed reported to errorHandler.
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ROOT, SyncServer, launchChromium, serverBinary } from './amplify/harness.mjs';
import { WAIT, openWasmDevice, serveWasmSite, serverRecords, until } from './sync-harness.mjs';

const SCHEMA_FILE = path.join(ROOT, 'cmd/datastore-server/demo.graphql');
const POST_FIELDS = ['id', 'title', 'rating', 'status'];
const SEEDED = 300; // posts on the server before the page opens
const CREATES = 200; // new posts
const UPDATES = 200; // seeded posts 0..199 retitled
const DELETES = 100; // seeded posts 200..299 deleted
const DRAIN_WAIT = 120_000;

let tmp;
let bin;
let site;
let browser;
let sdl;

before(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'sync-durability-'));
  ({ bin } = await serverBinary(tmp));
  site = await serveWasmSite();
  browser = await launchChromium();
  sdl = await readFile(SCHEMA_FILE, 'utf8');
});

after(async () => {
  await browser?.close();
  await site?.close();
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

/** A server of its own on a fresh SQLite file, with SEEDED posts created through its API. */
async function seededServer(slug) {
  const dir = await mkdtemp(path.join(tmp, `${slug}-`));
  const server = new SyncServer({ bin, dir, db: path.join(dir, 'datastore.db'), schema: SCHEMA_FILE });
  await server.start();
  const ids = [];
  for (let i = 0; i < SEEDED; i += 25) {
    const batch = Array.from({ length: Math.min(25, SEEDED - i) }, (_, j) => i + j);
    const made = await Promise.all(batch.map((n) => server.graphql(
      'mutation ($input: CreatePostInput!) { createPost(input: $input) { id _version } }',
      { input: { title: `seed ${n}`, rating: n, status: 'ACTIVE' } },
    )));
    for (const res of made) {
      assert.ok(res.data?.createPost?.id, `seeding: ${JSON.stringify(res)}`);
      ids.push(res.data.createPost.id);
    }
  }
  return { server, ids };
}

/**
 * Goes offline, makes the 500 mutations in a shuffled order (each its own
 * save or delete, so each its own mutation-log entry), checks the log holds
 * them all, and goes online again. Resolves with the expected outcome per
 * post id: { title, version, deleted }.
 */
async function queueOffline(dev, seeded) {
  await dev.context.setOffline(true);
  const plan = [];
  for (let i = 0; i < CREATES; i++) plan.push({ op: 'create', title: `created ${i}` });
  for (let i = 0; i < UPDATES; i++) plan.push({ op: 'update', id: seeded[i], title: `updated ${i}` });
  for (let i = 0; i < DELETES; i++) plan.push({ op: 'delete', id: seeded[UPDATES + i] });
  // A fixed shuffle (a linear congruential generator): creates, updates and deletes interleaved.
  let s = 12345;
  for (let i = plan.length - 1; i > 0; i--) {
    s = (s * 1103515245 + 12345) % 2147483648;
    const j = s % (i + 1);
    [plan[i], plan[j]] = [plan[j], plan[i]];
  }
  const done = await dev.run(async (plan) => {
    const { DataStore, models: { Post } } = window.dev;
    const out = [];
    for (const step of plan) {
      if (step.op === 'create') {
        const p = await DataStore.save(new Post({ title: step.title, rating: 1, status: 'ACTIVE' }));
        out.push({ ...step, id: p.id });
      } else if (step.op === 'update') {
        const p = await DataStore.query(Post, step.id);
        await DataStore.save(Post.copyOf(p, (d) => { d.title = step.title; }));
        out.push(step);
      } else {
        await DataStore.delete(await DataStore.query(Post, step.id));
        out.push(step);
      }
    }
    return { out, logged: (await DataStore.outbox.read()).length };
  }, plan);
  assert.equal(done.logged, plan.length, 'every offline mutation is in the mutation log');
  await dev.context.setOffline(false);
  const expected = new Map(seeded.map((id, n) => [id, { title: `seed ${n}`, version: 1, deleted: false }]));
  for (const step of done.out) {
    if (step.op === 'create') expected.set(step.id, { title: step.title, version: 1, deleted: false });
    if (step.op === 'update') expected.set(step.id, { title: step.title, version: 2, deleted: false });
    if (step.op === 'delete') expected.set(step.id, { ...expected.get(step.id), version: 2, deleted: true });
  }
  return expected;
}

/** Checks the server's posts and the device's against expected (id → { title, version, deleted }). */
async function assertArrivedOnce(server, dev, expected) {
  const rows = await serverRecords(server, 'Post', 'Posts', POST_FIELDS);
  assert.equal(rows.length, expected.size, `the server holds ${rows.length} posts, expected ${expected.size}`);
  assert.equal(new Set(rows.map((r) => r.id)).size, rows.length, 'no post twice on the server');
  const wrong = [];
  for (const r of rows) {
    const want = expected.get(r.id);
    if (!want) wrong.push(`unexpected post ${r.id} ${r.title}`);
    else if (r.title !== want.title || r._version !== want.version || !!r._deleted !== want.deleted) {
      wrong.push(`${r.id}: server has ${JSON.stringify({ title: r.title, version: r._version, deleted: r._deleted })}, expected ${JSON.stringify(want)}`);
    }
  }
  assert.deepEqual(wrong.slice(0, 10), [], `${wrong.length} posts differ from exactly-once delivery`);
  const live = rows.filter((r) => !r._deleted).map(({ id, title, rating, status, _version, _lastChangedAt }) => ({ id, title, rating, status, _version, _lastChangedAt }));
  const local = (await dev.records('Post')).map(({ id, title, rating, status, _version, _lastChangedAt }) => ({ id, title, rating, status, _version, _lastChangedAt }));
  assert.equal(local.length, live.length, 'the device holds as many posts as the server has live ones');
  assert.deepEqual(local, live, 'the device\'s posts are the server\'s, versions included');
}

describe('sync durability: 500 queued mutations, the drain interrupted', { timeout: 300_000 }, () => {
  // SIGTERM lets the server finish the requests it has; SIGKILL may leave a
  // mutation applied and its answer never sent.
  const STOPS = [
    ['stopped (SIGTERM)', 'stop', (server) => server.stop()],
    ['killed (SIGKILL)', 'kill', async (server) => {
      server.child.kill('SIGKILL');
      await server.exited;
      server.child = null;
    }],
  ];
  for (const [how, slug, stop] of STOPS) it(`the server ${how} mid-drain and started again on the same database: every mutation arrives exactly once`, async () => {
    const { server, ids } = await seededServer(slug);
    let dev;
    try {
      dev = await openWasmDevice(browser, site.origin, server, { name: 'A', sdl });
      await dev.waitEvent('ready');
      await until(async () => (await dev.records('Post')).length === SEEDED || 'base sync not done', { what: 'the base sync of the seeded posts' });
      const expected = await queueOffline(dev, ids);
      // Let part of the queue go out, then stop the server under the drain.
      await dev.waitEvent('outboxMutationProcessed', {}, { min: 100, timeout: DRAIN_WAIT });
      await stop(server);
      const sentBefore = await dev.countEvents('outboxMutationProcessed');
      assert.ok(sentBefore < CREATES + UPDATES + DELETES, `the drain was over (${sentBefore} sent) before the server stopped`);
      await dev.waitEvent('networkStatus', { active: false });
      await server.start(); // same port, same SQLite file
      await until(() => dev.outboxEmpty(), { timeout: DRAIN_WAIT, what: 'the outbox drained after the restart' });
      // One event per mutation, also after SIGKILL: a create applied unanswered and sent again
      // is refused as a duplicate and settled as delivered, with the server's copy as its answer.
      // The log row leaves the outbox in IndexedDB before the engine emits the
      // event of that mutation: wait for the events, then count them exactly.
      await dev.waitEvent('outboxMutationProcessed', {}, { min: CREATES + UPDATES + DELETES, timeout: DRAIN_WAIT }).catch(() => {});
      const sent = await dev.countEvents('outboxMutationProcessed');
      assert.equal(sent, CREATES + UPDATES + DELETES, `outboxMutationProcessed fired ${sent} times (${sentBefore} before the stop)`);
      await assertArrivedOnce(server, dev, expected);
      assert.equal(await dev.problems(), '');
    } catch (err) {
      err.message += `\n${dev ? await dev.describe() : ''}\n--- datastore-server output ---\n${server.output.slice(-3000)}`;
      throw err;
    } finally {
      await dev?.close();
      await server.stop();
    }
  });

  it('the page reloaded mid-drain: the mutation log in IndexedDB loses nothing', async () => {
    const { server, ids } = await seededServer('reload');
    let dev;
    try {
      dev = await openWasmDevice(browser, site.origin, server, { name: 'A', sdl });
      await dev.waitEvent('ready');
      await until(async () => (await dev.records('Post')).length === SEEDED || 'base sync not done', { what: 'the base sync of the seeded posts' });
      const expected = await queueOffline(dev, ids);
      await dev.waitEvent('outboxMutationProcessed', {}, { min: 100, timeout: DRAIN_WAIT });
      await dev.reload();
      const left = await dev.run(async () => (await window.dev.DataStore.outbox.read()).length);
      assert.ok(left > 0, 'the drain was over before the reload');
      await until(() => dev.outboxEmpty(), { timeout: DRAIN_WAIT, what: 'the outbox drained after the reload' });
      await assertArrivedOnce(server, dev, expected);
      assert.equal(await dev.problems(), '');
    } catch (err) {
      err.message += `\n${dev ? await dev.describe() : ''}\n--- datastore-server output ---\n${server.output.slice(-3000)}`;
      throw err;
    } finally {
      await dev?.close();
      await server.stop();
    }
  });
});
