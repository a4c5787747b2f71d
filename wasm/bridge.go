//go:build js && wasm

package main

import (
	"context"
	"errors"
	"fmt"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"syscall/js"

	jv "github.com/datastore-wasm/datastore-wasm/internal/jsonvalue"
	"github.com/datastore-wasm/datastore-wasm/relation"
	"github.com/datastore-wasm/datastore-wasm/store"
)

// bridge holds the schemas and open engines that JavaScript refers to by
// number.
type bridge struct {
	mu      sync.Mutex
	next    int
	schemas map[int]*relation.Schema
	engines map[int]*engineHandle
	ids     *relation.IDs
}

type engineHandle struct {
	engine *relation.Engine
	db     *store.IndexedDB
}

func newBridge() *bridge {
	ids := &relation.IDs{}
	if pool := newUUIDPool(); pool != nil {
		ids.UUID = pool.UUID
	}
	return &bridge{schemas: map[int]*relation.Schema{}, engines: map[int]*engineHandle{}, ids: ids}
}

type exported = func(this js.Value, args []js.Value) any

func (b *bridge) exports() map[string]exported {
	return map[string]exported{
		"schema":         b.sync(b.schema),
		"construct":      b.direct(b.construct),
		"nonModel":       b.sync(b.nonModel),
		"copyOf":         b.direct(b.copyOf),
		"matches":        b.sync(b.matches),
		"open":           b.async(b.open),
		"preopen":        b.sync(b.preopen),
		"prepareOpen":    b.sync(b.prepareOpen),
		"unclaim":        b.sync(b.unclaim),
		"close":          b.async(b.close),
		"deleteDatabase": b.async(b.deleteDatabase),
		"save":           b.direct(b.save),
		"query":          b.sync(b.query),
		"get":            b.sync(b.get),
		"related":        b.sync(b.related),
		"delete":         b.sync(b.delete),
		"planDelete":     b.sync(b.planDelete),
		"explain":        b.sync(b.explain),
		"queryIncluding": b.sync(b.queryIncluding),
		"batch":          b.direct(b.batch),
		"outbox":         b.async(b.outbox),
		"debugStorage": b.sync(func(args []js.Value) (any, error) {
			h, err := b.engineAt(args[0])
			if err != nil {
				return nil, err
			}
			return map[string]any{"exec": store.Executor(), "db": h.db.Handle()}, nil
		}),
		"debugPanic": b.async(func([]js.Value) (any, error) { panic("deliberate panic (debugPanic)") }),
	}
}

// sync wraps a function that answers at once: it returns {value} or
// {error: {message, kind}}; the JavaScript side throws the error.
//
//go:noinline
func (b *bridge) sync(fn func(args []js.Value) (any, error)) exported {
	return func(_ js.Value, args []js.Value) (out any) {
		defer func() {
			if r := recover(); r != nil {
				out = errorObject(panicError(r))
			}
		}()
		v, err := fn(args)
		if err != nil {
			return errorObject(err)
		}
		o := js.Global().Get("Object").New()
		o.Set("value", v)
		return o
	}
}

// direct wraps a function of a save's path (construct, copyOf, save,
// batch): it returns the value itself, or a JavaScript Error for the caller
// to throw (callDirect in js/wasm.js). It makes no {value} object: each
// js.Value Go makes costs a crossing and a finalizer (GO-WASM.md), and a
// save crosses twice.
//
//go:noinline
func (b *bridge) direct(fn func(args []js.Value) (any, error)) exported {
	return func(_ js.Value, args []js.Value) (out any) {
		defer func() {
			if r := recover(); r != nil {
				out = jsError(panicError(r))
			}
		}()
		v, err := fn(args)
		if err != nil {
			return jsError(err)
		}
		return v
	}
}

// async wraps a function that does storage work: it returns a Promise and
// runs fn in a goroutine (see promise).
//
//go:noinline
func (b *bridge) async(fn func(args []js.Value) (any, error)) exported {
	return func(_ js.Value, args []js.Value) any {
		args = append([]js.Value(nil), args...)
		return promise(func() (any, error) { return fn(args) })
	}
}

