package store

import (
	"fmt"
	"maps"
	"slices"
)

// deleteDecider takes a delete plan's decisions: the condition on the
// first root, then the walk along the planned edges one level at a time
// (one step of reads per level), each edge under its policy (cascade,
// setNull, restrict), each record marked when reached so that a cycle
// ends the walk, then the deletes, deepest level first, and the records
// whose keys were set to null.
type deleteDecider struct {
	p      *DeletePlan
	layout Layout
	phase  int // 0: not started; 1: roots read; 2: walking; 3: done

	roots int
	// rootsKeyOnly: the roots' read shows their keys alone (SeeKey).
	rootsKeyOnly bool
	seen         map[string]bool
	levels       [][]reached
	edges        []edgeRead // the reads of the level being walked
	nulled       []*nulledRecord
	at           map[string]int // nulled, by store and key
	out          deleteDecision
	// blocked, in a dry run, are the records restrict edges found: the
	// walk goes on past them to report everything (write_dryrun.go).
	blocked []reached
}

// reached is a record the walk reached: its store, its key, the fields
// Go sees (nil when it sees the key alone and no edge starts from the
// store), and where the store holds it.
type reached struct {
	store string
	key   Key
	rec   Record
	read  int
	at    int
	via   string // the edge that reached it (Edge.Via); "" for a root
}

type edgeRead struct {
	edge    Edge
	read    int
	keyOnly bool // the read's records are seen by their keys (Request.SeeKey)
}

// nulledRecord is a record whose key fields set clears.
type nulledRecord struct {
	reached
	set Fields
}

// deleteDecision lists the deleted records, descendants before ancestors,
// how many are roots, and the records whose keys were set to null.
type deleteDecision struct {
	removed []storedRun
	roots   int
	updated []storedRef
}

// storedRun is records at positions At of the results of request Read.
type storedRun struct {
	store string
	read  int
	at    []int
	omit  []string
}

type storedRef struct {
	store  string
	record RecordRef
}

func newDeleteDecider(layout Layout, p *DeletePlan) *deleteDecider {
	return &deleteDecider{p: p, layout: layout, seen: map[string]bool{}, at: map[string]int{}}
}

func (d *deleteDecider) finished() bool { return d.phase == 3 }

// read is the request of a read of q whose records Go sees: the key,
// and the fields the store's cascading edges follow (everything, when
// the outbox copies the records, or with all). When that is the store's
// one key field alone, the read's results are the records' keys
// (keyOnly): a cascade sees its 1,000 comments as 1,000 strings, not as
// 1,000 objects to write, parse and make maps of.
func (d *deleteDecider) read(q *Query, cascades, all bool) (r Request, keyOnly bool) {
	r = Request{Op: "query", Store: q.Store, Query: q}
	sl := d.layout.Store(q.Store)
	if all || d.p.Outbox != "" || sl == nil {
		r.SeeAll = true
		return r, false
	}
	fields := append([]string(nil), sl.KeyPath...)
	if cascades {
		for _, e := range d.p.Edges[q.Store] {
			fields = append(fields, e.From...)
		}
	}
	if len(sl.KeyPath) == 1 && !slices.ContainsFunc(fields, func(f string) bool { return f != sl.KeyPath[0] }) {
		r.SeeKey = sl.KeyPath[0]
		return r, true
	}
	r.See = fields
	return r, false
}

// reachedOf is what Go saw of the records of read n of store, each as a
// record reached (via: by the edge), in order.
func (d *deleteDecider) reachedOf(res *results, store string, n int, keyOnly bool, via string) []reached {
	sl := d.layout.Store(store)
	if keyOnly {
		keys := res.keys(n)
		out := make([]reached, len(keys))
		// The edges from the store follow the key: they read it from a
		// record of the key alone.
		walks := len(d.p.Edges[store]) > 0
		for j, k := range keys {
			out[j] = reached{store: store, key: k, read: n, at: j, via: via}
			if walks {
				out[j].rec = Record{sl.KeyPath[0]: k}
			}
		}
		return out
	}
	recs := res.records(n)
	out := make([]reached, len(recs))
	for j, r := range recs {
		var k Key
		if sl != nil {
			k, _ = KeyOf(r, sl.KeyPath)
		}
		out[j] = reached{store: store, key: k, rec: r, read: n, at: j, via: via}
	}
	return out
}

