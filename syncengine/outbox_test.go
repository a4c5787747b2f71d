package syncengine

import (
	"context"
	"testing"
)

func enqueue(t *testing.T, o *MemoryOutbox, op, id string, data Record, cond map[string]any) {
	t.Helper()
	data = copyRecord(data)
	data["id"] = id
	if err := o.Enqueue(context.Background(), MutationEvent{Model: "Post", ModelID: id, Operation: op, Data: data, Condition: cond}); err != nil {
		t.Fatal(err)
	}
}

func TestOutboxMergesAsAmplify(t *testing.T) {
	s := blogSchema(t)
	ctx := context.Background()

	o := NewMemoryOutbox(s)
	enqueue(t, o, OpCreate, "a", Record{"title": "t", "rating": 1.0}, nil)
	enqueue(t, o, OpUpdate, "a", Record{"rating": 2.0, "_version": 9.0}, map[string]any{"rating": map[string]any{"eq": 1.0}})
	got := o.Entries()
	if len(got) != 1 || got[0].Operation != OpCreate || got[0].Data["rating"] != 2.0 || got[0].Data["title"] != "t" || got[0].Data["_version"] != nil {
		t.Fatalf("create + update must stay one create with the merged fields: %+v", got)
	}
	enqueue(t, o, OpDelete, "a", Record{}, nil)
	if n, _ := o.Len(ctx); n != 0 {
		t.Fatalf("create + delete must leave nothing to send, left %+v", o.Entries())
	}

	o = NewMemoryOutbox(s)
	enqueue(t, o, OpUpdate, "a", Record{"title": "x", "_version": 3.0}, nil)
	enqueue(t, o, OpCreate, "b", Record{"title": "b"}, nil)
	enqueue(t, o, OpUpdate, "a", Record{"rating": 5.0, "_version": 4.0}, nil)
	got = o.Entries()
	if len(got) != 2 || got[0].ModelID != "b" || got[1].ModelID != "a" || got[1].Data["title"] != "x" || got[1].Data["rating"] != 5.0 || got[1].Data["_version"] != 3.0 {
		t.Fatalf("update + update must be one update at the tail, with both fields and the old _version: %+v", got)
	}
	enqueue(t, o, OpDelete, "a", Record{"_version": 3.0}, nil)
	got = o.Entries()
	if len(got) != 2 || got[1].Operation != OpDelete || got[1].ModelID != "a" {
		t.Fatalf("update + delete must be one delete: %+v", got)
	}

	o = NewMemoryOutbox(s)
	enqueue(t, o, OpUpdate, "a", Record{"title": "x"}, nil)
	enqueue(t, o, OpUpdate, "a", Record{"title": "y"}, map[string]any{"rating": map[string]any{"eq": 1.0}})
	if got := o.Entries(); len(got) != 2 {
		t.Fatalf("an update with a condition is appended as is: %+v", got)
	}
}

func TestOutboxNeverTouchesTheEntryInFlight(t *testing.T) {
	s := blogSchema(t)
	ctx := context.Background()
	o := NewMemoryOutbox(s)
	enqueue(t, o, OpCreate, "a", Record{"title": "t", "rating": 1.0, "status": "ACTIVE"}, nil)
	head, _ := o.Peek(ctx)
	enqueue(t, o, OpUpdate, "a", Record{"rating": 2.0}, nil)
	enqueue(t, o, OpDelete, "a", Record{}, nil)
	got := o.Entries()
	if len(got) != 2 || got[0].Operation != OpCreate || got[0].Data["rating"] != 1.0 || got[1].Operation != OpDelete {
		t.Fatalf("the create in flight must stay, the update and delete merge behind it: %+v", got)
	}
	if pending, _ := o.Pending(ctx, "Post", []string{"a", "b"}); !pending["a"] || pending["b"] {
		t.Errorf("pending %v", pending)
	}
	// The server answers the create; the queued delete takes its version.
	resp := Record{"id": "a", "title": "t", "rating": 1.0, "status": "ACTIVE", "_version": 1.0, "_lastChangedAt": 5.0, "createdAt": "x", "updatedAt": "x"}
	if err := o.Dequeue(ctx, head.ID, resp); err != nil {
		t.Fatal(err)
	}
	got = o.Entries()
	if len(got) != 1 || got[0].Data["_version"] != 1.0 || got[0].Data["_lastChangedAt"] != 5.0 {
		t.Fatalf("the delete must carry the create's version now: %+v", got)
	}
}

