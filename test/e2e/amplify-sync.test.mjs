// Amplify's own JavaScript client (aws-amplify v6, @aws-amplify/datastore v5,
// pinned in package.json) syncing through datastore-server (issue 12, item 7),
// in headless Chromium: two pages in two browser contexts on one server, the
// blog schema (Post has many Comment), first over SQLite, then over
// PostgreSQL when DATASTORE_TEST_POSTGRES holds a postgres:// URL.
//
// Each scenario starts a server of its own (a fresh SQLite file; PostgreSQL's
// database is shared, so scenarios look only at the ids they made) and two
// fresh contexts, and awaits what Amplify reports (DataStore.observe, Hub
// events) instead of sleeping. The server is built from ./cmd/datastore-server
// (DATASTORE_SERVER_BIN overrides that); the test skips only when the repo
// has no ./cmd/datastore-server. test/e2e/amplify/harness.mjs has the parts.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import {
  ROOT, buildBundle, launchChromium, openClient, serverBinary, servePage, SyncServer,
} from './amplify/harness.mjs';

const SKIP = !process.env.DATASTORE_SERVER_BIN && !existsSync(path.join(ROOT, 'cmd/datastore-server'))
  ? 'no ./cmd/datastore-server in this repo (the sync server of issue 12); set DATASTORE_SERVER_BIN to test a built one'
  : false;

const STORES = [{ name: 'SQLite', db: (dir) => path.join(dir, 'datastore.db') }];
if (process.env.DATASTORE_TEST_POSTGRES) STORES.push({ name: 'PostgreSQL', db: () => process.env.DATASTORE_TEST_POSTGRES });

// The change-log window of the base-sync scenario: short, so a page can be
// offline for longer than it within the test.
const SHORT_WINDOW_MS = 3_000;

const POST_FIELDS = 'id title rating status createdAt updatedAt _version _deleted _lastChangedAt';
const COMMENT_FIELDS = 'id content postCommentsId _version _deleted _lastChangedAt';

let tmp;
let bin;
let site;
let browser;

