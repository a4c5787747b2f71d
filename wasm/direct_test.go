//go:build js && wasm

package main

import (
	"encoding/json"
	"errors"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/datastore-wasm/datastore-wasm/relation"
)

// callExport calls a direct export as js/direct.js does: the texts one
// after the other in the input buffer, their lengths after the integers.
func callExport(fn func(lens []int32) int32, texts ...string) (string, bool) {
	dsIn(0)
	at := 0
	lens := make([]int32, len(texts))
	for i, t := range texts {
		if len(inBuf) < at+len(t) {
			old := inBuf[:at]
			dsIn(int32(2 * (at + len(t))))
			copy(inBuf, old)
		}
		at += copy(inBuf[at:], t)
		lens[i] = int32(len(t))
	}
	n := fn(lens)
	if n < 0 {
		return string(outBuf[:-1-n]), false
	}
	return string(outBuf[:n]), true
}

// ticketOf cuts a constructor's answer into its ticket and the rest.
func ticketOf(t testing.TB, answer string) (string, string) {
	i := strings.IndexFunc(answer, func(r rune) bool { return r < '0' || r > '9' })
	if i <= 0 {
		t.Fatalf("a constructor answered %q, want <ticket> and the record", answer)
	}
	return answer[:i], answer[i:]
}

