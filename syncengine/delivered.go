package syncengine

import (
	"context"
	"sync"
)

// Persistent is implemented by an Outbox whose queue outlives the engine
// (syncstore's, over the mutation log in IndexedDB): its head may have been
// sent by an engine before this one (a page reloaded mid-send), so the
// engine checks it with the server before sending it (deliveredBefore).
type Persistent interface {
	Persistent() bool
}

// deliveryCheck remembers which head may have reached the server without
// its answer arriving.
type deliveryCheck struct {
	mu      sync.Mutex
	drained bool   // a drain of this engine has begun
	cut     uint64 // the ID of a head whose send a cycle's end cut
}

// mustCheck reports whether head, about to be sent, must go through
// deliveredBefore: its send was cut before, or it is the first head of
// the engine's first drain over a persistent outbox. firstOfDrain is true
// at the first Peek of a drain (head may be nil then).
func (e *Engine) mustCheck(head *MutationEvent, firstOfDrain bool) bool {
	e.check.mu.Lock()
	defer e.check.mu.Unlock()
	resumed := firstOfDrain && !e.check.drained
	if firstOfDrain {
		e.check.drained = true
	}
	if head == nil {
		return false
	}
	if head.ID == e.check.cut {
		e.check.cut = 0
		return true
	}
	p, ok := e.cfg.Outbox.(Persistent)
	return resumed && ok && p.Persistent()
}

// sendCut records that the send of the entry id ended with its cycle: its
// request may have reached the server.
func (e *Engine) sendCut(id uint64) {
	e.check.mu.Lock()
	e.check.cut = id
	e.check.mu.Unlock()
}

// deliveredBefore reports whether head, the outbox's head when draining
// starts, reached the server already: a mutation whose request was cut
// (the cycle ended under it, the page was reloaded, the engine stopped)
// may have been applied without its answer arriving, and sending it again
// would apply it twice (AUTOMERGE takes a stale update and bumps the
// version). Only one mutation is ever in flight and they go out in order,
// so only the head can be in that state. The server's copy (getX) tells:
// a create was applied when the record exists, a delete when it is a
// tombstone, an update when its version is past the one the update was
// based on and holds every field the update sends (SyncedVersion). When
// it was, the copy is taken as the mutation's answer (succeeded) and true
// is returned. Models keyed other than by id are not checked (getX takes
// an id). A failed read returns its error when it is worth retrying
// (the cycle ends and starts again), else false: the mutation is sent.
func (e *Engine) deliveredBefore(ctx context.Context, head *MutationEvent) (bool, error) {
	docs := e.docs[head.Model]
	if docs == nil || len(docs.Model.PrimaryKey) != 1 || docs.Model.PrimaryKey[0] != "id" {
		return false, nil
	}
	m := docs.Model
	if head.Operation == OpUpdate && head.Data["_version"] == nil {
		return false, nil
	}
	data, err := e.client.do(ctx, docs.Get, map[string]any{"id": head.Data["id"]})
	if err != nil {
		if Retryable(err) {
			return false, err
		}
		return false, nil
	}
	rec, _ := data[docs.GetField].(map[string]any)
	if rec == nil {
		return false, nil
	}
	switch head.Operation {
	case OpCreate:
	case OpDelete:
		if rec["_deleted"] != true {
			return false, nil
		}
	case OpUpdate:
		if rec["_deleted"] == true || !newer(rec, head.Data) || !SyncedVersion(m, *head, rec) {
			return false, nil
		}
	default:
		return false, nil
	}
	return true, e.succeeded(ctx, m, head, rec)
}
