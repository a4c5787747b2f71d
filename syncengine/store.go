package syncengine

import (
	"context"
	"sync"

	"github.com/datastore-wasm/datastore-wasm/relation"
)

// Change is one write a merge makes to the local store.
type Change struct {
	// Delete removes the record with Record's key; otherwise Record is
	// put (inserted or replaced).
	Delete bool
	Record Record
	// Count is the Decision's counter ("new", "updated", "deleted").
	Count string
}

// LocalStore is the local database as the engine sees it. Writes made
// through it are the sync engine's own: they must not be queued in the
// outbox, and they reach observers as remote changes.
type LocalStore interface {
	// Get returns the stored records with the keys of keys (records
	// holding at least the key fields), in order, nil where none is
	// stored.
	Get(ctx context.Context, model string, keys []Record) ([]Record, error)
	// Apply makes changes in one transaction.
	Apply(ctx context.Context, model string, changes []Change) error
}

// ModelMetadata is what the engine remembers per model between starts
// (Amplify's sync_ModelMetadata): times in ms since the epoch.
type ModelMetadata struct {
	Model string
	// LastSync is the startedAt of the last completed sync; LastFullSync
	// that of the last full one; 0 for never.
	LastSync, LastFullSync int64
	// LastSyncPredicate is the sync expression (its GraphQL filter as
	// JSON) the syncs ran with; a different one forces a full sync.
	LastSyncPredicate string
}

// MetadataStore persists ModelMetadata (IndexedDB in the browser).
type MetadataStore interface {
	// GetMetadata returns the model's metadata, zero (with Model set)
	// when none is stored.
	GetMetadata(ctx context.Context, model string) (ModelMetadata, error)
	PutMetadata(ctx context.Context, md ModelMetadata) error
}

// MemoryStore is a LocalStore and MetadataStore in memory (tests).
type MemoryStore struct {
	schema *relation.Schema
	mu     sync.Mutex
	recs   map[string]map[string]Record
	meta   map[string]ModelMetadata
	// OnApply, when set, is called with each Apply's changes (tests).
	OnApply func(model string, changes []Change)
}

// NewMemoryStore returns an empty store for the models of s.
func NewMemoryStore(s *relation.Schema) *MemoryStore {
	return &MemoryStore{schema: s, recs: map[string]map[string]Record{}, meta: map[string]ModelMetadata{}}
}

// Get implements LocalStore.
func (ms *MemoryStore) Get(_ context.Context, model string, keys []Record) ([]Record, error) {
	ms.mu.Lock()
	defer ms.mu.Unlock()
	m := ms.schema.Model(model)
	out := make([]Record, len(keys))
	for i, k := range keys {
		if r := ms.recs[model][ModelID(m, k)]; r != nil {
			out[i] = copyRecord(r)
		}
	}
	return out, nil
}

// Apply implements LocalStore.
func (ms *MemoryStore) Apply(_ context.Context, model string, changes []Change) error {
	ms.mu.Lock()
	m := ms.schema.Model(model)
	if ms.recs[model] == nil {
		ms.recs[model] = map[string]Record{}
	}
	for _, c := range changes {
		id := ModelID(m, c.Record)
		if c.Delete {
			delete(ms.recs[model], id)
		} else {
			ms.recs[model][id] = copyRecord(c.Record)
		}
	}
	hook := ms.OnApply
	ms.mu.Unlock()
	if hook != nil {
		hook(model, changes)
	}
	return nil
}

// Put stores rec as a local write would (tests and seeding).
func (ms *MemoryStore) Put(model string, rec Record) {
	_ = ms.Apply(context.Background(), model, []Change{{Record: rec}})
}

// Record returns the stored record of model with ModelID id, or nil.
func (ms *MemoryStore) Record(model, id string) Record {
	ms.mu.Lock()
	defer ms.mu.Unlock()
	return copyRecord(ms.recs[model][id])
}

// Count returns how many records of model are stored.
func (ms *MemoryStore) Count(model string) int {
	ms.mu.Lock()
	defer ms.mu.Unlock()
	return len(ms.recs[model])
}

// GetMetadata implements MetadataStore.
func (ms *MemoryStore) GetMetadata(_ context.Context, model string) (ModelMetadata, error) {
	ms.mu.Lock()
	defer ms.mu.Unlock()
	md, ok := ms.meta[model]
	if !ok {
		md.Model = model
	}
	return md, nil
}

// PutMetadata implements MetadataStore.
func (ms *MemoryStore) PutMetadata(_ context.Context, md ModelMetadata) error {
	ms.mu.Lock()
	defer ms.mu.Unlock()
	ms.meta[md.Model] = md
	return nil
}
