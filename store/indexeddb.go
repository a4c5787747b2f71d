//go:build js && wasm

package store

import (
	"context"
	_ "embed"
	"errors"
	"slices"
	"sync"
	"syscall/js"

	jv "github.com/datastore-wasm/datastore-wasm/internal/jsonvalue"
)

//go:embed indexeddb_exec.js
var execSource string

var (
	execOnce sync.Once
	execObj  js.Value
)

// Executor returns the executor object, for diagnostics.
func Executor() js.Value { return executor() }

// Handle returns the IDBDatabase, for diagnostics.
func (d *IndexedDB) Handle() js.Value { return d.db }

// executor returns the JavaScript half of the store (indexeddb_exec.js),
// evaluated once per wasm instance.
func executor() js.Value {
	execOnce.Do(evalExecutor)
	return execObj
}

// evalExecutor is executor's first call, a named function rather than a
// closure: executor is inlined at each of its call sites, and so would be a
// copy of the closure (wasm size).
func evalExecutor() {
	execObj = js.Global().Get("Function").New("return (\n" + execSource + "\n)").Invoke()
}

// IndexedDB is a DB kept in the browser's IndexedDB (or any
// globalThis.indexedDB, such as fake-indexeddb in Node).
//
// go-indexeddb (github.com/hack-pad/go-indexeddb) was the planned way in,
// but v0.3.2 cannot read values with getAll, gives no access to the
// versionchange transaction that adding an index to an existing store needs,
// and costs one JS→Go callback per awaited request. The store therefore sends
// each batch of requests to a small JavaScript executor in one call.
type IndexedDB struct {
	name    string
	db      js.Value
	version int
	layout  Layout

	// Created: the open made the database; Upgraded: it changed the
	// stores of a database that had some.
	Created, Upgraded bool

	// Peeked is the record OpenOptions.Peek named, read by the open (nil:
	// the store has none); PeekedOK says it was read (false: the database
	// had no such store, or the read failed: read it yourself).
	Peeked   Record
	PeekedOK bool

	mu     sync.Mutex
	closed string // why the handle closed; "" while open

	release []js.Func

	// pres is what the connection knows exists: while it holds its
	// database's exclusive Web Lock (the executor's solo).
	pres       *presence
	unrequired []string // OpenOptions.Unrequired
}

// OpenOptions tunes OpenIndexedDB.
type OpenOptions struct {
	// Unrequired are stores whose records no save requires (the sync
	// engine's outbox and metadata): a Write over only these need not wait
	// until the connection is alone with the database (presence).
	Unrequired []string
	// OnClose is called when the database closes itself, for example because
	// another tab upgrades or deletes it. It must not block.
	OnClose func(reason string)
	// OnBlocked is called when an upgrade waits for other connections to
	// close. It must not block.
	OnBlocked func()
	// Reopen is set when reconnecting after another connection upgraded the
	// database: the database is then used as it is, never upgraded, so an
	// older page cannot undo a newer page's schema. Stores and indexes the
	// layout lacks are left alone; ones it needs but the database lacks make
	// the open fail with ErrChangedElsewhere.
	Reopen bool
	// Rekey is a JavaScript object of functions by store name: a store
	// whose key path changed is rewritten, each record through its
	// function (record => record), in the upgrade. Without one, a changed
	// key path fails the open with ErrKeyPathChanged.
	Rekey js.Value
	// Seed are records a database the open creates gets, put in the
	// upgrade that makes its stores (no transaction of their own).
	Seed []SeedRecord
	// Preopened is a pending open of the database (Preopen), which the
	// open takes over instead of asking IndexedDB again, when it is still
	// usable. It was started with the same Peek.
	Preopened js.Value
	// Peek names a record the open reads with the layout, in the same
	// transaction (IndexedDB.Peeked): a caller that needs it right after
	// opening saves a transaction of its own.
	Peek *RecordKey
}

// peekValue is a RecordKey as the executor takes it.
func peekValue(k *RecordKey) any {
	if k == nil {
		return nil
	}
	return map[string]any{"store": k.Store, "key": k.Key}
}

// freshSteps are the steps that make a database that does not exist yet:
// the stores and indexes of layout, and the seed records.
func freshSteps(layout Layout, seed []SeedRecord) []byte {
	steps := Diff(Layout{}, layout)
	for _, r := range seed {
		steps = append(steps, UpgradeStep{Op: "put", Store: r.Store, Value: r.Record})
	}
	return jv.AppendList(nil, steps)
}

