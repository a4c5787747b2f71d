// The DataStore API: save, query, delete, observe, observeQuery and the
// lifecycle. Each call is one Go call (one storage transaction); what Go
// returns is turned into frozen, attached instances, and the changes it
// reports become observe messages.
import { engine, callSync, mark } from './wasm.js';
import { saveRecord, batchRecords, readQuery, queryPlan } from './direct.js';
import { attachments, lazyTargets, ticketOf } from './models.js';
import { Observable } from './observable.js';
import { buildInclude, buildPredicate, buildSort, hasRelated, isAll } from './predicates.js';
import { GroupCommit } from './groupcommit.js';
import { SyncSession, mergeSyncConfig } from './sync.js';

const COMPOSITE_QUERY = 'Models with composite primary keys cannot be queried by a single key value. Use object literal syntax for composite keys instead: https://docs.amplify.aws/lib/datastore/advanced-workflows/q/platform/js/#querying-records-with-custom-primary-keys';
const COMPOSITE_DELETE = 'Models with composite primary keys cannot be deleted by a single key value, unless using a predicate. Use object literal syntax for composite keys instead: https://docs.amplify.aws/lib/datastore/advanced-workflows/q/platform/js/#querying-records-with-custom-primary-keys';
const OBJECT_LITERAL_OBSERVE = 'Object literal syntax cannot be used with observe. Use a predicate instead: https://docs.amplify.aws/lib/datastore/data-access/q/platform/js/#predicates';

/** Operation types of observe messages. */
export const OpType = Object.freeze({ INSERT: 'INSERT', UPDATE: 'UPDATE', DELETE: 'DELETE' });

/** Sort directions for the sort option of query and observeQuery. */
export const SortDirection = Object.freeze({ ASCENDING: 'ASCENDING', DESCENDING: 'DESCENDING' });

const reject = (message) => Promise.reject(new Error(message));

// quotaError words the browser's QuotaExceededError for the app: which call
// on which model, that nothing was written, and what to do.
function quotaError(err, op, models) {
  const e = new Error(`DataStore.${op}(${models}) could not write: this origin's storage quota is used up (QuotaExceededError). Nothing of this call was written and the data stored before is kept; reads keep working. Free space (delete records, or other storage of this origin) or ask the browser for more (navigator.storage.persist()).`);
  e.name = 'QuotaExceededError';
  e.cause = err;
  return e;
}

// The key values of one record must be keys IndexedDB can hold.
function checkKeyValues(desc, key, call) {
  for (const f of desc.primaryKey) {
    const v = key[f];
    if (typeof v === 'string' || (typeof v === 'number' && Number.isFinite(v))) continue;
    throw new TypeError(`${call}(${desc.name}, ...): the key field ${f} must be a string or a finite number, got ${typeof v === 'number' ? String(v) : typeof v}`);
  }
}

/**
 * Amplify's shape of a condition in observe messages (SPEC 6.5):
 * {type, predicates: [{field, operator, operand} | group]}.
 */
function amplifyCondition(p) {
  if (!p) return null;
  const convert = (n) => (n.group
    ? { type: n.group, predicates: (n.children || []).map(convert) }
    : { field: n.field, operator: n.op, operand: n.value });
  return p.group ? convert(p) : { type: 'and', predicates: [convert(p)] };
}

function keyCondition(desc, rec) {
  return { group: 'and', children: desc.primaryKey.map((f) => ({ field: f, op: 'eq', value: rec[f] })) };
}

function keyOf(desc, rec) {
  const key = {};
  for (const f of desc.primaryKey) key[f] = rec[f];
  return key;
}

/** The shortest time between two messages to other pages (see _broadcast). */
const BROADCAST_MS = 8;

/**
 * One DataStore over one schema and one IndexedDB database. The default
 * instance is exported as DataStore; createDataStore makes more.
 */
export class DataStoreImpl {
  constructor(ctx, databaseName, { outbox = false, sync = null } = {}) {
    this._ctx = ctx;
    this._databaseName = databaseName;
    this._outbox = outbox;
    // With sync ({ endpoint, apiKey, ... }: js/sync.js) every write is logged
    // for the sync engine, which starts when the database opens.
    this._syncConfig = sync;
    this._sync = null;
    this._handle = null; // Promise of the engine handle, once opened
    this._pending = null; // the database's open, started before the schema was parsed (_preopen)
    this._state = 'Stopped';
    this._subscribers = new Set();
    // Set once another tab has upgraded the database under this one: from
    // then on it is opened as it is, never upgraded (until clear()).
    this._changedElsewhere = false;
    this._eventSinks = new Set();
    this._onStop = new Set(); // observeQuery subscriptions, ended by stop() and clear()
    this._channel = null;
    // Saves issued in one turn share a transaction (js/groupcommit.js).
    this._saves = new GroupCommit(
      (op) => this._call('save', (h) => saveRecord(this._direct, h, op.desc.index, op.ticket, op.options, op.model, op.fresh), op.desc.name),
      (ops) => this._call('save', (h) => {
        // Each record is sent by its ticket where Go keeps it. A failure
        // of the group reruns each save alone, with its own error message.
        const plans = ops.map((op) => ({ save: op.desc.name, ticket: op.ticket, condition: JSON.stringify(op.cond) }));
        return batchRecords(this._direct, h, plans, ops.map((op) => op.model), ops.map((op) => op.fresh));
      }, [...new Set(ops.map((op) => op.desc.name))].join(', ')).then((out) => out.steps),
    );
    /**
     * Events for the app, as {type, databaseName, ...}: ready (created,
     * upgraded), schemaUpgraded, blocked (an upgrade waits for other tabs),
     * closedByOtherTab (another tab upgrades or deletes the database; the
     * next call reconnects), schemaChangedElsewhere (reconnecting found a
     * schema this page does not have: reload it), storageError, stopped,
     * cleared. stop() and clear() do not end these subscriptions.
     */
    this.events = new Observable((sink) => {
      this._eventSinks.add(sink);
      return () => this._eventSinks.delete(sink);
    });
  }

