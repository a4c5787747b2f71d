package store

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"testing"

	jv "github.com/datastore-wasm/datastore-wasm/internal/jsonvalue"
)

// The fresh-record path of a save (add first, read only on a taken key),
// which the IndexedDB store takes for records the caller made, run on the
// memory store: the same decisions as the read-first path.
func TestFreshSaveDecisions(t *testing.T) {
	ctx := context.Background()
	db := NewMemory(testLayout)
	seedComments(t, db, 0) // posts p1, p2
	save := func(rec Record, cond *Filter) (SaveOutcome, error) {
		p := SavePlan{Store: "Comment", Record: rec, Set: Fields{{"updated", 9.0}}, Keep: []string{"created"}, Ignore: []string{"updated"}, Omit: []string{"created"},
			Require: []Requirement{{Query: Query{Store: "Post", Range: Only(rec["postID"])}, Message: "no post"}}, Condition: cond, ConditionMessage: "condition failed"}
		w, err := newSaveWriter(db.layout, &p, -1, true)
		if err != nil {
			return SaveOutcome{}, err
		}
		var out []StepOutcome
		err = db.Write(ctx, w.scope, func(tx Tx) error {
			var err error
			out, err = runWrite(tx, w, nil)
			return err
		})
		if err != nil {
			return SaveOutcome{}, err
		}
		return out[0].SaveOutcome, nil
	}
	out, err := save(Record{"id": "c", "postID": "p1", "text": "a", "created": 1.0}, nil)
	if err != nil || out.Op != "INSERT" || out.Record["updated"] != 9.0 || out.Record["created"] != nil {
		t.Fatalf("a fresh insert: %+v %v", out, err)
	}
	out, err = save(Record{"id": "c", "postID": "p1", "text": "a", "created": 2.0}, nil)
	if err != nil || out.Op != "" {
		t.Errorf("a taken key, unchanged but for kept and ignored fields: %+v %v", out, err)
	}
	out, err = save(Record{"id": "c", "postID": "p2", "text": "b", "created": 3.0}, nil)
	if err != nil || out.Op != "UPDATE" || out.Record["text"] != "b" {
		t.Errorf("a taken key, changed: %+v %v", out, err)
	}
	if _, err := save(Record{"id": "c", "postID": "p2", "text": "c"}, &Filter{Field: "text", Op: "eq", Value: "zzz"}); !errors.Is(err, ErrConditionFailed) {
		t.Errorf("a taken key and a failing condition: %v", err)
	}
	if _, err := save(Record{"id": "d", "postID": "nope", "text": "x"}, nil); !errors.Is(err, ErrRequirement) {
		t.Errorf("a missing parent: %v", err)
	}
	_ = db.Read(ctx, []string{"Comment"}, func(tx Tx) error {
		got, _ := tx.Get("Comment", []Key{"c", "d"})
		if got[0]["text"] != "b" || got[0]["created"] != 1.0 || got[1] != nil {
			t.Errorf("stored: %v", got)
		}
		return nil
	})
}

// In a batch in order, a fresh save waits for its add's outcome before the
// next step starts: a second save of the same key is an update of the
// first.
func TestSequentialFreshBatch(t *testing.T) {
	ctx := context.Background()
	db := NewMemory(testLayout)
	p := BatchPlan{Scope: []string{"Post"}, Steps: []BatchStep{
		{Save: &SavePlan{Store: "Post", Record: Record{"id": "a", "n": 1.0}}},
		{Save: &SavePlan{Store: "Post", Record: Record{"id": "a", "n": 2.0}}},
	}}
	w, err := newBatchWriter(db.layout, &p, false, []bool{true, true})
	if err != nil {
		t.Fatal(err)
	}
	var out []StepOutcome
	err = db.Write(ctx, w.scope, func(tx Tx) error {
		var err error
		out, err = runWrite(tx, w, nil)
		return err
	})
	if err != nil || out[0].Op != "INSERT" || out[1].Op != "UPDATE" || out[1].Record["n"] != 2.0 {
		t.Fatalf("%+v %v", out, err)
	}
}

// The decisions and the JSON of a fresh save's first step, as every save
// of a new record takes them in the browser.
func BenchmarkFreshSaveStep(b *testing.B) {
	p := SavePlan{Store: "Comment", Record: Record{"id": "c", "postID": "p1", "text": "hello"}, Set: Fields{{"_seq", 1.0}, {"created", 2.0}},
		Keep: []string{"_seq", "created"}, Omit: []string{"_seq"}, Require: []Requirement{{Query: Query{Store: "Post", Range: Only("p1")}, Message: "no post"}}}
	var buf []byte // appendWrite reuses its buffer (stepScratch)
	b.ReportAllocs()
	for b.Loop() {
		w, _ := newSaveWriter(testLayout, &p, 0, true)
		s, _ := w.next(nil)
		buf = s.AppendJSON(buf[:0])
	}
}

