// Package store keeps records in object stores with keys and indexes, inside
// transactions. It knows nothing of models or relations: package relation
// plans what to read and write, and a store carries it out.
//
// Two implementations share the DB interface: Memory, for native tests, and
// IndexedDB (build tag js && wasm), for browsers and Node with an IndexedDB
// polyfill.
//
// Requests are batched on purpose. In a browser every Go↔JS crossing and every
// await costs tens of microseconds, so a Tx buffers writes and sends them with
// the next read or with the commit, and a read takes many requests at once.
package store

import "context"

// Record is one stored object: field name to a JSON-compatible value
// (string, float64, bool, nil, []any, map[string]any).
type Record = map[string]any

// Key is a valid IndexedDB key: a string, a float64, or a []any of keys
// (for composite key paths).
type Key = any

// Layout describes the object stores a database must have.
type Layout struct {
	Stores []StoreLayout `json:"stores"`
}

// StoreLayout is one object store: its name, the record fields that form the
// primary key (in order), and its indexes.
type StoreLayout struct {
	Name    string        `json:"name"`
	KeyPath []string      `json:"keyPath"`
	Indexes []IndexLayout `json:"indexes"`
	// AutoIncrement stores get their key from a counter: a record put
	// without one gets the next number in its key path field.
	AutoIncrement bool `json:"autoIncrement,omitempty"`
}

// IndexLayout is one index over the fields KeyPath of a store's records.
type IndexLayout struct {
	Name    string   `json:"name"`
	KeyPath []string `json:"keyPath"`
	Unique  bool     `json:"unique"`
}

// Store returns the layout of the named store, or nil.
func (l Layout) Store(name string) *StoreLayout {
	for i := range l.Stores {
		if l.Stores[i].Name == name {
			return &l.Stores[i]
		}
	}
	return nil
}

// Index returns the layout of the named index, or nil.
func (s *StoreLayout) Index(name string) *IndexLayout {
	for i := range s.Indexes {
		if s.Indexes[i].Name == name {
			return &s.Indexes[i]
		}
	}
	return nil
}

// Range selects keys. A nil *Range selects every key. Eq, when set, selects
// exactly one key; otherwise Lower and Upper bound the keys (nil means
// unbounded on that side).
type Range struct {
	Eq        Key  `json:"eq,omitempty"`
	Lower     Key  `json:"lower,omitempty"`
	Upper     Key  `json:"upper,omitempty"`
	LowerOpen bool `json:"lowerOpen,omitempty"`
	UpperOpen bool `json:"upperOpen,omitempty"`
}

// Only returns the range holding exactly key.
func Only(key Key) *Range { return &Range{Eq: key} }

// Query reads the records of a store, or of one of its indexes, whose key
// falls in Range, in key order (Reverse for descending; Limit > 0 reads
// at most that many); or, when Keys is set, those with each of the keys in
// turn (one lookup per key). Then, where the records are read, it keeps those
// matching Filter, sorts them stably by Order, skips Offset of them, keeps
// at most Count, and removes the fields in Omit.
type Query struct {
	Store   string `json:"store"`
	Index   string `json:"index,omitempty"`
	Range   *Range `json:"range,omitempty"`
	Keys    []Key  `json:"keys"` // no omitempty: an empty list reads nothing
	Limit   int    `json:"limit,omitempty"`
	Reverse bool   `json:"reverse,omitempty"`

	Filter *Filter  `json:"filter,omitempty"`
	Order  []Order  `json:"order,omitempty"`
	Offset int      `json:"offset,omitempty"`
	Count  int      `json:"count,omitempty"`
	Omit   []string `json:"omit,omitempty"`
}

// Tx is a transaction over a fixed set of stores. Reads see the writes made
// earlier in the same transaction. Writes are buffered and sent with the next
// read or at commit; a write that fails (for example a unique index
// violation) aborts the whole transaction, and the error is returned by the
// read that sent it or by the commit.
type Tx interface {
	// Get reads records by primary key, one result per key; nil where no
	// record has that key.
	Get(store string, keys []Key) ([]Record, error)
	// Query runs several queries at once, one result list per query.
	Query(queries []Query) ([][]Record, error)
	// Put inserts or replaces records (their key is read from the key path).
	Put(store string, records []Record)
	// Delete removes records by primary key; a missing key is not an error.
	Delete(store string, keys []Key)
}

// DB is an open database.
type DB interface {
	// Read runs fn in a read-only transaction over stores.
	Read(ctx context.Context, stores []string, fn func(Tx) error) error
	// Write runs fn in a read-write transaction over stores. When fn returns
	// nil, the buffered writes are sent and the transaction is committed;
	// Write returns once it is durable. When fn returns an error, the
	// transaction is aborted and nothing it wrote remains.
	Write(ctx context.Context, stores []string, fn func(Tx) error) error
	// Save carries out a save plan in one read-write transaction.
	Save(ctx context.Context, p SavePlan) (SaveOutcome, error)
	// Delete carries out a delete plan in one read-write transaction.
	Delete(ctx context.Context, p DeletePlan) (DeleteOutcome, error)
	// Batch carries out the steps of a batch plan, all or nothing, in one
	// read-write transaction.
	Batch(ctx context.Context, p BatchPlan) (BatchOutcome, error)
	// Layout is the layout the database was opened with.
	Layout() Layout
	// Close releases the database. Later calls fail with ErrClosed.
	Close() error
}
