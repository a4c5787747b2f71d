package store

import (
	"context"
	"errors"
	"fmt"
	"strconv"
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
	{Name: "__outbox", KeyPath: []string{"order"}, AutoIncrement: true},
}}

type opener func(t *testing.T, layout Layout) DB

func runConformance(t *testing.T, open opener) {
	t.Run("PutGetQuery", func(t *testing.T) { testPutGetQuery(t, open(t, testLayout)) })
	t.Run("Ranges", func(t *testing.T) { testRanges(t, open(t, testLayout)) })
	t.Run("AbortKeepsNothing", func(t *testing.T) { testAbort(t, open(t, testLayout)) })
	t.Run("UniqueIndex", func(t *testing.T) { testUnique(t, open(t, testLayout)) })
	t.Run("CompositeKeys", func(t *testing.T) { testComposite(t, open(t, testLayout)) })
	t.Run("PostProcessing", func(t *testing.T) { testPostProcessing(t, open(t, testLayout)) })
	t.Run("SavePlan", func(t *testing.T) { testSavePlan(t, open(t, testLayout)) })
	t.Run("DeletePlan", func(t *testing.T) { testDeletePlan(t, open(t, testLayout)) })
	t.Run("DeletePolicies", func(t *testing.T) { testDeletePolicies(t, open(t, testLayout)) })
	t.Run("DeleteDryRun", func(t *testing.T) { testDeleteDryRun(t, open(t, testLayout)) })
	t.Run("DeleteReachedTwice", func(t *testing.T) { testDeleteReachedTwice(t, open(t, testLayout)) })
	t.Run("BatchAndOutbox", func(t *testing.T) { testBatchAndOutbox(t, open(t, testLayout)) })
	t.Run("BatchRequirements", func(t *testing.T) { testBatchRequirements(t, open(t, testLayout)) })
	t.Run("KnownRequirements", func(t *testing.T) { testKnownRequirements(t, open(t, testLayout)) })
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

// testPostProcessing checks that filter, order, offset, count and omit give
// the same answers in every implementation, with JavaScript's semantics.
func testPostProcessing(t *testing.T, db DB) {
	ctx := context.Background()
	recs := []Record{
		{"id": "a", "n": 5.0, "s": "pear", "tags": []any{"x"}, "seq": 3.0},
		{"id": "b", "n": 1.0, "s": "apple", "tags": []any{"y"}, "seq": 1.0},
		{"id": "c", "n": nil, "s": "Zoo", "tags": nil, "seq": 2.0},
		{"id": "d", "n": 5.0, "s": "apricot", "tags": []any{"x", "y"}, "seq": 4.0},
	}
	if err := db.Write(ctx, []string{"Post"}, func(tx Tx) error { tx.Put("Post", recs); return nil }); err != nil {
		t.Fatal(err)
	}
	ids := func(q Query) string {
		q.Store = "Post"
		var out []string
		_ = db.Read(ctx, []string{"Post"}, func(tx Tx) error {
			res, err := tx.Query([]Query{q})
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range res[0] {
				out = append(out, r["id"].(string))
				if _, has := r["seq"]; has && len(q.Omit) > 0 {
					t.Errorf("omitted field seq is still there: %v", r)
				}
			}
			return nil
		})
		return fmt.Sprint(out)
	}
	for _, tc := range []struct {
		name string
		q    Query
		want string
	}{
		{"insertion order", Query{Order: []Order{{Field: "seq"}}, Omit: []string{"seq"}}, "[b c a d]"},
		{"sort desc, stable ties", Query{Order: []Order{{Field: "n", Desc: true}, {Field: "seq"}}}, "[a d b c]"},
		{"strings by code unit", Query{Order: []Order{{Field: "s"}}}, "[c b d a]"},
		{"gt null: 5 > null", Query{Filter: &Filter{Field: "n", Op: "gt", Value: nil}}, "[a b d]"},
		{"eq null matches unset", Query{Filter: &Filter{Field: "n", Op: "eq", Value: nil}}, "[c]"},
		{"beginsWith", Query{Filter: &Filter{Field: "s", Op: "beginsWith", Value: "ap"}}, "[b d]"},
		{"contains in a list", Query{Filter: &Filter{Field: "tags", Op: "contains", Value: "y"}}, "[b d]"},
		{"notContains of null", Query{Filter: &Filter{Field: "tags", Op: "notContains", Value: "x"}}, "[b c]"},
		{"between inclusive", Query{Filter: &Filter{Field: "n", Op: "between", Value: []any{1.0, 5.0}}}, "[a b d]"},
		{"in", Query{Filter: &Filter{Field: "s", Op: "in", Value: []any{"Zoo", "pear"}}}, "[a c]"},
		{"or, not", Query{Filter: &Filter{Group: "or", Children: []*Filter{
			{Field: "id", Op: "eq", Value: "a"},
			{Group: "not", Children: []*Filter{{Field: "n", Op: "ge", Value: 1.0}}},
		}}}, "[a c]"},
		{"page", Query{Order: []Order{{Field: "seq"}}, Offset: 1, Count: 2}, "[c a]"},
		{"page past the end", Query{Offset: 9, Count: 2}, "[]"},
		{"keys, in their order", Query{Keys: []Key{"d", "nope", "b"}}, "[d b]"},
		{"no keys", Query{Keys: []Key{}}, "[]"},
	} {
		if got := ids(tc.q); got != tc.want {
			t.Errorf("%s: %s, want %s", tc.name, got, tc.want)
		}
	}
}

func testSavePlan(t *testing.T, db DB) {
	ctx := context.Background()
	plan := func(rec Record) SavePlan {
		return SavePlan{Store: "Comment", Record: rec, Keep: []string{"created"}, Ignore: []string{"updated"}, Omit: []string{"created"},
			Require: []Requirement{{Query: Query{Store: "Post", Range: Only(rec["postID"])}, Message: "no post " + rec["postID"].(string)}}}
	}
	seedComments(t, db, 0) // posts p1, p2
	out, err := db.Save(ctx, plan(Record{"id": "c", "postID": "p1", "text": "a", "created": 1.0, "updated": 1.0}))
	if err != nil || out.Op != "INSERT" || out.Record["text"] != "a" || out.Record["created"] != nil {
		t.Fatalf("insert: %+v %v", out, err)
	}
	out, err = db.Save(ctx, plan(Record{"id": "c", "postID": "p1", "text": "a", "created": 2.0, "updated": 2.0}))
	if err != nil || out.Op != "" {
		t.Errorf("unchanged but for ignored and kept fields: %+v %v", out, err)
	}
	out, err = db.Save(ctx, plan(Record{"id": "c", "postID": "p2", "text": "b", "created": 3.0, "updated": 3.0}))
	if err != nil || out.Op != "UPDATE" || out.Record["text"] != "b" {
		t.Errorf("update: %+v %v", out, err)
	}
	_, err = db.Save(ctx, plan(Record{"id": "d", "postID": "nope", "text": "x"}))
	var se *Error
	if !errors.Is(err, ErrRequirement) || !errors.As(err, &se) || se.Msg != "no post nope" {
		t.Errorf("missing requirement: %v", err)
	}
	p := plan(Record{"id": "c", "postID": "p2", "text": "c"})
	p.Condition, p.ConditionMessage = &Filter{Field: "text", Op: "eq", Value: "zzz"}, "condition failed"
	if _, err := db.Save(ctx, p); !errors.Is(err, ErrConditionFailed) {
		t.Errorf("condition: %v", err)
	}
	_ = db.Read(ctx, []string{"Comment"}, func(tx Tx) error {
		got, _ := tx.Get("Comment", []Key{"c", "d"})
		if got[0]["text"] != "b" || got[0]["created"] != 1.0 || got[1] != nil {
			t.Errorf("stored: %v", got)
		}
		return nil
	})
}

func testDeletePlan(t *testing.T, db DB) {
	ctx := context.Background()
	seedComments(t, db, 6) // c000..c005, postID p1 (even) / p2 (odd), order = i
	edges := map[string][]Edge{"Post": {{From: []string{"id"}, Store: "Comment", Index: "postID", To: []string{"postID"}, Order: []Order{{Field: "order", Desc: true}}}}}
	out, err := db.Delete(ctx, DeletePlan{Roots: Query{Store: "Post", Range: Only("p1")}, Edges: edges, Scope: []string{"Post", "Comment"}})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range out.Removed {
		got = append(got, r.Store+":"+r.Record["id"].(string))
	}
	if fmt.Sprint(got) != "[Comment:c004 Comment:c002 Comment:c000 Post:p1]" || out.Roots != 1 {
		t.Errorf("removed %v (roots %d)", got, out.Roots)
	}
	// A scan edge (no index) and a condition that fails: nothing goes.
	scan := map[string][]Edge{"Post": {{From: []string{"id"}, Store: "Comment", To: []string{"postID"}}}}
	_, err = db.Delete(ctx, DeletePlan{Roots: Query{Store: "Post", Range: Only("p2")}, Edges: scan, Scope: []string{"Post", "Comment"},
		Condition: &Filter{Field: "id", Op: "eq", Value: "other"}, ConditionMessage: "no"})
	if !errors.Is(err, ErrConditionFailed) {
		t.Errorf("condition: %v", err)
	}
	out, err = db.Delete(ctx, DeletePlan{Roots: Query{Store: "Post", Range: Only("p2")}, Edges: scan, Scope: []string{"Post", "Comment"}})
	if err != nil || len(out.Removed) != 4 {
		t.Errorf("scan edge: %d removed, %v", len(out.Removed), err)
	}
	_ = db.Read(ctx, []string{"Post", "Comment"}, func(tx Tx) error {
		res, _ := tx.Query([]Query{{Store: "Post"}, {Store: "Comment"}})
		if len(res[0])+len(res[1]) != 0 {
			t.Errorf("left behind: %v", res)
		}
		return nil
	})
}

// testDeleteReachedTwice deletes a post whose 200 comments two edges
// reach, each comment once, and records under a composite key, deleted
// by key and looked up by primary key.
func testDeleteReachedTwice(t *testing.T, db DB) {
	ctx := context.Background()
	seedComments(t, db, 400)
	edges := map[string][]Edge{"Post": {
		{From: []string{"id"}, Store: "Comment", Index: "postID", To: []string{"postID"}},
		{From: []string{"id"}, Store: "Comment", To: []string{"postID"}},
	}}
	out, err := db.Delete(ctx, DeletePlan{Roots: Query{Store: "Post", Range: Only("p1")}, Edges: edges, Scope: []string{"Post", "Comment"}})
	if err != nil {
		t.Fatal(err)
	}
	ids := map[string]bool{}
	for _, r := range out.Removed {
		ids[r.Store+":"+r.Record["id"].(string)] = true
	}
	if len(out.Removed) != 201 || len(ids) != 201 || !ids["Post:p1"] || !ids["Comment:c398"] || ids["Comment:c001"] {
		t.Errorf("removed %d records, %d of them distinct", len(out.Removed), len(ids))
	}
	err = db.Write(ctx, []string{"Item"}, func(tx Tx) error {
		tx.Put("Item", []Record{{"store": "s", "region": "eu", "sku": "1"}, {"store": "s", "region": "us", "sku": "2"}, {"store": "t", "region": "eu", "sku": "3"}})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	out, err = db.Delete(ctx, DeletePlan{Roots: Query{Store: "Item", Range: &Range{Lower: []any{"s"}, Upper: []any{"s", []any{}}}}, Scope: []string{"Item"}})
	if err != nil || len(out.Removed) != 2 {
		t.Fatalf("composite keys: %d removed, %v", len(out.Removed), err)
	}
	_ = db.Read(ctx, []string{"Post", "Comment", "Item"}, func(tx Tx) error {
		res, _ := tx.Query([]Query{{Store: "Item", Range: Only([]any{"t", "eu"})}, {Store: "Item", Range: Only([]any{"s", "eu"})}, {Store: "Comment"}, {Store: "Post", Range: Only("p2")}})
		if len(res[0]) != 1 || res[0][0]["sku"] != "3" || len(res[1]) != 0 || len(res[2]) != 200 || len(res[3]) != 1 {
			t.Errorf("left: items %v and %v, %d comments, post p2 %v", res[0], res[1], len(res[2]), res[3])
		}
		return nil
	})
}

func testDeletePolicies(t *testing.T, db DB) {
	ctx := context.Background()
	seedComments(t, db, 4) // c000, c002 on p1; c001, c003 on p2
	edge := func(action string) DeletePlan {
		return DeletePlan{Roots: Query{Store: "Post", Range: Only("p1")}, Scope: []string{"Post", "Comment"},
			Edges: map[string][]Edge{"Post": {{Action: action, Message: "Post p1 has comments", From: []string{"id"}, Store: "Comment", Index: "postID", To: []string{"postID"}}}}}
	}
	_, err := db.Delete(ctx, edge("restrict"))
	var se *Error
	if !errors.Is(err, ErrRestricted) || !errors.As(err, &se) || se.Msg != `Post p1 has comments (Comment "c000", Comment "c002")` {
		t.Fatalf("restrict: %v", err)
	}
	out, err := db.Delete(ctx, edge("setNull"))
	if err != nil || len(out.Removed) != 1 || len(out.Updated) != 2 || out.Updated[0].Record["postID"] != nil {
		t.Fatalf("setNull: %+v %v", out, err)
	}
	_ = db.Read(ctx, []string{"Post", "Comment"}, func(tx Tx) error {
		res, _ := tx.Query([]Query{{Store: "Post"}, {Store: "Comment", Index: "postID", Range: Only("p2")}, {Store: "Comment"}})
		if len(res[0]) != 1 || len(res[1]) != 2 || len(res[2]) != 4 {
			t.Errorf("after setNull: %d posts, %d comments of p2, %d comments", len(res[0]), len(res[1]), len(res[2]))
		}
		return nil
	})
}

// testDeleteDryRun: a dry run walks what the delete would and writes
// nothing, neither to the stores nor to the outbox; a restrict edge lists
// its records instead of failing.
func testDeleteDryRun(t *testing.T, db DB) {
	ctx := context.Background()
	seedComments(t, db, 4) // c000, c002 on p1; c001, c003 on p2
	plan := func(action string) DeletePlan {
		return DeletePlan{Roots: Query{Store: "Post", Range: Only("p1")}, Scope: []string{"Post", "Comment", "__outbox"}, Outbox: "__outbox", DryRun: true,
			Edges: map[string][]Edge{"Post": {{Action: action, Message: "Post p1 has comments", From: []string{"id"}, Store: "Comment", Index: "postID", To: []string{"postID"}, Via: "Post.comments"}}}}
	}
	names := func(list []Removed) string {
		var out []string
		for _, r := range list {
			out = append(out, r.Store+":"+r.Record["id"].(string)+"/"+r.Via+fmt.Sprint(r.Fields))
		}
		return fmt.Sprint(out)
	}
	out, err := db.Delete(ctx, plan("restrict"))
	if err != nil || names(out.Blocked) != "[Comment:c000/Post.comments[] Comment:c002/Post.comments[]]" || names(out.Removed) != "[Post:p1/[]]" || out.Roots != 1 {
		t.Errorf("restrict: blocked %s, removed %s, %v", names(out.Blocked), names(out.Removed), err)
	}
	out, err = db.Delete(ctx, plan("setNull"))
	if err != nil || names(out.Updated) != "[Comment:c000/Post.comments[postID] Comment:c002/Post.comments[postID]]" || out.Updated[0].Record["postID"] != "p1" {
		t.Errorf("setNull: updated %s (%v), %v", names(out.Updated), out.Updated, err)
	}
	out, err = db.Delete(ctx, plan(""))
	if err != nil || names(out.Removed) != "[Comment:c000/Post.comments[] Comment:c002/Post.comments[] Post:p1/[]]" || len(out.Blocked)+len(out.Updated) != 0 {
		t.Errorf("cascade: removed %s, %v", names(out.Removed), err)
	}
	_ = db.Read(ctx, []string{"Post", "Comment", "__outbox"}, func(tx Tx) error {
		res, _ := tx.Query([]Query{{Store: "Post"}, {Store: "Comment", Index: "postID", Range: Only("p1")}, {Store: "__outbox"}})
		if len(res[0]) != 2 || len(res[1]) != 2 || len(res[2]) != 0 {
			t.Errorf("after dry runs: %d posts, %d comments of p1, %d outbox entries", len(res[0]), len(res[1]), len(res[2]))
		}
		return nil
	})
}

// testBatchRequirements: in a batch of saves issued at once, a save's
// parent check sees the saves before it, and equal checks are shared only
// while nothing is written to their store in between.
func testBatchRequirements(t *testing.T, db DB) {
	ctx := context.Background()
	seedComments(t, db, 0)
	post := func(id string) BatchStep { return BatchStep{Save: &SavePlan{Store: "Post", Record: Record{"id": id}}} }
	comment := func(id, postID string) BatchStep {
		return BatchStep{Save: &SavePlan{Store: "Comment", Record: Record{"id": id, "postID": postID},
			Require: []Requirement{{Query: Query{Store: "Post", Range: Only(postID)}, Message: "no post " + postID}}}}
	}
	scope := []string{"Post", "Comment"}
	if _, err := db.Batch(ctx, BatchPlan{Steps: []BatchStep{post("p9"), comment("c9", "p9"), comment("c10", "p9")}, Scope: scope, Eager: true}); err != nil {
		t.Fatalf("a post, then its comments: %v", err)
	}
	_, err := db.Batch(ctx, BatchPlan{Steps: []BatchStep{comment("c11", "p8"), post("p8"), comment("c12", "p8")}, Scope: scope, Eager: true})
	var se *Error
	if !errors.Is(err, ErrRequirement) || !errors.As(err, &se) || se.Msg != "no post p8" {
		t.Fatalf("a comment before its post: %v", err)
	}
}

func testBatchAndOutbox(t *testing.T, db DB) {
	ctx := context.Background()
	save := func(id string) BatchStep {
		return BatchStep{Save: &SavePlan{Store: "Post", Record: Record{"id": id, "n": 1.0}, Outbox: "__outbox"}}
	}
	out, err := db.Batch(ctx, BatchPlan{Steps: []BatchStep{save("a"), save("b"), save("c")}, Scope: []string{"Post", "__outbox"}, Eager: true})
	if err != nil || len(out.Steps) != 3 || out.Steps[2].Op != "INSERT" {
		t.Fatalf("eager batch: %+v %v", out, err)
	}
	// A sequential batch: a save, then a delete of what it saved, then a
	// failing step: nothing of it remains.
	failing := BatchStep{Save: &SavePlan{Store: "Post", Record: Record{"id": "x"}, Require: []Requirement{{Query: Query{Store: "Post", Range: Only("nope")}, Message: "no"}}}}
	del := BatchStep{Delete: &DeletePlan{Roots: Query{Store: "Post", Range: Only("a")}, Scope: []string{"Post"}, Outbox: "__outbox"}}
	_, err = db.Batch(ctx, BatchPlan{Steps: []BatchStep{save("d"), del, failing}, Scope: []string{"Post", "__outbox"}})
	if !errors.Is(err, ErrRequirement) {
		t.Fatalf("failing batch: %v", err)
	}
	out, err = db.Batch(ctx, BatchPlan{Steps: []BatchStep{save("d"), del}, Scope: []string{"Post", "__outbox"}})
	if err != nil || len(out.Steps[1].Removed) != 1 {
		t.Fatalf("sequential batch: %+v %v", out, err)
	}
	_ = db.Read(ctx, []string{"Post", "__outbox"}, func(tx Tx) error {
		res, _ := tx.Query([]Query{{Store: "Post"}, {Store: "__outbox"}})
		var ids, ops []string
		for _, r := range res[0] {
			ids = append(ids, r["id"].(string))
		}
		for _, e := range res[1] {
			ops = append(ops, fmt.Sprintf("%v %v %v", e["order"], e["opType"], e["element"].(map[string]any)["id"]))
		}
		if fmt.Sprint(ids) != "[b c d]" || fmt.Sprint(ops) != "[1 INSERT a 2 INSERT b 3 INSERT c 4 INSERT d 5 DELETE a]" {
			t.Errorf("after the batches: posts %v, outbox %v", ids, ops)
		}
		return nil
	})
}

// A store that knows a required record exists skips reading it
// (presence.go); whatever deletes the record, through any of the store's
// paths, makes the next save that requires it read again and fail.
func testKnownRequirements(t *testing.T, db DB) {
	ctx := context.Background()
	n := 0
	comment := func(postID string) error {
		n++
		_, err := db.Save(ctx, SavePlan{Store: "Comment", Record: Record{"id": "k" + strconv.Itoa(n), "postID": postID},
			Require: []Requirement{{Query: Query{Store: "Post", Range: Only(postID)}, Message: "no post " + postID}}})
		return err
	}
	post := func(id string) {
		t.Helper()
		if _, err := db.Save(ctx, SavePlan{Store: "Post", Record: Record{"id": id}}); err != nil {
			t.Fatal(err)
		}
	}
	must := func(err error, want error, what string) {
		t.Helper()
		if (want == nil && err != nil) || (want != nil && !errors.Is(err, want)) {
			t.Errorf("%s: err = %v, want %v", what, err, want)
		}
	}
	must(comment("ghost"), ErrRequirement, "a missing post")
	must(comment("ghost"), ErrRequirement, "a missing post again (a failed save teaches nothing)")
	post("p")
	must(comment("p"), nil, "a comment of a post read in its save")
	must(comment("p"), nil, "a comment of a post known to exist")

	// A delete plan's roots, deleted by position: Go does not see their keys.
	if _, err := db.Delete(ctx, DeletePlan{Roots: Query{Store: "Post", Range: Only("p")}, Scope: []string{"Post"}}); err != nil {
		t.Fatal(err)
	}
	must(comment("p"), ErrRequirement, "after a delete plan")

	post("p")
	must(comment("p"), nil, "the post saved again")
	must(comment("p"), nil, "the post known again")
	// A Write's own delete, by key (a sync merge's way).
	if err := db.Write(ctx, []string{"Post"}, func(tx Tx) error { tx.Delete("Post", []Key{"p"}); return nil }); err != nil {
		t.Fatal(err)
	}
	must(comment("p"), ErrRequirement, "after a Write deleted it")

	post("p")
	must(comment("p"), nil, "saved a third time")
	// A batch that deletes the post and then saves a comment of it.
	_, err := db.Batch(ctx, BatchPlan{Scope: []string{"Post", "Comment"}, Steps: []BatchStep{
		{Delete: &DeletePlan{Roots: Query{Store: "Post", Range: Only("p")}, Scope: []string{"Post"}}},
		{Save: &SavePlan{Store: "Comment", Record: Record{"id": "kb", "postID": "p"},
			Require: []Requirement{{Query: Query{Store: "Post", Range: Only("p")}, Message: "no post p"}}}},
	}})
	must(err, ErrRequirement, "a batch deleting the post, then saving a comment of it")
	_ = db.Read(ctx, []string{"Post"}, func(tx Tx) error {
		got, _ := tx.Get("Post", []Key{"p"})
		if got[0] == nil {
			t.Errorf("the failed batch deleted the post")
		}
		return nil
	})
	must(comment("p"), nil, "after the failed batch, the post is still there")
}