// Preopen starts opening the database name at the version it has, before
// the layout the caller wants is known: IndexedDB opens it (on the
// browser's side) while Go parses the schema, instead of after. The
// caller must give the pending open the layout with PrepareFresh before
// it lets the event loop run (a database the open creates gets it; without
// one, a database that does not exist is not created), and hands it to
// OpenIndexedDB as OpenOptions.Preopened, or drops it with Unclaim. What
// the database needs (stores to create, key paths to check, migrations)
// is decided by OpenIndexedDB, as without it.
func Preopen(name string, peek *RecordKey) js.Value {
	var p js.Value
	if err := catchJS(func() { p = executor().Call("preopen", name, peekValue(peek)) }); err != nil {
		return js.Null() // the open reports it
	}
	return p
}

// PrepareFresh gives a pending open (Preopen) what a database it creates
// gets: the stores and indexes of layout, and seed.
func PrepareFresh(pending js.Value, layout Layout, seed []SeedRecord) {
	if pending.Type() == js.TypeObject {
		pending.Set("fresh", string(freshSteps(layout, seed)))
	}
}

// Unclaim closes a pending open (Preopen) that no open will take over.
func Unclaim(pending js.Value) {
	if pending.Type() == js.TypeObject {
		executor().Call("unclaim", pending)
	}
}

// OpenIndexedDB opens (creating or upgrading) the database name so that it
// has exactly the stores and indexes of layout. Stores and indexes that are
// missing are created over the existing records; those the layout no longer
// has are dropped. Records of stores that stay are kept.
func OpenIndexedDB(ctx context.Context, name string, layout Layout, opts OpenOptions) (*IndexedDB, error) {
	d := &IndexedDB{name: name, layout: layout, pres: newPresence(false), unrequired: opts.Unrequired}
	d.pres.poll = forgetSettled
	onClose := d.callback(func(args []js.Value) {
		d.pres.setSolo(false)
		reason := args[0].String()
		d.mu.Lock()
		if d.closed == "" {
			d.closed = reason
		}
		d.mu.Unlock()
		if opts.OnClose != nil {
			opts.OnClose(reason)
		}
	})
	onBlocked := d.callback(func([]js.Value) {
		if opts.OnBlocked != nil {
			opts.OnBlocked()
		}
	})
	fresh := freshSteps(layout, opts.Seed)
	opened := func(v js.Value) (Layout, error) {
		current, err := ParseLayout(v.Get("layout").String())
		if err != nil {
			v.Get("db").Call("close")
			return Layout{}, &Error{Op: "open", Err: err}
		}
		d.db = v.Get("db")
		d.version = v.Get("version").Int()
		if v.Get("oldVersion").Int() == 0 {
			d.Created = true
		}
		d.Peeked, d.PeekedOK = nil, false
		if p := v.Get("peek"); p.Type() == js.TypeString {
			if text := p.String(); text == "null" {
				d.PeekedOK = true
			} else if rec, err := jv.ParseObjectText(text); err == nil {
				d.Peeked, d.PeekedOK = rec, true
			}
		}
		return current, nil
	}
	open := func(version int, steps []UpgradeStep) (Layout, error) {
		stepsJSON := jv.AppendList(nil, steps)
		v, err := await(ctx, executor().Call("open", name, version, string(stepsJSON), onClose, onBlocked, string(fresh), opts.Rekey, peekValue(opts.Peek)))
		if err != nil {
			return Layout{}, wrapJSError("open", "", err)
		}
		return opened(v)
	}
	var current Layout
	var err error
	var v js.Value
	if opts.Preopened.Type() == js.TypeObject {
		// claim answers null when the pending open cannot be used.
		v, err = await(ctx, executor().Call("claim", opts.Preopened, onClose))
	}
	if err == nil && v.Type() == js.TypeObject {
		current, err = opened(v)
	} else if err == nil {
		current, err = open(0, nil)
	}
	if err != nil {
		d.free()
		return nil, err
	}
	rekeyable := func(store string) bool {
		return opts.Rekey.Type() == js.TypeObject && opts.Rekey.Get(store).Type() == js.TypeFunction
	}
	if err := CheckKeyPaths(current, layout, rekeyable); err != nil {
		d.db.Call("close")
		d.free()
		return nil, err
	}
	steps := Diff(current, layout)
	if opts.Reopen {
		for _, s := range steps {
			if s.Op == "createStore" || s.Op == "createIndex" {
				d.db.Call("close")
				d.free()
				return nil, &Error{Op: "open", Store: s.Store, Err: ErrChangedElsewhere, Msg: "reload the page to use the new schema"}
			}
		}
		d.beSolo()
		return d, nil
	}
	if len(steps) > 0 {
		d.db.Call("close")
		if _, err := open(d.version+1, steps); err != nil {
			d.free()
			return nil, err
		}
		d.Upgraded = !d.Created
	}
	d.beSolo()
	return d, nil
}