// promise runs fn in a goroutine, since blocking inside a callback would
// deadlock the wasm instance, and returns the Promise of its result. A
// panic rejects the Promise and the instance serves the next call.
func promise(fn func() (any, error)) js.Value {
	var executor js.Func
	executor = js.FuncOf(func(_ js.Value, pa []js.Value) any {
		resolve, reject := pa[0], pa[1]
		executor.Release()
		go func() {
			defer func() {
				if r := recover(); r != nil {
					reject.Invoke(jsError(panicError(r)))
				}
			}()
			v, err := fn()
			if err != nil {
				reject.Invoke(jsError(err))
				return
			}
			resolve.Invoke(v)
		}()
		return nil
	})
	return js.Global().Get("Promise").New(executor)
}

// panicError turns a recovered panic into an error for the caller; the
// stack goes to the console, for a bug report.
func panicError(r any) error {
	js.Global().Get("console").Call("error", "datastore-wasm panic: "+fmt.Sprint(r)+"\n"+string(debug.Stack()))
	return fmt.Errorf("internal error in datastore-wasm: %v (the DataStore keeps working; the stack is in the console, please report it)", r)
}

// errorKind names an error's kind for JavaScript (Error.name).
func errorKind(err error) string {
	switch {
	case errors.Is(err, relation.ErrSchema):
		return "SchemaError"
	case errors.Is(err, relation.ErrValidation), errors.Is(err, relation.ErrUsage):
		return "Error"
	case errors.Is(err, relation.ErrIntegrity):
		return "IntegrityError"
	case errors.Is(err, relation.ErrCondition):
		return "ConditionError"
	case errors.Is(err, store.ErrClosed):
		return "DatabaseClosedError"
	case errors.Is(err, store.ErrChangedElsewhere):
		return "SchemaChangedElsewhereError"
	case errors.Is(err, store.ErrQuota):
		return "QuotaExceededError"
	case errors.Is(err, errStaleTicket):
		return "StaleTicketError"
	}
	var se *store.Error
	if errors.As(err, &se) {
		return "StorageError"
	}
	return "Error"
}

func jsError(err error) js.Value {
	e := js.Global().Get("Error").New(err.Error())
	e.Set("name", errorKind(err))
	return e
}

func errorObject(err error) js.Value {
	o := js.Global().Get("Object").New()
	o.Set("error", jsError(err))
	return o
}

// argError reports arguments Go could not read. A mistake the caller can
// fix (a predicate or value nested too deep) is returned as it is; other
// failures mean the module sent what Go does not expect.
func argError(err error) error {
	var ue *relation.UserError
	if errors.As(err, &ue) || errors.Is(err, jv.ErrTooDeep) {
		return err
	}
	return fmt.Errorf("datastore-wasm could not read the arguments of a call (%w); please report it with the call that gave this", err)
}

// text writes a value as JSON without reflection.
func text(v jv.Appender) string { return string(v.AppendJSON(nil)) }

func (b *bridge) schemaAt(v js.Value) (*relation.Schema, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	s := b.schemas[v.Int()]
	if s == nil {
		return nil, errUnknownSchema
	}
	return s, nil
}

var errUnknownSchema = errors.New("datastore-wasm: unknown schema handle")

func errNoModel(i int) error { return fmt.Errorf("the schema has no model number %d", i) }

func (b *bridge) engineAt(v js.Value) (*engineHandle, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	e := b.engines[v.Int()]
	if e == nil {
		return nil, &store.Error{Op: "operation", Err: store.ErrClosed, Msg: "this DataStore was stopped or cleared"}
	}
	return e, nil
}

// modelAt reads a model argument: its index in the schema descriptor's
// models (a number, as the module sends it: no string to cross) or its
// name.
func (b *bridge) modelAt(s *relation.Schema, v js.Value) (*relation.Model, error) {
	if v.Type() == js.TypeNumber {
		if i := v.Int(); i >= 0 && i < len(s.Models) {
			return s.Models[i], nil
		}
		return nil, errNoModel(v.Int())
	}
	return b.modelOf(s, v.String())
}

