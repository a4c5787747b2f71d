package syncengine_test

import (
	"slices"
	"testing"

	. "github.com/datastore-wasm/datastore-wasm/syncengine"
)

// persistent marks an outbox as one that outlives its engine (syncstore's
// log does), so that a new engine checks the head before sending it.
type persistent struct{ *MemoryOutbox }

func (persistent) Persistent() bool { return true }

// resumed is a second engine over p's stores and outbox, as after a page
// reload: what p queued is still queued.
func (r *rig) resumed(t *testing.T, p *peer) *peer {
	t.Helper()
	q := r.peer(t, false, func(c *Config) {
		c.Local, c.Metadata, c.Outbox = p.store, p.store, persistent{p.outbox}
	})
	q.store, q.outbox = p.store, p.outbox
	return q
}

// The engine that sent a mutation stopped before the answer arrived (the
// page was reloaded): the next one finds it applied and does not apply it
// again, for an update, a create and a delete; one the server never got is
// sent.
func TestAMutationAppliedBeforeARestartIsNotSentAgain(t *testing.T) {
	r := newRig(t, "")
	a := r.peer(t, false, nil)
	a.write("Post", OpCreate, post("p1", "first", 1))
	a.write("Post", OpCreate, post("p2", "second", 1))
	a.start()
	a.drained()
	a.eng.Stop()

	// What a's engine sent before it stopped, applied by the server
	// through another client: the same update of p1, the same create.
	other := r.peer(t, false, nil)
	other.start()
	other.write("Post", OpUpdate, Record{"id": "p1", "title": "renamed"})
	other.write("Post", OpCreate, post("p3", "made twice?", 3))
	other.ev.wait(t, EventOutboxMutationProcessed, func(e Event) bool {
		rec, _ := e.Data["element"].(map[string]any)
		return rec["id"] == "p3"
	})
	other.eng.Stop()

	for _, step := range []struct{ op, id string }{{OpUpdate, "p1"}, {OpCreate, "p3"}} {
		switch step.op {
		case OpUpdate:
			a.write("Post", OpUpdate, Record{"id": "p1", "title": "renamed"})
		case OpCreate:
			a.write("Post", OpCreate, post("p3", "made twice?", 3))
		}
		b := r.resumed(t, a)
		b.start()
		b.drained()
		b.eng.Stop()
		if got := b.net.mutations(); slices.ContainsFunc(got, func(op string) bool { return op != "getPost" }) {
			t.Fatalf("%s %s was applied already; the resumed engine sent %v", step.op, step.id, got)
		}
		if n, _ := a.outbox.Len(t.Context()); n != 0 {
			t.Fatalf("%s %s must leave the outbox; %d entries left", step.op, step.id, n)
		}
	}
	if p1 := a.store.Record("Post", "p1"); p1["_version"] != 2.0 || p1["title"] != "renamed" {
		t.Fatalf("p1 takes the server's copy, version 2 (applied once): %v", p1)
	}
	if p3 := a.store.Record("Post", "p3"); p3["_version"] != 1.0 {
		t.Fatalf("p3 takes the server's copy, version 1: %v", p3)
	}

	// Not applied yet: sent once.
	a.write("Post", OpUpdate, Record{"id": "p2", "rating": 5.0})
	b := r.resumed(t, a)
	b.start()
	b.drained()
	if got := b.net.mutations(); !slices.Equal(got, []string{"getPost", "updatePost"}) {
		t.Fatalf("an update the server never got: sent %v, want getPost, updatePost", got)
	}
	if p2 := a.store.Record("Post", "p2"); p2["_version"] != 2.0 || p2["rating"] != 5.0 {
		t.Fatalf("p2 after its update: %v", p2)
	}
	select {
	case e := <-b.errs:
		t.Fatalf("nothing is refused: %+v", e)
	default:
	}
}
