// Model classes: constructors, copyOf, frozen instances, and the lazy
// relation fields. Validation and id generation happen in Go (construct,
// copyOf); this file only gives them JavaScript's class identity.
import { callSync } from './wasm.js';
import { construct, copyOfRecord } from './direct.js';
import { describeSchema } from './schema.js';

// Attached stamps an object with the DataStore it was read from, in a
// private field: a class whose base constructor returns the object it is
// given adds its field to that object. Invisible to keys, spread, JSON and
// deep equality, and unlike a WeakMap entry (0.1-0.4 µs an instance in V8,
// and ephemerons for the GC) it costs a property's store: queries make one
// per record.
class Attached extends function given(o) { return o; } {
  #ds;

  constructor(obj, ds) {
    super(obj);
    this.#ds = ds;
  }

  static get(obj) { return obj !== null && typeof obj === 'object' && #ds in obj ? obj.#ds : undefined; }
}

/**
 * Which DataStore an instance was read from (SPEC 5.4: only those
 * lazy-load): set(instance, ds) once, before the instance is frozen.
 */
export const attachments = {
  get: (obj) => Attached.get(obj),
  has: (obj) => Attached.get(obj) !== undefined,
  set: (obj, ds) => { new Attached(obj, ds); },
};
const memos = new WeakMap();
const SYNC_FIELDS = ['_version', '_lastChangedAt', '_deleted'];

/** How deeply a field's value may nest objects and arrays (jsonvalue.MaxDepth). */
const MAX_VALUE_DEPTH = 1000;

/**
 * What a lazy relation value (comment.post) identifies: {desc, key, byKey},
 * the target model's description and the values of the fields it is joined
 * on, its primary key when byKey. delete and observe accept the value as
 * the record it points at.
 */
export const lazyTargets = new WeakMap();

// Ticketed stamps an instance made by a constructor or copyOf with the
// ticket of the record Go keeps for it (wasm/recent.go), as Attached
// stamps the DataStore: save sends the ticket instead of the record's
// JSON. The instance is deeply frozen, so the kept record stays its
// values. Stamped before the instance is frozen.
class Ticketed extends function given(o) { return o; } {
  #ticket;

  constructor(obj, ticket) {
    super(obj);
    this.#ticket = ticket;
  }