func (b *bridge) modelOf(s *relation.Schema, name string) (*relation.Model, error) {
	m := s.Model(name)
	if m == nil {
		return nil, fmt.Errorf("the schema has no model %s", name)
	}
	return m, nil
}

// schema(kind, text, optionsJSON) parses a schema ("sdl" or
// "introspection") and returns {id, descriptor}. Options: {onDelete:
// {"Model.field": "cascade" | "setNull" | "restrict"}}.
func (b *bridge) schema(args []js.Value) (any, error) {
	var s *relation.Schema
	var err error
	if args[0].String() == "sdl" {
		s, err = relation.ParseSDL(args[1].String())
	} else {
		s, err = relation.ParseIntrospection([]byte(args[1].String()))
	}
	if err != nil {
		return nil, err
	}
	if len(args) > 2 && args[2].Type() == js.TypeString {
		options, err := jv.ParseObjectText(args[2].String())
		if err != nil {
			return nil, argError(err)
		}
		onDelete, ok := options["onDelete"].(map[string]any)
		if !ok && options["onDelete"] != nil {
			return nil, errors.New("onDelete must be an object of policies: { 'Post.comments': 'restrict' }")
		}
		for path, v := range onDelete {
			policy, ok := v.(string)
			if !ok {
				return nil, fmt.Errorf("onDelete[%q] must be 'cascade', 'setNull' or 'restrict', not %.200s", path, jv.Append(nil, v))
			}
			model, field, _ := strings.Cut(path, ".")
			if err := s.SetOnDelete(model, field, policy); err != nil {
				return nil, err
			}
		}
	}
	b.mu.Lock()
	b.next++
	id := b.next
	b.schemas[id] = s
	b.mu.Unlock()
	return map[string]any{"id": id, "descriptor": text(describe(s))}, nil
}

// construct(schema, model, initJSON, plain) builds a new record (SPEC
// 2.1) and answers as appendConstruct; model is the model's index or name
// (modelAt).
func (b *bridge) construct(args []js.Value) (any, error) {
	s, err := b.schemaAt(args[0])
	if err != nil {
		return nil, err
	}
	m, err := b.modelAt(s, args[1])
	if err != nil {
		return nil, err
	}
	plain := len(args) > 3 && args[3].Truthy()
	out, err := b.appendConstruct(nil, s, m, args[2].String(), plain)
	return string(out), err
}

// appendConstruct builds a new record of m from init (JSON), keeps it
// (constructed) and appends its ticket and then either the record, as
// JSON in the model's field order, or, when plain (the caller's values
// are strings, finite numbers, booleans and null, which JSON writes as
// they are) and the record is those values but for its generated id
// (relation.Construction), '+' and the id: "12{...}" or
// "12+5f3c2a1e-...". A lone surrogate (\ud800) is not kept as given (Go
// strings hold UTF-8: it becomes U+FFFD), so such an init is answered
// whole.
func (b *bridge) appendConstruct(dst []byte, s *relation.Schema, m *relation.Model, init string, plain bool) ([]byte, error) {
	values, err := relation.ParseRecord(init)
	if err != nil {
		return dst, argError(err)
	}
	c, err := s.ConstructOwned(m, values, b.ids)
	if err != nil {
		return dst, err
	}
	dst = strconv.AppendInt(dst, int64(constructed.put(c.Record)), 10)
	if plain && c.AsGiven && !strings.Contains(init, `\ud`) && !strings.Contains(init, `\uD`) {
		return append(append(dst, '+'), c.Generated...), nil
	}
	return relation.Ordered{Model: m, Record: c.Record}.AppendJSON(dst), nil
}

