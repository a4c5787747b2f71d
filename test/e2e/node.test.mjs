// The shared flow (flow.mjs) in Node, over fake-indexeddb: the package as
// `make build` writes it to dist/, loaded the way a Node user loads it.
import 'fake-indexeddb/auto';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
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

  it('writes back the runtime tables that the build dropped', async () => {
    // tools/wasmdata -drop-buckets zeroes Go's pc lookup buckets and names
    // them in a custom section; js/wasm.js must write them back, or every
    // function lookup of Go's runtime turns into a linear scan. (Importing
    // the package has loaded the engine.)
    const module = new WebAssembly.Module(await readFile(new URL('../../dist/datastore.wasm', import.meta.url)));
    const [section] = WebAssembly.Module.customSections(module, 'datastore.findfunctab');
    assert.ok(section, 'dist/datastore.wasm has the datastore.findfunctab section (make build)');
    const head = new DataView(section);
    const [at, n] = [head.getUint32(0, true), head.getUint32(4, true)];
    assert.ok(n > 10000, `${n} buckets`);
    const memory = new DataView(globalThis.__datastoreWasm.wasm.mem.buffer);
    for (const b of [0, 1, 15, 16, 17, n >> 1, n - 1]) {
      assert.equal(memory.getUint32(at + 20 * b, true), b >>> 4, `bucket ${b}`);
    }
  });

  for (const s of scenarios) {
    it(s.name, { todo: s.knownBug || undefined, timeout: 30_000 }, async () => {
      const [result] = await runFlow(lib, { only: [s.name] });
      assert.ok(result.ok, `${result.message}\n${result.stack}`);
    });
  }
});