// beSolo asks the executor for the database's exclusive Web Lock, held
// until another connection needs it for a write that may delete; while
// held, the connection's saves skip reading records known to exist
// (presence).
func (d *IndexedDB) beSolo() {
	onSolo := d.callback(func(args []js.Value) { d.pres.setSolo(len(args) > 0 && args[0].Truthy()) })
	executor().Call("solo", d.db, d.name, onSolo)
}

// DeleteIndexedDB deletes the database name and everything in it.
func DeleteIndexedDB(ctx context.Context, name string) error {
	noop := js.FuncOf(func(js.Value, []js.Value) any { return nil })
	defer noop.Release()
	_, err := await(ctx, executor().Call("deleteDatabase", name, noop))
	return wrapJSError("delete database", "", err)
}

func (d *IndexedDB) callback(fn func([]js.Value)) js.Func {
	f := js.FuncOf(func(_ js.Value, args []js.Value) any { fn(args); return nil })
	d.release = append(d.release, f)
	return f
}

func (d *IndexedDB) free() {
	for _, f := range d.release {
		f.Release()
	}
	d.release = nil
}

// Layout returns the layout the database has.
func (d *IndexedDB) Layout() Layout { return d.layout }

// Version is the IndexedDB version number the database is at.
func (d *IndexedDB) Version() int { return d.version }

// Close closes the connection.
func (d *IndexedDB) Close() error {
	d.mu.Lock()
	if d.closed == "" {
		d.closed = "closed"
		d.pres.setSolo(false)
		executor().Call("unsolo", d.db)
		d.db.Call("close")
	}
	d.mu.Unlock()
	return nil
}

func (d *IndexedDB) begin(stores []string, mode string) (*idbTx, error) {
	return d.beginWith(context.Background(), stores, mode, false)
}

// beginWith begins a transaction; with solo (a read-write one that may
// delete) once the connection is alone with the database (presence),
// which may take waiting for another connection to hand its lock over.
func (d *IndexedDB) beginWith(ctx context.Context, stores []string, mode string, solo bool) (*idbTx, error) {
	if err := d.closedError("transaction"); err != nil {
		return nil, err
	}
	for _, s := range stores {
		if d.layout.Store(s) == nil {
			return nil, &Error{Op: "transaction", Store: s, Err: ErrUnknownStore}
		}
	}
	names := jv.Append(nil, stores)
	var state js.Value
	err := catchJS(func() { state = executor().Call("begin", d.db, string(names), mode, solo) })
	if err != nil {
		return nil, wrapJSError("transaction", "", err)
	}
	if then := state.Get("then"); then.Type() == js.TypeFunction {
		// Waiting for the lock: the transaction is made when it is held,
		// and this goroutine resumes in that task, while it is active.
		if state, err = await(ctx, state); err != nil {
			return nil, wrapJSError("transaction", "", err)
		}
	}
	return &idbTx{state: state, write: mode == "readwrite", pres: d.pres}, nil
}

// ReadNow starts q in a read-only transaction of its own and returns the
// Promise of its records as JavaScript objects, for a caller that hands
// them straight back to JavaScript: the records never cross into Go, and
// Go does not wait.
func (d *IndexedDB) ReadNow(q Query) (js.Value, error) {
	text, err := d.AppendRead(nil, q)
	if err != nil {
		return js.Value{}, err
	}
	return executor().Call("readNow", d.db, string(text)), nil
}

// AppendRead appends q as the executor's readNow(db, query) takes it, once
// the database is open and has q's store: the module then reads without a
// call into Go (wasm/direct.go).
func (d *IndexedDB) AppendRead(dst []byte, q Query) ([]byte, error) {
	if err := d.closedError("read"); err != nil {
		return dst, err
	}
	if d.layout.Store(q.Store) == nil {
		return dst, &Error{Op: "read", Store: q.Store, Err: ErrUnknownStore}
	}
	return q.AppendJSON(dst), nil
}

// AppendTree appends p as the executor's readTree(db, plan) takes it, once
// the database is open.
func (d *IndexedDB) AppendTree(dst []byte, p TreePlan) ([]byte, error) {
	if err := d.closedError("readTree"); err != nil {
		return dst, err
	}
	return p.AppendJSON(dst), nil
}

