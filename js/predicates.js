// Predicate and sort builders. A predicate function (c => c.title.eq('x'))
// runs against Proxies that record what it asks for; the result is a small
// tree ({group, children} or {field, op, value}) that Go validates, plans
// and evaluates.

const ALL_BRAND = Symbol('datastore-wasm.Predicates.ALL');
const nodes = new WeakSet();
const seeds = new WeakMap(); // seed proxy -> its group, for p => p

/** Predicates.ALL selects every record. */
export const Predicates = Object.freeze({ ALL: Object.freeze({ [ALL_BRAND]: true }) });

export const isAll = (p) => !!(p && p[ALL_BRAND]);

const UNARY = ['eq', 'ne', 'gt', 'ge', 'lt', 'le', 'beginsWith', 'contains', 'notContains', 'in', 'notIn'];

const TERMINATE = 'Invalid predicate. Terminate your predicate with a valid condition (e.g., `p => p.field.eq(\'value\')`) or pass `Predicates.ALL`.';

function node(n) {
  const frozen = Object.freeze(n);
  nodes.add(frozen);
  return frozen;
}

// fieldOperators gives the operators of one field; wrap turns each
// condition they make into the node the caller needs (a condition through
// relations is wrapped once per relation on the path).
function fieldOperators(field, wrap = node) {
  const ops = {};
  for (const op of UNARY) {
    ops[op] = (...args) => {
      if (args.length !== 1) throw new Error(`Incorrect usage of \`${op}()\`: Exactly 1 argument is required.`);
      const value = args[0] === undefined ? null : args[0];
      if ((op === 'in' || op === 'notIn') && !Array.isArray(value)) {
        throw new Error(`Incorrect usage of \`${op}()\`: The argument must be an array.`);
      }
      return wrap({ field, op, value });
    };
  }
  ops.between = (...args) => {
    if (args.length !== 2) throw new Error('Incorrect usage of `between()`: Exactly 2 arguments are required.');
    return wrap({ field, op: 'between', value: args.map((v) => (v === undefined ? null : v)) });
  };
  return ops;
}

const OPERATORS = new Set([...UNARY, 'between']);

// relationPath is what c.post gives: the fields of the related model, whose
// conditions become {group: 'rel', field: 'post', children: [condition]}
// (SPEC 4.4), and further relations (p.tags.tag.label).
function relationPath(desc, field, wrap) {
  const target = desc.related(field.relation.target);
  const through = (n) => wrap({ group: 'rel', field: field.name, children: [n] });
  return new Proxy({}, {
    get(_, prop) {
      if (typeof prop !== 'string' || prop === 'then') return undefined;
      if (OPERATORS.has(prop)) {
        throw new Error(`${desc.name}.${field.name} is a relation: give a condition on one of ${target.name}'s fields, as c.${field.name}.${target.primaryKey[0]}.${prop}(...)`);
      }
      const f = target.fieldsByName[prop];
      if (!f) throw new Error(`Invalid field for model. field: ${prop}, model: ${target.name}`);
      if (f.relation) return relationPath(target, f, through);
      return fieldOperators(prop, through);
    },
  });
}

function seed(desc, group, children) {
  const target = { group, children };
  nodes.add(target);
  const groupOf = (kind) => (fn) => {
    if (typeof fn !== 'function') throw new Error(`Invalid predicate. \`${kind}\` takes a function.`);
    const result = fn(seed(desc, 'and', []));
    if (kind === 'not') return node({ group: 'not', children: [terminated(result)] });
    if (!Array.isArray(result)) throw new Error(`Invalid predicate. \`${kind}\` groups must return an array of child conditions.`);
    return node({ group: kind, children: result.map(terminated) });
  };
  const proxy = new Proxy(target, {
    get(t, prop) {
      if (prop === 'and' || prop === 'or' || prop === 'not') return groupOf(prop);
      if (typeof prop !== 'string' || prop === 'then' || prop === 'group' || prop === 'children') return t[prop];
      const field = desc.fieldsByName[prop];
      if (!field) throw new Error(`Invalid field for model. field: ${prop}, model: ${desc.name}`);
      if (field.relation) return relationPath(desc, field, node);
      return fieldOperators(prop);
    },
  });
  // The bare seed (p => p) is a condition too: an empty and, which holds
  // for every record (SPEC 4.3).
  seeds.set(proxy, target);
  return proxy;
}

function terminated(value) {
  const n = (value && seeds.get(value)) || value;
  if (!n || !nodes.has(n)) throw new Error(TERMINATE);
  if (n.group === undefined) return n;
  return n.field === undefined ? { group: n.group, children: n.children } : { group: n.group, field: n.field, children: n.children };
}

/**
 * Runs a predicate function for the model described by desc and returns
 * its tree, or null for one that selects everything.
 */
export function buildPredicate(desc, fn) {
  if (fn === undefined || fn === null || isAll(fn)) return null;
  if (typeof fn !== 'function') throw new Error(TERMINATE);
  const n = terminated(fn(seed(desc, 'and', [])));
  if (n.group === 'and' && n.children.length === 0) return null;
  return n;
}

/**
 * Runs a sort function (s => s.title(SortDirection.ASCENDING)) and returns
 * [{field, direction}].
 */
export function buildSort(desc, fn) {
  if (!fn) return [];
  if (typeof fn !== 'function') throw new Error('sort must be a function: s => s.field(SortDirection.ASCENDING)');
  const keys = [];
  const proxy = new Proxy({}, {
    get(_, prop) {
      if (typeof prop !== 'string') return undefined;
      if (!desc.fieldsByName[prop]) throw new Error(`Invalid field for model. field: ${prop}, model: ${desc.name}`);
      return (direction = 'ASCENDING') => {
        if (direction !== 'ASCENDING' && direction !== 'DESCENDING') {
          throw new Error(`Sort direction for ${prop} must be SortDirection.ASCENDING or SortDirection.DESCENDING`);
        }
        keys.push({ field: prop, direction });
        return proxy;
      };
    },
  });
  fn(proxy);
  return keys;
}

/** Whether a predicate tree has conditions on related models. */
export function hasRelated(n) {
  return !!n && (n.group === 'rel' || (n.children || []).some(hasRelated));
}

/**
 * Runs an include function (p => [p.comments, p.tags.tag]) and returns the
 * relation paths it names: [['comments'], ['tags', 'tag']].
 */
export function buildInclude(desc, fn) {
  if (!fn) return null;
  if (typeof fn !== 'function') throw new Error('include must be a function: p => [p.comments, p.author]');
  const PATH = Symbol('path');
  const step = (d, path) => new Proxy({}, {
    get(_, prop) {
      if (prop === PATH) return path;
      if (typeof prop !== 'string') return undefined;
      const f = d.fieldsByName[prop];
      if (!f || !f.relation) throw new Error(`Invalid include: ${d.name}.${prop} is not a relation field`);
      return step(d.related(f.relation.target), [...path, prop]);
    },
  });
  const picked = fn(step(desc, []));
  const list = Array.isArray(picked) ? picked : [picked];
  return list.map((p) => {
    const path = p && p[PATH];
    if (!path || path.length === 0) throw new Error('include must return relation fields: p => [p.comments, p.author]');
    return path;
  });
}
