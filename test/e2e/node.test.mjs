// The shared flow (flow.mjs) in Node, over fake-indexeddb: the package as
// `make build` writes it to dist/, loaded the way a Node user loads it.
import 'fake-indexeddb/auto';
import assert from 'node:assert/strict';
import { describe, it, before } from 'node:test';
import { runFlow, scenarios } from './flow.mjs';

describe('datastore-wasm in Node (fake-indexeddb)', () => {
  let lib;

  before(async () => {
    lib = await import('../../dist/index.js');
  });

  it('exports the Amplify DataStore API', () => {
    for (const name of ['DataStore', 'initSchema', 'createDataStore', 'Predicates', 'OpType', 'SortDirection', 'AsyncCollection']) {
      assert.ok(lib[name], `dist/index.js exports ${name}`);
    }
    assert.deepEqual({ ...lib.OpType }, { INSERT: 'INSERT', UPDATE: 'UPDATE', DELETE: 'DELETE' });
  });

  for (const s of scenarios) {
    it(s.name, { todo: s.knownBug || undefined, timeout: 30_000 }, async () => {
      const [result] = await runFlow(lib, { only: [s.name] });
      assert.ok(result.ok, `${result.message}\n${result.stack}`);
    });
  }
});
