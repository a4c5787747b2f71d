package store

import (
	"context"
	"errors"
	"fmt"
	"testing"
)

// The conformance suite: every DB implementation must pass it. memory_test.go
// runs it natively, indexeddb_test.go in a browser.

var testLayout = Layout{Stores: []StoreLayout{
	{Name: "Post", KeyPath: []string{"id"}},
	{Name: "Comment", KeyPath: []string{"id"}, Indexes: []IndexLayout{
		{Name: "postID", KeyPath: []string{"postID"}},
		{Name: "order", KeyPath: []string{"order"}},
	}},
	{Name: "Item", KeyPath: []string{"store", "region"}, Indexes: []IndexLayout{
		{Name: "sku", KeyPath: []string{"sku"}, Unique: true},
	}},
}}

type opener func(t *testing.T, layout Layout) DB

func runConformance(t *testing.T, open opener) {
	t.Run("PutGetQuery", func(t *testing.T) { testPutGetQuery(t, open(t, testLayout)) })
	t.Run("Ranges", func(t *testing.T) { testRanges(t, open(t, testLayout)) })
	t.Run("AbortKeepsNothing", func(t *testing.T) { testAbort(t, open(t, testLayout)) })
	t.Run("UniqueIndex", func(t *testing.T) { testUnique(t, open(t, testLayout)) })
	t.Run("CompositeKeys", func(t *testing.T) { testComposite(t, open(t, testLayout)) })
	t.Run("UnknownStore", func(t *testing.T) {
		db := open(t, testLayout)
		err := db.Read(context.Background(), []string{"Nope"}, func(Tx) error { return nil })
		if !errors.Is(err, ErrUnknownStore) {
			t.Errorf("err = %v, want ErrUnknownStore", err)
		}
	})
}

func seedComments(t *testing.T, db DB, n int) {
	t.Helper()
	err := db.Write(context.Background(), []string{"Post", "Comment"}, func(tx Tx) error {
		tx.Put("Post", []Record{{"id": "p1"}, {"id": "p2"}})
		var cs []Record
		for i := 0; i < n; i++ {
			cs = append(cs, Record{"id": fmt.Sprintf("c%03d", i), "postID": []string{"p1", "p2"}[i%2], "order": float64(i)})
		}
		tx.Put("Comment", cs)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func testPutGetQuery(t *testing.T, db DB) {
	seedComments(t, db, 10)
	err := db.Read(context.Background(), []string{"Post", "Comment"}, func(tx Tx) error {
		got, err := tx.Get("Post", []Key{"p1", "absent"})
		if err != nil {
			return err
		}
		if got[0]["id"] != "p1" || got[1] != nil {
			t.Errorf("Get: %v", got)
		}
		res, err := tx.Query([]Query{
			{Store: "Comment", Index: "postID", Range: Only("p2")},
			{Store: "Comment"},
			{Store: "Comment", Index: "order", Reverse: true, Limit: 3},
		})
		if err != nil {
			return err
		}
		if len(res[0]) != 5 || len(res[1]) != 10 {
			t.Errorf("index query %d, all %d", len(res[0]), len(res[1]))
		}
		if len(res[2]) != 3 || res[2][0]["order"] != 9.0 || res[2][2]["order"] != 7.0 {
			t.Errorf("reverse limit: %v", res[2])
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// Reads in a write transaction see its own writes.
	err = db.Write(context.Background(), []string{"Comment"}, func(tx Tx) error {
		tx.Delete("Comment", []Key{"c000"})
		tx.Put("Comment", []Record{{"id": "new", "postID": "p1", "order": 100.0}})
		res, err := tx.Query([]Query{{Store: "Comment", Index: "postID", Range: Only("p1")}})
		if err != nil {
			return err
		}
		if len(res[0]) != 5 {
			t.Errorf("read-your-writes: %d records for p1, want 5", len(res[0]))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func testRanges(t *testing.T, db DB) {
	seedComments(t, db, 20)
	for _, tc := range []struct {
		r    *Range
		want int
	}{
		{&Range{Lower: 5.0, Upper: 9.0}, 5},
		{&Range{Lower: 5.0, Upper: 9.0, LowerOpen: true, UpperOpen: true}, 3},
		{&Range{Lower: 15.0}, 5},
		{&Range{Upper: 2.0, UpperOpen: true}, 2},
		{&Range{Lower: 0.0}, 20},
	} {
		err := db.Read(context.Background(), []string{"Comment"}, func(tx Tx) error {
			res, err := tx.Query([]Query{{Store: "Comment", Index: "order", Range: tc.r}})
			if err == nil && len(res[0]) != tc.want {
				t.Errorf("range %+v: %d records, want %d", tc.r, len(res[0]), tc.want)
			}
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	}
}

func testAbort(t *testing.T, db DB) {
	seedComments(t, db, 4)
	boom := errors.New("boom")
	err := db.Write(context.Background(), []string{"Post", "Comment"}, func(tx Tx) error {
		tx.Delete("Comment", []Key{"c000", "c001"})
		if _, err := tx.Get("Comment", []Key{"c002"}); err != nil {
			return err
		}
		tx.Delete("Post", []Key{"p1"})
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("err = %v", err)
	}
	_ = db.Read(context.Background(), []string{"Post", "Comment"}, func(tx Tx) error {
		res, _ := tx.Query([]Query{{Store: "Comment"}, {Store: "Post"}})
		if len(res[0]) != 4 || len(res[1]) != 2 {
			t.Errorf("after abort: %d comments, %d posts; want 4 and 2", len(res[0]), len(res[1]))
		}
		return nil
	})
}

func testUnique(t *testing.T, db DB) {
	ctx := context.Background()
	put := func(recs ...Record) error {
		return db.Write(ctx, []string{"Item"}, func(tx Tx) error { tx.Put("Item", recs); return nil })
	}
	if err := put(Record{"store": "s", "region": "eu", "sku": "A"}); err != nil {
		t.Fatal(err)
	}
	err := put(Record{"store": "s", "region": "us", "sku": "B"}, Record{"store": "t", "region": "us", "sku": "A"})
	if !errors.Is(err, ErrConstraint) {
		t.Fatalf("duplicate unique key: err = %v, want ErrConstraint", err)
	}
	_ = db.Read(ctx, []string{"Item"}, func(tx Tx) error {
		res, _ := tx.Query([]Query{{Store: "Item"}})
		if len(res[0]) != 1 {
			t.Errorf("a failed transaction kept %d records, want 1", len(res[0]))
		}
		return nil
	})
}

func testComposite(t *testing.T, db DB) {
	ctx := context.Background()
	err := db.Write(ctx, []string{"Item"}, func(tx Tx) error {
		tx.Put("Item", []Record{{"store": "s", "region": "eu", "sku": "1"}, {"store": "s", "region": "us", "sku": "2"}})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	_ = db.Read(ctx, []string{"Item"}, func(tx Tx) error {
		got, err := tx.Get("Item", []Key{[]any{"s", "us"}})
		if err != nil || got[0]["sku"] != "2" {
			t.Errorf("composite get: %v %v", got, err)
		}
		res, _ := tx.Query([]Query{{Store: "Item", Range: &Range{Lower: []any{"s"}, Upper: []any{"s", []any{}}}}})
		if len(res[0]) != 2 {
			t.Errorf("composite prefix range: %d", len(res[0]))
		}
		return nil
	})
}
