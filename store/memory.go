package store

import (
	"context"
	"sort"
	"sync"

	jv "github.com/datastore-wasm/datastore-wasm/internal/jsonvalue"
)

// Memory is a DB held in memory, for native tests. Transactions are
// serialised; a read-write transaction's writes stay in an overlay until it
// commits, so an aborted transaction leaves nothing behind.
type Memory struct {
	mu     sync.RWMutex
	layout Layout
	data   map[string]map[string]Record // store -> encoded key -> record
	closed bool
	// counters are the key generators of auto-increment stores.
	counters map[string]float64
	// pres is what the store knows exists: it is alone with its data.
	pres *presence
}

// NewMemory returns an empty in-memory database with the given layout.
func NewMemory(layout Layout) *Memory {
	m := &Memory{layout: layout, data: map[string]map[string]Record{}, counters: map[string]float64{}, pres: newPresence(true)}
	for _, s := range layout.Stores {
		m.data[s.Name] = map[string]Record{}
	}
	return m
}

// Layout returns the layout the database was created with.
func (m *Memory) Layout() Layout { return m.layout }

// Close marks the database closed.
func (m *Memory) Close() error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.closed = true
	return nil
}

// Read runs fn in a read-only transaction.
func (m *Memory) Read(ctx context.Context, stores []string, fn func(Tx) error) error {
	m.mu.RLock()
	defer m.mu.RUnlock()
	tx, err := m.begin(ctx, stores, false)
	if err != nil {
		return err
	}
	return fn(tx)
}

// Write runs fn in a read-write transaction and commits when fn returns nil.
func (m *Memory) Write(ctx context.Context, stores []string, fn func(Tx) error) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	tx, err := m.begin(ctx, stores, true)
	if err != nil {
		return err
	}
	if err := fn(tx); err != nil {
		return err
	}
	if tx.err != nil {
		return tx.err
	}
	if err := ctx.Err(); err != nil {
		return &Error{Op: "commit", Err: ErrAborted, Msg: err.Error()}
	}
	for name, n := range tx.counters {
		m.counters[name] = n
	}
	for name, writes := range tx.overlay {
		for k, rec := range writes {
			if rec == nil {
				delete(m.data[name], k)
			} else {
				m.data[name][k] = rec
			}
		}
	}
	return nil
}

func (m *Memory) begin(ctx context.Context, stores []string, write bool) (*memTx, error) {
	if m.closed {
		return nil, &Error{Op: "transaction", Err: ErrClosed}
	}
	if err := ctx.Err(); err != nil {
		return nil, &Error{Op: "transaction", Err: ErrAborted, Msg: err.Error()}
	}
	scope := map[string]bool{}
	for _, s := range stores {
		if m.layout.Store(s) == nil {
			return nil, &Error{Op: "transaction", Store: s, Err: ErrUnknownStore}
		}
		scope[s] = true
	}
	return &memTx{m: m, scope: scope, write: write, overlay: map[string]map[string]Record{}}, nil
}

type memTx struct {
	m       *Memory
	scope   map[string]bool
	write   bool
	overlay map[string]map[string]Record // pending writes; nil record = deleted
	err     error                        // first failed write: the transaction is aborted
	// counters are the key generators as this transaction moved them; like
	// IndexedDB's, they go back when it aborts.
	counters map[string]float64
}

func encodeKey(k Key) string { return JSONText(k) }

func (t *memTx) check(store, op string) error {
	if t.err != nil {
		return t.err
	}
	if !t.scope[store] {
		return &Error{Op: op, Store: store, Err: ErrUnknownStore, Msg: "not in the transaction's scope"}
	}
	return nil
}

// lookup reads one record by encoded key, overlay first.
func (t *memTx) lookup(store, k string) Record {
	if w, ok := t.overlay[store]; ok {
		if rec, ok := w[k]; ok {
			return rec
		}
	}
	return t.m.data[store][k]
}

func (t *memTx) Get(store string, keys []Key) ([]Record, error) {
	if err := t.check(store, "get"); err != nil {
		return nil, err
	}
	out := make([]Record, len(keys))
	for i, k := range keys {
		if !ValidKey(k) {
			return nil, &Error{Op: "get", Store: store, Err: ErrInvalidKey}
		}
		out[i] = copyRecord(t.lookup(store, encodeKey(k)))
	}
	return out, nil
}

// all returns the store's current records, overlay applied.
func (t *memTx) all(store string) []Record {
	base := t.m.data[store]
	recs := make([]Record, 0, len(base))
	for k, rec := range base {
		if w, ok := t.overlay[store][k]; ok {
			rec = w
		}
		if rec != nil {
			recs = append(recs, rec)
		}
	}
	for k, rec := range t.overlay[store] {
		if _, seen := base[k]; !seen && rec != nil {
			recs = append(recs, rec)
		}
	}
	return recs
}

