// The Node side of amplify-sync.test.mjs, reusable by any test that runs
// Amplify's own JavaScript client against datastore-server:
//
//   const bundle = await buildBundle(tmp);                // esbuild: entry.mjs → amplify.js
//   const site = await servePage(bundle);                 // page.html + amplify.js on http://127.0.0.1:PORT
//   const bin = await serverBinary(tmp);                  // go build ./cmd/datastore-server (or $DATASTORE_SERVER_BIN)
//   const server = new SyncServer({ bin, dir, db });      // -schema blog.graphql -dev-tls -api-key …
//   await server.start();                                 // parses the graphql:/realtime: lines; restart() keeps the port
//   const browser = await launchChromium();
//   const a = await openClient(browser, site.origin, server);  // a browser context of its own, DataStore ready
//   await a.create('Post', {...}); await b.waitFor({ kind: 'observe', ... });
//
// Every client records its traffic (GraphQL requests and responses, WebSocket
// frames, console warnings); a.describe() formats the recent part for an
// assertion message, so a failure against the server shows what went over
// the wire.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import http from 'node:http';
import https from 'node:https';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const HERE = path.dirname(fileURLToPath(import.meta.url));
export const ROOT = path.resolve(HERE, '../../..');
export const API_KEY = 'da2-e2e-local-key';

/**
 * The schemas of the scenarios: server, the file datastore-server reads
 * (-schema: SDL or codegen's introspection JSON); client, the models as
 * Amplify codegen writes them, for initSchema in the page.
 */
export const SCHEMAS = {
  blog: { server: path.join(HERE, 'blog.graphql'), client: path.join(HERE, 'blog.schema.json') },
  keys: { server: path.join(HERE, 'keys.schema.json'), client: path.join(HERE, 'keys.schema.json') },
  fieldTypes: { server: path.join(HERE, 'field-types.schema.json'), client: path.join(HERE, 'field-types.schema.json') },
};

const CHROMIUM = '/usr/bin/chromium';
const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
  // datastore-server -dev-tls makes a self-signed certificate; Amplify v6 always opens wss://.
  '--ignore-certificate-errors'];

/** Bundles entry.mjs (Amplify and the blog models) for the browser into dir/amplify.js. */
export async function buildBundle(dir) {
  const esbuild = await import('esbuild');
  const outfile = path.join(dir, 'amplify.js');
  await esbuild.build({
    entryPoints: [path.join(HERE, 'entry.mjs')],
    outfile,
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    sourcemap: 'inline',
    logLevel: 'warning',
    define: { global: 'globalThis', 'process.env.NODE_ENV': '"production"' },
  });
  return dir;
}

/** Serves page.html at / and the bundle of dir at /amplify.js on 127.0.0.1 (a random port). */
export function servePage(dir) {
  const files = {
    '/': [path.join(HERE, 'page.html'), 'text/html; charset=utf-8'],
    '/amplify.js': [path.join(dir, 'amplify.js'), 'text/javascript; charset=utf-8'],
  };
  const server = http.createServer(async (req, res) => {
    const { pathname } = new URL(req.url, 'http://localhost');
    const file = files[pathname];
    if (!file) return res.writeHead(404).end();
    try {
      const body = await readFile(file[0]);
      res.writeHead(200, { 'Content-Type': file[1], 'Content-Length': body.length, 'Cache-Control': 'no-store' }).end(body);
    } catch (err) {
      res.writeHead(500).end(String(err));
    }
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve({
      origin: `http://127.0.0.1:${server.address().port}`,
      close: () => new Promise((r) => server.close(r)),
    }));
  });
}

function run(cmd, args, opts) {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { ...opts, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => { out += d; });
    child.stderr.on('data', (d) => { out += d; });
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`${cmd} ${args.join(' ')} exited ${code}:\n${out}`))));
  });
}

/**
 * The datastore-server binary: $DATASTORE_SERVER_BIN if set, else built from
 * ./cmd/datastore-server into dir. Resolves with { bin }, or with { skip }
 * (a reason) when the repo has no ./cmd/datastore-server.
 */