// closedError is the error of operation op on a closed database, or nil.
func (d *IndexedDB) closedError(op string) error {
	d.mu.Lock()
	closed := d.closed
	d.mu.Unlock()
	if closed != "" {
		return &Error{Op: op, Err: ErrClosed, Msg: closed}
	}
	return nil
}

// ReadTree starts a tree plan and returns the Promise of its root records,
// as JavaScript objects carrying what they include.
func (d *IndexedDB) ReadTree(p TreePlan) (js.Value, error) {
	text, err := d.AppendTree(nil, p)
	if err != nil {
		return js.Value{}, err
	}
	return executor().Call("readTree", d.db, string(text)), nil
}

// decodeOutcome decodes an outcome the executor resolved with into out.
func decodeOutcome(v js.Value, out any) error {
	text := js.Global().Get("JSON").Call("stringify", v).String()
	if err := parseOutcome(text, out); err != nil {
		return &Error{Op: "decode", Err: err}
	}
	return nil
}

// Read runs fn in a read-only transaction.
func (d *IndexedDB) Read(ctx context.Context, stores []string, fn func(Tx) error) error {
	tx, err := d.begin(stores, "readonly")
	if err != nil {
		return err
	}
	tx.ctx = ctx
	if err := fn(tx); err != nil {
		executor().Call("abort", tx.state)
		return err
	}
	return nil
}

// Write runs fn in a read-write transaction and commits it when fn returns
// nil; it returns when the transaction is complete.
func (d *IndexedDB) Write(ctx context.Context, stores []string, fn func(Tx) error) error {
	// fn may delete: the transaction begins once the connection is alone
	// with the database (presence; the executor's whenSolo), unless it
	// writes only stores no save requires records of.
	solo := false
	for _, s := range stores {
		solo = solo || !slices.Contains(d.unrequired, s)
	}
	tx, err := d.beginWith(ctx, stores, "readwrite", solo)
	if err != nil {
		return err
	}
	tx.ctx = ctx
	if err := fn(tx); err != nil {
		executor().Call("abort", tx.state)
		return err
	}
	_, err = tx.send(true)
	return err
}

// idbTx buffers requests until a read needs an answer or the commit.
type idbTx struct {
	ctx     context.Context
	state   js.Value
	write   bool
	pending []idbOp
	pres    *presence // forgets what the transaction deletes
}

// idbOp is one request of a transaction's batch, as the executor's run reads it.
type idbOp struct {
	Op     string
	Store  string
	Key    Key // nil: none
	Keys   []Key
	Values []Record
	Query  *Query
}

// AppendJSON writes {"op","store","key"?,"keys"?,"values"?,"query"?}.
func (op idbOp) AppendJSON(dst []byte) []byte {
	o := begin(dst)
	o.value("op", op.Op)
	o.value("store", op.Store)
	if op.Key != nil {
		o.value("key", op.Key)
	}
	if len(op.Keys) > 0 {
		o.value("keys", op.Keys)
	}
	if len(op.Values) > 0 {
		o.key("values")
		o.dst = append(o.dst, '[')
		for i, r := range op.Values {
			if i > 0 {
				o.dst = append(o.dst, ',')
			}
			o.dst = jv.Append(o.dst, r)
		}
		o.dst = append(o.dst, ']')
	}
	if op.Query != nil {
		o.key("query")
		o.dst = op.Query.AppendJSON(o.dst)
	}
	return o.end()
}

// send issues the buffered requests in one batch and returns their results.
func (t *idbTx) send(commit bool) ([]any, error) {
	ops := t.pending
	t.pending = nil
	if len(ops) == 0 {
		if !commit {
			return nil, nil
		}
		ops = []idbOp{}
	}
	body := jv.AppendList(nil, ops)
	var p js.Value
	if err := catchJS(func() { p = executor().Call("run", t.state, string(body), commit) }); err != nil {
		return nil, wrapJSError("request", "", err)
	}
	v, err := await(t.ctx, p)
	if err != nil {
		if t.ctx.Err() != nil {
			executor().Call("abort", t.state)
		}
		store := ""
		if len(ops) > 0 {
			store = ops[len(ops)-1].Store
		}
		return nil, wrapJSError("request", store, err)
	}
	parsed, err := jv.ParseText(v.String())
	if err != nil {
		return nil, &Error{Op: "decode", Err: err}
	}
	results, _ := parsed.([]any)
	return results, nil
}

