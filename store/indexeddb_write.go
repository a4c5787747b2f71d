//go:build js && wasm

package store

import (
	"context"
	"strconv"
	"strings"
	"sync"
	"syscall/js"

	jv "github.com/datastore-wasm/datastore-wasm/internal/jsonvalue"
)

// The IndexedDB side of the write decisions (write.go): the executor's
// write() carries a writer's steps in one read-write transaction and calls
// decide(id, resultsJSON) synchronously, from the success event of a
// step's last request, when the step needs decisions; decide answers with
// the next step's JSON, or with {name, message} to abort. decide(id, null)
// asks for the write's first step again, reading first, after a step
// committed early found a key taken.

var writes struct {
	sync.Mutex
	next    int
	running map[int]*writer
	decide  js.Func
}

// decideFunc is the js.Func the executor calls back, made once.
func decideFunc() js.Func {
	writes.Lock()
	defer writes.Unlock()
	if writes.running == nil {
		writes.running = map[int]*writer{}
		writes.decide = js.FuncOf(decide)
		// For writes the module hands to the executor itself (AppendSave).
		executor().Set("decide", writes.decide)
	}
	return writes.decide
}

func decide(_ js.Value, args []js.Value) (out any) {
	defer func() {
		if r := recover(); r != nil {
			out = failureObject("Error", "internal error in datastore-wasm while deciding a write: "+strings.TrimSpace(jsString(r)))
		}
	}()
	id := args[0].Int()
	writes.Lock()
	w := writes.running[id]
	writes.Unlock()
	if w == nil {
		return failureObject("Error", "internal error in datastore-wasm: a write's decisions were lost")
	}
	var step Step
	var err error
	if args[1].Type() != js.TypeString {
		// The transaction committing early found a key taken: the write
		// starts again, reading first.
		if err = w.restart(); err == nil {
			step, err = w.next(nil)
		}
	} else {
		parsed, perr := jv.ParseText(args[1].String())
		if perr != nil {
			return failureObject("Error", "internal error in datastore-wasm: "+perr.Error())
		}
		list, _ := parsed.([]any)
		step, err = w.next(&results{base: w.issued - len(list), list: list})
	}
	if err != nil || (w.done() && !w.expected) {
		// A write whose facts wait for its commit stays until it settles
		// (forgetSettled); a failed one teaches nothing.
		writes.Lock()
		delete(writes.running, id)
		writes.Unlock()
		if w.expected {
			w.pres.settle(w.gen, w.facts, false)
		}
	}
	if err != nil {
		var se *Error
		if e, ok := err.(*Error); ok {
			se = e
		} else {
			se = &Error{Op: "write", Err: err, Msg: err.Error()}
		}
		msg := se.Msg
		if msg == "" {
			msg = se.Error()
		}
		return failureObject(failureName(se), msg)
	}
	return string(step.AppendJSON(nil))
}

func jsString(r any) string {
	if e, ok := r.(error); ok {
		return e.Error()
	}
	if s, ok := r.(string); ok {
		return s
	}
	return "panic"
}

func failureObject(name, message string) js.Value {
	o := js.Global().Get("Object").New()
	o.Set("name", name)
	o.Set("message", message)
	return o
}

// startWrite sends a writer's first step to the executor and returns the
// Promise of the outcome.
func (d *IndexedDB) startWrite(w *writer, inputs js.Value) (js.Value, error) {
	id, step, err := d.prepareWrite(w, nil)
	if err != nil {
		return js.Value{}, err
	}
	return executor().Call("write", d.db, string(step), inputs, id, decideFunc()), nil
}

// prepareWrite takes a writer's first step and appends its JSON to dst,
// for the executor's write(db, step, inputs, id); id (0: none) names the
// writer, which is kept, when it may need decisions later, until the
// executor reports its transaction settled.
func (d *IndexedDB) prepareWrite(w *writer, dst []byte) (id int, step []byte, err error) {
	if err := d.closedError("write"); err != nil {
		return 0, nil, err
	}
	for _, s := range w.scope {
		if d.layout.Store(s) == nil {
			return 0, nil, &Error{Op: "write", Store: s, Err: ErrUnknownStore}
		}
	}
	decideFunc()
	w.knowing(d.pres)
	first, err := w.next(nil)
	if err != nil {
		return 0, nil, err
	}
	if len(w.facts) > 0 {
		w.expected = true
		d.pres.expect()
	}
	if !w.done() || w.expected {
		writes.Lock()
		writes.next++
		id = writes.next
		writes.running[id] = w
		sweep := len(writes.running) > 64
		writes.Unlock()
		if sweep {
			forgetSettled()
		}
	}
	return id, first.AppendJSON(dst), nil
}

// AppendSave plans the writes of a save for a caller that hands them to
// the executor itself: it appends "<id>\n<first step>" to dst, for the
// executor's write(db, step, record, id). The record is the caller's
// object (input: the plan's Record as the caller holds it, stored with
// the plan's Set fields) or, without input, the plan's Record; fresh as
// StartSave takes it.
func (d *IndexedDB) AppendSave(dst []byte, p SavePlan, input, fresh bool) ([]byte, error) {
	in := -1
	if input {
		in = 0
	}
	w, err := newSaveWriter(d.layout, &p, in, fresh)
	if err != nil {
		return dst, err
	}
	return d.appendWrite(dst, w)
}

