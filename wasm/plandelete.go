//go:build js && wasm

package main

import (
	"syscall/js"

	"github.com/datastore-wasm/datastore-wasm/relation"
)

// planDelete(engine, model, targetJSON) → a Promise of {removed: [{store,
// via?, record}], roots, updated: [{store, via, fields, record}], blocked:
// [{store, via, record}]}: what delete(engine, model, targetJSON) would
// do, worked out by the same plan and walk, writing nothing (a dry run,
// store/write_dryrun.go). Records are as they are stored now.
func (b *bridge) planDelete(args []js.Value) (any, error) {
	h, err := b.engineAt(args[0])
	if err != nil {
		return nil, err
	}
	t, err := relation.ParseDeleteTarget(args[2].String())
	if err != nil {
		return nil, argError(err)
	}
	plan, err := h.engine.PlanDelete(args[1].String(), t)
	if err != nil {
		return nil, err
	}
	plan.DryRun = true
	return h.db.StartDelete(plan)
}
