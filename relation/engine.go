package relation

import (
	"slices"
	"time"

	"github.com/datastore-wasm/datastore-wasm/store"
)

// Engine runs DataStore operations for one schema on one database. Each
// operation is one storage transaction: the reads it needs and its writes
// are planned so that they go to the store in as few batches as possible.
type Engine struct {
	Schema *Schema
	DB     store.DB
	IDs    IDSource
	// Now gives the time for managed timestamps (time.Now when nil).
	Now func() time.Time
	// Outbox: every mutation, cascaded ones included, is appended to the
	// mutation queue (OutboxStore) in the transaction that makes it, for a
	// sync engine to send; ReadOutbox reads and drains it. Off unless set:
	// without a sync engine draining it the queue only grows, and each
	// write pays for it.
	Outbox bool

	seq sequence
}

// NewEngine returns an engine over db, which must have been opened with
// Layout(schema).
func NewEngine(schema *Schema, db store.DB) *Engine {
	return &Engine{Schema: schema, DB: db, IDs: &IDs{}}
}

// OpType says what happened to a record.
type OpType string

const (
	Insert OpType = "INSERT"
	Update OpType = "UPDATE"
	Delete OpType = "DELETE"
)

// Change is one record written or removed by an operation: what observers
// are told, one message per record.
type Change struct {
	Model  string `json:"model"`
	OpType OpType `json:"opType"`
	Record Record `json:"element"`
	// Condition is the condition the operation was made with, for the
	// operation's own record; nil for records it reached by cascade.
	Condition *Predicate `json:"condition"`
}

// Layout is the storage layout a schema needs: an object store per model,
// keyed by its primary key, with an index per foreign key, per @index and
// per relation lookup.
func Layout(s *Schema) store.Layout {
	var l store.Layout
	for _, m := range s.Models {
		sl := store.StoreLayout{Name: m.Name, KeyPath: m.PrimaryKey}
		for _, ix := range m.Indexes {
			sl.Indexes = append(sl.Indexes, store.IndexLayout{Name: ix.Name, KeyPath: ix.Fields})
		}
		l.Stores = append(l.Stores, sl)
	}
	l.Stores = append(l.Stores, store.StoreLayout{Name: OutboxStore, KeyPath: []string{"order"}, AutoIncrement: true})
	l.Stores = append(l.Stores, store.StoreLayout{Name: MetaStore, KeyPath: []string{"key"}})
	return l
}

// outboxStore is where plans append their mutations, or "" when off.
func (e *Engine) outboxStore() string {
	if e.Outbox {
		return OutboxStore
	}
	return ""
}

func (e *Engine) now() string {
	now := time.Now
	if e.Now != nil {
		now = e.Now
	}
	return e.seq.isoTime(now())
}

// clockReading is one reading of the clock for saves: the time that
// orders them (seq) and the time their managed timestamps show (Now's,
// when set).
type clockReading struct{ seq, stamp time.Time }

// readClock reads the clock once (each reading costs two calls out of the
// wasm): a batch's saves share one reading.
func (e *Engine) readClock() clockReading {
	t := time.Now()
	r := clockReading{seq: t, stamp: t}
	if e.Now != nil {
		r.stamp = e.Now()
	}
	return r
}

// stamp is a save's insertion sequence and its managed timestamp from
// reading r: the sequence is one more than the last when the reading is
// not later, so a batch's saves still get increasing numbers.
func (e *Engine) stamp(r clockReading) (seq float64, iso any) {
	return e.seq.at(r.seq), e.seq.isoTimeValue(r.stamp)
}

// isoTime writes t as JavaScript's Date.prototype.toISOString does
// (2026-11-21T10:00:00.000Z), by hand: time.Format costs several µs in wasm
// and runs on every save.
func isoTime(t time.Time) string {
	t = t.UTC()
	y, mo, d := t.Date()
	h, mi, s := t.Clock()
	ms := t.Nanosecond() / 1e6
	b := make([]byte, 0, 24)
	pad := func(n, width int) {
		for div := []int{1, 10, 100, 1000}[width-1]; div > 0; div /= 10 {
			b = append(b, byte('0'+n/div%10))
		}
	}
	pad(y, 4)
	b = append(b, '-')
	pad(int(mo), 2)
	b = append(b, '-')
	pad(d, 2)
	b = append(b, 'T')
	pad(h, 2)
	b = append(b, ':')
	pad(mi, 2)
	b = append(b, ':')
	pad(s, 2)
	b = append(b, '.')
	pad(ms, 3)
	return string(append(b, 'Z'))
}

// model looks a model up by name, with an error for the caller otherwise.
func (e *Engine) model(name string) (*Model, error) {
	m := e.Schema.Model(name)
	if m == nil {
		return nil, userErr(ErrUsage, "Unknown model %s: the schema has no such model", name)
	}
	return m, nil
}

// lookupQuery builds the query that finds the records of m whose fields
// equal values pairwise: a primary-key read or an index read when one
// serves, else a scan with the equalities as its filter.
func (m *Model) lookupQuery(fields []string, values []any) store.Query {
	if len(values) == 1 {
		return m.lookupOne(fields, values[0]) // no slice boxed
	}
	return m.lookupKey(fields, values, values)
}

// lookupOne is lookupQuery of one field's value.
func (m *Model) lookupOne(fields []string, value any) store.Query {
	return m.lookupKey(fields, value, nil)
}

// lookupKey is lookupQuery with the key already made (the value of a
// single field, or values); values nil stands for []any{key}.
func (m *Model) lookupKey(fields []string, key any, values []any) store.Query {
	if slices.Equal(fields, m.PrimaryKey) {
		return store.Query{Store: m.Name, Range: store.Only(key)}
	}
	for _, ix := range m.Indexes {
		if slices.Equal(ix.Fields, fields) {
			return store.Query{Store: m.Name, Index: ix.Name, Range: store.Only(key)}
		}
	}
	if values == nil {
		values = []any{key}
	}
	eq := &store.Filter{Group: "and"}
	for i, f := range fields {
		eq.Children = append(eq.Children, &store.Filter{Field: f, Op: "eq", Value: values[i]})
	}
	return store.Query{Store: m.Name, Filter: eq}
}

// joinValues reads the values of fields from rec; ok is false when one is
// null, in which case nothing is related (SPEC 1.8).
func joinValues(rec Record, fields []string) (values []any, ok bool) {
	values = make([]any, len(fields))
	for i, f := range fields {
		v := rec[f]
		if v == nil || !store.ValidKey(v) {
			return nil, false
		}
		values[i] = v
	}
	return values, true
}