// A fresh save's first step may commit at once when nothing can need a
// decision; a taken key then starts the write again, reading first.
func TestCommitEarlyAndRestart(t *testing.T) {
	p := SavePlan{Store: "Post", Record: Record{"id": "a"}}
	w, err := newSaveWriter(testLayout, &p, 0, true)
	if err != nil {
		t.Fatal(err)
	}
	first, _ := w.next(nil)
	if !first.Commit || first.Then || first.Requests[0].Op != "add" {
		t.Fatalf("first step: %s", first.AppendJSON(nil))
	}
	if err := w.restart(); err != nil {
		t.Fatal(err)
	}
	again, _ := w.next(nil)
	if again.Commit || !again.Then || again.Requests[0].Op != "get" || len(again.Scope) != 1 {
		t.Fatalf("after a restart: %s", again.AppendJSON(nil))
	}
	update := SavePlan{Store: "Post", Record: Record{"id": "a"}}
	w, _ = newSaveWriter(testLayout, &update, 0, false)
	if s, _ := w.next(nil); s.Commit {
		t.Errorf("a step whose read a decision waits for commits early: %s", s.AppendJSON(nil))
	}
}

// The decisions and the JSON of a batch of 1,000 fresh saves of one
// parent's children (DataStore.save([...]) in the browser).
func BenchmarkFreshBatchStep(b *testing.B) {
	steps := make([]BatchStep, 1000)
	fresh := make([]bool, len(steps))
	for i := range steps {
		steps[i] = BatchStep{Save: &SavePlan{Store: "Comment", Record: Record{"id": "c" + strconv.Itoa(i), "postID": "p1", "text": "hello"}, Set: Fields{{"_seq", 1.0}, {"created", 2.0}},
			Keep: []string{"_seq", "created"}, Omit: []string{"_seq"}, Require: []Requirement{{Query: Query{Store: "Post", Range: Only("p1")}, Message: "no post"}}}}
		fresh[i] = true
	}
	p := BatchPlan{Steps: steps, Scope: []string{"Comment", "Post"}, Eager: true}
	for b.Loop() {
		w, _ := newBatchWriter(testLayout, &p, true, fresh)
		s, _ := w.next(nil)
		_ = s.AppendJSON(nil)
	}
}

// A value's set is written in its order, so that the records the
// executor builds from sets made in one order have their fields in one
// order; With replaces a field where it is, appends a new one, and leaves
// the fields it was given as they were (a plan's, shared by its steps).
func TestValueSetIsWrittenInItsOrder(t *testing.T) {
	set := Fields{{"_seq", 1.0}, {"createdAt", "t"}, {"updatedAt", "t"}}
	v := Value{Input: 0, Set: set}
	if got, want := string(v.AppendJSON(nil)), `{"input":0,"set":{"_seq":1,"createdAt":"t","updatedAt":"t"}}`; got != want {
		t.Fatalf("got %s, want %s", got, want)
	}
	kept := set.With("createdAt", "s").With("id", "a")
	v.Set = kept
	if got, want := string(v.AppendJSON(nil)), `{"input":0,"set":{"_seq":1,"createdAt":"s","updatedAt":"t","id":"a"}}`; got != want {
		t.Errorf("with kept fields: got %s, want %s", got, want)
	}
	if c, _ := set.Get("createdAt"); c != "t" || len(set) != 3 {
		t.Errorf("With changed the fields it was given: %v", set)
	}
}

// A batch's saves of one parent's children count the parent once; a
// write to the parent's store in between, or another parent, counts again.
func TestBatchCountsEachParentOnceUntilItsStoreIsWritten(t *testing.T) {
	child := func(id, parent string) BatchStep {
		return BatchStep{Save: &SavePlan{Store: "Comment", Record: Record{"id": id, "postID": parent},
			Require: []Requirement{{Query: Query{Store: "Post", Range: Only(parent)}, Message: "no post"}}}}
	}
	parent := BatchStep{Save: &SavePlan{Store: "Post", Record: Record{"id": "p9"}}}
	for _, c := range []struct {
		name  string
		steps []BatchStep
		want  int
	}{
		{"one parent", []BatchStep{child("c1", "p1"), child("c2", "p1"), child("c3", "p1")}, 1},
		{"two parents", []BatchStep{child("c1", "p1"), child("c2", "p2"), child("c3", "p1")}, 2},
		{"a parent written between", []BatchStep{child("c1", "p1"), parent, child("c2", "p1")}, 2},
	} {
		p := BatchPlan{Steps: c.steps, Scope: []string{"Comment", "Post"}, Eager: true}
		fresh := make([]bool, len(c.steps))
		for i := range fresh {
			fresh[i] = true
		}
		w, err := newBatchWriter(testLayout, &p, true, fresh)
		if err != nil {
			t.Fatal(err)
		}
		s, err := w.next(nil)
		if err != nil {
			t.Fatal(err)
		}
		if counts := requestsOf(s, "count"); counts != c.want {
			t.Errorf("%s: %d counts, want %d: %s", c.name, counts, c.want, s.AppendJSON(nil))
		}
	}
}

