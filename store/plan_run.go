package store

import (
	"context"
	"fmt"
	"time"
)

// runSave carries out a save plan in a transaction (the memory store's
// way; the IndexedDB executor does the same in JavaScript).
func runSave(tx Tx, sl *StoreLayout, p SavePlan) (SaveOutcome, error) {
	rec := make(Record, len(p.Record)+len(p.Set))
	for k, v := range p.Record {
		rec[k] = v
	}
	for k, v := range p.Set {
		rec[k] = v
	}
	key, ok := KeyOf(rec, sl.KeyPath)
	if !ok {
		return SaveOutcome{}, &Error{Op: "save", Store: p.Store, Err: ErrInvalidKey, Msg: "the record has no valid primary key"}
	}
	queries := []Query{{Store: p.Store, Range: Only(key)}}
	for _, r := range p.Require {
		queries = append(queries, r.Query)
	}
	found, err := tx.Query(queries)
	if err != nil {
		return SaveOutcome{}, err
	}
	for i, r := range p.Require {
		if len(found[i+1]) == 0 {
			return SaveOutcome{}, &Error{Op: "save", Store: p.Store, Err: ErrRequirement, Msg: r.Message}
		}
	}
	var existing Record
	if len(found[0]) > 0 {
		existing = found[0][0]
	}
	if existing != nil && p.Condition != nil && !p.Condition.Matches(existing) {
		return SaveOutcome{}, &Error{Op: "save", Store: p.Store, Err: ErrConditionFailed, Msg: p.ConditionMessage}
	}
	op := "INSERT"
	if existing != nil {
		op = "UPDATE"
		for _, f := range p.Keep {
			if v, ok := existing[f]; ok {
				rec[f] = v
			}
		}
		if equalExcept(rec, existing, p.Ignore) {
			return SaveOutcome{Record: omit(existing, p.Omit)}, nil
		}
	}
	tx.Put(p.Store, []Record{rec})
	out := omit(copyRecord(rec), p.Omit)
	appendOutbox(tx, p.Outbox, p.Store, op, out)
	return SaveOutcome{Op: op, Record: out}, nil
}

// appendOutbox appends one mutation to the outbox store, when there is one.
func appendOutbox(tx Tx, outbox, store, op string, rec Record) {
	if outbox != "" {
		tx.Put(outbox, []Record{{"model": store, "opType": op, "element": copyRecord(rec), "time": float64(nowMillis())}})
	}
}

// equalExcept reports whether a and b hold the same fields with equal
// values, leaving out the fields in ignore.
func equalExcept(a, b Record, ignore []string) bool {
	skip := func(k string) bool {
		for _, f := range ignore {
			if f == k {
				return true
			}
		}
		return false
	}
	n := 0
	for k, v := range a {
		if skip(k) {
			continue
		}
		w, ok := b[k]
		if !ok || !DeepEqual(v, w) {
			return false
		}
		n++
	}
	for k := range b {
		if !skip(k) {
			n--
		}
	}
	return n == 0
}

func omit(r Record, fields []string) Record {
	for _, f := range fields {
		delete(r, f)
	}
	return r
}

type found struct {
	store string
	rec   Record
}

