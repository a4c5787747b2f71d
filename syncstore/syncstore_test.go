package syncstore_test

import (
	"context"
	"fmt"
	"testing"

	jv "github.com/datastore-wasm/datastore-wasm/internal/jsonvalue"
	"github.com/datastore-wasm/datastore-wasm/relation"
	"github.com/datastore-wasm/datastore-wasm/store"
	"github.com/datastore-wasm/datastore-wasm/syncengine"
	"github.com/datastore-wasm/datastore-wasm/syncstore"
)

const sdl = `
type Post @model {
  id: ID!
  title: String!
  comments: [Comment] @hasMany(indexName: "byPost", fields: ["id"])
}
type Comment @model {
  id: ID!
  postID: ID! @index(name: "byPost")
  content: String!
  post: Post @belongsTo(fields: ["postID"])
}`

func newEngine(t *testing.T) *relation.Engine {
	t.Helper()
	s, err := relation.ParseSDL(sdl)
	if err != nil {
		t.Fatal(err)
	}
	e := relation.NewEngine(s, store.NewMemory(relation.Layout(s)))
	e.Outbox = true
	return e
}

func save(t *testing.T, e *relation.Engine, model string, rec relation.Record) {
	t.Helper()
	if _, err := e.Save(context.Background(), model, rec, relation.SaveOptions{}); err != nil {
		t.Fatalf("save %s: %v", model, err)
	}
}

func logLen(t *testing.T, e *relation.Engine) int {
	t.Helper()
	entries, err := e.ReadOutbox(context.Background(), 0, false)
	if err != nil {
		t.Fatal(err)
	}
	return len(entries)
}

// ingest fills o from the log with the engine's own enqueue path.
func ingest(t *testing.T, o *syncstore.Outbox) {
	t.Helper()
	if _, err := o.Ingest(context.Background(), o.Enqueue); err != nil {
		t.Fatal(err)
	}
}

func TestOutboxMergesAndRemovesTheLogOnceSent(t *testing.T) {
	ctx := context.Background()
	e := newEngine(t)
	o := syncstore.NewOutbox(e)
	save(t, e, "Post", relation.Record{"id": "p1", "title": "one"})
	save(t, e, "Post", relation.Record{"id": "p1", "title": "two"})
	ingest(t, o)
	head, err := o.Peek(ctx)
	if err != nil || head == nil {
		t.Fatalf("Peek = %v, %v; want the create", head, err)
	}
	if head.Operation != syncengine.OpCreate || head.Data["title"] != "two" {
		t.Fatalf("head = %s %v; want Create with the updated title (merged)", head.Operation, head.Data)
	}
	if n, _ := o.Len(ctx); n != 1 {
		t.Fatalf("Len = %d, want 1", n)
	}
	if logLen(t, e) != 2 {
		t.Fatalf("the log must keep both entries until the server took them")
	}
	// A reload replays the log into the same queue.
	again := syncstore.NewOutbox(e)
	ingest(t, again)
	if n, _ := again.Len(ctx); n != 1 {
		t.Fatalf("replayed Len = %d, want 1", n)
	}
	if err := o.Dequeue(ctx, head.ID, syncengine.Record{"id": "p1", "title": "two", "_version": 1.0, "_lastChangedAt": 5.0}); err != nil {
		t.Fatal(err)
	}
	if logLen(t, e) != 0 {
		t.Fatalf("Dequeue must remove every log entry merged into the mutation")
	}
	pending, _ := o.Pending(ctx, "Post", []string{"p1"})
	if pending["p1"] {
		t.Fatal("p1 still pending after Dequeue")
	}
}

func TestOutboxCreateThenDeleteSendsNothing(t *testing.T) {
	ctx := context.Background()
	e := newEngine(t)
	o := syncstore.NewOutbox(e)
	save(t, e, "Post", relation.Record{"id": "p1", "title": "one"})
	save(t, e, "Comment", relation.Record{"id": "c1", "postID": "p1", "content": "x"})
	ingest(t, o)
	if _, err := e.Delete(ctx, "Post", relation.DeleteTarget{Key: relation.Record{"id": "p1"}}); err != nil {
		t.Fatal(err)
	}
	ingest(t, o)
	if n, _ := o.Len(ctx); n != 0 {
		t.Fatalf("Len = %d, want 0: a create and its (cascaded) delete cancel out", n)
	}
	if logLen(t, e) != 0 {
		t.Fatalf("log has %d entries, want 0", logLen(t, e))
	}
}

