// How the playground names a record in lists, the feed and the delete
// preview: a title-like field when the model has one, and always its whole key.

const TITLE_FIELDS = ['title', 'name', 'label', 'username', 'content', 'body', 'text'];

/** A record's primary key values joined, e.g. "4f0c…-…" or "p1 / eu", never cut. */
export function keyOf(model, record) {
  return model.key.map((k) => String(record[k])).join(' / ');
}

/** A short human name for a record: its title-like field, or its key. */
export function titleOf(model, record) {
  for (const name of TITLE_FIELDS) {
    const f = model.fields.find((x) => x.name === name && x.kind === 'scalar');
    if (f && record[name] !== null && record[name] !== undefined && record[name] !== '') return String(record[name]);
  }
  const firstString = model.fields.find((f) => f.type === 'String' && !f.list && !model.key.includes(f.name) && record[f.name]);
  if (firstString) return String(record[firstString.name]);
  return keyOf(model, record);
}
