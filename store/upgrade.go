package store

import (
	"slices"
	"strings"
)

// UpgradeStep is one change to a database's stores, applied during an
// IndexedDB version upgrade.
type UpgradeStep struct {
	Op      string   `json:"op"` // createStore, deleteStore, createIndex, deleteIndex, rekey, put
	Store   string   `json:"store"`
	Index   string   `json:"index,omitempty"`
	KeyPath []string `json:"keyPath,omitempty"`
	Unique  bool     `json:"unique,omitempty"`
	// AutoIncrement, for createStore.
	AutoIncrement bool `json:"autoIncrement,omitempty"`
	// Indexes, for rekey: the store is re-created with KeyPath and these
	// indexes, and its records are put back (through the caller's
	// transform), in the upgrade.
	Indexes []IndexLayout `json:"indexes,omitempty"`
	// Value, for put: the record put into the store (a database's seed,
	// see OpenOptions.Seed).
	Value Record `json:"value,omitempty"`
}

// RecordKey names one record: its store and key.
type RecordKey struct {
	Store string
	Key   Key
}

// SeedRecord is a record put into Store when the database is created
// (OpenOptions.Seed).
type SeedRecord struct {
	Store  string
	Record Record
}

// Diff lists the steps that turn the layout have into want. A store whose
// key path changed is rekeyed: re-created under the new key path, its
// records read before and put back after (CheckKeyPaths decides whether
// that may happen); an index whose key path or uniqueness changed is
// re-created.
func Diff(have, want Layout) []UpgradeStep {
	var steps []UpgradeStep
	for _, h := range have.Stores {
		if want.Store(h.Name) == nil {
			steps = append(steps, UpgradeStep{Op: "deleteStore", Store: h.Name})
		}
	}
	for _, w := range want.Stores {
		h := have.Store(w.Name)
		if h != nil && !slices.Equal(w.KeyPath, h.KeyPath) {
			steps = append(steps, UpgradeStep{Op: "rekey", Store: w.Name, KeyPath: w.KeyPath, Indexes: w.Indexes})
			continue
		}
		if h == nil {
			steps = append(steps, UpgradeStep{Op: "createStore", Store: w.Name, KeyPath: w.KeyPath, AutoIncrement: w.AutoIncrement})
			for _, ix := range w.Indexes {
				steps = append(steps, UpgradeStep{Op: "createIndex", Store: w.Name, Index: ix.Name, KeyPath: ix.KeyPath, Unique: ix.Unique})
			}
			continue
		}
		for _, hi := range h.Indexes {
			wi := w.Index(hi.Name)
			if wi == nil || !slices.Equal(wi.KeyPath, hi.KeyPath) || wi.Unique != hi.Unique {
				steps = append(steps, UpgradeStep{Op: "deleteIndex", Store: w.Name, Index: hi.Name})
			}
		}
		for _, wi := range w.Indexes {
			hi := h.Index(wi.Name)
			if hi == nil || !slices.Equal(wi.KeyPath, hi.KeyPath) || wi.Unique != hi.Unique {
				steps = append(steps, UpgradeStep{Op: "createIndex", Store: w.Name, Index: wi.Name, KeyPath: wi.KeyPath, Unique: wi.Unique})
			}
		}
	}
	return steps
}

// CheckKeyPaths refuses a layout that changes the primary key of a store
// that exists, unless rekeyable says its records can be rewritten for the
// new key: without, they cannot keep their keys, and dropping them would
// lose data.
func CheckKeyPaths(have, want Layout, rekeyable func(store string) bool) error {
	for _, w := range want.Stores {
		if h := have.Store(w.Name); h != nil && !slices.Equal(h.KeyPath, w.KeyPath) && (rekeyable == nil || !rekeyable(w.Name)) {
			return &Error{Op: "open", Store: w.Name, Err: ErrKeyPathChanged,
				Msg: "from (" + strings.Join(h.KeyPath, ", ") + ") to (" + strings.Join(w.KeyPath, ", ") + "); keep the old key, or move the records to a new model"}
		}
	}
	return nil
}