// nonModel(schema, type, initJSON) validates a non-model constructor's
// values (SPEC 2.6) and returns them normalised.
func (b *bridge) nonModel(args []js.Value) (any, error) {
	s, err := b.schemaAt(args[0])
	if err != nil {
		return nil, err
	}
	init, err := relation.ParseRecord(args[2].String())
	if err != nil {
		return nil, argError(err)
	}
	out, err := s.CheckNonModel(args[1].String(), init)
	if err != nil {
		return nil, err
	}
	// The type's fields given, in their order, then any others.
	dst := []byte{'{'}
	put := func(k string, v any) {
		if len(dst) > 1 {
			dst = append(dst, ',')
		}
		dst = jv.AppendString(dst, k)
		dst = append(dst, ':')
		dst = jv.Append(dst, v)
	}
	for _, f := range s.NonModel(args[1].String()).Fields {
		if v, given := out[f.Name]; given {
			put(f.Name, v)
			delete(out, f.Name)
		}
	}
	for k, v := range out {
		put(k, v)
	}
	return string(append(dst, '}')), nil
}

// copyOf(schema, model, ticket, sourceJSON, draftJSON) validates a copyOf
// draft (SPEC 2.3) of the source kept for ticket, else of sourceJSON
// (null when the ticket serves); model as construct takes it.
func (b *bridge) copyOf(args []js.Value) (any, error) {
	s, err := b.schemaAt(args[0])
	if err != nil {
		return nil, err
	}
	m, err := b.modelAt(s, args[1])
	if err != nil {
		return nil, err
	}
	out, err := appendCopyOf(nil, s, m, args[2].Float(), optionalString(args[3]), args[4].String())
	return string(out), err
}

// appendCopyOf validates a copyOf draft (JSON) of source (the record kept
// for ticket, else sourceText: recordOf), keeps the record (constructed)
// and appends its ticket and the record, as JSON in the model's field
// order, to dst.
func appendCopyOf(dst []byte, s *relation.Schema, m *relation.Model, ticket float64, sourceText, draftText string) ([]byte, error) {
	source, err := recordOf(ticket, sourceText)
	if err != nil {
		return dst, err
	}
	draft, err := relation.ParseRecord(draftText)
	if err != nil {
		return dst, argError(err)
	}
	rec, err := s.CopyOf(m, source, draft)
	if err != nil {
		return dst, err
	}
	dst = strconv.AppendInt(dst, int64(constructed.put(rec)), 10)
	return relation.Ordered{Model: m, Record: rec}.AppendJSON(dst), nil
}

// matches(schema, model, predicateJSON, recordJSON) evaluates a predicate,
// for observe's filters.
func (b *bridge) matches(args []js.Value) (any, error) {
	s, err := b.schemaAt(args[0])
	if err != nil {
		return nil, err
	}
	m, err := b.modelOf(s, args[1].String())
	if err != nil {
		return nil, err
	}
	p, err := relation.ParsePredicate(args[2].String())
	if err != nil {
		return nil, argError(err)
	}
	if err := relation.ValidatePredicate(m, p); err != nil {
		return nil, err
	}
	rec, err := relation.ParseRecord(args[3].String())
	if err != nil {
		return nil, argError(err)
	}
	return p.Matches(rec), nil
}

// preopen(databaseName) starts opening the database before its schema is
// parsed (store.Preopen), so that IndexedDB's work overlaps the parse;
// it returns the pending open, for prepareOpen and open (or unclaim).
func (b *bridge) preopen(args []js.Value) (any, error) {
	return store.Preopen(args[0].String(), &relation.MetaKey), nil
}

// prepareOpen(pending, schema) gives a pending open what a database it
// creates gets (store.PrepareFresh): the schema's stores and its
// description.
func (b *bridge) prepareOpen(args []js.Value) (any, error) {
	s, err := b.schemaAt(args[1])
	if err != nil {
		return nil, err
	}
	store.PrepareFresh(args[0], relation.Layout(s), s.MetaSeed())
	return nil, nil
}

