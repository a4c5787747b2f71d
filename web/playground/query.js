// The query box: conditions (field, operator, value) joined by and / or,
// a sort and a limit, turned into the predicate and options DataStore.query
// and DataStore.explain take, and into the code a page would write.

const OPERATORS = {
  String: ['eq', 'ne', 'beginsWith', 'contains', 'notContains', 'gt', 'ge', 'lt', 'le', 'between', 'in', 'notIn'],
  number: ['eq', 'ne', 'gt', 'ge', 'lt', 'le', 'between', 'in', 'notIn'],
  Boolean: ['eq', 'ne'],
  enum: ['eq', 'ne', 'in', 'notIn'],
};
const NUMBER_TYPES = new Set(['Int', 'Float', 'AWSTimestamp']);
const LIST_OPS = new Set(['in', 'notIn']);

/** The fields a query can sort on: every stored scalar and enum. */
export function queryFields(model) {
  return model.fields.filter((f) => f.kind === 'scalar' || f.kind === 'enum').filter((f) => !f.list);
}

/**
 * The fields a query can filter on: its own, and those of the records its
 * relations reach, as paths (comment => comment.post.title).
 */
export function filterFields(schema, model) {
  const out = queryFields(model);
  for (const rel of model.relations) {
    const target = schema.models.get(rel.target);
    for (const f of queryFields(target)) out.push({ ...f, name: `${rel.field}.${f.name}` });
  }
  return out;
}

// The operators of a field path on a predicate proxy: c.post.title.
const at = (c, path) => path.split('.').reduce((p, k) => p[k], c);

export function operatorsFor(field) {
  if (field.kind === 'enum') return OPERATORS.enum;
  if (NUMBER_TYPES.has(field.type)) return OPERATORS.number;
  if (field.type === 'Boolean') return OPERATORS.Boolean;
  return OPERATORS.String;
}

function convert(field, raw) {
  const v = raw.trim();
  if (NUMBER_TYPES.has(field.type)) {
    const n = Number(v);
    if (v === '' || Number.isNaN(n)) throw new Error(`${field.name} is a number: "${raw}" is not one`);
    return n;
  }
  if (field.type === 'Boolean') return v === 'true';
  return v;
}

/** A condition's value as the operator takes it: one value, two (between), or a list. */
export function conditionValue(field, op, raw) {
  if (op === 'between') {
    const parts = raw.split(',');
    if (parts.length !== 2) throw new Error(`between needs two values separated by a comma, e.g. 2, 4 (${field.name})`);
    return parts.map((p) => convert(field, p));
  }
  if (LIST_OPS.has(op)) return raw.split(',').map((p) => convert(field, p));
  return [convert(field, raw)];
}

/**
 * Builds { criteria, options, code } from a parsed query: { model, combine,
 * conditions: [{ field, op, args }], sort: { field, direction }, limit }.
 */
export function buildQuery(q) {
  const condition = (c, { field, op, args }) => (LIST_OPS.has(op) ? at(c, field)[op](args) : at(c, field)[op](...args));
  let criteria;
  if (q.conditions.length === 1) criteria = (c) => condition(c, q.conditions[0]);
  if (q.conditions.length > 1) criteria = (p) => p[q.combine]((c) => q.conditions.map((cond) => condition(c, cond)));
  const options = {};
  if (q.sort.field) options.sort = (s) => s[q.sort.field](q.sort.direction);
  if (q.limit > 0) options.limit = q.limit;

  const v = JSON.stringify;
  const conds = q.conditions.map(({ field, op, args }) => `c.${field}.${op}(${LIST_OPS.has(op) ? v(args) : args.map((a) => v(a)).join(', ')})`);
  const parts = [q.model];
  if (conds.length === 1) parts.push(`(c) => ${conds[0]}`);
  else if (criteria) parts.push(`(p) => p.${q.combine}((c) => [\n  ${conds.join(',\n  ')},\n])`);
  else if (Object.keys(options).length) parts.push('Predicates.ALL');
  const opts = [];
  if (options.sort) opts.push(`sort: (s) => s.${q.sort.field}(SortDirection.${q.sort.direction})`);
  if (options.limit) opts.push(`limit: ${options.limit}`);
  if (opts.length) parts.push(`{ ${opts.join(', ')} }`);
  return { criteria, options, code: `await DataStore.query(${parts.join(', ')});` };
}

/** Plain words for what DataStore.explain returned. */
export function explainWords(plan, total) {
  const where = plan.index ? `the index ${plan.index} of ${plan.store}` : `${plan.store}'s primary key`;
  let how;
  switch (plan.access) {
    case 'key': how = `Reads the records under one key of ${where}`; break;
    case 'keys': how = `Reads the records under several keys of ${where}`; break;
    case 'range': how = `Reads a range of ${where}`; break;
    default: how = `Scans every ${plan.store} record (${total} stored): no index fits these conditions`;
  }
  const steps = (plan.steps || []).map((st) => (st.access === 'scan' ? `scans ${st.store}` : `reads ${st.store} by ${st.index || 'its key'}`));
  if (!steps.length) return `${how}.`;
  return `First ${steps.join(', then ')} for the related records; then ${how.charAt(0).toLowerCase()}${how.slice(1)}.`;
}
