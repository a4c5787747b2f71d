package syncengine

import (
	"context"
	"errors"
	"fmt"

	jv "github.com/datastore-wasm/datastore-wasm/internal/jsonvalue"
	"github.com/datastore-wasm/datastore-wasm/relation"
)

// NewMutation builds the outbox entry of a local write of model: op
// OpCreate with the record saved, OpUpdate with the record before and
// after (only the changed fields, the key and _version are kept), OpDelete
// with the record removed. condition is the user's condition, or nil.
func NewMutation(s *relation.Schema, model, op string, before, after Record, condition *relation.Predicate) (MutationEvent, error) {
	m := s.Model(model)
	if m == nil {
		return MutationEvent{}, fmt.Errorf("syncengine: the schema has no model %s", model)
	}
	rec := after
	if op == OpDelete {
		rec = before
	}
	if rec == nil {
		return MutationEvent{}, fmt.Errorf("syncengine: a %s mutation of %s needs the record", op, model)
	}
	var data Record
	switch op {
	case OpCreate:
		data = copyRecord(rec)
	case OpUpdate:
		data = Record{}
		for k, v := range after {
			if isMetadata(k) {
				continue
			}
			if old, had := before[k]; !had || !jsonEqual(old, v) {
				data[k] = v
			}
		}
		for _, k := range m.PrimaryKey {
			data[k] = after[k]
		}
		if v, ok := before["_version"]; ok {
			data["_version"] = v
		} else if v, ok := after["_version"]; ok {
			data["_version"] = v
		}
	case OpDelete:
		data = Record{}
		for _, k := range m.PrimaryKey {
			data[k] = rec[k]
		}
		if v, ok := rec["_version"]; ok {
			data["_version"] = v
		}
	default:
		return MutationEvent{}, fmt.Errorf("syncengine: operation %q is not Create, Update or Delete", op)
	}
	return MutationEvent{Model: model, ModelID: ModelID(m, rec), Operation: op, Data: data, Condition: GraphQLFilter(condition)}, nil
}

// NewUpdate builds the outbox entry of a local update of model whose
// changed fields are known (the mutation log records them): rec is the
// record as written; the mutation carries the fields in changed that the
// server takes (not read-only ones such as updatedAt; a field rec no
// longer has goes as null), the key and _version. condition is the
// user's condition, or nil.
func NewUpdate(s *relation.Schema, model string, rec Record, changed []string, condition *relation.Predicate) (MutationEvent, error) {
	m := s.Model(model)
	if m == nil {
		return MutationEvent{}, fmt.Errorf("syncengine: the schema has no model %s", model)
	}
	data := Record{}
	for _, k := range changed {
		if f := m.Field(k); f != nil && !f.ReadOnly {
			data[k] = rec[k]
		}
	}
	for _, k := range m.PrimaryKey {
		data[k] = rec[k]
	}
	if v, ok := rec["_version"]; ok {
		data["_version"] = v
	}
	return MutationEvent{Model: model, ModelID: ModelID(m, rec), Operation: OpUpdate, Data: data, Condition: GraphQLFilter(condition)}, nil
}

// MutationVariables are the variables of head's mutation (Amplify's
// createQueryVariables): a create sends every writable field, an update
// the fields in the entry with the key and _version, a delete the key and
// _version; read-only fields and relation objects are never sent, AWSJSON
// values go as JSON strings, updates and deletes carry the condition (or
// null).
func MutationVariables(m *relation.Model, head MutationEvent) map[string]any {
	input := map[string]any{}
	keep := func(k string, v any) {
		f := m.Field(k)
		if f == nil || f.ReadOnly || f.Relation != nil {
			return
		}
		if f.Type == "AWSJSON" && v != nil {
			if _, isString := v.(string); !isString {
				v = string(jv.Append(nil, v))
			}
		}
		input[k] = v
	}
	if head.Operation != OpDelete {
		for k, v := range head.Data {
			keep(k, v)
		}
	}
	for _, k := range m.PrimaryKey {
		input[k] = head.Data[k]
	}
	if v, ok := head.Data["_version"]; ok && v != nil {
		input["_version"] = v
	}
	vars := map[string]any{"input": input}
	if head.Operation != OpCreate {
		if len(head.Condition) > 0 {
			vars["condition"] = head.Condition
		} else {
			vars["condition"] = nil
		}
	}
	return vars
}

