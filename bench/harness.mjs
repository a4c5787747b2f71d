// What the bench's Chromium tools share (bench/profile.mjs,
// bench/timeline.mjs, bench/batch-phases.mjs, bench/ab.mjs,
// bench/cascade-phases.mjs, bench/save-parts.mjs,
// bench/request-costs.mjs): their options, a server of bench/ and a dist/
// directory on 127.0.0.1, and Chromium opened on bench/page.html with
// window.bench ready.
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

/** The repository's root. */
export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/**
 * Headers that make a page cross-origin isolated, so that its
 * performance.now() counts in 5 µs steps rather than 100 µs ones.
 */
export const ISOLATED = { 'cross-origin-opener-policy': 'same-origin', 'cross-origin-embedder-policy': 'require-corp' };

/** The median of xs (the upper one of an even count). */
export const median = (xs) => [...xs].sort((x, y) => x - y)[xs.length >> 1];

/** The value of the command line's --name=value, or def. */
export function option(name, def) {
  const a = process.argv.slice(2).find((x) => x.startsWith(`--${name}=`));
  return a ? a.slice(name.length + 3) : def;
}

const TYPES = { '.html': 'text/html', '.js': 'text/javascript', '.mjs': 'text/javascript', '.wasm': 'application/wasm' };

// serve answers /dist/... from dist and the rest from the repository, with
// headers added to every answer.
function serve(dist, headers) {
  const server = http.createServer((req, res) => {
    const url = new URL(req.url, 'http://x').pathname;
    const file = url.startsWith('/dist/') ? path.join(dist, url.slice(6)) : path.join(ROOT, url);
    if (!file.startsWith(ROOT) && !file.startsWith(dist)) { res.writeHead(403).end(); return; }
    fs.readFile(file, (err, body) => {
      if (err) { res.writeHead(404).end(); return; }
      res.writeHead(200, { 'content-type': TYPES[path.extname(file)] || 'application/octet-stream', 'cache-control': 'no-store', ...headers }).end(body);
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

/**
 * Opens bench/page.html in a fresh Chromium profile, with the module from
 * dist, and waits for window.bench; initScript (a function) runs in the
 * page before its scripts. Resolves with {page, close}; close() ends the
 * browser and the server and removes the profile.
 */
export async function openBenchPage({ dist, headers = {}, initScript = null }) {
  const server = await serve(dist, headers);
  const profileDir = fs.mkdtempSync(path.join(os.tmpdir(), 'datastore-bench-tool-'));
  const context = await chromium.launchPersistentContext(profileDir, {
    executablePath: CHROMIUM, headless: true, ignoreDefaultArgs: true,
    args: [...FLAGS, `--user-data-dir=${profileDir}`, '--remote-debugging-pipe', 'about:blank'],
  });
  const close = async () => {
    await context.close().catch(() => {});
    server.close();
    fs.rmSync(profileDir, { recursive: true, force: true });
  };
  try {
    const page = context.pages()[0] || (await context.newPage());
    page.on('pageerror', (e) => console.error(`page error: ${e.message}`));
    if (initScript) await page.addInitScript(initScript);
    await page.goto(`http://127.0.0.1:${server.address().port}/bench/page.html`);
    await page.waitForFunction(() => window.bench || window.benchError, null, { timeout: 60000 });
    const err = await page.evaluate(() => window.benchError);
    if (err) throw new Error(err);
    return { page, close };
  } catch (err) {
    await close();
    throw err;
  }
}
