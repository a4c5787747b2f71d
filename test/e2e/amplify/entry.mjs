// The page side of amplify-sync.test.mjs: Amplify's own client (aws-amplify
// v6, @aws-amplify/datastore v5) behind a small API on window.amplifyClient
// that the test drives with page.evaluate. start() takes the models as Amplify
// codegen writes them (models/schema.js as JSON, for initSchema). esbuild
// bundles this file for the browser (harness.mjs buildBundle); the bundle is
// made during the test and never committed.
//
// Everything DataStore reports is kept in one log, in arrival order:
//   { kind: 'observe', opType, model, element }   from DataStore.observe()
//   { kind: 'hub', event, data }                  from Hub channel 'datastore'
//   { kind: 'connection', state }                 the realtime connection's state (Hub 'api')
//   { kind: 'subscribed', field }                 a start_ack, for onCreatePost etc. (Hub 'api')
//   { kind: 'error', error }                      from DataStore's errorHandler
// and waitFor(matcher) resolves with the first (or count-th) entry, past or future, that
// matches (see matches()), so the test awaits what it expects instead of
// sleeping.
import { Amplify } from 'aws-amplify';
import { Hub } from 'aws-amplify/utils';
import { DataStore, initSchema, syncExpression } from '@aws-amplify/datastore';

let models = {};
let definitions = {}; // schema.models: the codegen definitions, for primary keys

const log = [];
const waiters = new Set();

// plain copies a value for the log and for page.evaluate: JSON, with model
// constructors (the model of Hub payloads) replaced by their names.
function plain(value) {
  if (value === undefined) return undefined;
  return JSON.parse(JSON.stringify(value, (k, v) => (typeof v === 'function' ? v.name : v)));
}

// matches is true when every key of expected is in actual with an equal
// value, objects compared the same way recursively (extra keys in actual are
// fine; arrays compare element by element with the same rule).
function matches(actual, expected) {
  if (expected === null || typeof expected !== 'object') return Object.is(actual, expected);
  if (actual === null || typeof actual !== 'object') return false;
  if (Array.isArray(expected) && (!Array.isArray(actual) || actual.length !== expected.length)) return false;
  return Object.keys(expected).every((k) => matches(actual[k], expected[k]));
}

function record(entry) {
  entry.seq = log.length;
  entry.at = Date.now();
  log.push(entry);
  for (const w of [...waiters]) {
    if (entry.seq >= w.since && matches(entry, w.matcher)) w.hit(entry);
  }
}

function model(name) {
  const m = models[name];
  if (!m) throw new Error(`amplifyClient: no model ${name} in the schema (have ${Object.keys(models)})`);
  return m;
}

// fieldsFor turns the test's plain fields into a model's constructor input:
// a field given as { $model, key } becomes that record of this page's
// DataStore ({ post: { $model: 'Post', key: id } } → { post: <the Post> }),
// as an app would write it.
async function fieldsFor(fields) {
  const out = {};
  for (const [k, v] of Object.entries(fields)) {
    out[k] = v && typeof v === 'object' && '$model' in v ? await must(v.$model, v.key) : v;
  }
  return out;
}

/** The primary key's fields of a model: its key attribute without a name, else id. */
function primaryKey(name) {
  const attr = (definitions[name]?.attributes ?? []).find((a) => a.type === 'key' && !a.properties?.name);
  return attr?.properties?.fields ?? ['id'];
}

// key is an id, or an object of the primary key's fields for a custom or composite key.
async function must(name, key) {
  const found = await DataStore.query(model(name), key);
  if (!found) throw new Error(`amplifyClient: no ${name} ${JSON.stringify(key)} in this page's DataStore`);
  return found;
}