before(async () => {
  if (SKIP) return;
  tmp = await mkdtemp(path.join(os.tmpdir(), 'amplify-sync-'));
  ({ bin } = await serverBinary(tmp));
  site = await servePage(await buildBundle(tmp));
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await site?.close();
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

/**
 * Runs fn({ server, a, b }) with a server of its own and two pages on it,
 * and closes them after. A failure carries both pages' recent traffic and
 * the server's output.
 */
async function withPair(store, name, { args = [], dataStore } = {}, fn) {
  const dir = await mkdtemp(path.join(tmp, `${name}-`));
  const server = new SyncServer({ bin, dir, db: store.db(dir), args });
  const clients = [];
  try {
    await server.start();
    const a = await openClient(browser, site.origin, server, { name: 'A', dataStore });
    clients.push(a);
    const b = await openClient(browser, site.origin, server, { name: 'B', dataStore });
    clients.push(b);
    await fn({ server, a, b });
    for (const c of clients) await assertClean(c);
  } catch (err) {
    const traffic = clients.map((c) => c.describe()).join('\n');
    err.message += `\n${traffic}\n--- datastore-server output ---\n${server.output.slice(-4000)}`;
    throw err;
  } finally {
    await Promise.all(clients.map((c) => c.close()));
    await server.stop();
  }
}

/** No GraphQL errors in any answer the page got, and none reached DataStore's errorHandler. */
async function assertClean(client) {
  const failed = client.requests().filter((r) => r.response?.errors?.length || (r.status && r.status !== 200));
  assert.deepEqual(failed.map((r) => ({ variables: r.request.variables, status: r.status, response: r.response })), [],
    `${client.name}: the server answered with errors`);
  assert.deepEqual(await client.entries({ kind: 'error' }), [], `${client.name}: DataStore's errorHandler was called`);
}

const post = (title, rating = 1) => ({ title, rating, status: 'ACTIVE' });

/** A wait on a's DataStore: the server has answered the mutation for id (the record as the server has it). */
function processed(client, model, id, since, extra = {}) {
  return client.waitFor({ kind: 'hub', event: 'outboxMutationProcessed', data: { model, element: { id, ...extra } } }, { since })
    .then((e) => e.data.element);
}

async function getFromServer(server, model, id) {
  const fields = model === 'Post' ? POST_FIELDS : COMMENT_FIELDS;
  const res = await server.graphql(`query Get($id: ID!) { get${model}(id: $id) { ${fields} } }`, { id });
  assert.equal(res.errors, undefined, `get${model}: ${JSON.stringify(res.errors)}`);
  return res.data[`get${model}`];
}

const pick = (record, keys) => Object.fromEntries(keys.map((k) => [k, record?.[k]]));

for (const store of STORES) {
  describe(`Amplify DataStore v5 syncs through datastore-server (${store.name})`, { skip: SKIP, timeout: 600_000 }, () => {
    it('a save in one page reaches the other page\'s observe', { timeout: 120_000 }, () => withPair(store, 'save', {}, async ({ server, a, b }) => {
      const p = await a.create('Post', post('Hello from A', 3));
      const seen = await b.waitFor({ kind: 'observe', model: 'Post', opType: 'INSERT', element: { id: p.id } });
      assert.deepEqual(pick(seen.element, ['id', 'title', 'rating', 'status']), pick(p, ['id', 'title', 'rating', 'status']));
      assert.equal(seen.element._version, 1, 'the server numbers a new record version 1');

      const c = await a.create('Comment', { content: 'first!', postId: p.id });
      const seenC = await b.waitFor({ kind: 'observe', model: 'Comment', opType: 'INSERT', element: { id: c.id } });
      assert.equal(seenC.element.content, 'first!');
      assert.equal(seenC.element.postCommentsId, p.id, 'the comment arrives with its post\'s key');

      const onServer = await getFromServer(server, 'Post', p.id);
      assert.equal(onServer.title, 'Hello from A');
      assert.equal(onServer._version, 1);
      assert.equal(onServer._deleted, null, 'a record never deleted has _deleted null');
      assert.deepEqual(await b.get('Comment', c.id).then((r) => pick(r, ['id', 'content', 'postCommentsId'])),
        { id: c.id, content: 'first!', postCommentsId: p.id });
    }));

    it('updates go both ways, each with the server\'s next version', { timeout: 120_000 }, () => withPair(store, 'update', {}, async ({ a, b }) => {
      const p = await a.create('Post', post('Draft', 1));
      await b.waitFor({ kind: 'observe', model: 'Post', opType: 'INSERT', element: { id: p.id } });

      await a.update('Post', p.id, { title: 'Edited by A' });
      const atB = await b.waitFor({ kind: 'observe', model: 'Post', opType: 'UPDATE', element: { id: p.id, _version: 2 } });
      assert.equal(atB.element.title, 'Edited by A');

      await b.update('Post', p.id, { rating: 5 });
      const atA = await a.waitFor({ kind: 'observe', model: 'Post', opType: 'UPDATE', element: { id: p.id, _version: 3 } });
      assert.deepEqual(pick(atA.element, ['title', 'rating']), { title: 'Edited by A', rating: 5 });
      assert.deepEqual(pick(await a.get('Post', p.id), ['title', 'rating', '_version']),
        pick(await b.get('Post', p.id), ['title', 'rating', '_version']));
    }));

    it('a cascade delete of a post with comments arrives as one delete per record', { timeout: 120_000 }, () => withPair(store, 'cascade', {}, async ({ server, a, b }) => {
      const p = await a.create('Post', post('Doomed', 2));
      const c1 = await a.create('Comment', { content: 'one', postId: p.id });
      const c2 = await a.create('Comment', { content: 'two', postId: p.id });
      const ids = [c1.id, c2.id, p.id];
      for (const id of ids) await b.waitFor({ kind: 'observe', opType: 'INSERT', element: { id } });

      const since = await b.mark();
      await a.remove('Post', p.id);
      for (const id of ids) await b.waitFor({ kind: 'observe', opType: 'DELETE', element: { id } }, { since });
      // A save after the deletes is a barrier: once B has it, B has had every earlier event.
      const sentinel = await a.create('Post', post('After the cascade'));
      await b.waitFor({ kind: 'observe', opType: 'INSERT', element: { id: sentinel.id } }, { since });

      const deletes = await b.entries({ kind: 'observe', opType: 'DELETE' }, since);
      assert.deepEqual(deletes.map((e) => `${e.model} ${e.element.id}`).sort(),
        [`Comment ${c1.id}`, `Comment ${c2.id}`, `Post ${p.id}`].sort(), 'B observes exactly one DELETE per record');
      const sent = [...a.requests('deleteComment'), ...a.requests('deletePost')];
      assert.deepEqual(sent.map((r) => r.request.variables.input.id).sort(), [...ids].sort(), 'A sends one delete mutation per record');

      for (const [model, id] of [['Comment', c1.id], ['Comment', c2.id], ['Post', p.id]]) {
        const tomb = await getFromServer(server, model, id);
        assert.equal(tomb?._deleted, true, `the server keeps ${model} ${id} as a tombstone`);
      }
      assert.deepEqual(await b.list('Comment').then((cs) => cs.filter((c) => ids.includes(c.id))), []);
      assert.equal(await b.get('Post', p.id), null);
    }));

    it('the same record edited in both pages, one offline, converges by AUTOMERGE', { timeout: 120_000 }, () => withPair(store, 'automerge', {}, async ({ server, a, b }) => {
      const p = await a.create('Post', post('Base', 1));
      await b.waitFor({ kind: 'observe', model: 'Post', opType: 'INSERT', element: { id: p.id } });

      let since = await b.mark();
      await b.setOffline(true);
      await b.waitFor({ kind: 'hub', event: 'networkStatus', data: { active: false } }, { since });

      const sinceA = await a.mark();
      await a.update('Post', p.id, { title: 'Title from A' });
      await processed(a, 'Post', p.id, sinceA, { _version: 2 });
      await b.update('Post', p.id, { title: 'Title from B', rating: 7 });

      since = await b.mark();
      await b.setOffline(false);
      const merged = await processed(b, 'Post', p.id, since);
      assert.ok(merged._version >= 3, `the merge is a new version: ${JSON.stringify(merged)}`);
      assert.equal(merged.title, 'Title from A', 'AUTOMERGE keeps the server\'s value of a scalar the stale client also changed');
      await a.waitFor({ kind: 'observe', model: 'Post', opType: 'UPDATE', element: { id: p.id, _version: merged._version } });

      const keys = ['id', 'title', 'rating', 'status', '_version'];
      const onServer = pick(await getFromServer(server, 'Post', p.id), keys);
      assert.deepEqual(pick(await a.get('Post', p.id), keys), onServer, 'A converges on the server\'s record');
      assert.deepEqual(pick(await b.get('Post', p.id), keys), onServer, 'B converges on the server\'s record');
      const conflicts = [...a.requests(), ...b.requests()].filter((r) => JSON.stringify(r.response?.errors ?? []).includes('ConflictUnhandled'));
      assert.deepEqual(conflicts, [], 'AUTOMERGE resolves on the server: no ConflictUnhandled reaches a client');
    }));

    it('after a server restart both pages reconnect and catch up by delta sync', { timeout: 180_000 }, () => withPair(store, 'restart', {}, async ({ server, a, b }) => {
      const p1 = await a.create('Post', post('Before the restart'));
      await b.waitFor({ kind: 'observe', model: 'Post', opType: 'INSERT', element: { id: p1.id } });

      const marks = [await a.mark(), await b.mark()];
      const restartedAt = Date.now();
      await server.stop();
      await Promise.all([a, b].map((c, i) => c.waitFor({ kind: 'hub', event: 'networkStatus', data: { active: false } }, { since: marks[i], timeout: 60_000 })));
      await server.start();
      // Changes made while no page is subscribed reach them only by the sync after they reconnect.
      const created = await server.graphql(`mutation { createPost(input: {title: "Made while they were away", rating: 9, status: ACTIVE}) { ${POST_FIELDS} } }`);
      assert.equal(created.errors, undefined, JSON.stringify(created.errors));
      const p2 = created.data.createPost;
      const updated = await server.graphql(`mutation U($input: UpdatePostInput!) { updatePost(input: $input) { ${POST_FIELDS} } }`,
        { input: { id: p1.id, title: 'Changed while they were away', _version: 1 } });
      assert.equal(updated.errors, undefined, JSON.stringify(updated.errors));

      for (const [i, c] of [a, b].entries()) {
        const since = marks[i];
        await c.waitFor({ kind: 'observe', model: 'Post', opType: 'INSERT', element: { id: p2.id } }, { since, timeout: 90_000 });
        await c.waitFor({ kind: 'observe', model: 'Post', opType: 'UPDATE', element: { id: p1.id, title: 'Changed while they were away' } }, { since, timeout: 90_000 });
        const synced = await c.waitFor({ kind: 'hub', event: 'modelSynced', data: { model: 'Post' } }, { since });
        assert.equal(synced.data.isDeltaSync, true, `${c.name} caught up by a delta sync: ${JSON.stringify(synced.data)}`);
        const syncs = c.requests('syncPosts').filter((r) => r.at >= restartedAt);
        assert.ok(syncs.length > 0 && syncs.every((r) => r.request.variables.lastSync > 0),
          `${c.name}'s syncPosts after the restart ask for a delta (lastSync > 0): ${JSON.stringify(syncs.map((r) => r.request.variables))}`);
      }

      // Real time works again after the reconnect.
      const p3 = await a.create('Post', post('After the restart'));
      await b.waitFor({ kind: 'observe', model: 'Post', opType: 'INSERT', element: { id: p3.id } });
    }));

    it('a page offline for longer than the change-log window catches up by a base sync', { timeout: 180_000 },
      () => withPair(store, 'base-sync', { args: ['-change-log-ttl', `${SHORT_WINDOW_MS}ms`] }, async ({ server, a, b }) => {
        const [p1, p2, p3] = [await a.create('Post', post('Kept')), await a.create('Post', post('Deleted while B is away')),
          await a.create('Post', post('Untouched'))];
        for (const p of [p1, p2, p3]) await b.waitFor({ kind: 'observe', model: 'Post', opType: 'INSERT', element: { id: p.id } });

        let since = await b.mark();
        await b.setOffline(true);
        await b.waitFor({ kind: 'hub', event: 'networkStatus', data: { active: false } }, { since });
        const offlineAt = Date.now();

        const sinceA = await a.mark();
        for (const [i, title] of ['Kept v2', 'Kept v3', 'Kept v4'].entries()) {
          await a.update('Post', p1.id, { title });
          await processed(a, 'Post', p1.id, sinceA, { _version: i + 2 });
        }
        await a.remove('Post', p2.id);
        await processed(a, 'Post', p2.id, sinceA, { _deleted: true });
        const p4 = await a.create('Post', post('Created while B is away'));
        await processed(a, 'Post', p4.id, sinceA);

        // B must stay away for longer than the server's change-log window:
        // that is time passing, which no event marks.
        await delay(Math.max(0, offlineAt + SHORT_WINDOW_MS + 1_000 - Date.now()));

        since = await b.mark();
        const onlineAt = Date.now();
        await b.setOffline(false);
        await b.waitFor({ kind: 'observe', model: 'Post', opType: 'UPDATE', element: { id: p1.id, title: 'Kept v4' } }, { since, timeout: 60_000 });
        await b.waitFor({ kind: 'observe', model: 'Post', opType: 'DELETE', element: { id: p2.id } }, { since });
        await b.waitFor({ kind: 'observe', model: 'Post', opType: 'INSERT', element: { id: p4.id } }, { since });
        await b.waitFor({ kind: 'hub', event: 'modelSynced', data: { model: 'Post' } }, { since });

        const syncs = b.requests('syncPosts').filter((r) => r.at >= onlineAt);
        assert.ok(syncs.length > 0, 'B syncs Post when it comes back');
        const { lastSync } = syncs[0].request.variables;
        assert.ok(lastSync > 0 && lastSync < onlineAt - SHORT_WINDOW_MS,
          `B asks from its last sync, older than the window: lastSync ${lastSync}, online at ${onlineAt}`);
        const items = syncs.flatMap((r) => r.response?.data?.syncPosts?.items ?? []);
        const ofP1 = items.filter((i) => i.id === p1.id);
        assert.deepEqual(ofP1.map((i) => [i.title, i._version]), [['Kept v4', 4]],
          'a base sync returns each record once, in its latest state');
        assert.equal(items.find((i) => i.id === p2.id)?._deleted, true, 'the base sync carries the tombstone of the deleted post');

        const mine = (await b.list('Post')).filter((x) => [p1.id, p2.id, p3.id, p4.id].includes(x.id));
        assert.deepEqual(mine.map((x) => x.title).sort(), ['Created while B is away', 'Kept v4', 'Untouched'].sort());
        assert.equal((await getFromServer(server, 'Post', p2.id))?._deleted, true);
      }));
  });
}
