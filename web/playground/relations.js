// The playground's picture of a schema: models, their fields (the implied
// foreign keys included), keys, and each relation with its kind, the fields
// it joins on and its delete policy. The package does not expose the schema
// it parsed, so this file reads the same SDL (or codegen's introspection
// object) and names the implied fields the way codegen does; app.js checks
// each implied field against the engine (DataStore.explain) and says so when
// they disagree.
import { parseSDL } from './sdl.js';

const RELATION_DIRECTIVES = ['hasMany', 'hasOne', 'belongsTo', 'manyToMany', 'connection'];
const lowerFirst = (s) => s.charAt(0).toLowerCase() + s.slice(1);
const upperFirst = (s) => s.charAt(0).toUpperCase() + s.slice(1);

/** A delete policy as the engine names it. */
export function normalizePolicy(p) {
  switch (String(p || 'cascade').toLowerCase().replaceAll('_', '')) {
    case 'setnull': return 'setNull';
    case 'restrict': return 'restrict';
    default: return 'cascade';
  }
}

/**
 * Describes a schema. Returns { models: Map(name → model), enums: Map(name →
 * values) }; a model is { name, fields, key, indexes, relations, join }, a
 * field { name, type, kind ('scalar'|'enum'|'nonModel'|'model'), required,
 * list, implied }, a relation { model, field, kind ('HAS_MANY'|'HAS_ONE'|
 * 'BELONGS_TO'), target, local, remote, policy, manyToMany }: the records of
 * target whose remote fields equal the local fields of a record.
 */
export function describeSchema(schema, onDelete = {}) {
  const out = typeof schema === 'string' ? fromSDL(schema) : fromIntrospection(schema);
  for (const [path, policy] of Object.entries(onDelete)) {
    const [model, field] = path.split('.');
    const rel = out.models.get(model)?.relations.find((r) => r.field === field);
    if (rel) rel.policy = normalizePolicy(policy);
  }
  return out;
}