func TestDirectConstructAndSave(t *testing.T) {
	b := newBridge()
	direct = b
	sid, eid := openBlog(t, b)
	construct := func(model, plain int32, init string) (string, bool) {
		return callExport(func(l []int32) int32 { return dsConstruct(int32(sid), model, plain, l[0]) }, init)
	}
	post, ok := construct(0, 0, `{"title":"Hello","rating":5,"status":"ACTIVE"}`)
	if !ok {
		t.Fatalf("dsConstruct: %s", post)
	}
	ticket, text := ticketOf(t, post)
	var rec map[string]any
	if err := json.Unmarshal([]byte(text), &rec); err != nil || rec["title"] != "Hello" || rec["id"] == "" {
		t.Fatalf("dsConstruct answered %s (%v)", post, err)
	}
	// The record the constructor made is kept by its ticket.
	n, _ := strconv.ParseFloat(ticket, 64)
	if kept := constructed.record(n); kept == nil || kept["id"] != rec["id"] {
		t.Errorf("the constructed record is not kept by its ticket: %v", kept)
	}
	answer, ok := callExport(func(l []int32) int32 { return dsSave(int32(eid), 0, 1, 1, n, l[0], -1) }, "")
	if !ok {
		t.Fatalf("dsSave by ticket: %s", answer)
	}
	id, stepText, found := strings.Cut(answer, "\n")
	if !found || id == "" {
		t.Fatalf("dsSave answered %q, want <id>\\n<step>", answer)
	}
	var step struct {
		Scope    []string
		Requests []struct{ Op, Store string }
		Commit   bool
	}
	if err := json.Unmarshal([]byte(stepText), &step); err != nil {
		t.Fatalf("step %s: %v", stepText, err)
	}
	if len(step.Requests) != 1 || step.Requests[0].Op != "add" || step.Requests[0].Store != "Post" || !step.Commit {
		t.Errorf("a fresh post's first step: %s", stepText)
	}
	// A ticket not kept: the record's JSON serves, and without it the
	// answer asks for it.
	if out, ok := callExport(func(l []int32) int32 { return dsSave(int32(eid), 0, 1, 1, n+5000, l[0], -1) }, text); !ok {
		t.Errorf("dsSave of a stale ticket with the JSON: %s", out)
	}
	if out, ok := callExport(func(l []int32) int32 { return dsSave(int32(eid), 0, 1, 1, n+5000, -1, -1) }); ok || !strings.Contains(out, "StaleTicketError") {
		t.Errorf("dsSave of a stale ticket alone: %s", out)
	}

	// A copyOf's source by its ticket, and by its JSON when the ticket is
	// no longer kept.
	copyOf := func(ticket float64, texts ...string) (string, bool) {
		return callExport(func(l []int32) int32 { return dsCopyOf(int32(sid), 0, ticket, l[0], l[1]) }, texts...)
	}
	if out, ok := copyOf(n, "", `{"rating":4}`); !ok || !strings.Contains(out, `"rating":4`) || !strings.Contains(out, `"title":"Hello"`) {
		t.Errorf("dsCopyOf by ticket: %s", out)
	}
	if out, ok := copyOf(n+5000, text, `{"rating":4}`); !ok || !strings.Contains(out, `"title":"Hello"`) {
		t.Errorf("dsCopyOf of a stale ticket with the JSON: %s", out)
	}

	// Plain values: the answer is the id the record adds.
	plain, _ := construct(0, 1, `{"title":"Hello","rating":5,"status":"ACTIVE"}`)
	if _, added := ticketOf(t, plain); len(added) != 37 || added[0] != '+' {
		t.Errorf("a plain constructor answered %s, want +<id>", plain)
	}
	for _, init := range []string{
		`{"title":"Hello","rating":5,"status":"ACTIVE","nope":1}`, // a key outside the schema
		`{"title":"\ud800","rating":5,"status":"ACTIVE"}`,         // a lone surrogate
		`{"title":"Hello","rating":5,"status":"ACTIVE","tags":["a"]}`,
	} {
		out, ok := construct(0, 1, init)
		if _, rest := ticketOf(t, out); !ok || rest[0] != '{' {
			t.Errorf("construct(%s) answered %s, want the whole record", init, out)
		}
	}

	// Errors come back as {name, message}.
	bad, ok := construct(0, 0, `{"title":5}`)
	var e struct{ Name, Message string }
	if ok || json.Unmarshal([]byte(bad), &e) != nil || e.Name != "Error" || !strings.Contains(e.Message, "title") {
		t.Errorf("dsConstruct of a bad title: ok=%v %s", ok, bad)
	}
	if out, ok := callExport(func(l []int32) int32 { return dsSave(99999, 0, 1, 1, n, l[0], -1) }, text); ok || !strings.Contains(out, "DatabaseClosedError") {
		t.Errorf("dsSave on an unknown engine: %s", out)
	}
	if out, ok := construct(7, 0, `{}`); ok || !strings.Contains(out, "model number 7") {
		t.Errorf("dsConstruct of an unknown model: %s", out)
	}

	// A batch: tickets, and the JSON of records without one, apart from
	// the operations.
	c1, _ := construct(0, 1, `{"title":"a","rating":1,"status":"ACTIVE"}`)
	c2, _ := construct(0, 0, `{"title":"b","rating":2,"status":"ACTIVE"}`)
	t1, _ := ticketOf(t, c1)
	_, json2 := ticketOf(t, c2)
	batch := func(ops, tickets, records, fresh string) (string, bool) {
		return callExport(func(l []int32) int32 { return dsBatch(int32(eid), l[0], l[1], l[2], l[3]) }, ops, tickets, records, fresh)
	}
	ops := `[{"save":"Post","condition":null},{"save":"Post","condition":null}]`
	answer, ok = batch(ops, t1+",0", json2, "11")
	if !ok {
		t.Fatalf("dsBatch: %s", answer)
	}
	_, stepText, _ = strings.Cut(answer, "\n")
	if strings.Count(stepText, `"op":"add"`) != 1 || !strings.Contains(stepText, `"run":2`) || !strings.Contains(stepText, `"step":["_seq"]`) {
		t.Errorf("a batch of two fresh posts, one run of adds: %s", stepText)
	}
	if out, ok := batch(ops, t1+",0", "", "11"); ok || !strings.Contains(out, "fewer records") {
		t.Errorf("dsBatch with a record missing: %s", out)
	}
	if out, ok := batch(ops, t1+",x", json2, "11"); ok || !strings.Contains(out, "tickets") {
		t.Errorf("dsBatch with a bad ticket: %s", out)
	}
	// A save without a condition may be its model's name alone, as the
	// module sends it; the same plan as the object form.
	named, ok := batch(`["Post",{"save":"Post","condition":null}]`, t1+",0", json2, "11")
	stamps := regexp.MustCompile(`"_seq":\d+|"\d{4}-[^"]*Z"`) // the save's clock
	if _, namedStep, _ := strings.Cut(named, "\n"); !ok || stamps.ReplaceAllString(namedStep, "") != stamps.ReplaceAllString(stepText, "") {
		t.Errorf("a batch by model names:\n%s\nwant the object form's:\n%s", named, stepText)
	}
	if out, ok := batch(`["Nope"]`, t1, "", "1"); ok || !strings.Contains(out, "Nope") {
		t.Errorf("a batch naming an unknown model: %s", out)
	}
	// Without the records apart (the js.FuncOf batch), a name alone has no
	// record, and an object's ticket serves.
	h, _ := direct.engineByID(int32(eid))
	if _, err := planBatch(h, `["Post"]`, nil); err == nil || !strings.Contains(err.Error(), "name alone") {
		t.Errorf("planBatch of a name without texts: %v", err)
	}
	if p, err := planBatch(h, `[{"save":"Post","ticket":`+t1+`}]`, nil); err != nil || len(p.Steps) != 1 || p.Steps[0].Save.Record["title"] != "a" {
		t.Errorf("planBatch of a ticket: %+v %v", p, err)
	}
}

