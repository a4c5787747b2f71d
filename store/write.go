package store

// The decisions of a write, taken once, in Go, for both stores.
//
// A write (a save plan, a delete plan, a batch plan) runs as a sequence of
// steps. A step is a list of primitive requests (reads by key, by range or
// index; counts; puts; adds; deletes) that a store issues in order in one
// read-write transaction. When the step's requests have succeeded, the
// store either finishes (the step carried the write's outcome) or hands
// the results back to the write's decider, which takes the next decisions
// and answers with the next step. The memory store runs the steps itself
// (runWrite); the IndexedDB executor issues them and calls back into Go
// synchronously from the last request's success event, which keeps the
// transaction alive.
//
// Records stay with the store where Go need not see them: a request's
// value names the caller's record or a record read earlier, and the
// outcome refers to records by the request that wrote or read them
// (RecordRef); a read says which fields of its records Go needs (See).

import "slices"

// Request is one primitive request of a step.
type Request struct {
	// Op is "get" (by Key; its result is a list of none or one record),
	// "query", "count" (how many records Query selects), "put", "add"
	// (fails when the key is taken) or "delete" (by Key, or the records
	// at positions At of the results of request Read).
	Op    string
	Store string
	Key   Key
	Read  int
	At    []int
	Query *Query
	// See lists the fields of each read record the decider needs in the
	// step's results; SeeAll sends whole records. With neither, a read's
	// records are only held for later reference.
	See    []string
	SeeAll bool
	// SeeKey, instead, names the store's one key field: the step's
	// results then list each read record's key alone, not an object per
	// record (a cascade sees its 1,000 comments as 1,000 strings).
	SeeKey string
	// Expect, on a count, says a count of 0 needs a decision: the store
	// then hands the step's results to the decider even without Then.
	Expect bool
	// Value is what a put or an add writes.
	Value *Value
	// Report, on an add, reports a taken key in the results instead of
	// failing the transaction, and reports the key written.
	Report bool
	// Run, in the JSON for the executor only, is how many adds this one
	// stands for (write_runs.go).
	Run int
}

// Value is a record to write: a copy of the caller's record Input, or of
// record At of the results of request Read, or Record itself, with the
// fields of Set set on it.
type Value struct {
	Input  int
	Read   int
	At     int
	Record Record
	Set    Fields
	// Step, with a request's Run, lists the fields of Set that go up by
	// one from each add to the next.
	Step []string
}

// readValue is record at of request read's results, with set.
func readValue(read, at int, set Fields) *Value {
	return &Value{Input: -1, Read: read, At: at, Set: set}
}

// literal is rec as it is.
func literal(rec Record) *Value { return &Value{Input: -1, Read: -1, Record: rec} }

// RecordRef names a record the store holds: the value written by request
// Write, or, when Write is -1, record At of the results of request Read;
// the fields in Omit are left out of the copy handed back.
type RecordRef struct {
	Write int
	Read  int
	At    int
	Omit  []string
}

// Step is what the store does next: issue Requests in order, then, with
// Then, when an add reported a taken key or when an expected count is 0,
// hand the results to the decider; else finish with Outcome.
type Step struct {
	Scope    []string
	Requests []Request
	Then     bool
	// Commit says that no decision can follow the step, once its expected
	// counts are found non-zero, but a restart (an add that finds its key
	// taken): the store may commit as soon as the requests are issued, or
	// the last expected count has succeeded (a put in its own transaction
	// took 0.43 ms so in Chromium, 0.59 ms waiting for its success), and,
	// on a taken key, run the write again from the start (writer.restart)
	// in a new transaction.
	Commit  bool
	Outcome []byte // JSON, records as RecordRefs ({"$w": n} or {"$r": n, "at": j})
	// ReadOnly, on the first step, says no step writes (a dry run): the
	// store runs the write in a read-only transaction.
	ReadOnly bool
	// Solo, on the first step, says the write may delete records: the
	// store must be alone with its database first (see presence).
	Solo bool
}

// results are the results of one step's requests, numbered from base: a
// read's seen records ([]any of map[string]any), a count (float64), a
// reported add ({taken, key}), or nil.
type results struct {
	base int
	list []any
}

func (r results) at(n int) any {
	i := n - r.base
	if i < 0 || i >= len(r.list) {
		return nil
	}
	return r.list[i]
}

