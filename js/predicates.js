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

/** How deeply groups and relation steps may nest (relation.MaxPredicateDepth). */
export const MAX_PREDICATE_DEPTH = 200;

const TERMINATE = 'Invalid predicate. Terminate your predicate with a valid condition (e.g., `p => p.field.eq(\'value\')`) or pass `Predicates.ALL`.';

function node(n) {
  const frozen = Object.freeze(n);
  nodes.add(frozen);
  return frozen;
}

const OPERATOR_LIST = [...UNARY, 'between'].join(', ');

// operand refuses what JSON cannot carry to Go (it would change meaning on
// the way: NaN becomes null) and what no field holds.
function operand(model, field, op, v) {
  const t = typeof v;
  if (t === 'bigint' || t === 'function' || t === 'symbol' || (t === 'number' && !Number.isFinite(v))) {
    throw new TypeError(`Invalid predicate. ${model}.${field}.${op}() was given ${t === 'number' ? String(v) : `a ${t}`}: give a string, a finite number, a boolean or null`);
  }
  if (v !== null && t === 'object') {
    try {
      JSON.stringify(v);
    } catch {
      throw new TypeError(`Invalid predicate. ${model}.${field}.${op}() was given a value JSON cannot write (a cycle, or a BigInt inside): give plain data`);
    }
  }
  return v === undefined ? null : v;
}

// fieldOperators gives the operators of one field, as an object that
// refuses unknown operators with a TypeError naming those that exist; wrap
// turns each condition they make into the node the caller needs (a
// condition through relations is wrapped once per relation on the path).
function fieldOperators(model, field, wrap = node) {
  const ops = {};
  for (const op of UNARY) {
    ops[op] = (...args) => {
      if (args.length !== 1) throw new Error(`Incorrect usage of \`${op}()\`: Exactly 1 argument is required.`);
      if ((op === 'in' || op === 'notIn') && !Array.isArray(args[0])) {
        throw new Error(`Incorrect usage of \`${op}()\`: The argument must be an array.`);
      }
      const value = Array.isArray(args[0]) ? args[0].map((v) => operand(model, field, op, v)) : operand(model, field, op, args[0]);
      return wrap({ field, op, value });
    };
  }
  ops.between = (...args) => {
    if (args.length !== 2) throw new Error('Incorrect usage of `between()`: Exactly 2 arguments are required.');
    return wrap({ field, op: 'between', value: args.map((v) => operand(model, field, 'between', v)) });
  };
  return new Proxy(ops, {
    get(t, prop) {
      if (typeof prop !== 'string' || prop === 'then') return undefined;
      if (!Object.hasOwn(t, prop)) {
        throw new TypeError(`Invalid predicate. ${model}.${field} has no operator ${prop}(); its operators are ${OPERATOR_LIST}`);
      }
      return t[prop];
    },
  });
}

const OPERATORS = new Set([...UNARY, 'between']);

// The operators of a model's own fields hold no state: made once per field.
const operatorCache = new WeakMap();

function operatorsOf(desc, field) {
  let byField = operatorCache.get(desc);
  if (!byField) {
    byField = new Map();
    operatorCache.set(desc, byField);
  }
  let ops = byField.get(field);
  if (!ops) {
    ops = fieldOperators(desc.name, field);
    byField.set(field, ops);
  }
  return ops;
}

// relationPath is what c.post gives: the fields of the related model, whose
// conditions become {group: 'rel', field: 'post', children: [condition]}
// (SPEC 4.4), and further relations (p.tags.tag.label).
function relationPath(desc, field, wrap) {
  const target = desc.related(field.relation.target);
  const through = (n) => wrap({ group: 'rel', field: field.name, children: [n] });
  return new Proxy({}, {
    get(_, prop) {
      if (typeof prop !== 'string') return undefined;
      const f = target.fieldsByName[prop];
      if (!f && prop === 'then') return undefined; // not a thenable
      if (!f && OPERATORS.has(prop)) {
        throw new Error(`${desc.name}.${field.name} is a relation: give a condition on one of ${target.name}'s fields, as c.${field.name}.${target.primaryKey[0]}.${prop}(...)`);
      }
      if (!f) throw new TypeError(`Invalid field for model. field: ${prop}, model: ${target.name}`);
      if (f.relation) return relationPath(target, f, through);
      return fieldOperators(target.name, prop, through);
    },
  });
}

// The builder's own names (and, or, not) and the model's fields share one
// namespace: p.and(fn) makes a group, and when the model has a field named
// and, p.and is also that field (p.and.eq('x')). Every other name is a
// field: a model's children, group or then fields work, and a seed is
// never a thenable (await does not mistake it for a Promise).
const GROUPS = new Set(['and', 'or', 'not']);

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
  const fieldOf = (prop) => {
    const field = desc.fieldsByName[prop];
    if (!field) return undefined;
    return field.relation ? relationPath(desc, field, node) : operatorsOf(desc, prop);
  };
  const proxy = new Proxy(target, {
    get(_, prop) {
      if (typeof prop !== 'string') return undefined;
      if (GROUPS.has(prop)) {
        const make = groupOf(prop);
        const field = desc.fieldsByName[prop];
        if (!field) return make;
        // A field with the builder's name: callable as the group, and its
        // operators (or relation fields) as properties.
        return new Proxy(make, { get: (fn, key) => (key === 'call' || key === 'apply' || key === 'bind' ? fn[key] : fieldOf(prop)[key]) });
      }
      const f = fieldOf(prop);
      if (f) return f;
      if (prop === 'then') return undefined;
      throw new TypeError(`Invalid field for model. field: ${prop}, model: ${desc.name}`);
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
  // Arrow functions have no prototype: only other functions pay for the look.
  if (fn.prototype && /^class\b/.test(Function.prototype.toString.call(fn))) {
    throw new TypeError(`Invalid predicate: ${fn.name || 'the argument'} is a class, not a condition on ${desc.name}; give a predicate function (p => p.field.eq(value)), an id, or Predicates.ALL`);
  }
  const n = terminated(fn(seed(desc, 'and', [])));
  checkDepth(n);
  if (n.group === 'and' && n.children.length === 0) return null;
  return n;
}

// checkDepth refuses a tree nested past MAX_PREDICATE_DEPTH, walking it
// without recursion (the tree may be far deeper than the stack).
function checkDepth(root) {
  const stack = [[root, 0]];
  while (stack.length) {
    const [n, depth] = stack.pop();
    if (depth > MAX_PREDICATE_DEPTH) {
      throw new Error(`Invalid predicate. Groups (and, or, not) and relation steps nest more than ${MAX_PREDICATE_DEPTH} levels deep; datastore-wasm reads predicates nested up to ${MAX_PREDICATE_DEPTH} levels: give long lists of conditions as the children of one group, p => p.or(p => [...])`);
    }
    for (const c of n.children || []) stack.push([c, depth + 1]);
  }
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
