// Calls of a save's path (construct, copyOf, save, batch) through the
// engine's WebAssembly exports (wasm/direct.go) instead of its js.FuncOf
// functions: the strings go through Go's memory (TextEncoder.encodeInto
// in, TextDecoder out), with no ArrayBuffer made per string and no Go
// scheduler round trip. Go answers with text; an error comes back as
// {name, message} and is thrown here.
import { engine, callDirect } from './wasm.js';

const encoder = new TextEncoder();
const decoder = new TextDecoder();
let bytes = null; // a view of the wasm memory, made again when it grows

function memory(ex) {
  if (!bytes || bytes.buffer !== ex.mem.buffer) bytes = new Uint8Array(ex.mem.buffer);
  return bytes;
}

/**
 * Calls export name with the integers ints, then the byte length of each
 * of texts (-1 for null), the texts themselves in the input buffer; returns
 * the text of the answer.
 */
export function callExport(name, ints, texts) {
  const ex = engine && engine.wasm;
  if (!ex) return null;
  let size = 0;
  for (const t of texts) if (t !== null) size += t.length * 3;
  let at = ex.dsIn(size);
  const end = at + size;
  const mem = memory(ex);
  const lens = [];
  for (const t of texts) {
    if (t === null) { lens.push(-1); continue; }
    const written = put(mem, at, end, t);
    lens.push(written);
    at += written;
  }
  const n = ex[name](...ints, ...lens);
  const out = ex.dsOut();
  const len = n < 0 ? -1 - n : n;
  const text = read(memory(ex), out, len);
  if (n < 0) {
    const e = JSON.parse(text);
    const err = new Error(e.message);
    err.name = e.name;
    throw err;
  }
  return text;
}

// codes holds the bytes of a short answer, for String.fromCharCode.
const codes = [];

/**
 * The UTF-8 text of len bytes of mem from at. A short ASCII text (a
 * constructor's ticket and id) is read by hand: TextDecoder costs 240 ns
 * a call whatever the length, against 90 for 41 bytes this way (Chromium).
 */
function read(mem, at, len) {
  if (len > 64) return decoder.decode(mem.subarray(at, at + len));
  for (let i = 0; i < len; i++) {
    const c = mem[at + i];
    if (c >= 0x80) return decoder.decode(mem.subarray(at, at + len));
    codes[i] = c;
  }
  codes.length = len;
  return String.fromCharCode.apply(null, codes);
}

// SHORT is the longest text put() copies by hand.
const SHORT = 1024;

/**
 * Writes text t into mem from at (end: the end of the room reserved),
 * UTF-8; returns the bytes written. A short text's ASCII is copied by
 * hand: encodeInto and the view it writes into cost five times the copy
 * for a constructor's record (measured in Chromium: 0.93 µs against 0.18
 * for 150 characters).
 */
function put(mem, at, end, t) {
  const n = t.length;
  if (n > SHORT) return encoder.encodeInto(t, mem.subarray(at, end)).written;
  let i = 0;
  for (; i < n; i++) {
    const c = t.charCodeAt(i);
    if (c >= 0x80) break;
    mem[at + i] = c;
  }
  if (i === n) return n;
  return i + encoder.encodeInto(t.slice(i), mem.subarray(at + i, end)).written;
}

/**
 * A new record of model (by index), from init's JSON: its ticket, then its
 * JSON or, when plain (init's values are what JSON writes as they are), '+'
 * and what it adds to them (wasm/bridge.go, appendConstruct).
 */
export function construct(schema, model, init, plain) {
  const out = callExport('dsConstruct', [schema, model, plain ? 1 : 0], [init]);
  return out === null ? callDirect('construct', schema, model, init, plain) : out;
}

/**
 * A copyOf draft's record (source: the instance, ticket: of the record Go
 * keeps for it, or 0): its ticket, then its JSON.
 */
export function copyOfRecord(schema, model, ticket, source, draft) {
  return byTicket(ticket, (t) => {
    const text = t ? null : JSON.stringify(source);
    const out = callExport('dsCopyOf', [schema, model, t], [text, draft]);
    return out === null ? callDirect('copyOf', schema, model, t, text, draft) : out;
  });
}

// carry hands Go's answer "<id>\n<step>" to the executor.
function carry(direct, answer, inputs) {
  const nl = answer.indexOf('\n');
  return direct.exec.write(direct.db, answer.slice(nl + 1), inputs, Number(answer.slice(0, nl)));
}

/**
 * call(ticket), or, when Go no longer keeps the record of ticket (its
 * StaleTicketError), call(0): the call then sends the record's JSON.
 */
function byTicket(ticket, call) {
  try {
    return call(ticket);
  } catch (err) {
    if (ticket && err && err.name === 'StaleTicketError') return call(0);
    throw err;
  }
}

