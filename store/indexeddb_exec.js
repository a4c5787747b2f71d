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

  function open(name, version, stepsJSON, onClose, onBlocked) {
    return new Promise((resolve, reject) => {
      if (typeof indexedDB === 'undefined') {
        reject({ name: 'NotSupportedError', message: 'globalThis.indexedDB is missing; in Node, import "fake-indexeddb/auto" before datastore-wasm' });
        return;
      }
      const req = version > 0 ? indexedDB.open(name, version) : indexedDB.open(name);
      req.onupgradeneeded = () => {
        const db = req.result;
        const tx = req.transaction;
        for (const s of JSON.parse(stepsJSON || 'null') || []) {
          switch (s.op) {
            case 'createStore': db.createObjectStore(s.store, { keyPath: keyPathOf(s.keyPath) }); break;
            case 'deleteStore': db.deleteObjectStore(s.store); break;
            case 'createIndex': tx.objectStore(s.store).createIndex(s.index, keyPathOf(s.keyPath), { unique: !!s.unique }); break;
            case 'deleteIndex': tx.objectStore(s.store).deleteIndex(s.index); break;
            default: throw new Error('unknown upgrade step ' + s.op);
          }
        }
      };
      req.onblocked = () => onBlocked();
      req.onsuccess = () => {
        const db = req.result;
        watch(db, onClose);
        try {
          resolve({ db, version: db.version, layout: JSON.stringify(readLayout(db)) });
        } catch (err) {
          db.close();
          reject(failure(err));
        }
      };
      req.onerror = () => reject(failure(req.error));
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

  function issue(store, op, results, i) {
    switch (op.op) {
      case 'get': {
        const req = store.get(op.key);
        req.onsuccess = () => { results[i] = req.result === undefined ? null : req.result; };
        return req;
      }
      case 'query': {
        const src = op.index ? store.index(op.index) : store;
        const range = keyRange(op.range);
        // getAll has no direction: a reverse read takes the whole range and
        // cuts it here.
        const max = op.limit > 0 ? op.limit : undefined;
        const req = src.getAll(range, op.reverse ? undefined : max);
        req.onsuccess = () => {
          const recs = op.reverse ? req.result.reverse() : req.result;
          results[i] = op.reverse && max ? recs.slice(0, max) : recs;
        };
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

  return { open, begin, run, abort, deleteDatabase };
})()