func (t *memTx) Query(queries []Query) ([][]Record, error) {
	out := make([][]Record, len(queries))
	for i, q := range queries {
		if err := t.check(q.Store, "query"); err != nil {
			return nil, err
		}
		sl := t.m.layout.Store(q.Store)
		keyPath := sl.KeyPath
		if q.Index != "" {
			il := sl.Index(q.Index)
			if il == nil {
				return nil, &Error{Op: "query", Store: q.Store, Err: ErrUnknownIndex, Msg: q.Index}
			}
			keyPath = il.KeyPath
		}
		type hit struct {
			key, pk Key
			rec     Record
		}
		ranges := []*Range{q.Range}
		if q.Keys != nil {
			ranges = ranges[:0]
			for _, k := range q.Keys {
				ranges = append(ranges, Only(k))
			}
		}
		var hits []hit
		for _, r := range ranges {
			var found []hit
			for _, rec := range t.all(q.Store) {
				k, ok := KeyOf(rec, keyPath)
				if !ok || !InRange(k, r) {
					continue
				}
				pk, _ := KeyOf(rec, sl.KeyPath)
				found = append(found, hit{k, pk, rec})
			}
			sort.Slice(found, func(a, b int) bool {
				if c := CompareKeys(found[a].key, found[b].key); c != 0 {
					return c < 0
				}
				return CompareKeys(found[a].pk, found[b].pk) < 0
			})
			hits = append(hits, found...)
		}
		if q.Reverse {
			for a, b := 0, len(hits)-1; a < b; a, b = a+1, b-1 {
				hits[a], hits[b] = hits[b], hits[a]
			}
		}
		if q.Limit > 0 && len(hits) > q.Limit {
			hits = hits[:q.Limit]
		}
		recs := make([]Record, len(hits))
		for j, h := range hits {
			recs[j] = copyRecord(h.rec)
		}
		out[i] = finish(q, recs)
	}
	return out, nil
}

func (t *memTx) pending(store string) map[string]Record {
	w := t.overlay[store]
	if w == nil {
		w = map[string]Record{}
		t.overlay[store] = w
	}
	return w
}

func (t *memTx) Put(store string, records []Record) {
	if t.err != nil {
		return
	}
	if !t.write {
		t.err = &Error{Op: "put", Store: store, Err: ErrAborted, Msg: "read-only transaction"}
		return
	}
	if err := t.check(store, "put"); err != nil {
		t.err = err
		return
	}
	sl := t.m.layout.Store(store)
	for _, rec := range records {
		if sl.AutoIncrement && len(sl.KeyPath) == 1 && rec[sl.KeyPath[0]] == nil {
			if t.counters == nil {
				t.counters = map[string]float64{}
			}
			if _, ok := t.counters[store]; !ok {
				t.counters[store] = t.m.counters[store]
			}
			t.counters[store]++
			rec = copyRecord(rec)
			rec[sl.KeyPath[0]] = t.counters[store]
		}
		pk, ok := KeyOf(rec, sl.KeyPath)
		if !ok {
			t.err = &Error{Op: "put", Store: store, Err: ErrInvalidKey, Msg: "the record has no valid primary key"}
			return
		}
		if err := t.checkUnique(sl, rec, pk); err != nil {
			t.err = err
			return
		}
		t.pending(store)[encodeKey(pk)] = copyRecord(rec)
	}
}

// checkUnique refuses a record whose unique index key another record holds.
func (t *memTx) checkUnique(sl *StoreLayout, rec Record, pk Key) error {
	for _, il := range sl.Indexes {
		if !il.Unique {
			continue
		}
		k, ok := KeyOf(rec, il.KeyPath)
		if !ok {
			continue
		}
		for _, other := range t.all(sl.Name) {
			ok2, has := KeyOf(other, il.KeyPath)
			opk, _ := KeyOf(other, sl.KeyPath)
			if has && CompareKeys(k, ok2) == 0 && CompareKeys(pk, opk) != 0 {
				return &Error{Op: "put", Store: sl.Name, Err: ErrConstraint, Msg: "index " + il.Name}
			}
		}
	}
	return nil
}

func (t *memTx) Delete(store string, keys []Key) {
	if t.err != nil {
		return
	}
	if !t.write {
		t.err = &Error{Op: "delete", Store: store, Err: ErrAborted, Msg: "read-only transaction"}
		return
	}
	if err := t.check(store, "delete"); err != nil {
		t.err = err
		return
	}
	for _, k := range keys {
		t.m.pres.forget(store, k)
	}
	for _, k := range keys {
		t.pending(store)[encodeKey(k)] = nil
	}
}

// copyRecord gives callers their own copy, as a structured clone would (and, as that, with
// every number a float64 and every list a []any).
func copyRecord(rec Record) Record {
	if rec == nil {
		return nil
	}
	out, _ := jv.Parse(jv.Append(nil, rec))
	copied, _ := out.(Record)
	return copied
}
