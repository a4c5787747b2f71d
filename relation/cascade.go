package relation

import (
	"context"
	"strings"

	"github.com/datastore-wasm/datastore-wasm/store"
)

// DeleteTarget selects what a delete removes: one record by key (Key, with
// Instance set when the caller passed a model instance), or every record
// matching Predicate (All for Predicates.ALL).
type DeleteTarget struct {
	Key       Record
	Instance  bool
	Predicate *Predicate
	All       bool
	// Condition must hold on the stored record for an instance delete to
	// happen (SPEC 8.7).
	Condition *Predicate
}

// DeleteResult is what a delete removed.
type DeleteResult struct {
	// Roots are the records the delete selected, as they were stored.
	Roots []Record
	// Changes has one DELETE per removed record, descendants first and the
	// roots last (SPEC 8.4).
	Changes []Change
}

// cascadeStores lists m's store and every store a cascade from m can reach.
func cascadeStores(m *Model) []string {
	seen := map[*Model]bool{m: true}
	order := []*Model{m}
	for i := 0; i < len(order); i++ {
		for _, r := range order[i].Relations {
			if r.Cascades() && !seen[r.Target] {
				seen[r.Target] = true
				order = append(order, r.Target)
			}
		}
	}
	names := make([]string, len(order))
	for i, x := range order {
		names[i] = x.Name
	}
	return names
}

type located struct {
	model *Model
	rec   Record
}

// Delete removes the selected records of model and, recursively, what their
// has-many and has-one relations reach (never a belongs-to parent). The
// discovery reads and every delete run in one read-write transaction over
// all the stores a cascade can reach, so a failure leaves everything as it
// was and no reader sees a half-deleted graph.
func (e *Engine) Delete(ctx context.Context, model string, t DeleteTarget) (DeleteResult, error) {
	m, err := e.model(model)
	if err != nil {
		return DeleteResult{}, err
	}
	if err := ValidatePredicate(m, t.Predicate); err != nil {
		return DeleteResult{}, err
	}
	if err := ValidatePredicate(m, t.Condition); err != nil {
		return DeleteResult{}, err
	}
	var rootQuery store.Query
	if t.Key != nil {
		values, ok := joinValues(t.Key, m.PrimaryKey)
		if !ok {
			return DeleteResult{}, userErr(ErrUsage, "To delete a %s by key, give %s", m.Name, strings.Join(m.PrimaryKey, " and "))
		}
		rootQuery = m.lookupQuery(m.PrimaryKey, values)
	} else {
		rootQuery = m.plan(t.Predicate)
	}
	rootQuery.Order = insertionOrder
	var result DeleteResult
	err = e.DB.Write(ctx, cascadeStores(m), func(tx store.Tx) error {
		found, err := tx.Query([]store.Query{rootQuery})
		if err != nil {
			return err
		}
		roots := found[0]
		if t.Condition != nil && len(roots) > 0 && !t.Condition.Matches(roots[0]) {
			return userErr(ErrCondition, "Conditional update failed")
		}
		levels, err := discover(tx, m, roots)
		if err != nil {
			return err
		}
		result.Roots = roots
		for i := len(levels) - 1; i >= 0; i-- {
			for _, l := range levels[i] {
				tx.Delete(l.model.Name, []store.Key{l.model.KeyOf(l.rec)})
				c := Change{Model: l.model.Name, OpType: Delete, Record: l.rec, model: l.model}
				if i == 0 && t.Instance {
					c.Condition = t.Condition
					if c.Condition == nil {
						c.Condition = keyCondition(m, l.rec)
					}
				}
				result.Changes = append(result.Changes, c)
			}
		}
		return nil
	})
	if err != nil {
		return DeleteResult{}, err
	}
	for _, c := range result.Changes {
		public(c.Record)
	}
	for _, r := range result.Roots {
		public(r)
	}
	return result, nil
}

// keyCondition is the condition Amplify reports for delete(instance): the
// primary key fields, each equal to the record's (SPEC 6.5).
func keyCondition(m *Model, rec Record) *Predicate {
	p := &Predicate{Group: "and"}
	for _, f := range m.PrimaryKey {
		p.Children = append(p.Children, &Predicate{Field: f, Op: "eq", Value: rec[f]})
	}
	return p
}

// discover walks the cascade level by level from roots, one batch of index
// reads per level. A record reached twice (a cycle, or a shared has-one
// target) is deleted once.
func discover(tx store.Tx, m *Model, roots []Record) ([][]located, error) {
	seen := map[string]bool{}
	mark := func(x *Model, rec Record) bool {
		k := x.Name + "\x00" + store.JSONText(x.KeyOf(rec))
		if seen[k] {
			return false
		}
		seen[k] = true
		return true
	}
	var level []located
	for _, r := range roots {
		if mark(m, r) {
			level = append(level, located{m, r})
		}
	}
	var levels [][]located
	for len(level) > 0 {
		levels = append(levels, level)
		var queries []store.Query
		var targets []*Model
		for _, l := range level {
			for _, r := range l.model.Relations {
				if !r.Cascades() {
					continue
				}
				values, ok := joinValues(l.rec, r.LocalFields)
				if !ok {
					continue
				}
				q := r.Target.lookupQuery(r.RemoteFields, values)
				q.Order = insertionOrder
				queries = append(queries, q)
				targets = append(targets, r.Target)
			}
		}
		if len(queries) == 0 {
			break
		}
		found, err := tx.Query(queries)
		if err != nil {
			return nil, err
		}
		var next []located
		for i, recs := range found {
			for _, rec := range recs {
				if mark(targets[i], rec) {
					next = append(next, located{targets[i], rec})
				}
			}
		}
		level = next
	}
	return levels, nil
}
