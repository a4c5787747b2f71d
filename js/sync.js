// The sync path: a DataStore created with { sync: { endpoint, apiKey } }
// (or configured with Amplify's config object) runs the Go sync engine
// (syncengine/, wired in wasm/sync.go) over its database. Nothing here runs
// for a local-only DataStore.
//
// Go does the work: it replays the mutation log (relation's __outbox) into
// the queue, sends it, runs the sync queries and subscriptions, and merges
// what arrives. This file passes local writes on to Go (ingest), turns Go's
// remote writes into observe messages and Hub events, and makes sure one
// tab per database syncs (a Web Lock); the other tabs hear remote changes
// over the DataStore's BroadcastChannel.
import { engine, callSync } from './wasm.js';
import { buildPredicate } from './predicates.js';

const SYNC_OPTIONS = ['auth', 'syncPageSize', 'maxRecordsToSync', 'fullSyncInterval', 'errorHandler', 'conflictHandler', 'syncExpressions'];

/**
 * What a conflictHandler returns to drop the local change: the server's
 * copy is read and kept (Amplify's DISCARD).
 */
export const DISCARD = Symbol('DISCARD');

/**
 * Amplify's syncExpression(Model, () => predicate): selective sync of a
 * model, given to DataStore.configure({ syncExpressions: [...] }).
 */
export function syncExpression(modelConstructor, conditionProducer) {
  return { modelConstructor, conditionProducer };
}

/**
 * The sync configuration after DataStore.configure(config): the sync
 * options, and the endpoint from Amplify's config shapes
 * ({ API: { GraphQL: { endpoint, apiKey } } } or aws_appsync_*). Returns
 * current unchanged when config says nothing of sync.
 */
export function mergeSyncConfig(current, config) {
  if (!config || typeof config !== 'object') return current;
  const next = { ...(current || {}) };
  let changed = false;
  const gql = config.API && config.API.GraphQL;
  const endpoint = (gql && gql.endpoint) || config.aws_appsync_graphqlEndpoint;
  if (endpoint) {
    next.endpoint = endpoint;
    next.apiKey = (gql && gql.apiKey) || config.aws_appsync_apiKey || next.apiKey;
    changed = true;
  }
  const ds = config.DataStore && typeof config.DataStore === 'object' ? config.DataStore : config;
  for (const k of SYNC_OPTIONS) {
    if (ds[k] !== undefined) {
      next[k] = ds[k];
      changed = true;
    }
  }
  return changed ? next : current;
}

/** Throws a TypeError naming the fix when cfg is not a usable sync configuration. */
export function checkConfig(cfg) {
  if (!cfg || typeof cfg.endpoint !== 'string' || !/^(https?|wss?):\/\//.test(cfg.endpoint)) {
    throw new TypeError('createDataStore({ sync }): sync.endpoint must be the GraphQL URL, as { sync: { endpoint: "https://host/graphql", apiKey: "..." } }');
  }
  if (cfg.auth !== undefined && typeof cfg.auth !== 'function') {
    throw new TypeError('createDataStore({ sync }): sync.auth must be a function returning a token or an object of headers, as { auth: async () => token }');
  }
}

// The Go predicate trees of the sync expressions, by model name.
function expressionTrees(ds, list) {
  const out = {};
  for (const item of list || []) {
    const ctx = ds._schema();
    const desc = item && ctx.descOf(item.modelConstructor);
    if (!desc) throw new Error('DataStore.configure({ syncExpressions }): each entry must be syncExpression(Model, () => predicate) with a model of this schema');
    const p = typeof item.conditionProducer === 'function' ? item.conditionProducer() : item.conditionProducer;
    const tree = buildPredicate(desc, p);
    if (tree) out[desc.name] = tree;
  }
  return out;
}

/**
 * One DataStore's sync: started once its database is open, stopped by
 * stop() and clear(). Waits for the database's Web Lock first, so that one
 * tab per database talks to the server.
 */
export class SyncSession {
  constructor(ds, handle, cfg) {
    checkConfig(cfg);
    this._ds = ds;
    this._handle = handle;
    this._cfg = cfg;
    this._id = 0;
    this._ingesting = null;
    this._again = false;
    this._stopped = false;
    this._onOnline = () => { if (this._id) callSync('syncWake', this._id); };
    const locks = typeof navigator !== 'undefined' && navigator.locks;
    if (locks) {
      this._abort = new AbortController();
      this._started = locks.request(`datastore-wasm-sync:${ds._databaseName}`, { signal: this._abort.signal },
        () => new Promise((release) => {
          this._release = release;
          if (this._stopped) release();
          else this._start();
        })).catch(() => {});
    } else {
      this._start();
    }
  }

