// The benchmark's smoke runs for `make test`: tiny sizes, one repetition. They
// assert only that the bench ran and verified its data (exit code 0), not
// any timing or goal. Need dist/ (`make build`) and /usr/bin/chromium; the
// sync one also builds ./cmd/datastore-server and bundles Amplify's client.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));

/** Runs bench/run.mjs (or another of bench/'s tools) with args; resolves with its stdout once it exited 0. */
async function bench(args, tool = 'run.mjs') {
  const child = spawn(process.execPath, [path.join(here, tool), ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => { stdout += d; });
  child.stderr.on('data', (d) => { stderr += d; });
  const code = await new Promise((resolve) => child.on('close', (c, signal) => resolve(c ?? signal)));
  const output = `--- stdout\n${stdout}\n--- stderr\n${stderr}`;
  assert.equal(code, 0, `node bench/${tool} ${args.join(' ')} exited with ${code}\n${output}`);
  return { stdout, output };
}

test('node bench/run.mjs --smoke runs and verifies its data', { timeout: 150_000 }, async () => {
  const { stdout, output } = await bench(['--smoke']);
  assert.match(stdout, /data checks: [1-9]\d* passed, 0 failed/, output);
});

test('node bench/run.mjs --smoke --only=sync runs both sync clients and verifies their data', { timeout: 240_000 }, async () => {
  const { stdout, output } = await bench(['--smoke', '--only=sync']);
  // sync-first, sync-latency and sync-drain, two checks each, for both clients.
  assert.match(stdout, /data checks: 12 passed, 0 failed/, output);
  assert.match(stdout, /first sync of 30 records/, output);
});

test('node bench/timeline.mjs splits a save\'s time for both sides', { timeout: 120_000 }, async () => {
  const { stdout, output } = await bench(['--workloads=save-comments', '--n=20', '--reps=1'], 'timeline.mjs');
  // A row per side: the per-save total, then between, transaction() and in the transaction, all measured.
  for (const side of ['product', 'plain']) assert.match(stdout, new RegExp(`save-comments ${side}(\\s+\\d+){4}\\n`), output);
  assert.doesNotMatch(stdout, /not cross-origin isolated/, output);
});

test('node bench/ab.mjs runs two builds and plain IndexedDB in one page', { timeout: 120_000 }, async () => {
  const { stdout, output } = await bench(['--a=dist', '--n=20', '--reps=2', '--slowest=1'], 'ab.mjs');
  for (const side of ['a', 'b', 'plain']) assert.match(stdout, new RegExp(`\\n${side}(\\s+-?\\d+\\.\\d){5}\\n`), output);
  assert.match(stdout, /a\/plain \d+\.\d{3}×, b\/plain \d+\.\d{3}×, b\/a \d+\.\d{3}× \(b faster in \d+ of 2 rounds\)/, output);
});

test('node bench/batch-phases.mjs splits a batch\'s time for both sides', { timeout: 120_000 }, async () => {
  const { stdout, output } = await bench(['--n=20', '--reps=2'], 'batch-phases.mjs');
  // A row per side: make, toTx, issue, wait, after and the total, all measured.
  for (const side of ['product', 'plain']) assert.match(stdout, new RegExp(`${side}(\\s+\\d+\\.\\d){6}\\n`), output);
  assert.match(stdout, /product\/plain, paired: \d+\.\d\d×/, output);
});

test('node bench/cascade-phases.mjs splits the cascade delete for both sides', { timeout: 120_000 }, async () => {
  const { stdout, output } = await bench(['--reps=1'], 'cascade-phases.mjs');
  // A row per side: read, decided, deletes and the total, all measured.
  for (const side of ['product', 'plain']) assert.match(stdout, new RegExp(`${side}(\\s+\\d+\\.\\d){4}\\n`), output);
  assert.match(stdout, /product\/plain \d+\.\d{3}×/, output);
});

test('node bench/save-parts.mjs splits a save, Go apart', { timeout: 120_000 }, async () => {
  const { stdout, output } = await bench(['--n=110'], 'save-parts.mjs');
  for (const part of ['constructor', 'to transaction\\(\\)', 'in the tx', 'total']) assert.match(stdout, new RegExp(`${part}\\s+\\d+\\s+\\d+\\n`), output);
  // Go's share was timed: the wrapped exports were called.
  for (const call of ['dsConstruct', 'dsSave']) assert.match(stdout, new RegExp(`Go: ${call}\\s+[1-9]\\d*\\s+\\d+\\n`), output);
});

test('node bench/request-costs.mjs times each kind of lookup', { timeout: 120_000 }, async () => {
  const { stdout, output } = await bench(['--n=50'], 'request-costs.mjs');
  for (const v of ['get', 'getAll\\(only\\(key\\)\\)', 'get, resolved on complete']) assert.match(stdout, new RegExp(`\\n${v}\\s+\\d+\\.\\d\\n`), output);
});
