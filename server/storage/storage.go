// Package storage keeps the sync server's state: one row per record (the
// latest version, tombstones included) and a change log of every write, in
// SQLite or PostgreSQL behind one interface. It knows models only by name
// and records only as JSON; the GraphQL layer above decides what they mean.
package storage

import (
	"context"
	"errors"
)

// Row is the stored state of one record.
type Row struct {
	Model string
	// Key is the record's primary key, encoded by the caller (stable for
	// equal keys).
	Key string
	// Data is the whole item as JSON, metadata fields (_version, _deleted,
	// _lastChangedAt) included.
	Data        []byte
	Version     int64
	Deleted     bool
	LastChanged int64
	// Expires is when a tombstone may be purged (epoch ms); 0 for live rows.
	Expires int64
}

// Change is one entry of the change log: the item as a write left it.
type Change struct {
	Seq   int64
	Model string
	Key   string
	// Op is "create", "update" or "delete".
	Op   string
	Data []byte
	// At is the write's time (epoch ms, the item's _lastChangedAt).
	At int64
}

// Tx is one mutation's transaction: read the current row (locking it),
// write the new one and log the change, all or nothing.
type Tx interface {
	// Get returns the row, or nil when the record has never existed (or was
	// purged).
	Get(ctx context.Context, model, key string) (*Row, error)
	// Insert writes a new row; it fails with ErrExists if the key is taken.
	Insert(ctx context.Context, r Row) error
	// Update replaces an existing row.
	Update(ctx context.Context, r Row) error
	// Log appends c to the change log; the event reaches subscribers after
	// the commit, in commit order.
	Log(ctx context.Context, c Change) error
}

// Store is the server's database.
type Store interface {
	// Write runs fn in one transaction; fn's error rolls it back.
	Write(ctx context.Context, fn func(Tx) error) error
	// Get reads one row, nil when absent.
	Get(ctx context.Context, model, key string) (*Row, error)
	// Scan pages the rows of model in key order, after the key after ("" for
	// the first page).
	Scan(ctx context.Context, model, after string, limit int) ([]Row, error)
	// Changes pages the change log of model: entries written at or after
	// since (epoch ms) with a sequence number above afterSeq, in commit order.
	Changes(ctx context.Context, model string, since, afterSeq int64, limit int) ([]Change, error)
	// Purge removes tombstones whose expiry has passed and change-log
	// entries older than logBefore (epoch ms).
	Purge(ctx context.Context, now, logBefore int64) error
	// Subscribe delivers every committed change, of this process and (for
	// PostgreSQL) of every other process on the same database, in commit
	// order, until ctx ends. fn must not block for long.
	Subscribe(ctx context.Context, fn func(Change))
	Close() error
}

// ErrExists: an insert found the key taken.
var ErrExists = errors.New("storage: the key exists")
