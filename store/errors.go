package store

import (
	"errors"
	"fmt"
)

// Errors a store reports, to be tested with errors.Is.
var (
	// ErrClosed: the database was closed (by Close, by another tab upgrading
	// it, or by the browser).
	ErrClosed = errors.New("the database is closed")
	// ErrConstraint: a write broke a unique index or primary key constraint.
	ErrConstraint = errors.New("a unique constraint failed")
	// ErrAborted: the transaction was aborted and nothing it wrote was kept.
	ErrAborted = errors.New("the transaction was aborted")
	// ErrUnknownStore: a transaction named a store the layout does not have.
	ErrUnknownStore = errors.New("unknown object store")
	// ErrUnknownIndex: a query named an index its store does not have.
	ErrUnknownIndex = errors.New("unknown index")
	// ErrInvalidKey: a key is not a string, a number or an array of keys.
	ErrInvalidKey = errors.New("invalid key")
	// ErrKeyPathChanged: the layout changes the primary key of a store that
	// exists; its records cannot keep their keys, so the database is not
	// upgraded.
	ErrKeyPathChanged = errors.New("the primary key of a store changed")
	// ErrChangedElsewhere: another connection (another tab) changed the
	// database's stores, and this one lacks what its layout needs.
	ErrChangedElsewhere = errors.New("another tab changed the database's schema")
	// ErrRequirement: a save plan's required record was not found.
	ErrRequirement = errors.New("a required record is missing")
	// ErrConditionFailed: a plan's condition did not hold on the stored
	// record.
	ErrConditionFailed = errors.New("the condition did not hold")
	// ErrRestricted: a delete found records that a restrict policy protects.
	ErrRestricted = errors.New("the delete is restricted")
	// ErrUnavailable: there is no IndexedDB here.
	ErrUnavailable = errors.New("IndexedDB is not available")
	// ErrQuota: the browser refused the write for lack of space.
	ErrQuota = errors.New("storage quota exceeded")
)

// Error wraps a storage failure with the store it happened in.
type Error struct {
	Store string // the object store, when known
	Op    string // what was being done: "open", "put", "get", ...
	Err   error  // one of the Err* values above, or the underlying error
	Msg   string // the storage engine's own words, when it gave some
}

func (e *Error) Error() string {
	s := "storage: " + e.Op
	if e.Store != "" {
		s += " in " + e.Store
	}
	s += ": " + e.Err.Error()
	if e.Msg != "" && e.Msg != e.Err.Error() {
		s += fmt.Sprintf(" (%s)", e.Msg)
	}
	return s
}

func (e *Error) Unwrap() error { return e.Err }