  static get(obj) { return obj !== null && typeof obj === 'object' && #ticket in obj ? obj.#ticket : 0; }
}

/** The ticket of the record Go keeps for an instance, or 0 (none). */
export const ticketOf = (obj) => Ticketed.get(obj);

/**
 * Writes the values given to a constructor or a copyOf draft as JSON for
 * Go: undefined becomes null (a value given as undefined is given), and
 * what JSON would silently change (NaN and Infinity become null, functions
 * and symbols vanish) or cannot write (BigInt, cycles) is refused with the
 * field that holds it. `call` names the call for the message.
 */
export function recordJSON(call, values, plain = flat(values) >= 0) {
  if (plain) {
    // Plain values only: JSON writes them as they are, without the
    // replacer's checks (a call per value, most of a constructor's own JS).
    const text = JSON.stringify(values);
    if (text[0] === '{') return text;
  }
  const paths = new Map([[values, '']]);
  const depths = new Map([[values, 0]]);
  const where = (holder, key) => {
    const parent = paths.get(holder);
    return parent ? `${parent}.${key}` : key;
  };
  const replacer = function replacer(key, v) {
    if (key === '' && v === values) return v;
    if (v !== null && typeof v === 'object') {
      const depth = (depths.get(this) || 0) + 1;
      if (depth > MAX_VALUE_DEPTH) {
        throw new Error(`Field ${where(this, key).split('.')[0]} holds a value nested more than ${MAX_VALUE_DEPTH} levels deep; datastore-wasm stores values nested up to ${MAX_VALUE_DEPTH} levels (${call})`);
      }
      depths.set(v, depth);
    }
    const t = typeof v;
    if (v === undefined) return null;
    if (t === 'number' && !Number.isFinite(v)) {
      throw new TypeError(`Field ${where(this, key)} should be a finite number, ${v} received (${call}: JSON, and so storage, has no NaN or Infinity)`);
    }
    if (t === 'bigint' || t === 'function' || t === 'symbol') {
      throw new TypeError(`Field ${where(this, key)} should be of type string, number, boolean, object or null, ${t} received (${call})`);
    }
    if (v !== null && t === 'object') paths.set(v, where(this, key));
    return v;
  };
  try {
    const text = JSON.stringify(values, replacer);
    // A Date or another object with toJSON writes itself as a non-object.
    if (text[0] !== '{') throw new TypeError(`${call} takes an object of field values, not ${values.constructor ? `a ${values.constructor.name}` : 'this value'}`);
    return text;
  } catch (err) {
    if (err instanceof TypeError && /circular/i.test(err.message)) {
      const field = Object.keys(values).find((k) => {
        try { JSON.stringify(values[k]); return false; } catch { return true; }
      });
      throw new TypeError(`Field ${field} refers to an object that contains it (a cycle): ${call} takes plain data`);
    }
    throw err;
  }
}

// flat counts an object's own enumerable keys when every value of them
// is a string, a boolean, a finite number or null (what JSON writes
// unchanged, at no depth); else it is -1.
function flat(values) {
  let n = 0;
  for (const k in values) {
    if (!Object.prototype.hasOwnProperty.call(values, k)) continue;
    const v = values[k];
    const t = typeof v;
    n++;
    if (v === null || t === 'string' || t === 'boolean') continue;
    if (t === 'number' && Number.isFinite(v)) continue;
    return -1;
  }
  return n;
}

function deepFreeze(v) {
  if (v && typeof v === 'object' && !Object.isFrozen(v)) {
    Object.freeze(v);
    for (const k of Object.keys(v)) deepFreeze(v[k]);
  }
  return v;
}

/**
 * Fills a fresh object of a model class with a record and freezes it. The
 * schema's fields come first, in schema order, whatever order storage kept.
 */
export function fill(obj, desc, rec, omit) {
  // Records come in schema order (they were written from instances, or by
  // Go in that order), so copying them in order keeps it. One loop copies
  // and freezes nested values: 3x faster than Object.assign and a second
  // loop (measured on 1,000 posts in Chromium).
  for (const k in rec) {
    if (omit && omit.includes(k)) continue;
    const v = rec[k];
    obj[k] = v;
    if (v !== null && typeof v === 'object') deepFreeze(v);
  }
  // A field the record lacks (one added to the schema after it was
  // written) reads as null, as every unset field does.
  for (const name of desc.dataFields) if (!(name in obj)) obj[name] = null;
  return seal(obj, desc);
}

// seal gives a filled instance its unset sync fields and freezes it.
function seal(obj, desc) {
  if (desc.syncable) {
    for (const k of SYNC_FIELDS) if (!(k in obj)) obj[k] = undefined;
  }
  return Object.freeze(obj);
}

const { propertyIsEnumerable } = Object.prototype;

/**
 * Fills obj from a constructor's or copyOf's answer (wasm/bridge.go,
 * appendConstruct): its ticket, then the record's JSON, or '+' and the id
 * Go generated ("" for none): Go answers so when the record is init's
 * values (plain ones, given keys of them) with only the id added. The
 * record is then init's values, the id, and null for every other field,
 * in schema order; a value is taken as JSON wrote it (-0 as 0).
 */
function fillAnswer(obj, desc, answer, init, given) {
  let i = 0;
  for (let c = answer.charCodeAt(0); c >= 48 && c <= 57; c = answer.charCodeAt(++i));
  new Ticketed(obj, Number(answer.slice(0, i)));
  if (answer.charCodeAt(i) !== 43) return fill(obj, desc, JSON.parse(i ? answer.slice(i) : answer)); // not '+'
  const id = answer.slice(i + 1);
  const unset = (name) => (id !== '' && name === 'id' ? id : null);
  let found = 0;
  for (const name of desc.dataFields) {
    const v = init[name];
    if (v !== undefined) {
      obj[name] = v === 0 ? 0 : v;
      found++;
    } else {
      obj[name] = unset(name);
    }
  }
  if (found !== given) {
    // A field init[name] reads that JSON did not write (inherited, or not
    // enumerable): only own enumerable keys count.
    for (const name of desc.dataFields) if (!propertyIsEnumerable.call(init, name)) obj[name] = unset(name);
  }
  return seal(obj, desc);
}

/**
 * An async collection of related records (a has-many field). Each
 * toArray() or iteration reads storage afresh, so it never shows records
 * deleted since the parent was read.
 */
export class AsyncCollection {
  constructor(load) {
    this._load = load;
  }

