//go:build js && wasm

package main

import (
	"context"
	"syscall/js"

	"github.com/datastore-wasm/datastore-wasm/relation"
	"github.com/datastore-wasm/datastore-wasm/store"
)

// queryRead is a query as the module sends it (the bridge's query and
// queryIncluding, the direct export dsQuery), parsed: a key and include
// paths only for an include.
type queryRead struct {
	model   string
	key     relation.Record
	opts    relation.QueryOptions
	paths   [][]string
	include bool
}

// parseQueryRead parses a query's JSON texts: the key when hasKey, the
// paths when include.
func parseQueryRead(model, key string, hasKey bool, opts string, paths string, include bool) (queryRead, error) {
	r := queryRead{model: model, include: include}
	var err error
	if include && hasKey {
		if r.key, err = relation.ParseRecord(key); err != nil {
			return r, argError(err)
		}
	}
	if r.opts, err = relation.ParseQueryOptions(opts); err != nil {
		return r, argError(err)
	}
	if include {
		if r.paths, err = relation.ParseIncludePaths(paths); err != nil {
			return r, argError(err)
		}
	}
	return r, nil
}

// plan decides who reads the query: the store's executor, from q (a
// query) or tree (an include), or Go itself when both are nil (conditions
// on related models, an include its plan cannot carry: readByGo).
func (r queryRead) plan(h *engineHandle) (q *store.Query, tree *store.TreePlan, err error) {
	if r.include {
		plan, ok, err := h.engine.PlanIncluding(r.model, r.key, r.opts, r.paths)
		if err != nil || !ok {
			return nil, nil, err
		}
		return nil, &plan, nil
	}
	if h.engine.NeedsReads(r.opts) {
		return nil, nil, nil
	}
	plan, err := h.engine.PlanQuery(r.model, r.opts)
	if err != nil {
		return nil, nil, err
	}
	return &plan, nil, nil
}

// readByGo is the Promise of the records when Go reads them itself: the
// related conditions' reads, then the records, in one read-only
// transaction.
func (r queryRead) readByGo(h *engineHandle) js.Value {
	return promise(func() (any, error) {
		var recs []relation.Record
		var err error
		if r.include {
			recs, err = h.engine.QueryIncluding(context.Background(), r.model, r.key, r.opts, r.paths)
		} else {
			recs, err = h.engine.Query(context.Background(), r.model, r.opts)
		}
		if err != nil {
			return nil, err
		}
		return js.Global().Get("JSON").Call("parse", text(relation.OrderedAll(h.engine.Schema.Model(r.model), recs))), nil
	})
}
