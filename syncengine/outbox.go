package syncengine

import (
	"context"
	"strings"
	"sync"

	"github.com/datastore-wasm/datastore-wasm/relation"
	"github.com/datastore-wasm/datastore-wasm/store"
)

// Record is a model instance's fields, JSON-decoded (relation.Record).
type Record = map[string]any

// MutationEvent is one queued local mutation (Amplify's MutationEvent).
type MutationEvent struct {
	// ID is the entry's place in the queue, assigned by the outbox on
	// append; entries go out in ID order.
	ID uint64
	// Model is the model's name; ModelID the record's key (ModelID).
	Model, ModelID string
	// Operation is OpCreate, OpUpdate or OpDelete.
	Operation string
	// Data is what is sent: for a create every field, for an update the
	// changed fields, the key and _version, for a delete the key and
	// _version (other fields are ignored when the input is built).
	Data Record
	// Condition is the GraphQL condition object of the user's condition,
	// or nil.
	Condition map[string]any
}

// Outbox is the persisted queue of local mutations. Implementations keep
// entries in order and apply PlanEnqueue on Enqueue; only one entry is in
// flight at a time (the one Peek returned), and Enqueue never touches it.
type Outbox interface {
	// Enqueue adds a local mutation, merged with the entries queued for
	// the same record (PlanEnqueue).
	Enqueue(ctx context.Context, ev MutationEvent) error
	// Peek returns the head (nil when empty) and marks it in flight.
	Peek(ctx context.Context) (*MutationEvent, error)
	// Dequeue removes the in-flight entry id. With the server's record it
	// also copies the record's _version and _lastChangedAt into the other
	// entries for that record (Queue.Dequeue), durably when the outbox is.
	Dequeue(ctx context.Context, id uint64, response Record) error
	// Rewrite replaces the data of entry id (a conflict handler's answer).
	Rewrite(ctx context.Context, id uint64, data Record) error
	// Pending reports which of ids (ModelIDs of model) have queued
	// entries, the in-flight one included.
	Pending(ctx context.Context, model string, ids []string) (map[string]bool, error)
	// Len is the number of queued entries.
	Len(ctx context.Context) (int, error)
}

// ModelID is a record's key as the outbox stores it: the value of a
// one-field key, the values of a composite key joined with '#' (Amplify's
// getIdentifierValue).
func ModelID(m *relation.Model, rec Record) string {
	parts := make([]string, len(m.PrimaryKey))
	for i, k := range m.PrimaryKey {
		parts[i] = store.JSString(rec[k])
	}
	return strings.Join(parts, "#")
}

// EnqueuePlan says how an outbox takes an incoming mutation: remove the
// entries Remove, rewrite Replace in place (same ID), append Append.
type EnqueuePlan struct {
	Remove  []uint64
	Replace *MutationEvent
	Append  *MutationEvent
}

// PlanEnqueue applies Amplify's outbox merge rules (outbox.ts enqueue).
// queued are the entries for incoming's record, oldest first, without the
// one in flight.
//   - none queued: append incoming;
//   - the first is a create: a delete removes every queued entry and
//     nothing is sent; anything else merges its fields into the create in
//     place (the condition is dropped);
//   - the first is an update or delete and incoming has no condition:
//     fields are merged (old ∪ new, the old _version kept), every queued
//     entry is removed and the merged one appended at the tail;
//   - incoming has a condition: appended as is.
func PlanEnqueue(queued []MutationEvent, incoming MutationEvent) EnqueuePlan {
	if len(queued) == 0 {
		return EnqueuePlan{Append: &incoming}
	}
	first := queued[0]
	if first.Operation == OpCreate {
		if incoming.Operation == OpDelete {
			return EnqueuePlan{Remove: ids(queued)}
		}
		merged := first
		merged.Data = mergeFields(first.Data, incoming.Data)
		return EnqueuePlan{Replace: &merged}
	}
	if len(incoming.Condition) > 0 {
		return EnqueuePlan{Append: &incoming}
	}
	merged := incoming
	merged.Data = mergeFields(first.Data, incoming.Data)
	return EnqueuePlan{Remove: ids(queued), Append: &merged}
}

func ids(evs []MutationEvent) []uint64 {
	out := make([]uint64, len(evs))
	for i, e := range evs {
		out[i] = e.ID
	}
	return out
}

// mergeFields is Amplify's mergeUserFields: previous's metadata, then
// previous's fields, then current's fields over them.
func mergeFields(previous, current Record) Record {
	out := make(Record, len(previous)+len(current))
	for k, v := range previous {
		out[k] = v
	}
	for k, v := range current {
		if k == "_version" || k == "_lastChangedAt" || k == "_deleted" {
			continue
		}
		out[k] = v
	}
	return out
}