  _event(type, detail = {}) {
    const e = { type, databaseName: this._databaseName, ...detail };
    for (const sink of [...this._eventSinks]) sink.next(e);
  }

  // Another tab's writes arrive over a BroadcastChannel named after the
  // database: same-origin pages only, no storage round trip, and every
  // DataStore on the database (in this page too) hears of them.
  _listen() {
    if (this._channel || typeof BroadcastChannel === 'undefined') return;
    const channel = new BroadcastChannel(`datastore-wasm:${this._databaseName}`);
    if (typeof channel.unref === 'function') channel.unref(); // Node: do not keep the process alive
    channel.onmessage = (ev) => this._remote(ev.data);
    this._channel = channel;
  }

  _unlisten() {
    this._sendChanges();
    if (this._channel) this._channel.close();
    this._channel = null;
  }

  /**
   * Tells the other pages on this database what this one wrote. The
   * message goes out in a task of its own, with every change written
   * meanwhile, and at most one message each BROADCAST_MS: a post costs
   * about as much as a save's own work (structured clone, a hop to each
   * page), so saves one by one share messages, 8 or so to one, and other
   * pages hear of a change at most BROADCAST_MS later.
   */
  _broadcast(changes, recordOf) {
    if (this._sync && changes.length) this._sync.ingest();
    if (!this._channel || changes.length === 0) return;
    changes.forEach((c, i) => this._queueOutgoing({ model: c.model, opType: c.opType, condition: c.condition, record: recordOf(i) }));
  }

  /** Adds one entry to the next message to other pages, starting its timer. */
  _queueOutgoing(entry) {
    if (!this._outgoing) {
      this._outgoing = [];
      const wait = Math.min(BROADCAST_MS, Math.max(0, (this._lastSent || -Infinity) + BROADCAST_MS - Date.now()));
      this._sendTimer = setTimeout(() => this._sendChanges(), wait);
    }
    this._outgoing.push(entry);
  }

  /**
   * What a sync merge wrote, as the engine's JSON text ([{model, opType,
   * element}]): observers here get their messages, and other pages get
   * the text itself. A base sync page is a thousand records, so they are
   * parsed only by a page that has subscribers (_remote; a string is
   * copied whole to another page, where a thousand objects cost a
   * structured clone).
   */
  _remoteText(text) {
    this._remote({ changes: [{ text }] }, true);
    if (this._channel) this._queueOutgoing({ text });
  }

  _sendChanges() {
    const changes = this._outgoing;
    this._outgoing = null;
    clearTimeout(this._sendTimer);
    this._lastSent = Date.now();
    if (!changes || !this._channel) return;
    try {
      this._channel.postMessage({ changes });
    } catch (err) {
      this._event('storageError', { error: err });
    }
  }

  _remote(data, fromServer = false) {
    // Another tab's local writes are in the shared log: the syncing tab sends them.
    if (!fromServer && this._sync) this._sync.ingest();
    const ctx = this._ctx;
    if (!ctx || !data || !Array.isArray(data.changes) || this._state === 'Stopping' || this._state === 'Clearing') return;
    // No subscriber, nothing to build (_emit would send nothing).
    if (this._subscribers.size === 0) return;
    const changes = [];
    for (const c of data.changes) {
      if (typeof c.text === 'string') {
        for (const x of JSON.parse(c.text)) {
          if (ctx.classes.has(x.model)) changes.push({ model: x.model, opType: x.opType, condition: null, record: x.element });
        }
      } else if (ctx.classes.has(c.model)) {
        changes.push(c);
      }
    }
    this._emit(changes, (c) => ctx.instance(c.model, { ...c.record }, c.opType === 'DELETE' ? null : this));
  }

  /**
   * Starts opening the database before the schema is parsed (the engine's
   * preopen): IndexedDB opens it while Go parses, and the first operation's
   * open takes the connection over. _bind, in the same task, tells it the
   * stores a database it creates gets; _unclaim drops it when no schema
   * comes.
   */
  _preopen() {
    if (!engine || this._pending) return;
    try {
      this._pending = callSync('preopen', this._databaseName);
    } catch {
      this._pending = null; // the open reports what is wrong
    }
  }

  _unclaim() {
    if (this._pending) callSync('unclaim', this._pending);
    this._pending = null;
  }

  _bind(ctx) {
    this._ctx = ctx;
    ctx.dataStore = this;
    if (this._pending) callSync('prepareOpen', this._pending, ctx.id);
  }

