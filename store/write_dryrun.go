package store

import "sort"

// A dry run of a delete (DeletePlan.DryRun) is the same decider walking
// the same steps on both stores, in a read-only transaction
// (Step.ReadOnly): the condition, the reads level by level under each
// edge's policy, the marks that end a cycle. It differs in two places
// only: a restrict edge
// that finds records lists them as blocked and the walk goes on (a real
// delete fails there), and the last step issues no deletes, puts or
// outbox entries. Its outcome lists, as they are stored now, the records
// the delete would remove (deepest level first, the roots last), those
// whose keys it would set to null (with the fields), and the blocking
// ones, each with the edge that reached it.

// appendDryRunOutcome writes the outcome as JSON with RecordRefs to the
// records read: {"removed":[{store, via, record}], "roots", "updated":
// [{store, via, fields, record}], "blocked":[{store, via, record}]}.
func (d *deleteDecider) appendDryRunOutcome(dst []byte) []byte {
	o := begin(dst)
	list := func(k string, recs []reached, fields func(i int) []string) {
		o.key(k)
		o.dst = append(o.dst, '[')
		for i, r := range recs {
			if i > 0 {
				o.dst = append(o.dst, ',')
			}
			e := begin(o.dst)
			e.str("store", r.store)
			if r.via != "" {
				e.str("via", r.via)
			}
			if fields != nil {
				e.strings("fields", fields(i))
			}
			e.key("record")
			e.dst = RecordRef{Write: -1, Read: r.read, At: r.at, Omit: d.p.Omit}.AppendJSON(e.dst)
			o.dst = e.end()
		}
		o.dst = append(o.dst, ']')
	}
	list("removed", d.wouldRemove(), nil)
	o.value("roots", d.out.roots)
	nulled := d.wouldNull()
	recs := make([]reached, len(nulled))
	for i, n := range nulled {
		recs[i] = n.reached
	}
	list("updated", recs, func(i int) []string { return nulledFields(nulled[i]) })
	list("blocked", d.blocked, nil)
	return o.end()
}

// dryRunOutcome is the outcome with its records resolved.
func (d *deleteDecider) dryRunOutcome(resolve func(RecordRef) Record) StepOutcome {
	var out DeleteOutcome
	out.Roots = d.out.roots
	record := func(r reached) Record {
		return resolve(RecordRef{Write: -1, Read: r.read, At: r.at, Omit: d.p.Omit})
	}
	for _, r := range d.wouldRemove() {
		out.Removed = append(out.Removed, Removed{Store: r.store, Record: record(r), Via: r.via})
	}
	for _, n := range d.wouldNull() {
		out.Updated = append(out.Updated, Removed{Store: n.store, Record: record(n.reached), Via: n.via, Fields: nulledFields(n)})
	}
	for _, r := range d.blocked {
		out.Blocked = append(out.Blocked, Removed{Store: r.store, Record: record(r), Via: r.via})
	}
	return StepOutcome{DeleteOutcome: out}
}

// wouldRemove lists the records reached, in the order a delete removes
// them: the deepest level first, the roots last.
func (d *deleteDecider) wouldRemove() []reached {
	var out []reached
	for i := len(d.levels) - 1; i >= 0; i-- {
		out = append(out, d.levels[i]...)
	}
	return out
}

// wouldNull lists the records whose keys a delete clears: those it does
// not delete as well.
func (d *deleteDecider) wouldNull() []*nulledRecord {
	var out []*nulledRecord
	for _, n := range d.nulled {
		if !d.seen[id(n.store, n.key)] {
			out = append(out, n)
		}
	}
	return out
}

func nulledFields(n *nulledRecord) []string {
	out := make([]string, 0, len(n.set))
	for _, f := range n.set {
		out = append(out, f.Name)
	}
	sort.Strings(out)
	return out
}
