package relation

import (
	"context"
	"errors"

	"github.com/datastore-wasm/datastore-wasm/store"
)

// SaveOptions are the optional parts of a save.
type SaveOptions struct {
	// Condition must hold on the stored record for an update to happen
	// (SPEC 3.5); it is ignored for an insert.
	Condition *Predicate
	// Text is the record as the caller serialised it, quoted in the
	// integrity error as Amplify quotes it.
	Text string
}

// SaveResult is what a save did.
type SaveResult struct {
	// Record is the record as stored.
	Record Record
	// Changes holds one INSERT or UPDATE, or nothing when the record was
	// stored already exactly so.
	Changes []Change
}

// PlanSave validates a record of model (SPEC 3.1) and returns the plan
// that stores it in one read-write transaction: the parents of its
// belongs-to relations must exist (SPEC 3.2), the condition must hold on
// the stored record (SPEC 3.5), createdAt and the insertion sequence are
// kept from the stored record, and an unchanged record is not written.
func (e *Engine) PlanSave(model string, rec Record, opts SaveOptions) (store.SavePlan, error) {
	m, err := e.model(model)
	if err != nil {
		return store.SavePlan{}, err
	}
	if err := e.Schema.ValidateForSave(m, rec); err != nil {
		return store.SavePlan{}, err
	}
	if err := ValidatePredicate(m, opts.Condition); err != nil {
		return store.SavePlan{}, err
	}
	seq, now := e.stamp()
	p := store.SavePlan{Store: m.Name, Record: rec, Set: make(map[string]any, 3), Keep: m.saveKeeps, Ignore: m.saveIgnores, Omit: storageOnly, Outbox: e.outboxStore()}
	p.Set[seqField] = seq
	stamp := any(now) // boxed once for both fields
	if m.CreatedAt != "" {
		p.Set[m.CreatedAt] = stamp
	}
	if m.UpdatedAt != "" {
		p.Set[m.UpdatedAt] = stamp
	}
	if opts.Condition != nil {
		p.Condition, p.ConditionMessage = opts.Condition, "Conditional update failed"
	}
	for _, r := range m.Relations {
		if r.Kind != BelongsTo {
			continue
		}
		values, ok := joinValues(rec, r.LocalFields)
		if !ok {
			continue // partly or wholly unset: nothing to check (SPEC 3.2)
		}
		text := opts.Text
		p.Require = append(p.Require, store.Requirement{
			Query: r.Target.lookupQuery(r.RemoteFields, values),
			// The message, built only when the parent is missing.
			Explain: func() string {
				if text == "" {
					text = store.JSONText(rec)
				}
				return "Data integrity error. You tried to save a " + m.Name + " (" + clip(text) + ") but the instance assigned to the \"" + r.Field +
					"\" property does not exist in the local database. If you're trying to create the related \"" + r.Target.Name + "\", you must save it independently first."
			},
		})
	}
	return p, nil
}

// Save inserts or replaces a record of model (see PlanSave).
func (e *Engine) Save(ctx context.Context, model string, rec Record, opts SaveOptions) (SaveResult, error) {
	p, err := e.PlanSave(model, rec, opts)
	if err != nil {
		return SaveResult{}, err
	}
	out, err := e.DB.Save(ctx, p)
	if err != nil {
		return SaveResult{}, PlanError(err)
	}
	return e.saveResult(model, opts.Condition, out), nil
}

func (e *Engine) saveResult(model string, cond *Predicate, out store.SaveOutcome) SaveResult {
	res := SaveResult{Record: out.Record}
	if out.Op != "" {
		res.Changes = []Change{{Model: model, OpType: OpType(out.Op), Record: out.Record, Condition: cond}}
	}
	return res
}

// PlanError turns the store's failures of a plan's own checks into the
// errors users see (integrity, condition); other errors pass unchanged.
func PlanError(err error) error {
	var se *store.Error
	switch {
	case errors.Is(err, store.ErrRequirement) && errors.As(err, &se):
		return &UserError{Kind: ErrIntegrity, Msg: se.Msg}
	case errors.Is(err, store.ErrConditionFailed) && errors.As(err, &se):
		return &UserError{Kind: ErrCondition, Msg: se.Msg}
	case errors.Is(err, store.ErrRestricted) && errors.As(err, &se):
		return &UserError{Kind: ErrRestrict, Msg: se.Msg}
	}
	return err
}