  /**
   * The schema as the engine read it: {models, enums, nonModels} by name,
   * with every field (implied foreign keys included), primary key, index
   * and relation (kind, target, join fields, delete policy); frozen plain
   * objects. null before initSchema.
   */
  get schema() {
    return this._ctx ? this._ctx.description : null;
  }

  _schema() {
    if (!this._ctx) throw new Error('DataStore has no schema yet: call initSchema(schema) before using DataStore');
    return this._ctx;
  }

  async _engine(op) {
    if (this._state === 'Stopping' || this._state === 'Clearing') {
      throw new Error(`DataStoreStateError: Tried to execute \`DataStore.${op}()\` while DataStore was "${this._state}". This can only be done while DataStore is "Started" or "Stopped". To remedy: Ensure all calls to \`stop()\` and \`clear()\` have completed before starting another operation.`);
    }
    const ctx = this._schema();
    if (!this._handle) {
      this._state = 'Starting';
      const onEvent = (type, detail) => {
        if (type === 'blocked') this._event('blocked');
        else if (detail === 'versionchange') this._event('closedByOtherTab');
        else this._event('closed', { reason: detail });
      };
      const reopen = this._changedElsewhere;
      const pending = this._pending;
      this._pending = null;
      mark('datastore:open-start');
      this._handle = engine.open(ctx.id, this._databaseName, reopen, onEvent, this._outbox || !!this._syncConfig, ctx.migrations, pending).then(
        (h) => {
          mark('datastore:opened');
          this._state = 'Started';
          // The IndexedDB handle and the store's executor, for reads the
          // module fills in from Go-made templates (see _read).
          this._direct = { db: h.db, exec: h.exec };
          this._listen();
          this._event('ready', { created: h.created, upgraded: h.upgraded, reopened: reopen });
          if (h.upgraded) this._event('schemaUpgraded');
          if (this._syncConfig && this._syncConfig.endpoint && !this._sync) this._sync = new SyncSession(this, h.id, this._syncConfig);
          return h.id;
        },
        (err) => {
          this._handle = null;
          this._state = 'Stopped';
          this._event(err && err.name === 'SchemaChangedElsewhereError' ? 'schemaChangedElsewhere' : 'storageError', { error: err });
          throw err;
        },
      );
    }
    return this._handle;
  }

  /**
   * Runs fn with the engine handle. When the database was closed under it
   * (another tab upgraded or deleted it), it reopens once and retries, so
   * the DataStore keeps working instead of failing every later call.
   */
  async _call(op, fn, models = '') {
    const h = await this._engine(op);
    const current = this._handle;
    try {
      return await fn(h);
    } catch (caught) {
      const err = caught && caught.name === 'QuotaExceededError' && !(caught.cause) ? quotaError(caught, op, models) : caught;
      if (err && (err.name === 'StorageError' || err.name === 'QuotaExceededError')) this._event('storageError', { error: err });
      if (!err || err.name !== 'DatabaseClosedError' || this._state !== 'Started') throw err;
      this._changedElsewhere = true;
      if (this._handle === current) {
        this._handle = null;
        engine.close(h).catch(() => {});
      }
      return fn(await this._engine(op));
    }
  }

  _desc(model, message) {
    const desc = this._schema().descOf(model);
    if (!desc) throw new Error(message);
    return desc;
  }

  /** Opens the database; every operation does so itself when needed. */
  async start() {
    await this._engine('start');
  }

  /** Closes the database and ends every subscription; data is kept. */
  async stop() {
    if (this._state === 'Stopping' || this._state === 'Clearing') return;
    const handle = this._handle;
    this._state = 'Stopping';
    this._unclaim();
    this._disconnect();
    try {
      await this._stopSync();
      if (handle) await engine.close(await handle.catch(() => 0));
    } finally {
      this._handle = null;
      this._state = 'Stopped';
      this._event('stopped');
    }
  }

  // Ends every subscription silently (SPEC 6.7) and stops hearing other tabs.
  _disconnect() {
    this._subscribers.clear();
    for (const end of [...this._onStop]) end();
    this._onStop.clear();
    this._unlisten();
  }

  /** Closes the database, deletes it and everything in it, and ends every subscription. */
  async clear() {
    if (this._state === 'Clearing') return;
    const handle = this._handle;
    this._state = 'Clearing';
    this._unclaim();
    this._disconnect();
    try {
      // The sync metadata (lastSync) lives in the database: deleting it
      // makes the next start a full sync.
      await this._stopSync();
      if (handle) await engine.close(await handle.catch(() => 0));
      await engine.deleteDatabase(this._databaseName);
      this._changedElsewhere = false;
    } finally {
      this._handle = null;
      this._state = 'Stopped';
      this._event('cleared');
    }
  }

  /**
   * Configures the DataStore: { outbox: true } records every mutation for
   * a sync engine (from the next start; see outbox). The sync options
   * (syncExpressions, errorHandler, conflictHandler, syncPageSize,
   * maxRecordsToSync, fullSyncInterval) and Amplify's config object ({ API: { GraphQL: {
   * endpoint, apiKey } } }) configure sync (js/sync.js), from the next start.
   */
  configure(config = {}) {
    if (config && typeof config.outbox === 'boolean') this._outbox = config.outbox;
    this._syncConfig = mergeSyncConfig(this._syncConfig, config);
  }