// records are the seen records of read n.
func (r results) records(n int) []Record {
	list, _ := r.at(n).([]any)
	out := make([]Record, 0, len(list))
	for _, v := range list {
		if m, ok := v.(map[string]any); ok {
			out = append(out, m)
		}
	}
	return out
}

// keys are the keys of read n, seen by SeeKey.
func (r results) keys(n int) []any {
	list, _ := r.at(n).([]any)
	return list
}

// count is the count of request n.
func (r results) count(n int) float64 {
	c, _ := r.at(n).(float64)
	return c
}

// taken reports whether add n found its key taken, and the key it wrote.
func (r results) taken(n int) (bool, Key) {
	m, _ := r.at(n).(map[string]any)
	t, _ := m["taken"].(bool)
	return t, m["key"]
}

// builder collects the requests of a step, numbering them from the
// number of requests issued before in the transaction.
type builder struct {
	base int
	w    *writer // the write the step is of
	reqs []Request
	// counts are the counts issued in this step, by query, while no write
	// to their store has followed: a batch of comments of one post counts
	// the post once.
	counts map[string]int
	// counted are the stores of the counts in counts: a write to another
	// store (a batch of comments, counting their post) leaves counts as
	// it is without ranging over it (a map range costs two random numbers
	// and an iterator in wasm).
	counted []string
	scratch []byte // count's key, made again for each count
	// lastCount is the count issued or reused last, while no write to its
	// store has followed, and lastN its request: the saves of a batch of
	// one parent's children count the same parent, found here without
	// writing and hashing the query's key each time.
	lastCount *Query
	lastN     int
	// lastKnown and lastUnknown are the lookups known() answered last: a
	// batch of one parent's children asks about the same one each time,
	// and within a step only a delete changes the answer.
	lastKnown, lastUnknown *Query
}

func (b *builder) add(r Request) int {
	if r.Op == "delete" && b.w != nil {
		// Forgotten now, before the transaction starts: a save planned
		// after this one checks the record again.
		b.lastKnown, b.lastUnknown = nil, nil
		key := r.Key
		if r.At != nil {
			key = nil // records of a read: every record of the store
		}
		b.w.pres.forget(r.Store, key)
	}
	switch r.Op {
	case "put", "add", "delete":
		if b.lastCount != nil && b.lastCount.Store == r.Store {
			b.lastCount = nil
		}
		if i := slices.Index(b.counted, r.Store); i >= 0 {
			b.counted = slices.Delete(b.counted, i, i+1)
			for k, n := range b.counts {
				if b.reqs[n-b.base].Store == r.Store {
					delete(b.counts, k)
				}
			}
		}
	}
	b.reqs = append(b.reqs, r)
	return b.base + len(b.reqs) - 1
}

// known reports whether the record q looks up is known to exist (its
// count can be left out); otherwise the write learns that it exists, if
// it commits, from the count the caller issues.
func (b *builder) known(q *Query) bool {
	if b.w == nil || b.w.pres == nil || b.w.readOnly {
		return false
	}
	switch {
	case b.lastKnown != nil && sameKeyLookup(b.lastKnown, q):
		return true
	case b.lastUnknown != nil && sameKeyLookup(b.lastUnknown, q):
		return false // its fact is taken already
	}
	f, ok := lookupFact(q)
	if !ok {
		return false
	}
	if b.w.pres.has(f) {
		b.lastKnown = q
		return true
	}
	b.lastUnknown = q
	b.w.facts = append(b.w.facts, f)
	return false
}

// stored says the write stores the record of key in store, if it commits:
// learnt when the store is one whose records saves require.
func (b *builder) stored(store string, key Key) {
	if b.w == nil || b.w.pres == nil || !b.w.pres.required(store) {
		return
	}
	if t, ok := keyText(key); ok {
		b.w.facts = append(b.w.facts, fact{store: store, key: t})
	}
}

