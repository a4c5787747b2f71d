// Loads the engine: Go's wasm_exec.js runtime and datastore.wasm, found
// beside this module. The module's top-level await finishes loading before
// any export is used, so initSchema can stay synchronous, as in Amplify.
// Where a bundler leaves the wasm elsewhere, the app passes its URL:
// await createDataStore({ schema, wasmURL }) (see loadEngine).
import './wasm_exec.js';

const isNode = typeof process !== 'undefined' && !!(process.versions && process.versions.node);
const WASM_MAGIC = [0x00, 0x61, 0x73, 0x6d];

/** Where a bundled module looks for the wasm when given no URL: beside itself. */
const besideModule = () => new URL('./datastore.wasm', import.meta.url);

function notWasm(url, bytes) {
  const head = [...new Uint8Array(bytes.slice(0, 4))];
  if (head.every((b, i) => b === WASM_MAGIC[i])) return null;
  const text = new TextDecoder().decode(bytes.slice(0, 16));
  const page = /^\s*</.test(text) ? ' (the server answered with a page, likely index.html: the file is not served at that URL)' : '';
  return new Error(`datastore-wasm: ${url} is not datastore.wasm${page}. Serve node_modules/datastore-wasm/datastore.wasm and pass its URL: await createDataStore({ schema, wasmURL })`);
}

async function fetchWasm(url) {
  const response = await fetch(url);
  if (!response.ok) {
    throw new Error(`datastore-wasm: fetching ${url} answered ${response.status}. Copy node_modules/datastore-wasm/datastore.wasm beside your bundle, or pass its URL: await createDataStore({ schema, wasmURL })`);
  }
  return response;
}

// Node's fs, out of bundlers' sight: a browser bundle never runs this
// branch, and esbuild refuses a literal node: import for the browser.
const FS = 'node:fs/promises';
function nodeFS() {
  if (typeof process.getBuiltinModule === 'function') return process.getBuiltinModule(FS);
  return import(/* webpackIgnore: true */ /* @vite-ignore */ FS);
}

async function instantiate(go, url) {
  if (isNode) {
    const { readFile } = await nodeFS();
    const bytes = await readFile(url);
    const bad = notWasm(url, bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
    if (bad) throw bad;
    return WebAssembly.instantiate(bytes, go.importObject);
  }
  // Vite 7 and older pre-bundle this module into node_modules/.vite/deps/
  // and leave the wasm's URL pointing there, where nothing is (or
  // index.html is); the package itself is served beside it.
  const inDeps = /\/node_modules\/\.vite\/deps\//.test(String(url));
  let response = inDeps ? await fetch(url) : await fetchWasm(url);
  if (inDeps && !(response.ok && (response.headers.get('Content-Type') || '').startsWith('application/wasm'))) {
    response = await fetchWasm(new URL('../../datastore-wasm/datastore.wasm', url));
  }
  if (WebAssembly.instantiateStreaming && (response.headers.get('Content-Type') || '').startsWith('application/wasm')) {
    return WebAssembly.instantiateStreaming(response, go.importObject);
  }
  // A server that does not send application/wasm: compile from bytes.
  const bytes = await response.arrayBuffer();
  const bad = notWasm(url, bytes);
  if (bad) throw bad;
  return WebAssembly.instantiate(bytes, go.importObject);
}

/**
 * Writes back the runtime's pc lookup buckets, which the build zeroes to
 * ship a fifth less wasm (tools/wasmdata/buckets.go): its custom section
 * gives their address and count, and bucket b holds function index b >> 4
 * (every function spans 16 buckets). Without it Go still runs, finding
 * functions by a linear scan.
 */
function writeBuckets(module, memory) {
  const [section] = WebAssembly.Module.customSections(module, 'datastore.findfunctab');
  if (!section || section.byteLength !== 8) return;
  const head = new DataView(section);
  const at = head.getUint32(0, true);
  const n = head.getUint32(4, true);
  if (at % 4 !== 0 || at + 20 * n > memory.buffer.byteLength) return;
  // 47,000 stores: 1.4 to 3.2 ms as a JavaScript loop that runs once, 0.9
  // ms with this module's compile (in Chromium, mostly the pages' first
  // touch). Should it fail, Go still runs, as said above.
  try {
    bucketFiller ||= new WebAssembly.Module(BUCKET_FILLER);
    new WebAssembly.Instance(bucketFiller, { m: { mem: memory } }).exports.fill(at, n);
  } catch { /* left zero */ }
}

// BUCKET_FILLER is a module of one function over an imported memory:
// fill(at, n) stores b >> 4 as an i32 at at + 20 * b for b in [0, n).
let bucketFiller = null;
const BUCKET_FILLER = (() => {
  const section = (id, bytes) => [id, bytes.length, ...bytes];
  const code = [
    0x01, 0x01, 0x7f, // one local: b, an i32
    0x02, 0x40, 0x03, 0x40, // block, loop
    0x20, 0x02, 0x20, 0x01, 0x4f, 0x0d, 0x01, // b >= n: leave the block
    0x20, 0x00, 0x20, 0x02, 0x41, 0x14, 0x6c, 0x6a, // address: at + b * 20
    0x20, 0x02, 0x41, 0x04, 0x76, // value: b >> 4
    0x36, 0x02, 0x00, // i32.store
    0x20, 0x02, 0x41, 0x01, 0x6a, 0x21, 0x02, // b++
    0x0c, 0x00, 0x0b, 0x0b, 0x0b, // loop again; end loop, block, function
  ];
  return new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, [0x01, 0x60, 0x02, 0x7f, 0x7f, 0x00]), // type: (i32, i32) -> ()
    ...section(2, [0x01, 0x01, 0x6d, 0x03, 0x6d, 0x65, 0x6d, 0x02, 0x00, 0x01]), // import m.mem: memory, min 1 page
    ...section(3, [0x01, 0x00]), // one function of type 0
    ...section(7, [0x01, 0x04, 0x66, 0x69, 0x6c, 0x6c, 0x00, 0x00]), // export it as fill
    ...section(10, [0x01, code.length, ...code]),
  ]);
})();