// unclaim(pending) closes a pending open that no open will take over.
func (b *bridge) unclaim(args []js.Value) (any, error) {
	store.Unclaim(args[0])
	return nil, nil
}

// open(schema, databaseName, reopen, onEvent, outbox, migrations, pending)
// opens the database (migrating records, see relation.Migrate) and
// returns {id, created, upgraded}; reopen marks a reconnection after
// another tab's upgrade. onEvent(type, detail) hears of the connection
// being closed under it ("closed") and of an upgrade waiting for other
// tabs ("blocked"). pending, when given, is a pending open (preopen) the
// open takes over.
func (b *bridge) open(args []js.Value) (any, error) {
	s, err := b.schemaAt(args[0])
	if err != nil {
		return nil, err
	}
	name := args[1].String()
	reopen := len(args) > 2 && args[2].Truthy()
	// A database the open creates starts with the schema's description
	// (relation.MetaSeed), written in the upgrade that makes its stores.
	// Reading what the database remembers of its schema (relation.MetaKey)
	// goes with the open, which saves Migrate a transaction.
	opts := store.OpenOptions{Reopen: reopen, Seed: s.MetaSeed(), Peek: &relation.MetaKey, Unrequired: []string{relation.OutboxStore, relation.MetaStore}}
	if len(args) > 6 && args[6].Type() == js.TypeObject {
		opts.Preopened = args[6]
	}
	if len(args) > 5 && args[5].Type() == js.TypeObject {
		opts.Rekey = args[5] // the app's migrations, by model (= store) name
	}
	if len(args) > 3 && args[3].Type() == js.TypeFunction {
		onEvent := args[3]
		opts.OnClose = func(reason string) { onEvent.Invoke("closed", reason) }
		opts.OnBlocked = func() { onEvent.Invoke("blocked", "") }
	}
	db, err := store.OpenIndexedDB(context.Background(), name, relation.Layout(s), opts)
	if err != nil {
		return nil, err
	}
	e := relation.NewEngine(s, db)
	e.IDs = b.ids
	if len(args) > 4 && args[4].Type() == js.TypeBoolean {
		e.Outbox = args[4].Bool()
	}
	if !reopen {
		var migrations map[string]relation.Migration
		if len(args) > 5 && args[5].Type() == js.TypeObject {
			migrations = jsMigrations(args[5])
		}
		// A database the open created holds the description already
		// (its seed): nothing to read, migrate or remember.
		if !db.Created {
			migrate := func() error { return e.Migrate(context.Background(), migrations) }
			if db.PeekedOK {
				migrate = func() error { return e.MigrateFrom(context.Background(), db.Peeked, migrations) }
			}
			if err := migrate(); err != nil {
				db.Close()
				return nil, err
			}
		}
	}
	b.mu.Lock()
	b.next++
	id := b.next
	b.engines[id] = &engineHandle{engine: e, db: db}
	b.mu.Unlock()
	return map[string]any{"id": id, "created": db.Created, "upgraded": db.Upgraded, "db": db.Handle(), "exec": store.Executor()}, nil
}

func (b *bridge) close(args []js.Value) (any, error) {
	b.mu.Lock()
	h := b.engines[args[0].Int()]
	delete(b.engines, args[0].Int())
	b.mu.Unlock()
	if h != nil {
		return nil, h.db.Close()
	}
	return nil, nil
}

func (b *bridge) deleteDatabase(args []js.Value) (any, error) {
	return nil, store.DeleteIndexedDB(context.Background(), args[0].String())
}

// save(engine, model, ticket, recordJSON, optionsJSON, record, fresh) →
// a Promise of {op, record}: Go validates the record (the one kept for
// ticket, else the JSON: recordOf) and plans, the store's executor
// carries the plan out in one transaction, storing the record object
// itself; fresh marks a record the caller made (likely an insert). model
// is as construct takes it; recordJSON and optionsJSON may be null (none).
func (b *bridge) save(args []js.Value) (any, error) {
	h, err := b.engineAt(args[0])
	if err != nil {
		return nil, err
	}
	m, err := b.modelAt(h.engine.Schema, args[1])
	if err != nil {
		return nil, err
	}
	text, options := optionalString(args[3]), optionalString(args[4])
	plan, err := planSave(h, m, args[2].Float(), text, options)
	if err != nil {
		return nil, err
	}
	record, fresh := js.Undefined(), false
	if len(args) > 6 {
		record, fresh = args[5], args[6].Truthy()
	}
	return h.db.StartSave(plan, record, fresh)
}