  /** The related records; `max` caps how many. */
  async toArray(options = {}) {
    if (options === null || typeof options !== 'object') throw new TypeError('toArray(options) takes an object, as toArray({ max: 10 }), or nothing');
    const { max } = options;
    if (max !== undefined && (!Number.isInteger(max) || max < 0)) throw new TypeError(`toArray({ max }): max must be a whole number >= 0, got ${String(max).slice(0, 100)}`);
    if (max === 0) return [];
    return this._load(max || 0);
  }

  async *[Symbol.asyncIterator]() {
    for (const item of await this._load(0)) yield item;
  }
}

function memoOf(instance) {
  let memo = memos.get(instance);
  if (!memo) {
    memo = new Map();
    memos.set(instance, memo);
  }
  return memo;
}

// relationValue is what a relation getter returns, made on first access and
// kept: an AsyncCollection (has-many) or a Promise of the related instance
// that also carries its key fields, so comment.post.id works without a read,
// and, once the record is known (included by an eager query, or read and
// awaited), the record's other data fields too. load(max) reads the related
// instances; known is the record when it is already read.
function relationValue(instance, field, load, target, known) {
  const rel = field.relation;
  if (rel.kind === 'HAS_MANY') return new AsyncCollection(load);
  // Two, so that a second record is seen: a data integrity error (SPEC 5.1).
  const value = load(2).then((list) => list[0]);
  const key = {};
  rel.remoteFields.forEach((remote, i) => {
    key[remote] = instance[rel.localFields[i]];
    if (!(remote in value)) {
      Object.defineProperty(value, remote, { value: key[remote], enumerable: true });
    }
  });
  // The join fields are the target's primary key (belongs-to, has-one
  // holding the key), or fields of the target (a has-one whose key is on it).
  const byKey = rel.remoteFields.length === target.primaryKey.length && target.primaryKey.every((f) => f in key);
  lazyTargets.set(value, { desc: target, key, byKey });
  const carry = (rec) => {
    if (!rec) return;
    for (const name of target.dataFields) {
      if (!(name in value)) Object.defineProperty(value, name, { value: rec[name], enumerable: true });
    }
  };
  if (known !== undefined) carry(known);
  else value.then(carry, () => {});
  return value;
}

function lazyRelation(instance, desc, field) {
  const memo = memoOf(instance);
  if (!memo.has(field.name)) {
    const ds = attachments.get(instance);
    const target = desc.related(field.relation.target);
    memo.set(field.name, relationValue(instance, field, (max) => (ds ? ds._related(desc, field, instance, max) : Promise.resolve([])), target));
  }
  return memo.get(field.name);
}

/** Builds the description helpers JavaScript needs from the Go descriptor. */
function prepare(desc, index) {
  desc.fieldsByName = Object.create(null);
  for (const f of desc.fields) desc.fieldsByName[f.name] = f;
  desc.relations = desc.fields.filter((f) => f.relation);
  desc.dataFields = desc.fields.filter((f) => !f.relation).map((f) => f.name);
  // Go takes a model by its index in the descriptor (no string to cross).
  desc.index = index;
  // Reads whose records become instances at once leave the storage-only
  // fields in; instance() leaves them out (see instance).
  desc.omit = desc.allRead && desc.allRead.omit;
  if (desc.omit) desc.allReadKept = { ...desc.allRead, omit: undefined };
  const same = (omit) => JSON.stringify(omit) === JSON.stringify(desc.omit);
  for (const f of desc.fields) if (desc.omit && f.eqRead && same(f.eqRead.omit)) f.eqReadKept = { ...f.eqRead, omit: undefined };
  return desc;
}

/**
 * A parsed schema: its Go handle, model classes and enums. initSchema and
 * createDataStore make one each.
 */
export class SchemaContext {
  constructor(schema, given) {
    const options = given || {};
    let kind;
    let text;
    if (typeof schema === 'string') {
      kind = 'sdl';
      text = schema;
    } else if (schema && typeof schema === 'object' && schema.models) {
      kind = 'introspection';
      text = JSON.stringify(schema);
    } else {
      throw new Error('initSchema takes a GraphQL SDL string or the schema object of models/schema.js');
    }
    const { id, descriptor } = callSync('schema', kind, text, JSON.stringify({ onDelete: readOnDelete(options.onDelete) }));
    const d = JSON.parse(descriptor);
    this.id = id;
    this._descriptor = d;
    this._description = null;
    this.descs = new Map();
    this.classes = new Map();
    this.exports = {};
    this.dataStore = null;
    // Migration functions by model, run when a database is opened with this
    // schema (see README, Schema changes).
    this.migrations = readMigrations(options.migrations);
    for (const [i, m] of d.models.entries()) {
      const desc = prepare(m, i);
      desc.related = (name) => this.descs.get(name);
      const cls = this._modelClass(desc);
      this.descs.set(m.name, desc);
      this.classes.set(m.name, cls);
      this.exports[m.name] = cls;
    }
    for (const name of Object.keys(d.nonModels)) {
      this.exports[name] = nonModelClass(this, name);
    }
    for (const [name, values] of Object.entries(d.enums)) {
      this.exports[name] = Object.freeze(Object.fromEntries(values.map((v) => [v, v])));
    }
    Object.freeze(this.exports);
  }

