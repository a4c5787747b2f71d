// datastore-wasm: a relational DataStore for the browser, with the API of
// Amplify DataStore, over IndexedDB, its engine in Go compiled to wasm.
import { SchemaContext } from './models.js';
import { loadEngine } from './wasm.js';
import { DataStoreImpl, OpType, SortDirection } from './datastore.js';
import { checkConfig } from './sync.js';

export { Predicates } from './predicates.js';
export { AsyncCollection } from './models.js';
export { loadEngine } from './wasm.js';
export { syncExpression, DISCARD } from './sync.js';
export { OpType, SortDirection };

/** The name of the default instance's IndexedDB database. */
export const DEFAULT_DATABASE_NAME = 'datastore-wasm';

/** The default DataStore; initSchema gives it its schema. */
export const DataStore = new DataStoreImpl(null, DEFAULT_DATABASE_NAME);

let initialized = null;

/**
 * Reads a schema (GraphQL SDL, or the object of Amplify codegen's
 * models/schema.js) and returns its model classes, non-model classes and
 * enums; the default DataStore uses it. Synchronous, as in Amplify.
 * options.onDelete sets delete policies: { 'Post.comments': 'restrict' };
 * options.migrations gives records written under an older schema the
 * values this one requires: { Post: (record) => ({ ...record, category: 'x' }) }.
 */
export function initSchema(schema, options = {}) {
  if (initialized) {
    console.warn('The schema has already been initialized');
    return initialized;
  }
  DataStore._preopen(); // IndexedDB opens the database while Go parses the schema
  let ctx;
  try {
    ctx = new SchemaContext(schema, options);
  } catch (err) {
    DataStore._unclaim();
    throw err;
  }
  DataStore._bind(ctx);
  initialized = ctx.exports;
  return initialized;
}

/**
 * Makes an independent DataStore over its own schema and database:
 * several databases in one page, or a fresh one per test. With wasmURL
 * (where a bundler did not put datastore.wasm beside the module) it loads
 * the engine from there first and returns a Promise of the same result.
 */
export function createDataStore(options = {}) {
  if (options === null || typeof options !== 'object') {
    throw new TypeError('createDataStore(options) takes an object: createDataStore({ schema, databaseName })');
  }
  if (options.wasmURL) return loadEngine(options.wasmURL).then(() => makeDataStore(options));
  return makeDataStore(options);
}

function makeDataStore({ schema, databaseName = DEFAULT_DATABASE_NAME, onDelete, outbox = false, migrations, sync = null }) {
  if (typeof databaseName !== 'string' || databaseName === '') {
    throw new TypeError('createDataStore({ databaseName }): databaseName must be a non-empty string');
  }
  if (sync !== null && (typeof sync !== 'object' || typeof sync.endpoint !== 'string' || sync.endpoint === '')) {
    throw new TypeError('createDataStore({ sync }): sync is { endpoint: "https://host/graphql", apiKey: "..." }');
  }
  if (sync !== null) checkConfig(sync);
  const ds = new DataStoreImpl(null, databaseName, { outbox, sync });
  ds._preopen(); // IndexedDB opens the database while Go parses the schema
  let ctx;
  try {
    ctx = new SchemaContext(schema, { onDelete, migrations });
  } catch (err) {
    ds._unclaim();
    throw err;
  }
  ds._bind(ctx);
  return { DataStore: ds, models: ctx.exports };
}
