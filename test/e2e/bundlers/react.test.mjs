// datastore-wasm/react in a React app bundled from the packed package, in
// Chromium: loading then ready, live updates from this tab and from
// another tab on the same database, a new read when a predicate's dep
// changes, and a failing query's error state. A live update must arrive
// well inside observeQuery's 2 s batching window: the hooks do not batch.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import http from 'node:http';
import path from 'node:path';
import { after, before, it } from 'node:test';
import { chromium } from 'playwright-core';
import { fixture, makeApp } from './pack.mjs';

const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const LIVE = 1500; // ms a live update may take: less than the 2000 ms of observeQuery's window

let app;
let server;
let origin;
let browser;

before(async () => {
  app = makeApp('react', { 'src/app.js': fixture('react-app.js') }, ['react', 'react-dom', 'scheduler']);
  const esbuild = await import('esbuild');
  const out = path.join(app.dir, 'out');
  // React reads process.env.NODE_ENV; the define is React's, not the package's.
  await esbuild.build({ absWorkingDir: app.dir, entryPoints: ['src/app.js'], bundle: true, format: 'esm', outdir: out, logLevel: 'error', define: { 'process.env.NODE_ENV': '"production"' } });
  const files = {
    '/': ['text/html', '<!doctype html><meta charset="utf-8"><div id="root"></div><script type="module" src="/app.js"></script>'],
    '/app.js': ['text/javascript', await readFile(path.join(out, 'app.js'))],
    '/datastore.wasm': ['application/wasm', await readFile(path.join(app.dir, 'node_modules/datastore-wasm/datastore.wasm'))],
  };
  server = http.createServer((req, res) => {
    const [type, body] = files[new URL(req.url, 'http://x').pathname] || [];
    res.writeHead(body ? 200 : 404, type ? { 'Content-Type': type } : {}).end(body);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${server.address().port}`;
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: FLAGS });
});

after(async () => {
  if (browser) await browser.close();
  if (server) server.close();
  if (app) app.cleanup();
});

const items = (page) => page.$$eval('#list li', (lis) => lis.map((li) => li.textContent));
const waitItems = (page, want, timeout) => page.waitForFunction(
  (w) => JSON.stringify([...document.querySelectorAll('#list li')].map((li) => li.textContent)) === w,
  JSON.stringify(want), { timeout },
);

it('hooks: loading, live updates from this tab and another, deps, errors', async () => {
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(origin);
    await page.waitForFunction(() => document.querySelector('#state')?.textContent === 'ready');
    assert.equal(await page.evaluate(() => globalThis.app.states[0]), 'loading');
    assert.deepEqual(await items(page), []);
    assert.equal(await page.textContent('#once'), '0');

    await page.evaluate(() => globalThis.app.save('b', 1));
    await waitItems(page, ['b'], LIVE);

    const other = await context.newPage();
    await other.goto(origin);
    await other.waitForFunction(() => document.querySelector('#state')?.textContent === 'ready');
    await other.evaluate(() => globalThis.app.save('a', 3));
    await waitItems(page, ['a', 'b'], LIVE);
    await waitItems(other, ['a', 'b'], LIVE);

    await page.evaluate(() => globalThis.app.setMin(2));
    await waitItems(page, ['a'], LIVE);
    await other.evaluate(() => globalThis.app.save('c', 5));
    await waitItems(page, ['a', 'c'], LIVE);
    assert.equal(await page.textContent('#once'), '0', 'useQuery reads once: writes do not change it');

    await page.waitForFunction(() => document.querySelector('#failing')?.textContent !== 'loading');
    assert.match(await page.textContent('#failing'), /nope/);
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});
