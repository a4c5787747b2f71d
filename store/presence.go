package store

import (
	"strconv"
	"strings"
	"sync"
)

// Records known to exist, so that a save's requirement on one (a
// comment's post) need not be read again in the save's transaction.
//
// A requirement read is a round trip: the transaction cannot commit until
// the count comes back. In Chromium a put with its commit asked at once
// took 615 µs, the same put waiting for a count of another store 857-934
// µs (bench/probe measurements in docs/design.md). A store that knows
// the required record exists, and knows nothing can have deleted it
// since, skips the read.
//
// What makes the knowledge sound:
//   - It is learnt only from transactions that committed: a record this
//     store saved, or a requirement its count found.
//   - It is learnt and used only while the store is alone (solo): no other
//     connection to the database deletes records meanwhile. The memory
//     store always is; an IndexedDB connection is while it holds its
//     database's exclusive Web Lock (store/indexeddb_exec.js), which any
//     other tab must get from it before a write that may delete. Losing
//     it forgets everything; writes planned with the knowledge settle
//     before the lock is handed over.
//   - Every delete this store plans forgets what it deletes (a key, or
//     the whole object store when the keys are not known in Go, as a
//     cascade's), before its transaction starts; and a save that commits
//     after a delete was planned teaches nothing (the generation moved).
type presence struct {
	mu    sync.Mutex
	solo  bool
	gen   uint64                         // moves at every forgetting
	known map[string]map[string]struct{} // store → keyText → present
	// unsettled counts the writes with facts not yet known to have
	// committed or failed; poll (when set) takes in those that settled.
	unsettled int
	poll      func()
	// requires are the stores whose records saves have required: only
	// their records saved are learnt.
	requires map[string]bool
}

// fact is one record known to exist once its write commits.
type fact struct {
	store string
	key   string // keyText
}

// maxKnown bounds what a store remembers: past it, everything is
// forgotten and learnt again.
const maxKnown = 100_000

func newPresence(solo bool) *presence {
	return &presence{solo: solo, known: map[string]map[string]struct{}{}, requires: map[string]bool{}}
}

// keyText is a key as a map key: ok is false for a key presence does not
// track (a composite key of other than strings and numbers).
func keyText(k Key) (string, bool) {
	switch v := k.(type) {
	case string:
		return "s" + v, true
	case float64:
		return "n" + strconv.FormatFloat(v, 'g', -1, 64), true
	case []any:
		var b strings.Builder
		b.WriteByte('a')
		for _, part := range v {
			t, ok := keyText(part)
			if !ok || strings.IndexByte(t, 0) >= 0 {
				return "", false
			}
			b.WriteString(t)
			b.WriteByte(0)
		}
		return b.String(), true
	}
	return "", false
}

// lookupFact is the record q reads when q is a lookup of one primary key.
func lookupFact(q *Query) (fact, bool) {
	if q == nil || q.Index != "" || !q.keyLookup() {
		return fact{}, false
	}
	t, ok := keyText(q.Range.Eq)
	return fact{store: q.Store, key: t}, ok
}

// has reports whether the record of f is known to exist. When it is not
// and writes with facts are unsettled, it takes in those that settled
// (poll: an IndexedDB store asks its executor) and looks again.
func (p *presence) has(f fact) bool {
	if p == nil {
		return false
	}
	p.mu.Lock()
	p.requires[f.store] = true
	ok, waiting := p.hasLocked(f), p.solo && p.unsettled > 0 && p.poll != nil
	poll := p.poll
	p.mu.Unlock()
	if ok || !waiting {
		return ok
	}
	poll()
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.hasLocked(f)
}

// required reports whether saves have required records of store.
func (p *presence) required(store string) bool {
	if p == nil {
		return false
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.solo && p.requires[store]
}

func (p *presence) hasLocked(f fact) bool {
	if !p.solo {
		return false
	}
	_, ok := p.known[f.store][f.key]
	return ok
}

// generation is the generation facts planned now are learnt under.
func (p *presence) generation() uint64 {
	if p == nil {
		return 0
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.gen
}

// expect counts a write whose facts settle later (settle).
func (p *presence) expect() {
	if p == nil {
		return
	}
	p.mu.Lock()
	p.unsettled++
	p.mu.Unlock()
}

// settle ends a write that expect counted: its facts, planned under gen,
// become known when it committed and nothing was forgotten since.
func (p *presence) settle(gen uint64, facts []fact, committed bool) {
	if p == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.unsettled > 0 {
		p.unsettled--
	}
	if committed {
		p.learnLocked(gen, facts)
	}
}

// learn records the facts of a write that committed, planned under gen.
func (p *presence) learn(gen uint64, facts []fact) {
	if p == nil || len(facts) == 0 {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.learnLocked(gen, facts)
}

func (p *presence) learnLocked(gen uint64, facts []fact) {
	if !p.solo || gen != p.gen {
		return
	}
	for _, f := range facts {
		keys := p.known[f.store]
		if keys == nil {
			keys = map[string]struct{}{}
			p.known[f.store] = keys
		}
		if len(keys) >= maxKnown {
			clear(keys)
		}
		keys[f.key] = struct{}{}
	}
}

// forget drops what is known of the record of key in store, or of every
// record of store when key is nil; the facts of writes planned before
// are no longer learnt.
func (p *presence) forget(store string, key Key) {
	if p == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	keys := p.known[store]
	if key == nil {
		delete(p.known, store)
	} else if t, ok := keyText(key); ok {
		delete(keys, t)
	} else {
		delete(p.known, store)
	}
	p.gen++
}

// setSolo says whether the store is alone with its database: it forgets
// everything either way.
func (p *presence) setSolo(solo bool) {
	if p == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.solo = solo
	p.gen++
	clear(p.known)
}
