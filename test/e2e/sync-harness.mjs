// The Node side of the datastore-wasm sync tests that run against a
// datastore-server process (sync-durability, sync-soak, sync-interop):
//
//   const site = await serveWasmSite();                       // dist/ and test/e2e/ on http://127.0.0.1:PORT
//   const server = new SyncServer({ bin, dir, db, schema });  // amplify/harness.mjs: -dev-tls, restart() keeps the port
//   const browser = await launchChromium();                   // amplify/harness.mjs (ignores the dev certificate)
//   const a = await openWasmDevice(browser, site.origin, server, { name: 'A', sdl });
//   await a.run(async (arg) => window.dev.DataStore.save(new window.dev.models.Post({ ... })), arg);
//   await a.waitEvent('outboxStatus', { isEmpty: true });
//   const rows = await serverRecords(server, 'Post', POST_FIELDS);
//
// A device is one browser context (its own IndexedDB: one device) with a
// page whose window.dev holds a DataStore created with { sync } against the
// server, and everything it saw: observe messages, sync Hub events, the
// errorHandler's errors. Every wait awaits a condition in the page with a
// deadline; a failure says what the page saw instead.
import { readFile, stat } from 'node:fs/promises';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const WAIT = 30_000; // generous: the machine is shared

const MOUNTS = [['/dist/', path.join(ROOT, 'dist')], ['/test/', path.join(ROOT, 'test/e2e')]];
const TYPES = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.mjs': 'text/javascript; charset=utf-8', '.wasm': 'application/wasm' };

/** Serves dist/ at /dist/ and test/e2e/ at /test/ (page.html loads the package). */
export function serveWasmSite() {
  const server = http.createServer(async (req, res) => {
    const { pathname } = new URL(req.url, 'http://localhost');
    const [prefix, dir] = MOUNTS.find(([p]) => pathname.startsWith(p)) || [];
    if (!dir) return res.writeHead(404).end();
    const file = path.join(dir, decodeURIComponent(pathname.slice(prefix.length)));
    if (!file.startsWith(dir + path.sep)) return res.writeHead(403).end();
    try {
      if (!(await stat(file)).isFile()) return res.writeHead(404).end();
      const body = await readFile(file);
      return res.writeHead(200, { 'Content-Type': TYPES[path.extname(file)] || 'application/octet-stream', 'Cache-Control': 'no-store' }).end(body);
    } catch {
      return res.writeHead(404).end();
    }
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve({
      origin: `http://127.0.0.1:${server.address().port}`,
      close: () => {
        server.closeAllConnections();
        return new Promise((r) => server.close(r));
      },
    }));
  });
}

// Runs in the page: creates the synced DataStore and window.dev, and starts it.
async function startInPage({ sdl, endpoint, apiKey, databaseName }) {
  const { createDataStore } = window.e2e.lib;
  const { DataStore, models } = createDataStore({ schema: sdl, databaseName, outbox: true, sync: { endpoint, apiKey } });
  const dev = { DataStore, models, messages: [], events: [], errors: [] };
  DataStore.events.subscribe((e) => { if (e.source === 'sync') dev.events.push({ event: e.event, data: e.data }); });
  DataStore.configure({ errorHandler: (e) => dev.errors.push(e) });
  DataStore.observe().subscribe((m) => dev.messages.push({
    model: typeof m.model === 'function' ? m.model.name : m.model, opType: m.opType, element: JSON.parse(JSON.stringify(m.element)),
  }));
  // The outbox is empty once the engine's last outboxStatus said so and no write is waiting to be ingested.
  dev.outboxEmpty = async () => {
    const last = dev.events.findLast((e) => e.event === 'outboxStatus');
    return !!last && last.data.isEmpty && (await DataStore.outbox.read()).length === 0;
  };
  window.dev = dev;
  await DataStore.start();
}

/**
 * Opens a device: a browser context of its own (or context, for a second
 * tab), page.html, and a DataStore over sdl synced with server. It resolves
 * once the DataStore has started (not necessarily synced: await
 * device.waitEvent('ready')).
 */
export async function openWasmDevice(browser, origin, server, { name = 'device', sdl, databaseName = 'sync-e2e', context } = {}) {
  const ownContext = !context;
  context ||= await browser.newContext({ ignoreHTTPSErrors: true });
  const page = await context.newPage();
  const dev = new WasmDevice(name, context, page, { origin, sdl, databaseName, endpoint: server.endpoint, apiKey: server.apiKey, ownContext });
  await dev.load();
  return dev;
}

/** One datastore-wasm page synced with a server; see openWasmDevice. */
export class WasmDevice {
  constructor(name, context, page, options) {
    Object.assign(this, { name, context, page, options });
    this.pageErrors = [];
    page.setDefaultTimeout(WAIT);
    page.on('pageerror', (err) => this.pageErrors.push(`${name} pageerror: ${err.stack || err.message}`));
  }

  async load() {
    await this.page.goto(`${this.options.origin}/test/page.html`);
    await this.page.waitForFunction(() => document.body.dataset.ready === 'true' && !!window.e2e);
    const { sdl, endpoint, apiKey, databaseName } = this.options;
    await this.page.evaluate(startInPage, { sdl, endpoint, apiKey, databaseName });
  }

