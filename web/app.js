// The playground: pick or paste a schema, see its relations, make records
// with forms generated from it, query with explain, and delete with a
// preview of the cascade. Every list on the page is drawn from observe
// messages (from this tab or another on the same database), never from what
// a button just wrote.
import { createDataStore, OpType, Predicates, SortDirection } from '/dist/index.js';
import { previewDelete } from './playground/cascade.js';
import { buildForm, fillForm, readForm, refreshPickers } from './playground/forms.js';
import { describeRelations, renderGraph } from './playground/graph.js';
import { keyOf, titleOf } from './playground/labels.js';
import { buildQuery, conditionValue, explainWords, filterFields, operatorsFor, queryFields } from './playground/query.js';
import { describeSchema } from './playground/relations.js';
import { startOfflineSupport } from './playground/offline.js';

/** The example schemas that ship with the demo (web/schemas/). */
const EXAMPLES = [
  { id: 'blog', about: 'A post has many comments; a comment belongs to a post.' },
  { id: 'policies', about: 'The three delete policies: cascade, setNull and restrict.' },
  { id: 'post-tag', about: 'Posts and tags, many to many through an implied PostTag.' },
  { id: 'post-editor', about: 'Posts and their editors, many to many.' },
  { id: 'post-author', about: 'A post has one author; the key is on the post.' },
  { id: 'publication', about: 'Has many through an explicit, indexed foreign key.' },
  { id: 'keys', about: 'Custom and composite primary keys.' },
  { id: 'blog-connection', about: 'The blog in the older @connection and @key directives.' },
];
const FEED_SIZE = 100;
const CHOICE_KEY = 'playground.schema';
const CUSTOM_KEY = 'playground.customSchema';

const $ = (selector, root = document) => root.querySelector(selector);

function h(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === 'class') node.className = v;
    else if (k.startsWith('data-')) node.setAttribute(k, v);
    else node[k] = v;
  }
  node.append(...children.filter((c) => c !== null && c !== undefined && c !== false));
  return node;
}

// ---- state ----

const state = {
  choice: null,      // { id, text, databaseName }
  schema: null,      // describeSchema's result
  ds: null,          // this schema's DataStore
  classes: null,     // its model classes
  subscriptions: [],
  records: new Map(), // model → Map(key → record), in the order they appeared
  editing: null,     // { model, record } while the form edits a record
  pending: null,     // { model, record, preview } while a delete waits to be confirmed
  marks: new Map(),  // model → Map(key → 'will-delete'|'will-null'|'blocks')
  collector: null,   // observe messages of the delete being run
};

const recordsOf = (model) => state.records.get(model) || new Map();

// nameOf is titleOf, except that a record with nothing but keys (a join
// record) is named by the parents it links: Post “Hello” ↔ Tag “news”.
function nameOf(model, record) {
  const title = titleOf(model, record);
  if (title !== keyOf(model, record)) return `“${title}”`;
  const parents = model.relations.filter((r) => r.kind === 'BELONGS_TO').map((r) => {
    const target = state.schema.models.get(r.target);
    const parent = recordsOf(r.target).get(keyOf(target, Object.fromEntries(r.remote.map((k, i) => [k, record[r.local[i]]]))));
    return parent ? `${r.target} “${titleOf(target, parent)}”` : null;
  }).filter(Boolean);
  return parents.join(' ↔ ');
}

// ---- errors ----

// A failed action is shown on the page, next to what the person did (the
// form, the query box) or at the top; the engine's message names the model
// and field. The console gets it as a warning, with its stack.
const ERROR_PLACES = ['#error', '#form-error', '#query-error', '#schema-error'];

function showError(error, where = '#error') {
  console.warn(error);
  const el = $(where);
  el.textContent = error instanceof Error ? error.message : String(error);
  el.hidden = false;
}

function clearError() {
  for (const where of ERROR_PLACES) {
    $(where).hidden = true;
    $(where).textContent = '';
  }
}

async function run(action, where = '#error') {
  clearError();
  try {
    await action();
  } catch (error) {
    showError(error, where);
  }
}