// AppendBatch is AppendSave for a batch plan: the executor's inputs are
// then an array of each save step's record (with inputs); fresh marks the
// records the caller made.
func (d *IndexedDB) AppendBatch(dst []byte, p BatchPlan, inputs bool, fresh []bool) ([]byte, error) {
	w, err := newBatchWriter(d.layout, &p, inputs, fresh)
	if err != nil {
		return dst, err
	}
	return d.appendWrite(dst, w)
}

func (d *IndexedDB) appendWrite(dst []byte, w *writer) ([]byte, error) {
	stepScratch.Lock()
	defer stepScratch.Unlock()
	id, step, err := d.prepareWrite(w, stepScratch.buf[:0])
	if err != nil {
		return dst, err
	}
	stepScratch.buf = step
	dst = strconv.AppendInt(dst, int64(id), 10)
	dst = append(dst, '\n')
	return append(dst, step...), nil
}

// stepScratch is where appendWrite writes a first step, reused: a step
// written into a buffer that grows from nothing costs an allocation at
// each doubling, ten for a save.
var stepScratch struct {
	sync.Mutex
	buf []byte
}

// forgetSettled drops the writers whose transactions have settled (the
// executor lists their ids, a failed one's negated) and teaches the
// stores what those that committed stored (presence).
func forgetSettled() {
	ids := executor().Call("settled").String()
	var done []*writer
	var ok []bool
	writes.Lock()
	for _, s := range strings.Split(ids, ",") {
		id, err := strconv.Atoi(s)
		if err != nil {
			continue
		}
		committed := id > 0
		if !committed {
			id = -id
		}
		if w := writes.running[id]; w != nil && w.expected {
			done, ok = append(done, w), append(ok, committed)
		}
		delete(writes.running, id)
	}
	writes.Unlock()
	for i, w := range done {
		w.pres.settle(w.gen, w.facts, ok[i])
	}
}

// StartSave starts a save plan and returns the Promise of its outcome
// ({op, record} as JavaScript objects), for a caller that hands it
// straight back to JavaScript. record, when it is a JavaScript object, is
// the plan's Record as the caller holds it: it is stored as it is (with
// the plan's Set fields), and the plan goes without a copy.
//
// fresh says the record is most likely new (the caller made it and has not
// read it from storage): it is then added without a read first, and read
// only if a record with its key turns out to exist.
func (d *IndexedDB) StartSave(p SavePlan, record js.Value, fresh bool) (js.Value, error) {
	input := -1
	if record.Type() == js.TypeObject {
		input = 0
	}
	w, err := newSaveWriter(d.layout, &p, input, fresh)
	if err != nil {
		return js.Value{}, err
	}
	return d.startWrite(w, record)
}

// StartDelete starts a delete plan and returns the Promise of its outcome
// ({removed: [{store, record}], roots, updated}).
func (d *IndexedDB) StartDelete(p DeletePlan) (js.Value, error) {
	return d.startWrite(newDeleteWriter(d.layout, &p), js.Undefined())
}

// StartBatch starts a batch plan and returns the Promise of its outcome
// ({steps: [...]}); records (an array: each save step's record object)
// and fresh (an array of booleans) are taken as StartSave takes them.
func (d *IndexedDB) StartBatch(p BatchPlan, records, fresh js.Value) (js.Value, error) {
	var marks []bool
	if fresh.Type() == js.TypeObject {
		text := js.Global().Get("JSON").Call("stringify", fresh).String()
		if v, err := jv.ParseText(text); err == nil {
			list, _ := v.([]any)
			for _, x := range list {
				b, _ := x.(bool)
				marks = append(marks, b)
			}
		}
	}
	w, err := newBatchWriter(d.layout, &p, records.Type() == js.TypeObject, marks)
	if err != nil {
		return js.Value{}, err
	}
	return d.startWrite(w, records)
}

// Save carries out a save plan and waits for its outcome.
func (d *IndexedDB) Save(ctx context.Context, p SavePlan) (SaveOutcome, error) {
	var out SaveOutcome
	w, err := newSaveWriter(d.layout, &p, -1, false)
	if err != nil {
		return out, err
	}
	err = d.finishWrite(ctx, w, &out)
	return out, err
}

// Delete carries out a delete plan and waits for its outcome.
func (d *IndexedDB) Delete(ctx context.Context, p DeletePlan) (DeleteOutcome, error) {
	var out DeleteOutcome
	err := d.finishWrite(ctx, newDeleteWriter(d.layout, &p), &out)
	return out, err
}

// Batch carries out a batch plan and waits for its outcome.
func (d *IndexedDB) Batch(ctx context.Context, p BatchPlan) (BatchOutcome, error) {
	var out BatchOutcome
	w, err := newBatchWriter(d.layout, &p, false, nil)
	if err != nil {
		return out, err
	}
	err = d.finishWrite(ctx, w, &out)
	return out, err
}

// finishWrite runs a writer, awaits it and decodes its outcome into out.
func (d *IndexedDB) finishWrite(ctx context.Context, w *writer, out any) error {
	p, err := d.startWrite(w, js.Undefined())
	if err != nil {
		return err
	}
	v, err := await(ctx, p)
	if err != nil {
		return wrapJSError("write", "", err)
	}
	return decodeOutcome(v, out)
}
