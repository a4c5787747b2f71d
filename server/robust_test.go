package server

import (
	"context"
	"strings"
	"testing"

	"github.com/datastore-wasm/datastore-wasm/server/storage"
)

// The introspection query GraphQL tools send (GraphiQL's, fragments and
// all) fits the limits and describes the API.
func TestToolsIntrospectionQuery(t *testing.T) {
	h := newHarness(t, sqliteStore(t), nil)
	q := `query IntrospectionQuery { __schema { queryType { name } mutationType { name } subscriptionType { name }
  types { ...FullType } directives { name description locations args { ...InputValue } } } }
fragment FullType on __Type { kind name description
  fields(includeDeprecated: true) { name description args { ...InputValue } type { ...TypeRef } isDeprecated deprecationReason }
  inputFields { ...InputValue } interfaces { ...TypeRef }
  enumValues(includeDeprecated: true) { name description isDeprecated deprecationReason } possibleTypes { ...TypeRef } }
fragment InputValue on __InputValue { name description type { ...TypeRef } defaultValue }
fragment TypeRef on __Type { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name } } } } } } } }`
	r := h.do(q, nil)
	if len(r.Errors) > 0 {
		t.Fatal(r.Errors)
	}
	s := toJSON(r.Data)
	for _, want := range []string{`"name":"CreatePostInput"`, `"name":"onUpdateComment"`, `"kind":"NON_NULL"`, `"name":"ModelAttributeTypes"`, `"name":"aws_subscribe"`} {
		if !strings.Contains(s, want) {
			t.Errorf("introspection lacks %s", want)
		}
	}
}

// panicStore panics on Scan, standing for a bug in a resolver.
type panicStore struct{ storage.Store }

func (panicStore) Scan(context.Context, string, string, int) ([]storage.Row, error) {
	panic("boom")
}

func TestAPanicIsAnErrorAndTheServerGoesOn(t *testing.T) {
	h := newHarness(t, panicStore{sqliteStore(t)}, nil)
	r := h.do(`{ listPosts { items { id } } }`, nil)
	if r.Status != 200 || len(r.Errors) != 1 || r.Errors[0]["errorType"] != "InternalFailure" {
		t.Fatalf("panicking resolver: %+v", r)
	}
	h.must(createPost, map[string]any{"input": post("p1", "t", 1)}, "createPost")
}