  _start() {
    const ds = this._ds;
    const cfg = this._cfg;
    const config = {
      endpoint: cfg.endpoint,
      apiKey: cfg.apiKey || '',
      syncPageSize: cfg.syncPageSize || 0,
      maxRecordsToSync: cfg.maxRecordsToSync || 0,
      fullSyncInterval: cfg.fullSyncInterval || 0,
      syncExpressions: expressionTrees(ds, cfg.syncExpressions),
      realtime: cfg.realtime !== false,
    };
    const onEvent = (type, data) => ds._event(type, { source: 'sync', event: type, data: data ? JSON.parse(data) : undefined });
    const onChange = (text) => ds._remoteText(text);
    // The handlers are read when called: DataStore.configure may change them.
    const handlers = () => ds._syncConfig || cfg;
    const ctx = ds._schema();
    const instance = (model, rec) => {
      if (!rec || !ctx.classes.has(model)) return rec || null;
      try { return ctx.instance(model, { ...rec }, ds); } catch { return rec; }
    };
    // A mutation's data as an instance holding only the fields sent (an
    // update's changed fields, key and _version), as Amplify's localModel:
    // { ...remoteModel, ...localModel } is the local change over the server's.
    const sent = (model, rec) => {
      const cls = ctx.classes.get(model);
      if (!rec || !cls) return rec || null;
      return Object.freeze(Object.assign(Object.create(cls.prototype), rec));
    };
    const onError = (text) => {
      const handler = handlers().errorHandler;
      if (typeof handler !== 'function') return;
      const e = JSON.parse(text);
      const error = {
        message: e.message, errorType: e.errorType, errorInfo: e.errorInfo ?? null, process: e.process,
        operation: e.operation || undefined, model: e.model || undefined,
        // As Amplify: localModel is the data the mutation sent, remoteModel an instance.
        localModel: e.localModel || null, remoteModel: instance(e.model, e.remoteModel),
        cause: e.cause ? Object.assign(new Error(e.cause), { errorType: e.errorType, errorInfo: e.errorInfo ?? null }) : undefined,
      };
      try { handler(error); } catch (err) { console.error('DataStore errorHandler threw', err); }
    };
    // Go decides what an answer means (syncengine); this only calls the
    // user's handler, if one is configured by then, and says which answer it gave.
    const onConflict = async (text) => {
      const c = JSON.parse(text);
      const handler = handlers().conflictHandler;
      if (typeof handler !== 'function') return '';
      const out = await handler({
        modelConstructor: ctx.classes.get(c.model), localModel: sent(c.model, c.localModel),
        remoteModel: instance(c.model, c.remoteModel), operation: c.operation, attempts: c.attempts,
      });
      if (out === DISCARD) return 'DISCARD';
      if (out === undefined || out === null) return '';
      if (typeof out !== 'object') throw new TypeError(`DataStore conflictHandler: return a ${c.model} (the record to send), DISCARD, or nothing for the default; it returned ${String(out)}`);
      return JSON.stringify(out);
    };
    // auth: () => token or headers, asked before each request and each
    // real-time connection (a token is sent as Authorization, as AppSync's
    // Cognito and OIDC modes take it; an object's entries are sent as headers).
    const auth = handlers().auth;
    const onAuth = typeof auth === 'function' ? async () => {
      const out = await auth();
      const headers = typeof out === 'string' ? { Authorization: out } : out;
      if (!headers || typeof headers !== 'object' || Object.values(headers).some((v) => typeof v !== 'string')) {
        throw new TypeError(`createDataStore({ sync: { auth } }): auth must return a token (a string, sent as Authorization) or an object of header strings; it returned ${String(out)}`);
      }
      return JSON.stringify(headers);
    } : undefined;
    this._id = callSync('syncStart', this._handle, JSON.stringify(config), onEvent, onChange, onError, onConflict, onAuth);
    if (typeof addEventListener === 'function') addEventListener('online', this._onOnline);
    this.ingest();
  }

  /** Passes the local writes made since the last call on to the engine. */
  ingest() {
    if (!this._id) return Promise.resolve();
    if (this._ingesting) {
      this._again = true;
      return this._ingesting;
    }
    this._ingesting = engine.syncIngest(this._id)
      .catch((err) => this._ds._event('storageError', { error: err }))
      .finally(() => {
        this._ingesting = null;
        if (this._again && !this._stopped) {
          this._again = false;
          this.ingest();
        }
      });
    return this._ingesting;
  }

  /** Stops the engine (what was not sent stays in the log) and frees the lock. */
  async stop() {
    this._stopped = true;
    if (this._abort && !this._release) this._abort.abort();
    if (this._ingesting) await this._ingesting;
    if (typeof removeEventListener === 'function') removeEventListener('online', this._onOnline);
    const id = this._id;
    this._id = 0;
    if (id) await engine.syncStop(id);
    if (this._release) this._release();
  }
}