// count issues a count of q, or reuses an equal one issued before in the
// step with no write to its store since.
func (b *builder) count(q *Query) int {
	if b.lastCount != nil && sameKeyLookup(b.lastCount, q) {
		return b.lastN
	}
	b.scratch = q.AppendJSON(b.scratch[:0])
	n, ok := b.counts[string(b.scratch)]
	if !ok {
		n = b.add(Request{Op: "count", Store: q.Store, Query: q, Expect: true})
		if b.counts == nil {
			b.counts = map[string]int{}
		}
		b.counts[string(b.scratch)] = n
		if !slices.Contains(b.counted, q.Store) {
			b.counted = append(b.counted, q.Store)
		}
	}
	b.lastCount, b.lastN = q, n
	return n
}

// sameKeyLookup reports whether a and b are both a lookup of one string
// or number key (of a store or an index, nothing else set) and the same
// one; false says nothing (count compares their JSON then).
func sameKeyLookup(a, b *Query) bool {
	if !a.keyLookup() || !b.keyLookup() || a.Store != b.Store || a.Index != b.Index {
		return false
	}
	switch x := a.Range.Eq.(type) {
	case string:
		y, ok := b.Range.Eq.(string)
		return ok && x == y
	case float64:
		y, ok := b.Range.Eq.(float64)
		return ok && x == y
	}
	return false
}

// keyLookup: q reads the records of one key (Range.Eq), with nothing else.
func (q *Query) keyLookup() bool {
	r := q.Range
	return r != nil && r.Eq != nil && r.Lower == nil && r.Upper == nil && !r.LowerOpen && !r.UpperOpen &&
		q.Keys == nil && q.Limit == 0 && !q.Reverse && q.Filter == nil && len(q.Order) == 0 && q.Offset == 0 && q.Count == 0 && len(q.Omit) == 0
}

// decider is one save's or one delete's decisions.
type decider interface {
	// step adds the next requests; res holds the results of the step
	// before (nil on the first call). wait asks for the results of these
	// requests; without it the decider may still be called again when an
	// add of its reported a taken key.
	step(b *builder, res *results) (wait bool, err error)
	// finished reports whether the decider's outcome is final.
	finished() bool
	// appendOutcome writes the outcome as JSON with RecordRefs.
	appendOutcome(dst []byte) []byte
	// outcome is the outcome with its records resolved.
	outcome(resolve func(RecordRef) Record) StepOutcome
}

// writer runs one write's deciders: in order, each started when the one
// before has finished, or, with eager, all at once.
type writer struct {
	scope  []string
	ds     []decider
	eager  bool
	batch  bool // the outcome is {steps: [...]}; else the one decider's
	cur    int  // in order: the decider running
	issued int  // requests issued so far in the transaction
	begun  bool
	// again, for a write with fresh saves, is the same write reading
	// first: a store that committed a step early (Step.Commit) and found a
	// key taken runs it in a new transaction (restart).
	again func() (*writer, error)
	// readOnly: no decider writes (a dry run; Step.ReadOnly).
	readOnly bool
	// deletes: a decider may delete records, so the store must be alone
	// with its database while it runs (Step.Solo; see presence).
	deletes bool

	// pres is what the store knows exists (nil: nothing); facts are what
	// the write teaches it once committed, planned under generation gen;
	// expected says the store counted the write as unsettled.
	pres     *presence
	facts    []fact
	gen      uint64
	expected bool
}

// knowing gives the write what its store knows exists.
func (w *writer) knowing(p *presence) {
	w.pres = p
	w.gen = p.generation()
}

// restart makes w the write again from its first step, every save reading
// the stored record first.
func (w *writer) restart() error {
	if w.again == nil {
		return &Error{Op: "write", Err: ErrAborted, Msg: "the write cannot start again"}
	}
	nw, err := w.again()
	if err != nil {
		return err
	}
	// The attempt aborted: it teaches nothing, the new one what it finds.
	pres, expected := w.pres, w.expected
	*w = *nw
	w.knowing(pres)
	w.expected = expected
	return nil
}

