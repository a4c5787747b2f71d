package server

import (
	"fmt"
	"io"
	"log"
	"net/http/httptest"
	"os"
	"strings"
	"testing"

	"github.com/datastore-wasm/datastore-wasm/relation"
)

func harnessFor(t *testing.T, s *relation.Schema) *harness {
	srv, err := New(Config{Schema: s, Store: sqliteStore(t), APIKey: "k", Log: log.New(io.Discard, "", 0)})
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv.Handler())
	t.Cleanup(func() { hs.Close(); srv.Close() })
	return &harness{t: t, srv: srv, http: hs, clock: newClock(), key: "k"}
}

func TestCompositeKeysAndImplicitForeignKeys(t *testing.T) {
	b, _ := os.ReadFile("../relation/testdata/schemas/keys.graphql")
	s, err := relation.ParseSDL(string(b))
	if err != nil {
		t.Fatal(err)
	}
	h := harnessFor(t, s)
	h.must(`mutation($i: CreateStoreInput!) { createStore(input: $i) { storeId region _version } }`,
		map[string]any{"i": map[string]any{"storeId": "s1", "region": "eu", "name": "Shop"}}, "createStore")
	fk := ""
	for _, f := range s.Model("StoreItem").Fields {
		if f.Relation == nil && f.Name != "id" && f.Name != "name" && !f.ReadOnly {
			fk += f.Name + " "
		}
	}
	rel := s.Model("StoreItem").Relation("store")
	in := map[string]any{"id": "i1", "name": "thing"}
	in[rel.LocalFields[0]], in[rel.LocalFields[1]] = "s1", "eu"
	it := h.must(fmt.Sprintf(`mutation($i: CreateStoreItemInput!) { createStoreItem(input: $i) { id %s store { storeId region name _deleted } } }`, fk),
		map[string]any{"i": in}, "createStoreItem")
	if st := it["store"].(map[string]any); st["name"] != "Shop" {
		t.Fatalf("belongs-to through a composite key: %v", it)
	}
	g := h.must(`query($a: ID!, $b: String!) { getStore(storeId: $a, region: $b) { name items { items { id } } } }`, map[string]any{"a": "s1", "b": "eu"}, "getStore")
	if items := g["items"].(map[string]any)["items"].([]any); len(items) != 1 {
		t.Fatalf("has-many through a composite key: %v", g)
	}
	r := h.do(`mutation($i: DeleteStoreInput!) { deleteStore(input: $i) { storeId } }`, map[string]any{"i": map[string]any{"storeId": "s1", "_version": 1}})
	if len(r.Errors) == 0 {
		t.Fatal("a delete without every key field must fail")
	}
}

func TestAWSScalarsAndEmbeddedTypes(t *testing.T) {
	b, _ := os.ReadFile("../relation/testdata/schemas/field-types.introspection.json")
	s, err := relation.ParseIntrospection(b)
	if err != nil {
		t.Fatal(err)
	}
	h := harnessFor(t, s)
	good := map[string]any{"id": "p1", "name": "n", "email": "a@b.co", "website": "https://x.org/a", "birthday": "2020-01-02",
		"lastSeen": "2020-01-02T03:04:05.678Z", "ip": "10.0.0.1", "phone": "+1 555 0100", "epoch": 1700000000, "alarm": "07:30:00",
		"data": `{"a":[1,2]}`, "nicknames": []string{"x", "y"}, "scores": []int{1}, "favorite": nil,
		"address": map[string]any{"street": "Main St"}, "addresses": []any{map[string]any{"street": "A", "city": "B"}}}
	addr := s.NonModel("Address")
	sub := ""
	for _, f := range addr.Fields {
		sub += f.Name + " "
	}
	sel := `id email website birthday lastSeen ip phone epoch alarm data nicknames address { ` + sub + ` } _version`
	p := h.must(`mutation($i: CreateProfileInput!) { createProfile(input: $i) { `+sel+` } }`, map[string]any{"i": good}, "createProfile")
	if p["data"] != `{"a":[1,2]}` || num(p["epoch"]) != 1700000000 {
		t.Fatalf("round trip: %v", p)
	}
	for field, bad := range map[string]any{"email": "not an email", "website": "nope", "birthday": "2020-13", "lastSeen": "yesterday",
		"ip": "10.0.0", "epoch": 1.5, "alarm": "7am", "data": "{"} {
		in := copyMap(good)
		in["id"], in[field] = "bad-"+field, bad
		r := h.do(`mutation($i: CreateProfileInput!) { createProfile(input: $i) { id } }`, map[string]any{"i": in})
		if len(r.Errors) == 0 || !strings.Contains(fmt.Sprint(r.Errors[0]["message"]), field) {
			t.Errorf("%s = %v: %v", field, bad, r.Errors)
		}
	}
	if l := h.must(`{ listProfiles { items { id } } }`, nil, "listProfiles"); len(l["items"].([]any)) != 1 {
		t.Fatalf("a rejected create wrote a record: %v", l)
	}
}