addEventListener('unhandledrejection', (event) => showError(event.reason));

// ---- schema choice ----

function hashText(text) {
  let h1 = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h1 = Math.imul(h1 ^ text.charCodeAt(i), 0x01000193);
  return (h1 >>> 0).toString(16).padStart(8, '0');
}

async function exampleText(id) {
  const res = await fetch(`schemas/${id}.graphql`);
  if (!res.ok) throw new Error(`Could not load the example schema ${id} (HTTP ${res.status})`);
  return res.text();
}

function parseSchemaText(text) {
  const t = text.trim();
  if (!t.startsWith('{')) return text;
  const obj = JSON.parse(t);
  return obj.models ? obj : obj.schema || obj;
}

async function chooseExample(id) {
  const text = await exampleText(id);
  await useSchema({ id, text, databaseName: `playground-${id}` });
  localStorage.setItem(CHOICE_KEY, id);
}

async function chooseCustom(text) {
  await useSchema({ id: 'custom', text, databaseName: `playground-custom-${hashText(text)}` });
  localStorage.setItem(CHOICE_KEY, 'custom');
  localStorage.setItem(CUSTOM_KEY, text);
}

let loads = 0; // counts useSchema calls: a newer one makes an older one stop

async function useSchema(choice) {
  const input = parseSchemaText(choice.text);
  // The engine reads the schema first: its message names the type, field and line.
  const { DataStore: ds, models: classes } = createDataStore({ schema: input, databaseName: choice.databaseName });
  const schema = describeSchema(ds);
  const load = ++loads;
  await closeCurrent();
  if (load !== loads) return;
  Object.assign(state, { choice, schema, ds, classes, records: new Map(), editing: null, pending: null, marks: new Map() });
  window.playground = { ds, classes, schema, databaseName: choice.databaseName };

  $('#schema-select').value = choice.id;
  $('#schema-text').value = choice.text;
  if (choice.id === 'custom') $('#schema-details').open = true;
  $('#schema-about').textContent = EXAMPLES.find((e) => e.id === choice.id)?.about || 'Your own schema.';
  $('#database').textContent = `IndexedDB database: ${choice.databaseName}`;
  $('#ready').textContent = 'opening';
  document.body.dataset.ready = 'false';

  state.subscriptions.push(ds.events.subscribe((e) => onEvent(e)));
  // Subscribe before the first queries so that nothing written in between is missed.
  state.subscriptions.push(ds.observe().subscribe((msg) => onMessage(msg)));
  for (const name of schema.models.keys()) {
    const model = schema.models.get(name);
    const list = new Map();
    const stored = await ds.query(classes[name]);
    if (load !== loads) return;
    for (const rec of stored) list.set(keyOf(model, rec), rec);
    const seen = state.records.get(name);
    if (seen) for (const [k, v] of seen) list.set(k, v);
    state.records.set(name, list);
  }
  setupForm();
  setupQuery();
  renderAll();
  $('#ready').textContent = 'ready';
  document.body.dataset.ready = 'true';
}

async function closeCurrent() {
  for (const s of state.subscriptions) s.unsubscribe();
  state.subscriptions = [];
  if (state.ds) await state.ds.stop().catch(() => {});
}

function onEvent(e) {
  const words = {
    ready: 'ready', schemaUpgraded: 'ready (schema upgraded)', blocked: 'waiting for other tabs',
    closedByOtherTab: 'reconnecting (another tab changed the database)', schemaChangedElsewhere: 'another tab has a newer schema: reload',
    storageError: 'storage error', stopped: 'stopped', cleared: 'cleared',
  };
  if (e.type === 'ready' && document.body.dataset.ready !== 'true') return;
  $('#ready').textContent = words[e.type] || e.type;
  if (e.type === 'cleared') {
    for (const list of state.records.values()) list.clear();
    renderAll();
  }
}

// ---- observe ----

