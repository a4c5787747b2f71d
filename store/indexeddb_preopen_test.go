//go:build js && wasm

package store

import (
	"context"
	"testing"
)

var preopenLayout = Layout{Stores: []StoreLayout{
	{Name: "Post", KeyPath: []string{"id"}, Indexes: []IndexLayout{{Name: "tag", KeyPath: []string{"tag"}}}},
	{Name: "__meta", KeyPath: []string{"key"}},
}}

var preopenSeed = []SeedRecord{{Store: "__meta", Record: Record{"key": "schema", "models": map[string]any{"Post": map[string]any{}}}}}

func freshDBName(t *testing.T, name string) string {
	t.Helper()
	_ = DeleteIndexedDB(context.Background(), name)
	t.Cleanup(func() { _ = DeleteIndexedDB(context.Background(), name) })
	return name
}

func metaRecord(t *testing.T, db *IndexedDB) Record {
	t.Helper()
	var got Record
	err := db.Read(context.Background(), []string{"__meta"}, func(tx Tx) error {
		recs, err := tx.Get("__meta", []Key{"schema"})
		if err == nil {
			got = recs[0]
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return got
}

// A database the pending open creates gets its stores and its seed in that
// open: the open that takes it over needs no second one.
func TestPreopenCreatesTheDatabaseWithItsLayoutAndSeed(t *testing.T) {
	ctx := context.Background()
	name := freshDBName(t, "store-test-preopen-new")
	pending := Preopen(name, &RecordKey{Store: "__meta", Key: "schema"})
	PrepareFresh(pending, preopenLayout, preopenSeed)
	db, err := OpenIndexedDB(ctx, name, preopenLayout, OpenOptions{Preopened: pending, Seed: preopenSeed})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if !db.Created || db.Upgraded || db.Version() != 1 {
		t.Errorf("created %v, upgraded %v, version %d; want a database created at version 1", db.Created, db.Upgraded, db.Version())
	}
	if got := metaRecord(t, db); got == nil || got["models"] == nil {
		t.Errorf("the seed record: %v", got)
	}
	err = db.Read(ctx, []string{"Post"}, func(tx Tx) error {
		_, err := tx.Query([]Query{{Store: "Post", Index: "tag", Range: Only("x")}})
		return err
	})
	if err != nil {
		t.Errorf("the index the layout has: %v", err)
	}
}

// Without the layout (PrepareFresh never called: the schema failed), the
// pending open creates nothing, and the open creates the database itself.
func TestPreopenWithoutLayoutCreatesNothing(t *testing.T) {
	ctx := context.Background()
	name := freshDBName(t, "store-test-preopen-unprepared")
	pending := Preopen(name, &RecordKey{Store: "__meta", Key: "schema"})
	db, err := OpenIndexedDB(ctx, name, preopenLayout, OpenOptions{Preopened: pending, Seed: preopenSeed})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if !db.Created || db.Version() != 1 {
		t.Errorf("created %v, version %d; want the open to create the database at version 1", db.Created, db.Version())
	}
	if metaRecord(t, db) == nil {
		t.Error("the open's own creation lost the seed")
	}
}

// An existing database with an older layout is opened early as it is, and
// the open that takes it over still upgrades it, keeping its records and
// not seeding it again.
func TestPreopenOfAnOlderDatabaseIsUpgraded(t *testing.T) {
	ctx := context.Background()
	name := freshDBName(t, "store-test-preopen-upgrade")
	v1 := Layout{Stores: []StoreLayout{{Name: "Post", KeyPath: []string{"id"}}, {Name: "__meta", KeyPath: []string{"key"}}}}
	db, err := OpenIndexedDB(ctx, name, v1, OpenOptions{})
	if err != nil {
		t.Fatal(err)
	}
	_ = db.Write(ctx, []string{"Post"}, func(tx Tx) error { tx.Put("Post", []Record{{"id": "a", "tag": "x"}}); return nil })
	db.Close()

	pending := Preopen(name, &RecordKey{Store: "__meta", Key: "schema"})
	PrepareFresh(pending, preopenLayout, preopenSeed)
	db2, err := OpenIndexedDB(ctx, name, preopenLayout, OpenOptions{Preopened: pending, Seed: preopenSeed})
	if err != nil {
		t.Fatal(err)
	}
	defer db2.Close()
	if db2.Created || !db2.Upgraded || db2.Version() != 2 {
		t.Errorf("created %v, upgraded %v, version %d; want an upgrade to version 2", db2.Created, db2.Upgraded, db2.Version())
	}
	if metaRecord(t, db2) != nil {
		t.Error("an existing database was seeded")
	}
	err = db2.Read(ctx, []string{"Post"}, func(tx Tx) error {
		res, err := tx.Query([]Query{{Store: "Post", Index: "tag", Range: Only("x")}})
		if err == nil && len(res[0]) != 1 {
			t.Errorf("the new index over the old record: %v", res[0])
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

// A pending connection that another connection's delete closed before the
// open took it over is not used: the open opens (here: creates) anew.
func TestPreopenClosedMeanwhileIsNotUsed(t *testing.T) {
	ctx := context.Background()
	name := freshDBName(t, "store-test-preopen-closed")
	pending := Preopen(name, &RecordKey{Store: "__meta", Key: "schema"})
	PrepareFresh(pending, preopenLayout, preopenSeed)
	if err := DeleteIndexedDB(ctx, name); err != nil {
		t.Fatal(err)
	}
	if pending.Get("closed").String() == "" {
		t.Fatal("the delete did not close the pending connection")
	}
	db, err := OpenIndexedDB(ctx, name, preopenLayout, OpenOptions{Preopened: pending, Seed: preopenSeed})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if !db.Created || metaRecord(t, db) == nil {
		t.Errorf("created %v; want the database made again, with its seed", db.Created)
	}
	// Claimed once: a second open of the same pending one opens itself.
	db2, err := OpenIndexedDB(ctx, name, preopenLayout, OpenOptions{Preopened: pending})
	if err != nil {
		t.Fatal(err)
	}
	db2.Close()
}

// Unclaim closes the pending connection: a delete then finds none to close.
func TestUnclaimClosesThePendingConnection(t *testing.T) {
	ctx := context.Background()
	name := freshDBName(t, "store-test-preopen-unclaim")
	pending := Preopen(name, &RecordKey{Store: "__meta", Key: "schema"})
	PrepareFresh(pending, preopenLayout, preopenSeed)
	if _, err := await(ctx, pending.Get("promise")); err != nil {
		t.Fatal(err)
	}
	Unclaim(pending)
	if err := DeleteIndexedDB(ctx, name); err != nil {
		t.Fatal(err)
	}
	if reason := pending.Get("closed").String(); reason != "" {
		t.Errorf("the connection was still open for the delete (closed by %q)", reason)
	}
}

// OpenOptions.Peek reads a record with the layout, by a pending open too;
// a database without the store gives no peek (the caller reads itself).
func TestOpenPeeksARecord(t *testing.T) {
	ctx := context.Background()
	name := freshDBName(t, "store-test-peek")
	peek := &RecordKey{Store: "__meta", Key: "schema"}
	noMeta := Layout{Stores: []StoreLayout{{Name: "Post", KeyPath: []string{"id"}}}}
	db, err := OpenIndexedDB(ctx, name, noMeta, OpenOptions{Peek: peek})
	if err != nil {
		t.Fatal(err)
	}
	if db.PeekedOK {
		t.Error("a peek of a store the database lacks")
	}
	db.Close()

	db, err = OpenIndexedDB(ctx, name, preopenLayout, OpenOptions{Peek: peek})
	if err != nil {
		t.Fatal(err)
	}
	if !db.PeekedOK || db.Peeked != nil {
		t.Errorf("after the upgrade that made the store: ok %v, record %v; want ok and none", db.PeekedOK, db.Peeked)
	}
	_ = db.Write(ctx, []string{"__meta"}, func(tx Tx) error { tx.Put("__meta", []Record{preopenSeed[0].Record}); return nil })
	db.Close()

	pending := Preopen(name, peek)
	PrepareFresh(pending, preopenLayout, preopenSeed)
	db, err = OpenIndexedDB(ctx, name, preopenLayout, OpenOptions{Preopened: pending, Peek: peek})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if !db.PeekedOK || db.Peeked["key"] != "schema" || db.Peeked["models"] == nil {
		t.Errorf("the pending open's peek: ok %v, record %v", db.PeekedOK, db.Peeked)
	}
}
