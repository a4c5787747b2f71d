// Sync end to end: the real datastore-server (built once into a temporary
// folder, plain HTTP on 127.0.0.1 with CORS open) and DataStores created
// with { sync: { endpoint, apiKey } } in headless Chromium. Each browser
// context has its own IndexedDB, so two contexts are two devices: what one
// writes must reach the other's observe through the server. Nothing sleeps:
// every step waits for the observe messages or Hub events it expects.
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { chromium } from 'playwright-core';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const CHROMIUM = '/usr/bin/chromium';
const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const WAIT = 30_000; // generous: the machine is shared
const API_KEY = 'e2e-key';
const SCHEMA_FILE = path.join(ROOT, 'cmd/datastore-server/demo.graphql');

const MOUNTS = [['/dist/', path.join(ROOT, 'dist')], ['/test/', path.join(ROOT, 'test/e2e')]];
const TYPES = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.mjs': 'text/javascript; charset=utf-8', '.wasm': 'application/wasm' };

async function serveFile(req, res) {
  const { pathname } = new URL(req.url, 'http://localhost');
  const [prefix, dir] = MOUNTS.find(([p]) => pathname.startsWith(p)) || [];
  if (!dir) return res.writeHead(404).end();
  const file = path.join(dir, decodeURIComponent(pathname.slice(prefix.length)));
  if (!file.startsWith(dir + path.sep)) return res.writeHead(403).end();
  try {
    if (!(await stat(file)).isFile()) return res.writeHead(404).end();
    const body = await readFile(file);
    res.writeHead(200, { 'Content-Type': TYPES[path.extname(file)] || 'application/octet-stream', 'Cache-Control': 'no-store' });
    return res.end(body);
  } catch {
    return res.writeHead(404).end();
  }
}

/** Starts datastore-server from bin and resolves with its GraphQL URL. */
function startSyncServer(bin, dataDir) {
  const proc = spawn(bin, ['-schema', SCHEMA_FILE, '-listen', '127.0.0.1:0', '-api-key', API_KEY,
    '-data', dataDir, '-allow-origin', '*'], { stdio: ['ignore', 'pipe', 'pipe'] });
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
let fileServer;
let origin;
let syncServer;
let endpoint;
let browser;

before(async () => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'datastore-sync-e2e-'));
  const bin = path.join(tmp, 'datastore-server');
  execFileSync('go', ['build', '-o', bin, './cmd/datastore-server'], { cwd: ROOT, stdio: 'inherit' });
  syncServer = startSyncServer(bin, tmp);
  endpoint = await syncServer.endpoint;
  fileServer = http.createServer((req, res) => { serveFile(req, res).catch(() => res.writeHead(500).end()); });
  await new Promise((resolve) => fileServer.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${fileServer.address().port}`;
  browser = await chromium.launch({ executablePath: CHROMIUM, args: FLAGS });
});

after(async () => {
  await browser?.close();
  syncServer?.proc.kill();
  if (fileServer) {
    fileServer.closeAllConnections();
    await new Promise((resolve) => fileServer.close(resolve));
  }
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

/**
 * A device: a browser context with a page whose window.dev holds a synced
 * DataStore over the demo schema, every observe message (model, opType,
 * element) and every sync Hub event it saw.
 */
async function device(name, context, { amplifyConfig = false } = {}) {
  context ||= await browser.newContext();
  const page = await context.newPage();
  page.setDefaultTimeout(WAIT);
  page.errors = [];
  page.on('pageerror', (err) => page.errors.push(`${name} pageerror: ${err.stack || err.message}`));
  await page.goto(`${origin}/test/page.html`);
  await page.waitForFunction(() => document.body.dataset.ready === 'true' && !!window.e2e);
  const schema = await readFile(SCHEMA_FILE, 'utf8');
  await page.evaluate(async ({ schema, endpoint, apiKey, amplifyConfig }) => {
    const { createDataStore } = window.e2e.lib;
    const sync = amplifyConfig ? null : { endpoint, apiKey };
    const { DataStore, models } = createDataStore({ schema, databaseName: 'sync-e2e', sync });
    if (amplifyConfig) DataStore.configure({ API: { GraphQL: { endpoint, apiKey, defaultAuthMode: 'apiKey' } } });
    const dev = { DataStore, models, messages: [], events: [], errors: [] };
    DataStore.events.subscribe((e) => { if (e.source === 'sync') dev.events.push({ event: e.event, data: e.data }); });
    DataStore.configure({ errorHandler: (e) => dev.errors.push(e) });
    DataStore.observe().subscribe((m) => dev.messages.push({ model: typeof m.model === 'function' ? m.model.name : m.model, opType: m.opType, element: JSON.parse(JSON.stringify(m.element)) }));
    window.dev = dev;
    await DataStore.start();
  }, { schema, endpoint, apiKey: API_KEY, amplifyConfig });
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