function onMessage({ model, opType, element }) {
  const m = state.schema.models.get(model.name);
  if (!m) return;
  const list = state.records.get(model.name) || new Map();
  state.records.set(model.name, list);
  const key = keyOf(m, element);
  if (opType === OpType.DELETE) list.delete(key);
  else list.set(key, element);
  state.collector?.push({ model: model.name, opType, key, name: nameOf(m, element) });
  addToFeed(m, opType, element);
  scheduleRender();
}

function addToFeed(model, opType, element) {
  const time = new Date().toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false });
  const key = keyOf(model, element);
  const li = h('li', { class: `msg ${opType.toLowerCase()}`, 'data-testid': 'feed-item' },
    h('span', { class: 'op' }, opType),
    h('span', { class: 'what' }, h('strong', {}, model.name), ' ', nameOf(model, element)),
    h('span', { class: 'key' }, key),
    h('time', {}, time));
  const feed = $('#feed');
  feed.prepend(li);
  while (feed.children.length > FEED_SIZE) feed.lastElementChild.remove();
}

let renderPending = false;
function scheduleRender() {
  if (renderPending) return;
  renderPending = true;
  queueMicrotask(() => {
    renderPending = false;
    renderAll();
  });
}

// ---- rendering ----

function renderAll() {
  renderGraphPanel();
  renderLists();
  refreshFormPickers();
}

function renderGraphPanel() {
  const counts = new Map([...state.schema.models.keys()].map((n) => [n, recordsOf(n).size]));
  const marks = new Map();
  for (const [model, byKey] of state.marks) {
    const c = { deletes: 0, nulls: 0, blocks: 0 };
    for (const kind of byKey.values()) c[kind === 'will-delete' ? 'deletes' : kind === 'will-null' ? 'nulls' : 'blocks']++;
    marks.set(model, c);
  }
  renderGraph($('#graph'), state.schema, counts, marks);
  $('#relations').replaceChildren(...describeRelations(state.schema).map((r) =>
    h('li', { class: `policy-${r.policy}` }, h('strong', {}, `${r.model}.${r.field}`), ` ${r.kind} · ${r.onDelete} · `, h('code', {}, r.join))));
}

// focusRecordButton focuses a button of a record's row, if it is listed.
function focusRecordButton(model, key, action) {
  const row = [...document.querySelectorAll('[data-testid=record]')].find((r) => r.dataset.model === model && r.dataset.key === key);
  const button = row?.querySelector(`[data-action="${action}"]`);
  button?.focus();
  return !!button;
}

function renderLists() {
  const container = $('#record-lists');
  // The lists are redrawn from scratch; keep the keyboard where it was.
  const active = document.activeElement?.closest?.('[data-testid=record]') && document.activeElement;
  const keep = active && { ...active.closest('[data-testid=record]').dataset, action: active.dataset.action };
  container.replaceChildren();
  for (const model of state.schema.models.values()) {
    const list = recordsOf(model.name);
    const marks = state.marks.get(model.name) || new Map();
    const items = [...list].map(([key, rec]) => {
      const mark = marks.get(key);
      const title = titleOf(model, rec);
      const related = model.relations.filter((r) => r.kind !== 'HAS_MANY').map((r) => {
        const values = r.local.map((f) => rec[f]);
        if (values.some((v) => v === null || v === undefined)) return null;
        const target = state.schema.models.get(r.target);
        const parentKey = keyOf(target, Object.fromEntries(r.remote.map((k, i) => [k, values[i]])));
        const parent = recordsOf(r.target).get(parentKey);
        return h('span', { class: 'rel' }, `${r.field}: `, parent ? titleOf(target, parent) : parentKey);
      });
      const badge = mark && h('span', { class: `badge ${mark}` }, { 'will-delete': 'will be deleted', 'will-null': 'key set to null', blocks: 'blocks the delete' }[mark]);
      return h('li', { class: `record ${mark || ''}`, 'data-testid': 'record', 'data-model': model.name, 'data-key': key },
        h('div', { class: 'record-main' },
          h('span', { class: 'record-title' }, title),
          title !== key ? h('span', { class: 'key' }, key) : null,
          ...related,
          badge),
        h('div', { class: 'record-actions' },
          h('button', { type: 'button', class: 'small secondary', 'data-action': 'edit', ariaLabel: `Edit ${model.name} ${title}` }, 'Edit'),
          h('button', { type: 'button', class: 'small danger-outline', 'data-action': 'delete', ariaLabel: `Delete ${model.name} ${title}` }, 'Delete')));
    });
    container.append(h('section', { class: 'model-records', 'data-model': model.name },
      h('h3', {}, model.name, ' ', h('span', { class: 'count' }, `(${list.size})`)),
      items.length ? h('ul', { class: 'record-list' }, ...items) : h('p', { class: 'hint' }, `No ${model.name} yet.`)));
  }
  if (keep) focusRecordButton(keep.model, keep.key, keep.action);
}

