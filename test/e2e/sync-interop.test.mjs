// Interop (issue 13, item 9): one page running Amplify's own client (aws-amplify
// v6 / @aws-amplify/datastore v5, bundled as amplify-sync.test.mjs bundles it:
// amplify/harness.mjs) and one page running datastore-wasm, on one
// datastore-server over the blog schema (Post has many Comment, the implicit
// postCommentsId key). Saves, updates and deletes made on either side,
// a cascade delete from each side included, reach the other side's observe
// and query with the same _version, and at the end both pages and the
// server hold the same records.
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  SCHEMAS, SyncServer, buildBundle, launchChromium, openClient, serverBinary, servePage,
} from './amplify/harness.mjs';
import { assertClean } from './amplify/scenarios.mjs';
import { openWasmDevice, serveWasmSite, serverRecords, until } from './sync-harness.mjs';

const FIELDS = {
  Post: { plural: 'Posts', fields: ['id', 'title', 'rating', 'status'] },
  Comment: { plural: 'Comments', fields: ['id', 'content', 'postCommentsId'] },
};
const pick = (model, r) => ({ ...Object.fromEntries(FIELDS[model].fields.map((f) => [f, r?.[f] ?? null])), _version: r?._version });
const observed = (model, opType, element) => ({ kind: 'observe', model, opType, element });

let tmp;
let server;
let ampSite;
let wasmSite;
let browser;
let amp; // Amplify's client
let wasm; // datastore-wasm

before(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'sync-interop-'));
  const { bin } = await serverBinary(tmp);
  ampSite = await servePage(await buildBundle(tmp));
  wasmSite = await serveWasmSite();
  browser = await launchChromium();
  server = new SyncServer({ bin, dir: tmp, db: path.join(tmp, 'datastore.db'), schema: SCHEMAS.blog.server });
  await server.start();
  amp = await openClient(browser, ampSite.origin, server, { name: 'Amplify' });
  wasm = await openWasmDevice(browser, wasmSite.origin, server, { name: 'datastore-wasm', sdl: await readFile(SCHEMAS.blog.server, 'utf8') });
  await wasm.waitEvent('subscriptionsEstablished');
  await wasm.waitEvent('ready');
});

