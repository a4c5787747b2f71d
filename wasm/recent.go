//go:build js && wasm

package main

import (
	"sync"

	"github.com/datastore-wasm/datastore-wasm/relation"
)

// constructed keeps the records the last constructors and copyOfs made,
// with their JSON text: a save of that instance sends the same text, and
// its record is then taken from here instead of being parsed again. The
// records are JSON values (what the constructor validated from parsed
// JSON), so the record kept equals the text parsed; no one changes a
// record after planning, so one record may serve several saves.
//
// It is a ring looked up where a save's record is expected, not a map by
// text: hashing and deleting texts of a few hundred bytes (Go's hash is
// software on wasm) cost more than the parse it saved.
var constructed = recentRecords{ring: make([]recentRecord, 1024), hit: -1}

type recentRecords struct {
	mu   sync.Mutex
	ring []recentRecord // the oldest replaced first
	next int            // where the next put goes
	hit  int            // the slot the last lookup found, or -1
}

type recentRecord struct {
	text string
	rec  relation.Record
}

func (r *recentRecords) put(text []byte, rec relation.Record) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.ring[r.next] = recentRecord{text: string(text), rec: rec}
	r.next = (r.next + 1) % len(r.ring)
}

// record is the record of text: the one kept, or text parsed. back says
// how many puts ago it is expected (1: the latest constructor's; a batch
// of n records made in order, n-i for the i-th); the slot after the last
// one found is tried too (a batch saved in the order it was made).
func (r *recentRecords) record(text string, back int) (relation.Record, error) {
	r.mu.Lock()
	n := len(r.ring)
	for _, at := range [2]int{r.next - back, r.hit + 1} {
		at = (at%n + n) % n
		if e := &r.ring[at]; text != "" && e.text == text {
			r.hit = at
			rec := e.rec
			r.mu.Unlock()
			return rec, nil
		}
	}
	r.mu.Unlock()
	return relation.ParseRecord(text)
}
