// The IndexedDB executor: the only JavaScript the store runs. Go sends it a
// batch of requests for one transaction as JSON, it issues them all at once
// and answers with one JSON string when the last one has succeeded, so that a
// batch costs one Go→JS call and one JS→Go callback whatever its size.
// Requests of one transaction complete in the order they were issued, so the
// last success means every earlier request has succeeded too. Writes come
// as a Go writer's steps (write): the executor carries their requests and
// takes no decision of its own.
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

  // readLayout reads the stores and indexes db has, in a transaction over
  // all its stores, which it returns too (null without stores).
  function readLayout(db) {
    const names = [...db.objectStoreNames];
    if (names.length === 0) return [{ stores: [] }, null];
    const tx = db.transaction(names, 'readonly');
    return [{
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
    }, tx];
  }

  function watch(db, onClose) {
    // Another connection wants a new version (an upgrade or a delete): let it
    // through instead of blocking it, and tell Go that this handle is gone.
    db.onversionchange = () => { unsolo(db); db.close(); onClose('versionchange'); };
    db.onclose = () => { unsolo(db); onClose('closed by the browser'); };
  }

  // Solo: a connection that holds its database's exclusive Web Lock is
  // alone with it, in this sense: no other connection runs a write that
  // may delete records (Go marks them: a step's solo, and every Write of
  // the store's own) without taking the lock from it first. Go's saves
  // skip reading a record they require when the connection knows it
  // exists (store/presence.go); the lock is what keeps that knowledge
  // true. Every connection asks for the lock and holds it until another
  // asks for it over the database's BroadcastChannel; the holder then tells
  // Go (onSolo(false): its knowledge goes), lets the writes it started
  // settle, releases the lock and asks for it again. Without Web Locks no
  // connection is ever solo, and no write waits.
  const solos = new WeakMap(); // db → its solo state

  function solo(db, name, onSolo) {
    const locks = typeof navigator !== 'undefined' && navigator.locks;
    // Node (an IndexedDB polyfill, one process) is left out: a held lock
    // and an open channel would keep its event loop from ending.
    const node = typeof process !== 'undefined' && !!(process.versions && process.versions.node);
    if (!locks || node || typeof BroadcastChannel === 'undefined') return false;
    const s = {
      lock: `datastore-wasm-solo:${name}`,
      channel: new BroadcastChannel(`datastore-wasm-solo:${name}`),
      me: `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`,
      held: false,
      giving: false, // handing the lock over: waiting for writes to settle
      closed: false,
      release: null, // ends the held lock's callback
      holding: null, // the request that holds it
      asking: null, // aborts the request waiting for it
      stealTimer: 0,
      queue: [], // writes waiting for the lock: each starts when it is held
      asked: new Set(), // other connections waiting for the lock, unserved
      flights: new Set(), // the writes started, until they settle
      onSolo,
    };
    s.channel.onmessage = (ev) => {
      const m = ev.data || {};
      if (faults.soloDeaf) return; // for tests: a holder that never answers
      if (m.want) {
        s.asked.add(m.want);
        giveUp(s);
      } else if (m.served) {
        s.asked.delete(m.served);
      }
    };
    solos.set(db, s);
    askLock(s);
    return true;
  }

  function askLock(s) {
    if (s.closed) return;
    const asking = new AbortController();
    s.asking = asking;
    grantLock(s, { signal: asking.signal });
  }

  // grantLock requests the lock with options and holds it once granted.
  // Its promise rejects when the request is aborted (stealLock) or when
  // the lock, held, is stolen: the connection then knows nothing any more
  // and asks again.
  function grantLock(s, options) {
    const token = {};
    navigator.locks.request(s.lock, { mode: 'exclusive', ...options }, () => {
      if (s.closed) return undefined;
      clearTimeout(s.stealTimer);
      s.stealTimer = 0;
      s.asking = null;
      s.held = true;
      s.holding = token;
      s.channel.postMessage({ served: s.me });
      s.onSolo(true);
      const hold = new Promise((resolve) => { s.release = resolve; });
      for (const start of s.queue.splice(0)) start();
      giveUp(s); // when another is waiting already
      return hold;
    }).catch(() => {
      if (s.holding !== token || s.closed) return; // an aborted request
      s.holding = null;
      s.held = false;
      s.giving = false;
      s.release = null;
      s.onSolo(false);
      askLock(s);
    });
  }

  // SOLO_WAIT_MS is how long a write waits for the holder to hand the
  // lock over before it takes it (a holder that cannot answer: a page
  // suspended in the background). The holder hears that it lost the lock
  // and forgets; a save it plans before hearing it could skip a check
  // (docs/design.md), which a hand-over never allows.
  const SOLO_WAIT_MS = 3000;

  function stealLock(s) {
    s.stealTimer = 0;
    if (s.held || s.closed || s.queue.length === 0) return;
    if (s.asking) s.asking.abort();
    s.asking = null;
    grantLock(s, { steal: true });
  }

  // giveUp hands the lock to a connection that asked for it, once the
  // writes started with it have settled.
  function giveUp(s) {
    if (!s.held || s.giving || s.asked.size === 0) return;
    s.giving = true;
    // Someone who asked may have been served, or be gone: hand over only
    // while a request for the lock waits.
    navigator.locks.query().then((q) => (q.pending || []).some((l) => l.name === s.lock), () => true).then((waited) => {
      if (!waited) {
        s.asked.clear();
        s.giving = false;
        return undefined;
      }
      if (!s.held) return undefined;
      s.onSolo(false);
      return Promise.allSettled([...s.flights]).then(handOver);
    });
    const handOver = () => {
      s.holding = null;
      s.held = false;
      s.giving = false;
      const release = s.release;
      s.release = null;
      if (release) release();
      askLock(s);
    };
  }

  // unsolo ends a connection's part: it releases the lock (its writes
  // end with the connection) and starts what waits, to fail on it.
  function unsolo(db) {
    const s = solos.get(db);
    if (!s || s.closed) return;
    s.closed = true;
    solos.delete(db);
    s.channel.close();
    clearTimeout(s.stealTimer);
    if (s.asking) s.asking.abort();
    s.held = false;
    if (s.release) s.release();
    s.release = null;
    for (const start of s.queue.splice(0)) start();
  }

  // whenSolo calls start (which starts a write and returns its promise,
  // or a state) at once when the connection may run a write that deletes,
  // else once it holds the lock, asking the holder for it; it keeps the
  // write as started with the lock.
  function whenSolo(db, start) {
    const s = solos.get(db);
    // A begin's state is kept by its settled promise.
    const track = (out) => {
      const p = out && out.settled ? out.settled : out;
      if (s && p && typeof p.then === 'function') fly(s, p);
      return out;
    };
    if (!s || s.held || s.closed) return track(start());
    return new Promise((resolve, reject) => {
      s.queue.push(() => {
        try { resolve(track(start())); } catch (err) { reject(asError(err)); }
      });
      s.channel.postMessage({ want: s.me });
      if (!s.stealTimer) s.stealTimer = setTimeout(() => stealLock(s), faults.soloWait || SOLO_WAIT_MS);
    });
  }

  // held answers true when the connection holds its lock (or has none to
  // hold), else a Promise of true once it does (for tests).
  function held(db) {
    return whenSolo(db, () => true);
  }

  // tracked keeps a write started without the lock's need in the flights
  // of its connection, so that a hand-over waits for it.
  function tracked(db, p) {
    const s = solos.get(db);
    if (s && s.held) fly(s, p);
    return p;
  }

  // fly keeps p among s's writes started with the lock until it settles.
  function fly(s, p) {
    s.flights.add(p);
    const end = () => s.flights.delete(p);
    p.then(end, end);
  }

  // open opens name (at version, or at its current one when version is 0)
  // and applies stepsJSON in the upgrade. freshJSON are the steps for a
  // database that does not exist yet: it is created with all its stores in
  // the first open, instead of being created empty and upgraded after. It
  // is a string, or a pending open (preopen), whose fresh steps are read
  // when the upgrade starts.
  // peek ({store, key}, or null) is a record read with the layout, in its
  // transaction: the open resolves with it too, as JSON ("null" when the
  // store lacks it; no peek when the database lacks the store).
  function open(name, version, stepsJSON, onClose, onBlocked, freshJSON, rekey, peek) {
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
        const pending = freshJSON !== null && typeof freshJSON === 'object' ? freshJSON : null;
        const fresh = pending ? pending.fresh : freshJSON;
        if (pending && ev.oldVersion === 0 && !fresh) {
          // Nothing said what the new database holds (its schema failed or
          // was never given): create nothing. The open fails; open again.
          req.transaction.abort();
          return;
        }
        const steps = ev.oldVersion === 0 && fresh ? fresh : stepsJSON;
        for (const s of JSON.parse(steps || 'null') || []) {
          switch (s.op) {
            case 'createStore': db.createObjectStore(s.store, { keyPath: keyPathOf(s.keyPath), autoIncrement: !!s.autoIncrement }); break;
            case 'deleteStore': db.deleteObjectStore(s.store); break;
            case 'createIndex': tx.objectStore(s.store).createIndex(s.index, keyPathOf(s.keyPath), { unique: !!s.unique }); break;
            case 'deleteIndex': tx.objectStore(s.store).deleteIndex(s.index); break;
            case 'rekey': rekeyStore(db, tx, s, rekey && rekey[s.store], (err) => { migrationError = err; }); break;
            case 'put': tx.objectStore(s.store).put(s.value); break;
            default: throw new Error('unknown upgrade step ' + s.op);
          }
        }
      };
      req.onblocked = () => onBlocked();
      req.onsuccess = () => {
        const db = req.result;
        if (typeof performance !== 'undefined' && performance.mark) performance.mark('datastore:idb-open');
        watch(db, onClose);
        try {
          const [layout, tx] = readLayout(db);
          const opened = { db, version: db.version, oldVersion, layout: JSON.stringify(layout) };
          if (!peek || !db.objectStoreNames.contains(peek.store)) {
            resolve(opened);
            return;
          }
          const get = tx.objectStore(peek.store).get(peek.key);
          get.onsuccess = () => {
            opened.peek = JSON.stringify(get.result === undefined ? null : get.result);
            resolve(opened);
          };
          get.onerror = () => resolve(opened); // the caller reads it itself
        } catch (err) {
          db.close();
          reject(failure(err));
        }
      };
      req.onerror = () => reject(migrationError || failure(req.error));
    });
  }

  // preopen starts opening name at the version it has, before Go knows
  // the layout it wants (store.Preopen), so that IndexedDB opens it while
  // Go parses the schema. A database it creates gets the steps Go sets in
  // pending.fresh once the schema is parsed (before any event of the
  // request can be handled: both happen in the same task). claim hands
  // the connection to the open that takes it over.
  function preopen(name, peek) {
    const pending = { fresh: null, claimed: false, closed: '', onClose: null };
    const onClose = (reason) => {
      if (pending.onClose) pending.onClose(reason);
      else pending.closed = reason;
    };
    pending.promise = open(name, 0, null, onClose, () => {}, pending, null, peek);
    pending.promise.catch(() => {}); // claimed later (claim sees the failure), or never
    return pending;
  }

  // claim resolves with what open resolves with, the connection's close
  // events going to onClose from now on, or with null when the pending
  // open cannot be used (it failed, was closed meanwhile by another
  // connection's upgrade or delete, or was claimed already): the caller
  // then opens the database itself.
  function claim(pending, onClose) {
    if (!pending || pending.claimed) return Promise.resolve(null);
    pending.claimed = true;
    return pending.promise.then((opened) => {
      if (pending.closed) return null;
      pending.onClose = onClose;
      return opened;
    }, () => null);
  }

  // unclaim closes a pending open nobody will take over.
  function unclaim(pending) {
    if (!pending || pending.claimed) return;
    pending.claimed = true;
    pending.promise.then((opened) => opened.db.close(), () => {});
  }

  // begin starts a transaction for Go to run requests in (run). With
  // solo (a Write of Go's, which may delete), it answers a Promise of the
  // state when the connection must first get its lock (whenSolo): the
  // transaction is made when the lock is held, and Go resumes in the same
  // task, while it is active.
  function begin(db, storesJSON, mode, soloNeeded) {
    const make = () => {
      const tx = db.transaction(JSON.parse(storesJSON), mode);
      const state = { tx, error: null, done: false, waiters: [] };
      let ended;
      const settled = new Promise((resolve) => { ended = resolve; });
      const settle = (err) => {
        state.done = true;
        state.error = state.error || err;
        for (const w of state.waiters.splice(0)) w(state.error);
        ended();
      };
      tx.oncomplete = () => settle(null);
      tx.onabort = () => settle(failure(tx.error || { name: 'AbortError', message: 'the transaction was aborted' }));
      state.settled = settled;
      return state;
    };
    if (mode !== 'readwrite') return make();
    if (!soloNeeded) {
      const state = make();
      tracked(db, state.settled);
      return state;
    }
    return whenSolo(db, make);
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
  //
  // A primary key holds one record, so a lookup by it is a get, not a
  // getAll of a range of one: in Chromium a lookup in its own transaction
  // takes 10-20 µs less so, 150-175 against 165-195 µs (median of 3,000,
  // bench/request-costs.mjs).
  function read(store, q) {
    const src = q.index ? store.index(q.index) : store;
    if (q.keys) {
      // One lookup per key, in order; the last request's success means all
      // have succeeded. With no keys, a count that finds nothing stands in.
      const reqs = q.index ? q.keys.map((k) => src.getAll(IDBKeyRange.only(k))) : q.keys.map((k) => src.get(k));
      const last = reqs.length ? reqs[reqs.length - 1] : src.count(IDBKeyRange.only([]));
      last.finish = () => finish(q, q.index ? reqs.flatMap((r) => r.result) : found(reqs));
      return last;
    }
    if (!q.index && q.range && q.range.eq !== undefined) {
      const req = src.get(q.range.eq);
      req.finish = () => finish(q, req.result === undefined ? [] : [req.result]);
      return req;
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

  // found is the records the gets reqs found, in order.
  function found(reqs) {
    const out = [];
    for (const r of reqs) if (r.result !== undefined) out.push(r.result);
    return out;
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

  // expand writes out a step's runs of adds (store/write_runs.go): a
  // request with "run": n stands for n adds, the k-th of the input k
  // further, its value's step fields k more (valueOf). The run's request
  // is repeated, not copied (no object made per add): the k-th of a run
  // is the k-th in a row of one request.
  function expand(reqs) {
    let n = 0;
    for (const r of reqs) n += r.run || 1;
    if (n === reqs.length) return reqs;
    const out = new Array(n);
    let i = 0;
    for (const r of reqs) {
      for (let k = r.run || 1; k > 0; k--) out[i++] = r;
    }
    return out;
  }

  // without is a copy of record r without fields (a list, or none): copied
  // field by field, not spread and deleted from (see valueOf).
  function without(r, fields) {
    const out = {};
    if (!fields || fields.length === 0) {
      for (const k in r) out[k] = r[k];
    } else {
      for (const k in r) if (!fields.includes(k)) out[k] = r[k];
    }
    return out;
  }

  function failWith(name, message) {
    const e = new Error(message);
    e.name = name;
    return e;
  }

  // faults, for tests: when faults.abortAt is k > 0, the next read-write
  // transaction is aborted as its k-th request is issued (then the setting
  // is spent). faults.requests counts the requests of that transaction.
  // soloDeaf makes holders ignore requests for the lock, and soloWait (ms)
  // shortens how long a write waits before taking it (SOLO_WAIT_MS).
  const faults = { abortAt: 0, requests: 0, count: false, soloDeaf: false, soloWait: 0 };

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
  function transact(db, stores, body, mode = 'readwrite') {
    return new Promise((resolve, reject) => {
      let failure = null;
      let result;
      let tx;
      try {
        tx = db.transaction([...new Set(stores)], mode);
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

  // write carries a Go writer's steps (store/write.go) in one read-write
  // transaction: each step's requests are issued in order; when the last
  // one has succeeded, the step either ends the write with its outcome or
  // (when it asks for decisions, when an add found its key taken, or when
  // an expected count is 0) its results go to Go, decide(id, resultsJSON),
  // synchronously, which keeps the transaction alive, and Go answers with
  // the next step or with {name, message} to abort. No decision is taken
  // here. inputs are the callers' records (an array, or one record as
  // record 0); the outcome refers to records by request ({$w: n}: the
  // value request n wrote; {$r: n, at: j}: record j that request n read).
  // It resolves with the outcome, records in place, once committed.
  // decide defaults to the one Go registered (api.decide): the module
  // calls write itself with the step Go planned (store.AppendSave).
  function write(db, stepJSON, inputs, id, decide = api.decide) {
    const input = (i) => (Array.isArray(inputs) ? inputs[i] : inputs);
    // attempt runs the write from its first step in a transaction; a step
    // committed early that finds a key taken aborts it, and Go gives the
    // first step again (decide(id, null)) for a new one.
    const attempt = (first) => transact(db, first.scope, (tx, fail, done) => {
      const held = []; // by request number: records read, value written, count
      let issued = 0;
      // addError is the running step's handler of a failed request's error
      // event, which bubbles from the request to its transaction: listened
      // for from the first reported add on (a listener costs a save alone
      // as much as its add's own handler would).
      let addError = null;
      let listening = false;
      const listen = () => {
        listening = true;
        tx.addEventListener('error', (ev) => { if (addError) addError(ev); });
      };
      // The transaction's object stores by name: objectStore() is a call
      // into the browser, once a store rather than once a request.
      const stores = new Map();
      const storeOf = (name) => {
        let s = stores.get(name);
        if (s === undefined) {
          s = tx.objectStore(name);
          stores.set(name, s);
        }
        return s;
      };
      // valueOf is the record value v writes; k is the request's place in
      // its run (expand): the input k further, its step fields k more.
      const valueOf = (v, k) => {
        const base = v.input !== undefined ? input(v.input + k) : v.read !== undefined ? held[v.read][v.at] : v.record;
        // A copy of base with set over it, leaving out unset sync fields
        // (undefined): copied field by field rather than spread and then
        // deleted from, which costs 7x as much (0.66 against 0.09 ms per
        // 1,000 comments in Chromium) and leaves the record a slow
        // dictionary-mode object. for-in also visits inherited enumerable
        // fields; a model's prototype has none (its relation getters are
        // not enumerable).
        const out = {};
        for (const f in base) {
          const x = base[f];
          if (x !== undefined) out[f] = x;
        }
        const set = v.set;
        if (set) for (const f in set) out[f] = set[f];
        if (k) for (const f of v.step) out[f] += k;
        return out;
      };
      const resolve = (o) => {
        if (Array.isArray(o)) {
          // {$each: n, store, at}: records at positions of read n, as {store, record}.
          return o.flatMap((x) => {
            if (x && x.$each !== undefined) return x.at.map((j) => ({ store: x.store, record: without(held[x.$each][j], x.omit) }));
            // {op, record: {$w: n, omit}, run: k}: k outcomes, of requests n, n+1, ...
            if (x && typeof x.run === 'number' && x.record && x.record.$w !== undefined) {
              const out = new Array(x.run);
              for (let j = 0; j < x.run; j++) out[j] = { op: x.op, record: without(held[x.record.$w + j], x.record.omit) };
              return out;
            }
            return [resolve(x)];
          });
        }
        if (o === null || typeof o !== 'object') return o;
        if (o.$w !== undefined || o.$r !== undefined) return without(o.$w !== undefined ? held[o.$w] : held[o.$r][o.at], o.omit);
        const out = {};
        for (const k of Object.keys(o)) out[k] = resolve(o[k]);
        return out;
      };
      const run = (step) => {
        const reqs = expand(step.requests || []);
        const base = issued;
        issued += reqs.length;
        const reported = [];
        const seen = new Array(reqs.length).fill(null);
        const adds = []; // the reported adds, by request
        const committing = !!(step.commit && tx.commit);
        let restarting = false;
        const expectReqs = [];
        let last = null;
        // A taken key is found by one listener on the transaction instead
        // of an onerror handler per add (a handler costs 1.7 ms per 1,000
        // adds in Chromium, as much as the rest of issuing them), and its
        // add by a search of adds, only then (a Map by request, set for
        // each add, cost more than the handlers).
        let taken = 0;
        addError = (ev) => {
          const add = ev.target;
          const i = adds.indexOf(add);
          if (i < 0) return;
          if (!add.error || add.error.name !== 'ConstraintError') return; // the transaction aborts
          if (committing) { restarting = true; fail(RESTART); return; } // no request can follow a commit
          ev.preventDefault();
          ev.stopPropagation();
          seen[i] = { taken: true };
          taken += 1;
          if (add === last) after();
        };
        let k = 0; // the request's place in its run
        for (let i = 0; i < reqs.length; i++) {
          const r = reqs[i];
          const n = base + i;
          k = i > 0 && r === reqs[i - 1] ? k + 1 : 0;
          const store = storeOf(r.store);
          let req = null;
          switch (r.op) {
            case 'get':
              req = store.get(r.key);
              req.onsuccess = () => { held[n] = req.result === undefined ? [] : [req.result]; };
              break;
            case 'query':
              req = read(store, r.query);
              req.onsuccess = () => { held[n] = req.finish(); };
              break;
            case 'count': {
              const q = r.query;
              if (q.range && q.range.eq !== undefined && !q.filter) {
                req = (q.index ? store.index(q.index) : store).count(IDBKeyRange.only(q.range.eq));
                req.onsuccess = () => { held[n] = req.result; };
              } else {
                req = read(store, q);
                req.onsuccess = () => { held[n] = req.finish().length; };
              }
              break;
            }
            case 'put':
              held[n] = valueOf(r.value, 0);
              req = store.put(held[n]);
              break;
            case 'add': {
              held[n] = valueOf(r.value, k);
              const add = store.add(held[n]);
              if (r.report) {
                // A success is read when the step ends (after), with no
                // handler of its own; a taken key is the transaction's
                // error listener's (addError).
                reported.push(i);
                adds[i] = add;
                if (!listening) listen();
              }
              req = add;
              break;
            }
            case 'delete':
              if (r.at) {
                const recs = held[r.read];
                const kp = store.keyPath; // read once: a call into the browser
                if (typeof kp === 'string') for (const j of r.at) req = store.delete(recs[j][kp]);
                else for (const j of r.at) req = store.delete(kp.map((f) => recs[j][f]));
              } else {
                req = store.delete(r.key);
              }
              break;
            default:
              throw new Error('unknown request ' + r.op);
          }
          if (req) last = req;
          if (r.expect) expectReqs[i] = req;
        }
        const after = () => {
          if (restarting) return;
          let ask = !!step.then || taken > 0;
          for (let i = 0; i < reqs.length && !ask; i++) if (reqs[i].expect && held[base + i] === 0) ask = true;
          if (!ask) { done(resolve(step.outcome)); return; }
          // What Go is shown, only when it is asked (reading each add's
          // key is a call into the browser).
          for (const i of reported) if (seen[i] === null) seen[i] = { taken: false, key: adds[i].result };
          for (let i = 0; i < reqs.length; i++) {
            const r = reqs[i];
            if (r.op === 'count') seen[i] = held[base + i];
            else if (r.seeKey) seen[i] = held[base + i].map((rec) => rec[r.seeKey]);
            else if (r.see || r.seeAll) seen[i] = r.seeAll ? held[base + i] : held[base + i].map((rec) => pick(rec, r.see));
          }
          const next = decide(id, JSON.stringify(seen));
          if (typeof next !== 'string') { fail(failWith(next.name, next.message)); return; }
          try {
            run(JSON.parse(next));
          } catch (err) {
            fail(asError(err));
          }
        };
        if (committing) {
          // Commit at once, or once the last expected count is known to be
          // non-zero (a zero needs Go's decision, which aborts).
          let lastExpect = -1;
          for (let i = 0; i < reqs.length; i++) if (reqs[i].expect) lastExpect = i;
          if (lastExpect < 0) {
            tx.commit();
          } else {
            const req = expectReqs[lastExpect];
            const prev = req.onsuccess;
            req.onsuccess = () => {
              if (prev) prev();
              for (let i = 0; i <= lastExpect; i++) if (reqs[i].expect && held[base + i] === 0) return;
              tx.commit();
            };
          }
        }
        if (!last) { after(); return; }
        const prev = last.onsuccess;
        last.onsuccess = () => { if (prev) prev(); after(); };
      };
      run(first);
    }, first.readOnly ? 'readonly' : 'readwrite').catch((err) => {
      if (err !== RESTART) throw err;
      const again = decide(id, null);
      if (typeof again !== 'string') throw failWith(again.name, again.message);
      return attempt(JSON.parse(again));
    });
    const first = JSON.parse(stepJSON);
    const p = first.solo ? whenSolo(db, () => attempt(first)) : tracked(db, attempt(first));
    p.then(() => { if (id) settledIds.push(id); }, () => { if (id) settledIds.push(-id); });
    return p;
  }

  // RESTART is the failure of an attempt that committed early and found a
  // key taken: the write starts again.
  const RESTART = { name: 'RestartError', message: 'the write starts again, reading first' };

  // settledIds are the writes whose transactions have settled, for Go to
  // forget their deciders (settled() hands them over).
  let settledIds = [];
  function settled() {
    const ids = settledIds.join(',');
    settledIds = [];
    return ids;
  }

  function pick(rec, fields) {
    const out = {};
    for (const f of fields) if (f in rec) out[f] = rec[f];
    return out;
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

  // readTree runs a store.TreePlan (see plan.go; its JSON, or the object
  // that JSON gives, which it does not change) in one read-only
  // transaction: the roots, then each level of includes in one batch, each
  // record carrying what it includes under "@included". It resolves with
  // the roots as JavaScript objects.
  function readTree(db, plan) {
    return new Promise((resolve, reject) => {
      try {
        const p = typeof plan === 'string' ? JSON.parse(plan) : plan;
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

  const api = { open, preopen, claim, unclaim, begin, run, abort, readNow, readTree, write, settled, deleteDatabase, faults, solo, unsolo, held, decide: null };
  return api;
})()
