package store

import (
	"encoding/json"
	"math"
	"reflect"
	"testing"

	jv "github.com/datastore-wasm/datastore-wasm/internal/jsonvalue"
)

func TestUpgradeStepsJSONIsWhatEncodingJSONWrites(t *testing.T) {
	want := Layout{Stores: []StoreLayout{
		{Name: "Post", KeyPath: []string{"id"}, Indexes: []IndexLayout{{Name: "byTitle", KeyPath: []string{"title"}}}},
		{Name: "__outbox", KeyPath: []string{"order"}, AutoIncrement: true},
	}}
	steps := append(Diff(Layout{}, want), UpgradeStep{Op: "rekey", Store: "Post", KeyPath: []string{"id", "n"}, Indexes: want.Stores[0].Indexes},
		UpgradeStep{Op: "put", Store: "__meta", Value: Record{"key": "schema", "models": map[string]any{"Post": map[string]any{"title": map[string]any{"type": "String", "required": true}}}}})
	var fromJSON, fromUs any
	b, _ := json.Marshal(steps)
	_ = json.Unmarshal(b, &fromJSON)
	_ = json.Unmarshal(jv.AppendList(nil, steps), &fromUs)
	if !reflect.DeepEqual(fromJSON, fromUs) {
		t.Fatalf("steps:\n got %s\nwant %s", jv.AppendList(nil, steps), b)
	}
}

func TestParseLayoutReadsTheExecutorsLayout(t *testing.T) {
	got, err := ParseLayout(`{"stores":[{"name":"Post","keyPath":["id"],"indexes":[{"name":"byTitle","keyPath":["title"],"unique":false}]},{"name":"__meta","keyPath":[],"indexes":[]}]}`)
	if err != nil {
		t.Fatal(err)
	}
	want := Layout{Stores: []StoreLayout{
		{Name: "Post", KeyPath: []string{"id"}, Indexes: []IndexLayout{{Name: "byTitle", KeyPath: []string{"title"}}}},
		{Name: "__meta", KeyPath: []string{}},
	}}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got %+v\nwant %+v", got, want)
	}
	for _, bad := range []string{`[]`, `{"stores":{}}`, `{"stores":[{"keyPath":"id"}]}`, `{"stores":[{"indexes":[7]}]}`} {
		if _, err := ParseLayout(bad); err == nil {
			t.Errorf("%s: want an error", bad)
		}
	}
}

func TestParseOutcomeReadsWhatEncodingJSONWould(t *testing.T) {
	for _, c := range []struct {
		text     string
		got, std any
	}{
		{`{"op":"INSERT","record":{"id":"a","n":1}}`, &SaveOutcome{}, &SaveOutcome{}},
		{`{"removed":[{"store":"Comment","record":{"id":"c"}},{"store":"Post","record":{"id":"p"}}],"roots":1,"updated":[]}`, &DeleteOutcome{}, &DeleteOutcome{}},
		{`{"removed":[{"store":"Post","record":{"id":"p"}}],"roots":1,"updated":[{"store":"Note","record":{"id":"n"},"via":"Post.notes","fields":["postNotesId"]}],"blocked":[{"store":"Member","record":{"id":"m"},"via":"Post.members"}]}`, &DeleteOutcome{}, &DeleteOutcome{}},
		{`{"steps":[{"op":"UPDATE","record":{"id":"a"}},{"removed":[{"store":"Post","record":{"id":"p"}}],"roots":1,"updated":null}]}`, &BatchOutcome{}, &BatchOutcome{}},
	} {
		if err := parseOutcome(c.text, c.got); err != nil {
			t.Fatalf("%s: %v", c.text, err)
		}
		_ = json.Unmarshal([]byte(c.text), c.std)
		if !reflect.DeepEqual(c.got, c.std) {
			t.Errorf("%s:\n got %+v\nwant %+v", c.text, c.got, c.std)
		}
	}
	if err := parseOutcome(`{"removed":[3]}`, &DeleteOutcome{}); err == nil {
		t.Error("a removed entry that is not an object: want an error")
	}
}

func TestJSONTextSortsKeysAndRefusesNaN(t *testing.T) {
	if got := JSONText(map[string]any{"b": 1.0, "a": []any{"x", map[string]any{"d": nil, "c": true}}}); got != `{"a":["x",{"c":true,"d":null}],"b":1}` {
		t.Errorf("got %s", got)
	}
	if got := JSONText([]any{1.0, math.NaN()}); got == "[1,null]" {
		t.Errorf("NaN written as null: %s", got)
	}
}
