//go:build js && wasm

package main

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"syscall/js"
	"time"
	"unsafe"

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
// onError(errorJSON), onConflict, onAuth) builds and starts the sync engine of an
// open database and returns its handle. onConflict, when a function,
// decides conflicts: onConflict(conflictJSON) → a Promise of "DISCARD", ""
// (the default) or the JSON of the record to send (see conflictHandler); onAuth, when a function, gives each request's
// and connection's headers (see authHeaders). configJSON is {endpoint, apiKey,
// syncPageSize, maxRecordsToSync, fullSyncInterval (minutes),
// syncExpressions: {Model: predicate tree}, realtime (false: no
// subscriptions)}. The mutation log is replayed into the queue at once.
func (b *bridge) syncStart(args []js.Value) (any, error) {
	h, err := b.engineAt(args[0])
	if err != nil {
		return nil, err
	}
	cfgObj, err := jv.ParseObjectText(args[1].String())
	if err != nil {
		return nil, argError(err)
	}
	onEvent, onChange, onError, onConflict := args[2], args[3], args[4], args[5]
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
		// [{"model","opType","element"}, ...], written directly (a base
		// sync page is a thousand of them) and passed without a copy.
		buf := make([]byte, 0, 256*len(changes))
		for i, c := range changes {
			if i == 0 {
				buf = append(buf, `[{"model":`...)
			} else {
				buf = append(buf, `,{"model":`...)
			}
			buf = jv.AppendString(buf, c.Model)
			buf = append(buf, `,"opType":`...)
			buf = jv.AppendString(buf, string(c.OpType))
			buf = append(buf, `,"element":`...)
			buf = jv.Append(buf, map[string]any(c.Record))
			buf = append(buf, '}')
		}
		buf = append(buf, ']')
		onChange.Invoke(unsafe.String(&buf[0], len(buf))) // buf is not written after
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
			e := map[string]any{"message": se.Message, "errorType": se.ErrorType, "errorInfo": se.ErrorInfo, "process": se.Process,
				"operation": se.Operation, "model": se.Model, "localModel": recordOrNil(se.Local),
				"remoteModel": recordOrNil(localForm(h.engine.Schema, se.Model, se.Remote))}
			if se.Cause != nil {
				e["cause"] = se.Cause.Error()
			}
			onError.Invoke(string(jv.Append(nil, e)))
		},
	}
	if onConflict.Type() == js.TypeFunction {
		cfg.ConflictHandler = conflictHandler(h.engine.Schema, onConflict)
	}
	if len(args) > 6 && args[6].Type() == js.TypeFunction {
		cfg.Headers = authHeaders(args[6])
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

// conflictHandler calls the user's conflictHandler (through fn, js/sync.js)
// and waits for its Promise: fn gets {model, localModel, remoteModel,
// operation, attempts} as JSON and answers "DISCARD", "" (the default) or
// the record's JSON. The engine decides what each answer means.
func conflictHandler(s *relation.Schema, fn js.Value) syncengine.ConflictHandler {
	return func(ctx context.Context, c syncengine.Conflict) (syncengine.Resolution, error) {
		arg := map[string]any{"model": c.Model, "localModel": map[string]any(c.Local),
			"remoteModel": recordOrNil(localForm(s, c.Model, c.Remote)), "operation": c.Operation, "attempts": float64(c.Attempts)}
		v, err := awaitPromise(ctx, fn.Invoke(string(jv.Append(nil, arg))), nil)
		if err != nil {
			return syncengine.Resolution{}, err
		}
		if v.Type() != js.TypeString {
			return syncengine.Resolution{}, errors.New("datastore-wasm: the conflict handler's bridge answered no string")
		}
		switch text := v.String(); text {
		case "DISCARD":
			return syncengine.Resolution{Discard: true}, nil
		case "":
			return syncengine.Resolution{}, nil
		default:
			rec, err := jv.ParseObjectText(text)
			if err != nil {
				return syncengine.Resolution{}, fmt.Errorf("the conflict handler returned something that is not a model: %w", err)
			}
			return syncengine.Resolution{Record: rec}, nil
		}
	}
}

// authHeaders asks onAuth (a Promise of the JSON of an object of header
// strings: js/sync.js checks and shapes what the user's auth returned)
// for the headers of each request and each real-time connection.
func authHeaders(onAuth js.Value) func(ctx context.Context) (map[string]string, error) {
	return func(ctx context.Context) (map[string]string, error) {
		v, err := awaitPromise(ctx, onAuth.Invoke(), nil)
		if err != nil {
			return nil, fmt.Errorf("the sync configuration's auth function failed: %w", err)
		}
		obj, err := jv.ParseObjectText(v.String())
		if err != nil {
			return nil, fmt.Errorf("the sync configuration's auth function gave no headers: %w", err)
		}
		h := make(map[string]string, len(obj))
		for k, x := range obj {
			if s, ok := x.(string); ok {
				h[k] = s
			}
		}
		return h, nil
	}
}

// localForm is a record from the server as the local store holds it
// (relation objects removed, AWSJSON parsed), or the record as it came
// when it is not valid.
func localForm(s *relation.Schema, model string, rec syncengine.Record) syncengine.Record {
	m := s.Model(model)
	if m == nil || rec == nil {
		return rec
	}
	if out, err := syncengine.LocalForm(s, m, rec); err == nil {
		return out
	}
	return rec
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

// syncWake(sync) tells the engine to try now (the browser went online):
// the idle outbox, and a retry or reconnect waiting out its backoff
// (Engine.Wake).
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