// runDelete carries out a delete plan in a transaction: the roots, then the
// walk along the edges one level at a time (one batch of reads per level),
// then the deletes, deepest level first. A record reached twice is deleted
// once, so the walk ends even on a cycle.
func runDelete(tx Tx, layout Layout, p DeletePlan) (DeleteOutcome, error) {
	res, err := tx.Query([]Query{p.Roots})
	if err != nil {
		return DeleteOutcome{}, err
	}
	roots := res[0]
	if p.Condition != nil && len(roots) > 0 && !p.Condition.Matches(roots[0]) {
		return DeleteOutcome{}, &Error{Op: "delete", Store: p.Roots.Store, Err: ErrConditionFailed, Msg: p.ConditionMessage}
	}
	seen := map[string]bool{}
	mark := func(store string, rec Record) bool {
		k, _ := KeyOf(rec, layout.Store(store).KeyPath)
		id := store + "\x00" + JSONText(k)
		if seen[id] {
			return false
		}
		seen[id] = true
		return true
	}
	var level []found
	for _, r := range roots {
		if mark(p.Roots.Store, r) {
			level = append(level, found{p.Roots.Store, r})
		}
	}
	var levels [][]found
	var nulled []found // records whose keys are set to null, in the order reached
	nulledAt := map[string]int{}
	for len(level) > 0 {
		levels = append(levels, level)
		var queries []Query
		var edges []Edge
		for _, f := range level {
			for _, e := range p.Edges[f.store] {
				if q, ok := edgeQuery(e, f.rec); ok {
					queries = append(queries, q)
					edges = append(edges, e)
				}
			}
		}
		if len(queries) == 0 {
			break
		}
		res, err := tx.Query(queries)
		if err != nil {
			return DeleteOutcome{}, err
		}
		var next []found
		for i, recs := range res {
			e := edges[i]
			switch e.Action {
			case "restrict":
				if len(recs) > 0 {
					return DeleteOutcome{}, &Error{Op: "delete", Store: e.Store, Err: ErrRestricted, Msg: restrictMessage(e, layout, recs)}
				}
			case "setNull":
				for _, r := range recs {
					k, _ := KeyOf(r, layout.Store(e.Store).KeyPath)
					id := e.Store + "\x00" + JSONText(k)
					if at, ok := nulledAt[id]; ok {
						r = nulled[at].rec
					} else {
						nulledAt[id] = len(nulled)
						nulled = append(nulled, found{e.Store, r})
					}
					for _, f := range e.To {
						r[f] = nil
					}
				}
			default:
				for _, r := range recs {
					if mark(queries[i].Store, r) {
						next = append(next, found{queries[i].Store, r})
					}
				}
			}
		}
		level = next
	}
	var out DeleteOutcome
	if len(levels) > 0 {
		out.Roots = len(levels[0])
	}
	for i := len(levels) - 1; i >= 0; i-- {
		for _, f := range levels[i] {
			k, _ := KeyOf(f.rec, layout.Store(f.store).KeyPath)
			tx.Delete(f.store, []Key{k})
			out.Removed = append(out.Removed, Removed{Store: f.store, Record: omit(f.rec, p.Omit)})
			appendOutbox(tx, p.Outbox, f.store, "DELETE", f.rec)
		}
	}
	for _, f := range nulled {
		k, _ := KeyOf(f.rec, layout.Store(f.store).KeyPath)
		if seen[f.store+"\x00"+JSONText(k)] {
			continue // deleted as well: the delete wins
		}
		tx.Put(f.store, []Record{f.rec})
		rec := omit(copyRecord(f.rec), p.Omit)
		out.Updated = append(out.Updated, Removed{Store: f.store, Record: rec})
		appendOutbox(tx, p.Outbox, f.store, "UPDATE", rec)
	}
	return out, nil
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

// runBatch carries out a batch plan's steps in order in one transaction.
func runBatch(tx Tx, layout Layout, p BatchPlan) (BatchOutcome, error) {
	var out BatchOutcome
	for _, step := range p.Steps {
		var so StepOutcome
		var err error
		switch {
		case step.Save != nil:
			so.SaveOutcome, err = runSave(tx, layout.Store(step.Save.Store), *step.Save)
		case step.Delete != nil:
			so.DeleteOutcome, err = runDelete(tx, layout, *step.Delete)
		}
		if err != nil {
			return BatchOutcome{}, err
		}
		out.Steps = append(out.Steps, so)
	}
	return out, nil
}

// Batch carries out a batch plan.
func (m *Memory) Batch(ctx context.Context, p BatchPlan) (BatchOutcome, error) {
	var out BatchOutcome
	err := m.Write(ctx, p.Scope, func(tx Tx) error {
		var err error
		out, err = runBatch(tx, m.layout, p)
		return err
	})
	return out, err
}

// Save carries out a save plan.
func (m *Memory) Save(ctx context.Context, p SavePlan) (SaveOutcome, error) {
	sl := m.layout.Store(p.Store)
	if sl == nil {
		return SaveOutcome{}, &Error{Op: "save", Store: p.Store, Err: ErrUnknownStore}
	}
	scope := []string{p.Store}
	for _, r := range p.Require {
		scope = append(scope, r.Query.Store)
	}
	if p.Outbox != "" {
		scope = append(scope, p.Outbox)
	}
	var out SaveOutcome
	err := m.Write(ctx, scope, func(tx Tx) error {
		var err error
		out, err = runSave(tx, sl, p)
		return err
	})
	return out, err
}

// Delete carries out a delete plan.
func (m *Memory) Delete(ctx context.Context, p DeletePlan) (DeleteOutcome, error) {
	var out DeleteOutcome
	err := m.Write(ctx, p.Scope, func(tx Tx) error {
		var err error
		out, err = runDelete(tx, m.layout, p)
		return err
	})
	return out, err
}

// nowMillis is the time of an outbox entry, in ms since the epoch.
func nowMillis() int64 { return time.Now().UnixMilli() }