/** A User Timing mark (bench/startup.html reads them); a no-op where there is no Performance API. */
export const mark = typeof performance !== 'undefined' && typeof performance.mark === 'function'
  ? (name) => { performance.mark(name); }
  : () => {};

async function load(url) {
  const go = new globalThis.Go();
  const { module, instance } = await instantiate(go, url);
  writeBuckets(module, instance.exports.mem);
  mark('datastore:instantiated');
  go.run(instance); // runs main until it blocks, which sets __datastoreWasm
  mark('datastore:go-started');
  const loaded = globalThis.__datastoreWasm;
  if (!loaded) throw new Error('datastore-wasm: the engine did not start');
  loaded.wasm = instance.exports; // the direct exports (js/direct.js)
  return loaded;
}

function resolveURL(wasmURL) {
  if (wasmURL instanceof URL) return wasmURL;
  if (isNode && !/^[a-z][a-z0-9+.-]*:/i.test(wasmURL)) return wasmURL; // a file path
  return new URL(wasmURL, globalThis.location ? globalThis.location.href : import.meta.url);
}

/**
 * The engine's exports (see wasm/bridge.go); null until loaded. A failed
 * load from beside the module is kept in loadError, for callSync to
 * report, so that an app can still load from its own URL (loadEngine).
 */
export let engine = null;
let loadError = null;

// The first IndexedDB request of a page in a browser profile pays for
// opening the origin's storage (measured in headless Chromium: a first
// open took 75 ms, one after indexedDB.databases() 26 ms, a second open
// 2 ms). databases() is the cheapest request that pays it and creates
// nothing: made now, that cost overlaps the wasm's download and compile
// instead of coming after them, with the database's open.
if (!isNode && typeof indexedDB !== 'undefined' && typeof indexedDB.databases === 'function') {
  try {
    indexedDB.databases().catch(() => {});
  } catch { /* a browser that refuses storage: the open reports it */ }
}

try {
  engine = await load(besideModule());
} catch (err) {
  loadError = err;
}

/**
 * Loads the engine from wasmURL unless it is loaded already; resolves when
 * it can be called.
 */
export async function loadEngine(wasmURL) {
  if (engine) return engine;
  engine = await load(resolveURL(wasmURL));
  loadError = null;
  return engine;
}

/**
 * Calls a synchronous export; throws its error as a JavaScript Error.
 */
export function callSync(name, ...args) {
  if (!engine) throw loadError || new Error('datastore-wasm: the engine is not loaded');
  const out = engine[name](...args);
  if (out.error) throw out.error;
  return out.value;
}

/**
 * Calls an export of a save's path (construct, copyOf, save, batch), which
 * answers with its value itself or with an Error, thrown here.
 */
export function callDirect(name, ...args) {
  if (!engine) throw loadError || new Error('datastore-wasm: the engine is not loaded');
  const out = engine[name](...args);
  if (out instanceof Error) throw out;
  return out;
}
