package relation

import (
	"context"

	"github.com/datastore-wasm/datastore-wasm/store"
)

// BatchOp is one operation of a batch: a save (Model, Record, Save) or a
// delete (Model, Delete).
type BatchOp struct {
	Model  string
	Record Record
	Save   *SaveOptions
	Delete *DeleteTarget
}

// PlanBatch plans the operations of a batch as one plan: all or nothing,
// in one read-write transaction, in the given order. When every operation
// is a save and no two save the same record, the store may issue them all
// at once.
func (e *Engine) PlanBatch(ops []BatchOp) (store.BatchPlan, error) {
	p := store.BatchPlan{Steps: make([]store.BatchStep, 0, len(ops))}
	eager := true
	keys := make(map[batchKey]bool, len(ops))    // sized: growing rehashes every key (on wasm, 4 µs a save)
	saves := make([]store.SavePlan, 0, len(ops)) // one allocation for every save's plan
	at := e.readClock()                          // one for every save
	var slabs planSlabs
	addScope := func(stores ...string) {
		for _, s := range stores {
			if s != "" && !containsString(p.Scope, s) {
				p.Scope = append(p.Scope, s)
			}
		}
	}
	for _, op := range ops {
		switch {
		case op.Save != nil:
			saves = saves[:len(saves)+1]
			sp := &saves[len(saves)-1]
			if err := e.planSave(sp, op.Model, op.Record, *op.Save, at, &slabs); err != nil {
				return store.BatchPlan{}, err
			}
			addScope(sp.Store, sp.Outbox)
			for _, r := range sp.Require {
				addScope(r.Query.Store)
			}
			k := newBatchKey(op.Model, e.Schema.Model(op.Model).KeyOf(op.Record))
			if keys[k] {
				eager = false
			}
			keys[k] = true
			p.Steps = append(p.Steps, store.BatchStep{Save: sp})
		case op.Delete != nil:
			dp, err := e.PlanDelete(op.Model, *op.Delete)
			if err != nil {
				return store.BatchPlan{}, err
			}
			addScope(dp.Scope...)
			eager = false
			p.Steps = append(p.Steps, store.BatchStep{Delete: &dp})
		default:
			return store.BatchPlan{}, userErr(ErrUsage, "a batch operation must be a save or a delete")
		}
	}
	p.Eager = eager
	return p, nil
}

// batchKey is what only saves of one record share: the model, and the
// key as it is when a string (its JSON would be escaped and copied once
// more), else as JSON.
type batchKey struct {
	model, key string
	json       bool
}

func newBatchKey(model string, k store.Key) batchKey {
	if s, ok := k.(string); ok {
		return batchKey{model: model, key: s}
	}
	return batchKey{model: model, key: store.JSONText(k), json: true}
}

// BatchResult is what one operation of a batch did.
type BatchResult struct {
	Save   *SaveResult
	Delete *DeleteResult
}

// Batch carries out the operations all or nothing (see PlanBatch).
func (e *Engine) Batch(ctx context.Context, ops []BatchOp) ([]BatchResult, error) {
	p, err := e.PlanBatch(ops)
	if err != nil {
		return nil, err
	}
	out, err := e.DB.Batch(ctx, p)
	if err != nil {
		return nil, PlanError(err)
	}
	results := make([]BatchResult, len(ops))
	for i, op := range ops {
		if op.Save != nil {
			r := e.saveResult(op.Model, op.Save.Condition, out.Steps[i].SaveOutcome)
			results[i].Save = &r
		} else {
			r := e.deleteResult(op.Model, *op.Delete, out.Steps[i].DeleteOutcome)
			results[i].Delete = &r
		}
	}
	return results, nil
}

// OutboxStore is the store of the mutation queue (GraphQL reserves names
// that start with two underscores, so no model can take it).
const OutboxStore = "__outbox"

// ReadOutbox returns up to limit entries of the mutation queue (0: all) in
// the order they were written, and with remove also deletes them, in one
// transaction: a sync engine drains exactly what it has read.
func (e *Engine) ReadOutbox(ctx context.Context, limit int, remove bool) ([]store.Record, error) {
	var entries []store.Record
	fn := func(tx store.Tx) error {
		res, err := tx.Query([]store.Query{{Store: OutboxStore, Limit: limit}})
		if err != nil {
			return err
		}
		entries = res[0]
		if remove {
			keys := make([]store.Key, len(entries))
			for i, r := range entries {
				keys[i] = r["order"]
			}
			tx.Delete(OutboxStore, keys)
		}
		return nil
	}
	var err error
	if remove {
		err = e.DB.Write(ctx, []string{OutboxStore}, fn)
	} else {
		err = e.DB.Read(ctx, []string{OutboxStore}, fn)
	}
	if entries == nil {
		entries = []store.Record{}
	}
	return entries, err
}
