// Amplify's own JavaScript client (aws-amplify v6, @aws-amplify/datastore v5,
// pinned in package.json) syncing through datastore-server (issue 12, item 7),
// in headless Chromium: two pages in two browser contexts on one server, the
// blog schema (Post has many Comment), over SQLite, and over PostgreSQL when
// DATASTORE_TEST_POSTGRES holds a postgres:// URL.
//
// Each scenario (amplify/scenarios.mjs) gets a server of its own on a fresh
// database (a SQLite file; on PostgreSQL a database made with psql, when
// psql is there) and two fresh browser contexts. The
// server is built from ./cmd/datastore-server (DATASTORE_SERVER_BIN
// overrides that); the test skips only when the repo has no
// ./cmd/datastore-server. amplify/harness.mjs has the parts.
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  ROOT, SCHEMAS, buildBundle, freshPostgresDatabase, launchChromium, openClient, serverBinary, servePage, SyncServer,
} from './amplify/harness.mjs';
import { assertClean, scenarios } from './amplify/scenarios.mjs';

const SKIP = !process.env.DATASTORE_SERVER_BIN && !existsSync(path.join(ROOT, 'cmd/datastore-server'))
  ? 'no ./cmd/datastore-server in this repo (the sync server of issue 12); set DATASTORE_SERVER_BIN to test a built one'
  : false;

// Each store gives a scenario a database of its own: { db, drop() }.
const STORES = [{ name: 'SQLite', open: async (dir) => ({ db: path.join(dir, 'datastore.db'), drop: async () => {} }) }];
if (process.env.DATASTORE_TEST_POSTGRES) {
  STORES.push({
    name: 'PostgreSQL',
    open: async (dir) => {
      const { url, drop } = await freshPostgresDatabase(process.env.DATASTORE_TEST_POSTGRES, `amplify_${path.basename(dir)}`);
      return { db: url, drop };
    },
  });
}

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
 * Runs scenario.run({ server, a, b }) on a server of its own with two pages,
 * then checks that neither page met an error, and closes everything. A
 * failure carries both pages' recent traffic and the server's output.
 */
async function runScenario(store, scenario) {
  const dir = await mkdtemp(path.join(tmp, `${scenario.slug}-`));
  const database = await store.open(dir);
  const schema = SCHEMAS[scenario.schema ?? 'blog'];
  const server = new SyncServer({ bin, dir, db: database.db, args: scenario.serverArgs, schema: schema.server });
  const clients = [];
  try {
    await server.start();
    // open: one more page (options of openClient, and server: another process), closed after.
    const open = async (name, { server: on = server, ...options } = {}) => {
      const c = await openClient(browser, site.origin, on, { name, schema: schema.client, ...options });
      clients.push(c);
      return c;
    };
    const a = await open('A');
    const b = await open('B');
    await scenario.run({ server, a, b, open });
    for (const c of clients) await assertClean(c, scenario.expectedErrors);
  } catch (err) {
    err.message += `\n${clients.map((c) => c.describe()).join('\n')}\n--- datastore-server output ---\n${server.output.slice(-4000)}`;
    throw err;
  } finally {
    await Promise.all(clients.map((c) => c.close()));
    await server.stop();
    await database.drop();
  }
}

for (const store of STORES) {
  describe(`Amplify DataStore v5 syncs through datastore-server (${store.name})`, { skip: SKIP }, () => {
    for (const scenario of scenarios.filter((sc) => !sc.stores || sc.stores.includes(store.name))) {
      it(scenario.name, { timeout: scenario.timeout }, () => runScenario(store, scenario));
    }
  });
}