func opType(op string) string {
	switch op {
	case OpCreate:
		return "INSERT"
	case OpUpdate:
		return "UPDATE"
	}
	return "DELETE"
}

// processMutations drains the outbox, one mutation at a time, until ctx
// ends.
func (e *Engine) processMutations(ctx context.Context) error {
	reportedEmpty := false
	for first := true; ; first = false {
		head, err := e.cfg.Outbox.Peek(ctx)
		if err != nil {
			return err
		}
		if err := e.latestVersion(ctx, head); err != nil {
			return err
		}
		if e.mustCheck(head, first) {
			done, err := e.deliveredBefore(ctx, head)
			if err != nil {
				e.sendCut(head.ID) // checked again next cycle
				if ctx.Err() != nil {
					return nil
				}
				return err
			}
			if done {
				continue
			}
		}
		if head == nil {
			if !reportedEmpty {
				e.emit(EventOutboxStatus, map[string]any{"isEmpty": true})
				reportedEmpty = true
			}
			select {
			case <-ctx.Done():
				return nil
			case <-e.wake:
				continue
			}
		}
		if err := e.send(ctx, head); err != nil {
			if ctx.Err() != nil {
				e.sendCut(head.ID)
				return nil
			}
			return err
		}
		n, err := e.cfg.Outbox.Len(ctx)
		if err != nil {
			return err
		}
		e.emit(EventOutboxStatus, map[string]any{"isEmpty": n == 0})
		reportedEmpty = n == 0
	}
}

// latestVersion gives head, an update or a delete about to be sent, the
// local record's _version when the entry holds an older one (or none): the
// entry was queued before an answer of an earlier mutation of its record
// raised the local version (it reached the outbox after that answer was
// merged), and a mutation based on a stale version is merged by the
// server (AUTOMERGE keeps the server's values) instead of applied. The
// outbox's own copy of the answer's version (Queue.Dequeue) covers the
// entries queued when the answer came.
func (e *Engine) latestVersion(ctx context.Context, head *MutationEvent) error {
	if head == nil || head.Operation == OpCreate || e.docs[head.Model] == nil {
		return nil
	}
	locals, err := e.cfg.Local.Get(ctx, head.Model, []Record{head.Data})
	if err != nil {
		return err
	}
	if len(locals) == 1 && locals[0] != nil {
		if _, ok := locals[0]["_version"].(float64); ok && (head.Data["_version"] == nil || newer(locals[0], head.Data)) {
			head.Data["_version"] = locals[0]["_version"]
		}
	}
	return nil
}

