// The IndexedDB executor: the only JavaScript the store runs. Go sends it a
// batch of requests for one transaction as JSON, it issues them all at once
// and answers with one JSON string when the last one has succeeded, so that a
// batch costs one Go→JS call and one JS→Go callback whatever its size.
// Requests of one transaction complete in the order they were issued, so the
// last success means every earlier request has succeeded too.
(() => {
  const keyPathOf = (fields) => (fields.length === 1 ? fields[0] : fields);
  const fieldsOf = (keyPath) => (Array.isArray(keyPath) ? [...keyPath] : [keyPath]);
  const failure = (err) => ({ name: (err && err.name) || 'Error', message: (err && err.message) || String(err) });

  function keyRange(r) {
    if (!r) return undefined;
    if (r.eq !== undefined) return IDBKeyRange.only(r.eq);
    if (r.lower !== undefined && r.upper !== undefined) {
      return IDBKeyRange.bound(r.lower, r.upper, !!r.lowerOpen, !!r.upperOpen);
    }
    if (r.lower !== undefined) return IDBKeyRange.lowerBound(r.lower, !!r.lowerOpen);
    if (r.upper !== undefined) return IDBKeyRange.upperBound(r.upper, !!r.upperOpen);
    return undefined;
  }

  // rekeyStore re-creates a store under a new key path inside the upgrade:
  // its records are read, the store dropped and made again with its
  // indexes, and each record put back through transform (the app's
  // migration). An exception aborts the upgrade, and fail hears why: the
  // old store stays.
  function rekeyStore(db, tx, step, transform, fail) {
    const all = tx.objectStore(step.store).getAll();
    all.onsuccess = () => {
      try {
        db.deleteObjectStore(step.store);
        const os = db.createObjectStore(step.store, { keyPath: keyPathOf(step.keyPath) });
        for (const ix of step.indexes || []) os.createIndex(ix.name, keyPathOf(ix.keyPath), { unique: !!ix.unique });
        for (const r of all.result) {
          const seq = r._seq;
          delete r._seq;
          const next = transform ? transform(r) : r;
          os.put(seq === undefined ? next : { ...next, _seq: seq });
        }
      } catch (err) {
        fail({ name: 'MigrationError', message: 'the migration of ' + step.store + ' failed: ' + (err && err.message) + '; the database was left as it was' });
        tx.abort();
      }
    };
  }

  function readLayout(db) {
    const names = [...db.objectStoreNames];
    if (names.length === 0) return { stores: [] };
    const tx = db.transaction(names, 'readonly');
    return {
      stores: names.map((name) => {
        const os = tx.objectStore(name);
        return {
          name,
          keyPath: os.keyPath === null ? [] : fieldsOf(os.keyPath),
          indexes: [...os.indexNames].map((ix) => {
            const index = os.index(ix);
            return { name: ix, keyPath: fieldsOf(index.keyPath), unique: index.unique };
          }),
        };
      }),
    };
  }

  function watch(db, onClose) {
    // Another connection wants a new version (an upgrade or a delete): let it
    // through instead of blocking it, and tell Go that this handle is gone.
    db.onversionchange = () => { db.close(); onClose('versionchange'); };
    db.onclose = () => onClose('closed by the browser');
  }

  // open opens name (at version, or at its current one when version is 0)
  // and applies stepsJSON in the upgrade. freshJSON are the steps for a
  // database that does not exist yet: it is created with all its stores in
  // the first open, instead of being created empty and upgraded after.
  function open(name, version, stepsJSON, onClose, onBlocked, freshJSON, rekey) {
    return new Promise((resolve, reject) => {
      if (typeof indexedDB === 'undefined') {
        reject({ name: 'NotSupportedError', message: 'globalThis.indexedDB is missing; in Node, import "fake-indexeddb/auto" before datastore-wasm' });
        return;
      }
      const req = version > 0 ? indexedDB.open(name, version) : indexedDB.open(name);
      let oldVersion = -1;
      let migrationError = null;
      req.onupgradeneeded = (ev) => {
        oldVersion = ev.oldVersion;
        const db = req.result;
        const tx = req.transaction;
        const steps = ev.oldVersion === 0 && freshJSON ? freshJSON : stepsJSON;
        for (const s of JSON.parse(steps || 'null') || []) {
          switch (s.op) {
            case 'createStore': db.createObjectStore(s.store, { keyPath: keyPathOf(s.keyPath), autoIncrement: !!s.autoIncrement }); break;
            case 'deleteStore': db.deleteObjectStore(s.store); break;
            case 'createIndex': tx.objectStore(s.store).createIndex(s.index, keyPathOf(s.keyPath), { unique: !!s.unique }); break;
            case 'deleteIndex': tx.objectStore(s.store).deleteIndex(s.index); break;
            case 'rekey': rekeyStore(db, tx, s, rekey && rekey[s.store], (err) => { migrationError = err; }); break;
            default: throw new Error('unknown upgrade step ' + s.op);
          }
        }
      };
      req.onblocked = () => onBlocked();
      req.onsuccess = () => {
        const db = req.result;
        watch(db, onClose);
        try {
          resolve({ db, version: db.version, oldVersion, layout: JSON.stringify(readLayout(db)) });
        } catch (err) {
          db.close();
          reject(failure(err));
        }
      };
      req.onerror = () => reject(migrationError || failure(req.error));
    });
  }

  function begin(db, storesJSON, mode) {
    const tx = db.transaction(JSON.parse(storesJSON), mode);
    const state = { tx, error: null, done: false, waiters: [] };
    const settle = (err) => {
      state.done = true;
      state.error = state.error || err;
      for (const w of state.waiters.splice(0)) w(state.error);
    };
    tx.oncomplete = () => settle(null);
    tx.onabort = () => settle(failure(tx.error || { name: 'AbortError', message: 'the transaction was aborted' }));
    return state;
  }

  // matches evaluates a store.Filter on a record, with JavaScript's own
  // operators: the semantics Amplify's predicates have (SPEC 4.2).
  function matches(f, r) {
    switch (f.group) {
      case 'and': return (f.children || []).every((c) => matches(c, r));
      case 'or': return !f.children || f.children.length === 0 || f.children.some((c) => matches(c, r));
      case 'not': return !matches(f.children[0], r);
    }
    const v = r[f.field] === undefined ? null : r[f.field];
    const x = f.value === undefined ? null : f.value;
    switch (f.op) {
      case 'eq': return v === x;
      case 'ne': return v !== x;
      case 'gt': return v > x;
      case 'ge': return v >= x;
      case 'lt': return v < x;
      case 'le': return v <= x;
      case 'between': return x[0] <= v && v <= x[1];
      case 'beginsWith': return typeof v === 'string' && typeof x === 'string' && v.startsWith(x);
      case 'contains': return contains(v, x);
      case 'notContains': return !contains(v, x);
      case 'in': return x.includes(v);
      case 'notIn': return !x.includes(v);
    }
    return false;
  }

  function contains(v, x) {
    if (typeof v === 'string') return v.indexOf(x) > -1;
    return Array.isArray(v) && v.indexOf(x) > -1;
  }

  // finish applies a query's post-processing: filter, order (stable, with
  // < and >), offset and count, omitted fields.
  function finish(q, recs) {
    if (q.filter) recs = recs.filter((r) => matches(q.filter, r));
    if (q.order && recs.length > 1) {
      const order = q.order;
      recs.sort((a, b) => {
        for (const o of order) {
          const x = a[o.field];
          const y = b[o.field];
          if (x < y) return o.desc ? 1 : -1;
          if (x > y) return o.desc ? -1 : 1;
        }
        return 0;
      });
    }
    if (q.offset > 0 || q.count > 0) {
      const start = q.offset || 0;
      recs = recs.slice(start, q.count > 0 ? start + q.count : undefined);
    }
    if (q.omit) for (const r of recs) for (const f of q.omit) delete r[f];
    return recs;
  }

  // read issues one query; the request's finish() gives its records.
  function read(store, q) {
    const src = q.index ? store.index(q.index) : store;
    if (q.keys) {
      // One lookup per key, in order; the last request's success means all
      // have succeeded. With no keys, a count that finds nothing stands in.
      const reqs = q.keys.map((k) => src.getAll(IDBKeyRange.only(k)));
      const last = reqs.length ? reqs[reqs.length - 1] : src.count(IDBKeyRange.only([]));
      last.finish = () => finish(q, reqs.flatMap((r) => r.result));
      return last;
    }
    // getAll has no direction: a reverse read takes the whole range and
    // cuts it here.
    const max = q.limit > 0 ? q.limit : undefined;
    const req = src.getAll(keyRange(q.range), q.reverse ? undefined : max);
    req.finish = () => {
      let recs = req.result;
      if (q.reverse) {
        recs.reverse();
        if (max) recs = recs.slice(0, max);
      }
      return finish(q, recs);
    };
    return req;
  }

  function issue(store, op, results, i) {
    switch (op.op) {
      case 'get': {
        const req = store.get(op.key);
        req.onsuccess = () => { results[i] = req.result === undefined ? null : req.result; };
        return req;
      }
      case 'query': {
        const req = read(store, op.query);
        req.onsuccess = () => { results[i] = req.finish(); };
        return req;
      }
      case 'put':
        for (const v of op.values) store.put(v);
        return null;
      case 'delete':
        for (const k of op.keys) store.delete(k);
        return null;
    }
    throw new Error('unknown request ' + op.op);
  }

  // run issues a batch and resolves with the JSON of its results when the
  // batch has succeeded, or, with commit, when the transaction is complete.
  function run(state, opsJSON, commit) {
    return new Promise((resolve, reject) => {
      if (state.done) { reject(state.error || { name: 'TransactionInactiveError', message: 'the transaction has finished' }); return; }
      const ops = JSON.parse(opsJSON) || [];
      const results = new Array(ops.length).fill(null);
      const answer = () => resolve(JSON.stringify(results));
      let last = null;
      try {
        for (let i = 0; i < ops.length; i++) {
          const req = issue(state.tx.objectStore(ops[i].store), ops[i], results, i);
          if (req) last = req;
        }
      } catch (err) {
        try { state.tx.abort(); } catch (_) { /* already finished */ }
        reject(failure(err));
        return;
      }
      if (commit) {
        state.waiters.push((err) => (err ? reject(err) : answer()));
        if (state.tx.commit) state.tx.commit();
        return;
      }
      state.waiters.push((err) => { if (err) reject(err); });
      if (!last) { answer(); return; }
      const prev = last.onsuccess;
      last.onsuccess = () => { prev(); answer(); };
    });
  }

  // An Error for JavaScript callers: a closed connection is named as the
  // bridge names store.ErrClosed, so the DataStore can reconnect.
  function asError(err) {
    const e = new Error((err && err.message) || String(err));
    e.name = err && err.name === 'InvalidStateError' ? 'DatabaseClosedError' : (err && err.name) || 'Error';
    return e;
  }

  // readNow runs one query in its own read-only transaction and resolves
  // with the records as JavaScript objects: reads whose records go
  // straight back to JavaScript never cross into Go.
  function readNow(db, queryJSON) {
    return new Promise((resolve, reject) => {
      try {
        const q = typeof queryJSON === 'string' ? JSON.parse(queryJSON) : queryJSON;
        const tx = db.transaction([q.store], 'readonly');
        const req = read(tx.objectStore(q.store), q);
        req.onsuccess = () => resolve(req.finish());
        tx.onabort = () => reject(asError(tx.error || req.error));
      } catch (err) {
        reject(asError(err));
      }
    });
  }

  function deepEqual(a, b) {
    if (a === b) return true;
    if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
    if (Array.isArray(a) !== Array.isArray(b)) return false;
    const ka = Object.keys(a);
    if (ka.length !== Object.keys(b).length) return false;
    return ka.every((k) => Object.prototype.hasOwnProperty.call(b, k) && deepEqual(a[k], b[k]));
  }

  function equalExcept(a, b, ignore) {
    const skip = new Set(ignore || []);
    const ka = Object.keys(a).filter((k) => !skip.has(k));
    const kb = Object.keys(b).filter((k) => !skip.has(k));
    return ka.length === kb.length && ka.every((k) => Object.prototype.hasOwnProperty.call(b, k) && deepEqual(a[k], b[k]));
  }

  function omit(r, fields) {
    if (fields) for (const f of fields) delete r[f];
    return r;
  }

  function failWith(name, message) {
    const e = new Error(message);
    e.name = name;
    return e;
  }

  // faults, for tests: when faults.abortAt is k > 0, the next read-write
  // transaction is aborted as its k-th request is issued (then the setting
  // is spent). faults.requests counts the requests of that transaction.
  const faults = { abortAt: 0, requests: 0, count: false };

  // injectFaults wraps a transaction's object stores and indexes so that
  // each request is counted, and the chosen one aborts instead.
  function injectFaults(tx) {
    const at = faults.abortAt;
    faults.abortAt = 0;
    faults.requests = 0;
    const wrap = (target) => new Proxy(target, {
      get(t, prop) {
        const v = t[prop];
        if (typeof v !== 'function') return v;
        return (...args) => {
          if (prop === 'index') return wrap(v.apply(t, args));
          faults.requests += 1;
          if (at > 0 && faults.requests === at) tx.abort();
          return v.apply(t, args);
        };
      },
    });
    const objectStore = tx.objectStore.bind(tx);
    return new Proxy(tx, {
      get(t, prop) {
        if (prop === 'objectStore') return (name) => wrap(objectStore(name));
        const v = t[prop];
        return typeof v === 'function' ? v.bind(t) : v;
      },
      set(t, prop, value) { t[prop] = value; return true; },
    });
  }

  // transact runs body(tx, fail) in a read-write transaction over stores
  // and resolves with what body returned once the transaction completes;
  // fail(err) aborts it and rejects with err.
  function transact(db, stores, body) {
    return new Promise((resolve, reject) => {
      let failure = null;
      let result;
      let tx;
      try {
        tx = db.transaction([...new Set(stores)], 'readwrite');
      } catch (err) {
        reject(asError(err));
        return;
      }
      const fail = (err) => {
        failure = failure || err;
        try { tx.abort(); } catch (_) { /* already finishing */ }
      };
      tx.oncomplete = () => resolve(result);
      tx.onabort = () => reject(failure || asError(tx.error || { name: 'AbortError', message: 'the transaction was aborted' }));
      try {
        body(faults.abortAt > 0 || faults.count ? injectFaults(tx) : tx, fail, (r) => { result = r; });
      } catch (err) {
        fail(asError(err));
      }
    });
  }

  // keyOf reads a record's key at a store's key path.
  function keyOf(store, rec) {
    const kp = store.keyPath;
    return Array.isArray(kp) ? kp.map((f) => rec[f]) : rec[kp];
  }

  // save carries out a store.SavePlan (see plan_run.go, runSave), given
  // the record itself when the caller has it as an object.
  //
  // Any read in a read-write transaction costs about as much as the write
  // (measured in Chromium: put 0.24 ms, get and put 0.49 ms), so a save
  // reads only what it must. With fresh (a record new to the caller) it
  // adds the record: no read at all when no record has its key, and only
  // when the add fails does it read the stored record and correct the
  // write. Otherwise it puts the record in the same batch as the read of
  // the stored record and corrects it in the read's callback (kept fields,
  // or the stored record put back when nothing changed). Either way a
  // failed check aborts the transaction before it can commit.
  function save(db, planJSON, record, fresh) {
    const p = typeof planJSON === 'string' ? JSON.parse(planJSON) : planJSON;
    return transact(db, saveScope(p), (tx, fail, done) => saveStep(tx, p, record, fresh, fail, done));
  }

  function saveScope(p) {
    return [p.store, ...(p.require || []).map((r) => r.query.store), ...(p.outbox ? [p.outbox] : [])];
  }

  // appendOutbox adds one mutation to the plan's outbox store (see
  // plan_run.go, appendOutbox).
  function appendOutbox(tx, outbox, store, opType, record) {
    if (outbox) tx.objectStore(outbox).add({ model: store, opType, element: { ...record }, time: Date.now() });
  }

  // requirement issues the read of a save's requirement; its found() says
  // how many records it found. A plain key or index lookup only counts
  // (no record is copied out).
  function requirement(tx, q) {
    const store = tx.objectStore(q.store);
    if (q.range && q.range.eq !== undefined && !q.filter) {
      const req = (q.index ? store.index(q.index) : store).count(IDBKeyRange.only(q.range.eq));
      req.found = () => req.result;
      return req;
    }
    const req = read(store, q);
    req.found = () => req.finish().length;
    return req;
  }

  // saveStep is one save inside a transaction; done(outcome) once its
  // writes are decided.
  function saveStep(tx, p, record, fresh, fail, settled) {
    const require = p.require || [];
    const rec = { ...(record || p.record), ...p.set };
    for (const k of Object.keys(rec)) if (rec[k] === undefined) delete rec[k];
    // entry: the outbox entry written ahead with the add (fresh path), to
    // be corrected when the add finds the key taken.
    let entry = null;
    const done = (out) => {
      if (!entry) {
        if (out.op) appendOutbox(tx, p.outbox, p.store, out.op, out.record);
      } else if (out.op !== 'INSERT') {
        const ob = tx.objectStore(p.outbox);
        const fix = () => (out.op ? ob.put({ ...entry.value, order: entry.req.result, opType: out.op, element: { ...out.record } }) : ob.delete(entry.req.result));
        if (entry.req.readyState === 'done') fix(); else entry.req.onsuccess = fix;
      }
      settled(out);
    };
    {
      const store = tx.objectStore(p.store);
      const key = keyOf(store, rec);
      let reqs = [];
      const requirementsHold = () => {
        for (let i = 0; i < reqs.length; i++) {
          if (reqs[i].found() === 0) { fail(failWith('IntegrityError', require[i].message)); return false; }
        }
        return true;
      };
      const update = (existing) => {
        if (!existing) { done({ op: 'INSERT', record: omit({ ...rec }, p.omit) }); return; }
        if (p.condition && !matches(p.condition, existing)) {
          fail(failWith('ConditionError', p.conditionMessage));
          return;
        }
        for (const f of p.keep || []) if (f in existing) rec[f] = existing[f];
        if (equalExcept(rec, existing, p.ignore)) {
          store.put(existing);
          done({ op: '', record: omit(existing, p.omit) });
          return;
        }
        store.put(rec);
        done({ op: 'UPDATE', record: omit({ ...rec }, p.omit) });
      };
      if (fresh) {
        reqs = require.map((r) => requirement(tx, r.query));
        const add = store.add(rec);
        if (p.outbox) {
          // Written with the record, not after it: no extra round trip.
          const value = { model: p.store, opType: 'INSERT', element: omit({ ...rec }, p.omit), time: Date.now() };
          entry = { value, req: tx.objectStore(p.outbox).add(value) };
        }
        add.onsuccess = () => { if (requirementsHold()) done({ op: 'INSERT', record: omit({ ...rec }, p.omit) }); };
        add.onerror = (ev) => {
          if (!add.error || add.error.name !== 'ConstraintError') return; // the transaction aborts
          ev.preventDefault(); // a record has the key: read it, then update
          ev.stopPropagation();
          if (!requirementsHold()) return;
          const got = store.get(key);
          got.onsuccess = () => update(got.result);
        };
        return;
      }
      const existingReq = store.get(key);
      reqs = require.map((r) => requirement(tx, r.query));
      store.put(rec);
      const last = reqs.length ? reqs[reqs.length - 1] : existingReq;
      last.onsuccess = () => { if (requirementsHold()) update(existingReq.result); };
    }
  }

  // remove carries out a store.DeletePlan (see plan_run.go, runDelete): the
  // roots, then one batch of edge reads per level, then the deletes,
  // deepest level first; it resolves with {removed, roots} at commit.
  function remove(db, planJSON) {
    const p = typeof planJSON === 'string' ? JSON.parse(planJSON) : planJSON;
    return transact(db, p.scope, (tx, fail, done) => removeStep(tx, p, fail, done));
  }

  // removeStep is one delete inside a transaction; done(outcome) once its
  // writes are issued.
  function removeStep(tx, p, fail, done) {
    const edges = p.edges || {};
    {
      const seen = new Set();
      const mark = (storeName, rec) => {
        const id = storeName + '\u0000' + JSON.stringify(keyOf(tx.objectStore(storeName), rec));
        if (seen.has(id)) return false;
        seen.add(id);
        return true;
      };
      const levels = [];
      const nulled = new Map(); // id -> {store, record}: keys set to null
      const finishWalk = () => {
        const removed = [];
        for (let i = levels.length - 1; i >= 0; i--) {
          for (const f of levels[i]) {
            const store = tx.objectStore(f.store);
            store.delete(keyOf(store, f.record));
            removed.push({ store: f.store, record: omit(f.record, p.omit) });
            appendOutbox(tx, p.outbox, f.store, 'DELETE', f.record);
          }
        }
        const updated = [];
        for (const [id, f] of nulled) {
          if (seen.has(id)) continue; // deleted as well: the delete wins
          tx.objectStore(f.store).put(f.record);
          updated.push({ store: f.store, record: omit({ ...f.record }, p.omit) });
          appendOutbox(tx, p.outbox, f.store, 'UPDATE', updated[updated.length - 1].record);
        }
        done({ removed, roots: levels.length ? levels[0].length : 0, updated });
      };
      const walk = (level) => {
        if (level.length === 0) { finishWalk(); return; }
        levels.push(level);
        const reqs = [];
        for (const f of level) {
          for (const e of edges[f.store] || []) {
            const q = edgeQuery(e, f.record);
            if (q) reqs.push([e, read(tx.objectStore(q.store), q)]);
          }
        }
        if (reqs.length === 0) { finishWalk(); return; }
        reqs[reqs.length - 1][1].onsuccess = () => {
          const next = [];
          for (const [e, req] of reqs) {
            const recs = req.finish();
            if (e.action === 'restrict') {
              if (recs.length > 0) { fail(failWith('RestrictError', restrictMessage(tx, e, recs))); return; }
            } else if (e.action === 'setNull') {
              for (const r of recs) {
                const id = e.store + '\u0000' + JSON.stringify(keyOf(tx.objectStore(e.store), r));
                const kept = nulled.get(id) || { store: e.store, record: r };
                for (const f of e.to) kept.record[f] = null;
                nulled.set(id, kept);
              }
            } else {
              for (const r of recs) if (mark(e.store, r)) next.push({ store: e.store, record: r });
            }
          }
          walk(next);
        };
      };
      const rootReq = read(tx.objectStore(p.roots.store), p.roots);
      rootReq.onsuccess = () => {
        const roots = rootReq.finish();
        if (p.condition && roots.length > 0 && !matches(p.condition, roots[0])) {
          fail(failWith('ConditionError', p.conditionMessage));
          return;
        }
        walk(roots.filter((r) => mark(p.roots.store, r)).map((r) => ({ store: p.roots.store, record: r })));
      };
    }
  }

  // batch carries out a store.BatchPlan (see plan_run.go, runBatch): the
  // steps in order in one transaction, each started when the one before is
  // done, or, with eager, all at once. records and fresh give each save
  // step's record object and freshness.
  function batch(db, planJSON, records, fresh) {
    const p = typeof planJSON === 'string' ? JSON.parse(planJSON) : planJSON;
    return transact(db, p.scope, (tx, fail, done) => {
      const steps = p.steps;
      const outcomes = new Array(steps.length);
      const run = (i, next) => {
        const s = steps[i];
        const settle = (out) => { outcomes[i] = out; next(); };
        if (s.save) saveStep(tx, s.save, records && records[i], fresh && fresh[i], fail, settle);
        else removeStep(tx, s.delete, fail, settle);
      };
      if (steps.length === 0) { done({ steps: [] }); return; }
      if (p.eager) {
        let pending = steps.length;
        for (let i = 0; i < steps.length; i++) run(i, () => { if (--pending === 0) done({ steps: outcomes }); });
        return;
      }
      const chain = (i) => (i === steps.length ? done({ steps: outcomes }) : run(i, () => chain(i + 1)));
      chain(0);
    });
  }

  // restrictMessage names the records that block a restricted delete (see
  // plan_run.go, restrictMessage).
  function restrictMessage(tx, e, recs) {
    const store = tx.objectStore(e.store);
    const names = recs.slice(0, 3).map((r) => `${e.store} ${JSON.stringify(keyOf(store, r))}`);
    if (recs.length > 3) names.push(`and ${recs.length - 3} more`);
    return `${e.message} (${names.join(', ')})`;
  }

  // edgeQuery is the read that follows a store.Edge from a record, or null
  // when a From field is unset (see plan.go, edgeQuery).
  function edgeQuery(e, rec) {
    const values = [];
    for (const f of e.from) {
      const v = rec[f];
      if (v === null || v === undefined || typeof v === 'boolean' || (typeof v === 'object' && !Array.isArray(v))) return null;
      values.push(v);
    }
    const q = { store: e.store, index: e.index, order: e.order };
    if (e.key || e.index) q.range = { eq: values.length === 1 ? values[0] : values };
    else q.filter = { group: 'and', children: e.to.map((f, i) => ({ field: f, op: 'eq', value: values[i] })) };
    return q;
  }

  // readTree runs a store.TreePlan (see plan.go) in one read-only
  // transaction: the roots, then each level of includes in one batch, each
  // record carrying what it includes under "@included". It resolves with
  // the roots as JavaScript objects.
  function readTree(db, planJSON) {
    return new Promise((resolve, reject) => {
      try {
        const p = JSON.parse(planJSON);
        const tx = db.transaction(p.scope, 'readonly');
        tx.onabort = () => reject(asError(tx.error));
        const level = (pairs) => {
          // pairs: [record, specs]: issue every lookup of this level at once.
          const pending = [];
          for (const [rec, specs] of pairs) {
            const inc = rec['@included'] || (rec['@included'] = {});
            for (const spec of specs) {
              inc[spec.field] = spec.many ? [] : null;
              const q = edgeQuery(spec, rec);
              if (q) {
                q.omit = spec.omit;
                pending.push([inc, spec, read(tx.objectStore(q.store), q)]);
              }
            }
          }
          if (pending.length === 0) { resolve(roots); return; }
          pending[pending.length - 1][2].onsuccess = () => {
            const next = [];
            for (const [inc, spec, req] of pending) {
              const found = req.finish();
              inc[spec.field] = spec.many ? found : (found[0] || null);
              if (spec.include && spec.include.length) for (const r of found) next.push([r, spec.include]);
            }
            if (next.length) level(next); else resolve(roots);
          };
        };
        let roots = [];
        const rootReq = read(tx.objectStore(p.roots.store), p.roots);
        // With the root's key known (p.rootKey), the first-level lookups
        // that join on it go out with the root read instead of after it
        // (requests complete in order: the last one's success is all's).
        const early = [];
        const later = [];
        for (const spec of p.include || []) {
          const q = p.rootKey && spec.from.every((f) => f in p.rootKey) ? edgeQuery(spec, p.rootKey) : null;
          if (q) {
            q.omit = spec.omit;
            early.push([spec, read(tx.objectStore(q.store), q)]);
          } else {
            later.push(spec);
          }
        }
        const last = early.length ? early[early.length - 1][1] : rootReq;
        last.onsuccess = () => {
          roots = rootReq.finish();
          const next = [];
          for (const r of roots) {
            const inc = r['@included'] || (r['@included'] = {});
            for (const [spec, req] of early) {
              const found = req.finish();
              inc[spec.field] = spec.many ? found : (found[0] || null);
              if (spec.include && spec.include.length) for (const f of found) next.push([f, spec.include]);
            }
            if (later.length) next.push([r, later]);
          }
          if (next.length) level(next); else resolve(roots);
        };
      } catch (err) {
        reject(asError(err));
      }
    });
  }

  function abort(state) {
    if (!state.done) { try { state.tx.abort(); } catch (_) { /* finished meanwhile */ } }
  }

  function deleteDatabase(name, onBlocked) {
    return new Promise((resolve, reject) => {
      const req = indexedDB.deleteDatabase(name);
      req.onblocked = () => onBlocked();
      req.onsuccess = () => resolve();
      req.onerror = () => reject(failure(req.error));
    });
  }

  return { open, begin, run, abort, readNow, readTree, save, remove, batch, deleteDatabase, faults };
})()
