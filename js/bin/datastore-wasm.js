#!/usr/bin/env node
// The package's command line:
//
//   npx datastore-wasm types schema.graphql > src/models.ts
//
// reads a schema (GraphQL SDL, or codegen's introspection JSON, or a
// models/schema.js module exporting `schema`) with the engine, in Node,
// and prints its TypeScript models (see typegen.js).
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import '../index.js'; // loads the engine
import { generate } from '../typegen.js';

const USAGE = `usage: datastore-wasm types <schema.graphql | schema.json | models/schema.js> [> models.ts]

Prints TypeScript models for the schema: model classes, enums and
non-model types, typed initSchema; see the package README (TypeScript).`;

async function readSchema(file) {
  const ext = path.extname(file);
  if (ext === '.js' || ext === '.mjs') {
    const mod = await import(pathToFileURL(path.resolve(file)).href);
    const schema = mod.schema || (mod.default && mod.default.schema) || mod.default;
    if (!schema || typeof schema !== 'object') throw new Error(`${file} exports no schema object (expected \`export const schema = {...}\`, as codegen writes models/schema.js)`);
    return { text: JSON.stringify(schema, null, 2), introspection: true };
  }
  const text = await readFile(file, 'utf8');
  return { text, introspection: ext === '.json' };
}

async function types(file) {
  const { text, introspection } = await readSchema(file);
  const out = globalThis.__datastoreWasm.schema(introspection ? 'introspection' : 'sdl', text, '{}');
  if (out.error) throw out.error;
  return generate(JSON.parse(out.value.descriptor), { text, introspection, name: path.basename(file) });
}

const [command, file, ...rest] = process.argv.slice(2);
if (command === '--help' || command === '-h' || command === 'help') {
  console.log(USAGE);
} else if (command !== 'types' || !file || rest.length) {
  console.error(USAGE);
  process.exitCode = 2;
} else {
  try {
    process.stdout.write(await types(file));
  } catch (err) {
    console.error(`datastore-wasm types ${file}: ${err.message}`);
    process.exitCode = 1;
  }
}