  async _stopSync() {
    const s = this._sync;
    this._sync = null;
    if (s) await s.stop();
  }

  /** Saves (inserts or replaces) a model instance; resolves with the stored instance. */
  async save(model, condition) {
    // An array is saved all or nothing in one transaction (a batch).
    if (Array.isArray(model)) return this._batch(model.map((m) => ({ kind: 'save', model: m, condition })));
    const ctx = this._schema();
    if (!ctx.isInstance(model)) throw new Error('Object is not an instance of a valid model');
    const desc = ctx.descOf(model.constructor);
    const cond = condition === undefined ? null : buildPredicate(desc, condition);
    // A constructed instance's record is kept by Go (ticketOf).
    const ticket = ticketOf(model);
    const options = cond === null ? null : JSON.stringify({ condition: cond });
    // An instance that was not read from storage is most likely new: the
    // store then writes it without reading first.
    const fresh = !attachments.has(model);
    const out = await this._saves.add({ desc, ticket, options, model, fresh, cond });
    const saved = ctx.instance(desc.name, out.record, this);
    if (out.op) {
      // Amplify picks the observers when the write happens and delivers
      // the message after save() resolves (SPEC 6.3). Two microtask hops
      // put the delivery after the caller's await resumes, in the same
      // task, so observers pay no timer delay.
      const changes = [{ model: desc.name, opType: out.op, condition: cond }];
      const deliver = this._emit(changes, () => saved, true);
      queueMicrotask(() => queueMicrotask(deliver));
      this._broadcast(changes, () => out.record);
    }
    return saved;
  }

  /**
   * Queries a model: all records, one by key (a string or an object of the
   * key fields), or those matching a predicate, with sort, limit and page.
   */
  async query(modelCtor, criteria, pagination) {
    const ctx = this._schema();
    const desc = this._desc(modelCtor, 'Constructor is not for a valid model');
    const key = this._keyCriteria(desc, criteria, COMPOSITE_QUERY, 'query');
    const include = buildInclude(desc, pagination && pagination.include);
    if (include) {
      // Eager: the records and the include paths in one read transaction.
      const keyJSON = key ? JSON.stringify(key) : null;
      const opts = JSON.stringify(this._queryOptions(desc, key ? undefined : criteria, pagination));
      const paths = JSON.stringify(include);
      const recs = await this._call('query', (h) => (key && this._readKeyTree(h, desc, key, opts, paths))
        || readQuery(this._direct, h, desc.index, keyJSON, opts, paths)
        || callSync('queryIncluding', h, desc.name, keyJSON, opts, paths));
      const found = recs.map((r) => ctx.instance(desc.name, r, this));
      return key ? found[0] : found;
    }
    if (key) {
      const values = desc.primaryKey.map((f) => key[f]);
      const keyJSON = JSON.stringify(key);
      const [rec] = await this._call('query', (h) => this._read(desc.keyRead, values) || callSync('get', h, desc.name, keyJSON));
      return rec ? ctx.instance(desc.name, rec, this) : undefined;
    }
    const options = this._queryOptions(desc, criteria, pagination);
    const opts = JSON.stringify(options);
    const recs = await this._call('query', (h) => this._readEq(desc, options) || readQuery(this._direct, h, desc.index, null, opts, null)
      || callSync('query', h, desc.name, opts));
    return ctx.instances(desc.name, recs, this, desc.omit);
  }

  /**
   * Says how a query would read storage: {store, index, access: 'key' |
   * 'range' | 'scan'}. For tests and tuning.
   */
  async explain(modelCtor, criteria, pagination) {
    const desc = this._desc(modelCtor, 'Constructor is not for a valid model');
    const h = await this._engine('explain');
    return JSON.parse(callSync('explain', h, desc.name, JSON.stringify(this._queryOptions(desc, criteria, pagination))));
  }

  /**
   * Reads by a Go-made template (a key read, or a relation's index read)
   * with the key values filled in, straight through the store's executor:
   * no Go call. Returns null when the template does not apply (no
   * template, or values that are not keys), for the caller to ask Go.
   */
  _read(template, values, max = 0) {
    if (!template || !this._direct || !values.every((v) => typeof v === 'string' || typeof v === 'number')) return null;
    const q = { ...template, range: { eq: values.length === 1 ? values[0] : values } };
    if (max) q.count = max;
    return this._direct.exec.readNow(this._direct.db, q);
  }

  /**
   * Reads a record by key with its includes by the read tree Go planned
   * for the first key read of this model, options and paths (kept as any
   * plan is, under the id of the query with '*' for its key): only the
   * roots' read (the model's key read template) and the root key change
   * from one key to the next. Returns null when it does not apply (values
   * that are not keys, or a plan that is not a tree), for the caller to
   * ask Go.
   */
  _readKeyTree(h, desc, key, opts, paths) {
    const values = desc.primaryKey.map((f) => key[f]);
    if (!this._direct || !(engine && engine.wasm) || !values.every((v) => typeof v === 'string' || typeof v === 'number')) return null;
    const plan = queryPlan(this._direct, h, `${desc.index}\n*\n${opts}\n${paths}`, desc.index, JSON.stringify(key), opts, paths);
    if (plan === null || !plan.tree) return null;
    const rootKey = {};
    desc.primaryKey.forEach((f, i) => { rootKey[f] = values[i]; });
    const roots = { ...desc.keyRead, range: { eq: values.length === 1 ? values[0] : values } };
    return this._direct.exec.readTree(this._direct.db, { ...plan.read, roots, rootKey });
  }

