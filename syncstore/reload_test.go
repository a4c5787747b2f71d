package syncstore_test

import (
	"context"
	"errors"
	"io"
	"log"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/datastore-wasm/datastore-wasm/relation"
	"github.com/datastore-wasm/datastore-wasm/server"
	"github.com/datastore-wasm/datastore-wasm/server/storage"
	"github.com/datastore-wasm/datastore-wasm/syncengine"
	"github.com/datastore-wasm/datastore-wasm/syncengine/nethttp"
	"github.com/datastore-wasm/datastore-wasm/syncstore"
)

// hooked is a Transport that lets a test act on a request (before or
// instead of its answer).
type hooked struct {
	mu   sync.Mutex
	hook func(body string, send func() (syncengine.Response, error)) (syncengine.Response, error)
}

func (h *hooked) Do(ctx context.Context, req syncengine.Request) (syncengine.Response, error) {
	h.mu.Lock()
	hook := h.hook
	h.mu.Unlock()
	send := func() (syncengine.Response, error) { return nethttp.Transport{}.Do(ctx, req) }
	if hook == nil {
		return send()
	}
	return hook(string(req.Body), send)
}

// syncServer is a datastore-server (AUTOMERGE) in the test's process.
func syncServer(t *testing.T, s *relation.Schema) string {
	t.Helper()
	st, err := storage.OpenSQLite(context.Background(), filepath.Join(t.TempDir(), "sync.db"))
	if err != nil {
		t.Fatal(err)
	}
	srv, err := server.New(server.Config{Schema: s, Store: st, APIKey: "k", Log: log.New(io.Discard, "", 0)})
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv.Handler())
	t.Cleanup(func() { hs.Close(); srv.Close(); st.Close() })
	return hs.URL + "/graphql"
}

// client is a sync engine over e's log and store, as a page runs it.
type client struct {
	eng    *syncengine.Engine
	outbox *syncstore.Outbox
	events chan syncengine.Event
}

func newClient(t *testing.T, e *relation.Engine, endpoint string, tr syncengine.Transport) *client {
	t.Helper()
	c := &client{outbox: syncstore.NewOutbox(e), events: make(chan syncengine.Event, 1000)}
	eng, err := syncengine.New(syncengine.Config{Schema: e.Schema, Endpoint: endpoint, APIKey: "k", Transport: tr,
		Local: &syncstore.Local{Engine: e}, Outbox: c.outbox, Metadata: &syncstore.Metadata{DB: e.DB},
		OnEvent: func(ev syncengine.Event) { c.events <- ev }})
	if err != nil {
		t.Fatal(err)
	}
	c.eng = eng
	t.Cleanup(eng.Stop)
	return c
}

func (c *client) ingest(t *testing.T) {
	t.Helper()
	if _, err := c.outbox.Ingest(context.Background(), c.eng.Enqueue); err != nil {
		t.Fatal(err)
	}
}

func (c *client) wait(t *testing.T, typ string, ok func(syncengine.Event) bool) {
	t.Helper()
	timeout := time.After(20 * time.Second)
	for {
		select {
		case ev := <-c.events:
			if ev.Type == typ && (ok == nil || ok(ev)) {
				return
			}
		case <-timeout:
			t.Fatalf("no %s event within 20 s", typ)
		}
	}
}

func retitle(t *testing.T, e *relation.Engine, id, title string) {
	t.Helper()
	recs, err := e.GetRecords(context.Background(), "Post", []relation.Record{{"id": id}})
	if err != nil || recs[0] == nil {
		t.Fatalf("get %s: %v %v", id, recs, err)
	}
	rec := recs[0]
	rec["title"] = title
	save(t, e, "Post", rec)
}

// An update queued while an earlier update of its record was in flight
// goes out, after a reload, with the version the earlier one's answer
// gave, not the stale one it was logged with: under AUTOMERGE a stale
// version makes the server keep its own title, and the change is lost.
func TestAnUpdateReplayedAfterAReloadGoesWithTheAnsweredVersion(t *testing.T) {
	e := newEngine(t)
	endpoint := syncServer(t, e.Schema)
	save(t, e, "Post", relation.Record{"id": "p1", "title": "first"})
	tr := &hooked{}
	a := newClient(t, e, endpoint, tr)
	a.ingest(t)
	a.eng.Start()
	a.wait(t, syncengine.EventOutboxStatus, func(ev syncengine.Event) bool { return ev.Data["isEmpty"] == true })

	updates := 0
	failed := make(chan struct{})
	tr.mu.Lock()
	tr.hook = func(body string, send func() (syncengine.Response, error)) (syncengine.Response, error) {
		if !strings.Contains(body, "updatePost") {
			return send()
		}
		updates++
		switch updates {
		case 1: // the second title is written while the first is in flight
			res, err := send()
			retitle(t, e, "p1", "third")
			a.ingest(t)
			return res, err
		case 2: // the page goes away before the second is sent
			close(failed)
		}
		return syncengine.Response{}, errors.New("connection refused")
	}
	tr.mu.Unlock()
	retitle(t, e, "p1", "second")
	a.ingest(t)
	<-failed
	a.eng.Stop()

	b := newClient(t, e, endpoint, &hooked{})
	b.ingest(t)
	b.eng.Start()
	b.wait(t, syncengine.EventOutboxMutationProcessed, nil)
	recs, err := e.GetRecords(context.Background(), "Post", []relation.Record{{"id": "p1"}})
	if err != nil {
		t.Fatal(err)
	}
	if got := recs[0]; got["title"] != "third" || got["_version"] != 3.0 {
		t.Fatalf("after the replay p1 = %v; want title third, version 3 (the update applied, not merged away)", got)
	}
}