after(async () => {
  await amp?.close();
  await wasm?.close();
  await browser?.close();
  await server?.stop();
  await wasmSite?.close();
  await ampSite?.close();
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

/** The record of model id in the datastore-wasm page, or null. */
const wasmGet = (model, id) => wasm.run(async ({ model, id }) => {
  const r = await window.dev.DataStore.query(window.dev.models[model], id);
  return r ? JSON.parse(JSON.stringify(r)) : null;
}, { model, id });

/** Saves a new record in the datastore-wasm page and resolves with it once the server's answer is merged (_version 1). */
const wasmCreate = async (model, fields) => {
  const rec = await wasm.run(async ({ model, fields }) => {
    const { DataStore, models } = window.dev;
    const init = { ...fields };
    if (init.post) init.post = await DataStore.query(models.Post, init.post);
    return JSON.parse(JSON.stringify(await DataStore.save(new models[model](init))));
  }, { model, fields });
  await until(async () => (await wasmGet(model, rec.id))?._version === 1 || 'no _version 1 yet', { what: `${model} ${rec.id} synced` });
  return wasmGet(model, rec.id);
};

const wasmUpdate = (model, id, patch) => wasm.run(async ({ model, id, patch }) => {
  const { DataStore, models } = window.dev;
  const r = await DataStore.query(models[model], id);
  return JSON.parse(JSON.stringify(await DataStore.save(models[model].copyOf(r, (d) => Object.assign(d, patch)))));
}, { model, id, patch });

/** Fails with both pages' recent traffic. */
async function explained(fn) {
  try {
    await fn();
  } catch (err) {
    err.message += `\n${amp.describe(25)}\n${await wasm.describe()}\n--- datastore-server output ---\n${server.output.slice(-2000)}`;
    throw err;
  }
}

describe('Amplify\'s client and datastore-wasm on one datastore-server', { timeout: 180_000 }, () => {
  let ampPost;
  let wasmPost;

  it('a post saved on each side reaches the other\'s observe and query, at _version 1', () => explained(async () => {
    ampPost = await amp.createSynced('Post', { title: 'from Amplify', rating: 1, status: 'ACTIVE' });
    await wasm.waitMessage('Post', 'INSERT', { id: ampPost.id, title: 'from Amplify', _version: 1 });
    assert.deepEqual(pick('Post', await wasmGet('Post', ampPost.id)), pick('Post', ampPost));

    wasmPost = await wasmCreate('Post', { title: 'from datastore-wasm', rating: 2, status: 'INACTIVE' });
    const seen = await amp.waitFor(observed('Post', 'INSERT', { id: wasmPost.id }));
    assert.deepEqual(pick('Post', seen.element), pick('Post', wasmPost));
    assert.deepEqual(pick('Post', await amp.get('Post', wasmPost.id)), pick('Post', wasmPost));
  }));

  it('updates made on each side reach the other, versions matching', () => explained(async () => {
    await amp.update('Post', wasmPost.id, { title: 'edited by Amplify' });
    await wasm.waitMessage('Post', 'UPDATE', { id: wasmPost.id, title: 'edited by Amplify', _version: 2 });
    await amp.waitFor({ kind: 'hub', event: 'outboxMutationProcessed', data: { model: 'Post', element: { id: wasmPost.id, _version: 2 } } });
    assert.deepEqual(pick('Post', await wasmGet('Post', wasmPost.id)), pick('Post', await amp.get('Post', wasmPost.id)));

    await wasmUpdate('Post', ampPost.id, { rating: 7 });
    const seen = await amp.waitFor(observed('Post', 'UPDATE', { id: ampPost.id, rating: 7, _version: 2 }));
    assert.equal(seen.element.title, 'from Amplify');
    await until(async () => (await wasmGet('Post', ampPost.id))._version === 2 || 'the answer is not merged', { what: 'datastore-wasm merging its update\'s answer' });
    assert.deepEqual(pick('Post', await wasmGet('Post', ampPost.id)), pick('Post', await amp.get('Post', ampPost.id)));
  }));

  it('comments and a cascade delete from datastore-wasm reach Amplify', () => explained(async () => {
    const parent = await wasmCreate('Post', { title: 'wasm parent', rating: 3, status: 'ACTIVE' });
    const kids = [];
    for (const content of ['one', 'two']) kids.push(await wasmCreate('Comment', { content, post: parent.id }));
    for (const c of kids) {
      const seen = await amp.waitFor(observed('Comment', 'INSERT', { id: c.id }));
      assert.equal(seen.element.postCommentsId, parent.id);
      assert.deepEqual(pick('Comment', await amp.get('Comment', c.id)), pick('Comment', c));
    }
    await wasm.run(async (id) => {
      const { DataStore, models } = window.dev;
      await DataStore.delete(await DataStore.query(models.Post, id));
    }, parent.id);
    await amp.waitFor(observed('Post', 'DELETE', { id: parent.id, _version: 2 }));
    for (const c of kids) await amp.waitFor(observed('Comment', 'DELETE', { id: c.id, _version: 2 }));
    assert.equal(await amp.get('Post', parent.id), null);
    for (const c of kids) assert.equal(await amp.get('Comment', c.id), null);
  }));

  it('comments and a delete (with Amplify\'s cascade) from Amplify reach datastore-wasm', () => explained(async () => {
    const parent = await amp.createSynced('Post', { title: 'Amplify parent', rating: 4, status: 'ACTIVE' });
    const kid = await amp.createSynced('Comment', { content: 'from Amplify', post: { $model: 'Post', key: parent.id } });
    await wasm.waitMessage('Comment', 'INSERT', { id: kid.id, postCommentsId: parent.id, _version: 1 });
    assert.deepEqual(pick('Comment', await wasmGet('Comment', kid.id)), pick('Comment', kid));
    await amp.remove('Post', parent.id);
    await wasm.waitMessage('Post', 'DELETE', { id: parent.id });
    await wasm.waitMessage('Comment', 'DELETE', { id: kid.id });
    assert.equal(await wasmGet('Post', parent.id), null);
    assert.equal(await wasmGet('Comment', kid.id), null);
  }));

  it('both pages and the server end with the same records', () => explained(async () => {
    for (const [model, { plural, fields }] of Object.entries(FIELDS)) {
      const rows = (await serverRecords(server, model, plural, fields)).filter((r) => !r._deleted).map((r) => pick(model, r));
      await until(async () => {
        const a = (await amp.list(model)).map((r) => pick(model, r)).sort((x, y) => (x.id < y.id ? -1 : x.id > y.id ? 1 : 0));
        const w = (await wasm.records(model)).map((r) => pick(model, r));
        const want = JSON.stringify(rows);
        return (JSON.stringify(a) === want && JSON.stringify(w) === want)
          || `server ${want}\nAmplify ${JSON.stringify(a)}\ndatastore-wasm ${JSON.stringify(w)}`;
      }, { what: `${model}: the same records everywhere` });
    }
    await assertClean(amp);
    assert.equal(await wasm.problems(), '');
  }));
});
