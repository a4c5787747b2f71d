package server

import (
	"context"
	"database/sql"
	"testing"
	"time"

	"github.com/coder/websocket"

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

// When the LISTEN connection drops, events may be lost: the server closes
// its subscribed sockets so that the clients reconnect and delta-sync.
func TestPostgresListenLossClosesSockets(t *testing.T) {
	url := pgtest.URL(t)
	store, err := storage.OpenPostgres(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	h := newHarness(t, store, nil)
	c := dialRealtime(t, h.http.URL, h.key, false)
	c.init()
	c.start("s", onCreatePost, nil, h.key)
	if m := c.next(); m["type"] != "start_ack" {
		t.Fatalf("start_ack: %v", m)
	}
	db, err := sql.Open("pgx", url)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query LIKE 'LISTEN datastore_changes%' AND pid <> pg_backend_pid()"); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for {
		_, _, err := c.ws.Read(ctx)
		if err == nil {
			continue
		}
		if websocket.CloseStatus(err) != websocket.StatusTryAgainLater {
			t.Fatalf("the socket ended with %v, want a close with StatusTryAgainLater", err)
		}
		break
	}
	// And events flow again on a new socket.
	c = dialRealtime(t, h.http.URL, h.key, false)
	c.init()
	c.start("s", onCreatePost, nil, h.key)
	c.next()
	h.must(createPost, map[string]any{"input": post("p1", "t", 1)}, "createPost")
	if m := c.next(); m["type"] != "data" {
		t.Fatalf("after the LISTEN reconnect: %v", m)
	}
}
