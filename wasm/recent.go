//go:build js && wasm

package main

import (
	"errors"
	"sync"

	"github.com/datastore-wasm/datastore-wasm/relation"
)

// constructed keeps the records the last constructors and copyOfs made,
// by ticket: each put hands out the next ticket, which the module stamps
// on the instance, and a save of that instance sends the ticket instead
// of the record's JSON. The records are JSON values (what the constructor
// validated from parsed JSON), and no one changes a record after planning,
// so one record may serve several saves.
//
// Tickets replaced texts (a save sent the record's JSON, and the ring was
// searched for an equal text): a batch of 1,000 then no longer copies
// 200 KB of JSON into Go's memory, and a constructor keeps no copy of its
// answer.
var constructed = recentRecords{ring: make([]relation.Record, 1024)}

// errStaleTicket is a save's answer when its record's ticket is no longer
// kept (more than len(ring) records were made since): the module sends
// the record's JSON instead.
var errStaleTicket = errors.New("the record of this ticket is no longer kept; send its JSON")

type recentRecords struct {
	mu   sync.Mutex
	ring []relation.Record // ticket t in slot t % len(ring)
	last float64           // the last ticket handed out (0: none yet)
}

// put keeps rec and returns its ticket, a whole number from 1 (a float64:
// 2^53 puts before one repeats, and JavaScript reads it as a number).
func (r *recentRecords) put(rec relation.Record) float64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.last++
	r.ring[r.slot(r.last)] = rec
	return r.last
}

// record is the record of ticket, or nil when it is not kept: ticket 0
// (none), a ticket never handed out, or one whose slot has been reused.
func (r *recentRecords) record(ticket float64) relation.Record {
	r.mu.Lock()
	defer r.mu.Unlock()
	if ticket < 1 || ticket > r.last || r.last-ticket >= float64(len(r.ring)) || ticket != float64(int64(ticket)) {
		return nil
	}
	return r.ring[r.slot(ticket)]
}

func (r *recentRecords) slot(ticket float64) int {
	return int(int64(ticket) % int64(len(r.ring)))
}

// recordOf is a save's record: the one kept for ticket, else text parsed
// (a record read from storage, or one made too long ago); errStaleTicket
// when neither is there.
func recordOf(ticket float64, text string) (relation.Record, error) {
	if rec := constructed.record(ticket); rec != nil {
		return rec, nil
	}
	if text == "" {
		return nil, errStaleTicket
	}
	rec, err := relation.ParseRecord(text)
	if err != nil {
		return nil, argError(err)
	}
	return rec, nil
}
