package store

import (
	"encoding/json"
	"reflect"
	"testing"
)

// The hand-written encoders write what encoding/json writes.
func TestAppendJSONAgreesWithEncodingJSON(t *testing.T) {
	filter := &Filter{Group: "and", Children: []*Filter{{Field: "a", Op: "eq", Value: nil}, {Field: "b", Op: "between", Value: []any{1.0, 2.0}}}}
	values := []any{
		Query{Store: "S", Index: "i", Range: &Range{Lower: 1.0, Upper: "z", UpperOpen: true}, Limit: 3, Reverse: true, Filter: filter, Order: []Order{{Field: "x", Desc: true}}, Offset: 2, Count: 5, Omit: []string{"_seq"}},
		Query{Store: "S", Range: Only([]any{"a", 1.0})},
	}
	for _, v := range values {
		want, _ := json.Marshal(v)
		got := v.(interface{ AppendJSON([]byte) []byte }).AppendJSON(nil)
		var a, b any
		if err := json.Unmarshal(got, &a); err != nil {
			t.Fatalf("AppendJSON wrote invalid JSON %s: %v", got, err)
		}
		_ = json.Unmarshal(want, &b)
		if !reflect.DeepEqual(a, b) {
			t.Errorf("AppendJSON\n got %s\nwant %s", got, want)
		}
	}
}

func TestIncludeSpecJSON(t *testing.T) {
	spec := IncludeSpec{Edge: Edge{From: []string{"id"}, Store: "C", Index: "postID", To: []string{"postID"}}, Field: "comments", Many: true, Omit: []string{"_seq"},
		Include: []IncludeSpec{{Edge: Edge{From: []string{"authorID"}, Store: "A", Key: true, To: []string{"id"}}, Field: "author"}}}
	var got map[string]any
	if err := json.Unmarshal(spec.AppendJSON(nil), &got); err != nil {
		t.Fatalf("%s: %v", spec.AppendJSON(nil), err)
	}
	if got["field"] != "comments" || got["index"] != "postID" || got["many"] != true || got["include"].([]any)[0].(map[string]any)["key"] != true {
		t.Errorf("%s", spec.AppendJSON(nil))
	}
}

// A write's step, as the executor reads it.
func TestStepJSON(t *testing.T) {
	layout := Layout{Stores: []StoreLayout{{Name: "C", KeyPath: []string{"id"}}, {Name: "P", KeyPath: []string{"id"}}}}
	p := SavePlan{Store: "C", Record: Record{"id": "x", "pid": "p"}, Set: Fields{{"_seq", 12.0}}, Keep: []string{"_seq"}, Omit: []string{"_seq"},
		Require: []Requirement{{Query: Query{Store: "P", Range: Only("p")}, Message: "no p"}}}
	w, err := newSaveWriter(layout, &p, 0, true)
	if err != nil {
		t.Fatal(err)
	}
	step, err := w.next(nil)
	if err != nil {
		t.Fatal(err)
	}
	var got struct {
		Scope    []string
		Requests []struct {
			Op, Store      string
			Expect, Report bool
			Value          struct {
				Input *int
				Set   map[string]any
			}
		}
		Then    bool
		Outcome struct {
			Op     string
			Record map[string]any
		}
	}
	if err := json.Unmarshal(step.AppendJSON(nil), &got); err != nil {
		t.Fatalf("%s: %v", step.AppendJSON(nil), err)
	}
	r := got.Requests
	if len(r) != 2 || r[0].Op != "count" || !r[0].Expect || r[1].Op != "add" || !r[1].Report || r[1].Value.Input == nil || r[1].Value.Set["_seq"] != 12.0 ||
		got.Then || got.Outcome.Op != "INSERT" || got.Outcome.Record["$w"] != 1.0 || len(got.Scope) != 2 {
		t.Errorf("a fresh save's first step: %s", step.AppendJSON(nil))
	}
}
