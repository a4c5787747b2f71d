// browserexec: runs a GOOS=js GOARCH=wasm program (usually a `go test` binary) in real
// headless Chromium. Used through the go_js_wasm_exec wrapper next to this file:
//
//   GOOS=js GOARCH=wasm go test -exec=$PWD/tools/browserexec/go_js_wasm_exec ./...
//
// It serves a page, wasm_exec.js and the binary on 127.0.0.1, passes argv and env into
// the Go program, relays its stdout/stderr byte for byte (so -v and -json work) and exits
// with the program's exit code. Env: BROWSEREXEC_TIMEOUT (seconds, default 300 or the
// -test.timeout plus 60 s, whichever is larger), BROWSEREXEC_PASSENV (extra env names to
// pass; a trailing * is a prefix), CHROMIUM (browser path, default /usr/bin/chromium).
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';

const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];

const [wasmArg, ...progArgs] = process.argv.slice(2);
if (!wasmArg) {
  console.error('usage: go_js_wasm_exec program.wasm [args...]');
  process.exit(2);
}
const wasmPath = path.resolve(wasmArg);
try {
  fs.accessSync(wasmPath, fs.constants.R_OK);
} catch (e) {
  console.error(`browserexec: ${e.message}`);
  process.exit(1);
}
const goroot = process.env.GOROOT || execFileSync('go', ['env', 'GOROOT'], { encoding: 'utf8' }).trim();
let wasmExecPath = path.join(goroot, 'lib/wasm/wasm_exec.js');
if (!fs.existsSync(wasmExecPath)) wasmExecPath = path.join(goroot, 'misc/wasm/wasm_exec.js'); // Go < 1.24

// The environment the Go program sees. wasm_exec.js allows only about 8 KB of argv + env.
const extra = (process.env.BROWSEREXEC_PASSENV || '').split(/[\s,]+/).filter(Boolean);
const passes = (k) => /^(GO|TEST)/.test(k) || ['HOME', 'PATH', 'TMPDIR', 'USER', 'LANG', 'TZ'].includes(k) ||
  extra.some((e) => (e.endsWith('*') ? k.startsWith(e.slice(0, -1)) : k === e));
const env = { TMPDIR: os.tmpdir() };
for (const [k, v] of Object.entries(process.env)) if (passes(k)) env[k] = v;

// Overall deadline: a deadlocked program in a browser never exits on its own.
const seconds = (d) => [...d.matchAll(/([\d.]+)(ns|us|µs|ms|s|m|h)/g)]
  .reduce((t, [, n, u]) => t + n * { ns: 1e-9, us: 1e-6, µs: 1e-6, ms: 1e-3, s: 1, m: 60, h: 3600 }[u], 0);
const ti = progArgs.findIndex((a) => /^--?test\.timeout(=|$)/.test(a));
const testTimeout = ti < 0 ? 0 : seconds(progArgs[ti].includes('=') ? progArgs[ti].split('=')[1] : progArgs[ti + 1] || '');
const timeout = Number(process.env.BROWSEREXEC_TIMEOUT) || Math.max(300, testTimeout + 60);

// The page: loads wasm_exec.js and runs the program, sending every write (base64), console
// line, uncaught error and the exit code, in order, as JSON through the binding __bx.
const page = `<!doctype html><meta charset="utf-8"><title>browserexec</title>
<script src="/wasm_exec.js"></script>
<script>
"use strict";
(async () => {
  const cfg = ${JSON.stringify({ argv: [path.basename(wasmPath), ...progArgs], env }).replace(/</g, '\\u003c')};
  // Messages wait in 'queue' until the runner has added the CDP binding window.__bx.
  let queue = [];
  const send = (...m) => (queue ? queue.push(m) : window.__bx(JSON.stringify(m)));
  const ready = () => {
    if (typeof window.__bx !== 'function') return setTimeout(ready, 2);
    queue.forEach((m) => window.__bx(JSON.stringify(m)));
    queue = null;
  };
  ready();
  const b64 = (u8) => {
    if (u8.toBase64) return u8.toBase64();
    let s = '';
    for (let i = 0; i < u8.length; i += 0x8000) s += String.fromCharCode.apply(null, u8.subarray(i, i + 0x8000));
    return btoa(s);
  };
  const enc = new TextEncoder();
  const fmt = (v) => (typeof v === 'string' ? v : v instanceof Error ? v.stack || String(v) : (() => {
    try { return JSON.stringify(v) ?? String(v); } catch { return String(v); } })());
  for (const [name, fd] of [['log', 1], ['info', 1], ['debug', 1], ['warn', 2], ['error', 2]]) {
    console[name] = (...a) => send('w', fd, b64(enc.encode(a.map(fmt).join(' ') + '\\n')));
  }
  const report = (e) => send('e', String((e && e.stack) || e));
  addEventListener('error', (ev) => report(ev.error || ev.message));
  addEventListener('unhandledrejection', (ev) => report(ev.reason));

  globalThis.fs.writeSync = (fd, buf) => { send('w', fd, b64(buf)); return buf.length; };
  globalThis.fs.write = (fd, buf, offset, length, position, callback) => {
    if (position !== null) {
      const err = new Error('not implemented'); err.code = 'ENOSYS';
      return callback(err);
    }
    callback(null, globalThis.fs.writeSync(fd, buf.subarray(offset, offset + length)));
  };
  try {
    const go = new Go();
    go.argv = cfg.argv;
    go.env = cfg.env;
    go.exit = (code) => send('x', code);
    const { instance } = await WebAssembly.instantiateStreaming(fetch('/prog.wasm'), go.importObject);
    await go.run(instance);
  } catch (e) {
    report(e);
  }
})();
</script>
`;