function fromSDL(text) {
  const { types } = parseSDL(text);
  const enums = new Map(types.filter((t) => t.kind === 'enum').map((t) => [t.name, t.values]));
  const defs = new Map(types.filter((t) => t.kind === 'type').map((t) => [t.name, t]));
  const isModel = (name) => defs.get(name)?.directives.some((d) => d.name === 'model');
  const kindOf = (name) => (isModel(name) ? 'model' : enums.has(name) ? 'enum' : defs.has(name) ? 'nonModel' : 'scalar');
  const models = new Map();

  for (const def of defs.values()) {
    if (!isModel(def.name)) continue;
    const m = { name: def.name, fields: [], key: ['id'], indexes: new Map(), relations: [], join: false };
    for (const d of def.directives) {
      if (d.name === 'key' && Array.isArray(d.args.fields)) {
        if (d.args.name) m.indexes.set(d.args.name, d.args.fields);
        else m.key = d.args.fields;
      }
    }
    for (const f of def.fields) {
      m.fields.push({ name: f.name, type: f.type.name, kind: kindOf(f.type.name), required: f.type.required, list: f.type.list, implied: false, directives: f.directives });
      const pk = f.directives.find((d) => d.name === 'primaryKey');
      if (pk) m.key = [f.name, ...(pk.args.sortKeyFields || [])];
      const ix = f.directives.find((d) => d.name === 'index');
      if (ix) m.indexes.set(ix.args.name || `${f.name}Index`, [f.name, ...(ix.args.sortKeyFields || [])]);
    }
    models.set(m.name, m);
  }

  const field = (model, name) => models.get(model)?.fields.find((f) => f.name === name);
  const relDirective = (f) => f.directives.find((d) => RELATION_DIRECTIVES.includes(d.name));
  const fkNames = (owner, fieldName, parent) => models.get(parent).key.map((k) => lowerFirst(owner) + upperFirst(fieldName) + upperFirst(k));
  const addFKs = (model, names, parent, required) => {
    const pk = models.get(parent).key;
    names.forEach((name, i) => {
      if (field(model, name)) return;
      const pf = field(parent, pk[i]);
      models.get(model).fields.push({ name, type: pf?.type || 'ID', kind: 'scalar', required, list: false, implied: true, directives: [] });
    });
  };
  const backField = (target, owner, ...names) => {
    for (const f of models.get(target).fields) {
      if (f.type !== owner) continue;
      const d = f.directives.find((x) => names.includes(x.name));
      if (d) return [f, d];
    }
    return [null, null];
  };
  const namedConnection = (target, owner, name) => (name === undefined ? null : models.get(target).fields.find((f) =>
    f.type === owner && f.directives.some((d) => d.name === 'connection' && d.args.name === name)) || null);

  for (const m of [...models.values()]) {
    for (const f of [...m.fields]) {
      const d = relDirective(f);
      if (!d || f.kind !== 'model') continue;
      const rel = { model: m.name, field: f.name, kind: '', target: f.type, local: [], remote: [], policy: normalizePolicy(d.args.onDelete), manyToMany: false };
      const target = f.type;
      const fields = d.args.fields || [];
      if (d.name === 'hasMany') {
        rel.kind = 'HAS_MANY';
        if (d.args.indexName) {
          const ix = models.get(target).indexes.get(d.args.indexName) || [];
          const n = Math.min(fields.length || m.key.length, ix.length);
          rel.remote = ix.slice(0, n);
          rel.local = fields.length ? fields : m.key.slice(0, n);
        } else if (fields.length) {
          rel.remote = models.get(target).key.slice(0, fields.length);
          rel.local = fields;
        } else {
          const [back, bd] = backField(target, m.name, 'belongsTo');
          if (back && bd.args.fields?.length) {
            rel.remote = bd.args.fields;
          } else {
            rel.remote = fkNames(m.name, f.name, m.name);
            addFKs(target, rel.remote, m.name, false);
          }
          rel.local = m.key;
        }
      } else if (d.name === 'hasOne') {
        rel.kind = 'HAS_ONE';
        rel.local = fields.length ? fields : fkNames(m.name, f.name, target);
        if (!fields.length) addFKs(m.name, rel.local, target, false);
        rel.remote = models.get(target).key;
      } else if (d.name === 'belongsTo') {
        rel.kind = 'BELONGS_TO';
        rel.remote = models.get(target).key;
        if (fields.length) {
          rel.local = fields;
        } else {
          const [back, bd] = backField(target, m.name, 'hasMany', 'hasOne');
          rel.local = back && bd.name === 'hasMany' ? fkNames(target, back.name, target) : fkNames(m.name, f.name, target);
          addFKs(m.name, rel.local, target, f.required);
        }
      } else if (d.name === 'manyToMany') {
        const joinName = d.args.relationName;
        if (!models.has(joinName)) models.set(joinName, joinModel(joinName, m.name, target));
        Object.assign(rel, { kind: 'HAS_MANY', target: joinName, local: m.key, remote: [lowerFirst(m.name) + 'ID'], manyToMany: true, through: target });
      } else if (d.name === 'connection') {
        connection(rel, f, d, m, models, fkNames, addFKs, namedConnection);
      }
      m.relations.push(rel);
    }
  }
  return { models, enums };
}

// The older @connection: with name, both sides of one relation; with fields,
// a belongs-to (or, on a list, a has-many through keyName).
function connection(rel, f, d, m, models, fkNames, addFKs, namedConnection) {
  const target = f.type;
  const fields = d.args.fields || [];
  if (f.list && fields.length) {
    const ix = d.args.keyName ? models.get(target).indexes.get(d.args.keyName) : models.get(target).key;
    Object.assign(rel, { kind: 'HAS_MANY', local: fields, remote: ix.slice(0, fields.length) });
  } else if (fields.length) {
    Object.assign(rel, { kind: 'BELONGS_TO', local: fields, remote: models.get(target).key });
  } else if (f.list) {
    const back = namedConnection(target, m.name, d.args.name);
    const remote = back ? fkNames(lowerFirst(m.name), f.name, m.name) : fkNames(m.name, f.name, m.name);
    if (!back) addFKs(target, remote, m.name, false);
    Object.assign(rel, { kind: 'HAS_MANY', local: m.key, remote });
  } else {
    const back = namedConnection(target, m.name, d.args.name);
    if (back && back.list) {
      const local = fkNames(lowerFirst(target), back.name, target);
      addFKs(m.name, local, target, f.required);
      Object.assign(rel, { kind: 'BELONGS_TO', local, remote: models.get(target).key });
    } else {
      const local = fkNames(m.name, f.name, target);
      addFKs(m.name, local, target, false);
      Object.assign(rel, { kind: 'HAS_ONE', local, remote: models.get(target).key });
    }
  }
}

