//go:build js && wasm

package store

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
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
