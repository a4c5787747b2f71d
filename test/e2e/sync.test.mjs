// Sync end to end: the real datastore-server (built once into a temporary
// folder, plain HTTP on 127.0.0.1 with CORS open), pages served by
// sync-harness.mjs, and DataStores created with { sync: { endpoint, apiKey } }
// in headless Chromium. Each browser
// context has its own IndexedDB, so two contexts are two devices: what one
// writes must reach the other's observe through the server. Nothing sleeps:
// every step waits for the observe messages or Hub events it expects.
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { chromium } from 'playwright-core';
import { serveWasmSite } from './sync-harness.mjs';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const CHROMIUM = '/usr/bin/chromium';
const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const WAIT = 30_000; // generous: the machine is shared
const API_KEY = 'e2e-key';
const SCHEMA_FILE = path.join(ROOT, 'cmd/datastore-server/demo.graphql');

/** Starts datastore-server from bin and resolves with its GraphQL URL. */
function startSyncServer(bin, dataDir, extra = []) {
  const proc = spawn(bin, ['-schema', SCHEMA_FILE, '-listen', '127.0.0.1:0', '-api-key', API_KEY,
    '-data', dataDir, '-allow-origin', '*', ...extra], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  proc.stderr.on('data', (d) => { err += d; });
  const endpoint = new Promise((resolve, reject) => {
    proc.stdout.on('data', (d) => {
      out += d;
      const m = /graphql: (\S+)/.exec(out);
      if (m) resolve(m[1]);
    });
    proc.once('exit', (code) => reject(new Error(`datastore-server exited (${code}): ${err}`)));
  });
  return { proc, endpoint, stderr: () => err };
}

let tmp;
let site;
let origin;
let syncServer;
let endpoint;
let browser;
let serverBin;

before(async () => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'datastore-sync-e2e-'));
  const bin = path.join(tmp, 'datastore-server');
  serverBin = bin;
  execFileSync('go', ['build', '-o', bin, './cmd/datastore-server'], { cwd: ROOT, stdio: 'inherit' });
  syncServer = startSyncServer(bin, tmp);
  endpoint = await syncServer.endpoint;
  site = await serveWasmSite();
  origin = site.origin;
  browser = await chromium.launch({ executablePath: CHROMIUM, args: FLAGS });
});