// ---- the form ----

function setupForm() {
  const select = $('#form-model');
  select.replaceChildren(...[...state.schema.models.keys()].map((n) => h('option', { value: n }, n)));
  buildFormFor(select.value);
}

function buildFormFor(name) {
  state.editing = null;
  $('#form-model').value = name;
  $('#form-model').disabled = false;
  $('#form-mode').textContent = `New ${name}`;
  $('#save').textContent = `Save new ${name}`;
  $('#cancel-edit').hidden = true;
  buildForm($('#form-fields'), state.schema, state.schema.models.get(name), recordsOf);
}

// New records of a picked model must appear in the pickers.
function refreshFormPickers() {
  const model = state.schema.models.get($('#form-model').value);
  if (model) refreshPickers($('#form-fields'), state.schema, model, recordsOf);
}

function startEdit(modelName, key) {
  const record = recordsOf(modelName).get(key);
  if (!record) return;
  buildFormFor(modelName);
  state.editing = { model: modelName, record };
  fillForm($('#form-fields'), state.schema, state.schema.models.get(modelName), record);
  $('#form-model').disabled = true;
  $('#form-mode').textContent = `Editing ${modelName} ${keyOf(state.schema.models.get(modelName), record)}`;
  $('#save').textContent = 'Save changes';
  $('#cancel-edit').hidden = false;
  $('#form-fields').querySelector('input:not(:disabled), select, textarea')?.focus();
}

async function saveForm() {
  const name = $('#form-model').value;
  const model = state.schema.models.get(name);
  const Model = state.classes[name];
  const { values, relations } = readForm($('#form-fields'), model, recordsOf);
  if (state.editing) {
    const current = recordsOf(name).get(keyOf(model, state.editing.record)) || state.editing.record;
    await state.ds.save(Model.copyOf(current, (draft) => {
      for (const [k, v] of Object.entries(values)) draft[k] = v === undefined ? null : v;
      for (const [k, v] of Object.entries(relations)) draft[k] = v;
    }));
    buildFormFor(name);
  } else {
    const init = { ...values };
    for (const [k, v] of Object.entries(relations)) if (v) init[k] = v;
    await state.ds.save(new Model(init));
    buildFormFor(name);
  }
  $('#form-fields').querySelector('input, select, textarea')?.focus();
}

// ---- delete with a preview ----

async function askDelete(modelName, key) {
  const model = state.schema.models.get(modelName);
  const record = recordsOf(modelName).get(key);
  if (!record) return;
  const preview = await previewDelete(state.schema, state.ds, record);
  state.pending = { model: modelName, record, preview };
  state.marks = new Map();
  const mark = (m, k, kind) => {
    if (!state.marks.has(m)) state.marks.set(m, new Map());
    state.marks.get(m).set(k, kind);
  };
  mark(modelName, key, 'will-delete');
  for (const d of preview.deletes) mark(d.model, d.key, 'will-delete');
  for (const n of preview.nulls) mark(n.model, n.key, 'will-null');
  for (const b of preview.blocks) mark(b.model, b.key, 'blocks');

  const title = titleOf(model, record);
  $('#delete-heading').textContent = `Delete ${modelName} “${title}”?`;
  const body = [];
  if (preview.blocks.length) {
    body.push(h('p', { class: 'verdict blocks' }, `This delete will be refused: ${preview.blocks.length} related record${preview.blocks.length === 1 ? '' : 's'} restrict it (onDelete: restrict). Nothing would change.`));
  }
  body.push(h('p', {}, preview.deletes.length || preview.nulls.length
    ? 'Besides the record itself, the delete reaches:' : 'Nothing else is reached: only this record goes.'));
  body.push(changeList(preview));
  $('#delete-body').replaceChildren(...body);
  $('#delete-actions').hidden = false;
  $('#confirm-delete').hidden = false;
  $('#cancel-delete').textContent = 'Cancel';
  $('#confirm-delete').textContent = preview.blocks.length ? 'Try the delete anyway' : `Delete ${1 + preview.deletes.length} record${preview.deletes.length ? 's' : ''}`;
  $('#delete-panel').hidden = false;
  renderAll();
  $('#delete-panel').focus();
}

