// Form controls made from a model of the schema: an input per field that a
// person types (by its GraphQL type), and a picker of existing records for
// each belongs-to and has-one whose key sits on the record. Generated ids,
// timestamps and the foreign keys the pickers set are left out.
import { keyOf, titleOf } from './labels.js';
import { sourceHoldsKey } from './relations.js';

const INPUT_TYPES = {
  Int: 'number', Float: 'number', AWSTimestamp: 'number', AWSDate: 'date', AWSTime: 'time',
  AWSDateTime: 'datetime-local', AWSEmail: 'email', AWSURL: 'url', AWSPhone: 'tel',
};
const MANAGED = new Set(['createdAt', 'updatedAt']);

/** The relations a form picks records for. */
export function pickedRelations(model) {
  return model.relations.filter((r) => (r.kind === 'BELONGS_TO' || r.kind === 'HAS_ONE') && sourceHoldsKey(model, r));
}

/** The scalar, enum and embedded fields a form asks for. */
export function typedFields(model) {
  const picked = new Set(pickedRelations(model).flatMap((r) => r.local));
  return model.fields.filter((f) => f.kind !== 'model' && !picked.has(f.name) && !MANAGED.has(f.name) &&
    !(model.key.length === 1 && model.key[0] === 'id' && f.name === 'id'));
}

let counter = 0;

function control(labelText, input, required, hint) {
  const id = `f${++counter}`;
  input.id = id;
  const wrap = document.createElement('div');
  wrap.className = 'field';
  const label = document.createElement('label');
  label.htmlFor = id;
  label.textContent = labelText;
  if (required) {
    const mark = document.createElement('span');
    mark.className = 'required';
    mark.textContent = ' (required)';
    label.append(mark);
  }
  wrap.append(label, input);
  if (hint) {
    const small = document.createElement('small');
    small.id = `${id}-hint`;
    small.textContent = hint;
    input.setAttribute('aria-describedby', small.id);
    wrap.append(small);
  }
  return wrap;
}

function option(value, text) {
  const o = document.createElement('option');
  o.value = value;
  o.textContent = text;
  return o;
}

// fillOptions lists the records a relation picker offers, keeping its choice.
function fillOptions(select, target, records) {
  const chosen = select.value;
  select.replaceChildren(option('', select.dataset.required === 'true' ? `— pick a ${target.name} —` : '— none —'));
  for (const [key, rec] of records) {
    const title = titleOf(target, rec);
    select.append(option(key, title === key ? key : `${title} (${key})`));
  }
  if ([...select.options].some((o) => o.value === chosen)) select.value = chosen;
}

/**
 * Brings the relation pickers of a form made by buildForm up to date with
 * the stored records, leaving every other control (and the focus) alone.
 */
export function refreshPickers(container, schema, model, records) {
  for (const rel of pickedRelations(model)) {
    const select = container.querySelector(`[data-relation="${rel.field}"]`);
    if (select) fillOptions(select, schema.models.get(rel.target), records(rel.target));
  }
}

/**
 * Fills container with the controls for model. records(name) gives the
 * stored records of a model (for the pickers); enums maps enum → values.
 */
