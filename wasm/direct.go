//go:build js && wasm

package main

import (
	"errors"
	"strings"
	"unsafe"

	jv "github.com/datastore-wasm/datastore-wasm/internal/jsonvalue"
	"github.com/datastore-wasm/datastore-wasm/relation"
	"github.com/datastore-wasm/datastore-wasm/store"
)

// The direct exports: the calls of a save's path (construct, copyOf, save,
// batch) as WebAssembly exports (go:wasmexport) rather than js.FuncOf
// functions. A js.FuncOf call resumes Go's scheduler and reads its
// arguments and writes its result back property by property, each string
// through a fresh ArrayBuffer and each object with a finalizer: 25 to 80
// µs a call measured in Chromium and Node, against well under 1 µs for an
// export. Text goes both ways through two buffers in Go's memory that the
// module reads and writes with TextEncoder.encodeInto and TextDecoder
// (js/direct.js): the arguments' UTF-8 one after the other in the input
// buffer, their byte lengths as the export's arguments; the result in the
// output buffer, its length as the export's result (-1-n: an error of n
// bytes, {"name", "message"}). These exports never block (a blocked
// export would stop the instance) and take no decision of their own: they
// read the arguments and call what the js.FuncOf exports call.

// direct is the bridge the exports serve, set by main.
var direct *bridge

var (
	inBuf  []byte // the arguments, written by the module
	outBuf []byte // the result, read by the module
)

// dsIn makes the input buffer hold at least size bytes and returns its
// address in linear memory.
//
//go:wasmexport dsIn
func dsIn(size int32) uint32 {
	if int(size) > cap(inBuf) || inBuf == nil {
		inBuf = make([]byte, max(int(size), 4096))
	}
	return uint32(uintptr(unsafe.Pointer(&inBuf[:1][0])))
}

// dsOut returns the address of the last result.
//
//go:wasmexport dsOut
func dsOut() uint32 {
	if cap(outBuf) == 0 {
		outBuf = make([]byte, 0, 4096)
	}
	return uint32(uintptr(unsafe.Pointer(&outBuf[:1][0])))
}

// args cuts the input buffer into the strings of the given byte lengths;
// a length below 0 is an absent string ("").
func args(lens ...int32) []string {
	out := make([]string, len(lens))
	at := 0
	for i, n := range lens {
		if n < 0 {
			continue
		}
		out[i] = string(inBuf[at : at+int(n)])
		at += int(n)
	}
	return out
}

// answer keeps a result (or an error) in the output buffer and returns
// its length as dsOut's reader expects it.
func answer(out []byte, err error) int32 {
	if err != nil {
		o := jv.AppendString(append(outBuf[:0], `{"name":`...), errorKind(err))
		o = append(o, `,"message":`...)
		o = jv.AppendString(o, err.Error())
		outBuf = append(o, '}')
		return -1 - int32(len(outBuf))
	}
	outBuf = out
	return int32(len(out))
}

// guard turns a panic of an export into its error answer.
func guard(n *int32) {
	if r := recover(); r != nil {
		*n = answer(nil, panicError(r))
	}
}

func (b *bridge) schemaByID(id int32) (*relation.Schema, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if s := b.schemas[int(id)]; s != nil {
		return s, nil
	}
	return nil, errUnknownSchema
}

func (b *bridge) engineByID(id int32) (*engineHandle, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if e := b.engines[int(id)]; e != nil {
		return e, nil
	}
	return nil, &store.Error{Op: "operation", Err: store.ErrClosed, Msg: "this DataStore was stopped or cleared"}
}

// schemaModel is the schema of id schema and its model of index model.
func schemaModel(schema, model int32) (*relation.Schema, *relation.Model, error) {
	s, err := direct.schemaByID(schema)
	if err != nil {
		return nil, nil, err
	}
	m, err := modelByIndex(s, model)
	return s, m, err
}

// engineModel is the engine of id engine and its schema's model of index model.
func engineModel(engine, model int32) (*engineHandle, *relation.Model, error) {
	h, err := direct.engineByID(engine)
	if err != nil {
		return nil, nil, err
	}
	m, err := modelByIndex(h.engine.Schema, model)
	return h, m, err
}

func modelByIndex(s *relation.Schema, i int32) (*relation.Model, error) {
	if i < 0 || int(i) >= len(s.Models) {
		return nil, errNoModel(int(i))
	}
	return s.Models[i], nil
}

// dsConstruct is construct(schema, model, init, plain): the record's
// ticket and the record, whole or as what it adds to init
// (appendConstruct).
//
//go:wasmexport dsConstruct
func dsConstruct(schema, model, plain, nInit int32) (n int32) {
	defer guard(&n)
	s, m, err := schemaModel(schema, model)
	if err != nil {
		return answer(nil, err)
	}
	return answer(direct.appendConstruct(outBuf[:0], s, m, args(nInit)[0], plain != 0))
}