// SyncedVersion reports whether the server's record holds every field head
// sends, apart from metadata, timestamps and relation objects, unchanged
// (Amplify's test in syncOutboxVersionsOnDequeue, amplify-js PR #7354): the
// delivered-check takes that as a sign that head was applied.
func SyncedVersion(m *relation.Model, head MutationEvent, response Record) bool {
	if response == nil {
		return false
	}
	for k, v := range head.Data {
		if isMetadata(k) || k == m.CreatedAt || k == m.UpdatedAt {
			continue
		}
		if f := m.Field(k); f != nil && f.Relation != nil {
			continue
		}
		if !jsonEqual(v, response[k]) {
			return false
		}
	}
	return true
}

//go:noinline
func isMetadata(k string) bool {
	return k == "_version" || k == "_lastChangedAt" || k == "_deleted"
}

// jsonEqual compares two JSON values deeply.
func jsonEqual(a, b any) bool {
	switch x := a.(type) {
	case map[string]any:
		y, ok := b.(map[string]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for k, v := range x {
			w, ok := y[k]
			if !ok || !jsonEqual(v, w) {
				return false
			}
		}
		return true
	case []any:
		y, ok := b.([]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for i := range x {
			if !jsonEqual(x[i], y[i]) {
				return false
			}
		}
		return true
	case int:
		return jsonEqual(float64(x), b)
	}
	if n, ok := b.(int); ok {
		return jsonEqual(a, float64(n))
	}
	return a == b
}

// Queue is an outbox's queue in memory: the mutations to send, oldest first, with Amplify's
// merge rules (PlanEnqueue) applied as mutations arrive and the entry in flight (the one Peek
// last gave) never merged into. Both outboxes keep their queue in one: MemoryOutbox, and the
// one over relation's log (package syncstore), which also removes the log entries a change
// of the queue leaves unsent. A Queue is not safe for concurrent use: its owner locks.
type Queue struct {
	schema   *relation.Schema
	entries  []MutationEvent
	inFlight uint64
}

// NewQueue returns an empty queue for the models of s.
func NewQueue(s *relation.Schema) *Queue { return &Queue{schema: s} }

// Enqueue takes ev (whose ID the caller chose, increasing) and returns the plan it applied.
func (q *Queue) Enqueue(ev MutationEvent) EnqueuePlan {
	var queued []MutationEvent
	for _, e := range q.entries {
		if e.Model == ev.Model && e.ModelID == ev.ModelID && e.ID != q.inFlight {
			queued = append(queued, e)
		}
	}
	plan := PlanEnqueue(queued, ev)
	if len(plan.Remove) > 0 {
		drop := map[uint64]bool{}
		for _, id := range plan.Remove {
			drop[id] = true
		}
		kept := q.entries[:0]
		for _, e := range q.entries {
			if !drop[e.ID] {
				kept = append(kept, e)
			}
		}
		q.entries = kept
	}
	if plan.Replace != nil {
		for i := range q.entries {
			if q.entries[i].ID == plan.Replace.ID {
				q.entries[i] = *plan.Replace
			}
		}
	}
	if plan.Append != nil {
		q.entries = append(q.entries, *plan.Append)
	}
	return plan
}

// Peek returns a copy of the oldest entry, now in flight, or nil.
func (q *Queue) Peek() *MutationEvent {
	if len(q.entries) == 0 {
		q.inFlight = 0
		return nil
	}
	head := q.entries[0]
	head.Data = copyRecord(head.Data)
	q.inFlight = head.ID
	return &head
}

// Dequeue removes the entry id, the server having answered response, and gives the entries
// of the same record queued after it the server's _version and _lastChangedAt, so that they
// go out based on the latest version the server gave. Unlike Amplify (PR #7354, which keeps
// the old version when the answer differs from what was sent, SyncedVersion), this is done
// for every answer: when the server merged a stale write (AUTOMERGE), a later mutation sent
// with the old version would be merged again and lose its fields to the server's. ok is false
// when no entry has that id.
func (q *Queue) Dequeue(id uint64, response Record) (removed MutationEvent, ok bool) {
	idx := -1
	for i, e := range q.entries {
		if e.ID == id {
			idx = i
		}
	}
	if idx < 0 {
		return MutationEvent{}, false
	}
	head := q.entries[idx]
	q.entries = append(q.entries[:idx], q.entries[idx+1:]...)
	q.inFlight = 0
	if response["_version"] != nil {
		for i := range q.entries {
			e := &q.entries[i]
			if e.Model == head.Model && e.ModelID == head.ModelID {
				e.Data = copyRecord(e.Data)
				e.Data["_version"] = response["_version"]
				e.Data["_lastChangedAt"] = response["_lastChangedAt"]
			}
		}
	}
	return head, true
}

// IDsOf returns the IDs of the entries queued for the record modelID of model, oldest first.
func (q *Queue) IDsOf(model, modelID string) []uint64 {
	var out []uint64
	for _, e := range q.entries {
		if e.Model == model && e.ModelID == modelID {
			out = append(out, e.ID)
		}
	}
	return out
}

// Rewrite replaces the data of the entry id (a conflict handler's record).
func (q *Queue) Rewrite(id uint64, data Record) {
	for i := range q.entries {
		if q.entries[i].ID == id {
			q.entries[i].Data = copyRecord(data)
		}
	}
}

// Pending says which of ids (ModelIDs of model) have entries queued.
func (q *Queue) Pending(model string, ids []string) map[string]bool {
	want := make(map[string]bool, len(ids))
	for _, id := range ids {
		want[id] = true
	}
	out := map[string]bool{}
	for _, e := range q.entries {
		if e.Model == model && want[e.ModelID] {
			out[e.ModelID] = true
		}
	}
	return out
}

// Len is the number of entries queued.
func (q *Queue) Len() int { return len(q.entries) }

// Entries returns a copy of the queue, oldest first.
func (q *Queue) Entries() []MutationEvent {
	out := make([]MutationEvent, len(q.entries))
	for i, e := range q.entries {
		e.Data = copyRecord(e.Data)
		out[i] = e
	}
	return out
}

// MemoryOutbox is an Outbox in memory (tests, and engines without
// persistence). The zero value is not usable: call NewMemoryOutbox.
type MemoryOutbox struct {
	mu    sync.Mutex
	queue *Queue
	next  uint64
}

// NewMemoryOutbox returns an empty outbox for the models of s.
func NewMemoryOutbox(s *relation.Schema) *MemoryOutbox {
	return &MemoryOutbox{queue: NewQueue(s), next: 1}
}

// Enqueue implements Outbox.
func (o *MemoryOutbox) Enqueue(_ context.Context, ev MutationEvent) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	ev.ID = o.next
	if plan := o.queue.Enqueue(ev); plan.Append != nil {
		o.next++
	}
	return nil
}

// Peek implements Outbox.
func (o *MemoryOutbox) Peek(context.Context) (*MutationEvent, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.queue.Peek(), nil
}

// Dequeue implements Outbox.
func (o *MemoryOutbox) Dequeue(_ context.Context, id uint64, response Record) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.queue.Dequeue(id, response)
	return nil
}