// optionalString is v's string, or "" when v is not a string (null).
func optionalString(v js.Value) string {
	if v.Type() == js.TypeString {
		return v.String()
	}
	return ""
}

// planSave reads a save's record (kept for ticket, else recordText) and
// options (JSON; "": none) and plans it.
func planSave(h *engineHandle, m *relation.Model, ticket float64, recordText, options string) (store.SavePlan, error) {
	rec, err := recordOf(ticket, recordText)
	if err != nil {
		return store.SavePlan{}, err
	}
	var opts relation.SaveOptions
	if options != "" {
		if opts, err = relation.ParseSaveOptions(options); err != nil {
			return store.SavePlan{}, argError(err)
		}
	}
	opts.Text = recordText
	return h.engine.PlanSave(m.Name, rec, opts)
}

// query(engine, model, optionsJSON) → a Promise of the records. Go plans
// the query and the store's executor runs it: the records go to JavaScript
// without passing through Go (queryRead.plan).
func (b *bridge) query(args []js.Value) (any, error) {
	h, err := b.engineAt(args[0])
	if err != nil {
		return nil, err
	}
	r, err := parseQueryRead(args[1].String(), "", false, args[2].String(), "", false)
	if err != nil {
		return nil, err
	}
	q, _, err := r.plan(h)
	if err != nil {
		return nil, err
	}
	if q == nil {
		return r.readByGo(h), nil
	}
	return h.db.ReadNow(*q)
}

// queryIncluding(engine, model, keyJSON, optionsJSON, pathsJSON) → a
// Promise of the records, each carrying under "@included" the related
// records of the include paths, all read in one transaction.
func (b *bridge) queryIncluding(args []js.Value) (any, error) {
	h, err := b.engineAt(args[0])
	if err != nil {
		return nil, err
	}
	hasKey := args[2].Type() == js.TypeString
	key := ""
	if hasKey {
		key = args[2].String()
	}
	r, err := parseQueryRead(args[1].String(), key, hasKey, args[3].String(), args[4].String(), true)
	if err != nil {
		return nil, err
	}
	_, tree, err := r.plan(h)
	if err != nil {
		return nil, err
	}
	if tree == nil {
		return r.readByGo(h), nil
	}
	return h.db.ReadTree(*tree)
}

// explain(engine, model, optionsJSON) → the plan a query would use.
func (b *bridge) explain(args []js.Value) (any, error) {
	h, err := b.engineAt(args[0])
	if err != nil {
		return nil, err
	}
	opts, err := relation.ParseQueryOptions(args[2].String())
	if err != nil {
		return nil, argError(err)
	}
	plan, err := h.engine.Explain(args[1].String(), opts)
	if err != nil {
		return nil, err
	}
	return text(plan), nil
}

// get(engine, model, keyJSON) → a Promise of the records with that key
// (none or one).
func (b *bridge) get(args []js.Value) (any, error) {
	h, err := b.engineAt(args[0])
	if err != nil {
		return nil, err
	}
	key, err := relation.ParseRecord(args[2].String())
	if err != nil {
		return nil, argError(err)
	}
	q, err := h.engine.PlanGet(args[1].String(), key)
	if err != nil {
		return nil, err
	}
	return h.db.ReadNow(q)
}