  /**
   * A query of every record, or of one equality on a key or indexed field,
   * with no sort or page, read by a Go-made template (null otherwise: Go
   * plans).
   */
  _readEq(desc, options) {
    const p = options.predicate;
    if (options.sort.length || options.limit !== null || options.page !== null) return null;
    // The records keep their storage-only fields: query() leaves them out
    // as it makes the instances (desc.omit).
    if (!p) return this._direct ? this._direct.exec.readNow(this._direct.db, desc.allReadKept || desc.allRead) : null;
    if (p.group || p.op !== 'eq') return null;
    const f = desc.fieldsByName[p.field];
    if (!f || !f.eqRead || typeof p.value !== f.jsType) return null;
    return this._read(f.eqReadKept || f.eqRead, [p.value]);
  }

  /** Runs a query given as a predicate tree; resolves with the records. */
  _queryTree(desc, tree) {
    const opts = JSON.stringify({ predicate: tree, sort: [], limit: null, page: null });
    return this._call('query', (h) => readQuery(this._direct, h, desc.index, null, opts, null) || callSync('query', h, desc.name, opts));
  }

  _queryOptions(desc, criteria, pagination = {}) {
    const p = pagination || {};
    if (typeof p !== 'object') throw new TypeError('query(Model, criteria, options): options is an object, as { sort, limit, page, include }');
    // Amplify's messages (SPEC 4.6); Go checks the numbers' values.
    if (p.limit !== undefined && p.limit !== null && typeof p.limit !== 'number') throw new Error('Limit should be a number');
    if (p.page !== undefined && p.page !== null && typeof p.page !== 'number') throw new Error('Page should be a number');
    return {
      predicate: buildPredicate(desc, criteria),
      sort: buildSort(desc, p.sort),
      limit: p.limit === undefined ? null : p.limit,
      page: p.page === undefined ? null : p.page,
    };
  }

  /** A key object when criteria names one record (string or key fields), else null. */
  _keyCriteria(desc, criteria, compositeMessage, call) {
    if (typeof criteria === 'string' || typeof criteria === 'number') {
      if (desc.primaryKey.length > 1) throw new Error(compositeMessage);
      const key = { [desc.primaryKey[0]]: criteria };
      checkKeyValues(desc, key, call);
      return key;
    }
    if (criteria && typeof criteria === 'object' && !isAll(criteria)) {
      const missing = desc.primaryKey.filter((f) => criteria[f] === undefined || criteria[f] === null);
      if (missing.length) {
        throw new Error(`To select a ${desc.name} by key, give all its key fields: ${desc.primaryKey.join(', ')} (missing ${missing.join(', ')}); for other conditions use a predicate`);
      }
      const key = keyOf(desc, criteria);
      checkKeyValues(desc, key, call);
      return key;
    }
    return null;
  }

  /**
   * The {desc, key, byKey} of a lazy relation value (comment.post) of this
   * schema (see lazyTargets), or null for anything else. A value whose join
   * fields are unset points at no record: that is an error.
   */
  _lazyKey(value, call) {
    const lazy = value && typeof value === 'object' ? lazyTargets.get(value) : undefined;
    if (!lazy || this._schema().descs.get(lazy.desc.name) !== lazy.desc) return null;
    const unset = Object.keys(lazy.key).filter((f) => lazy.key[f] === null || lazy.key[f] === undefined);
    if (unset.length) {
      throw new Error(`${call}(): the relation value points at no ${lazy.desc.name} (${unset.join(', ')} is null); check it before calling ${call}`);
    }
    return { desc: lazy.desc, key: { ...lazy.key }, byKey: lazy.byKey };
  }

  /**
   * Deletes an instance (resolving with it), or records of a model by key,
   * predicate or Predicates.ALL (resolving with the deleted records), and
   * what hangs off them, in one transaction.
   */
  async delete(modelOrCtor, criteria) {
    const { desc, target, instance } = this._deleteTarget(modelOrCtor, criteria);
    const targetJSON = JSON.stringify(target);
    const out = await this._call('delete', (h) => callSync('delete', h, desc.name, targetJSON), desc.name);
    const { result, changes, elementOf, recordOf } = this._deleteOutcome(desc, target, instance, out);
    this._emit(changes, elementOf);
    this._broadcast(changes, recordOf);
    // A lazy value (delete(comment.post)) stands for one record: the
    // deleted instance, or undefined when there was none.
    return target.one ? result[0] : result;
  }