export async function serverBinary(dir) {
  if (process.env.DATASTORE_SERVER_BIN) return { bin: process.env.DATASTORE_SERVER_BIN };
  if (!existsSync(path.join(ROOT, 'cmd/datastore-server'))) {
    return { skip: 'no ./cmd/datastore-server in this repo (the sync server of issue 12); set DATASTORE_SERVER_BIN to test a built one' };
  }
  const bin = path.join(dir, 'datastore-server');
  await run(process.env.GO || 'go', ['build', '-o', bin, './cmd/datastore-server'], { cwd: ROOT });
  return { bin };
}

/**
 * A database of its own on the PostgreSQL server of url (a postgres:// URL),
 * made with psql, so that a test sees no rows of other tests that share the
 * server. Resolves with { url, drop() }; without psql on PATH, with url
 * itself and a drop that does nothing.
 */
export async function freshPostgresDatabase(url, name) {
  const psql = (sql) => run('psql', ['-X', '-q', '-v', 'ON_ERROR_STOP=1', url, '-c', sql], {});
  try {
    await run('psql', ['--version'], {});
  } catch {
    return { url, drop: async () => {} };
  }
  const db = `${name}_${process.pid}_${Date.now().toString(36)}`.toLowerCase().replace(/[^a-z0-9_]/g, '_');
  await psql(`CREATE DATABASE ${db}`);
  const own = new URL(url);
  own.pathname = `/${db}`;
  return { url: own.toString(), drop: () => psql(`DROP DATABASE IF EXISTS ${db} WITH (FORCE)`) };
}

/**
 * One datastore-server process over a database that outlives it: start(),
 * stop(), restart() (same port, same database), graphql() to query it from
 * Node. dir is its working folder (the dev certificate and SQLite file go
 * there); db is a file path or a postgres:// URL; args are extra flags.
 */
export class SyncServer {
  constructor({ bin, dir, db, args = [], apiKey = API_KEY, schema = SCHEMAS.blog.server }) {
    Object.assign(this, { bin, dir, db, args, apiKey, schema });
    this.port = 0;
    this.output = '';
    this.child = null;
  }

  async start() {
    const argv = ['-schema', this.schema, '-listen', `127.0.0.1:${this.port}`, '-api-key', this.apiKey,
      '-db', this.db, '-dev-tls', ...this.args];
    const child = spawn(this.bin, argv, { cwd: this.dir, stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    this.exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
    child.stderr.on('data', (d) => { this.output += d; });
    let stdout = '';
    await new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`datastore-server printed no graphql: line within 30 s; output:\n${this.output}`)), 30_000);
      child.stdout.on('data', (d) => {
        this.output += d;
        stdout += d;
        const m = /^graphql:\s*(https:\/\/\S+)/m.exec(stdout);
        if (m) {
          clearTimeout(timer);
          this.endpoint = m[1];
          const rt = /^realtime:\s*(wss:\/\/\S+)/m.exec(stdout);
          if (rt) this.realtime = rt[1];
          resolve();
        }
      });
      child.once('error', (err) => { clearTimeout(timer); reject(err); });
      this.exited.then(({ code, signal }) => {
        clearTimeout(timer);
        reject(new Error(`datastore-server ${argv.join(' ')} exited (${code ?? signal}) before printing its endpoint:\n${this.output}`));
      });
    });
    this.port = Number(new URL(this.endpoint).port);
    return this;
  }

  /** Stops the process (SIGTERM, SIGKILL after 5 s) and resolves when it has exited. */
  async stop() {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const kill = setTimeout(() => child.kill('SIGKILL'), 5_000);
    await this.exited;
    clearTimeout(kill);
    this.child = null;
  }

  /**
   * Another server process over the same database and data folder, on a
   * port of its own (not started): for writes that no client of this one
   * can receive live.
   */
  sibling() {
    const { bin, dir, db, args, apiKey, schema } = this;
    return new SyncServer({ bin, dir, db, args, apiKey, schema });
  }

  /** Stops and starts again on the same port over the same database. */
  async restart() {
    await this.stop();
    return this.start();
  }

  /** Posts one GraphQL operation with the API key; resolves with the parsed body. */
  graphql(query, variables = {}) {
    const body = JSON.stringify({ query, variables });
    const url = new URL(this.endpoint);
    return new Promise((resolve, reject) => {
      const req = https.request({
        hostname: url.hostname, port: url.port, path: url.pathname, method: 'POST', rejectUnauthorized: false,
        headers: { 'content-type': 'application/json', 'x-api-key': this.apiKey, 'content-length': Buffer.byteLength(body) },
      }, (res) => {
        let text = '';
        res.on('data', (d) => { text += d; });
        res.on('end', () => {
          try {
            resolve({ status: res.statusCode, ...JSON.parse(text) });
          } catch {
            reject(new Error(`POST ${this.endpoint} answered ${res.statusCode} with no JSON: ${text.slice(0, 500)}`));
          }
        });
      });
      req.once('error', reject);
      req.end(body);
    });
  }
}