func TestOutboxCascadeDeleteQueuesOneDeletePerRecord(t *testing.T) {
	ctx := context.Background()
	e := newEngine(t)
	o := syncstore.NewOutbox(e)
	save(t, e, "Post", relation.Record{"id": "p1", "title": "one"})
	save(t, e, "Comment", relation.Record{"id": "c1", "postID": "p1", "content": "x"})
	ingest(t, o)
	for head, _ := o.Peek(ctx); head != nil; head, _ = o.Peek(ctx) {
		if err := o.Dequeue(ctx, head.ID, nil); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := e.Delete(ctx, "Post", relation.DeleteTarget{Key: relation.Record{"id": "p1"}}); err != nil {
		t.Fatal(err)
	}
	ingest(t, o)
	var got []string
	for head, _ := o.Peek(ctx); head != nil; head, _ = o.Peek(ctx) {
		got = append(got, head.Operation+" "+head.Model+" "+head.ModelID)
		if err := o.Dequeue(ctx, head.ID, nil); err != nil {
			t.Fatal(err)
		}
	}
	want := []string{"Delete Comment c1", "Delete Post p1"}
	if len(got) != 2 || got[0] != want[0] || got[1] != want[1] {
		t.Fatalf("queue = %v, want %v (children first)", got, want)
	}
}

func TestLocalApplyBypassesTheOutbox(t *testing.T) {
	ctx := context.Background()
	e := newEngine(t)
	var seen []relation.Change
	l := &syncstore.Local{Engine: e, OnChange: func(c []relation.Change) { seen = append(seen, c...) }}
	rec := syncengine.Record{"id": "p1", "title": "remote", "_version": 1.0, "_lastChangedAt": 1.0, "_deleted": nil}
	if err := l.Apply(ctx, "Post", []syncengine.Change{{Record: rec}}); err != nil {
		t.Fatal(err)
	}
	rec2 := syncengine.Record{"id": "p1", "title": "remote 2", "_version": 2.0, "_lastChangedAt": 2.0, "_deleted": nil}
	if err := l.Apply(ctx, "Post", []syncengine.Change{{Record: rec2}, {Delete: true, Record: rec2}}); err != nil {
		t.Fatal(err)
	}
	if logLen(t, e) != 0 {
		t.Fatal("remote writes must not reach the outbox")
	}
	ops := ""
	for _, c := range seen {
		ops += string(c.OpType) + " "
	}
	if ops != "INSERT UPDATE DELETE " {
		t.Fatalf("changes = %q, want INSERT UPDATE DELETE", ops)
	}
	got, err := l.Get(ctx, "Post", []syncengine.Record{{"id": "p1"}})
	if err != nil || got[0] != nil {
		t.Fatalf("Get after delete = %v, %v", got, err)
	}
}

func TestMetadataRoundTrip(t *testing.T) {
	ctx := context.Background()
	e := newEngine(t)
	md := &syncstore.Metadata{DB: e.DB}
	if got, err := md.GetMetadata(ctx, "Post"); err != nil || got.LastSync != 0 || got.Model != "Post" {
		t.Fatalf("empty metadata = %+v, %v", got, err)
	}
	want := syncengine.ModelMetadata{Model: "Post", LastSync: 10, LastFullSync: 5, LastSyncPredicate: `{"a":1}`}
	if err := md.PutMetadata(ctx, want); err != nil {
		t.Fatal(err)
	}
	if got, _ := md.GetMetadata(ctx, "Post"); got != want {
		t.Fatalf("metadata = %+v, want %+v", got, want)
	}
}

// drainAll sends (dequeues) every queued mutation, as a server that takes
// them all would.
func drainAll(t *testing.T, o *syncstore.Outbox) {
	t.Helper()
	ctx := context.Background()
	for head, _ := o.Peek(ctx); head != nil; head, _ = o.Peek(ctx) {
		if err := o.Dequeue(ctx, head.ID, nil); err != nil {
			t.Fatal(err)
		}
	}
}

func TestAnUpdateSendsOnlyTheChangedFieldsTheKeyAndTheVersion(t *testing.T) {
	ctx := context.Background()
	e := newEngine(t)
	o := syncstore.NewOutbox(e)
	save(t, e, "Post", relation.Record{"id": "p1", "title": "one", "_version": 3.0})
	ingest(t, o)
	drainAll(t, o)

	save(t, e, "Post", relation.Record{"id": "p1", "title": "two", "_version": 3.0})
	ingest(t, o)
	head, _ := o.Peek(ctx)
	if head == nil || head.Operation != syncengine.OpUpdate {
		t.Fatalf("head = %+v, want the update", head)
	}
	vars := syncengine.MutationVariables(e.Schema.Model("Post"), *head)
	input := vars["input"].(map[string]any)
	if len(input) != 3 || input["id"] != "p1" || input["title"] != "two" || input["_version"] != 3.0 {
		t.Fatalf("update input = %v, want only id, title and _version", input)
	}

	// Two updates of different fields, merged: the union is sent. The
	// first is in flight, so the next two merge with each other only.
	save(t, e, "Post", relation.Record{"id": "p2", "title": "other"})
	save(t, e, "Comment", relation.Record{"id": "c1", "postID": "p1", "content": "x", "_version": 1.0})
	ingest(t, o)
	drainAll(t, o)
	save(t, e, "Comment", relation.Record{"id": "c1", "postID": "p1", "content": "y", "_version": 1.0})
	ingest(t, o)
	first, _ := o.Peek(ctx) // c1's content, in flight
	save(t, e, "Comment", relation.Record{"id": "c1", "postID": "p2", "content": "y", "_version": 1.0})
	save(t, e, "Comment", relation.Record{"id": "c1", "postID": "p2", "content": "z", "_version": 1.0})
	ingest(t, o)
	if err := o.Dequeue(ctx, first.ID, nil); err != nil {
		t.Fatal(err)
	}
	var merged *syncengine.MutationEvent
	for head, _ := o.Peek(ctx); head != nil; head, _ = o.Peek(ctx) {
		if head.Model == "Comment" {
			merged = head
		}
		if err := o.Dequeue(ctx, head.ID, nil); err != nil {
			t.Fatal(err)
		}
	}
	if merged == nil {
		t.Fatal("the merged Comment update is missing")
	}
	input = syncengine.MutationVariables(e.Schema.Model("Comment"), *merged)["input"].(map[string]any)
	if len(input) != 4 || input["postID"] != "p2" || input["content"] != "z" || input["id"] != "c1" || input["_version"] != 1.0 {
		t.Fatalf("merged update input = %v, want id, postID, content (the union) and _version", input)
	}
}

func TestAConditionalSaveCarriesItsConditionToTheMutation(t *testing.T) {
	ctx := context.Background()
	e := newEngine(t)
	o := syncstore.NewOutbox(e)
	save(t, e, "Post", relation.Record{"id": "p1", "title": "a", "_version": 1.0})
	ingest(t, o)
	drainAll(t, o)
	cond := &relation.Predicate{Group: "and", Children: []*relation.Predicate{{Field: "title", Op: "eq", Value: "a"}}}
	if _, err := e.Save(ctx, "Post", relation.Record{"id": "p1", "title": "b", "_version": 1.0}, relation.SaveOptions{Condition: cond}); err != nil {
		t.Fatal(err)
	}
	// A reload replays the log: the condition is in the log entry itself.
	again := syncstore.NewOutbox(e)
	ingest(t, again)
	head, _ := again.Peek(ctx)
	vars := syncengine.MutationVariables(e.Schema.Model("Post"), *head)
	want := `{"and":[{"title":{"eq":"a"}}]}`
	if got := string(jv.Append(nil, vars["condition"])); got != want {
		t.Fatalf("condition = %s, want %s", got, want)
	}
}

func TestAConditionalDeleteCarriesItsConditionOnTheRootOnly(t *testing.T) {
	ctx := context.Background()
	e := newEngine(t)
	o := syncstore.NewOutbox(e)
	save(t, e, "Post", relation.Record{"id": "p1", "title": "a", "_version": 1.0})
	save(t, e, "Comment", relation.Record{"id": "c1", "postID": "p1", "content": "x", "_version": 1.0})
	ingest(t, o)
	drainAll(t, o)
	cond := &relation.Predicate{Group: "and", Children: []*relation.Predicate{{Field: "title", Op: "eq", Value: "a"}}}
	if _, err := e.Delete(ctx, "Post", relation.DeleteTarget{Key: relation.Record{"id": "p1"}, Instance: true, Condition: cond}); err != nil {
		t.Fatal(err)
	}
	ingest(t, o)
	got := map[string]string{}
	for head, _ := o.Peek(ctx); head != nil; head, _ = o.Peek(ctx) {
		got[head.Model] = string(jv.Append(nil, syncengine.MutationVariables(e.Schema.Model(head.Model), *head)["condition"]))
		if err := o.Dequeue(ctx, head.ID, nil); err != nil {
			t.Fatal(err)
		}
	}
	if got["Post"] != `{"and":[{"title":{"eq":"a"}}]}` || got["Comment"] != "null" {
		t.Fatalf("conditions sent = %v; want the Post's condition, none on the cascaded Comment", got)
	}
}

// countingDB counts the read requests of its write transactions.
type countingDB struct {
	store.DB
	gets, queries int
}

func (c *countingDB) Write(ctx context.Context, stores []string, fn func(store.Tx) error) error {
	return c.DB.Write(ctx, stores, func(tx store.Tx) error { return fn(&countingTx{Tx: tx, db: c}) })
}

type countingTx struct {
	store.Tx
	db *countingDB
}

func (t *countingTx) Get(s string, keys []store.Key) ([]store.Record, error) {
	t.db.gets++
	return t.Tx.Get(s, keys)
}

func (t *countingTx) Query(q []store.Query) ([][]store.Record, error) {
	t.db.queries++
	return t.Tx.Query(q)
}

func TestMergeDecidesFromTheStoredRecordsInOneTransaction(t *testing.T) {
	ctx := context.Background()
	s, err := relation.ParseSDL(sdl)
	if err != nil {
		t.Fatal(err)
	}
	db := &countingDB{DB: store.NewMemory(relation.Layout(s))}
	e := relation.NewEngine(s, db)
	id := func(i int) string { return fmt.Sprintf("p%03d", i) }
	for i := 0; i < 200; i++ {
		save(t, e, "Post", relation.Record{"id": id(i), "title": "local"})
	}
	var ops []string
	l := &syncstore.Local{Engine: e, OnChange: func(changes []relation.Change) {
		for _, c := range changes {
			ops = append(ops, string(c.OpType))
		}
	}}
	merge := func(ids []int) (seen []syncengine.Record) {
		t.Helper()
		keys := make([]syncengine.Record, len(ids))
		for i, n := range ids {
			keys[i] = syncengine.Record{"id": id(n), "title": "remote", "_version": 2.0, "_lastChangedAt": 1.0}
		}
		ops = nil
		db.gets, db.queries = 0, 0
		err := l.Merge(ctx, "Post", keys, func(locals []syncengine.Record) []syncengine.Change {
			seen = locals
			changes := make([]syncengine.Change, len(keys))
			for i, k := range keys {
				changes[i] = syncengine.Change{Record: k}
			}
			return changes
		})
		if err != nil {
			t.Fatal(err)
		}
		return seen
	}

	// A page in key order, 40 stored and 10 new: one range request.
	page := make([]int, 50)
	for i := range page {
		page[i] = 160 + i
	}
	seen := merge(page)
	if db.queries != 1 || db.gets != 0 {
		t.Fatalf("a page of close keys took %d queries and %d gets; want one range query", db.queries, db.gets)
	}
	for i, n := range page {
		if stored := n < 200; (seen[i] != nil) != stored || (stored && seen[i]["title"] != "local") {
			t.Fatalf("decide saw %v for %s; want the stored record: %v", seen[i], id(n), stored)
		}
		if seen[i] != nil && seen[i]["_seq"] != nil {
			t.Fatalf("decide saw the storage-only _seq: %v", seen[i])
		}
	}
	counts := map[string]int{}
	for _, op := range ops {
		counts[op]++
	}
	if counts["UPDATE"] != 40 || counts["INSERT"] != 10 {
		t.Fatalf("ops = %v; want 40 updates and 10 inserts", counts)
	}
	recs, err := e.GetRecords(ctx, "Post", []relation.Record{{"id": id(160)}, {"id": id(205)}})
	if err != nil || recs[0]["title"] != "remote" || recs[1]["title"] != "remote" {
		t.Fatalf("stored after the merge: %v, %v", recs, err)
	}

	// Keys spread over many more stored records: one get per key instead.
	spread := make([]int, 40)
	for i := range spread {
		spread[i] = i * 4
	}
	seen = merge(spread)
	if db.gets != 1 || seen[10]["title"] != "local" {
		t.Fatalf("spread keys: %d gets, %d queries, decide saw %v; want the per-key read after the range held too many", db.gets, db.queries, seen[10])
	}
}