// id names a record by its store and key, for marking. A string key is
// written as it is after a quote (no other key's JSON starts with one):
// a cascade marks each record it reaches, and writing 1,000 keys as JSON
// took a third of deciding their deletes.
func id(store string, k Key) string {
	if s, ok := k.(string); ok {
		return store + "\x00\"" + s
	}
	return store + "\x00" + JSONText(k)
}

// room grows seen once for the records of a level's reads, rather than
// step by step as each is marked.
func (d *deleteDecider) room(res *results) {
	n := 0
	for _, er := range d.edges {
		if l, ok := res.at(er.read).([]any); ok {
			n += len(l)
		}
	}
	if n > 64 {
		grown := make(map[string]bool, len(d.seen)+n)
		maps.Copy(grown, d.seen)
		d.seen = grown
	}
}

// mark marks f reached; false when it was before.
func (d *deleteDecider) mark(f reached) bool {
	id := id(f.store, f.key)
	if d.seen[id] {
		return false
	}
	d.seen[id] = true
	return true
}

func (d *deleteDecider) step(b *builder, res *results) (bool, error) {
	p := d.p
	switch d.phase {
	case 0:
		d.phase = 1
		q := p.Roots
		r, keyOnly := d.read(&q, true, p.Condition != nil)
		d.roots = b.add(r)
		d.rootsKeyOnly = keyOnly
		return true, nil
	case 1:
		roots := d.reachedOf(res, p.Roots.Store, d.roots, d.rootsKeyOnly, "")
		if p.Condition != nil && len(roots) > 0 && !p.Condition.Matches(roots[0].rec) {
			return false, &Error{Op: "delete", Store: p.Roots.Store, Err: ErrConditionFailed, Msg: p.ConditionMessage}
		}
		var level []reached
		for _, r := range roots {
			if d.mark(r) {
				level = append(level, r)
			}
		}
		d.phase = 2
		return d.walk(b, level), nil
	case 2:
		var next []reached
		d.room(res)
		for _, er := range d.edges {
			e := er.edge
			recs := d.reachedOf(res, e.Store, er.read, er.keyOnly, e.Via)
			switch e.Action {
			case "restrict":
				if d.p.DryRun {
					d.blocked = append(d.blocked, recs...)
					continue
				}
				if len(recs) > 0 {
					return false, &Error{Op: "delete", Store: e.Store, Err: ErrRestricted, Msg: restrictMessage(e, recs)}
				}
			case "setNull":
				for _, r := range recs {
					id := id(e.Store, r.key)
					i, ok := d.at[id]
					if !ok {
						i = len(d.nulled)
						d.at[id] = i
						d.nulled = append(d.nulled, &nulledRecord{reached: r})
					}
					for _, f := range e.To {
						d.nulled[i].set = d.nulled[i].set.With(f, nil)
					}
				}
			default:
				for _, r := range recs {
					if d.mark(r) {
						next = append(next, r)
					}
				}
			}
		}
		return d.walk(b, next), nil
	}
	return false, nil
}

// walk issues the edge reads from level, or, when nothing is left to
// read, the writes.
func (d *deleteDecider) walk(b *builder, level []reached) bool {
	d.edges = d.edges[:0]
	if len(level) > 0 {
		d.levels = append(d.levels, level)
		for _, f := range level {
			for _, e := range d.p.Edges[f.store] {
				q, ok := edgeQuery(e, f.rec)
				if !ok {
					continue
				}
				r, keyOnly := d.read(&q, e.Action == "", false)
				d.edges = append(d.edges, edgeRead{edge: e, read: b.add(r), keyOnly: keyOnly})
			}
		}
	}
	if len(d.edges) > 0 {
		return true
	}
	d.finish(b)
	return false
}