function changeItem(kind, badge, entry, detail = '') {
  const model = state.schema.models.get(entry.model);
  return h('li', { class: kind }, h('span', { class: `badge ${kind}` }, badge),
    ` ${entry.model} ${nameOf(model, entry.record)}${detail} `, h('span', { class: 'key' }, entry.key), h('span', { class: 'via' }, ` via ${entry.via}`));
}

function changeList(preview) {
  return h('ul', { class: 'changes', 'data-testid': 'preview' },
    ...preview.deletes.map((d) => changeItem('will-delete', 'delete', d)),
    ...preview.nulls.map((n) => changeItem('will-null', 'set null', n, `: ${n.fields.join(', ')}`)),
    ...preview.blocks.map((b) => changeItem('blocks', 'restricts', b)));
}

function endDelete() {
  state.pending = null;
  state.marks = new Map();
  renderAll();
}

async function confirmDelete() {
  const pending = state.pending;
  if (!pending) return;
  const expected = 1 + pending.preview.deletes.length + pending.preview.nulls.length;
  const seen = [];
  state.collector = seen;
  let error = null;
  try {
    await state.ds.delete(pending.record);
  } catch (e) {
    error = e;
  }
  // Observe messages of a delete may arrive just after it resolves.
  if (!error && seen.length < expected) await new Promise((resolve) => setTimeout(resolve, 0));
  state.collector = null;
  endDelete();
  $('#delete-actions').hidden = true;
  const model = state.schema.models.get(pending.model);
  $('#delete-heading').textContent = error
    ? `Refused: ${pending.model} “${titleOf(model, pending.record)}” is still there`
    : `Deleted ${pending.model} “${titleOf(model, pending.record)}”`;
  if (error) {
    $('#delete-body').replaceChildren(h('p', { class: 'verdict blocks' }, error.message), h('p', {}, 'Nothing was removed or changed: a delete is one transaction.'));
  } else {
    $('#feed').prepend(h('li', { class: 'msg note' }, `↑ ${seen.length} message${seen.length === 1 ? '' : 's'} from one delete of ${pending.model} ${nameOf(model, pending.record)}, in one transaction`));
    const deletes = seen.filter((m) => m.opType === OpType.DELETE);
    const updates = seen.filter((m) => m.opType === OpType.UPDATE);
    const rootKey = keyOf(model, pending.record);
    const previewed = new Set([`DELETE ${pending.model}:${rootKey}`,
      ...pending.preview.deletes.map((d) => `DELETE ${d.model}:${d.key}`),
      ...pending.preview.nulls.map((n) => `UPDATE ${n.model}:${n.key}`)]);
    const happened = new Set(seen.map((m) => `${m.opType} ${m.model}:${m.key}`));
    const same = previewed.size === happened.size && [...previewed].every((k) => happened.has(k));
    $('#delete-body').replaceChildren(
      h('p', { class: 'verdict' }, `It removed ${deletes.length} record${deletes.length === 1 ? '' : 's'}${updates.length ? ` and cleared the key of ${updates.length}` : ''}, in one transaction: ${same ? 'as previewed' : 'not what the preview said'}.`),
      h('ul', { class: 'changes', 'data-testid': 'outcome' }, ...seen.map((m) => h('li', { class: m.opType === OpType.DELETE ? 'will-delete' : 'will-null' },
        h('span', { class: `badge ${m.opType === OpType.DELETE ? 'will-delete' : 'will-null'}` }, m.opType.toLowerCase()), ` ${m.model} ${m.name} `, h('span', { class: 'key' }, m.key)))));
  }
  $('#delete-actions').hidden = false;
  $('#confirm-delete').hidden = true;
  $('#cancel-delete').textContent = 'Close';
  $('#delete-panel').focus();
}

