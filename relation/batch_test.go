package relation

import (
	"fmt"
	"testing"
)

func TestBatchIsAllOrNothing(t *testing.T) {
	e := newEngine(t, blogSDL)
	post := build(t, e, "Post", Record{"title": "p", "rating": 1.0, "status": "ACTIVE"})
	comment := build(t, e, "Comment", Record{"content": "c", "post": post})
	res, err := e.Batch(ctx, []BatchOp{
		{Model: "Post", Record: post, Save: &SaveOptions{}},
		{Model: "Comment", Record: comment, Save: &SaveOptions{}}, // its parent is saved by the step before
	})
	if err != nil || res[1].Save.Changes[0].OpType != Insert {
		t.Fatalf("batch: %+v %v", res, err)
	}
	orphan := build(t, e, "Comment", Record{"content": "o", "postCommentsId": "missing"})
	_, err = e.Batch(ctx, []BatchOp{
		{Model: "Comment", Record: build(t, e, "Comment", Record{"content": "fine", "post": post}), Save: &SaveOptions{}},
		{Model: "Post", Delete: &DeleteTarget{Key: post}},
		{Model: "Comment", Record: orphan, Save: &SaveOptions{}},
	})
	if err == nil {
		t.Fatal("a batch with a failing step succeeded")
	}
	if count(t, e, "Post") != 1 || count(t, e, "Comment") != 1 {
		t.Error("a failed batch left some of its writes")
	}
}

func TestOutboxRecordsEveryMutationInOrder(t *testing.T) {
	e := newEngine(t, blogSDL)
	e.Outbox = true
	post := seedBlog(t, e, 1, 3)[0]
	before, _ := e.ReadOutbox(ctx, 0, false)
	if len(before) != 4 || before[0]["opType"] != "INSERT" || before[0]["model"] != "Post" {
		t.Fatalf("outbox after 4 saves: %v", before)
	}
	if _, err := e.ReadOutbox(ctx, 0, true); err != nil { // drain
		t.Fatal(err)
	}
	if _, err := e.Delete(ctx, "Post", DeleteTarget{Key: post, Instance: true}); err != nil {
		t.Fatal(err)
	}
	entries, _ := e.ReadOutbox(ctx, 0, false)
	var got []string
	for _, en := range entries {
		got = append(got, fmt.Sprint(en["opType"], " ", en["model"]))
	}
	if fmt.Sprint(got) != "[DELETE Comment DELETE Comment DELETE Comment DELETE Post]" {
		t.Errorf("a cascade of 3 puts N+1 deletes in the outbox, descendants first: %v", got)
	}
	if _, ok := entries[0]["element"].(map[string]any)["_seq"]; ok {
		t.Error("outbox elements carry storage-only fields")
	}
	_, err := e.Batch(ctx, []BatchOp{
		{Model: "Post", Record: build(t, e, "Post", Record{"title": "x", "rating": 1.0, "status": "ACTIVE"}), Save: &SaveOptions{}},
		{Model: "Comment", Record: build(t, e, "Comment", Record{"postCommentsId": "missing"}), Save: &SaveOptions{}},
	})
	after, _ := e.ReadOutbox(ctx, 0, false)
	if err == nil || len(after) != len(entries) {
		t.Errorf("a failed batch added to the outbox: %d entries, was %d (%v)", len(after), len(entries), err)
	}
	two, _ := e.ReadOutbox(ctx, 2, true)
	rest, _ := e.ReadOutbox(ctx, 0, false)
	if len(two) != 2 || len(rest) != 2 || rest[0]["order"].(float64) <= two[1]["order"].(float64) {
		t.Errorf("drain 2: %v, then %v", two, rest)
	}
	e.Outbox = false
	seedBlog(t, e, 1, 0)
	if n, _ := e.ReadOutbox(ctx, 0, false); len(n) != 2 {
		t.Errorf("with the outbox off nothing is added: %d", len(n))
	}
}