// What a store knows exists takes a requirement's count off a save's
// first step, and only while the store is alone with its data.
func TestKnownRequirementSkipsItsCount(t *testing.T) {
	ctx := context.Background()
	db := NewMemory(testLayout)
	counts := func(postID string) int {
		p := SavePlan{Store: "Comment", Record: Record{"id": "c-" + postID, "postID": postID},
			Require: []Requirement{{Query: Query{Store: "Post", Range: Only(postID)}, Message: "no post"}}}
		w, err := newSaveWriter(db.layout, &p, -1, true)
		if err != nil {
			t.Fatal(err)
		}
		w.knowing(db.pres)
		step, err := w.next(nil)
		if err != nil {
			t.Fatal(err)
		}
		return requestsOf(step, "count")
	}
	if n := counts("p"); n != 1 {
		t.Fatalf("an unknown post: %d counts, want 1", n)
	}
	if _, err := db.Save(ctx, SavePlan{Store: "Post", Record: Record{"id": "p"}}); err != nil {
		t.Fatal(err)
	}
	if n := counts("p"); n != 0 {
		t.Errorf("a post the store saved: %d counts, want 0", n)
	}
	if n := counts("q"); n != 1 {
		t.Errorf("another post: %d counts, want 1", n)
	}
	db.pres.setSolo(false)
	if n := counts("p"); n != 1 {
		t.Errorf("not alone: %d counts, want 1", n)
	}
}

// requestsOf counts the requests of step s whose op is op.
func requestsOf(s Step, op string) int {
	n := 0
	for _, r := range s.Requests {
		if r.Op == op {
			n++
		}
	}
	return n
}

// The decisions and the JSON of a cascade's second step: a post's 1,000
// comments seen by their keys (Request.SeeKey), deleted.
func BenchmarkCascadeStep(b *testing.B) {
	p := DeletePlan{Roots: Query{Store: "Post", Range: Only("p1")}, Scope: []string{"Post", "Comment"},
		Edges: map[string][]Edge{"Post": {{From: []string{"id"}, Store: "Comment", Index: "postID", To: []string{"postID"}}}}}
	var seen strings.Builder
	seen.WriteString(`[[`)
	for i := range 1000 {
		if i > 0 {
			seen.WriteByte(',')
		}
		fmt.Fprintf(&seen, `"%08d-8a3b-4c2d-9e1f-1234567890ab"`, i)
	}
	seen.WriteString(`]]`)
	text := seen.String()
	b.ReportAllocs()
	for b.Loop() {
		w := newDeleteWriter(testLayout, &p)
		w.next(nil)
		w.next(&results{base: 0, list: []any{[]any{"p1"}}})
		parsed, _ := jv.ParseText(text)
		list := parsed.([]any)
		s, err := w.next(&results{base: 1, list: list})
		if err != nil {
			b.Fatal(err)
		}
		_ = s.AppendJSON(nil)
	}
}

// A cascade's read shows Go the records' keys alone when its key is one
// field and nothing else of them is needed; else the fields, or all.
func TestCascadeReadsSeeKeysAlone(t *testing.T) {
	edges := map[string][]Edge{"Post": {{From: []string{"id"}, Store: "Comment", Index: "postID", To: []string{"postID"}}}}
	cases := []struct {
		name string
		plan DeletePlan
		want string
	}{
		{"keys", DeletePlan{Roots: Query{Store: "Post", Range: Only("p1")}, Edges: edges}, `"seeKey":"id"`},
		{"outbox", DeletePlan{Roots: Query{Store: "Post", Range: Only("p1")}, Edges: edges, Outbox: "__outbox"}, `"seeAll":true`},
		{"composite key", DeletePlan{Roots: Query{Store: "Item"}}, `"see":["store","region"]`},
	}
	for _, c := range cases {
		w := newDeleteWriter(testLayout, &c.plan)
		first, _ := w.next(nil)
		if got := string(first.Requests[0].AppendJSON(nil)); !strings.Contains(got, c.want) {
			t.Errorf("%s: the roots' read is %s, want %s in it", c.name, got, c.want)
		}
	}
	w := newDeleteWriter(testLayout, &cases[0].plan)
	w.next(nil)
	second, err := w.next(&results{base: 0, list: []any{[]any{"p1"}}})
	if err != nil || len(second.Requests) != 1 || second.Requests[0].SeeKey != "id" {
		t.Fatalf("the comments' read: %s (%v)", second.AppendJSON(nil), err)
	}
}
