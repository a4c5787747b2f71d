package syncstore

import (
	"context"
	"fmt"
	"sync"

	"github.com/datastore-wasm/datastore-wasm/relation"
	"github.com/datastore-wasm/datastore-wasm/store"
	"github.com/datastore-wasm/datastore-wasm/syncengine"
)

// Outbox is the engine's Outbox over relation's mutation log (see the
// package doc). Entry IDs are the log's order numbers; each queued entry
// remembers the log entries merged into it, removed from the log by
// Dequeue.
type Outbox struct {
	Engine *relation.Engine

	ingestMu sync.Mutex // one Ingest at a time, so entries go in log order
	ingested float64    // the last log order read

	mu    sync.Mutex
	queue *syncengine.Queue
	logs  map[uint64][]store.Key // queued entry → its log entries
}

// NewOutbox returns an empty queue over e's log; Ingest fills it.
func NewOutbox(e *relation.Engine) *Outbox {
	return &Outbox{Engine: e, queue: syncengine.NewQueue(e.Schema), logs: map[uint64][]store.Key{}}
}

// opOf maps the log's operation to the engine's.
var opOf = map[string]string{"INSERT": syncengine.OpCreate, "UPDATE": syncengine.OpUpdate, "DELETE": syncengine.OpDelete}

// Ingest reads the log entries written since the last Ingest, in order,
// and passes each, as a mutation, to enqueue (Engine.Enqueue, which calls
// this Outbox's Enqueue). It returns how many it read.
func (o *Outbox) Ingest(ctx context.Context, enqueue func(context.Context, syncengine.MutationEvent) error) (int, error) {
	o.ingestMu.Lock()
	defer o.ingestMu.Unlock()
	var entries []store.Record
	err := o.Engine.DB.Read(ctx, []string{relation.OutboxStore}, func(tx store.Tx) error {
		q := store.Query{Store: relation.OutboxStore}
		if o.ingested > 0 {
			q.Range = &store.Range{Lower: o.ingested, LowerOpen: true}
		}
		res, err := tx.Query([]store.Query{q})
		if err != nil {
			return err
		}
		entries = res[0]
		return nil
	})
	if err != nil {
		return 0, err
	}
	s := o.Engine.Schema
	for _, entry := range entries {
		order := number(entry["order"])
		o.ingested = order
		model, _ := entry["model"].(string)
		op := opOf[fmt.Sprint(entry["opType"])]
		rec, _ := entry["element"].(map[string]any)
		if m := s.Model(model); m == nil || !m.Syncable || op == "" || rec == nil {
			// Not something the server takes (a local-only model): drop it.
			if err := o.removeLog(ctx, []store.Key{order}); err != nil {
				return 0, err
			}
			continue
		}
		ev, err := mutationOf(s, model, op, rec, entry)
		if err != nil {
			return 0, err
		}
		ev.ID = uint64(order)
		if err := enqueue(ctx, ev); err != nil {
			return 0, err
		}
	}
	return len(entries), nil
}

// mutationOf is the mutation of a log entry of op on rec: an update whose
// entry lists its changed fields carries those (else every field, as an
// entry written before the log kept them), with the entry's condition.
func mutationOf(s *relation.Schema, model, op string, rec syncengine.Record, entry store.Record) (syncengine.MutationEvent, error) {
	cond, err := relation.PredicateFrom(entry["condition"])
	if err != nil {
		return syncengine.MutationEvent{}, fmt.Errorf("syncstore: the condition of a %s mutation of %s in the log: %w", op, model, err)
	}
	if changed, ok := entry["changed"].([]any); ok && op == syncengine.OpUpdate {
		fields := make([]string, 0, len(changed))
		for _, f := range changed {
			if name, ok := f.(string); ok {
				fields = append(fields, name)
			}
		}
		return syncengine.NewUpdate(s, model, rec, fields, cond)
	}
	var before, after syncengine.Record
	if op == syncengine.OpDelete {
		before = rec
	} else {
		after = rec
	}
	return syncengine.NewMutation(s, model, op, before, after, cond)
}

