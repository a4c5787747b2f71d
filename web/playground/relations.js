// The playground's picture of a schema, read from the engine's own
// description of it (DataStore.schema): models, their fields (the implied
// foreign keys and the join models of @manyToMany included), keys, indexes,
// and each relation with its kind, the fields it joins on and its delete
// policy. Nothing here names a field or decides a policy: this file only
// reshapes what the engine says for the drawing and the forms.

/**
 * Describes the schema of a DataStore. Returns { models: Map(name → model),
 * enums: Map(name → values) }; a model is { name, fields, key, indexes,
 * relations, join }, a field { name, type, kind ('scalar'|'enum'|'nonModel'|
 * 'model'), required, list, readOnly }, a relation { model, field, kind
 * ('HAS_MANY'|'HAS_ONE'|'BELONGS_TO'), target, local, remote, policy,
 * holdsKey, manyToMany, through }: the records of target whose remote
 * fields equal the local fields of a record.
 */
export function describeSchema(ds) {
  const { models: described, enums } = ds.schema;
  const models = new Map();
  for (const m of Object.values(described)) {
    models.set(m.name, {
      name: m.name,
      fields: m.fields.map((f) => ({ name: f.name, type: f.type, kind: f.kind, required: f.isRequired, list: f.isArray, readOnly: f.readOnly })),
      key: [...m.primaryKey],
      indexes: new Map(m.indexes.map((ix) => [ix.name, [...ix.fields]])),
      relations: m.relations.map((r) => ({
        model: m.name, field: r.field, kind: r.kind, target: r.target, local: [...r.localFields], remote: [...r.remoteFields],
        policy: r.onDelete, holdsKey: r.holdsKey, manyToMany: false, through: null,
      })),
      join: false,
    });
  }
  // For the drawing only: a model that holds nothing but its key, two
  // belongs-tos and managed fields links two others (the join model of a
  // many to many, implied or written out).
  for (const m of models.values()) {
    const parents = m.relations.filter((r) => r.kind === 'BELONGS_TO');
    const linking = new Set([...m.key, ...parents.flatMap((r) => [r.field, ...r.local])]);
    m.join = parents.length === 2 && parents.length === m.relations.length && m.fields.every((f) => linking.has(f.name) || f.readOnly);
  }
  for (const m of models.values()) {
    for (const rel of m.relations) {
      const join = models.get(rel.target);
      if (rel.kind !== 'HAS_MANY' || !join.join) continue;
      const back = join.relations.find((r) => r.target === m.name && r.local.join() === rel.remote.join());
      const other = join.relations.find((r) => r !== back);
      if (back && other) Object.assign(rel, { manyToMany: true, through: other.target });
    }
  }
  return { models, enums: new Map(Object.entries(enums)) };
}

/** Whether the relation's key sits on its own model (a has-one with fields): the engine says. */
export function sourceHoldsKey(model, rel) {
  return rel.holdsKey;
}