func TestDirectQueryPlansForTheExecutor(t *testing.T) {
	b := newBridge()
	direct = b
	_, eid := openBlog(t, b)
	e := int32(eid)
	all := `{"predicate":null,"sort":[],"limit":null,"page":null}`
	byTitle := `{"predicate":{"field":"title","op":"beginsWith","value":"H"},"sort":[{"field":"rating","direction":"DESCENDING"}],"limit":10,"page":0}`
	byPost := `{"predicate":{"group":"rel","field":"post","children":[{"field":"title","op":"eq","value":"x"}]},"sort":[],"limit":null,"page":null}`
	for _, c := range []struct {
		name, opts, want string
		model            int32
	}{
		{"all posts", all, `R{"store":"Post"`, 0},
		{"a filter, sorted and paged", byTitle, `R{"store":"Post"`, 0},
	} {
		out, ok := callExport(func(l []int32) int32 { return dsQuery(e, c.model, -1, l[0], -1) }, c.opts)
		if !ok || !strings.HasPrefix(out, c.want) {
			t.Errorf("%s: dsQuery answered %s, want %s…", c.name, out, c.want)
		}
	}
	// A condition on a related model: Go reads (G).
	if out, ok := callExport(func(l []int32) int32 { return dsQuery(e, 1, -1, l[0], -1) }, byPost); !ok || out != "G" {
		t.Errorf("a related condition: dsQuery answered %s", out)
	}
	// An include by key: the tree plan, with the root's key.
	out, ok := callExport(func(l []int32) int32 { return dsQuery(e, 0, l[0], l[1], l[2]) }, `{"id":"p1"}`, all, `[["comments"]]`)
	if !ok || !strings.HasPrefix(out, "T") || !strings.Contains(out, `"rootKey":{"id":"p1"}`) {
		t.Errorf("an include by key: dsQuery answered %s", out)
	}
	// Bad options are the caller's error; an unknown engine is closed.
	if out, ok := callExport(func(l []int32) int32 { return dsQuery(e, 0, -1, l[0], -1) }, `{"predicate":7}`); ok {
		t.Errorf("bad options: dsQuery answered %s, want an error", out)
	}
	if out, ok := callExport(func(l []int32) int32 { return dsQuery(99999, 0, -1, l[0], -1) }, all); ok || !strings.Contains(out, "DatabaseClosedError") {
		t.Errorf("dsQuery on an unknown engine: %s", out)
	}
}

// The parts of a model constructor's Go side (dsConstruct), in Chromium:
// go test -bench ConstructPieces -benchtime=20000x with the wasm -exec
// (fewer iterations measure Liftoff's code, before V8 optimises it).

func BenchmarkConstructPieces(b *testing.B) {
	br := newBridge()
	direct = br
	sid, _ := openBlog(b, br)
	s, m, _ := schemaModel(int32(sid), 0)
	init := `{"title":"Hello","rating":5,"status":"ACTIVE"}`
	values, _ := relation.ParseRecord(init)
	rec, _ := s.Construct(m, values, br.ids)
	b.Run("parse", func(b *testing.B) {
		for b.Loop() {
			_, _ = relation.ParseRecord(init)
		}
	})
	b.Run("construct", func(b *testing.B) {
		for b.Loop() {
			_, _ = s.Construct(m, values, br.ids)
		}
	})
	b.Run("append", func(b *testing.B) {
		for b.Loop() {
			_ = relation.Ordered{Model: m, Record: rec}.AppendJSON(nil)
		}
	})
	b.Run("owned", func(b *testing.B) {
		for b.Loop() {
			values, _ := relation.ParseRecord(init)
			_, _ = s.ConstructOwned(m, values, br.ids)
		}
	})
	b.Run("keep", func(b *testing.B) {
		for b.Loop() {
			constructed.put(rec)
		}
	})
	b.Run("id", func(b *testing.B) {
		for b.Loop() {
			_ = br.ids.NewID(m)
		}
	})
}

