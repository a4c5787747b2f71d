// Predicate and sort builders. A predicate function (c => c.title.eq('x'))
// runs against Proxies that record what it asks for; the result is a small
// tree ({group, children} or {field, op, value}) that Go validates, plans
// and evaluates.

const ALL_BRAND = Symbol('datastore-wasm.Predicates.ALL');
const nodes = new WeakSet();

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

function fieldOperators(field) {
  const ops = {};
  for (const op of UNARY) {
    ops[op] = (...args) => {
      if (args.length !== 1) throw new Error(`Incorrect usage of \`${op}()\`: Exactly 1 argument is required.`);
      const value = args[0] === undefined ? null : args[0];
      if ((op === 'in' || op === 'notIn') && !Array.isArray(value)) {
        throw new Error(`Incorrect usage of \`${op}()\`: The argument must be an array.`);
      }
      return node({ field, op, value });
    };
  }
  ops.between = (...args) => {
    if (args.length !== 2) throw new Error('Incorrect usage of `between()`: Exactly 2 arguments are required.');
    return node({ field, op: 'between', value: args.map((v) => (v === undefined ? null : v)) });
  };
  return ops;
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
  return new Proxy(target, {
    get(t, prop) {
      if (prop === 'and' || prop === 'or' || prop === 'not') return groupOf(prop);
      if (typeof prop !== 'string' || prop === 'then' || prop === 'group' || prop === 'children') return t[prop];
      const field = desc.fieldsByName[prop];
      if (!field) throw new Error(`Invalid field for model. field: ${prop}, model: ${desc.name}`);
      if (field.relation) {
        throw new Error(`Conditions through the relation ${desc.name}.${prop} are not supported yet; give a condition on ${field.relation.localFields.join(', ')} instead.`);
      }
      return fieldOperators(prop);
    },
  });
}

function terminated(n) {
  if (!n || !nodes.has(n)) throw new Error(TERMINATE);
  return n.group !== undefined ? { group: n.group, children: n.children } : n;
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
