// What a delete will do, asked of the engine before it happens:
// DataStore.planDelete runs the delete's own walk (the policies of
// docs/policies.md, in Go) and writes nothing. After the delete, app.js
// compares it with what the observe messages say happened.
import { keyOf } from './labels.js';

/**
 * Previews deleting record of model. Returns { deletes, nulls, blocks },
 * each a list of { model, record, key, via } (via: "Post.comments"), the
 * record itself left out; nulls also carry the fields that become null.
 */
export async function previewDelete(schema, ds, record) {
  const plan = await ds.planDelete(record);
  const entry = (e) => ({ model: e.model, record: e.element, key: keyOf(schema.models.get(e.model), e.element), via: e.via });
  return {
    deletes: plan.removed.filter((e) => e.via !== null).map(entry),
    nulls: plan.updated.map((e) => ({ ...entry(e), fields: [...e.fields] })),
    blocks: plan.blocked.map(entry),
  };
}
