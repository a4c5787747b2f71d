package relation

import (
	"context"

	"github.com/datastore-wasm/datastore-wasm/store"
)

// DryRunDelete works out what Delete would do, with the same plan and
// the same walk in the store, and writes nothing: the outcome lists the
// records it would remove (descendants first, the roots last), those
// whose keys it would set to null (with the fields), and those that
// restrict it (with any, Delete would fail and change nothing), each with
// the relation that reached it ("Post.comments"). Stores are named after
// their models.
func (e *Engine) DryRunDelete(ctx context.Context, model string, t DeleteTarget) (store.DeleteOutcome, error) {
	p, err := e.PlanDelete(model, t)
	if err != nil {
		return store.DeleteOutcome{}, err
	}
	p.DryRun = true
	out, err := e.DB.Delete(ctx, p)
	if err != nil {
		return store.DeleteOutcome{}, PlanError(err)
	}
	return out, nil
}
