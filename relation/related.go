package relation

import (
	"context"

	"github.com/datastore-wasm/datastore-wasm/store"
)

// PlanRelated returns the storage query that reads what the relation field
// of model reaches from rec, in insertion order; none is true when a join
// value of rec is null, so nothing is related (SPEC 1.8).
func (e *Engine) PlanRelated(model, field string, rec Record) (q store.Query, none bool, err error) {
	m, err := e.model(model)
	if err != nil {
		return store.Query{}, false, err
	}
	r := m.Relation(field)
	if r == nil {
		return store.Query{}, false, userErr(ErrUsage, "%s.%s is not a relation field", m.Name, field)
	}
	values, ok := joinValues(rec, r.LocalFields)
	if !ok {
		return store.Query{}, true, nil
	}
	q = r.Target.lookupQuery(r.RemoteFields, values)
	q.Order = insertionOrder
	q.Omit = storageOnly
	return q, false, nil
}

// Related reads, fresh from storage, the records that the relation field of
// model reaches from rec (SPEC 5): the parent of a belongs-to, the target
// of a has-one, the children of a has-many. max > 0 caps how many.
func (e *Engine) Related(ctx context.Context, model, field string, rec Record, max int) ([]Record, error) {
	q, none, err := e.PlanRelated(model, field, rec)
	if err != nil || none {
		return []Record{}, err
	}
	q.Count = max
	recs, err := e.read(ctx, q)
	if err != nil {
		return nil, err
	}
	if r := e.Schema.Model(model).Relation(field); r.Kind != HasMany && len(recs) > 1 {
		return nil, userErr(ErrIntegrity, "Data integrity error. Too many records found for a HAS_ONE/BELONGS_TO field '%s.%s'", model, field)
	}
	return recs, nil
}