// related(engine, model, field, recordJSON, max) → a Promise of the records
// the relation reaches from the record.
func (b *bridge) related(args []js.Value) (any, error) {
	h, err := b.engineAt(args[0])
	if err != nil {
		return nil, err
	}
	rec, err := relation.ParseRecord(args[3].String())
	if err != nil {
		return nil, argError(err)
	}
	q, none, err := h.engine.PlanRelated(args[1].String(), args[2].String(), rec)
	if err != nil {
		return nil, err
	}
	if none {
		return js.Global().Get("Promise").Call("resolve", js.Global().Get("Array").New()), nil
	}
	q.Count = args[4].Int()
	return h.db.ReadNow(q)
}

// delete(engine, model, targetJSON) → a Promise of {removed: [{store,
// record}], roots}: the deleted records, descendants first, the roots last.
func (b *bridge) delete(args []js.Value) (any, error) {
	h, plan, err := b.deletePlan(args)
	if err != nil {
		return nil, err
	}
	return h.db.StartDelete(plan)
}

// batch(engine, opsJSON, records, fresh) → a Promise of {steps: [...]}, the
// operations carried out all or nothing in one transaction. opsJSON is
// [{save: model, record | ticket, condition} | {delete: model, target}]
// (a save's record, or the ticket of the one kept: recordOf); records and
// fresh give each save's record object and freshness (see save).
func (b *bridge) batch(args []js.Value) (any, error) {
	h, err := b.engineAt(args[0])
	if err != nil {
		return nil, err
	}
	plan, err := planBatch(h, args[1].String(), nil)
	if err != nil {
		return nil, err
	}
	return h.db.StartBatch(plan, args[2], args[3])
}

// apartRecords are a batch's records as the module sends them apart from
// its operations: a ticket a save (0: none), and the JSON of each save
// without one, in order.
type apartRecords struct {
	tickets        []float64
	texts          []string
	next, nextText int
}

// take is the next save's record (recordOf) and its JSON ("" for a
// ticket's).
func (r *apartRecords) take() (relation.Record, string, error) {
	if r.next >= len(r.tickets) {
		return nil, "", errFewerRecords()
	}
	ticket, text := r.tickets[r.next], ""
	r.next++
	if ticket == 0 {
		if r.nextText >= len(r.texts) {
			return nil, "", errFewerRecords()
		}
		text = r.texts[r.nextText]
		r.nextText++
	}
	rec, err := recordOf(ticket, text)
	return rec, text, err
}

// errFewerRecords is a batch's failure when its records apart are fewer
// than its saves (made when it happens: an error made is µs in wasm).
func errFewerRecords() error { return argError(errors.New("fewer records than saves")) }

// planBatch reads a batch's operations (JSON, as batch takes them) and
// plans them. With apart, each save's record is not in the operations
// JSON but the next of apart's, whose JSON also serves as the record's
// text in messages (SaveOptions.Text); a save without a condition may
// then be its model's name alone, a string.
func planBatch(h *engineHandle, opsText string, apart *apartRecords) (store.BatchPlan, error) {
	if names, ok := modelNames(opsText); ok && apart != nil {
		// The module's usual batch, saves without conditions: no JSON
		// parsed (a string made and boxed a save).
		ops := make([]relation.BatchOp, len(names))
		saves := make([]relation.SaveOptions, len(names))
		for i, model := range names {
			rec, text, err := apart.take()
			if err != nil {
				return store.BatchPlan{}, err
			}
			saves[i].Text = text
			ops[i] = relation.BatchOp{Model: model, Record: rec, Save: &saves[i]}
		}
		return h.engine.PlanBatch(ops)
	}
	v, err := jv.ParseText(opsText)
	if err != nil {
		return store.BatchPlan{}, argError(err)
	}
	list, _ := v.([]any)
	ops := make([]relation.BatchOp, len(list))
	saves := make([]relation.SaveOptions, len(list)) // one allocation for every save's options
	for i, item := range list {
		// A save without a condition may be its model's name alone (the
		// module's batches, whose records come apart: no object to parse
		// per record).
		model, byName := item.(string)
		isSave := byName
		m, _ := item.(map[string]any)
		if !byName {
			model, isSave = m["save"].(string)
		}
		if byName && apart == nil {
			return store.BatchPlan{}, argError(errors.New("a save given by its model's name alone needs its record apart, in the records' texts"))
		}
		if isSave {
			rec, _ := m["record"].(map[string]any)
			var text string
			var err error
			switch {
			case apart != nil:
				rec, text, err = apart.take()
			case rec == nil:
				ticket, _ := m["ticket"].(float64)
				rec, err = recordOf(ticket, "")
			}
			if err != nil {
				return store.BatchPlan{}, err
			}
			cond, err := relation.PredicateFrom(m["condition"])
			if err != nil {
				return store.BatchPlan{}, argError(err)
			}
			saves[i] = relation.SaveOptions{Condition: cond, Text: text}
			ops[i] = relation.BatchOp{Model: model, Record: rec, Save: &saves[i]}
			continue
		}
		t, err := relation.ParseDeleteTarget(string(jv.Append(nil, m["target"])))
		if err != nil {
			return store.BatchPlan{}, argError(err)
		}
		model, _ = m["delete"].(string)
		ops[i] = relation.BatchOp{Model: model, Delete: &t}
	}
	return h.engine.PlanBatch(ops)
}