  /** The public, frozen description of this schema (DataStore.schema). */
  get description() {
    if (!this._description) this._description = describeSchema(this._descriptor);
    return this._description;
  }

  /** The description of a model class of this schema, or undefined. */
  descOf(cls) {
    const desc = typeof cls === 'function' ? this.descs.get(cls.name) : undefined;
    return desc && this.classes.get(desc.name) === cls ? desc : undefined;
  }

  /** Whether v is an instance of one of this schema's models. */
  isInstance(v) {
    return !!v && typeof v === 'object' && !!this.descOf(v.constructor);
  }

  /**
   * Makes a frozen instance from a stored record, attached to ds. What the
   * record carries under "@included" (an eager query's related records)
   * becomes the instance's relation values, served without a read.
   * omit lists the storage-only fields a read left in (its plan's omit,
   * applied here while copying: deleting them from each record cost more
   * than the copy).
   */
  instance(name, rec, ds, omit) {
    const included = rec['@included'];
    if (included) delete rec['@included'];
    const cls = this.classes.get(name);
    const desc = this.descs.get(name);
    const obj = Object.create(cls.prototype);
    if (ds) attachments.set(obj, ds);
    fill(obj, desc, rec, omit);
    if (included) {
      const memo = memoOf(obj);
      for (const [fieldName, value] of Object.entries(included)) {
        const field = desc.fieldsByName[fieldName];
        const target = field.relation.target;
        const items = (Array.isArray(value) ? value : value ? [value] : []).map((r) => this.instance(target, r, ds));
        memo.set(fieldName, relationValue(obj, field, (max) => Promise.resolve(max ? items.slice(0, max) : items.slice()), this.descs.get(target), items[0] || null));
      }
    }
    return obj;
  }

  /** instance() of each record of a read, the model looked up once. */
  instances(name, recs, ds, omit) {
    const proto = this.classes.get(name).prototype;
    const desc = this.descs.get(name);
    const out = new Array(recs.length);
    for (let i = 0; i < recs.length; i++) {
      const rec = recs[i];
      if (rec['@included']) {
        out[i] = this.instance(name, rec, ds, omit);
        continue;
      }
      const obj = Object.create(proto);
      if (ds) attachments.set(obj, ds);
      out[i] = fill(obj, desc, rec, omit);
    }
    return out;
  }

  _checkRelations(desc, values) {
    for (const f of desc.relations) {
      const v = values[f.name];
      if (f.relation.kind === 'HAS_MANY' || v === null || v === undefined || typeof v !== 'object') continue;
      const target = this.classes.get(f.relation.target);
      const ctor = v.constructor;
      if (ctor && ctor !== Object && ctor !== target && [...this.classes.values()].includes(ctor)) {
        throw new Error(`Value passed to ${desc.name}.${f.name} is not an instance of ${f.relation.target}`);
      }
    }
  }