// next returns the step after res (nil: the first step, which carries
// the transaction's scope).
func (w *writer) next(res *results) (Step, error) {
	b := &builder{base: w.issued, w: w}
	if w.eager {
		b.reqs = make([]Request, 0, len(w.ds)+1) // a batch: a request or so per decider
	}
	first := !w.begun
	w.begun = true
	wait := false
	if w.eager {
		for _, d := range w.ds {
			if !first && d.finished() {
				continue
			}
			r := res
			if first {
				r = nil
			}
			dw, err := d.step(b, r)
			if err != nil {
				return Step{}, err
			}
			wait = wait || dw
		}
	} else {
		started := first
		for w.cur < len(w.ds) {
			d := w.ds[w.cur]
			r := res
			if started {
				r = nil
			}
			dw, err := d.step(b, r)
			if err != nil {
				return Step{}, err
			}
			if dw || !d.finished() {
				// In order: the next decider starts once this one is
				// known to have finished.
				wait = true
				break
			}
			w.cur++
			started = true
		}
	}
	w.issued += len(b.reqs)
	s := Step{Requests: b.reqs, Then: wait, Commit: !wait}
	if first {
		s.Scope = w.scope
		s.ReadOnly = w.readOnly
		s.Solo = w.deletes && !w.readOnly
	}
	if !wait {
		s.Outcome = w.appendOutcome(nil)
	}
	return s, nil
}

// done reports whether every decider has finished.
func (w *writer) done() bool {
	for _, d := range w.ds {
		if !d.finished() {
			return false
		}
	}
	return true
}

func (w *writer) appendOutcome(dst []byte) []byte {
	if !w.batch {
		return w.ds[0].appendOutcome(dst)
	}
	dst = append(dst, `{"steps":[`...)
	for i := 0; i < len(w.ds); {
		if i > 0 {
			dst = append(dst, ',')
		}
		if n := saveOutcomeRun(w.ds, i); n >= minRun {
			dst = w.ds[i].(*saveDecider).appendOutcomeRun(dst, n)
			i += n
			continue
		}
		dst = w.ds[i].appendOutcome(dst)
		i++
	}
	return append(dst, "]}"...)
}

// newSaveWriter is the writer of a save plan: input is the caller's record
// number (-1: p.Record is the record), fresh marks a record the caller made
// (most likely new: it is added without a read first).
func newSaveWriter(layout Layout, p *SavePlan, input int, fresh bool) (*writer, error) {
	d, err := newSaveDecider(layout, p, input, fresh)
	if err != nil {
		return nil, err
	}
	w := &writer{scope: saveScope(p), ds: []decider{d}, eager: true}
	if fresh {
		w.again = func() (*writer, error) { return newSaveWriter(layout, p, input, false) }
	}
	return w, nil
}

// saveScope is the stores a save plan touches.
func saveScope(p *SavePlan) []string {
	scope := []string{p.Store}
	for _, r := range p.Require {
		scope = append(scope, r.Query.Store)
	}
	if p.Outbox != "" {
		scope = append(scope, p.Outbox)
	}
	return unique(scope)
}

func unique(list []string) []string {
	out := list[:0:0]
	for _, s := range list {
		dup := false
		for _, t := range out {
			dup = dup || s == t
		}
		if !dup {
			out = append(out, s)
		}
	}
	return out
}

// newDeleteWriter is the writer of a delete plan.
func newDeleteWriter(layout Layout, p *DeletePlan) *writer {
	return &writer{scope: unique(p.Scope), ds: []decider{newDeleteDecider(layout, p)}, eager: true, readOnly: p.DryRun, deletes: true}
}

// newBatchWriter is the writer of a batch plan; a save step's record is
// the caller's record of the step's number when inputs is set, and fresh
// (when given) marks the records the caller made.
func newBatchWriter(layout Layout, p *BatchPlan, inputs bool, fresh []bool) (*writer, error) {
	w := &writer{scope: unique(p.Scope), eager: p.Eager, batch: true, ds: make([]decider, 0, len(p.Steps))}
	saves := make([]saveDecider, len(p.Steps)) // one allocation for every save's decider, zero
	for _, f := range fresh {
		if f {
			w.again = func() (*writer, error) { return newBatchWriter(layout, p, inputs, nil) }
			break
		}
	}
	for i, s := range p.Steps {
		switch {
		case s.Save != nil:
			input := -1
			if inputs {
				input = i
			}
			d := &saves[i]
			if err := d.init(layout, s.Save, input, i < len(fresh) && fresh[i]); err != nil {
				return nil, err
			}
			w.ds = append(w.ds, d)
		case s.Delete != nil:
			w.ds = append(w.ds, newDeleteDecider(layout, s.Delete))
			w.deletes = true
		}
	}
	return w, nil
}