/** Headless Chromium (the Debian one; nothing downloads a browser). */
export function launchChromium() {
  return chromium.launch({ executablePath: CHROMIUM, args: FLAGS, headless: true });
}

const PAGE_METHODS = ['create', 'createSynced', 'update', 'remove', 'get', 'list', 'mark', 'entries'];

/**
 * Opens the page in a browser context of its own (its own IndexedDB, so
 * its own DataStore), starts Amplify against server and resolves with a
 * client once DataStore is ready. The client's methods call
 * window.amplifyClient's in the page (entry.mjs). options: name (in
 * messages), schema (the codegen JSON file of the models), dataStore
 * (DataStore.configure), prepare(context) (before the page opens, for
 * example to route its traffic).
 */
export async function openClient(browser, origin, server, { name = 'page', schema = SCHEMAS.blog.client, dataStore = {}, prepare } = {}) {
  const models = JSON.parse(await readFile(schema, 'utf8'));
  const context = await browser.newContext({ ignoreHTTPSErrors: true });
  if (prepare) await prepare(context);
  const page = await context.newPage();
  const client = new AmplifyClient(name, context, page);
  try {
    await page.goto(`${origin}/`);
    await page.waitForFunction(() => window.amplifyClient !== undefined, null, { timeout: 20_000 });
    await page.evaluate((cfg) => window.amplifyClient.start(cfg),
      { schema: models, endpoint: server.endpoint, apiKey: server.apiKey, dataStore });
    // DataStore's 'ready' can come before the server has acknowledged its subscriptions;
    // a change made before then would reach this page only at its next sync.
    await client.subscribed(0, Object.values(models.models).filter((m) => m.syncable).length);
  } catch (err) {
    const message = `${name}: DataStore did not start against ${server.endpoint}: ${err.message}\n${client.describe()}`;
    await context.close();
    throw new Error(message);
  }
  return client;
}