function closeDeletePanel() {
  const pending = state.pending;
  endDelete();
  $('#delete-panel').hidden = true;
  $('#confirm-delete').hidden = false;
  $('#cancel-delete').textContent = 'Cancel';
  const model = pending && state.schema.models.get(pending.model);
  if (!pending || !focusRecordButton(pending.model, keyOf(model, pending.record), 'delete')) $('#records').focus();
}

// ---- the query box ----

function setupQuery() {
  const select = $('#query-model');
  select.replaceChildren(...[...state.schema.models.keys()].map((n) => h('option', { value: n }, n)));
  resetQuery();
}

function resetQuery() {
  const model = state.schema.models.get($('#query-model').value);
  $('#conditions').replaceChildren();
  $('#sort-field').replaceChildren(h('option', { value: '' }, '— none —'), ...queryFields(model).map((f) => h('option', { value: f.name }, f.name)));
  $('#results').replaceChildren();
  $('#explain').hidden = true;
  $('#query-code').hidden = true;
}

let conditionCounter = 0;
function addCondition() {
  const model = state.schema.models.get($('#query-model').value);
  const fields = filterFields(state.schema, model);
  const n = ++conditionCounter;
  const field = h('select', { id: `cond-field-${n}`, class: 'cond-field' }, ...fields.map((f) => h('option', { value: f.name }, f.name)));
  const op = h('select', { id: `cond-op-${n}`, class: 'cond-op' });
  const value = h('input', { id: `cond-value-${n}`, class: 'cond-value', placeholder: 'value' });
  const setOps = () => {
    const f = fields.find((x) => x.name === field.value);
    op.replaceChildren(...operatorsFor(f).map((o) => h('option', { value: o }, o)));
    value.placeholder = f.kind === 'enum' ? state.schema.enums.get(f.type).join(' | ') : f.type;
  };
  field.addEventListener('change', setOps);
  setOps();
  const remove = h('button', { type: 'button', class: 'small secondary', ariaLabel: `Remove condition ${n}` }, 'Remove');
  const row = h('div', { class: 'condition', 'data-testid': 'condition' },
    h('label', { htmlFor: field.id, class: 'visually-hidden' }, 'Field'), field,
    h('label', { htmlFor: op.id, class: 'visually-hidden' }, 'Operator'), op,
    h('label', { htmlFor: value.id, class: 'visually-hidden' }, 'Value'), value, remove);
  remove.addEventListener('click', () => row.remove());
  $('#conditions').append(row);
  field.focus();
}

async function runQuery() {
  const name = $('#query-model').value;
  const model = state.schema.models.get(name);
  const fields = filterFields(state.schema, model);
  const conditions = [...$('#conditions').children].map((row) => {
    const field = fields.find((f) => f.name === $('.cond-field', row).value);
    const op = $('.cond-op', row).value;
    return { field: field.name, op, args: conditionValue(field, op, $('.cond-value', row).value) };
  });
  const q = {
    model: name, combine: $('#query-combine').value, conditions,
    sort: { field: $('#sort-field').value, direction: SortDirection[$('#sort-direction').value] },
    limit: Number($('#query-limit').value) || 0,
  };
  const { criteria, options, code } = buildQuery(q);
  const Model = state.classes[name];
  const [plan, results] = await Promise.all([
    state.ds.explain(Model, criteria, options),
    state.ds.query(Model, criteria ?? Predicates.ALL, options),
  ]);
  $('#query-code').textContent = code;
  $('#query-code').hidden = false;
  $('#explain').replaceChildren(
    h('strong', {}, 'DataStore.explain: '), explainWords(plan, recordsOf(name).size), ' ',
    h('span', { class: 'count' }, `${results.length} result${results.length === 1 ? '' : 's'}.`),
    h('details', { class: 'plan' }, h('summary', {}, 'The plan as returned'), h('pre', { class: 'code' }, JSON.stringify(plan, null, 2))));
  $('#explain').dataset.access = plan.access;
  $('#explain').dataset.index = plan.index || '';
  $('#explain').hidden = false;
  $('#results').replaceChildren(...results.map((rec) => {
    const title = titleOf(model, rec);
    const key = keyOf(model, rec);
    const sortField = q.sort.field && q.sort.field !== 'id' ? h('span', { class: 'rel' }, `${q.sort.field}: ${rec[q.sort.field]}`) : null;
    return h('li', { 'data-testid': 'result' }, h('span', { class: 'record-title' }, title), title !== key ? h('span', { class: 'key' }, key) : null, sortField);
  }));
}

