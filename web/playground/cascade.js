// What a delete will do, worked out before it happens from the schema
// (relations.js) and ordinary queries. It follows the engine's rules
// (docs/policies.md): along each has-many and has-one of a deleted record,
// cascade deletes the related records (recursively), setNull clears their
// foreign keys, restrict refuses the whole delete while any exist; and the
// has-one sources that point at a deleted record get their key cleared when
// it is optional. The package has no dry run, so this is the demo's own
// reading of the rules; after the delete, app.js compares it with what the
// observe messages say happened.
import { keyOf } from './labels.js';
import { sourceHoldsKey } from './relations.js';

// The records of target whose fields equal values, through the same query a
// page would write: (r) => r.and((r) => [r.f.eq(v), ...]).
function related(ds, classes, target, fields, values) {
  return ds.query(classes[target], (r) => r.and((q) => fields.map((f, i) => q[f].eq(values[i]))));
}

/**
 * Previews deleting record of model. Returns { deletes, nulls, blocks },
 * each a list of { model, record, key, via } (via: "Post.comments"); nulls
 * also carry the fields that become null.
 */
export async function previewDelete(schema, ds, classes, modelName, record) {
  const deletes = [];
  const nulls = [];
  const blocks = [];
  const doomed = new Set([`${modelName}:${keyOf(schema.models.get(modelName), record)}`]);
  const queue = [{ model: schema.models.get(modelName), record }];
  while (queue.length) {
    const { model, record: rec } = queue.shift();
    for (const rel of model.relations) {
      if (rel.kind === 'BELONGS_TO') continue;
      if (rel.policy === 'setNull' && sourceHoldsKey(model, rel)) continue;
      const values = rel.local.map((f) => rec[f]);
      if (values.some((v) => v === null || v === undefined)) continue;
      const target = schema.models.get(rel.target);
      for (const child of await related(ds, classes, rel.target, rel.remote, values)) {
        const key = keyOf(target, child);
        const entry = { model: rel.target, record: child, key, via: `${model.name}.${rel.field}` };
        if (rel.policy === 'restrict') {
          blocks.push(entry);
        } else if (rel.policy === 'setNull') {
          nulls.push({ ...entry, fields: rel.remote });
        } else if (!doomed.has(`${rel.target}:${key}`)) {
          doomed.add(`${rel.target}:${key}`);
          deletes.push(entry);
          queue.push({ model: target, record: child });
        }
      }
    }
    // Has-one sources whose optional key points at this record.
    for (const other of schema.models.values()) {
      for (const rel of other.relations) {
        if (rel.kind !== 'HAS_ONE' || rel.target !== model.name || !sourceHoldsKey(other, rel)) continue;
        if (rel.local.some((f) => other.fields.find((x) => x.name === f)?.required)) continue;
        const values = rel.remote.map((f) => rec[f]);
        for (const source of await related(ds, classes, other.name, rel.local, values)) {
          nulls.push({ model: other.name, record: source, key: keyOf(other, source), via: `${other.name}.${rel.field}`, fields: rel.local });
        }
      }
    }
  }
  const live = nulls.filter((n) => !doomed.has(`${n.model}:${n.key}`));
  return { deletes, nulls: live, blocks };
}
