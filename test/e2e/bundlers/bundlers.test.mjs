// The packed package (npm pack of dist/) in an app built by each bundler,
// with no configuration: Vite's dev server and vite build, webpack 5,
// esbuild and Rollup (these two do not copy assets: the app copies
// datastore.wasm beside its bundle, the one documented line, or passes
// wasmURL), and Node ESM. Each app saves, queries and observes in
// Chromium (Node: over fake-indexeddb). Bundle sizes are printed.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import http from 'node:http';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import { chromium } from 'playwright-core';
import { fixture, makeApp } from './pack.mjs';

const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const TYPES = { '.html': 'text/html', '.js': 'text/javascript', '.mjs': 'text/javascript', '.wasm': 'application/wasm', '.map': 'application/json' };
const MODULE_PAGE = '<!doctype html><meta charset="utf-8"><script type="module" src="./main.js"></script>\n';

let app;
let browser;
const servers = [];

before(async () => {
  app = makeApp('bundlers', {
    'src/main.js': fixture('main.js'),
    'index.html': '<!doctype html><meta charset="utf-8"><script type="module" src="/src/main.js"></script>\n',
  }, ['fake-indexeddb']);
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: FLAGS });
});

after(async () => {
  for (const s of servers) s.close();
  if (browser) await browser.close();
  if (app) app.cleanup();
});

