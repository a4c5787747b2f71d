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
	var p store.SavePlan
	err := e.planSave(&p, model, rec, opts, e.readClock(), nil)
	return p, err
}

// planSlabs hands a batch's save plans their managed fields and their
// requirements out of slabs, a few hundred plans' worth at a time, instead
// of two allocations a save; a nil *planSlabs makes each its own.
type planSlabs struct {
	fields   []store.Field
	requires []store.Requirement
}

// slabChunk is how many plans' worth a slab holds.
const slabChunk = 256

// fieldsOf is an empty list with room for n fields.
func (s *planSlabs) fieldsOf(n int) store.Fields {
	if s == nil {
		return make(store.Fields, 0, n)
	}
	if len(s.fields) < n {
		s.fields = make([]store.Field, n*slabChunk)
	}
	out := s.fields[:0:n]
	s.fields = s.fields[n:]
	return out
}

// requiresOf is an empty list with room for n requirements.
func (s *planSlabs) requiresOf(n int) []store.Requirement {
	if s == nil {
		return make([]store.Requirement, 0, n)
	}
	if len(s.requires) < n {
		s.requires = make([]store.Requirement, n*slabChunk)
	}
	out := s.requires[:0:n]
	s.requires = s.requires[n:]
	return out
}

// planSave is PlanSave at clock reading at, written into p (a batch's
// plans are made in place: a plan copied is 200 bytes of pointers moved
// under the garbage collector's write barrier).
func (e *Engine) planSave(p *store.SavePlan, model string, rec Record, opts SaveOptions, at clockReading, slabs *planSlabs) error {
	m, err := e.model(model)
	if err != nil {
		return err
	}
	if err := e.Schema.ValidateForSave(m, rec); err != nil {
		return err
	}
	if err := ValidatePredicate(m, opts.Condition); err != nil {
		return err
	}
	seq, stamp := e.stamp(at)
	p.Store, p.Record, p.Text, p.Set = m.Name, rec, opts.Text, slabs.fieldsOf(3)[:1]
	p.Keep, p.Ignore, p.Omit, p.Outbox = m.saveKeeps, m.saveIgnores, storageOnly, e.outboxStore()
	// In one order for every save of the model: one shape of record in
	// JavaScript (see store.Fields).
	p.Set[0] = store.Field{Name: seqField, Value: seq}
	if m.CreatedAt != "" {
		p.Set = append(p.Set, store.Field{Name: m.CreatedAt, Value: stamp})
	}
	if m.UpdatedAt != "" {
		p.Set = append(p.Set, store.Field{Name: m.UpdatedAt, Value: stamp})
	}
	if opts.Condition != nil {
		p.Condition, p.ConditionMessage = opts.Condition, "Conditional update failed"
	}
	for _, r := range m.Relations {
		if r.Kind != BelongsTo {
			continue
		}
		var q store.Query
		if len(r.LocalFields) == 1 { // the usual foreign key: no slice made
			v := rec[r.LocalFields[0]]
			if v == nil || !store.ValidKey(v) {
				continue // unset: nothing to check (SPEC 3.2)
			}
			q = r.Target.lookupOne(r.RemoteFields, v)
		} else {
			values, ok := joinValues(rec, r.LocalFields)
			if !ok {
				continue // partly or wholly unset: nothing to check (SPEC 3.2)
			}
			q = r.Target.lookupQuery(r.RemoteFields, values)
		}
		// The message is built only when the parent is missing.
		if p.Require == nil {
			p.Require = slabs.requiresOf(len(m.Relations))
		}
		p.Require = append(p.Require, store.Requirement{Query: q, Explain: r.missingParent})
	}
	return nil
}

// missingParentMessage is the failure of a save whose belongs-to relation
// r points at no stored record (SPEC 3.2), quoting the record's JSON: text
// as the caller has it, or rec written in schema order when text is "".
func (r *Relation) missingParentMessage(text string, rec Record) string {
	if text == "" {
		text = string(Ordered{Model: r.Model, Record: rec}.AppendJSON(nil))
	}
	return "Data integrity error. You tried to save a " + r.Model.Name + " (" + clip(text) + ") but the instance assigned to the \"" + r.Field +
		"\" property does not exist in the local database. If you're trying to create the related \"" + r.Target.Name + "\", you must save it independently first."
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
