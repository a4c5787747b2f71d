// `datastore-wasm types`: the module it prints for schema.graphql, compared
// whole with models.golden.ts (review a change there as a diff of the
// generated types), and codegen's introspection JSON read as well. tsc
// checks what it prints in types.test.mjs.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { it } from 'node:test';

const BIN = fileURLToPath(new URL('../../../dist/bin/datastore-wasm.js', import.meta.url));
const here = (f) => fileURLToPath(new URL(f, import.meta.url));
const types = (file) => execFileSync(process.execPath, [BIN, 'types', file], { cwd: here('.'), encoding: 'utf8' });

it('prints the models of an SDL schema (models.golden.ts; UPDATE=1 rewrites it)', () => {
  const got = types('schema.graphql');
  if (process.env.UPDATE) writeFileSync(here('models.golden.ts'), got);
  assert.equal(got, readFileSync(here('models.golden.ts'), 'utf8'));
});

it('reads codegen introspection JSON and embeds it as the schema', () => {
  const got = types('field-types.introspection.json');
  assert.match(got, /^export const schema = \{/m);
  assert.match(got, /^export type Schema = \{/m);
  assert.match(got, /^export const models: Schema = initSchema<Schema>\(schema\);$/m);
});

it('says what is wrong with a schema, and how it is used', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'datastore-wasm-types-'));
  try {
    writeFileSync(path.join(dir, 'broken.graphql'), 'type Post @model { id: ID! post: Nope }');
    const r = spawnSync(process.execPath, [BIN, 'types', 'broken.graphql'], { cwd: dir, encoding: 'utf8' });
    assert.equal(r.status, 1);
    assert.match(r.stderr, /^datastore-wasm types broken.graphql: .*Nope/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const usage = spawnSync(process.execPath, [BIN], { encoding: 'utf8' });
  assert.equal(usage.status, 2);
  assert.match(usage.stderr, /usage: datastore-wasm types/);
});