// send delivers head, retrying network failures and 5xx forever (with
// backoff), resolving conflicts, and handing refusals to the error
// handler; when it returns nil the entry has left the outbox.
func (e *Engine) send(ctx context.Context, head *MutationEvent) error {
	docs := e.docs[head.Model]
	if docs == nil {
		e.report(SyncError{Message: "the outbox holds a mutation of model " + head.Model + ", which is not synced", ErrorType: "ConfigError", Process: "mutate", Operation: head.Operation, Model: head.Model, Local: head.Data})
		return e.cfg.Outbox.Dequeue(ctx, head.ID, nil)
	}
	m := docs.Model
	doc, field := docs.Mutation(head.Operation)
	retries, conflicts := 0, 0
	for {
		data, err := e.client.do(ctx, doc, MutationVariables(m, *head))
		if err == nil {
			rec, _ := data[field].(map[string]any)
			return e.succeeded(ctx, m, head, rec)
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if Retryable(err) {
			if err := e.backoff(ctx, BackoffDelay(retries, e.cfg.Jitter(), MaxRetryDelay)); err != nil {
				return err
			}
			retries++
			continue
		}
		resent := retries > 0
		retries = 0
		var re *ResponseError
		if resent && head.Operation == OpCreate && errors.As(err, &re) && re.Has("ConditionalCheckFailedException") != nil {
			// The create reached the server before the network failed
			// and is now refused as a duplicate: it was delivered, so
			// the server's copy is its answer (outboxMutationProcessed
			// and the merge, as for any answered mutation).
			rec, err := e.serverCopy(ctx, m, head)
			if err != nil {
				return err
			}
			return e.succeeded(ctx, m, head, rec)
		}
		if !errors.As(err, &re) {
			e.report(SyncError{Message: err.Error(), ErrorType: "Unknown", Process: "mutate", Operation: head.Operation, Model: head.Model, Local: head.Data, Cause: err})
			return e.cfg.Outbox.Dequeue(ctx, head.ID, nil)
		}
		if c := re.Has("ConflictUnhandled"); c != nil {
			conflicts++
			if conflicts > MaxConflictAttempts || c.Data == nil {
				return e.discard(ctx, m, head, c.Data)
			}
			res, err := e.cfg.ConflictHandler(ctx, Conflict{Model: head.Model, Local: copyRecord(head.Data), Remote: copyRecord(c.Data), Operation: opType(head.Operation), Attempts: conflicts})
			if ctx.Err() != nil {
				return ctx.Err()
			}
			if err != nil {
				e.report(SyncError{Message: "the conflict handler failed: " + err.Error(), ErrorType: "Unknown", Process: "mutate", Operation: head.Operation, Model: head.Model, Local: head.Data, Remote: c.Data, Cause: err})
				continue
			}
			if res.Discard {
				return e.discard(ctx, m, head, c.Data)
			}
			if res.Record == nil {
				res, _ = DefaultConflictHandler(ctx, Conflict{Local: head.Data})
			}
			head.Data = resolved(m, res.Record, head.Data, c.Data)
			if err := e.cfg.Outbox.Rewrite(ctx, head.ID, head.Data); err != nil {
				return err
			}
			continue
		}
		first := re.Errors[0]
		e.report(SyncError{Message: first.Message, ErrorType: errorType(first), ErrorInfo: first.ErrorInfo, Process: "mutate", Operation: head.Operation, Model: head.Model, Local: head.Data, Remote: first.Data, Cause: re})
		return e.refused(ctx, m, head, first.Data)
	}
}

// resolved is a conflict handler's record as the mutation's data: the
// record's fields the model has (relation objects and unknown fields
// dropped), the key kept from the mutation, and the server's _version.
func resolved(m *relation.Model, rec, local, remote Record) Record {
	out := Record{}
	for k, v := range rec {
		if f := m.Field(k); f != nil && f.Relation == nil {
			out[k] = v
		}
	}
	for _, k := range m.PrimaryKey {
		out[k] = local[k]
	}
	out["_version"] = remote["_version"]
	return out
}

// errorType maps a server error to Amplify's ErrorType (errorMaps.ts).
//
//go:noinline
func errorType(e *GraphQLError) string {
	switch e.ErrorType {
	case "Unauthorized", "UnauthorizedException":
		return "Unauthorized"
	case "ConditionalCheckFailedException":
		return "ConditionalCheck"
	}
	if e.ErrorType == "" {
		return "Unknown"
	}
	return e.ErrorType
}

// succeeded dequeues head and merges the server's record: the local record
// takes its _version and _lastChangedAt (its fields too, unless newer
// local changes are queued), or the version held while head was in flight
// when that one is newer. The merge lock is held from the dequeue on, so a
// subscription event's merge either ends (holding its version) before it
// or starts after it (and finds the record no longer pending). The
// outboxMutationProcessed event follows the merge.
//
// The answer has come, so the dequeue and the merge are not cut by the
// end of the cycle that sent the mutation (a server going away ends it):
// an entry dequeued in memory whose log removal was cut would leave the
// outbox without its outboxMutationProcessed event.
func (e *Engine) succeeded(ctx context.Context, m *relation.Model, head *MutationEvent, rec Record) error {
	ctx = context.WithoutCancel(ctx)
	e.mergeMu.Lock()
	defer e.mergeMu.Unlock()
	if err := e.cfg.Outbox.Dequeue(ctx, head.ID, rec); err != nil {
		return err
	}
	held := e.takeHeld(m, head.ModelID)
	var recs []Record
	if rec != nil {
		recs = append(recs, rec)
	}
	if held != nil && (rec == nil || newer(held, rec)) {
		recs = append(recs, held) // the last entry per key wins
	}
	var err error
	if len(recs) > 0 {
		err = e.mergeLocked(ctx, m, recs, "mutate", nil, false)
	}
	// After the merge: a listener that reads the record on this event
	// finds the server's _version in it.
	e.emit(EventOutboxMutationProcessed, map[string]any{"model": head.Model, "element": rec})
	return err
}

// giveUp dequeues head (a mutation dropped after a conflict or a
// refusal) and returns the version held while it was queued, if any.
func (e *Engine) giveUp(ctx context.Context, m *relation.Model, head *MutationEvent) (Record, error) {
	ctx = context.WithoutCancel(ctx) // as in succeeded: the decision is taken
	e.mergeMu.Lock()
	defer e.mergeMu.Unlock()
	if err := e.cfg.Outbox.Dequeue(ctx, head.ID, nil); err != nil {
		return nil, err
	}
	return e.takeHeld(m, head.ModelID), nil
}

// discard gives up a mutation after a conflict: the server's copy is read
// (getX) and merged; remote, the copy the conflict came with, is merged
// when the read is refused.
func (e *Engine) discard(ctx context.Context, m *relation.Model, head *MutationEvent, remote Record) error {
	if _, err := e.giveUp(ctx, m, head); err != nil {
		return err
	}
	rec, err := e.serverCopy(ctx, m, head)
	if err != nil {
		return err
	}
	if rec == nil {
		rec = remote
	}
	if rec == nil {
		return nil
	}
	return e.mergeRecordsForced(ctx, m, []Record{rec}, "mutate")
}

// refused drops a mutation the server refused (reported already) and puts
// the local record back to the server's copy, so that the two agree again:
// the copy the refusal came with or a newer version held while the
// mutation was queued, else the server's copy read with getX. When the
// server has none (a refused create) the local record stays as written;
// it is never removed because of a refusal.
func (e *Engine) refused(ctx context.Context, m *relation.Model, head *MutationEvent, remote Record) error {
	held, err := e.giveUp(ctx, m, head)
	if err != nil {
		return err
	}
	rec := remote
	if held != nil && (rec == nil || newer(held, rec)) {
		rec = held
	}
	if rec == nil {
		if rec, err = e.serverCopy(ctx, m, head); err != nil || rec == nil {
			return err
		}
	}
	return e.mergeRecordsForced(ctx, m, []Record{rec}, "mutate")
}

// serverCopy reads the server's copy of head's record with getX (as
// Amplify does, by id only), retrying network failures; nil when the
// server has none or refuses the read.
func (e *Engine) serverCopy(ctx context.Context, m *relation.Model, head *MutationEvent) (Record, error) {
	docs := e.docs[m.Name]
	for retries := 0; ; retries++ {
		data, err := e.client.do(ctx, docs.Get, map[string]any{"id": head.Data[m.PrimaryKey[0]]})
		if err == nil {
			rec, _ := data[docs.GetField].(map[string]any)
			return rec, nil
		}
		if !Retryable(err) {
			return nil, nil
		}
		if err := e.backoff(ctx, BackoffDelay(retries, e.cfg.Jitter(), MaxRetryDelay)); err != nil {
			return nil, err
		}
	}
}