const server = http.createServer((req, res) => {
  const files = { '/wasm_exec.js': [wasmExecPath, 'text/javascript'], '/prog.wasm': [wasmPath, 'application/wasm'] };
  if (req.url === '/') {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(page);
  } else if (files[req.url]) {
    const [file, type] = files[req.url];
    res.writeHead(200, { 'content-type': type, 'cache-control': 'no-store' });
    fs.createReadStream(file).on('error', (e) => res.destroy(e)).pipe(res);
  } else {
    res.writeHead(404).end();
  }
});

const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'browserexec-'));
let context;
let finishing = false;

// Single exit path: print the reason if any, flush output, exit with code.
async function finish(code, message) {
  if (finishing) return;
  finishing = true;
  clearTimeout(timer);
  if (message) process.stderr.write(`browserexec: ${message}\n`);
  await Promise.race([new Promise((r) => setTimeout(r, 2000)),
    Promise.all([process.stdout, process.stderr].map((s) => new Promise((r) => s.write('', r))))]);
  removeProfileAtExit();
  process.exit(code);
}

// No graceful browser close (it costs ~0.1 s): at exit Playwright SIGKILLs the browser's
// process group; this handler, added after Playwright's, then removes the profile.
let armed = false;
function removeProfileAtExit() {
  if (!armed) process.on('exit', () => fs.rmSync(profile, { recursive: true, force: true, maxRetries: 5 }));
  armed = true;
}

const timer = setTimeout(() => finish(1, `timed out after ${timeout} s`), timeout * 1000);
for (const s of [process.stdout, process.stderr]) s.on('error', () => finish(1)); // e.g. EPIPE
for (const [sig, code] of [['SIGINT', 130], ['SIGTERM', 143], ['SIGHUP', 129], ['SIGQUIT', 131]]) {
  process.on(sig, () => finish(code, `killed by ${sig}`));
}

// Messages from the page, in order: a write, the exit code or an uncaught error.
function onMessage([kind, a, b]) {
  if (finishing) return;
  if (kind === 'w') (a === 1 ? process.stdout : process.stderr).write(Buffer.from(b, 'base64'));
  else if (kind === 'x') finish(a);
  else if (kind === 'e') finish(1, a);
}

try {
  // The page is the browser's start-up URL, so loading and compiling the wasm overlaps
  // with Playwright connecting; the page buffers its messages until __bx exists.
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  context = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    // Exactly our flags; Playwright only needs its own debugging pipe and the profile dir.
    ignoreDefaultArgs: true,
    args: [...FLAGS, `--user-data-dir=${profile}`, '--remote-debugging-pipe', `http://127.0.0.1:${server.address().port}/`],
    handleSIGINT: false,
    handleSIGTERM: false,
    handleSIGHUP: false,
  });
  removeProfileAtExit();
  context.on('close', () => finish(1, 'browser closed unexpectedly'));
  const tab = context.pages()[0] || (await context.waitForEvent('page'));
  tab.on('crash', () => finish(1, 'page crashed'));
  // A raw CDP binding: one event per message, in order, no reply (much cheaper than
  // Playwright's exposeFunction, which costs a round trip per call).
  const cdp = await context.newCDPSession(tab);
  cdp.on('Runtime.bindingCalled', (ev) => ev.name === '__bx' && onMessage(JSON.parse(ev.payload)));
  await cdp.send('Runtime.addBinding', { name: '__bx' });
} catch (e) {
  finish(1, (e && e.stack) || e);
}