after(async () => {
  await browser?.close();
  syncServer?.proc.kill();
  await site?.close();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

/**
 * A device: a browser context with a page whose window.dev holds a synced
 * DataStore over the demo schema, every observe message (model, opType,
 * element), every sync Hub event, every errorHandler call and
 * conflictHandler call it saw. page.graphql lists the GraphQL requests the
 * server answered ({query, variables}), page.frames the WebSocket frames
 * the page sent.
 * options: endpoint (another server), config (sync options given to
 * DataStore.configure: syncPageSize, maxRecordsToSync, and
 * postRatingAbove, a sync expression on Post.rating), conflicts (install a
 * conflictHandler whose answer window.dev.conflictMode picks: 'merge',
 * 'discard' or 'default').
 */
async function device(name, context, { amplifyConfig = false, endpoint: url = endpoint, config = {}, conflicts = false, auth = false } = {}) {
  context ||= await browser.newContext();
  const page = await context.newPage();
  page.setDefaultTimeout(WAIT);
  page.errors = [];
  page.graphql = [];
  page.frames = [];
  page.on('pageerror', (err) => page.errors.push(`${name} pageerror: ${err.stack || err.message}`));
  // Only requests the server answered (offline ones fail before sending).
  page.on('requestfinished', (req) => {
    if (req.method() === 'POST' && req.url() === url) page.graphql.push(JSON.parse(req.postData()));
  });
  page.on('websocket', (ws) => ws.on('framesent', (f) => page.frames.push(String(f.payload))));
  await page.goto(`${origin}/test/page.html`);
  await page.waitForFunction(() => document.body.dataset.ready === 'true' && !!window.e2e);
  const schema = await readFile(SCHEMA_FILE, 'utf8');
  await page.evaluate(async ({ schema, endpoint, apiKey, amplifyConfig, config, conflicts, auth }) => {
    const { createDataStore, syncExpression, DISCARD } = window.e2e.lib;
    window.authCalls = 0;
    // auth: the headers come from a function, asked before each request and connection.
    const headers = async () => { window.authCalls++; return { 'x-api-key': apiKey }; };
    const sync = amplifyConfig ? null : auth ? { endpoint, auth: headers } : { endpoint, apiKey };
    const { DataStore, models } = createDataStore({ schema, databaseName: 'sync-e2e', sync });
    if (amplifyConfig) DataStore.configure({ API: { GraphQL: { endpoint, apiKey, defaultAuthMode: 'apiKey' } } });
    const dev = { DataStore, models, messages: [], events: [], errors: [], conflicts: [], conflictMode: 'merge' };
    DataStore.events.subscribe((e) => { if (e.source === 'sync') dev.events.push({ event: e.event, data: e.data }); });
    DataStore.configure({
      errorHandler: (e) => dev.errors.push({
        ...e, localModel: e.localModel && { ...e.localModel }, remoteModel: e.remoteModel && { ...e.remoteModel },
        cause: e.cause instanceof Error ? e.cause.message : e.cause, remoteIsPost: e.remoteModel instanceof models.Post,
      }),
    });
    const { postRatingAbove, ...options } = config;
    if (postRatingAbove !== undefined) options.syncExpressions = [syncExpression(models.Post, () => (p) => p.rating.gt(postRatingAbove))];
    DataStore.configure(options);
    if (conflicts) {
      DataStore.configure({
        conflictHandler: async ({ modelConstructor, localModel, remoteModel, operation, attempts }) => {
          dev.conflicts.push({ model: modelConstructor.name, isModel: modelConstructor === models.Post, local: { ...localModel }, remote: { ...remoteModel }, operation, attempts });
          await new Promise((resolve) => setTimeout(resolve, 0)); // an asynchronous handler
          if (dev.conflictMode === 'discard') return DISCARD;
          if (dev.conflictMode === 'default') return undefined;
          // The local change over the server's copy: both sides' fields kept.
          return modelConstructor.copyOf(remoteModel, (d) => {
            for (const [k, v] of Object.entries(localModel)) if (!k.startsWith('_') && k !== 'id') d[k] = v;
          });
        },
      });
    }
    DataStore.observe().subscribe((m) => dev.messages.push({ model: typeof m.model === 'function' ? m.model.name : m.model, opType: m.opType, element: JSON.parse(JSON.stringify(m.element)) }));
    window.dev = dev;
    await DataStore.start();
  }, { schema, endpoint: url, apiKey: API_KEY, amplifyConfig, config, conflicts, auth });
  return { name, context, page };
}

/** Waits until the device saw an observe message matching (model, opType, fields). */
async function waitMessage(dev, model, opType, fields) {
  try {
    await dev.page.waitForFunction(({ model, opType, fields }) => window.dev.messages.some((m) => m.model === model && m.opType === opType
      && Object.entries(fields).every(([k, v]) => m.element[k] === v)), { model, opType, fields }, { timeout: WAIT });
  } catch (err) {
    const seen = await dev.page.evaluate(() => JSON.stringify({ messages: window.dev.messages.slice(-6), events: window.dev.events.slice(-8), errors: window.dev.errors }));
    err.message += `\n${dev.name} waited for ${model} ${opType} ${JSON.stringify(fields)}; it saw ${seen}\n${dev.page.errors.join('\n')}`;
    throw err;
  }
}

function waitEvent(dev, event, min = 1) {
  return dev.page.waitForFunction(({ event, min }) => window.dev.events.filter((e) => e.event === event).length >= min, { event, min }, { timeout: WAIT });
}

const errorsOf = (...devs) => devs.flatMap((d) => d.page.errors).join('\n');

describe('sync through datastore-server, two devices', () => {
  let a;
  let b;

  before(async () => {
    a = await device('A');
    b = await device('B');
    await Promise.all([waitEvent(a, 'ready'), waitEvent(b, 'ready')]);
  });

  after(async () => {
    await a?.context.close();
    await b?.context.close();
  });

  it('emits the Hub events of a start in order', async () => {
    const names = await a.page.evaluate(() => window.dev.events.map((e) => e.event));
    for (const e of ['networkStatus', 'subscriptionsEstablished', 'syncQueriesStarted', 'modelSynced', 'syncQueriesReady', 'ready']) {
      assert.ok(names.includes(e), `${e} missing from ${names.join(', ')}`);
    }
    assert.ok(names.indexOf('subscriptionsEstablished') < names.indexOf('syncQueriesReady'));
    assert.ok(names.indexOf('syncQueriesReady') < names.indexOf('ready'));
  });

  it('a save on A reaches B\'s observe, and the outbox events fire', async () => {
    const id = await a.page.evaluate(async () => {
      const { DataStore, models } = window.dev;
      const p = await DataStore.save(new models.Post({ title: 'hello', rating: 5, status: 'ACTIVE' }));
      return p.id;
    });
    await waitMessage(b, 'Post', 'INSERT', { id, title: 'hello' });
    await waitEvent(a, 'outboxMutationProcessed');
    const ev = await a.page.evaluate(() => window.dev.events.find((e) => e.event === 'outboxMutationEnqueued'));
    assert.equal(ev.data.model, 'Post');
    const stored = await b.page.evaluate(async (id) => {
      const p = await window.dev.DataStore.query(window.dev.models.Post, id);
      return { title: p.title, version: p._version, lastChangedAt: typeof p._lastChangedAt };
    }, id);
    assert.equal(stored.title, 'hello');
    assert.equal(stored.version, 1);
    assert.equal(stored.lastChangedAt, 'number');
    assert.equal(errorsOf(a, b), '');
  });

  it('an update on B reaches A', async () => {
    const id = await a.page.evaluate(async () => {
      const { DataStore, models } = window.dev;
      return (await DataStore.save(new models.Post({ title: 'to edit', rating: 1, status: 'ACTIVE' }))).id;
    });
    await waitMessage(b, 'Post', 'INSERT', { id });
    await b.page.evaluate(async (id) => {
      const { DataStore, models } = window.dev;
      const p = await DataStore.query(models.Post, id);
      await DataStore.save(models.Post.copyOf(p, (d) => { d.title = 'edited on B'; }));
    }, id);
    await waitMessage(a, 'Post', 'UPDATE', { id, title: 'edited on B' });
    assert.equal(errorsOf(a, b), '');
  });

  it('a cascade delete of a post with comments arrives as one delete per record', async () => {
    const ids = await a.page.evaluate(async () => {
      const { DataStore, models } = window.dev;
      const post = await DataStore.save(new models.Post({ title: 'with comments', rating: 2, status: 'ACTIVE' }));
      const c1 = await DataStore.save(new models.Comment({ postID: post.id, content: 'one' }));
      const c2 = await DataStore.save(new models.Comment({ postID: post.id, content: 'two' }));
      return { post: post.id, comments: [c1.id, c2.id] };
    });
    for (const c of ids.comments) await waitMessage(b, 'Comment', 'INSERT', { id: c });
    await waitMessage(b, 'Post', 'INSERT', { id: ids.post });
    await a.page.evaluate(async (id) => {
      const { DataStore, models } = window.dev;
      await DataStore.delete(await DataStore.query(models.Post, id));
    }, ids.post);
    await waitMessage(b, 'Post', 'DELETE', { id: ids.post });
    for (const c of ids.comments) await waitMessage(b, 'Comment', 'DELETE', { id: c });
    const left = await b.page.evaluate(async (postID) => {
      const { DataStore, models } = window.dev;
      return (await DataStore.query(models.Comment, (c) => c.postID.eq(postID))).length;
    }, ids.post);
    assert.equal(left, 0);
    assert.equal(errorsOf(a, b), '');
  });

  it('edits made offline are sent when back online', async () => {
    await a.context.setOffline(true);
    const id = await a.page.evaluate(async () => {
      const { DataStore, models } = window.dev;
      return (await DataStore.save(new models.Post({ title: 'written offline', rating: 3, status: 'ACTIVE' }))).id;
    });
    await a.context.setOffline(false);
    await waitMessage(b, 'Post', 'INSERT', { id, title: 'written offline' });
    assert.equal(errorsOf(a, b), '');
  });

  it('the same record edited on both sides converges', async () => {
    const id = await a.page.evaluate(async () => {
      const { DataStore, models } = window.dev;
      return (await DataStore.save(new models.Post({ title: 'both', rating: 10, status: 'ACTIVE' }))).id;
    });
    await waitMessage(b, 'Post', 'INSERT', { id });
    const edit = (dev, title) => dev.page.evaluate(async ({ id, title }) => {
      const { DataStore, models } = window.dev;
      const p = await DataStore.query(models.Post, id);
      await DataStore.save(models.Post.copyOf(p, (d) => { d.title = title; }));
    }, { id, title });
    await Promise.all([edit(a, 'from A'), edit(b, 'from B')]);
    const stateOf = (dev) => dev.page.evaluate(async (id) => {
      const p = await window.dev.DataStore.query(window.dev.models.Post, id);
      return { title: p.title, version: p._version };
    }, id);
    // Both end on the server's last version: wait until they agree.
    // Both end on the server's last version: after each message either
    // side sees, compare them again.
    let sa;
    let sb;
    const deadline = Date.now() + WAIT;
    for (;;) {
      const counts = await Promise.all([a, b].map((d) => d.page.evaluate(() => window.dev.messages.length)));
      [sa, sb] = await Promise.all([stateOf(a), stateOf(b)]);
      if (sa.title === sb.title && sa.version === sb.version && sa.version >= 3) break;
      assert.ok(Date.now() < deadline, `A has ${JSON.stringify(sa)}, B has ${JSON.stringify(sb)}`);
      await Promise.race([a, b].map((d, i) => d.page.waitForFunction((n) => window.dev.messages.length > n, counts[i], { timeout: WAIT })))
        .catch(() => {});
    }
    assert.ok(['from A', 'from B'].includes(sa.title));
    assert.equal(errorsOf(a, b), '');
  });
});

describe('sync with two tabs on one database', () => {
  let tab1;
  let tab2;
  let other;

  before(async () => {
    tab1 = await device('tab 1');
    tab2 = await device('tab 2', tab1.context);
    other = await device('other device');
    await waitEvent(other, 'ready');
  });

  after(async () => {
    await tab1?.context.close();
    await other?.context.close();
  });

  it('one tab syncs (a Web Lock), the other hears remote changes over the BroadcastChannel', async () => {
    await waitEvent(tab1, 'ready');
    const syncing = await tab2.page.evaluate(() => window.dev.events.length);
    assert.equal(syncing, 0, 'the second tab must wait for the lock instead of syncing');
    const id = await other.page.evaluate(async () => {
      const { DataStore, models } = window.dev;
      return (await DataStore.save(new models.Post({ title: 'to both tabs', rating: 4, status: 'ACTIVE' }))).id;
    });
    await waitMessage(tab1, 'Post', 'INSERT', { id });
    await waitMessage(tab2, 'Post', 'INSERT', { id });
    assert.equal(errorsOf(tab1, tab2, other), '');
  });

  it('a write in the tab that does not sync is sent by the one that does', async () => {
    const id = await tab2.page.evaluate(async () => {
      const { DataStore, models } = window.dev;
      return (await DataStore.save(new models.Post({ title: 'from tab 2', rating: 6, status: 'ACTIVE' }))).id;
    });
    await waitMessage(other, 'Post', 'INSERT', { id, title: 'from tab 2' });
    assert.equal(errorsOf(tab1, tab2, other), '');
  });

  it('when the syncing tab stops, the other takes the lock and syncs', async () => {
    await tab1.page.evaluate(() => window.dev.DataStore.stop());
    await waitEvent(tab2, 'ready');
    const id = await other.page.evaluate(async () => {
      const { DataStore, models } = window.dev;
      return (await DataStore.save(new models.Post({ title: 'after the handover', rating: 7, status: 'ACTIVE' }))).id;
    });
    await waitMessage(tab2, 'Post', 'INSERT', { id });
    assert.equal(errorsOf(tab1, tab2, other), '');
  });
});

describe('sync configured with Amplify\'s config object; clear() forgets lastSync', () => {
  let c;

  before(async () => {
    c = await device('C', null, { amplifyConfig: true });
  });

  after(() => c?.context.close());

  it('a base sync on start, and again after clear()', async () => {
    const newPosts = () => c.page.evaluate(() => window.dev.events
      .filter((e) => e.event === 'modelSynced' && e.data.model === 'Post').map((e) => ({ full: e.data.isFullSync, n: e.data.counts.new })));
    await waitEvent(c, 'ready');
    const [first] = await newPosts();
    assert.ok(first.full && first.n > 0, `first start: ${JSON.stringify(first)}`);
    await c.page.evaluate(async () => {
      await window.dev.DataStore.clear();
      await window.dev.DataStore.start();
    });
    await waitEvent(c, 'ready', 2);
    const [, second] = await newPosts();
    assert.ok(second.full && second.n === first.n, `after clear(): ${JSON.stringify(second)}, first ${JSON.stringify(first)}`);
    assert.equal(errorsOf(c), '');
  });
});

/** The stored Post id on dev, as plain data (null when none). */
const postOn = (dev, id) => dev.page.evaluate(async (id) => {
  const p = await window.dev.DataStore.query(window.dev.models.Post, id);
  return p ? JSON.parse(JSON.stringify(p)) : null;
}, id);

/** Saves a new Post on dev and returns its id. */
const newPost = (dev, fields) => dev.page.evaluate(async (fields) => {
  const { DataStore, models } = window.dev;
  return (await DataStore.save(new models.Post({ status: 'ACTIVE', ...fields }))).id;
}, fields);

/** Edits Post id on dev with fields (copyOf), with an optional condition on the title. */
const editPost = (dev, id, fields, titleWas) => dev.page.evaluate(async ({ id, fields, titleWas }) => {
  const { DataStore, models } = window.dev;
  const p = await DataStore.query(models.Post, id);
  const next = models.Post.copyOf(p, (d) => Object.assign(d, fields));
  await (titleWas === undefined ? DataStore.save(next) : DataStore.save(next, (c) => c.title.eq(titleWas)));
}, { id, fields, titleWas });

/** Waits until dev's outbox has sent n mutations in all (outboxMutationProcessed). */
const waitProcessed = (dev, n) => waitEvent(dev, 'outboxMutationProcessed', n);
const processedCount = (dev) => dev.page.evaluate(() => window.dev.events.filter((e) => e.event === 'outboxMutationProcessed').length);

/** The update mutations dev sent for record id: their variables. */
const isUpdateOf = (r, id) => /updatePost\(/.test(r.query) && r.variables?.input?.id === id;
// The variables of the updates of id that dev sent. Playwright can report the request after the
// other page has the change by subscription: when none is recorded yet, the next is awaited.
async function updatesSent(dev, id) {
  const sent = dev.page.graphql.filter((r) => isUpdateOf(r, id));
  if (sent.length === 0) {
    const predicate = (req) => req.method() === 'POST' && isUpdateOf(JSON.parse(req.postData() || '{}'), id);
    await dev.page.waitForEvent('requestfinished', { predicate, timeout: 10_000 }); // recorded by then: that listener came first
    return dev.page.graphql.filter((r) => isUpdateOf(r, id)).map((r) => r.variables);
  }
  return sent.map((r) => r.variables);
}

describe('what an update sends; conditions and refusals (errorHandler)', () => {
  let a;
  let b;

  before(async () => {
    a = await device('A');
    b = await device('B');
    await Promise.all([waitEvent(a, 'ready'), waitEvent(b, 'ready')]);
  });

  after(async () => {
    await a?.context.close();
    await b?.context.close();
  });

  it('an update sends only the changed fields, the key and _version', async () => {
    const id = await newPost(a, { title: 'partial', rating: 1 });
    await waitMessage(b, 'Post', 'INSERT', { id });
    await editPost(b, id, { rating: 2 });
    await waitMessage(a, 'Post', 'UPDATE', { id, rating: 2 });
    const [vars] = await updatesSent(b, id);
    assert.deepEqual(Object.keys(vars.input).sort(), ['_version', 'id', 'rating']);
    assert.equal(vars.input._version, 1);
    assert.equal(vars.condition, null);
    assert.equal((await postOn(a, id)).title, 'partial', 'the field not sent is kept on the other side');
    assert.equal(errorsOf(a, b), '');
  });

  it('a condition goes to the server; its refusal reaches errorHandler, the outbox moves on, the record is kept', async () => {
    const id = await newPost(a, { title: 'a', rating: 1 });
    await waitMessage(b, 'Post', 'INSERT', { id });
    // A is offline while B changes the title: A's conditional save passes
    // locally (A still has 'a') and is refused by the server (it has 'b').
    await a.context.setOffline(true);
    const sent = await processedCount(b);
    await editPost(b, id, { title: 'b' });
    await waitProcessed(b, sent + 1);
    const done = await processedCount(a);
    await editPost(a, id, { rating: 7 }, 'a');
    const next = await newPost(a, { title: 'after the refusal', rating: 1 });
    await a.context.setOffline(false);
    await waitMessage(b, 'Post', 'INSERT', { id: next, title: 'after the refusal' });
    await a.page.waitForFunction(() => window.dev.errors.length > 0);
    const [e] = await a.page.evaluate(() => window.dev.errors);
    assert.equal(e.errorType, 'ConditionalCheck', JSON.stringify(e));
    assert.equal(e.process, 'mutate');
    assert.equal(e.operation, 'Update');
    assert.equal(e.model, 'Post');
    assert.equal(e.localModel.id, id);
    assert.equal(e.localModel.rating, 7);
    assert.match(e.message, /conditional request failed/);
    assert.match(e.cause, /conditional request failed/);
    assert.ok('remoteModel' in e && 'errorInfo' in e);
    const [vars] = await updatesSent(a, id);
    assert.deepEqual(vars.condition, { and: [{ title: { eq: 'a' } }] });
    // The refused change is dropped; the local record is the server's again.
    await waitProcessed(a, done + 1);
    const local = await postOn(a, id);
    assert.ok(local, 'the record is still there');
    assert.deepEqual([local.title, local.rating, local._version], ['b', 1, 2]);
    assert.equal(errorsOf(a, b), '');
  });
});

describe('conflicts under OPTIMISTIC_CONCURRENCY: conflictHandler', () => {
  let server;
  let url;
  let a;
  let b;

  before(async () => {
    const dir = mkdtempSync(path.join(tmp, 'occ-'));
    server = startSyncServer(serverBin, dir, ['-conflict', 'AUTOMERGE,Post=OPTIMISTIC_CONCURRENCY']);
    url = await server.endpoint;
    a = await device('A', null, { endpoint: url, conflicts: true });
    b = await device('B', null, { endpoint: url, conflicts: true });
    await Promise.all([waitEvent(a, 'ready'), waitEvent(b, 'ready')]);
  });

  after(async () => {
    await a?.context.close();
    await b?.context.close();
    server?.proc.kill();
  });

  /** A edits offline, then B edits the same post; A's update then conflicts. */
  async function conflicting(aFields, bFields) {
    const id = await newPost(a, { title: 't', rating: 1 });
    await waitMessage(b, 'Post', 'INSERT', { id });
    await a.context.setOffline(true);
    // A's edit first, so it is made on version 1 whatever A hears meanwhile
    // (setOffline need not close a WebSocket already open: B's update can
    // still reach A, and is then held behind A's queued mutation).
    await editPost(a, id, aFields);
    const sent = await processedCount(b);
    await editPost(b, id, bFields);
    await waitProcessed(b, sent + 1);
    await a.context.setOffline(false);
    return id;
  }

  /** Waits until A and B hold the same version of id, and returns it. */
  async function converged(id, minVersion) {
    const deadline = Date.now() + WAIT;
    for (;;) {
      // The message counts first: a message arriving after them wakes the wait below.
      const counts = await Promise.all([a, b].map((d) => d.page.evaluate(() => window.dev.messages.length)));
      const [pa, pb] = await Promise.all([postOn(a, id), postOn(b, id)]);
      if (pa && pb && pa._version === pb._version && pa._version >= minVersion) {
        assert.deepEqual({ ...pa, _lastChangedAt: 0 }, { ...pb, _lastChangedAt: 0 });
        return pa;
      }
      assert.ok(Date.now() < deadline, `A has ${JSON.stringify(pa)}, B has ${JSON.stringify(pb)}`);
      await Promise.race([a, b].map((d, i) => d.page.waitForFunction((n) => window.dev.messages.length > n, counts[i], { timeout: WAIT }))).catch(() => {});
    }
  }

  it('a handler that merges: both sides converge on the merge', async () => {
    await a.page.evaluate(() => { window.dev.conflictMode = 'merge'; });
    const id = await conflicting({ title: 'title from A' }, { rating: 42 });
    const merged = await converged(id, 3);
    assert.equal(merged.title, 'title from A');
    assert.equal(merged.rating, 42);
    const calls = await a.page.evaluate(() => window.dev.conflicts);
    assert.equal(calls.length, 1, JSON.stringify(calls));
    const [c] = calls;
    assert.equal(c.model, 'Post');
    assert.ok(c.isModel, 'modelConstructor is the Post class');
    assert.equal(c.operation, 'UPDATE');
    assert.equal(c.attempts, 1);
    assert.deepEqual(Object.keys(c.local).sort(), ['_version', 'id', 'title'], 'localModel holds what the update sent');
    assert.equal(c.remote.rating, 42);
    assert.equal(c.remote._version, 2);
    const sent = await updatesSent(a, id);
    assert.equal(sent.length, 2, 'the update, then the merged record');
    assert.equal(sent[1].input._version, 2, 'the merged record goes with the server\'s _version');
    assert.equal(errorsOf(a, b), '');
  });

  it('DISCARD: the local change is dropped and the server\'s copy kept', async () => {
    await a.page.evaluate(() => { window.dev.conflictMode = 'discard'; window.dev.conflicts.length = 0; });
    const id = await conflicting({ title: 'lost on A' }, { title: 'kept from B' });
    await a.page.waitForFunction(() => window.dev.conflicts.length > 0);
    const final = await converged(id, 2);
    assert.equal(final.title, 'kept from B');
    assert.equal(final._version, 2, 'nothing more was written to the server');
    assert.ok(a.page.graphql.some((r) => /getPost\(/.test(r.query) && r.variables.id === id), 'the server\'s copy is read (getPost)');
    assert.equal(errorsOf(a, b), '');
  });
});

describe('selective sync: syncExpressions, syncPageSize, maxRecordsToSync', () => {
  let server;
  let url;
  let seed;
  const devices = [];

  before(async () => {
    // A server of its own: it holds exactly the posts written here.
    server = startSyncServer(serverBin, mkdtempSync(path.join(tmp, 'selective-')));
    url = await server.endpoint;
    seed = await device('seed', null, { endpoint: url });
    await waitEvent(seed, 'ready');
    // Enough posts of both kinds for several pages.
    for (let i = 0; i < 7; i++) await newPost(seed, { title: `selective ${i}`, rating: i % 2 ? 9 : 1 });
    await seed.page.waitForFunction(() => window.dev.events.filter((e) => e.event === 'outboxStatus').at(-1)?.data.isEmpty === true);
  });

  after(async () => {
    await seed?.context.close();
    for (const d of devices) await d.context.close();
    server?.proc.kill();
  });

  const posts = (dev) => dev.page.evaluate(async () => (await window.dev.DataStore.query(window.dev.models.Post)).map((p) => ({ id: p.id, rating: p.rating })));
  const syncRequests = (dev, model) => dev.page.graphql.filter((r) => new RegExp(`sync${model}s\\(`).test(r.query));

  it('a sync expression selects what is synced and filters the subscriptions; syncPageSize sets the pages', async () => {
    const high = (await posts(seed)).filter((p) => p.rating > 4).length;
    assert.equal(high, 3);
    const s = await device('selective', null, { endpoint: url, config: { postRatingAbove: 4, syncPageSize: 2 } });
    devices.push(s);
    await waitEvent(s, 'ready');
    const got = await posts(s);
    assert.equal(got.length, high);
    assert.ok(got.every((p) => p.rating > 4), JSON.stringify(got));
    const reqs = syncRequests(s, 'Post');
    assert.ok(reqs.length >= Math.ceil(high / 2), `${reqs.length} pages for ${high} posts`);
    assert.ok(reqs.every((r) => r.variables.limit === 2 && r.variables.filter?.and?.[0]?.rating?.gt === 4), JSON.stringify(reqs[0].variables));
    const starts = s.page.frames.map((f) => {
      try { const m = JSON.parse(f); return m.type === 'start' ? JSON.parse(m.payload.data) : null; } catch { return null; }
    }).filter(Boolean);
    assert.ok(starts.some((d) => /onCreatePost/.test(d.query) && d.variables?.filter?.and?.[0]?.rating?.gt === 4), `the subscription carries the filter: ${JSON.stringify(starts[0])}`);
    // Live: a low post does not arrive, a high one does (they are sent in order).
    const low = await newPost(seed, { title: 'live low', rating: 2 });
    const highId = await newPost(seed, { title: 'live high', rating: 8 });
    await waitMessage(s, 'Post', 'INSERT', { id: highId });
    const ids = await s.page.evaluate(() => window.dev.messages.map((m) => m.element.id));
    assert.ok(!ids.includes(low), 'the post the expression leaves out never arrived');
    assert.equal(errorsOf(s), '');
  });

  it('maxRecordsToSync caps the base sync', async () => {
    const m = await device('capped', null, { endpoint: url, config: { maxRecordsToSync: 3, syncPageSize: 2 } });
    devices.push(m);
    await waitEvent(m, 'ready');
    assert.equal((await posts(m)).length, 3);
    const limits = syncRequests(m, 'Post').map((r) => r.variables.limit);
    assert.deepEqual(limits, [2, 1]);
    assert.equal(errorsOf(m), '');
  });
});

describe('sync with auth: a function gives the headers', () => {
  let a;
  let b;

  before(async () => {
    a = await device('auth-A', null, { auth: true });
    b = await device('auth-B');
    await Promise.all([waitEvent(a, 'ready'), waitEvent(b, 'ready')]);
  });

  after(async () => {
    await a?.context.close();
    await b?.context.close();
  });

  it('requests and the real-time connection carry what auth() returned', async () => {
    await waitEvent(a, 'subscriptionsEstablished');
    await a.page.evaluate(() => window.dev.DataStore.save(new window.dev.models.Post({ title: 'sent with auth()', rating: 4, status: 'ACTIVE' })));
    await waitMessage(b, 'Post', 'INSERT', { title: 'sent with auth()' });
    await b.page.evaluate(async () => {
      const [p] = await window.dev.DataStore.query(window.dev.models.Post, (p) => p.title.eq('sent with auth()'));
      await window.dev.DataStore.save(window.dev.models.Post.copyOf(p, (d) => { d.rating = 1; }));
    });
    await waitMessage(a, 'Post', 'UPDATE', { title: 'sent with auth()', rating: 1 });
    const calls = await a.page.evaluate(() => window.authCalls);
    assert.ok(calls >= 3, `auth() asked before each request and connection: ${calls} calls`);
    assert.equal(errorsOf(a, b), '');
  });

  it('createDataStore refuses an auth that is not a function', async () => {
    const message = await a.page.evaluate(() => {
      try {
        window.e2e.lib.createDataStore({ schema: 'type T @model { id: ID! }', databaseName: 'auth-bad', sync: { endpoint: 'https://h/graphql', auth: 'token' } });
        return 'no error';
      } catch (err) { return err.message; }
    });
    assert.match(message, /auth must be a function/);
  });
});