// Enqueue implements syncengine.Outbox. ev.ID must be its log order. The log entries that the
// queue's change leaves unsent (a create and its delete, merged away) are removed from the log.
func (o *Outbox) Enqueue(ctx context.Context, ev syncengine.MutationEvent) error {
	o.mu.Lock()
	plan := o.queue.Enqueue(ev)
	own := []store.Key{float64(ev.ID)}
	var carried []store.Key // log entries of the queued entries the plan removed
	for _, id := range plan.Remove {
		carried = append(carried, o.logs[id]...)
		delete(o.logs, id)
	}
	var gone []store.Key // log entries no queued entry carries any more
	switch {
	case plan.Replace != nil:
		o.logs[plan.Replace.ID] = append(o.logs[plan.Replace.ID], own...)
		gone = carried
	case plan.Append != nil:
		o.logs[plan.Append.ID] = append(carried, own...)
	default:
		gone = append(carried, own...)
	}
	o.mu.Unlock()
	return o.removeLog(ctx, gone)
}

// Peek implements syncengine.Outbox.
func (o *Outbox) Peek(context.Context) (*syncengine.MutationEvent, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.queue.Peek(), nil
}

// Dequeue implements syncengine.Outbox: it removes the entry and, from
// the log, every log entry merged into it. The server's _version and
// _lastChangedAt, which the queue gives the entries of the same record
// still queued, are written into their log entries in the same
// transaction, so that after a reload they go out with that version too
// and not with the stale one they were logged with.
func (o *Outbox) Dequeue(ctx context.Context, id uint64, response syncengine.Record) error {
	o.mu.Lock()
	head, ok := o.queue.Dequeue(id, response)
	if !ok {
		o.mu.Unlock()
		return nil
	}
	logs := o.logs[id]
	delete(o.logs, id)
	var stale []store.Key // log entries of the record's queued entries
	if response["_version"] != nil {
		for _, qid := range o.queue.IDsOf(head.Model, head.ModelID) {
			stale = append(stale, o.logs[qid]...)
		}
	}
	o.mu.Unlock()
	if len(stale) == 0 {
		return o.removeLog(ctx, logs)
	}
	return o.Engine.DB.Write(ctx, []string{relation.OutboxStore}, func(tx store.Tx) error {
		tx.Delete(relation.OutboxStore, logs)
		entries, err := tx.Get(relation.OutboxStore, stale)
		if err != nil {
			return err
		}
		var put []store.Record
		for _, entry := range entries {
			rec, _ := entry["element"].(map[string]any)
			if rec == nil {
				continue // sent and removed meanwhile
			}
			el := make(map[string]any, len(rec))
			for k, v := range rec {
				el[k] = v
			}
			el["_version"], el["_lastChangedAt"] = response["_version"], response["_lastChangedAt"]
			out := make(store.Record, len(entry))
			for k, v := range entry {
				out[k] = v
			}
			out["element"] = el
			put = append(put, out)
		}
		if len(put) > 0 {
			tx.Put(relation.OutboxStore, put)
		}
		return nil
	})
}

// Rewrite implements syncengine.Outbox (in memory: after a reload the log's
// data is sent again, and the conflict handler decides again).
func (o *Outbox) Rewrite(_ context.Context, id uint64, data syncengine.Record) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.queue.Rewrite(id, data)
	return nil
}

// Pending implements syncengine.Outbox.
func (o *Outbox) Pending(_ context.Context, model string, ids []string) (map[string]bool, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.queue.Pending(model, ids), nil
}

// Len implements syncengine.Outbox.
func (o *Outbox) Len(context.Context) (int, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.queue.Len(), nil
}

func (o *Outbox) removeLog(ctx context.Context, keys []store.Key) error {
	if len(keys) == 0 {
		return nil
	}
	return o.Engine.DB.Write(ctx, []string{relation.OutboxStore}, func(tx store.Tx) error {
		tx.Delete(relation.OutboxStore, keys)
		return nil
	})
}

// Persistent implements syncengine.Persistent: the log outlives the
// engine, so its head may have been sent by an engine before this one.
func (o *Outbox) Persistent() bool { return true }