  /**
   * What delete(modelOrInstance, criteria) would do, without writing
   * anything: the same Go plan and walk in a transaction that writes
   * nothing (a dry run). Resolves with {roots, removed, updated, blocked,
   * ok}: removed lists every record the delete would remove, descendants
   * first and the roots last (as its DELETE messages come), updated the
   * records whose keys it would set to null (as stored now, with the
   * fields), blocked the records an onDelete: 'restrict' relation finds
   * (with any, ok is false and delete would fail, changing nothing); each
   * entry is {model, element, via} (via: 'Post.comments', null for a root).
   */
  async planDelete(modelOrCtor, criteria) {
    const { desc, target } = this._deleteTarget(modelOrCtor, criteria, 'planDelete');
    const targetJSON = JSON.stringify(target);
    const out = await this._call('planDelete', (h) => callSync('planDelete', h, desc.name, targetJSON), desc.name);
    const ctx = this._schema();
    const entry = (r) => {
      const e = { model: r.store, element: ctx.instance(r.store, r.record, this), via: r.via || null };
      if (r.fields) e.fields = Object.freeze([...r.fields]);
      return Object.freeze(e);
    };
    const removed = Object.freeze(out.removed.map(entry));
    const blocked = Object.freeze((out.blocked || []).map(entry));
    return Object.freeze({
      roots: Object.freeze(removed.slice(removed.length - out.roots).map((e) => e.element)),
      removed,
      updated: Object.freeze((out.updated || []).map(entry)),
      blocked,
      ok: blocked.length === 0,
    });
  }

  /** What a delete call selects: {desc, target (for Go), instance}. */
  _deleteTarget(modelOrCtor, criteria, op = 'delete') {
    if (modelOrCtor === undefined || modelOrCtor === null) throw new Error('Model or Model Constructor required');
    const ctx = this._schema();
    const lazy = this._lazyKey(modelOrCtor, op);
    if (lazy) {
      if (criteria !== undefined) throw new Error(`${op}(lazyValue) deletes the record the value points at; it takes no criteria`);
      if (lazy.byKey) return { desc: lazy.desc, instance: null, target: { key: lazy.key, one: true } };
      // A has-one whose key is on the target: the record holding the join values.
      const predicate = { group: 'and', children: Object.keys(lazy.key).map((f) => ({ field: f, op: 'eq', value: lazy.key[f] })) };
      return { desc: lazy.desc, instance: null, target: { predicate, all: false, one: true } };
    }
    if (ctx.isInstance(modelOrCtor)) {
      const desc = ctx.descOf(modelOrCtor.constructor);
      if (criteria !== undefined && typeof criteria !== 'function') throw new Error('Invalid criteria');
      const condition = criteria ? buildPredicate(desc, criteria) : null;
      return { desc, instance: modelOrCtor, target: { key: keyOf(desc, modelOrCtor), instance: true, condition } };
    }
    const desc = this._desc(modelOrCtor, 'Object is not an instance of a valid model');
    if (criteria === undefined || criteria === null) {
      throw new Error('Id to delete or criteria required. Do you want to delete all? Pass Predicates.ALL');
    }
    const key = this._keyCriteria(desc, criteria, COMPOSITE_DELETE, op);
    if (key) return { desc, instance: null, target: { key } };
    if (isAll(criteria)) return { desc, instance: null, target: { all: true } };
    return { desc, instance: null, target: { predicate: buildPredicate(desc, criteria), all: false } };
  }

  /**
   * Turns a delete's outcome into its result (the instance, or the deleted
   * roots) and its messages: a DELETE per record, descendants first, then an
   * UPDATE per record whose key a setNull policy or a deleted has-one target
   * cleared. The root of delete(instance) carries its condition, or its key
   * as one (SPEC 6.5); the others carry none.
   */
  _deleteOutcome(desc, target, instance, out) {
    const ctx = this._schema();
    const first = out.removed.length - out.roots;
    const roots = instance && out.roots ? [instance] : out.removed.slice(first).map((r) => ctx.instance(desc.name, r.record, this));
    const rootCondition = instance ? target.condition || keyCondition(desc, instance) : null;
    const changes = out.removed.map((r, i) => ({ model: r.store, opType: 'DELETE', condition: i >= first ? rootCondition : null }));
    const updated = out.updated || [];
    for (const u of updated) changes.push({ model: u.store, opType: 'UPDATE', condition: null });
    const n = out.removed.length;
    const recordOf = (i) => (i < n ? out.removed[i].record : updated[i - n].record);
    const elementOf = (c, i) => {
      if (i >= n) return ctx.instance(c.model, { ...recordOf(i) }, this);
      return i >= first ? roots[i - first] : ctx.instance(c.model, recordOf(i), null);
    };
    return { result: instance || roots, changes, elementOf, recordOf };
  }

  /**
   * Runs saves and deletes all or nothing, in one transaction:
   * DataStore.batch((b) => { b.save(post); b.delete(comment); }). The
   * callback only records the operations (it must not be async): no user
   * code runs while the transaction is open. Resolves with one result per
   * operation, as save() and delete() would give it.
   */
  async batch(fn) {
    if (typeof fn !== 'function') throw new Error('DataStore.batch takes a function: b => { b.save(x); b.delete(y); }');
    const ops = [];
    const recorder = {
      save(model, condition) { ops.push({ kind: 'save', model, condition }); return b; },
      delete(model, criteria) { ops.push({ kind: 'delete', model, criteria }); return b; },
    };
    const b = new Proxy(recorder, {
      get(t, prop) {
        if (typeof prop !== 'string' || prop === 'then' || Object.hasOwn(t, prop)) return t[prop];
        throw new TypeError(`DataStore.batch(b => ...): b records operations with b.save(instance, condition?) and b.delete(instanceOrModel, criteria?); it has no ${prop}`);
      },
    });
    const returned = fn(b);
    if (returned && typeof returned.then === 'function') {
      throw new Error('DataStore.batch: the callback must be synchronous; it records the operations, which then run in one transaction');
    }
    return this._batch(ops);
  }