// A ticket finds the record it was handed out for while the ring keeps
// it; a ticket never handed out, spent, or not whole finds nothing, and
// recordOf then parses the JSON or asks for it.
func TestRecentRecordsByTicket(t *testing.T) {
	r := recentRecords{ring: make([]relation.Record, 4)}
	recs := make([]relation.Record, 6)
	tickets := make([]float64, 6)
	for i := range recs {
		recs[i] = relation.Record{"n": float64(i)}
		tickets[i] = r.put(recs[i])
	}
	same := func(a, b relation.Record) bool {
		return reflect.ValueOf(a).UnsafePointer() == reflect.ValueOf(b).UnsafePointer()
	}
	for i := 2; i < 6; i++ { // the ring holds the last four
		if got := r.record(tickets[i]); !same(got, recs[i]) {
			t.Errorf("ticket %v: %v, want record %d", tickets[i], got, i)
		}
	}
	for _, ticket := range []float64{0, tickets[0], tickets[1], tickets[5] + 1, tickets[3] + 0.5, -1} {
		if got := r.record(ticket); got != nil {
			t.Errorf("ticket %v found %v", ticket, got)
		}
	}
	if rec, err := recordOf(0, `{"n":7}`); err != nil || rec["n"] != 7.0 {
		t.Errorf("recordOf a text: %v %v", rec, err)
	}
	if _, err := recordOf(0, ""); !errors.Is(err, errStaleTicket) || errorKind(err) != "StaleTicketError" {
		t.Errorf("recordOf nothing: %v", err)
	}
}

// The Go side of DataStore.save([...]) of 1,000 comments of one post, as
// the module calls it: each constructor (dsConstruct), then the batch's
// plan (dsBatch). Per batch of 1,000.
func BenchmarkDirectBatch(b *testing.B) {
	br := newBridge()
	direct = br
	sid, eid := openBlog(b, br)
	const n = 1000
	tickets := make([]string, n)
	construct := func() {
		for i := range tickets {
			init := `{"content":"Comment ` + strconv.Itoa(i) + `: Lorem ipsum dolor sit amet, consectetur adipiscing elit","postCommentsId":"3f1c2a9e-8d4b-4c1e-9f2a-7b6d5e4c3a21"}`
			out, ok := callExport(func(l []int32) int32 { return dsConstruct(int32(sid), 1, 1, l[0]) }, init)
			if !ok {
				b.Fatalf("dsConstruct: %s", out)
			}
			tickets[i], _ = ticketOf(b, out)
		}
	}
	ops := "[" + strings.Repeat(`{"save":"Comment","condition":null},`, n-1) + `{"save":"Comment","condition":null}]`
	// The module's form: a save without a condition by its model's name.
	names := "[" + strings.Repeat(`"Comment",`, n-1) + `"Comment"]`
	fresh := strings.Repeat("1", n)
	b.Run("construct", func(b *testing.B) {
		for b.Loop() {
			construct()
		}
	})
	for _, form := range []struct{ name, ops string }{{"batch", ops}, {"batch-names", names}} {
		b.Run(form.name, func(b *testing.B) {
			construct()
			list := strings.Join(tickets, ",")
			for b.Loop() {
				if out, ok := callExport(func(l []int32) int32 { return dsBatch(int32(eid), l[0], l[1], l[2], l[3]) }, form.ops, list, "", fresh); !ok {
					b.Fatalf("dsBatch: %s", out)
				}
			}
		})
	}
}

// A batch's operations given as model names alone are read without the
// JSON parser; anything else is left to it.
func TestModelNames(t *testing.T) {
	for _, c := range []struct {
		text string
		want []string
	}{
		{`["Post"]`, []string{"Post"}},
		{`["Post","Comment","Post"]`, []string{"Post", "Comment", "Post"}},
		{`[]`, nil},
		{`["Po\"st"]`, nil},
		{`["Post",]`, nil},
		{`["Post" ,"A"]`, nil},
		{`[{"save":"Post"}]`, nil},
		{`["Post"`, nil},
	} {
		got, ok := modelNames(c.text)
		if ok != (c.want != nil) || !reflect.DeepEqual(got, c.want) && c.want != nil {
			t.Errorf("modelNames(%s) = %q, %v; want %q", c.text, got, ok, c.want)
		}
	}
}
