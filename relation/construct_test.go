package relation

import (
	"testing"

	jv "github.com/datastore-wasm/datastore-wasm/internal/jsonvalue"
)

// A record constructed from values kept as they were, with only its id
// generated, says so; anything else does not, and the record is the same
// either way.
func TestConstructionAsGiven(t *testing.T) {
	e := newEngine(t, blogSDL)
	post := e.Schema.Model("Post")
	comment := e.Schema.Model("Comment")
	for _, c := range []struct {
		name  string
		model *Model
		init  Record
		as    bool
	}{
		{"plain values", post, Record{"title": "t", "rating": 1.0, "status": "ACTIVE"}, true},
		{"some left out", post, Record{"title": "t"}, true},
		{"the id given", post, Record{"id": "p1", "title": "t"}, true},
		{"a key outside the schema", post, Record{"title": "t", "note": "n"}, false},
		{"a has-many value", post, Record{"title": "t", "comments": []any{}}, false},
		{"a belongs-to value", comment, Record{"content": "c", "post": map[string]any{"id": "p1"}}, false},
		{"a list", post, Record{"title": "t", "tags": []any{"a"}}, false},
	} {
		want, err := e.Schema.Construct(c.model, c.init, e.IDs)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		owned := Record{}
		for k, v := range c.init {
			owned[k] = v
		}
		got, err := e.Schema.ConstructOwned(c.model, owned, e.IDs)
		if err != nil || got.AsGiven != c.as {
			t.Errorf("%s: AsGiven %v, want %v (%v)", c.name, got.AsGiven, c.as, err)
			continue
		}
		if _, has := got.Record["comments"]; has || (c.name == "a belongs-to value" && got.Record["postCommentsId"] != "p1") {
			t.Errorf("%s: relation values not turned into keys: %v", c.name, got.Record)
		}
		want["id"], got.Record["id"] = nil, nil
		if len(want) != len(got.Record) {
			t.Errorf("%s: %v, want %v", c.name, got.Record, want)
		}
		for k, v := range want {
			if w, ok := got.Record[k]; !ok || !equalValue(v, w) {
				t.Errorf("%s: %s = %v, want %v", c.name, k, w, v)
			}
		}
		if c.as && c.init["id"] == nil && len(got.Generated) != 36 {
			t.Errorf("%s: generated %q", c.name, got.Generated)
		}
	}
	if plainText(`a"b`) || plainText("a\\b") || plainText("é") || !plainText("01J-abc") {
		t.Error("plainText")
	}
}

func equalValue(a, b any) bool {
	if jv.Scalar(a) && jv.Scalar(b) {
		return a == b
	}
	return a != nil && b != nil
}
