// Bundles the ES module of js/ into one file: Go's wasm_exec.js, then the
// modules in dependency order, their imports and exports between each other
// removed, the entry's exports kept. One file means one fetch before the
// wasm fetch starts, instead of a waterfall of four module round trips,
// and it is what bundlers and CDNs handle best.
//
//   node tools/bundle/bundle.mjs <js dir> <wasm_exec.js> <out file>
//
// The modules must keep to a simple form, checked here: imports on one
// line each, from relative paths; top-level names unique across modules.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const [dir, wasmExec, out] = process.argv.slice(2);
if (!out) {
  console.error('usage: node tools/bundle/bundle.mjs <js dir> <wasm_exec.js> <out file>');
  process.exit(2);
}

const IMPORT = /^import\s+(?:[\w*{}\s,]+\s+from\s+)?'(\.\/[\w.-]+)';\s*$/;
const REEXPORT = /^export\s*\{([^}]*)\}\s*from\s*'(\.\/[\w.-]+)';\s*$/;
const LOCAL_EXPORT = /^export\s*\{[^}]*\};\s*$/;
const DECLARED = /^(?:export\s+)?(?:async\s+)?(?:const|let|var|function\*?|class)\s+([\w$]+)/;

const modules = new Map(); // file -> { deps, lines }
function load(file) {
  if (modules.has(file)) return;
  const lines = readFileSync(path.join(dir, file), 'utf8').split('\n');
  const deps = [];
  for (const line of lines) {
    if (/^import\b/.test(line) && !IMPORT.test(line)) throw new Error(`${file}: an import the bundler cannot read: ${line}`);
    const m = IMPORT.exec(line) || REEXPORT.exec(line);
    if (m) deps.push((m[2] || m[1]).slice(2));
  }
  modules.set(file, { deps, lines });
  for (const d of deps) if (d !== 'wasm_exec.js') load(d);
}

const order = [];
function visit(file, seen = new Set()) {
  if (order.includes(file) || file === 'wasm_exec.js') return;
  if (seen.has(file)) throw new Error(`import cycle through ${file}`);
  seen.add(file);
  for (const d of modules.get(file).deps) visit(d, seen);
  order.push(file);
}

load('index.js');
visit('index.js');

const names = new Map();
const parts = [`// datastore-wasm, bundled from js/ by tools/bundle/bundle.mjs.\n`, readFileSync(wasmExec, 'utf8')];
for (const file of order) {
  const entry = file === 'index.js';
  const body = [];
  for (const line of modules.get(file).lines) {
    if (IMPORT.test(line)) continue;
    const re = REEXPORT.exec(line);
    if (re) {
      if (entry) body.push(`export {${re[1]}};`);
      continue;
    }
    if (!entry && LOCAL_EXPORT.test(line)) continue;
    const decl = DECLARED.exec(line);
    if (decl) {
      if (names.has(decl[1])) throw new Error(`${file}: top-level name ${decl[1]} is also declared in ${names.get(decl[1])}`);
      names.set(decl[1], file);
    }
    body.push(entry ? line : line.replace(/^export\s+(?=(?:async\s+)?(?:const|let|var|function|class)\b)/, ''));
  }
  parts.push(`\n// ---- ${file}\n${body.join('\n')}`);
}
writeFileSync(out, parts.join('\n'));
console.log(`bundled ${order.join(', ')} and wasm_exec.js into ${out}`);
