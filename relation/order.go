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
//
// It also keeps the last timestamp it wrote, by millisecond: the saves of
// one millisecond (a batch's records) share one string instead of each
// formatting its own.
type sequence struct {
	mu   sync.Mutex
	last float64
	// isoMilli is the millisecond iso was written for.
	isoMilli int64
	iso      string
	// isoValue is iso boxed, once: a save sets it on two fields of its
	// record, and boxing a string costs an allocation a save in wasm.
	isoValue any
}

func (s *sequence) next() float64 {
	return s.at(time.Now())
}

// at is the next number for a clock reading of t.
func (s *sequence) at(t time.Time) float64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := float64(t.UnixMicro())
	if n <= s.last {
		n = s.last + 1
	}
	s.last = n
	return n
}

// isoTime is isoTime(t), written once per millisecond.
func (s *sequence) isoTime(t time.Time) string {
	return s.isoTimeValue(t).(string)
}

// isoTimeValue is isoTime(t) as an any, boxed once per millisecond.
func (s *sequence) isoTimeValue(t time.Time) any {
	ms := t.UnixMilli()
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.iso == "" || ms != s.isoMilli {
		s.isoMilli, s.iso = ms, isoTime(t)
		s.isoValue = s.iso
	}
	return s.isoValue
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