// Unlike Amplify (PR #7354), the answer's version is taken even when the
// server merged: sent with the old version, the next update would be
// merged again, and under AUTOMERGE the server keeps its own fields.
func TestOutboxTakesTheAnswersVersionWhenTheServerMerged(t *testing.T) {
	s := blogSchema(t)
	ctx := context.Background()
	o := NewMemoryOutbox(s)
	enqueue(t, o, OpUpdate, "a", Record{"title": "mine", "_version": 1.0}, nil)
	head, _ := o.Peek(ctx)
	enqueue(t, o, OpUpdate, "a", Record{"rating": 3.0, "_version": 1.0}, nil)
	// The server kept its own title (AUTOMERGE): the rating still goes
	// with version 3, the server's latest.
	if err := o.Dequeue(ctx, head.ID, Record{"id": "a", "title": "theirs", "_version": 3.0, "_lastChangedAt": 1.0}); err != nil {
		t.Fatal(err)
	}
	if got := o.Entries(); len(got) != 1 || got[0].Data["_version"] != 3.0 || got[0].Data["_lastChangedAt"] != 1.0 {
		t.Fatalf("entries %+v", got)
	}
}

func TestNewMutationAndVariables(t *testing.T) {
	s := blogSchema(t)
	m := s.Model("Post")
	before := Record{"id": "a", "title": "t", "rating": 1.0, "status": "ACTIVE", "meta": map[string]any{"k": 1.0}, "createdAt": "2020-01-01T00:00:00.000Z", "_version": 2.0, "_lastChangedAt": 9.0}
	after := copyRecord(before)
	after["rating"] = 4.0
	after["updatedAt"] = "2020-01-02T00:00:00.000Z"
	ev, err := NewMutation(s, "Post", OpUpdate, before, after, nil)
	if err != nil {
		t.Fatal(err)
	}
	vars := MutationVariables(m, ev)
	if got := jsonText(vars); got != `{"condition":null,"input":{"_version":2,"id":"a","rating":4}}` {
		t.Errorf("update variables %s", got)
	}
	ev, _ = NewMutation(s, "Post", OpCreate, nil, before, nil)
	if got := jsonText(MutationVariables(m, ev)); got != `{"input":{"_version":2,"id":"a","meta":"{\"k\":1}","rating":1,"status":"ACTIVE","title":"t"}}` {
		t.Errorf("create variables %s", got)
	}
	ev, _ = NewMutation(s, "Post", OpDelete, before, nil, nil)
	if got := jsonText(MutationVariables(m, ev)); got != `{"condition":null,"input":{"_version":2,"id":"a"}}` {
		t.Errorf("delete variables %s", got)
	}
}

func TestMergeQueueEqualsEnqueueingOneByOne(t *testing.T) {
	s := blogSchema(t)
	log := []MutationEvent{
		{ID: 1, Model: "Post", ModelID: "a", Operation: OpCreate, Data: Record{"id": "a", "title": "t"}},
		{ID: 2, Model: "Post", ModelID: "b", Operation: OpUpdate, Data: Record{"id": "b", "title": "x", "_version": 1.0}},
		{ID: 3, Model: "Post", ModelID: "a", Operation: OpUpdate, Data: Record{"id": "a", "rating": 2.0}},
		{ID: 4, Model: "Post", ModelID: "b", Operation: OpUpdate, Data: Record{"id": "b", "rating": 3.0}},
		{ID: 5, Model: "Post", ModelID: "c", Operation: OpCreate, Data: Record{"id": "c"}},
		{ID: 6, Model: "Post", ModelID: "c", Operation: OpDelete, Data: Record{"id": "c"}},
	}
	o := NewMemoryOutbox(s)
	for _, ev := range log {
		if err := o.Enqueue(context.Background(), ev); err != nil {
			t.Fatal(err)
		}
	}
	want := o.Entries()
	got := MergeQueue(log, 0)
	if len(got) != len(want) || len(got) != 2 {
		t.Fatalf("MergeQueue %+v, enqueue %+v", got, want)
	}
	for i := range got {
		if got[i].ModelID != want[i].ModelID || got[i].Operation != want[i].Operation || jsonText(got[i].Data) != jsonText(want[i].Data) {
			t.Errorf("entry %d: MergeQueue %+v, enqueue %+v", i, got[i], want[i])
		}
	}
	if got[0].ModelID != "a" || got[0].ID != 1 || got[0].Data["rating"] != 2.0 || got[1].ModelID != "b" || got[1].ID != 4 {
		t.Errorf("queue %+v", got)
	}
}