  /** Reloads the page (what the DataStore had not sent stays in IndexedDB) and starts the DataStore again. */
  async reload() {
    await this.page.reload({ waitUntil: 'load' });
    await this.page.waitForFunction(() => document.body.dataset.ready === 'true' && !!window.e2e);
    const { sdl, endpoint, apiKey, databaseName } = this.options;
    await this.page.evaluate(startInPage, { sdl, endpoint, apiKey, databaseName });
  }

  /** Runs fn(arg) in the page (page.evaluate): window.dev has the DataStore and its models. */
  run(fn, arg) {
    return this.page.evaluate(fn, arg);
  }

  /** Counts the sync events named event whose data has every field of data. */
  countEvents(event, data = {}) {
    return this.page.evaluate(({ event, data }) => window.dev.events.filter((e) => e.event === event
      && Object.entries(data).every(([k, v]) => e.data && e.data[k] === v)).length, { event, data });
  }

  /** Waits for at least min sync events named event whose data has every field of data. */
  async waitEvent(event, data = {}, { min = 1, timeout = WAIT } = {}) {
    try {
      await this.page.waitForFunction(({ event, data, min }) => window.dev.events.filter((e) => e.event === event
        && Object.entries(data).every(([k, v]) => e.data && e.data[k] === v)).length >= min, { event, data, min }, { timeout, polling: 50 });
    } catch (err) {
      throw new Error(`${this.name} waited for ${min} × ${event} ${JSON.stringify(data)}: ${err.message}\n${await this.describe()}`);
    }
  }

  /** Waits until the device saw an observe message matching (model, opType, every field of fields). */
  async waitMessage(model, opType, fields, { timeout = WAIT } = {}) {
    try {
      await this.page.waitForFunction(({ model, opType, fields }) => window.dev.messages.some((m) => m.model === model && m.opType === opType
        && Object.entries(fields).every(([k, v]) => m.element[k] === v)), { model, opType, fields }, { timeout, polling: 50 });
    } catch (err) {
      throw new Error(`${this.name} waited for ${model} ${opType} ${JSON.stringify(fields)}: ${err.message}\n${await this.describe()}`);
    }
  }

  /** Every record of model in this device's DataStore, as plain objects sorted by id. */
  records(model) {
    return this.page.evaluate(async (model) => {
      const { DataStore, models } = window.dev;
      const all = await DataStore.query(models[model]);
      return JSON.parse(JSON.stringify(all)).sort((x, y) => (x.id < y.id ? -1 : x.id > y.id ? 1 : 0));
    }, model);
  }

  /** True once the engine reported an empty outbox and the mutation log is empty. */
  outboxEmpty() {
    return this.page.evaluate(() => window.dev.outboxEmpty());
  }

  /**
   * The errorHandler's errors and the page's uncaught errors, as text (''
   * when none); expected(e) leaves out the errors a test expects.
   */
  async problems(expected = () => false) {
    const errors = (await this.page.evaluate(() => window.dev?.errors ?? []).catch(() => [])).filter((e) => !expected(e));
    return [...errors.map((e) => `${this.name} errorHandler: ${JSON.stringify(e)}`), ...this.pageErrors].join('\n');
  }

  /** What the page saw lately, for an assertion message. */
  async describe() {
    const seen = await this.page.evaluate(() => JSON.stringify({
      messages: window.dev.messages.slice(-5), events: window.dev.events.slice(-10), errors: window.dev.errors.slice(-5),
    })).catch((err) => `(page unreadable: ${err.message})`);
    return `--- ${this.name} saw: ${seen}\n${this.pageErrors.join('\n')}`;
  }

  close() {
    return this.options.ownContext ? this.context.close() : this.page.close();
  }
}

/**
 * Every record of model on the server, tombstones included, read with the
 * sync query (syncPosts) in pages, sorted by id. fields are the selection
 * (the metadata fields are added).
 */
export async function serverRecords(server, model, pluralName, fields) {
  const query = `query Sync($limit: Int, $nextToken: String) { sync${pluralName}(limit: $limit, nextToken: $nextToken) {
    items { ${fields.join(' ')} _version _deleted _lastChangedAt } nextToken startedAt } }`;
  const out = [];
  let nextToken = null;
  do {
    const res = await server.graphql(query, { limit: 1000, nextToken });
    if (res.errors || !res.data) throw new Error(`sync${pluralName} on the server: ${JSON.stringify(res).slice(0, 1000)}`);
    const page = res.data[`sync${pluralName}`];
    out.push(...page.items);
    nextToken = page.nextToken;
  } while (nextToken);
  return out.sort((x, y) => (x.id < y.id ? -1 : x.id > y.id ? 1 : 0));
}

/**
 * Polls check() (an async function returning true, or a string that says
 * what is still wrong) every interval ms until it returns true; throws what
 * it last said after timeout ms.
 */
export async function until(check, { timeout = WAIT, interval = 200, what = 'a condition' } = {}) {
  const deadline = Date.now() + timeout;
  let last;
  for (;;) {
    last = await check();
    if (last === true) return;
    if (Date.now() > deadline) throw new Error(`${what} did not hold within ${timeout} ms: ${typeof last === 'string' ? last : JSON.stringify(last)}`);
    await new Promise((r) => setTimeout(r, interval));
  }
}