  async _batch(ops) {
    const ctx = this._schema();
    if (ops.length === 0) return []; // nothing to do: no transaction (IndexedDB refuses an empty one)
    const plans = [];
    const records = [];
    const fresh = [];
    const prepared = ops.map((op, i) => {
      if (op.kind === 'save') {
        if (!ctx.isInstance(op.model)) throw new Error('Object is not an instance of a valid model');
        const desc = ctx.descOf(op.model.constructor);
        const condition = op.condition === undefined ? null : buildPredicate(desc, op.condition);
        plans.push({ save: desc.name, ticket: ticketOf(op.model), condition: JSON.stringify(condition) });
        records[i] = op.model;
        fresh[i] = !attachments.has(op.model);
        return { desc, condition };
      }
      const del = this._deleteTarget(op.model, op.criteria);
      plans.push({ json: JSON.stringify({ delete: del.desc.name, target: del.target }) });
      return del;
    });
    // Each record goes by its ticket where Go keeps it (ticketOf).
    const models = [...new Set(prepared.map((p) => p.desc.name))].join(', ');
    const out = await this._call('save', (h) => batchRecords(this._direct, h, plans, records, fresh), models);
    const results = [];
    const changes = [];
    const elements = [];
    const sent = [];
    out.steps.forEach((step, i) => {
      const p = prepared[i];
      if (ops[i].kind === 'save') {
        const saved = ctx.instance(p.desc.name, step.record, this);
        results.push(saved);
        if (step.op) {
          changes.push({ model: p.desc.name, opType: step.op, condition: p.condition });
          elements.push(saved);
          sent.push(step.record);
        }
        return;
      }
      const d = this._deleteOutcome(p.desc, p.target, p.instance, step);
      results.push(p.target.one ? d.result[0] : d.result);
      d.changes.forEach((c, j) => {
        changes.push(c);
        elements.push(d.elementOf(c, j));
        sent.push(d.recordOf(j));
      });
    });
    const deliver = this._emit(changes, (c, i) => elements[i], true);
    queueMicrotask(() => queueMicrotask(deliver));
    this._broadcast(changes, (i) => sent[i]);
    return results;
  }

  /**
   * The mutation queue, for a sync engine: with createDataStore({ outbox:
   * true }) (or DataStore.configure({ outbox: true }) before it starts),
   * every write, cascaded ones included, is recorded in order in the same
   * transaction. read() returns entries {order, model, opType, element,
   * time}; drain() returns them and removes them, in one transaction. It is
   * off by default: without a sync engine draining it, the queue would only
   * grow, and every write would pay for it.
   */
  get outbox() {
    const check = () => {
      if (!this._outbox) throw new Error('The outbox is off: create the DataStore with createDataStore({ schema, outbox: true }), or call DataStore.configure({ outbox: true }) before it starts, to record mutations');
    };
    const limitOf = (call, options) => {
      if (options === undefined) return 0;
      if (options === null || typeof options !== 'object') throw new TypeError(`outbox.${call}(options) takes an object, as outbox.${call}({ limit: 100 }), or nothing`);
      const { limit = 0 } = options;
      if (!Number.isInteger(limit) || limit < 0) throw new TypeError(`outbox.${call}({ limit }): limit must be a whole number >= 0 (0: every entry), got ${typeof limit === 'string' ? JSON.stringify(limit.slice(0, 100)) : String(limit)}`);
      return limit;
    };
    return {
      read: async (options) => { const limit = limitOf('read', options); check(); return this._call('query', (h) => engine.outbox(h, limit, false)); },
      drain: async (options) => { const limit = limitOf('drain', options); check(); return this._call('delete', (h) => engine.outbox(h, limit, true)); },
    };
  }

  _related(desc, field, instance, max) {
    const ctx = this._schema();
    const rel = field.relation;
    const values = rel.localFields.map((f) => instance[f]);
    if (values.some((v) => v === null || v === undefined)) return Promise.resolve([]); // nothing related (SPEC 1.8)
    const target = rel.target;
    return this._call('query', (h) => this._read(rel.read, values, max) || callSync('related', h, desc.name, field.name, JSON.stringify(instance), max || 0))
      .then((recs) => {
        if (field.relation.kind !== 'HAS_MANY' && recs.length > 1) {
          throw new Error(`Data integrity error. Too many records found for a HAS_ONE/BELONGS_TO field '${desc.name}.${field.name}'`);
        }
        return ctx.instances(target, recs, this);
      });
  }

