// A reader for the part of the GraphQL SDL that schemas of models use: object
// types and enums with their fields, list and non-null types, and directives
// with arguments. It knows no Amplify rules (relations.js does); the engine
// validates the schema first, so this reader may assume it is well formed.

const KEYWORDS = new Set(['type', 'enum', 'input', 'scalar', 'interface', 'union', 'directive', 'schema', 'extend']);
const PUNCTUATION = new Set(['{', '}', '(', ')', '[', ']', '!', ':', '@', '=', '|', '&']);

function tokenize(text) {
  const tokens = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (c === '#') {
      while (i < text.length && text[i] !== '\n') i++;
    } else if (/[\s,\ufeff]/.test(c)) {
      i++;
    } else if (text.startsWith('"""', i)) {
      const end = text.indexOf('"""', i + 3);
      const stop = end < 0 ? text.length : end;
      tokens.push({ kind: 'string', value: text.slice(i + 3, stop) });
      i = stop + 3;
    } else if (c === '"') {
      let j = i + 1;
      let value = '';
      while (j < text.length && text[j] !== '"') {
        if (text[j] === '\\') j++;
        value += text[j++];
      }
      tokens.push({ kind: 'string', value });
      i = j + 1;
    } else if (PUNCTUATION.has(c)) {
      tokens.push({ kind: c });
      i++;
    } else if (text.startsWith('...', i)) {
      tokens.push({ kind: '...' });
      i += 3;
    } else {
      const m = /^[-\w.]+/.exec(text.slice(i));
      if (!m) throw new Error(`Unexpected character ${c} in the schema`);
      tokens.push({ kind: 'name', value: m[0] });
      i += m[0].length;
    }
  }
  return tokens;
}

/**
 * Parses SDL into { types: [{ kind: 'type'|'enum', name, directives, fields | values }] }.
 * A field is { name, type: { name, list, required, itemRequired }, directives };
 * a directive is { name, args } with args as plain values (strings, numbers,
 * booleans, enum names as strings, arrays, objects).
 */
export function parseSDL(text) {
  const tokens = tokenize(text);
  let pos = 0;
  const peek = () => tokens[pos] || { kind: 'eof' };
  const next = () => tokens[pos++] || { kind: 'eof' };
  const at = (kind) => peek().kind === kind;
  const expect = (kind) => {
    const t = next();
    if (t.kind !== kind) throw new Error(`Expected ${kind} in the schema, found ${t.value ?? t.kind}`);
    return t;
  };
  const name = () => expect('name').value;

  function value() {
    const t = next();
    if (t.kind === 'string') return t.value;
    if (t.kind === '[') {
      const out = [];
      while (!at(']')) out.push(value());
      next();
      return out;
    }
    if (t.kind === '{') {
      const out = {};
      while (!at('}')) {
        const key = name();
        expect(':');
        out[key] = value();
      }
      next();
      return out;
    }
    if (t.kind === 'name') {
      if (t.value === 'true' || t.value === 'false') return t.value === 'true';
      if (t.value === 'null') return null;
      return /^-?\d/.test(t.value) ? Number(t.value) : t.value;
    }
    throw new Error(`Unexpected ${t.kind} in a directive argument`);
  }

  function args() {
    const out = {};
    if (!at('(')) return out;
    next();
    while (!at(')')) {
      const key = name();
      expect(':');
      if (at('name') || at('[') || at('{') || at('string')) out[key] = value();
      skipTypeSuffix();
    }
    next();
    return out;
  }

  // Field arguments of an object type carry types and defaults; skip them.
  function skipTypeSuffix() {
    while (at('!') || at('=')) {
      if (next().kind === '=') value();
    }
  }

  function directives() {
    const out = [];
    while (at('@')) {
      next();
      out.push({ name: name(), args: args() });
    }
    return out;
  }

  function type() {
    if (at('[')) {
      next();
      const item = type();
      expect(']');
      const required = at('!') && !!next();
      return { name: item.name, list: true, required, itemRequired: item.required };
    }
    const typeName = name();
    const required = at('!') && !!next();
    return { name: typeName, list: false, required, itemRequired: false };
  }

  function skipBlock() {
    let depth = 0;
    do {
      const t = next();
      if (t.kind === '{') depth++;
      if (t.kind === '}') depth--;
      if (t.kind === 'eof') return;
    } while (depth > 0);
  }

  // skipDefinition passes over the rest of a definition: up to its block, or
  // up to the keyword that starts the next one.
  function skipDefinition() {
    while (!at('eof')) {
      if (at('{')) {
        skipBlock();
        return;
      }
      const prev = next();
      if (at('name') && KEYWORDS.has(peek().value) && prev.kind !== '@') return;
    }
  }

  const types = [];
  while (!at('eof')) {
    if (at('string')) {
      next(); // a description
      continue;
    }
    const keyword = name();
    if (keyword === 'extend') continue;
    if (keyword === 'type' || keyword === 'enum') {
      const typeName = name();
      if (keyword === 'type' && at('name') && peek().value === 'implements') {
        next();
        while (at('name') || at('&')) next();
      }
      const dirs = directives();
      const def = { kind: keyword, name: typeName, directives: dirs };
      if (keyword === 'enum') {
        def.values = [];
        expect('{');
        while (!at('}')) {
          if (at('string')) next();
          def.values.push(name());
          directives();
        }
        next();
      } else {
        def.fields = [];
        if (at('{')) {
          next();
          while (!at('}')) {
            if (at('string')) {
              next();
              continue;
            }
            const fieldName = name();
            args();
            expect(':');
            def.fields.push({ name: fieldName, type: type(), directives: directives() });
          }
          next();
        }
      }
      types.push(def);
    } else {
      skipDefinition(); // scalar, input, interface, union, directive, schema: not models
    }
  }
  return { types };
}
