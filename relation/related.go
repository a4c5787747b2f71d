package relation

import (
	"context"

	"github.com/datastore-wasm/datastore-wasm/store"
)

// Related reads, fresh from storage, the records that the relation field of
// model reaches from rec (SPEC 5): the parent of a belongs-to, the target
// of a has-one, the children of a has-many. max > 0 caps how many.
func (e *Engine) Related(ctx context.Context, model, field string, rec Record, max int) ([]Record, error) {
	m, err := e.model(model)
	if err != nil {
		return nil, err
	}
	r := m.Relation(field)
	if r == nil {
		return nil, userErr(ErrUsage, "%s.%s is not a relation field", m.Name, field)
	}
	values, ok := joinValues(rec, r.LocalFields)
	if !ok {
		return []Record{}, nil
	}
	q, exact := r.Target.lookup(r.RemoteFields, values)
	var recs []Record
	err = e.DB.Read(ctx, []string{r.Target.Name}, func(tx store.Tx) error {
		res, err := tx.Query([]store.Query{q})
		if err == nil {
			recs = res[0]
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	if !exact {
		recs = matchFields(recs, r.RemoteFields, values)
	}
	if r.Kind != HasMany && len(recs) > 1 {
		return nil, userErr(ErrIntegrity, "Data integrity error. Too many records found for a HAS_ONE/BELONGS_TO field '%s.%s'", m.Name, field)
	}
	publicAll(recs)
	if max > 0 && len(recs) > max {
		recs = recs[:max]
	}
	return recs, nil
}