func (t *idbTx) Get(store string, keys []Key) ([]Record, error) {
	first := len(t.pending)
	for _, k := range keys {
		if !ValidKey(k) {
			return nil, &Error{Op: "get", Store: store, Err: ErrInvalidKey}
		}
		t.pending = append(t.pending, idbOp{Op: "get", Store: store, Key: k})
	}
	results, err := t.send(false)
	if err != nil {
		return nil, err
	}
	out := make([]Record, len(keys))
	for i := range keys {
		out[i], _ = results[first+i].(map[string]any)
	}
	return out, nil
}

func (t *idbTx) Query(queries []Query) ([][]Record, error) {
	first := len(t.pending)
	for _, q := range queries {
		t.pending = append(t.pending, idbOp{Op: "query", Store: q.Store, Query: &q})
	}
	results, err := t.send(false)
	if err != nil {
		return nil, err
	}
	out := make([][]Record, len(queries))
	for i := range queries {
		list, _ := results[first+i].([]any)
		recs := make([]Record, 0, len(list))
		for _, r := range list {
			if m, ok := r.(map[string]any); ok {
				recs = append(recs, m)
			}
		}
		out[i] = recs
	}
	return out, nil
}

func (t *idbTx) Put(store string, records []Record) {
	if len(records) > 0 {
		t.pending = append(t.pending, idbOp{Op: "put", Store: store, Values: records})
	}
}

func (t *idbTx) Delete(store string, keys []Key) {
	for _, k := range keys {
		t.pres.forget(store, k)
	}
	if len(keys) > 0 {
		t.pending = append(t.pending, idbOp{Op: "delete", Store: store, Keys: keys})
	}
}

// jsError is a rejection or exception from the JavaScript side.
type jsError struct{ name, message string }

func (e *jsError) Error() string { return e.name + ": " + e.message }

func wrapJSError(op, store string, err error) error {
	if err == nil {
		return nil
	}
	var je *jsError
	if !errors.As(err, &je) {
		if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
			return &Error{Op: op, Store: store, Err: ErrAborted, Msg: err.Error()}
		}
		return &Error{Op: op, Store: store, Err: err}
	}
	kind := ErrAborted
	switch je.name {
	case "ConstraintError":
		kind = ErrConstraint
	case "QuotaExceededError":
		kind = ErrQuota
	case "DataError":
		kind = ErrInvalidKey
	case "NotFoundError":
		kind = ErrUnknownStore
	case "InvalidStateError", "TransactionInactiveError":
		kind = ErrClosed
	case "NotSupportedError":
		kind = ErrUnavailable
	case "IntegrityError":
		kind = ErrRequirement
	case "ConditionError":
		kind = ErrConditionFailed
	case "RestrictError":
		kind = ErrRestricted
	case "DatabaseClosedError":
		kind = ErrClosed
	}
	msg := je.name + ": " + je.message
	if kind == ErrRequirement || kind == ErrConditionFailed || kind == ErrRestricted {
		msg = je.message // the plan's own message, for the caller to show
	}
	return &Error{Op: op, Store: store, Err: kind, Msg: msg}
}

func toJSError(v js.Value) *jsError {
	if v.Type() == js.TypeObject {
		name, msg := v.Get("name"), v.Get("message")
		if name.Type() == js.TypeString {
			return &jsError{name: name.String(), message: msg.String()}
		}
	}
	return &jsError{name: "Error", message: v.String()}
}

// catchJS runs fn, turning a JavaScript exception into an error.
func catchJS(fn func()) (err error) {
	defer func() {
		if r := recover(); r != nil {
			if je, ok := r.(js.Error); ok {
				err = toJSError(je.Value)
				return
			}
			panic(r)
		}
	}()
	fn()
	return nil
}

// await waits for a JavaScript promise. It must not be called from inside a
// js.FuncOf callback (that would deadlock the wasm instance).
func await(ctx context.Context, p js.Value) (js.Value, error) {
	type outcome struct {
		v   js.Value
		err error
	}
	ch := make(chan outcome, 1)
	onOK := js.FuncOf(func(_ js.Value, args []js.Value) any {
		ch <- outcome{v: arg0(args)}
		return nil
	})
	onErr := js.FuncOf(func(_ js.Value, args []js.Value) any {
		ch <- outcome{err: toJSError(arg0(args))}
		return nil
	})
	defer onOK.Release()
	defer onErr.Release()
	p.Call("then", onOK, onErr)
	select {
	case o := <-ch:
		return o.v, o.err
	case <-ctx.Done():
		return js.Undefined(), ctx.Err()
	}
}

func arg0(args []js.Value) js.Value {
	if len(args) == 0 {
		return js.Undefined()
	}
	return args[0]
}
