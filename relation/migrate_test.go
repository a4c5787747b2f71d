package relation

import (
	"errors"
	"fmt"
	"testing"

	"github.com/datastore-wasm/datastore-wasm/store"
)

func TestMigrateKeepsRecordsAndAsksForNewRequiredValues(t *testing.T) {
	v1, _ := ParseSDL(`type Post @model { id: ID! title: String! }`)
	v2, _ := ParseSDL(`type Post @model { id: ID! title: String! category: String! note: String }`)
	db := store.NewMemory(Layout(v2)) // the stores of both versions
	old := NewEngine(v1, db)
	if err := old.Migrate(ctx, nil); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 3; i++ {
		save(t, old, "Post", build(t, old, "Post", Record{"title": fmt.Sprint("p", i)}))
	}
	e := NewEngine(v2, db)
	err := e.Migrate(ctx, nil)
	if !errors.Is(err, ErrSchema) || err.Error() != "Post.category is new and required, and 3 stored records have no value for it: pass a migration, as createDataStore({ schema, migrations: { Post: (record) => ({ ...record, category: ... }) } }), or make the field optional" {
		t.Fatalf("without a migration: %v", err)
	}
	bad := map[string]Migration{"Post": func(_ string, r Record) (Record, error) { return r, nil }}
	if err := e.Migrate(ctx, bad); err == nil || !errors.Is(err, ErrSchema) {
		t.Fatalf("a migration that leaves the field empty: %v", err)
	}
	good := map[string]Migration{"Post": func(_ string, r Record) (Record, error) {
		r["category"] = "general"
		return r, nil
	}}
	if err := e.Migrate(ctx, good); err != nil {
		t.Fatal(err)
	}
	recs, _ := e.Query(ctx, "Post", QueryOptions{})
	if len(recs) != 3 || recs[0]["category"] != "general" || recs[0]["title"] != "p0" {
		t.Errorf("migrated: %v", recs)
	}
	if err := e.Migrate(ctx, nil); err != nil {
		t.Errorf("a second open with the same schema needs nothing: %v", err)
	}
}