/** One page of Amplify's client; see openClient. */
export class AmplifyClient {
  constructor(name, context, page) {
    Object.assign(this, { name, context, page });
    this.traffic = []; // { at, kind: 'http'|'ws'|'console', ... } in order
    this.pending = new Set(); // response bodies still being read
    page.on('request', (req) => {
      if (req.method() !== 'POST' || !req.url().endsWith('/graphql')) return;
      const entry = { at: Date.now(), kind: 'http', url: req.url(), request: req.postDataJSON() };
      this.traffic.push(entry);
      const done = req.response().then(async (res) => {
        if (!res) return;
        entry.status = res.status();
        entry.response = await res.json().catch(() => res.text().catch(() => null));
      }).catch(() => {}).finally(() => this.pending.delete(done));
      this.pending.add(done);
    });
    page.on('requestfailed', (req) => {
      const entry = this.traffic.findLast((e) => e.kind === 'http' && e.url === req.url() && !e.status);
      if (entry) entry.failure = req.failure()?.errorText;
    });
    page.on('websocket', (ws) => {
      const url = ws.url();
      const push = (dir) => (frame) => this.traffic.push({ at: Date.now(), kind: 'ws', url, dir, payload: frame.payload });
      this.traffic.push({ at: Date.now(), kind: 'ws', url, dir: 'open' });
      ws.on('framesent', push('sent'));
      ws.on('framereceived', push('received'));
      ws.on('socketerror', (error) => this.traffic.push({ at: Date.now(), kind: 'ws', url, dir: 'error', payload: String(error) }));
      ws.on('close', () => this.traffic.push({ at: Date.now(), kind: 'ws', url, dir: 'close' }));
    });
    page.on('console', (msg) => {
      if (msg.type() === 'warning' || msg.type() === 'error') {
        this.traffic.push({ at: Date.now(), kind: 'console', type: msg.type(), text: msg.text() });
      }
    });
    page.on('pageerror', (err) => this.traffic.push({ at: Date.now(), kind: 'console', type: 'pageerror', text: String(err) }));
    for (const m of PAGE_METHODS) {
      this[m] = (...args) => page.evaluate(([method, a]) => window.amplifyClient[method](...a), [m, args]);
    }
  }

  /**
   * Resolves with the count-th (first) DataStore log entry (entry.mjs)
   * matching matcher, from index since on; the caller adds describe() to a
   * failure.
   */
  async waitFor(matcher, { timeout = 30_000, since = 0, count = 1 } = {}) {
    try {
      return await this.page.evaluate(([m, t, s, n]) => window.amplifyClient.waitFor(m, t, s, n), [matcher, timeout, since, count]);
    } catch (err) {
      throw new Error(`${this.name}: ${err.message.replace(/^page\.evaluate: (Error: )?/, '')}`);
    }
  }

  /**
   * Resolves once the server has acknowledged (start_ack) the three
   * subscriptions of each of models synced models, counted from log index
   * since: after a start, or after a reconnect (since = a mark before it).
   */
  subscribed(since, models) {
    return this.waitFor({ kind: 'subscribed' }, { since, count: 3 * models });
  }

  /** Goes offline or online (navigator.onLine and the network, as DataStore sees them). */
  setOffline(offline) {
    return this.context.setOffline(offline);
  }

  /**
   * The GraphQL operations this page sent, optionally only those of one
   * field (syncPosts, deletePost), once every answer that has arrived is read.
   */
  async requests(field = '') {
    await Promise.all(this.pending);
    return this.traffic.filter((e) => e.kind === 'http' && (!field || operationField(e.request?.query) === field));
  }

  /** The recent traffic, one line each, for an assertion message. */
  describe(last = 40) {
    const lines = this.traffic.slice(-last).map((e) => {
      const t = new Date(e.at).toISOString().slice(11, 23);
      if (e.kind === 'http') {
        const op = operationField(e.request?.query);
        return `${t} http ${op} ${JSON.stringify(e.request?.variables)} -> ${e.status ?? e.failure ?? 'pending'} ${clip(JSON.stringify(e.response))}`;
      }
      if (e.kind === 'ws') return `${t} ws ${e.dir} ${e.dir === 'open' ? e.url : clip(e.payload ?? '')}`;
      return `${t} ${e.type} ${clip(e.text)}`;
    });
    return `--- ${this.name}: last ${lines.length} of ${this.traffic.length} traffic entries ---\n${lines.join('\n')}`;
  }

  close() {
    return this.context.close();
  }
}

/** The first field of a GraphQL document (syncPosts, createPost, …): what it does. */
export function operationField(query = '') {
  return /\{\s*(\w+)/.exec(query)?.[1] ?? '?';
}

function clip(s, n = 400) {
  s = String(s);
  return s.length > n ? `${s.slice(0, n)}…` : s;
}
