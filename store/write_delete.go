package store

import (
	"fmt"
	"maps"
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

	roots  int
	seen   map[string]bool
	levels [][]reached
	edges  []edgeRead // the reads of the level being walked
	nulled []*nulledRecord
	at     map[string]int // nulled, by store and key
	out    deleteDecision
	// blocked, in a dry run, are the records restrict edges found: the
	// walk goes on past them to report everything (write_dryrun.go).
	blocked []reached
}

// reached is a record the walk reached: its store, the fields Go sees,
// and where the store holds it.
type reached struct {
	store string
	rec   Record
	read  int
	at    int
	via   string // the edge that reached it (Edge.Via); "" for a root
}

type edgeRead struct {
	edge Edge
	read int
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

// see is what Go needs of a store's records: the key, and the fields the
// store's cascading edges follow (everything, when the outbox copies the
// records).
func (d *deleteDecider) see(store string, cascades bool) ([]string, bool) {
	if d.p.Outbox != "" {
		return nil, true
	}
	sl := d.layout.Store(store)
	if sl == nil {
		return nil, true
	}
	fields := append([]string(nil), sl.KeyPath...)
	if cascades {
		for _, e := range d.p.Edges[store] {
			fields = append(fields, e.From...)
		}
	}
	return fields, false
}

// id names a record by its store and key, for marking. A string key is
// written as it is after a quote (no other key's JSON starts with one):
// a cascade marks each record it reaches, and writing 1,000 keys as JSON
// took a third of deciding their deletes.
func (d *deleteDecider) id(store string, rec Record) string {
	var k Key
	if sl := d.layout.Store(store); sl != nil {
		k, _ = KeyOf(rec, sl.KeyPath)
	}
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

func (d *deleteDecider) mark(store string, rec Record) bool {
	id := d.id(store, rec)
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
		see, all := d.see(q.Store, true)
		d.roots = b.add(Request{Op: "query", Store: q.Store, Query: &q, See: see, SeeAll: all || p.Condition != nil})
		return true, nil
	case 1:
		roots := res.records(d.roots)
		if p.Condition != nil && len(roots) > 0 && !p.Condition.Matches(roots[0]) {
			return false, &Error{Op: "delete", Store: p.Roots.Store, Err: ErrConditionFailed, Msg: p.ConditionMessage}
		}
		var level []reached
		for j, r := range roots {
			if d.mark(p.Roots.Store, r) {
				level = append(level, reached{store: p.Roots.Store, rec: r, read: d.roots, at: j})
			}
		}
		d.phase = 2
		return d.walk(b, level), nil
	case 2:
		var next []reached
		d.room(res)
		for _, er := range d.edges {
			e := er.edge
			recs := res.records(er.read)
			switch e.Action {
			case "restrict":
				if d.p.DryRun {
					for j, r := range recs {
						d.blocked = append(d.blocked, reached{store: e.Store, rec: r, read: er.read, at: j, via: e.Via})
					}
					continue
				}
				if len(recs) > 0 {
					return false, &Error{Op: "delete", Store: e.Store, Err: ErrRestricted, Msg: restrictMessage(e, d.layout, recs)}
				}
			case "setNull":
				for j, r := range recs {
					id := d.id(e.Store, r)
					i, ok := d.at[id]
					if !ok {
						i = len(d.nulled)
						d.at[id] = i
						d.nulled = append(d.nulled, &nulledRecord{reached: reached{store: e.Store, rec: r, read: er.read, at: j, via: e.Via}})
					}
					for _, f := range e.To {
						d.nulled[i].set = d.nulled[i].set.With(f, nil)
					}
				}
			default:
				for j, r := range recs {
					if d.mark(e.Store, r) {
						next = append(next, reached{store: e.Store, rec: r, read: er.read, at: j, via: e.Via})
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
				see, all := d.see(e.Store, e.Action == "")
				d.edges = append(d.edges, edgeRead{edge: e, read: b.add(Request{Op: "query", Store: q.Store, Query: &q, See: see, SeeAll: all})})
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
		if d.seen[d.id(n.store, n.rec)] {
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
func restrictMessage(e Edge, layout Layout, recs []Record) string {
	msg := e.Message + " ("
	for i, r := range recs {
		if i == 3 {
			msg += fmt.Sprintf(", and %d more", len(recs)-3)
			break
		}
		if i > 0 {
			msg += ", "
		}
		k, _ := KeyOf(r, layout.Store(e.Store).KeyPath)
		msg += e.Store + " " + JSONText(k)
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