/**
 * Saves a record (the object stored, an instance, and the ticket of the
 * record Go keeps for it, or 0 for none, when its JSON is sent): Go plans,
 * the executor carries the plan; resolves with {op, record}. direct is the
 * DataStore's {db, exec}.
 */
export function saveRecord(direct, handle, model, ticket, options, record, fresh) {
  const ex = engine && engine.wasm;
  return byTicket(ticket, (t) => {
    const text = t ? null : JSON.stringify(record);
    if (!ex || !direct) return callDirect('save', handle, model, t, text, options, record, fresh);
    return carry(direct, callExport('dsSave', [handle, model, 1, fresh ? 1 : 0, t], [text, options]), record);
  });
}

/**
 * Runs a batch in one transaction; resolves with {steps}. ops are {save:
 * model name, ticket: of the record Go keeps (0: none, its JSON is sent),
 * condition: its JSON} or {json: a delete's JSON}; records and fresh give
 * each save's record object (an instance) and freshness by operation.
 */
export function batchRecords(direct, handle, ops, records, fresh) {
  // 1: the saves go by their tickets; 0 (one was stale): by their JSON.
  return byTicket(1, (t) => batchOnce(direct, handle, ops, records, fresh, t !== 0));
}

// batchOnce is batchRecords sending the saves' tickets when withTickets,
// else every record's JSON.
function batchOnce(direct, handle, ops, records, fresh, withTickets) {
  const ex = engine && engine.wasm;
  const ticket = (op) => (withTickets ? op.ticket : 0);
  if (!ex || !direct) {
    const plans = ops.map((op, i) => {
      if (op.json) return op.json;
      const record = ticket(op) ? `"ticket":${op.ticket}` : `"record":${JSON.stringify(records[i])}`;
      return `{"save":${JSON.stringify(op.save)},${record},"condition":${op.condition}}`;
    });
    return callDirect('batch', handle, `[${plans.join(',')}]`, records, fresh);
  }
  // The records go apart: a ticket a save, and the JSON of those without
  // one, one per line. A save without a condition goes as its model's
  // name alone (Go parses a string, not an object, per record).
  const plans = [];
  let tickets = '';
  const texts = [];
  for (let i = 0; i < ops.length; i++) {
    const op = ops[i];
    if (op.json) { plans.push(op.json); continue; }
    plans.push(op.condition === 'null' ? JSON.stringify(op.save) : `{"save":${JSON.stringify(op.save)},"condition":${op.condition}}`);
    const t = ticket(op);
    tickets += tickets === '' ? `${t}` : `,${t}`;
    if (!t) texts.push(JSON.stringify(records[i]));
  }
  let marks = ''; // fresh may have holes (the deletes)
  for (let i = 0; i < fresh.length; i++) marks += fresh[i] ? '1' : '0';
  return carry(direct, callExport('dsBatch', [handle], [`[${plans.join(',')}]`, tickets, texts.join('\n'), marks]), records);
}

/**
 * Reads what a query selects (keyJSON, pathsJSON: null for none; paths
 * make it an include), planned by Go and read by the store's executor, no
 * call into Go's scheduler: resolves with the records. Returns null when
 * Go must read itself (the caller then calls the bridge's query).
 */
export function readQuery(direct, handle, model, keyJSON, optionsJSON, pathsJSON) {
  const ex = engine && engine.wasm;
  if (!ex || !direct) return null;
  const plan = queryPlan(direct, handle, `${model}\n${keyJSON}\n${optionsJSON}\n${pathsJSON}`, model, keyJSON, optionsJSON, pathsJSON);
  if (plan === null) return null; // Go reads
  return plan.tree ? direct.exec.readTree(direct.db, plan.read) : direct.exec.readNow(direct.db, plan.read);
}

/**
 * Go's plan of a query, parsed: {tree, read} (a read tree, or the
 * executor's query), or null when Go must read. Plans are kept by id (the
 * query's text) for the last KEPT_PLANS queries: a plan depends on the
 * query and the schema only, and direct is made anew at each open, so a
 * query asked again (a list rendered again, observeQuery after a change)
 * is not planned again. The engine must be loaded.
 */
export function queryPlan(direct, handle, id, model, keyJSON, optionsJSON, pathsJSON) {
  const plans = direct.plans || (direct.plans = new Map());
  let plan = plans.get(id);
  if (plan === undefined) {
    const out = callExport('dsQuery', [handle, model], [keyJSON, optionsJSON, pathsJSON]);
    plan = out[0] === 'R' || out[0] === 'T' ? { tree: out[0] === 'T', read: JSON.parse(out.slice(1)) } : null;
    if (plans.size >= KEPT_PLANS) plans.delete(plans.keys().next().value);
    plans.set(id, plan);
  }
  return plan;
}

// KEPT_PLANS is how many query plans queryPlan keeps (the oldest goes).
const KEPT_PLANS = 128;
