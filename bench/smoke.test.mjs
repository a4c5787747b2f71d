// The benchmark's smoke run for `make test`: tiny sizes, one repetition. It
// asserts only that the bench ran and verified its data (exit code 0), not
// any timing or goal. Needs dist/ (`make build`) and /usr/bin/chromium.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const run = path.join(path.dirname(fileURLToPath(import.meta.url)), 'run.mjs');

test('node bench/run.mjs --smoke runs and verifies its data', { timeout: 150_000 }, async () => {
  const child = spawn(process.execPath, [run, '--smoke'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => { stdout += d; });
  child.stderr.on('data', (d) => { stderr += d; });
  const code = await new Promise((resolve) => child.on('close', (c, signal) => resolve(c ?? signal)));
  const output = `--- stdout\n${stdout}\n--- stderr\n${stderr}`;
  assert.equal(code, 0, `bench smoke run exited with ${code}\n${output}`);
  assert.match(stdout, /data checks: [1-9]\d* passed, 0 failed/, output);
});
