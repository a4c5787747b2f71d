// DataStore.schema: the schema as the engine read it, for pages that draw
// or reason about it (forms, diagrams, the playground). Everything comes
// from Go's descriptor (wasm/describe.go): the implied foreign keys, the
// join models of @manyToMany, the keys, the indexes and each relation's
// join fields and delete policy are the engine's own, never re-derived
// here. The objects are plain and frozen.

const freeze = (o) => Object.freeze(o);

function field(f) {
  return freeze({
    name: f.name,
    kind: f.kind,
    type: f.type,
    isArray: !!f.isArray,
    isRequired: !!f.isRequired,
    isListRequired: !!f.isListRequired,
    readOnly: !!f.readOnly,
  });
}

function relation(f) {
  const r = f.relation;
  return freeze({
    field: f.name,
    kind: r.kind,
    target: r.target,
    localFields: freeze([...r.localFields]),
    remoteFields: freeze([...r.remoteFields]),
    onDelete: r.onDelete || null,
    holdsKey: !!r.holdsKey,
  });
}

function model(m) {
  return freeze({
    name: m.name,
    pluralName: m.pluralName,
    syncable: !!m.syncable,
    primaryKey: freeze([...m.primaryKey]),
    fields: freeze(m.fields.map(field)),
    indexes: freeze((m.indexes || []).map((ix) => freeze({ name: ix.name, fields: freeze([...ix.fields]) }))),
    relations: freeze(m.fields.filter((f) => f.relation).map(relation)),
  });
}

/**
 * The public description of a parsed schema (see index.d.ts,
 * SchemaDescription): { models, enums, nonModels }, by name, in schema
 * order.
 */
export function describeSchema(d) {
  return freeze({
    models: freeze(Object.fromEntries(d.models.map((m) => [m.name, model(m)]))),
    enums: freeze(Object.fromEntries(Object.entries(d.enums).map(([name, values]) => [name, freeze([...values])]))),
    nonModels: freeze(Object.fromEntries(Object.entries(d.nonModels).map(([name, fields]) => [name, freeze({ name, fields: freeze(fields.map(field)) })]))),
  });
}
