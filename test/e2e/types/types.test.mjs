// The package's types in a TypeScript app: generated models
// (`datastore-wasm types`), index.d.ts and react.d.ts under tsc --strict
// without skipLibCheck, and the typical mistakes of mistakes.ts as compile
// errors, each with its code, on its line.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ROOT, makeApp } from '../bundlers/pack.mjs';

const here = (f) => readFileSync(new URL(f, import.meta.url), 'utf8');
const TSC = path.join(ROOT, 'node_modules/typescript/bin/tsc');

const tsconfig = (moduleResolution) => JSON.stringify({
  compilerOptions: {
    strict: true, noEmit: true, skipLibCheck: false, target: 'es2022', lib: ['es2022', 'dom'],
    module: moduleResolution === 'bundler' ? 'esnext' : 'nodenext', moduleResolution,
    types: [], noUncheckedIndexedAccess: true, exactOptionalPropertyTypes: true,
  },
  files: ['app.ts', 'mistakes.ts', 'models.ts'],
});

let app;
before(() => {
  app = makeApp('types', { 'schema.graphql': here('schema.graphql'), 'app.ts': here('app.ts'), 'mistakes.ts': here('mistakes.ts') }, ['react', '@types/react']);
  // As the README says: npx runs the bin that npm linked.
  const models = execFileSync('npx', ['--offline', '--no-install', 'datastore-wasm', 'types', 'schema.graphql'], { cwd: app.dir, encoding: 'utf8' });
  writeFileSync(path.join(app.dir, 'models.ts'), models);
});
after(() => app && app.cleanup());

// Runs tsc; returns its errors as {file, line, code, text}.
function tsc(moduleResolution) {
  writeFileSync(path.join(app.dir, 'tsconfig.json'), tsconfig(moduleResolution));
  const r = spawnSync(process.execPath, [TSC, '-p', app.dir, '--pretty', 'false'], { cwd: app.dir, encoding: 'utf8' });
  const errors = [];
  for (const m of r.stdout.matchAll(/^(.+?)\((\d+),\d+\): error (TS\d+): (.*)$/gm)) {
    errors.push({ file: path.basename(m[1]), line: Number(m[2]), code: m[3], text: m[4] });
  }
  assert.ok(r.status === 0 || errors.length > 0, `tsc failed without errors: ${r.stdout}${r.stderr}`);
  return errors;
}

// The mistakes of mistakes.ts: {line, code, what} for each `// error` comment.
function expectedMistakes() {
  const lines = here('mistakes.ts').split('\n');
  const out = [];
  lines.forEach((l, i) => {
    const m = /\/\/ error (TS\d+(?:\|TS\d+)*): (.*)$/.exec(l);
    if (m) out.push({ line: i + 2, code: m[1], what: m[2] });
  });
  return out;
}

for (const resolution of ['bundler', 'nodenext']) {
  describe(`tsc --strict, moduleResolution ${resolution}`, () => {
    let errors;
    before(() => { errors = tsc(resolution); });

    it('compiles the package types, the generated models and the app', () => {
      const elsewhere = errors.filter((e) => e.file !== 'mistakes.ts');
      assert.deepEqual(elsewhere, [], elsewhere.map((e) => `${e.file}:${e.line} ${e.code} ${e.text}`).join('\n'));
    });

    it('rejects each typical mistake with its error, and nothing else', () => {
      const expected = expectedMistakes();
      assert.ok(expected.length >= 10);
      const got = errors.filter((e) => e.file === 'mistakes.ts');
      const missed = [];
      for (const m of expected) {
        const at = got.filter((e) => e.line === m.line);
        if (!at.some((e) => m.code.split('|').includes(e.code))) {
          missed.push(`${m.what} (line ${m.line}): expected ${m.code}, got ${at.map((e) => `${e.code} ${e.text}`).join('; ') || 'no error'}`);
        }
      }
      assert.deepEqual(missed, []);
      const stray = got.filter((e) => !expected.some((m) => m.line === e.line));
      assert.deepEqual(stray, []);
    });
  });
}