// finish issues the deletes, deepest level first, then the puts of the
// records whose keys were cleared (a record deleted as well stays
// deleted).
func (d *deleteDecider) finish(b *builder) {
	p := d.p
	d.phase = 3
	if len(d.levels) > 0 {
		d.out.roots = len(d.levels[0])
	}
	if p.DryRun {
		return // nothing is written; the outcome lists what would be
	}
	for i := len(d.levels) - 1; i >= 0; i-- {
		level := d.levels[i]
		for start := 0; start < len(level); {
			// A run of records from one read goes as one request: the
			// deletes of a large cascade are a list of positions, not a
			// list of keys and records.
			end := start + 1
			for end < len(level) && level[end].read == level[start].read && level[end].store == level[start].store {
				end++
			}
			run := storedRun{store: level[start].store, read: level[start].read, omit: p.Omit}
			for _, f := range level[start:end] {
				run.at = append(run.at, f.at)
			}
			b.add(Request{Op: "delete", Store: run.store, Read: run.read, At: run.at})
			d.out.removed = append(d.out.removed, run)
			if p.Outbox != "" {
				for _, f := range level[start:end] {
					e := outboxEntry(f.store, "DELETE", omit(copyRecord(f.rec), p.Omit))
					if i == 0 && p.Condition != nil { // the user's condition goes with the record deleted
						e["condition"] = filterValue(p.Condition)
					}
					b.add(Request{Op: "add", Store: p.Outbox, Value: literal(e)})
				}
			}
			start = end
		}
	}
	for _, n := range d.nulled {
		if d.seen[id(n.store, n.key)] {
			continue
		}
		w := b.add(Request{Op: "put", Store: n.store, Value: readValue(n.read, n.at, n.set)})
		d.out.updated = append(d.out.updated, storedRef{store: n.store, record: RecordRef{Write: w, Read: -1, Omit: p.Omit}})
		if p.Outbox != "" {
			rec := copyRecord(n.rec)
			n.set.setOn(rec)
			e := outboxEntry(n.store, "UPDATE", omit(rec, p.Omit))
			e["changed"] = changedFields(rec, n.rec, p.Omit)
			b.add(Request{Op: "add", Store: p.Outbox, Value: literal(e)})
		}
	}
}

// outboxEntry is the outbox entry of op on a record of store (see
// OutboxEntry).
func outboxEntry(store, op string, rec Record) Record {
	return Record{"model": store, "opType": op, "element": rec, "time": float64(nowMillis())}
}

// restrictMessage names the records that block a restricted delete.
func restrictMessage(e Edge, recs []reached) string {
	msg := e.Message + " ("
	for i, r := range recs {
		if i == 3 {
			msg += fmt.Sprintf(", and %d more", len(recs)-3)
			break
		}
		if i > 0 {
			msg += ", "
		}
		msg += e.Store + " " + JSONText(r.key)
	}
	return msg + ")"
}

func (d *deleteDecider) appendOutcome(dst []byte) []byte {
	if d.p.DryRun {
		return d.appendDryRunOutcome(dst)
	}
	refs := func(o *object, k string, list []storedRef) {
		o.key(k)
		o.dst = append(o.dst, '[')
		for i, r := range list {
			if i > 0 {
				o.dst = append(o.dst, ',')
			}
			e := begin(o.dst)
			e.str("store", r.store)
			e.key("record")
			e.dst = r.record.AppendJSON(e.dst)
			o.dst = e.end()
		}
		o.dst = append(o.dst, ']')
	}
	o := begin(dst)
	o.key("removed")
	o.dst = append(o.dst, '[')
	for i, r := range d.out.removed {
		if i > 0 {
			o.dst = append(o.dst, ',')
		}
		e := begin(o.dst)
		e.value("$each", r.read)
		e.str("store", r.store)
		e.key("at")
		e.dst = appendInts(e.dst, r.at)
		e.strings("omit", r.omit)
		o.dst = e.end()
	}
	o.dst = append(o.dst, ']')
	o.value("roots", d.out.roots)
	refs(o, "updated", d.out.updated)
	return o.end()
}

func (d *deleteDecider) outcome(resolve func(RecordRef) Record) StepOutcome {
	if d.p.DryRun {
		return d.dryRunOutcome(resolve)
	}
	var out DeleteOutcome
	out.Roots = d.out.roots
	for _, r := range d.out.removed {
		for _, j := range r.at {
			out.Removed = append(out.Removed, Removed{Store: r.store, Record: resolve(RecordRef{Write: -1, Read: r.read, At: j, Omit: r.omit})})
		}
	}
	for _, r := range d.out.updated {
		out.Updated = append(out.Updated, Removed{Store: r.store, Record: resolve(r.record)})
	}
	return StepOutcome{DeleteOutcome: out}
}
