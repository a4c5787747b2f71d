package relation

import (
	"testing"
)

// A constructed record that is its init's values with only the id
// generated is written as that id; anything else is not.
func TestAppendGeneratedID(t *testing.T) {
	e := newEngine(t, blogSDL)
	post := e.Schema.Model("Post")
	for _, c := range []struct {
		name string
		init Record
		ok   bool
	}{
		{"plain values", Record{"title": "t", "rating": 1.0, "status": "ACTIVE"}, true},
		{"some left out", Record{"title": "t"}, true},
		{"the id given", Record{"id": "p1", "title": "t"}, true},
		{"a key outside the schema", Record{"title": "t", "note": "n"}, false},
		{"a relation field", Record{"title": "t", "comments": []any{}}, false},
	} {
		rec := build(t, e, "Post", c.init)
		out, ok := Ordered{Model: post, Record: rec}.AppendGeneratedID([]byte("x"), c.init)
		if ok != c.ok {
			t.Errorf("%s: ok = %v, want %v (%s)", c.name, ok, c.ok, out)
			continue
		}
		want := "x"
		if ok && c.init["id"] == nil {
			want += rec["id"].(string)
		}
		if string(out) != want {
			t.Errorf("%s: wrote %q, want %q", c.name, out, want)
		}
	}
	// A value that is not JSON's own (an object, a list) is not kept as given.
	rec := Record{"id": "p", "title": map[string]any{}, "rating": nil, "status": nil}
	if _, ok := (Ordered{Model: post, Record: rec}).AppendGeneratedID(nil, Record{"title": map[string]any{}}); ok {
		t.Error("an object value was taken as given")
	}
	if plainText(`a"b`) || plainText("a\\b") || plainText("é") || !plainText("01J-abc") {
		t.Error("plainText")
	}
}