// dsCopyOf is copyOf(schema, model, ticket, source, draft) (source: -1
// when the source's record is kept for ticket): the record's ticket and
// the record as JSON.
//
//go:wasmexport dsCopyOf
func dsCopyOf(schema, model int32, ticket float64, nSource, nDraft int32) (n int32) {
	defer guard(&n)
	s, m, err := schemaModel(schema, model)
	if err != nil {
		return answer(nil, err)
	}
	a := args(nSource, nDraft)
	return answer(appendCopyOf(outBuf[:0], s, m, ticket, a[0], a[1]))
}

// dsSave plans save(engine, model, input, fresh, ticket, record, options)
// (record, options: -1 for none; the record kept for ticket serves when
// there is one, recordOf) and answers "<id>\n<first step>" for the
// executor's write(db, step, record, id), the module's record object
// being the input when input is 1; fresh as save takes it.
//
//go:wasmexport dsSave
func dsSave(engine, model, input, fresh int32, ticket float64, nRecord, nOptions int32) (n int32) {
	defer guard(&n)
	h, m, err := engineModel(engine, model)
	if err != nil {
		return answer(nil, err)
	}
	a := args(nRecord, nOptions)
	plan, err := planSave(h, m, ticket, a[0], a[1])
	if err != nil {
		return answer(nil, err)
	}
	return answer(h.db.AppendSave(outBuf[:0], plan, input != 0, fresh != 0))
}

// dsBatch plans batch(engine, ops, tickets, records, fresh) and answers
// as dsSave does, for write(db, step, records, id): ops are the
// operations' JSON without the saves' records; tickets the saves' record
// tickets, in order, separated by commas (0: none); records the JSON of
// the saves without a ticket, one per line (JSON text has no raw line
// break); and fresh one byte per operation, '1' for a record the caller
// made.
//
//go:wasmexport dsBatch
func dsBatch(engine, nOps, nTickets, nRecords, nFresh int32) (n int32) {
	defer guard(&n)
	h, err := direct.engineByID(engine)
	if err != nil {
		return answer(nil, err)
	}
	a := args(nOps, nTickets, nRecords, nFresh)
	apart := apartRecords{}
	if apart.tickets, err = parseTickets(a[1]); err != nil {
		return answer(nil, err)
	}
	if a[2] != "" {
		apart.texts = strings.Split(a[2], "\n")
	}
	plan, err := planBatch(h, a[0], &apart)
	if err != nil {
		return answer(nil, err)
	}
	fresh := make([]bool, len(a[3]))
	for i := range fresh {
		fresh[i] = a[3][i] == '1'
	}
	return answer(h.db.AppendBatch(outBuf[:0], plan, true, fresh))
}

// dsQuery plans query(engine, model, key, options, paths) (key, paths: -1
// for none; paths: an include) for the module to read without a call into
// Go: it answers "R" and the executor's readNow query, "T" and its
// readTree plan, or "G" when Go must read (conditions on related models,
// an include its plan cannot carry), for the module to call the bridge's
// query or queryIncluding instead.
//
//go:wasmexport dsQuery
func dsQuery(engine, model, nKey, nOptions, nPaths int32) (n int32) {
	defer guard(&n)
	h, m, err := engineModel(engine, model)
	if err != nil {
		return answer(nil, err)
	}
	a := args(nKey, nOptions, nPaths)
	r, err := parseQueryRead(m.Name, a[0], nKey >= 0, a[1], a[2], nPaths >= 0)
	if err != nil {
		return answer(nil, err)
	}
	q, tree, err := r.plan(h)
	switch {
	case err != nil:
		return answer(nil, err)
	case q != nil:
		return answer(h.db.AppendRead(append(outBuf[:0], 'R'), *q))
	case tree != nil:
		return answer(h.db.AppendTree(append(outBuf[:0], 'T'), *tree))
	}
	return answer(append(outBuf[:0], 'G'), nil)
}

// parseTickets reads tickets separated by commas ("12,13,0"; "": none).
func parseTickets(text string) ([]float64, error) {
	if text == "" {
		return nil, nil
	}
	out := make([]float64, 0, strings.Count(text, ",")+1)
	n, digits := 0.0, 0
	for i := 0; i <= len(text); i++ {
		if i == len(text) || text[i] == ',' {
			if digits == 0 {
				return nil, argError(errors.New("a batch's tickets are whole numbers separated by commas"))
			}
			out = append(out, n)
			n, digits = 0, 0
			continue
		}
		c := text[i]
		if c < '0' || c > '9' || digits == 15 {
			return nil, argError(errors.New("a batch's tickets are whole numbers separated by commas"))
		}
		n = n*10 + float64(c-'0')
		digits++
	}
	return out, nil
}