export function buildForm(container, schema, model, records) {
  container.replaceChildren();
  for (const f of typedFields(model)) {
    let input;
    let hint;
    if (f.list || f.kind === 'nonModel' || f.type === 'AWSJSON') {
      input = document.createElement('textarea');
      input.rows = 2;
      hint = f.list ? 'A JSON array, e.g. ["a", "b"]' : 'JSON';
    } else if (f.kind === 'enum' || f.type === 'Boolean') {
      input = document.createElement('select');
      if (!f.required || f.type === 'Boolean') input.append(option('', '— not set —'));
      const values = f.type === 'Boolean' ? ['true', 'false'] : schema.enums.get(f.type) || [];
      for (const v of values) input.append(option(v, v));
    } else {
      input = document.createElement('input');
      input.type = INPUT_TYPES[f.type] || 'text';
      if (f.type === 'Int') input.step = '1';
      if (f.type === 'Float') input.step = 'any';
      if (input.type === 'number') input.inputMode = f.type === 'Float' ? 'decimal' : 'numeric';
    }
    input.name = f.name;
    input.dataset.field = f.name;
    if (model.key.includes(f.name)) hint = hint || 'Part of the key';
    container.append(control(`${f.name}: ${f.list ? `[${f.type}]` : f.type}`, input, f.required, hint));
  }
  for (const rel of pickedRelations(model)) {
    const select = document.createElement('select');
    select.name = rel.field;
    select.dataset.relation = rel.field;
    const target = schema.models.get(rel.target);
    const required = rel.local.some((name) => model.fields.find((f) => f.name === name)?.required);
    select.dataset.required = required;
    fillOptions(select, target, records(rel.target));
    const empty = select.options.length === 1;
    container.append(control(`${rel.field}: ${rel.target}`, select, required,
      empty ? `No ${rel.target} yet: add one first` : `Sets ${rel.local.join(', ')}`));
  }
  if (!container.children.length) {
    const p = document.createElement('p');
    p.className = 'hint';
    p.textContent = 'Nothing to fill in: the id is generated.';
    container.append(p);
  }
}

function parse(f, raw) {
  if (raw === '') return null;
  if (f.list || f.kind === 'nonModel') return JSON.parse(raw);
  switch (f.type) {
    case 'Int': case 'AWSTimestamp': return Number.parseInt(raw, 10);
    case 'Float': return Number(raw);
    case 'Boolean': return raw === 'true';
    case 'AWSDateTime': return new Date(raw).toISOString();
    case 'AWSTime': return raw.length === 5 ? `${raw}:00` : raw;
    default: return raw;
  }
}

function show(f, value) {
  if (value === null || value === undefined) return '';
  if (f.list || f.kind === 'nonModel') return JSON.stringify(value);
  if (f.type === 'AWSDateTime') {
    const d = new Date(value);
    return Number.isNaN(d.getTime()) ? '' : new Date(d.getTime() - d.getTimezoneOffset() * 60000).toISOString().slice(0, 16);
  }
  return String(value);
}

/**
 * Reads the form: { values, relations } where relations maps a relation
 * field to the picked record (or null). Throws naming a field whose JSON
 * does not parse.
 */
export function readForm(container, model, records) {
  const values = {};
  const relations = {};
  for (const f of typedFields(model)) {
    const input = container.querySelector(`[data-field="${f.name}"]`);
    if (!input || input.disabled) continue;
    try {
      const v = parse(f, input.value.trim());
      if (v !== null || !f.required) values[f.name] = v;
      if (v === null && f.required) values[f.name] = undefined;
    } catch {
      throw new Error(`${model.name}.${f.name}: "${input.value}" is not valid JSON`);
    }
  }
  for (const rel of pickedRelations(model)) {
    const key = container.querySelector(`[data-relation="${rel.field}"]`).value;
    relations[rel.field] = key ? records(rel.target).get(key) ?? null : null;
  }
  return { values, relations };
}

/** Puts record's values into the form, locking the key fields. */
export function fillForm(container, schema, model, record) {
  for (const f of typedFields(model)) {
    const input = container.querySelector(`[data-field="${f.name}"]`);
    if (!input) continue;
    input.value = show(f, record[f.name]);
    input.disabled = model.key.includes(f.name);
  }
  for (const rel of pickedRelations(model)) {
    const select = container.querySelector(`[data-relation="${rel.field}"]`);
    const target = schema.models.get(rel.target);
    const byKey = Object.fromEntries(rel.remote.map((k, i) => [k, record[rel.local[i]]]));
    select.value = Object.values(byKey).some((v) => v === null || v === undefined) ? '' : keyOf(target, byKey);
  }
}
