//go:build js && wasm

package main

import (
	"syscall/js"

	"github.com/datastore-wasm/datastore-wasm/relation"
	"github.com/datastore-wasm/datastore-wasm/store"
)

// planDelete(engine, model, targetJSON) → a Promise of {removed: [{store,
// via?, record}], roots, updated: [{store, via, fields, record}], blocked:
// [{store, via, record}]}: what delete(engine, model, targetJSON) would
// do, worked out by the same plan and walk, writing nothing (a dry run,
// store/write_dryrun.go). Records are as they are stored now.
func (b *bridge) planDelete(args []js.Value) (any, error) {
	h, plan, err := b.deletePlan(args)
	if err != nil {
		return nil, err
	}
	plan.DryRun = true
	return h.db.StartDelete(plan)
}

// deletePlan reads the arguments of delete and planDelete (engine, model,
// targetJSON) and plans the delete.
func (b *bridge) deletePlan(args []js.Value) (*engineHandle, store.DeletePlan, error) {
	h, err := b.engineAt(args[0])
	if err != nil {
		return nil, store.DeletePlan{}, err
	}
	t, err := relation.ParseDeleteTarget(args[2].String())
	if err != nil {
		return nil, store.DeletePlan{}, argError(err)
	}
	plan, err := h.engine.PlanDelete(args[1].String(), t)
	return h, plan, err
}
