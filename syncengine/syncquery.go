package syncengine

import (
	"context"
	"errors"
	"slices"

	"github.com/datastore-wasm/datastore-wasm/relation"
)

// syncAll runs the sync queries of every model, emitting
// syncQueriesStarted, modelSynced per model and syncQueriesReady. As in
// Amplify, a model's records are merged once the models it belongs to have
// synced (parents first), and models that do not depend on each other sync
// side by side; a model's first page is asked for at once, so that it
// arrives while its parents merge. The first error ends the others.
func (e *Engine) syncAll(ctx context.Context) error {
	names := make([]any, len(e.order))
	for i, m := range e.order {
		names[i] = m.Name
	}
	e.emit(EventSyncQueriesStarted, map[string]any{"models": names})
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	synced := make(map[*relation.Model]chan struct{}, len(e.order))
	for _, m := range e.order {
		synced[m] = make(chan struct{})
	}
	errs := make(chan error, len(e.order))
	for i, m := range e.order {
		// The parents listed before m: one after it closes a cycle of
		// belongs-to relations, which SyncOrder broke there.
		var parents []chan struct{}
		for _, parent := range syncParents(m) {
			if slices.Index(e.order[:i], parent) >= 0 {
				parents = append(parents, synced[parent])
			}
		}
		go func() {
			err := e.syncModel(ctx, m, func() error {
				for _, parent := range parents {
					select {
					case <-parent:
					case <-ctx.Done():
						return ctx.Err()
					}
				}
				return nil
			})
			if err == nil {
				close(synced[m])
			}
			errs <- err
		}()
	}
	var first error
	for range e.order {
		if err := <-errs; err != nil && first == nil {
			first = err
			cancel()
		}
	}
	if first != nil {
		return first
	}
	e.emit(EventSyncQueriesReady, nil)
	return nil
}

// syncModel runs one model's sync: full (lastSync 0) when none completed
// yet, the sync expression changed, or the full sync interval passed;
// delta (from lastSync) otherwise. Pages of SyncPageSize are merged as
// they arrive, up to MaxRecordsToSync records, once parentsSynced has
// returned (the first page is asked for before).
func (e *Engine) syncModel(ctx context.Context, m *relation.Model, parentsSynced func() error) error {
	md, err := e.cfg.Metadata.GetMetadata(ctx, m.Name)
	if err != nil {
		return err
	}
	filter := e.filter[m.Name]
	if pred := jsonText(filter); pred != md.LastSyncPredicate {
		md = ModelMetadata{Model: m.Name, LastSyncPredicate: pred}
	}
	full := md.LastFullSync == 0 || md.LastFullSync+e.cfg.FullSyncInterval.Milliseconds() <= e.nowMs()
	from := md.LastSync
	if full {
		from = 0
	}
	docs := e.docs[m.Name]
	counts := map[string]int{"new": 0, "updated": 0, "deleted": 0}
	var token any
	var startedAt float64
	received, retries := 0, 0
	var filterVar any
	if filter != nil {
		filterVar = filter
	}
	fetch := func(token any, received int) (Record, error) {
		limit := min(e.cfg.MaxRecordsToSync-received, e.cfg.SyncPageSize)
		return e.client.do(ctx, docs.Sync, map[string]any{"limit": limit, "nextToken": token, "lastSync": float64(from), "filter": filterVar})
	}
	// The next page is requested as soon as a page names it, and arrives
	// while this one is merged: the server's time and the local store's
	// overlap. A failed prefetch is handled as a failed request.
	var prefetched chan page
	defer func() {
		if prefetched != nil {
			<-prefetched // no request outlives the sync
		}
	}()
	prefetched = prefetch(fetch, token, received)
	if err := parentsSynced(); err != nil {
		return err
	}
	for {
		var data Record
		var err error
		if prefetched != nil {
			p := <-prefetched
			prefetched = nil
			data, err = p.data, p.err
		} else {
			data, err = fetch(token, received)
		}
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			if Retryable(err) {
				if retries >= syncRetries {
					return err
				}
				if err := e.backoff(ctx, BackoffDelay(retries, e.cfg.Jitter(), MaxRetryDelay)); err != nil {
					return err
				}
				retries++
				continue
			}
			var re *ResponseError
			if !errors.As(err, &re) || data == nil || data[docs.SyncField] == nil {
				se := SyncError{Message: err.Error(), ErrorType: "Unknown", Process: "sync", Model: m.Name, Cause: err}
				if re != nil {
					se.Message, se.ErrorType, se.ErrorInfo = re.Errors[0].Message, errorType(re.Errors[0]), re.Errors[0].ErrorInfo
				}
				e.report(se)
				// The model is done with no items, so the others go on
				// (Amplify's sync processor does the same).
				e.emitSynced(m, full, counts)
				return nil
			}
			for _, x := range re.Errors {
				e.report(SyncError{Message: x.Message, ErrorType: errorType(x), ErrorInfo: x.ErrorInfo, Process: "sync", Model: m.Name, Cause: x})
			}
			e.reportLast(m, re)
		}
		retries = 0
		conn, _ := data[docs.SyncField].(map[string]any)
		if conn == nil {
			e.report(SyncError{Message: docs.SyncField + " answered null", ErrorType: "BadRecord", Process: "sync", Model: m.Name})
			e.emitSynced(m, full, counts)
			return nil
		}
		items, _ := conn["items"].([]any)
		if s, ok := conn["startedAt"].(float64); ok && (startedAt == 0 || token == nil) {
			startedAt = s
		}
		recs := make([]Record, 0, len(items))
		for _, it := range items {
			r, _ := it.(map[string]any)
			recs = append(recs, r)
		}
		next, hasNext := conn["nextToken"].(string)
		more := hasNext && next != "" && received+len(items) < e.cfg.MaxRecordsToSync
		if more {
			prefetched = prefetch(fetch, next, received+len(items))
		}
		if err := e.mergeRecords(ctx, m, recs, "sync", counts); err != nil {
			return err
		}
		received += len(items)
		if !more {
			break
		}
		token = next
	}
	if startedAt > 0 {
		md.LastSync = int64(startedAt)
		if full {
			md.LastFullSync = int64(startedAt)
		}
		if err := e.cfg.Metadata.PutMetadata(ctx, md); err != nil {
			return err
		}
	}
	e.emitSynced(m, full, counts)
	return nil
}