// modelNames reads a JSON array of plain names (["Post","Post"], no
// escapes) as substrings of text; ok is false for anything else.
func modelNames(text string) (names []string, ok bool) {
	if len(text) < 2 || text[0] != '[' || text[len(text)-1] != ']' || text[1] != '"' {
		return nil, false
	}
	names = make([]string, 0, strings.Count(text, ",")+1)
	for i := 1; i < len(text)-1; {
		if text[i] != '"' {
			return nil, false
		}
		end := strings.IndexByte(text[i+1:], '"')
		if end < 0 {
			return nil, false
		}
		name := text[i+1 : i+1+end]
		if strings.IndexByte(name, '\\') >= 0 {
			return nil, false
		}
		names = append(names, name)
		i += end + 2
		switch {
		case i < len(text)-2 && text[i] == ',':
			i++ // another name follows
		case i != len(text)-1:
			return nil, false
		}
	}
	return names, true
}

// outbox(engine, limit, remove) → the mutation queue's first limit entries
// (0: all), removed with remove, as {order, model, opType, element, time}.
func (b *bridge) outbox(args []js.Value) (any, error) {
	h, err := b.engineAt(args[0])
	if err != nil {
		return nil, err
	}
	entries, err := h.engine.ReadOutbox(context.Background(), args[1].Int(), args[2].Truthy())
	if err != nil {
		return nil, err
	}
	list := make([]any, len(entries))
	for i, e := range entries {
		list[i] = map[string]any(e)
	}
	return js.Global().Get("JSON").Call("parse", string(jv.Append(nil, list))), nil
}

// jsMigrations adapts the app's migration functions ({Model: record =>
// record}) for relation.Migrate. They run synchronously inside the
// migration's transaction; an exception is the migration's error.
func jsMigrations(obj js.Value) map[string]relation.Migration {
	out := map[string]relation.Migration{}
	keys := js.Global().Get("Object").Call("keys", obj)
	for i := 0; i < keys.Length(); i++ {
		name := keys.Index(i).String()
		fn := obj.Get(name)
		if fn.Type() != js.TypeFunction {
			continue
		}
		out[name] = func(model string, rec relation.Record) (next relation.Record, err error) {
			defer func() {
				if r := recover(); r != nil {
					if je, ok := r.(js.Error); ok {
						err = errors.New(je.Value.Get("message").String())
						return
					}
					err = fmt.Errorf("%v", r)
				}
			}()
			JSON := js.Global().Get("JSON")
			v := fn.Invoke(JSON.Call("parse", string(jv.Append(nil, map[string]any(rec)))))
			if v.Type() != js.TypeObject {
				return nil, fmt.Errorf("the migration of %s must return the record, got %s", model, v.Type())
			}
			return relation.ParseRecord(JSON.Call("stringify", v).String())
		}
	}
	return out
}