// A static server over dir (a SPA's fallback: unknown paths get index.html,
// as the servers that hide a missing wasm do).
function serve(dir, extra = {}) {
  return new Promise((resolve) => {
    const server = http.createServer(async (req, res) => {
      const { pathname } = new URL(req.url, 'http://localhost');
      const file = extra[pathname] || path.join(dir, pathname === '/' ? 'index.html' : decodeURIComponent(pathname));
      try {
        const s = await stat(file);
        if (!s.isFile()) throw new Error('not a file');
        res.writeHead(200, { 'Content-Type': TYPES[path.extname(file)] || 'application/octet-stream' });
        res.end(await readFile(file));
      } catch {
        res.writeHead(200, { 'Content-Type': 'text/html' });
        res.end(await readFile(path.join(dir, 'index.html')));
      }
    });
    servers.push(server);
    server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${server.address().port}`));
  });
}

async function runPage(url) {
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    const errors = [];
    const requests = [];
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('request', (r) => requests.push(new URL(r.url()).pathname));
    await page.goto(url);
    await page.waitForFunction(() => globalThis.__result, null, { timeout: 30_000 });
    const result = await page.evaluate(() => globalThis.__result);
    assert.equal(result.error, undefined, result.error);
    assert.deepEqual(errors, []);
    return { result, requests };
  } finally {
    await context.close();
  }
}

function assertWorks({ result }) {
  assert.deepEqual(result, { text: 'hello', count: 1, message: 'INSERT hello' });
}

// Sizes of a build's JavaScript and wasm files: raw and gzip.
function sizes(t, dir, tool) {
  const files = [];
  const walk = (d) => {
    for (const f of readdirSync(d)) {
      const p = path.join(d, f);
      if (statSync(p).isDirectory()) walk(p);
      else if (/\.(m?js|wasm)$/.test(f)) files.push(p);
    }
  };
  walk(dir);
  const js = files.filter((f) => !f.endsWith('.wasm'));
  const raw = js.reduce((n, f) => n + statSync(f).size, 0);
  const gz = js.reduce((n, f) => n + gzipSync(readFileSync(f)).length, 0);
  const wasm = files.filter((f) => f.endsWith('.wasm')).map((f) => path.relative(dir, f));
  t.diagnostic(`${tool}: JavaScript ${raw} B (${gz} B gzip) in ${js.length} file(s); wasm: ${wasm.join(', ') || 'none'}`);
  return { raw, wasm };
}

const wasmOf = () => path.join(app.dir, 'node_modules/datastore-wasm/datastore.wasm');

describe('bundlers', () => {
  // Vite 8 rewrites the wasm's URL in pre-bundled deps; Vite 7 leaves it
  // pointing into node_modules/.vite/deps/, where the loader's fallback
  // finds the package's file instead.
  for (const [label, pkg] of [['Vite 8', 'vite'], ['Vite 7', 'vite7']]) {
    it(`${label} dev server (pre-bundling on)`, async () => {
      const { createServer } = await import(pkg);
      rmSync(path.join(app.dir, 'node_modules/.vite'), { recursive: true, force: true }); // the other Vite's pre-bundle
      const server = await createServer({ root: app.dir, configFile: false, logLevel: 'error', server: { host: '127.0.0.1', port: 0 } });
      await server.listen();
      try {
        const run = await runPage(`${server.resolvedUrls.local[0]}?db=${pkg}-dev`);
        assertWorks(run);
        assert.ok(run.requests.some((p) => p.startsWith('/node_modules/.vite/deps/datastore-wasm')), `the package was pre-bundled: ${run.requests.join(' ')}`);
        assert.ok(run.requests.includes('/node_modules/datastore-wasm/datastore.wasm'), `the wasm was fetched from the package: ${run.requests.join(' ')}`);
      } finally {
        await server.close();
      }
    });
  }

  it('vite build', async (t) => {
    const { build } = await import('vite');
    const outDir = path.join(app.dir, 'out-vite');
    await build({ root: app.dir, configFile: false, logLevel: 'error', build: { outDir } });
    const { wasm } = sizes(t, outDir, 'vite build');
    assert.equal(wasm.length, 1, 'vite emits the wasm as a hashed asset');
    assertWorks(await runPage(`${await serve(outDir)}/?db=vite-build`));
  });

  it('webpack 5', async (t) => {
    const { default: webpack } = await import('webpack');
    const outDir = path.join(app.dir, 'out-webpack');
    const stats = await new Promise((resolve, reject) => {
      webpack({ context: app.dir, entry: './src/main.js', mode: 'production', output: { path: outDir, filename: 'main.js' } }, (err, s) => (err ? reject(err) : resolve(s)));
    });
    assert.ok(!stats.hasErrors(), stats.toString('errors-only'));
    const { wasm } = sizes(t, outDir, 'webpack');
    assert.equal(wasm.length, 1, 'webpack emits the wasm as an asset');
    mkdirSync(outDir, { recursive: true });
    const html = path.join(outDir, 'index.html');
    execFileSync('sh', ['-c', `printf '%s' '<!doctype html><meta charset="utf-8"><script src="./main.js"></script>' > "${html}"`]);
    assertWorks(await runPage(`${await serve(outDir)}/?db=webpack`));
  });

  it('esbuild (the wasm copied beside the bundle)', async (t) => {
    const esbuild = await import('esbuild');
    const outDir = path.join(app.dir, 'out-esbuild');
    await esbuild.build({ absWorkingDir: app.dir, entryPoints: ['src/main.js'], bundle: true, format: 'esm', minify: true, outdir: outDir, logLevel: 'error' });
    execFileSync('sh', ['-c', `printf '%s' '${MODULE_PAGE}' > "${outDir}/index.html"`]);
    sizes(t, outDir, 'esbuild');
    copyFileSync(wasmOf(), path.join(outDir, 'datastore.wasm'));
    assertWorks(await runPage(`${await serve(outDir)}/?db=esbuild`));
  });

  it('esbuild with wasmURL (the wasm at a hashed URL of the app)', async () => {
    const outDir = path.join(app.dir, 'out-esbuild-url');
    const esbuild = await import('esbuild');
    await esbuild.build({ absWorkingDir: app.dir, entryPoints: ['src/main.js'], bundle: true, format: 'esm', outdir: outDir, logLevel: 'error' });
    execFileSync('sh', ['-c', `printf '%s' '${MODULE_PAGE}' > "${outDir}/index.html"`]);
    const origin = await serve(outDir, { '/assets/datastore.3f2a9c.wasm': wasmOf() });
    assertWorks(await runPage(`${origin}/?db=esbuild-url&wasmURL=/assets/datastore.3f2a9c.wasm`));
  });

  it('a bundle whose wasm is not served says what to do', async () => {
    const origin = await serve(path.join(app.dir, 'out-esbuild-url'));
    const context = await browser.newContext();
    try {
      const page = await context.newPage();
      await page.goto(`${origin}/?db=missing`);
      await page.waitForFunction(() => globalThis.__result, null, { timeout: 30_000 });
      const { error } = await page.evaluate(() => globalThis.__result);
      assert.match(error, /datastore\.wasm is not datastore\.wasm \(the server answered with a page, likely index\.html/);
      assert.match(error, /pass its URL: await createDataStore\(\{ schema, wasmURL \}\)/);
    } finally {
      await context.close();
    }
  });

  it('Rollup (the wasm copied beside the bundle)', async (t) => {
    const { rollup } = await import('rollup');
    const { nodeResolve } = await import('@rollup/plugin-node-resolve');
    const outDir = path.join(app.dir, 'out-rollup');
    const bundle = await rollup({ input: path.join(app.dir, 'src/main.js'), plugins: [nodeResolve({ browser: true, rootDir: app.dir })], onwarn: () => {} });
    await bundle.write({ dir: outDir, format: 'es' });
    await bundle.close();
    execFileSync('sh', ['-c', `printf '%s' '${MODULE_PAGE}' > "${outDir}/index.html"`]);
    sizes(t, outDir, 'rollup');
    copyFileSync(wasmOf(), path.join(outDir, 'datastore.wasm'));
    assertWorks(await runPage(`${await serve(outDir)}/?db=rollup`));
  });

  it('Node ESM (fake-indexeddb)', () => {
    const script = "import 'fake-indexeddb/auto'; import { run } from './src/main.js'; console.log(JSON.stringify(await run()));";
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], { cwd: app.dir, encoding: 'utf8' });
    assertWorks({ result: JSON.parse(out.trim().split('\n').pop()) });
  });
});
