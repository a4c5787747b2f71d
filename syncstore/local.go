package syncstore

import (
	"context"

	"github.com/datastore-wasm/datastore-wasm/relation"
	"github.com/datastore-wasm/datastore-wasm/syncengine"
)

// Local is the engine's LocalStore over a relation.Engine. Its writes
// bypass the outbox and are reported to OnChange as remote changes, one
// relation.Change per record written or removed, for observers.
type Local struct {
	Engine *relation.Engine
	// OnChange, when set, receives each Apply's effect after it commits.
	OnChange func(changes []relation.Change)
}

// Get implements syncengine.LocalStore.
func (l *Local) Get(ctx context.Context, model string, keys []syncengine.Record) ([]syncengine.Record, error) {
	recs, err := l.Engine.GetRecords(ctx, model, keys)
	if err != nil {
		return nil, err
	}
	out := make([]syncengine.Record, len(recs))
	for i, r := range recs {
		if r != nil {
			out[i] = r
		}
	}
	return out, nil
}

// Apply implements syncengine.LocalStore.
func (l *Local) Apply(ctx context.Context, model string, changes []syncengine.Change) error {
	if len(changes) == 0 {
		return nil
	}
	results, err := l.Engine.ApplyRemote(ctx, model, remoteChanges(changes))
	if err != nil {
		return err
	}
	l.report(model, results)
	return nil
}

// Merge implements syncengine.MergingStore: the records are read, decided
// and written in one IndexedDB transaction (relation's MergeRemote), a
// page of a base sync with one read request.
func (l *Local) Merge(ctx context.Context, model string, keys []syncengine.Record, decide func(locals []syncengine.Record) []syncengine.Change) error {
	results, err := l.Engine.MergeRemote(ctx, model, keys, func(stored []relation.Record) []relation.RemoteChange {
		return remoteChanges(decide(stored))
	})
	if err != nil {
		return err
	}
	l.report(model, results)
	return nil
}

func remoteChanges(changes []syncengine.Change) []relation.RemoteChange {
	rc := make([]relation.RemoteChange, len(changes))
	for i, c := range changes {
		rc[i] = relation.RemoteChange{Delete: c.Delete, Record: c.Record}
	}
	return rc
}

// report hands what a write did to OnChange, after its commit.
func (l *Local) report(model string, results []relation.RemoteResult) {
	if l.OnChange == nil {
		return
	}
	var out []relation.Change
	for _, r := range results {
		if r.Op != "" {
			out = append(out, relation.Change{Model: model, OpType: r.Op, Record: r.Record})
		}
	}
	if len(out) > 0 {
		l.OnChange(out)
	}
}
