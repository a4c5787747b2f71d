package server

import (
	"context"
	"testing"

	"github.com/datastore-wasm/datastore-wasm/server/internal/pgtest"
	"github.com/datastore-wasm/datastore-wasm/server/storage"
)

// Two servers on one PostgreSQL database stand for two processes behind a
// load balancer: a write through one reaches the other's subscribers, and
// both see the same state.
func TestPostgresEventsReachEveryProcess(t *testing.T) {
	url := pgtest.URL(t)
	open := func() storage.Store {
		s, err := storage.OpenPostgres(context.Background(), url)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		return s
	}
	a, b := newHarness(t, open(), nil), newHarness(t, open(), nil)
	c := dialRealtime(t, b.http.URL, b.key, false)
	c.init()
	c.start("s", onCreatePost, nil, b.key)
	if m := c.next(); m["type"] != "start_ack" {
		t.Fatalf("start_ack: %v", m)
	}
	a.must(createPost, map[string]any{"input": post("p1", "from a", 1)}, "createPost")
	m := c.next()
	d, _ := m["payload"].(map[string]any)["data"].(map[string]any)["onCreatePost"].(map[string]any)
	if m["type"] != "data" || d["title"] != "from a" {
		t.Fatalf("event from the other process: %v", m)
	}
	u := b.must(updatePost, map[string]any{"input": map[string]any{"id": "p1", "title": "from b", "_version": 1}}, "updatePost")
	if num(u["_version"]) != 2 {
		t.Fatalf("b does not see a's write: %v", u)
	}
}