window.amplifyClient = {
  /**
   * Declares the models of schema (initSchema), configures Amplify against
   * a local endpoint (SYNC-PROTOCOL §5), starts
   * DataStore and resolves on its 'ready' event. dataStore goes to
   * DataStore.configure (for example { syncPageSize: 2 }), except its
   * syncExpressions, written as data: [{ model, field, op, value }] becomes
   * syncExpression(Model, () => (r) => r[field][op](value)) for each.
   */
  async start({ schema, endpoint, apiKey, region = 'us-east-1', dataStore = {} }) {
    models = initSchema(schema);
    definitions = schema.models;
    const { syncExpressions, ...options } = dataStore;
    if (syncExpressions) {
      options.syncExpressions = syncExpressions.map(({ model: name, field, op, value }) =>
        syncExpression(model(name), () => (r) => r[field][op](value)));
    }
    Hub.listen('datastore', ({ payload }) => record({ kind: 'hub', event: payload.event, data: plain(payload.data) }));
    // The realtime socket's states (Connected, ConnectionDisrupted, …): how a server outage shows.
    Hub.listen('api', ({ payload }) => {
      if (payload.event === 'ConnectionStateChange') record({ kind: 'connection', state: payload.data?.connectionState });
      if (payload.event === 'Subscription ack') {
        record({ kind: 'subscribed', field: /\{\s*(\w+)/.exec(payload.data?.query ?? '')?.[1] });
      }
    });
    Amplify.configure({ API: { GraphQL: { endpoint, region, defaultAuthMode: 'apiKey', apiKey } } });
    DataStore.configure({
      ...options,
      errorHandler: (error) => {
        const { localModel, remoteModel, ...rest } = error;
        record({ kind: 'error', error: { ...plain(rest), localModel: plain(localModel), remoteModel: plain(remoteModel) } });
        console.warn('DataStore errorHandler', error);
      },
    });
    DataStore.observe().subscribe({
      next: (msg) => record({ kind: 'observe', opType: msg.opType, model: msg.model.name, element: plain(msg.element) }),
      error: (err) => record({ kind: 'observe-error', message: String(err && err.message || err) }),
    });
    const ready = this.waitFor({ kind: 'hub', event: 'ready' }, 60_000);
    await DataStore.start();
    await ready;
  },

  /** Saves a new record; resolves with it as DataStore stored it. */
  async create(name, fields) {
    const M = model(name);
    return plain(await DataStore.save(new M(await fieldsFor(fields))));
  },

  /**
   * Saves a new record and resolves once the server's answer is merged into
   * this page's DataStore (the record has _version 1). An update or delete
   * made before then goes out without _version (Amplify reads the version
   * from the local record), and the server takes it for a stale write.
   */
  async createSynced(name, fields) {
    const since = log.length;
    const saved = await this.create(name, fields);
    const fieldsOfKey = primaryKey(name);
    const key = Object.fromEntries(fieldsOfKey.map((f) => [f, saved[f]]));
    await this.waitFor({ kind: 'observe', model: name, element: { ...key, _version: 1 } }, 30_000, since);
    return plain(await must(name, fieldsOfKey.length === 1 ? key[fieldsOfKey[0]] : key));
  },

  /**
   * Changes some fields of a record (copyOf); resolves with the result.
   * condition, written as data { field, op, value }, is saved with it as
   * the predicate (r) => r[field][op](value).
   */
  async update(name, key, patch, condition) {
    const M = model(name);
    const current = await must(name, key);
    const changed = M.copyOf(current, (draft) => Object.assign(draft, patch));
    const predicate = condition && ((r) => r[condition.field][condition.op](condition.value));
    return plain(await (predicate ? DataStore.save(changed, predicate) : DataStore.save(changed)));
  },

  /** Deletes a record (and, by DataStore's cascade, its has-many children). */
  async remove(name, key) {
    return plain(await DataStore.delete(await must(name, key)));
  },

  /** The record with this key in this page's DataStore, or null. */
  async get(name, key) {
    return plain((await DataStore.query(model(name), key)) ?? null);
  },

  /** Every record of a model in this page's DataStore. */
  async list(name) {
    return plain(await DataStore.query(model(name)));
  },

  /** Index of the next log entry: pass it as since to look only past it. */
  mark() {
    return log.length;
  },

  /** Log entries from index since on that match matcher. */
  entries(matcher = {}, since = 0) {
    return log.slice(since).filter((e) => matches(e, matcher));
  },

  /**
   * Resolves with the count-th log entry at or past index since that
   * matches matcher; rejects after timeoutMs with what the log held instead.
   */
  waitFor(matcher, timeoutMs = 30_000, since = 0, count = 1) {
    const found = log.slice(since).filter((e) => matches(e, matcher));
    if (found.length >= count) return Promise.resolve(found[count - 1]);
    return new Promise((resolve, reject) => {
      let left = count - found.length;
      const w = {
        matcher,
        since,
        hit: (e) => {
          if (--left > 0) return;
          waiters.delete(w);
          clearTimeout(w.timer);
          resolve(e);
        },
      };
      w.timer = setTimeout(() => {
        waiters.delete(w);
        const tail = log.slice(-15).map((e) => JSON.stringify(e)).join('\n  ');
        const what = count > 1 ? `${left} more of ${count} DataStore events` : 'no DataStore event';
        reject(new Error(`${what} matching ${JSON.stringify(matcher)} within ${timeoutMs} ms; last entries:\n  ${tail}`));
      }, timeoutMs);
      waiters.add(w);
    });
  },
};

document.body.dataset.ready = 'true';
