//go:build js && wasm

package main

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"syscall/js"
	"time"

	jv "github.com/datastore-wasm/datastore-wasm/internal/jsonvalue"
	"github.com/datastore-wasm/datastore-wasm/relation"
	"github.com/datastore-wasm/datastore-wasm/syncengine"
	"github.com/datastore-wasm/datastore-wasm/syncstore"
)

// syncSession is one running sync engine over an open database.
type syncSession struct {
	engine *syncengine.Engine
	outbox *syncstore.Outbox
}

var (
	syncMu   sync.Mutex
	syncNext int
	syncs    = map[int]*syncSession{}
)

func (b *bridge) syncExports() map[string]exported {
	return map[string]exported{
		"syncStart":  b.sync(b.syncStart),
		"syncIngest": b.async(b.syncIngest),
		"syncStop":   b.async(b.syncStop),
		"syncWake":   b.sync(b.syncWake),
	}
}

func syncAt(v js.Value) (*syncSession, error) {
	syncMu.Lock()
	defer syncMu.Unlock()
	s := syncs[v.Int()]
	if s == nil {
		return nil, errors.New("datastore-wasm: unknown sync handle (the sync engine was stopped)")
	}
	return s, nil
}

// syncStart(engine, configJSON, onEvent(type, dataJSON), onChange(changesJSON),
// onError(errorJSON)) builds and starts the sync engine of an open
// database and returns its handle. configJSON is {endpoint, apiKey,
// syncPageSize, maxRecordsToSync, fullSyncInterval (minutes),
// syncExpressions: {Model: predicate tree}, realtime (false: no
// subscriptions)}. The mutation log is replayed into the queue at once.
func (b *bridge) syncStart(args []js.Value) (any, error) {
	h, err := b.engineAt(args[0])
	if err != nil {
		return nil, err
	}
	cfgObj, err := jv.ParseObject([]byte(args[1].String()))
	if err != nil {
		return nil, argError(err)
	}
	onEvent, onChange, onError := args[2], args[3], args[4]
	str := func(k string) string { s, _ := cfgObj[k].(string); return s }
	num := func(k string) float64 { n, _ := cfgObj[k].(float64); return n }
	exprs := map[string]*relation.Predicate{}
	if m, ok := cfgObj["syncExpressions"].(map[string]any); ok {
		for model, tree := range m {
			p, err := relation.PredicateFrom(tree)
			if err != nil {
				return nil, fmt.Errorf("DataStore.configure({ syncExpressions }): the expression of %s: %w", model, err)
			}
			exprs[model] = p
		}
	}
	outbox := syncstore.NewOutbox(h.engine)
	local := &syncstore.Local{Engine: h.engine, OnChange: func(changes []relation.Change) {
		list := make([]any, len(changes))
		for i, c := range changes {
			list[i] = map[string]any{"model": c.Model, "opType": string(c.OpType), "element": map[string]any(c.Record)}
		}
		onChange.Invoke(string(jv.Append(nil, list)))
	}}
	cfg := syncengine.Config{
		Schema: h.engine.Schema, Endpoint: str("endpoint"), APIKey: str("apiKey"),
		Transport: fetchTransport{}, Dialer: socketDialer{},
		Local: local, Outbox: outbox, Metadata: &syncstore.Metadata{DB: h.db},
		SyncPageSize: int(num("syncPageSize")), MaxRecordsToSync: int(num("maxRecordsToSync")),
		FullSyncInterval: time.Duration(num("fullSyncInterval") * float64(time.Minute)),
		SyncExpressions:  exprs,
		OnEvent: func(ev syncengine.Event) {
			data := ""
			if ev.Data != nil {
				data = string(jv.Append(nil, ev.Data))
			}
			onEvent.Invoke(ev.Type, data)
		},
		ErrorHandler: func(se syncengine.SyncError) {
			e := map[string]any{"message": se.Message, "errorType": se.ErrorType, "process": se.Process,
				"operation": se.Operation, "model": se.Model, "localModel": recordOrNil(se.Local), "remoteModel": recordOrNil(se.Remote)}
			onError.Invoke(string(jv.Append(nil, e)))
		},
	}
	if v, ok := cfgObj["realtime"].(bool); ok && !v {
		cfg.Dialer = nil
	}
	eng, err := syncengine.New(cfg)
	if err != nil {
		return nil, err
	}
	syncMu.Lock()
	syncNext++
	id := syncNext
	syncs[id] = &syncSession{engine: eng, outbox: outbox}
	syncMu.Unlock()
	eng.Start()
	return id, nil
}

func recordOrNil(r syncengine.Record) any {
	if r == nil {
		return nil
	}
	return map[string]any(r)
}

// syncIngest(sync) → a Promise of how many mutation-log entries it queued:
// the local writes since the last call, passed to the engine in order.
func (b *bridge) syncIngest(args []js.Value) (any, error) {
	s, err := syncAt(args[0])
	if err != nil {
		return nil, err
	}
	return s.outbox.Ingest(context.Background(), s.engine.Enqueue)
}

// syncWake(sync) tells the engine to try the outbox now (the browser went
// online).
func (b *bridge) syncWake(args []js.Value) (any, error) {
	s, err := syncAt(args[0])
	if err != nil {
		return nil, err
	}
	s.engine.Wake()
	return nil, nil
}

// syncStop(sync) → a Promise resolved once the engine has stopped; the
// unsent mutations stay in the log.
func (b *bridge) syncStop(args []js.Value) (any, error) {
	syncMu.Lock()
	s := syncs[args[0].Int()]
	delete(syncs, args[0].Int())
	syncMu.Unlock()
	if s != nil {
		s.engine.Stop()
	}
	return nil, nil
}
