//go:build js && wasm

package store

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"sync/atomic"
	"syscall/js"
	"testing"
)

var dbCounter atomic.Int64

func openTestDB(t *testing.T, l Layout) DB {
	t.Helper()
	name := fmt.Sprintf("store-test-%s-%d", t.Name(), dbCounter.Add(1))
	db, err := OpenIndexedDB(context.Background(), name, l, OpenOptions{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		db.Close()
		_ = DeleteIndexedDB(context.Background(), name)
	})
	return db
}

func TestIndexedDBConformance(t *testing.T) {
	runConformance(t, openTestDB)
}

// Reopening with a changed layout upgrades in place: records of kept stores
// stay, a new index is built over them, a removed store goes.
func TestIndexedDBUpgradeKeepsRecords(t *testing.T) {
	ctx := context.Background()
	name := "store-test-upgrade"
	_ = DeleteIndexedDB(ctx, name)
	v1 := Layout{Stores: []StoreLayout{{Name: "Post", KeyPath: []string{"id"}}, {Name: "Old", KeyPath: []string{"id"}}}}
	db, err := OpenIndexedDB(ctx, name, v1, OpenOptions{})
	if err != nil {
		t.Fatal(err)
	}
	err = db.Write(ctx, []string{"Post"}, func(tx Tx) error {
		tx.Put("Post", []Record{{"id": "a", "tag": "x"}, {"id": "b", "tag": "y"}})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	v1version := db.Version()
	if v1version != 1 {
		t.Errorf("a new database is created with its stores in one open: version %d, want 1", v1version)
	}
	db.Close()

	v2 := Layout{Stores: []StoreLayout{{Name: "Post", KeyPath: []string{"id"}, Indexes: []IndexLayout{{Name: "tag", KeyPath: []string{"tag"}}}}, {Name: "New", KeyPath: []string{"id"}}}}
	db2, err := OpenIndexedDB(ctx, name, v2, OpenOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer func() { db2.Close(); _ = DeleteIndexedDB(ctx, name) }()
	if got := db2.Version(); got != v1version+1 {
		t.Errorf("version %d, want %d", got, v1version+1)
	}
	err = db2.Read(ctx, []string{"Post", "New"}, func(tx Tx) error {
		res, err := tx.Query([]Query{{Store: "Post", Index: "tag", Range: Only("y")}})
		if err == nil && (len(res[0]) != 1 || res[0][0]["id"] != "b") {
			t.Errorf("the new index over old records: %v", res[0])
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := db2.Read(ctx, []string{"Old"}, func(Tx) error { return nil }); !errors.Is(err, ErrUnknownStore) {
		t.Errorf("the removed store is gone from the layout: %v", err)
	}
}

func TestIndexedDBClosedHandle(t *testing.T) {
	db := openTestDB(t, testLayout)
	db.Close()
	err := db.Read(context.Background(), []string{"Post"}, func(Tx) error { return nil })
	if !errors.Is(err, ErrClosed) {
		t.Errorf("after Close: %v, want ErrClosed", err)
	}
}

func TestIndexedDBRefusesAChangedPrimaryKey(t *testing.T) {
	ctx := context.Background()
	name := "store-test-keychange"
	_ = DeleteIndexedDB(ctx, name)
	defer DeleteIndexedDB(ctx, name)
	db, err := OpenIndexedDB(ctx, name, Layout{Stores: []StoreLayout{{Name: "Book", KeyPath: []string{"id"}}}}, OpenOptions{})
	if err != nil {
		t.Fatal(err)
	}
	_ = db.Write(ctx, []string{"Book"}, func(tx Tx) error { tx.Put("Book", []Record{{"id": "1", "isbn": "x"}}); return nil })
	db.Close()
	_, err = OpenIndexedDB(ctx, name, Layout{Stores: []StoreLayout{{Name: "Book", KeyPath: []string{"isbn"}}}}, OpenOptions{})
	if !errors.Is(err, ErrKeyPathChanged) {
		t.Fatalf("err = %v, want ErrKeyPathChanged", err)
	}
	db, err = OpenIndexedDB(ctx, name, Layout{Stores: []StoreLayout{{Name: "Book", KeyPath: []string{"id"}}}}, OpenOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	_ = db.Read(ctx, []string{"Book"}, func(tx Tx) error {
		got, _ := tx.Get("Book", []Key{"1"})
		if got[0] == nil {
			t.Error("the refused upgrade lost the record")
		}
		return nil
	})
}

// openTwoConnections opens two connections to a new database, as two tabs
// have, and returns once the first holds the database's lock.
func openTwoConnections(t *testing.T, tag string) (*IndexedDB, *IndexedDB) {
	t.Helper()
	ctx := context.Background()
	name := fmt.Sprintf("store-test-%s-%d", tag, dbCounter.Add(1))
	_ = DeleteIndexedDB(ctx, name)
	open := func() *IndexedDB {
		db, err := OpenIndexedDB(ctx, name, testLayout, OpenOptions{})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		return db
	}
	a := open()
	b := open()
	t.Cleanup(func() { _ = DeleteIndexedDB(ctx, name) })
	if v := executor().Call("held", a.db); v.Type() == js.TypeObject {
		if _, err := await(ctx, v); err != nil {
			t.Fatal(err)
		}
	}
	return a, b
}

// commentSeq numbers the comments commentOfP saves.
var commentSeq atomic.Int64

// commentOfP saves a new comment of post "p" on db, the post required.
func commentOfP(ctx context.Context, db *IndexedDB) error {
	_, err := db.Save(ctx, SavePlan{Store: "Comment", Record: Record{"id": "c" + strconv.FormatInt(commentSeq.Add(1), 10), "postID": "p"},
		Require: []Requirement{{Query: Query{Store: "Post", Range: Only("p")}, Message: "no post p"}}})
	return err
}

// knowPostP saves post "p" and two comments of it on db, and checks that
// db then knows the post exists (who names db in the failure).
func knowPostP(t *testing.T, db *IndexedDB, who string) {
	t.Helper()
	ctx := context.Background()
	if _, err := db.Save(ctx, SavePlan{Store: "Post", Record: Record{"id": "p"}}); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 2; i++ {
		if err := commentOfP(ctx, db); err != nil {
			t.Fatal(err)
		}
	}
	if !db.pres.has(fact{store: "Post", key: "sp"}) {
		t.Fatalf("%s does not know the post it saved and read", who)
	}
}

// Two connections to one database, as two tabs have: the one holding the
// lock skips reading a post it knows exists; a delete on the other takes
// the lock from it first, so its next comment of the deleted post reads
// again and fails (no comment of a missing post is stored).
func TestIndexedDBKnownRequirementsAcrossConnections(t *testing.T) {
	ctx := context.Background()
	a, b := openTwoConnections(t, "known")
	knowPostP(t, a, "the connection holding the lock")
	if _, err := b.Delete(ctx, DeletePlan{Roots: Query{Store: "Post", Range: Only("p")}, Scope: []string{"Post"}}); err != nil {
		t.Fatal(err)
	}
	if a.pres.has(fact{store: "Post", key: "sp"}) {
		t.Error("the connection that handed its lock over still knows the post")
	}
	if err := commentOfP(ctx, a); !errors.Is(err, ErrRequirement) {
		t.Errorf("a comment of the post the other connection deleted: err = %v, want ErrRequirement", err)
	}

	// Back the other way: b now holds the lock and knows the post again.
	knowPostP(t, b, "the connection that took the lock")
	if err := a.Write(ctx, []string{"Post"}, func(tx Tx) error { tx.Delete("Post", []Key{"p"}); return nil }); err != nil {
		t.Fatal(err)
	}
	if err := commentOfP(ctx, b); !errors.Is(err, ErrRequirement) {
		t.Errorf("after a Write of the other connection deleted the post: err = %v, want ErrRequirement", err)
	}
}

// A holder that never answers (a page suspended in the background) does
// not hold a delete forever: after a wait the other connection takes the
// lock, and the holder, told it lost it, forgets what it knew.
func TestIndexedDBLockTakenFromASilentHolder(t *testing.T) {
	ctx := context.Background()
	a, b := openTwoConnections(t, "silent")
	faults := executor().Get("faults")
	faults.Set("soloDeaf", true)
	faults.Set("soloWait", 30)
	t.Cleanup(func() { faults.Set("soloDeaf", false); faults.Set("soloWait", 0) })
	knowPostP(t, a, "the holder")
	if _, err := b.Delete(ctx, DeletePlan{Roots: Query{Store: "Post", Range: Only("p")}, Scope: []string{"Post"}}); err != nil {
		t.Fatal(err)
	}
	if a.pres.has(fact{store: "Post", key: "sp"}) {
		t.Error("the holder whose lock was taken still knows the post")
	}
	if err := commentOfP(ctx, a); !errors.Is(err, ErrRequirement) {
		t.Errorf("a comment of the deleted post: err = %v, want ErrRequirement", err)
	}
}
