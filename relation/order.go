package relation

import (
	"sort"
	"sync"
	"time"
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

func seqOf(r Record) float64 {
	f, _ := r[seqField].(float64)
	return f
}

// inInsertionOrder sorts records by their sequence, stably.
func inInsertionOrder(recs []Record) {
	sort.SliceStable(recs, func(i, j int) bool { return seqOf(recs[i]) < seqOf(recs[j]) })
}

// public removes the storage-only fields from a record read from storage.
func public(r Record) Record {
	if r != nil {
		delete(r, seqField)
	}
	return r
}

// publicAll sorts records read from storage into insertion order and
// removes their storage-only fields.
func publicAll(recs []Record) []Record {
	inInsertionOrder(recs)
	for _, r := range recs {
		public(r)
	}
	return recs
}