  _modelClass(desc) {
    const ctx = this;
    const name = desc.name;
    const cls = {
      [name]: class {
        constructor(init = {}) {
          if (init === null || typeof init !== 'object' || Array.isArray(init)) {
            throw new TypeError(`new ${name}(init) takes an object of field values, as new ${name}({ ${desc.dataFields[0] || 'id'}: ... })`);
          }
          ctx._checkRelations(desc, init);
          // Plain values (what JSON writes as they are) may come back as
          // what Go added to them, the id (fillAnswer). A key given as
          // undefined is given: it must reach Go as null.
          const given = typeof init.toJSON === 'function' ? -1 : flat(init);
          const plain = given >= 0;
          fillAnswer(this, desc, construct(ctx.id, desc.index, recordJSON(`new ${name}()`, init, plain), plain), init, given);
        }

        static copyOf(source, mutator) {
          if (!source || source.constructor !== cls) throw new Error('The source object is not a valid model');
          if (typeof mutator !== 'function') throw new Error(`${name}.copyOf(source, draft => { ... }) needs a function`);
          const draft = { ...source };
          const assigned = {};
          for (const f of desc.relations) {
            Object.defineProperty(draft, f.name, {
              get: () => (f.name in assigned ? assigned[f.name] : undefined),
              set: (v) => { assigned[f.name] = v; },
              enumerable: false,
            });
          }
          mutator(draft);
          ctx._checkRelations(desc, assigned);
          // A field set to undefined or deleted from the draft is null
          // (SPEC 2.3 normalisation), not the source's value.
          const values = { ...draft, ...assigned };
          for (const field of desc.dataFields) if (!(field in values)) values[field] = null;
          const answer = copyOfRecord(ctx.id, desc.index, Ticketed.get(source), source, recordJSON(`${name}.copyOf()`, values));
          const copy = Object.create(cls.prototype);
          const ds = attachments.get(source) || ctx.dataStore;
          if (ds) attachments.set(copy, ds);
          return fillAnswer(copy, desc, answer, null, -1);
        }
      },
    }[name];
    for (const f of desc.relations) {
      Object.defineProperty(cls.prototype, f.name, {
        get() { return lazyRelation(this, desc, f); },
        enumerable: false,
        configurable: true,
      });
    }
    return cls;
  }
}

/** Checks the onDelete option: an object of policy names by 'Model.field'. */
function readOnDelete(onDelete) {
  if (onDelete === undefined || onDelete === null) return {};
  if (typeof onDelete !== 'object' || Array.isArray(onDelete)) throw new TypeError("onDelete must be an object of policies by relation, as { 'Post.comments': 'restrict' }");
  const out = {};
  for (const [path, policy] of Object.entries(onDelete)) {
    if (typeof policy !== 'string') throw new TypeError(`onDelete[${JSON.stringify(path)}] must be 'cascade', 'setNull' or 'restrict', not ${policy === null ? 'null' : typeof policy === 'object' ? 'an object' : typeof policy}`);
    out[path] = policy;
  }
  return out;
}

/**
 * Reads the migrations option once, when the schema is made: a plain
 * object of functions by model. A getter that throws, or a value that is
 * not a function, is refused here, with the model, rather than while the
 * database upgrades.
 */
function readMigrations(migrations) {
  if (migrations === undefined || migrations === null) return {};
  if (typeof migrations !== 'object') throw new TypeError(`migrations must be an object of functions by model, as { Post: (record) => ({ ...record, title: record.title || '' }) }, got ${typeof migrations}`);
  const out = {};
  let names;
  try {
    names = Object.keys(migrations);
  } catch (err) {
    throw new Error(`migrations: listing its models threw: ${err && err.message}`);
  }
  for (const name of names) {
    let fn;
    try {
      fn = migrations[name];
    } catch (err) {
      throw new Error(`migrations.${name}: reading it threw: ${err && err.message}; give a plain object of functions by model`);
    }
    if (typeof fn !== 'function') throw new TypeError(`migrations.${name} must be a function (record) => record, got ${fn === null ? 'null' : typeof fn}`);
    out[name] = fn;
  }
  return Object.freeze(out);
}

function nonModelClass(ctx, name) {
  return {
    [name]: class {
      constructor(init = {}) {
        if (init === null || typeof init !== 'object' || Array.isArray(init)) throw new TypeError(`new ${name}(init) takes an object of field values`);
        Object.assign(this, JSON.parse(callSync('nonModel', ctx.id, name, recordJSON(`new ${name}()`, init))));
        deepFreeze(this);
      }
    },
  }[name];
}
