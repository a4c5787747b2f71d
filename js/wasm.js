// Loads the engine: Go's wasm_exec.js runtime and datastore.wasm, found
// beside this module. The module's top-level await finishes loading before
// any export is used, so initSchema can stay synchronous, as in Amplify.
import './wasm_exec.js';

const isNode = typeof process !== 'undefined' && !!(process.versions && process.versions.node);

async function instantiate(go) {
  const url = new URL('./datastore.wasm', import.meta.url);
  if (isNode) {
    const { readFile } = await import('node:fs/promises');
    const bytes = await readFile(url);
    return (await WebAssembly.instantiate(bytes, go.importObject)).instance;
  }
  const response = fetch(url);
  if (WebAssembly.instantiateStreaming) {
    try {
      return (await WebAssembly.instantiateStreaming(response, go.importObject)).instance;
    } catch (err) {
      // A server that does not send application/wasm: fall back below.
      if (!(err instanceof TypeError)) throw err;
    }
  }
  const bytes = await (await fetch(url)).arrayBuffer();
  return (await WebAssembly.instantiate(bytes, go.importObject)).instance;
}

async function load() {
  const go = new globalThis.Go();
  const instance = await instantiate(go);
  go.run(instance); // runs main until it blocks, which sets __datastoreWasm
  const engine = globalThis.__datastoreWasm;
  if (!engine) throw new Error('datastore-wasm: the engine did not start');
  return engine;
}

/** The engine's exports (see wasm/bridge.go). */
export const engine = await load();

/**
 * Calls a synchronous export; throws its error as a JavaScript Error.
 */
export function callSync(name, ...args) {
  const out = engine[name](...args);
  if (out.error) throw out.error;
  return out.value;
}