  /**
   * Sends one message per change to the matching subscribers. With later,
   * the subscribers are chosen now and the returned function delivers.
   */
  _emit(changes, elementOf, later = false) {
    const deliveries = [];
    // No subscriber, no message: nothing is built (a sync page or a cascade of 1,000 records).
    if (changes && changes.length > 0 && this._subscribers.size > 0) {
      const ctx = this._schema();
      const subscribers = [...this._subscribers];
      changes.forEach((c, i) => {
        const msg = {
          model: ctx.classes.get(c.model),
          opType: c.opType,
          element: elementOf(c, i),
          condition: amplifyCondition(c.condition),
        };
        for (const sub of subscribers) deliveries.push([sub, msg]);
      });
    }
    const deliver = () => {
      for (const [sub, msg] of deliveries) {
        if (sub.sink.closed) continue;
        try {
          const ok = sub.accepts(msg);
          if (ok && typeof ok.then === 'function') {
            ok.then((yes) => { if (yes && !sub.sink.closed) sub.sink.next(msg); }, (err) => sub.sink.error(err));
          } else if (ok) {
            sub.sink.next(msg);
          }
        } catch (err) {
          sub.sink.error(err);
        }
      }
    };
    if (later) return deliver;
    deliver();
    return undefined;
  }

  /**
   * Observes changes: of every model, of one model, of one record (by id
   * or instance), or of the records matching a predicate.
   */
  observe(modelOrCtor, criteria) {
    const ctx = this._schema();
    if (criteria !== undefined && criteria !== null && typeof criteria === 'object' && !isAll(criteria)) {
      throw new Error(OBJECT_LITERAL_OBSERVE);
    }
    if (criteria !== undefined && criteria !== null && (modelOrCtor === undefined || modelOrCtor === null)) {
      throw new Error('Cannot provide criteria without a modelConstructor');
    }
    let cls = null;
    let accepts = () => true;
    if (modelOrCtor !== undefined && modelOrCtor !== null) {
      let key = null;
      const lazy = this._lazyKey(modelOrCtor, 'observe');
      if (lazy) {
        cls = ctx.classes.get(lazy.desc.name);
        key = lazy.key;
      } else if (ctx.isInstance(modelOrCtor)) {
        cls = modelOrCtor.constructor;
        key = keyOf(ctx.descOf(cls), modelOrCtor);
      } else if (ctx.descOf(modelOrCtor)) {
        cls = modelOrCtor;
      } else {
        throw new Error('The model is not an instance of a PersistentModelConstructor');
      }
      const desc = ctx.descOf(cls);
      if (typeof criteria === 'string') {
        if (desc.primaryKey.length > 1) throw new Error(COMPOSITE_QUERY);
        key = { [desc.primaryKey[0]]: criteria };
      }
      const predicate = typeof criteria === 'function' ? buildPredicate(desc, criteria) : null;
      const predicateJSON = predicate && JSON.stringify(predicate);
      const related = hasRelated(predicate);
      accepts = (msg) => {
        if (msg.model !== cls) return false;
        if (key && !Object.keys(key).every((f) => msg.element[f] === key[f])) return false;
        if (related) {
          // Conditions on related models need reads: ask storage whether the
          // record matches now (a deleted one never does, SPEC 6.4).
          if (msg.opType === 'DELETE') return false;
          const self = { group: 'and', children: [predicate, keyCondition(desc, msg.element)] };
          return this._queryTree(desc, self).then((found) => found.length > 0);
        }
        if (predicateJSON) return callSync('matches', ctx.id, desc.name, predicateJSON, JSON.stringify(msg.element));
        return true;
      };
    }
    return new Observable((sink) => {
      const sub = { sink, accepts };
      this._subscribers.add(sub);
      this._engine('observe').catch((err) => sink.error(err));
      return () => this._subscribers.delete(sub);
    });
  }

  /**
   * Observes a query: a first snapshot {items, isSynced} at once, then
   * snapshots after changes to the model, made from a fresh query so that
   * they honour the predicate (a record leaves when it stops matching), the
   * sort, and, unlike Amplify, limit and page. Changes are batched as
   * Amplify batches them: a snapshot follows batchSize changes (1000) or
   * interval ms (2000) after the first change of a batch, whichever comes
   * first; both are options.
   */
  observeQuery(modelCtor, criteria, options = {}) {
    const { interval = 2000, batchSize = 1000 } = options || {};
    return new Observable((sink) => {
      let timer = null;
      let changes = 0;
      let ended = false;
      let queue = Promise.resolve();
      const snapshot = () => {
        clearTimeout(timer);
        timer = null;
        changes = 0;
        queue = queue
          .then(() => (ended ? null : this.query(modelCtor, criteria, options)))
          // A key (observeQuery(Post, id)) selects one record or none: items
          // is still a list.
          .then((found) => (found === null || Array.isArray(found) ? found : found === undefined ? [] : [found]))
          .then((items) => { if (!ended && items) sink.next({ items, isSynced: false }); }, (err) => sink.error(err));
      };
      let inner;
      try {
        this._desc(modelCtor, 'Could not find model definition.');
        inner = this.observe(modelCtor).subscribe({
          next: () => {
            changes += 1;
            if (changes >= batchSize) snapshot();
            else if (!timer) timer = setTimeout(snapshot, interval);
          },
          error: (err) => sink.error(err),
        });
      } catch (err) {
        sink.error(err);
        return undefined;
      }
      const end = () => {
        ended = true;
        clearTimeout(timer);
        inner.unsubscribe();
        this._onStop.delete(end);
      };
      this._onStop.add(end);
      snapshot();
      return end;
    });
  }
}