// The join model a @manyToMany implies: an id, a required key field and a
// belongs-to for each side.
function joinModel(name, a, b) {
  const m = { name, fields: [{ name: 'id', type: 'ID', kind: 'scalar', required: true, list: false, implied: true, directives: [] }], key: ['id'], indexes: new Map(), relations: [], join: true };
  for (const side of [a, b]) {
    const key = lowerFirst(side) + 'ID';
    m.fields.push({ name: key, type: 'ID', kind: 'scalar', required: true, list: false, implied: true, directives: [] });
    m.indexes.set('by' + side, [key]);
  }
  for (const side of [a, b]) {
    m.fields.push({ name: lowerFirst(side), type: side, kind: 'model', required: true, list: false, implied: true, directives: [] });
    m.relations.push({ model: name, field: lowerFirst(side), kind: 'BELONGS_TO', target: side, local: [lowerFirst(side) + 'ID'], remote: ['id'], policy: 'cascade', manyToMany: false });
  }
  return m;
}

// Codegen's models/schema.js object names every field and association.
function fromIntrospection(schema) {
  const enums = new Map(Object.values(schema.enums || {}).map((e) => [e.name, e.values]));
  const models = new Map();
  for (const raw of Object.values(schema.models)) {
    const m = { name: raw.name, fields: [], key: ['id'], indexes: new Map(), relations: [], join: false };
    for (const a of raw.attributes || []) {
      if (a.type !== 'key') continue;
      if (a.properties?.name) m.indexes.set(a.properties.name, a.properties.fields);
      else m.key = a.properties.fields;
    }
    for (const f of Object.values(raw.fields)) {
      const t = f.type;
      const kind = typeof t === 'string' ? 'scalar' : t.model ? 'model' : t.enum ? 'enum' : 'nonModel';
      const type = typeof t === 'string' ? t : t.model || t.enum || t.nonModel;
      m.fields.push({ name: f.name, type, kind, required: !!f.isRequired, list: !!f.isArray, implied: false, directives: [] });
    }
    models.set(m.name, { m, raw });
  }
  for (const { m, raw } of models.values()) {
    for (const f of Object.values(raw.fields)) {
      const a = f.association;
      if (!a) continue;
      const target = f.type.model;
      const rel = { model: m.name, field: f.name, kind: a.connectionType, target, local: [], remote: [], policy: 'cascade', manyToMany: false };
      const targetNames = a.targetNames || (a.targetName ? [a.targetName] : []);
      // associatedWith names the target's key fields, or its belongs-to
      // field back to this model, whose targetNames are those fields.
      const remoteKeys = () => {
        const via = [].concat(a.associatedWith || []);
        const back = via.length === 1 ? models.get(target)?.raw.fields[via[0]] : null;
        return back?.association ? back.association.targetNames || [back.association.targetName] : via;
      };
      if (a.connectionType === 'HAS_MANY' || (a.connectionType === 'HAS_ONE' && !targetNames.length)) {
        rel.remote = remoteKeys();
        rel.local = m.key.slice(0, rel.remote.length);
      } else if (a.connectionType === 'HAS_ONE') {
        rel.local = targetNames;
        rel.remote = models.get(target).m.key;
      } else {
        rel.local = targetNames;
        rel.remote = models.get(target).m.key;
      }
      m.relations.push(rel);
    }
  }
  return { models: new Map([...models].map(([k, v]) => [k, v.m])), enums };
}

/** Whether the relation's key sits on its own model (a has-one with fields). */
export function sourceHoldsKey(model, rel) {
  return rel.local.some((f) => !model.key.includes(f));
}