// page is the answer to one sync query.
type page struct {
	data Record
	err  error
}

// prefetch asks fetch for the page after token in the background; the
// channel gives its answer.
func prefetch(fetch func(token any, received int) (Record, error), token any, received int) chan page {
	ch := make(chan page, 1)
	go func() {
		data, err := fetch(token, received)
		ch <- page{data, err}
	}()
	return ch
}

// syncRetries is how often a failing sync query is retried before the
// whole online cycle restarts (with its own backoff).
const syncRetries = 3

func (e *Engine) reportLast(m *relation.Model, re *ResponseError) {
	msgs := make([]any, len(re.Errors))
	for i, x := range re.Errors {
		msgs[i] = x.Message
	}
	e.emit(EventNonApplicableDataReceived, map[string]any{"errors": msgs, "modelName": m.Name})
}

func (e *Engine) emitSynced(m *relation.Model, full bool, counts map[string]int) {
	e.emit(EventModelSynced, map[string]any{"model": m.Name, "isFullSync": full, "isDeltaSync": !full,
		"counts": map[string]any{"new": counts["new"], "updated": counts["updated"], "deleted": counts["deleted"]}})
}

// mergeOne merges one record from the server.
func (e *Engine) mergeOne(ctx context.Context, m *relation.Model, rec Record, process string) error {
	return e.mergeRecords(ctx, m, []Record{rec}, process, nil)
}

// MergingStore is a LocalStore that can read and write one merge's records
// in one transaction (syncstore.Local does): Merge reads the stored records
// with the keys of keys (in order, nil where none is stored), passes them to
// decide and makes the changes decide returns, all in one transaction.
// decide does not block. A LocalStore without Merge is read with Get and
// written with Apply, two transactions.
type MergingStore interface {
	Merge(ctx context.Context, model string, keys []Record, decide func(locals []Record) []Change) error
}

// mergeRecords merges records from the server into the local store in
// one transaction: the last entry per key wins (a delta page may hold
// several versions), each is decided by Decide, bad ones are reported.
// A put older than the local record (a lower _version: a sync page read
// before a mutation's answer was merged) is dropped.
func (e *Engine) mergeRecords(ctx context.Context, m *relation.Model, recs []Record, process string, counts map[string]int) error {
	return e.merge(ctx, m, recs, process, counts, false)
}

// mergeRecordsForced merges the server's copies after a mutation was
// given up (a conflict discarded, a refusal): a copy with the local
// record's own _version is put all the same, since the local record then
// holds the change the server did not take.
func (e *Engine) mergeRecordsForced(ctx context.Context, m *relation.Model, recs []Record, process string) error {
	return e.merge(ctx, m, recs, process, nil, true)
}