// ---- wiring ----

function wire() {
  let resizePending = false;
  addEventListener('resize', () => {
    if (resizePending || !state.schema) return;
    resizePending = true;
    requestAnimationFrame(() => {
      resizePending = false;
      renderGraphPanel();
    });
  });
  $('#schema-select').replaceChildren(...EXAMPLES.map((e) => h('option', { value: e.id }, e.id)), h('option', { value: 'custom' }, 'your own (pasted)'));
  $('#schema-select').addEventListener('change', (e) => run(async () => {
    if (e.target.value === 'custom') {
      $('#schema-details').open = true;
      $('#schema-text').focus();
      const saved = localStorage.getItem(CUSTOM_KEY);
      if (saved) await chooseCustom(saved);
      else e.target.value = state.choice.id; // nothing pasted yet: paste, then "Use this schema"
      return;
    }
    await chooseExample(e.target.value);
  }));
  $('#use-schema').addEventListener('click', () => run(async () => {
    const text = $('#schema-text').value;
    const example = EXAMPLES.find((x) => x.id === state.choice?.id);
    if (example && text === state.choice.text) return;
    await chooseCustom(text);
  }, '#schema-error'));
  $('#form-model').addEventListener('change', (e) => buildFormFor(e.target.value));
  $('#record-form').addEventListener('submit', (e) => {
    e.preventDefault();
    run(saveForm, '#form-error');
  });
  $('#cancel-edit').addEventListener('click', () => buildFormFor($('#form-model').value));
  $('#record-lists').addEventListener('click', (e) => {
    const button = e.target.closest('button[data-action]');
    if (!button) return;
    const li = button.closest('[data-testid=record]');
    if (button.dataset.action === 'edit') startEdit(li.dataset.model, li.dataset.key);
    if (button.dataset.action === 'delete') run(() => askDelete(li.dataset.model, li.dataset.key));
  });
  $('#confirm-delete').addEventListener('click', () => run(confirmDelete));
  $('#cancel-delete').addEventListener('click', closeDeletePanel);
  $('#delete-panel').addEventListener('keydown', (e) => {
    if (e.key === 'Escape') closeDeletePanel();
  });
  $('#query-model').addEventListener('change', resetQuery);
  $('#add-condition').addEventListener('click', addCondition);
  $('#query-form').addEventListener('submit', (e) => {
    e.preventDefault();
    run(runQuery, '#query-error');
  });
  $('#clear-feed').addEventListener('click', () => $('#feed').replaceChildren());
  $('#clear-db').addEventListener('click', () => run(async () => {
    await state.ds.clear();
    await useSchema(state.choice);
  }));
}

async function start() {
  wire();
  startOfflineSupport();
  const saved = localStorage.getItem(CHOICE_KEY);
  const custom = localStorage.getItem(CUSTOM_KEY);
  if (saved === 'custom' && custom) await chooseCustom(custom);
  else await chooseExample(EXAMPLES.some((e) => e.id === saved) ? saved : EXAMPLES[0].id);
}

run(start).then(() => {
  if (document.body.dataset.ready !== 'true') $('#ready').textContent = 'failed';
});