// Rewrite implements Outbox.
func (o *MemoryOutbox) Rewrite(_ context.Context, id uint64, data Record) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.queue.Rewrite(id, data)
	return nil
}

// Pending implements Outbox.
func (o *MemoryOutbox) Pending(_ context.Context, model string, ids []string) (map[string]bool, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.queue.Pending(model, ids), nil
}

// Len implements Outbox.
func (o *MemoryOutbox) Len(context.Context) (int, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.queue.Len(), nil
}

// Entries returns a copy of the queue, oldest first (tests).
func (o *MemoryOutbox) Entries() []MutationEvent {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.queue.Entries()
}

//go:noinline
func copyRecord(r Record) Record {
	if r == nil {
		return nil
	}
	out := make(Record, len(r))
	for k, v := range r {
		out[k] = v
	}
	return out
}

// MergeQueue applies PlanEnqueue to entries taken one by one from an
// append-only log (oldest first, IDs set), as if each had been enqueued
// in turn, and returns the queue that results. inFlight is the ID of the
// entry being sent (never merged into), or 0. A store that appends raw
// mutations in the write's own transaction (relation's __outbox) can
// derive the queue to send with it.
func MergeQueue(entries []MutationEvent, inFlight uint64) []MutationEvent {
	var queue []MutationEvent
	for _, ev := range entries {
		var queued []MutationEvent
		for _, q := range queue {
			if q.Model == ev.Model && q.ModelID == ev.ModelID && q.ID != inFlight {
				queued = append(queued, q)
			}
		}
		plan := PlanEnqueue(queued, ev)
		drop := map[uint64]bool{}
		for _, id := range plan.Remove {
			drop[id] = true
		}
		kept := queue[:0:0]
		for _, q := range queue {
			if drop[q.ID] {
				continue
			}
			if plan.Replace != nil && q.ID == plan.Replace.ID {
				q = *plan.Replace
			}
			kept = append(kept, q)
		}
		if plan.Append != nil {
			kept = append(kept, *plan.Append)
		}
		queue = kept
	}
	return queue
}