func (e *Engine) merge(ctx context.Context, m *relation.Model, recs []Record, process string, counts map[string]int, force bool) error {
	e.mergeMu.Lock()
	defer e.mergeMu.Unlock()
	return e.mergeLocked(ctx, m, recs, process, counts, force)
}

// mergeLocked is merge with mergeMu held by the caller.
func (e *Engine) mergeLocked(ctx context.Context, m *relation.Model, recs []Record, process string, counts map[string]int, force bool) error {
	index := map[string]int{}
	var last []Record
	var bad []any
	for _, r := range recs {
		if r == nil {
			bad = append(bad, m.Name+": the server sent null instead of a record")
			continue
		}
		id := ModelID(m, r)
		if i, seen := index[id]; seen {
			last[i] = r
			continue
		}
		index[id] = len(last)
		last = append(last, r)
	}
	ids := make([]string, len(last))
	for i, r := range last {
		ids[i] = ModelID(m, r)
	}
	pending, err := e.cfg.Outbox.Pending(ctx, m.Name, ids)
	if err != nil {
		return err
	}
	// decide runs inside the store's transaction when it can merge: it
	// only decides; what the decisions report happens after the commit.
	decisions := make([]Decision, len(last))
	decide := func(locals []Record) []Change {
		var changes []Change
		for i, r := range last {
			d := Decide(e.cfg.Schema, m, r, locals[i], pending[ids[i]])
			if d.Err == nil && force && d.Action == Skip && !pending[ids[i]] && locals[i] != nil && d.Record["_deleted"] != true {
				d.Action, d.Count = Put, "updated" // a given-up mutation: the server's copy replaces the local change
			}
			if d.Err == nil && d.Action == Put && locals[i] != nil && newer(locals[i], d.Record) {
				d = Decision{Action: Skip, Record: d.Record} // a stale copy: the local record is a later version
			}
			decisions[i] = d
			switch d.Action {
			case Put:
				changes = append(changes, Change{Record: d.Record, Count: d.Count})
			case Delete:
				changes = append(changes, Change{Delete: true, Record: d.Record, Count: d.Count})
			}
		}
		return changes
	}
	if ms, ok := e.cfg.Local.(MergingStore); ok {
		err = ms.Merge(ctx, m.Name, last, decide)
	} else {
		var locals []Record
		if locals, err = e.cfg.Local.Get(ctx, m.Name, last); err == nil {
			if changes := decide(locals); len(changes) > 0 {
				err = e.cfg.Local.Apply(ctx, m.Name, changes)
			}
		}
	}
	if err != nil {
		return err
	}
	for i, d := range decisions {
		if d.Err != nil {
			bad = append(bad, d.Err.Error())
			e.report(SyncError{Message: d.Err.Error(), ErrorType: "BadRecord", Process: process, Model: m.Name, Remote: last[i], Cause: d.Err})
			continue
		}
		if d.Action == Skip && pending[ids[i]] && d.Record != nil {
			// Held until the record's queued mutations are answered: a
			// later version than their answers must not be lost.
			e.hold(m, ids[i], last[i])
		}
		if counts != nil && d.Count != "" && d.Action != Skip {
			counts[d.Count]++
		}
	}
	if len(bad) > 0 {
		e.emit(EventNonApplicableDataReceived, map[string]any{"errors": bad, "modelName": m.Name})
	}
	return nil
}

// newer reports whether a has a higher _version than b.
func newer(a, b Record) bool {
	va, ok1 := a["_version"].(float64)
	vb, ok2 := b["_version"].(float64)
	return ok1 && ok2 && va > vb
}

// hold keeps rec, a record from the server skipped because the local
// record has queued mutations, if it is the latest version seen for its
// key; succeeded merges it after the mutation's answer when it is newer
// (an event can overtake the answer of the mutation it follows).
func (e *Engine) hold(m *relation.Model, id string, rec Record) {
	e.heldMu.Lock()
	defer e.heldMu.Unlock()
	if e.held == nil {
		e.held = map[string]Record{}
	}
	k := m.Name + "\x00" + id
	if old := e.held[k]; old == nil || !newer(old, rec) {
		e.held[k] = rec
	}
}

// takeHeld removes and returns the record held for a key, or nil.
func (e *Engine) takeHeld(m *relation.Model, id string) Record {
	e.heldMu.Lock()
	defer e.heldMu.Unlock()
	k := m.Name + "\x00" + id
	rec := e.held[k]
	delete(e.held, k)
	return rec
}
