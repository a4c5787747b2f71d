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

// deleteScope lists m's store and every store a delete of m can reach or
// touch: the cascade's stores and those its edges clear or check.
func (s *Schema) deleteScope(m *Model) (scope []string, edges map[string][]store.Edge) {
	edges = map[string][]store.Edge{}
	seen := map[*Model]bool{m: true}
	order := []*Model{m}
	scope = []string{m.Name}
	for i := 0; i < len(order); i++ {
		es := s.deleteEdges(order[i])
		edges[order[i].Name] = es
		for _, e := range es {
			if !containsString(scope, e.Store) {
				scope = append(scope, e.Store)
			}
			target := s.Model(e.Store)
			if e.Action == "" && !seen[target] {
				seen[target] = true
				order = append(order, target)
			}
		}
	}
	return scope, edges
}

// PlanDelete returns the plan that deletes the selected records of model
// and, recursively, what their has-many and has-one relations reach (never
// a belongs-to parent), in one read-write transaction over every store a
// cascade can reach: a failure leaves everything as it was, and no reader
// sees a half-deleted graph.
func (e *Engine) PlanDelete(model string, t DeleteTarget) (store.DeletePlan, error) {
	m, err := e.model(model)
	if err != nil {
		return store.DeletePlan{}, err
	}
	if err := ValidatePredicate(m, t.Predicate); err != nil {
		return store.DeletePlan{}, err
	}
	if err := ValidatePredicate(m, t.Condition); err != nil {
		return store.DeletePlan{}, err
	}
	scope, edges := e.Schema.deleteScope(m)
	p := store.DeletePlan{Scope: scope, Edges: edges, Omit: storageOnly, Outbox: e.outboxStore()}
	if p.Outbox != "" {
		p.Scope = append(p.Scope, p.Outbox)
	}
	if t.Key != nil {
		values, ok := joinValues(t.Key, m.PrimaryKey)
		if !ok {
			return store.DeletePlan{}, userErr(ErrUsage, "To delete a %s by key, give %s", m.Name, strings.Join(m.PrimaryKey, " and "))
		}
		p.Roots = m.lookupQuery(m.PrimaryKey, values)
	} else {
		p.Roots = m.plan(t.Predicate)
	}
	p.Roots.Order = insertionOrder
	if t.Condition != nil {
		p.Condition, p.ConditionMessage = t.Condition, "Conditional update failed"
	}
	return p, nil
}

// edge is the store's view of a cascading relation: from a record, follow
// the local join fields to the target records' remote fields.
func (r *Relation) edge() store.Edge {
	e := store.Edge{From: r.LocalFields, Store: r.Target.Name, To: r.RemoteFields, Order: insertionOrder}
	q := r.Target.lookupQuery(r.RemoteFields, make([]any, len(r.RemoteFields)))
	switch {
	case q.Filter != nil: // no index: the store scans
	case q.Index == "":
		e.Key = true
	default:
		e.Index = q.Index
	}
	return e
}

// Delete removes the selected records of model and what hangs off them
// (see PlanDelete).
func (e *Engine) Delete(ctx context.Context, model string, t DeleteTarget) (DeleteResult, error) {
	p, err := e.PlanDelete(model, t)
	if err != nil {
		return DeleteResult{}, err
	}
	out, err := e.DB.Delete(ctx, p)
	if err != nil {
		return DeleteResult{}, PlanError(err)
	}
	return e.deleteResult(model, t, out), nil
}

func (e *Engine) deleteResult(model string, t DeleteTarget, out store.DeleteOutcome) DeleteResult {
	var res DeleteResult
	first := len(out.Removed) - out.Roots
	for i, r := range out.Removed {
		c := Change{Model: r.Store, OpType: Delete, Record: r.Record}
		if i >= first {
			res.Roots = append(res.Roots, r.Record)
			if t.Instance {
				c.Condition = t.Condition
				if c.Condition == nil {
					c.Condition = keyCondition(e.Schema.Model(model), r.Record)
				}
			}
		}
		res.Changes = append(res.Changes, c)
	}
	for _, u := range out.Updated {
		res.Changes = append(res.Changes, Change{Model: u.Store, OpType: Update, Record: u.Record})
	}
	return res
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
