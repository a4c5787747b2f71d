package relation

import (
	"sync"
	"time"

	"github.com/datastore-wasm/datastore-wasm/store"
)

// Records come back in the order they were first saved, as Amplify returns
// them (SPEC 4.7). Stores are keyed by the primary key, so that order is
// kept in a hidden field: each record gets a sequence number at its first
// save, keeps it on updates, and every read sorts by it and removes it
// before the record leaves the engine.

// seqField holds a record's insertion sequence in storage.
const seqField = "_seq"

// sequence hands out increasing numbers: microseconds since the epoch, so
// that records saved from several tabs interleave by time, and one more
// than the last when the clock has not moved.
type sequence struct {
	mu   sync.Mutex
	last float64
}

func (s *sequence) next() float64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := float64(time.Now().UnixMicro())
	if n <= s.last {
		n = s.last + 1
	}
	s.last = n
	return n
}

// public removes the storage-only fields from a record read from storage.
func public(r Record) Record {
	for _, f := range storageOnly {
		delete(r, f)
	}
	return r
}

// insertionOrder sorts records by first save; after a user's sort keys,
// it orders their ties.
var insertionOrder = []store.Order{{Field: seqField}}

// storageOnly lists the fields records carry in storage but never show.
var storageOnly = []string{seqField}

// KeyRead is the template of a read of m by its primary key: the caller
// sets Range to the key (the value, or the values in key order).
func (m *Model) KeyRead() store.Query {
	return store.Query{Store: m.Name, Omit: storageOnly}
}

// Read is the template of the read of what r reaches from a record, by
// key or index: the caller sets Range to the record's local join values.
// ok is false when no key or index serves (the lookup needs planning).
func (r *Relation) Read() (q store.Query, ok bool) {
	q = r.Target.lookupQuery(r.RemoteFields, make([]any, len(r.RemoteFields)))
	if q.Filter != nil {
		return store.Query{}, false
	}
	q.Range = nil
	q.Order, q.Omit = insertionOrder, storageOnly
	return q, true
}

// EqRead is the template of the read that answers f = value, when a key or
// an index answers it exactly: the caller sets Range to the value (of the
// field's JavaScript type, JSType; null is not in any index). ok is false
// otherwise.
func (m *Model) EqRead(f *Field) (q store.Query, ok bool) {
	if f.Relation != nil || f.IsArray || (f.Kind != KindScalar && f.Kind != KindEnum) || f.Type == "AWSJSON" {
		return store.Query{}, false
	}
	var sample any = "x"
	if f.JSType() == "number" {
		sample = 1.0
	} else if f.JSType() != "string" {
		return store.Query{}, false
	}
	q = m.plan(&Predicate{Field: f.Name, Op: "eq", Value: sample})
	if q.Filter != nil || q.Range == nil || q.Range.Eq == nil {
		return store.Query{}, false
	}
	q.Range = nil
	q.Order, q.Omit = insertionOrder, storageOnly
	return q, true
}

// JSType is the JavaScript type of f's values: string, number, boolean or
// object.
func (f *Field) JSType() string {
	switch f.Kind {
	case KindEnum:
		return "string"
	case KindScalar:
		if f.Type == "AWSJSON" {
			return "object"
		}
		return jsTypeOfScalar(f.Type)
	}
	return "object"
}

// AllRead is the read of every record of m, in insertion order.
func (m *Model) AllRead() store.Query {
	return store.Query{Store: m.Name, Order: insertionOrder, Omit: storageOnly}
}
