package syncengine_test

import (
	"context"
	"errors"
	"io"
	"log"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/datastore-wasm/datastore-wasm/relation"
	"github.com/datastore-wasm/datastore-wasm/server"
	"github.com/datastore-wasm/datastore-wasm/server/storage"
	. "github.com/datastore-wasm/datastore-wasm/syncengine"
	"github.com/datastore-wasm/datastore-wasm/syncengine/nethttp"
)

const blogSDL = `
enum PostStatus { ACTIVE INACTIVE }
type Post @model {
  id: ID!
  title: String!
  rating: Int!
  status: PostStatus!
  tags: [String]
  meta: AWSJSON
  comments: [Comment] @hasMany(indexName: "byPost", fields: ["id"])
}
type Comment @model {
  id: ID!
  postID: ID! @index(name: "byPost")
  content: String!
  post: Post @belongsTo(fields: ["postID"])
}`

// rig is a datastore-server in the test's process.
type rig struct {
	schema *relation.Schema
	http   *httptest.Server
}

func newRig(t *testing.T, conflict string) *rig {
	t.Helper()
	schema, err := relation.ParseSDL(blogSDL)
	if err != nil {
		t.Fatal(err)
	}
	st, err := storage.OpenSQLite(context.Background(), filepath.Join(t.TempDir(), "sync.db"))
	if err != nil {
		t.Fatal(err)
	}
	srv, err := server.New(server.Config{Schema: schema, Store: st, APIKey: "test-key", Conflict: conflict, Log: log.New(io.Discard, "", 0)})
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv.Handler())
	t.Cleanup(func() { hs.Close(); srv.Close(); st.Close() })
	return &rig{schema: schema, http: hs}
}

// recorder is a Transport that logs each request's operation field and
// can be switched off (the network is down).
type recorder struct {
	next Transport
	mu   sync.Mutex
	ops  []string
	down atomic.Bool
}

func (r *recorder) Do(ctx context.Context, req Request) (Response, error) {
	if r.down.Load() {
		return Response{}, errors.New("connection refused")
	}
	body := string(req.Body)
	// The operation's field follows the document's first "{\n\t".
	op := body
	if i := strings.Index(op, `{\n\t`); i >= 0 {
		op = op[i+5:]
	}
	if i := strings.IndexAny(op, "({"); i >= 0 {
		op = op[:i]
	}
	r.mu.Lock()
	r.ops = append(r.ops, op)
	r.mu.Unlock()
	return r.next.Do(ctx, req)
}

func (r *recorder) log() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.ops...)
}

func (r *recorder) mutations() []string {
	var out []string
	for _, op := range r.log() {
		if !strings.HasPrefix(op, "sync") {
			out = append(out, op)
		}
	}
	return out
}

// peer is one client: an engine over memory stores.
type peer struct {
	t      *testing.T
	eng    *Engine
	store  *MemoryStore
	outbox *MemoryOutbox
	ev     *events
	net    *recorder
	errs   chan SyncError
	schema *relation.Schema
}

func (r *rig) peer(t *testing.T, realtime bool, tweak func(*Config)) *peer {
	t.Helper()
	p := &peer{t: t, store: NewMemoryStore(r.schema), outbox: NewMemoryOutbox(r.schema), ev: newEvents(),
		net: &recorder{next: nethttp.Transport{}}, errs: make(chan SyncError, 100), schema: r.schema}
	cfg := Config{Schema: r.schema, Endpoint: r.http.URL + "/graphql", APIKey: "test-key", Transport: p.net,
		Local: p.store, Outbox: p.outbox, Metadata: p.store, OnEvent: p.ev.on,
		ErrorHandler: func(e SyncError) { p.errs <- e }}
	if realtime {
		cfg.Dialer = nethttp.Dialer{}
	}
	if tweak != nil {
		tweak(&cfg)
	}
	eng, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	p.eng = eng
	t.Cleanup(eng.Stop)
	return p
}

// write saves a record locally and queues its mutation, as the DataStore
// does.
func (p *peer) write(model, op string, rec Record) {
	p.t.Helper()
	m := p.schema.Model(model)
	before := p.store.Record(model, ModelID(m, rec))
	after := rec
	if op == OpDelete {
		after = nil
		if before == nil {
			before = rec
		}
	} else {
		merged := copyOf(before)
		for k, v := range rec {
			merged[k] = v
		}
		after = merged
	}
	ev, err := NewMutation(p.schema, model, op, before, after, nil)
	if err != nil {
		p.t.Fatal(err)
	}
	if op == OpDelete {
		_ = p.store.Apply(context.Background(), model, []Change{{Delete: true, Record: before}})
	} else {
		p.store.Put(model, after)
	}
	if err := p.eng.Enqueue(context.Background(), ev); err != nil {
		p.t.Fatal(err)
	}
}

func copyOf(r Record) Record {
	out := Record{}
	for k, v := range r {
		out[k] = v
	}
	return out
}

// drained waits until the outbox is empty after the engine started.
func (p *peer) drained() {
	p.t.Helper()
	p.ev.wait(p.t, EventOutboxStatus, func(e Event) bool { return e.Data["isEmpty"] == true })
}

func (p *peer) start() {
	p.eng.Start()
	p.ev.wait(p.t, EventSyncQueriesReady, nil)
}

func post(id, title string, rating float64) Record {
	return Record{"id": id, "title": title, "rating": rating, "status": "ACTIVE"}
}

func TestMutationsAreMergedSentInOrderAndVersioned(t *testing.T) {
	r := newRig(t, "")
	a := r.peer(t, false, nil)
	a.write("Post", OpCreate, post("p1", "first", 1))
	a.write("Post", OpUpdate, Record{"id": "p1", "rating": 2.0, "meta": map[string]any{"k": []any{1.0}}, "tags": []any{"x", "y"}})
	a.write("Post", OpCreate, post("p2", "gone", 1))
	a.write("Post", OpDelete, Record{"id": "p2"})
	a.write("Comment", OpCreate, Record{"id": "c1", "postID": "p1", "content": "hi"})
	a.start()
	a.drained()
	if got := strings.Join(a.net.mutations(), ","); got != "createPost,createComment" {
		t.Fatalf("mutations sent %s; want createPost,createComment (create+update merged, create+delete never sent)", got)
	}
	p1 := a.store.Record("Post", "p1")
	if p1["rating"] != 2.0 || p1["_version"] != 1.0 || p1["_lastChangedAt"] == nil || p1["createdAt"] == nil ||
		p1["meta"].(map[string]any)["k"].([]any)[0] != 1.0 || p1["tags"].([]any)[1] != "y" {
		t.Fatalf("the local record must take the server's version: %v", p1)
	}

	a.eng.Stop() // offline: both updates wait in the outbox
	a.write("Post", OpUpdate, Record{"id": "p1", "title": "renamed"})
	a.write("Post", OpUpdate, Record{"id": "p1", "rating": 7.0})
	a.start()
	a.drained()
	if p1 := a.store.Record("Post", "p1"); p1["_version"] != 2.0 || p1["title"] != "renamed" || p1["rating"] != 7.0 {
		t.Fatalf("two updates must reach the server as one: %v", p1)
	}

	b := r.peer(t, false, nil)
	b.start()
	if got := b.store.Record("Post", "p1"); got["title"] != "renamed" || got["rating"] != 7.0 || got["_version"] != 2.0 {
		t.Fatalf("another client syncs %v", got)
	}
	if b.store.Record("Post", "p2") != nil || b.store.Record("Comment", "c1") == nil {
		t.Fatal("p2 was never sent; c1 was")
	}
}

func TestCascadeDeleteSendsChildrenFirst(t *testing.T) {
	r := newRig(t, "")
	a := r.peer(t, false, nil)
	a.write("Post", OpCreate, post("p", "t", 1))
	a.write("Comment", OpCreate, Record{"id": "c1", "postID": "p", "content": "x"})
	a.write("Comment", OpCreate, Record{"id": "c2", "postID": "p", "content": "y"})
	a.start()
	a.drained()
	// The local cascade removed two comments and the post: the outbox
	// holds their deletes in that order.
	a.write("Comment", OpDelete, Record{"id": "c1"})
	a.write("Comment", OpDelete, Record{"id": "c2"})
	a.write("Post", OpDelete, Record{"id": "p"})
	a.drained()
	got := a.net.mutations()
	if strings.Join(got[3:], ",") != "deleteComment,deleteComment,deletePost" {
		t.Fatalf("deletes sent %v", got)
	}
	b := r.peer(t, false, nil)
	b.start()
	if b.store.Count("Post") != 0 || b.store.Count("Comment") != 0 {
		t.Fatal("a fresh client must see nothing after the cascade")
	}
}

func TestBaseSyncPagesAndDeltaSyncAppliesTombstones(t *testing.T) {
	r := newRig(t, "")
	a := r.peer(t, false, nil)
	for i := range 5 {
		a.write("Post", OpCreate, post("p"+string(rune('0'+i)), "t", float64(i)))
	}
	a.start()
	a.drained()

	b := r.peer(t, false, func(c *Config) { c.SyncPageSize = 2 })
	b.eng.Start()
	ev := b.ev.wait(t, EventModelSynced, func(e Event) bool { return e.Data["model"] == "Post" })
	counts := ev.Data["counts"].(map[string]any)
	if ev.Data["isFullSync"] != true || counts["new"] != 5 {
		t.Fatalf("base sync %v", ev.Data)
	}
	syncs := 0
	for _, op := range b.net.log() {
		if op == "syncPosts" {
			syncs++
		}
	}
	if syncs != 3 {
		t.Fatalf("5 posts in pages of 2 take 3 requests, took %d (%v)", syncs, b.net.log())
	}
	b.eng.Stop()

	a.write("Post", OpDelete, Record{"id": "p0"})
	a.write("Post", OpUpdate, Record{"id": "p1", "title": "changed"})
	a.drained()

	b.eng.Start()
	ev = b.ev.wait(t, EventModelSynced, func(e Event) bool { return e.Data["model"] == "Post" })
	counts = ev.Data["counts"].(map[string]any)
	if ev.Data["isDeltaSync"] != true || counts["deleted"] != 1 || counts["updated"] != 1 || counts["new"] != 0 {
		t.Fatalf("delta sync %v", ev.Data)
	}
	if b.store.Record("Post", "p0") != nil || b.store.Record("Post", "p1")["title"] != "changed" || b.store.Count("Post") != 4 {
		t.Fatal("the delta sync must apply the tombstone and the update")
	}
}

func TestMaxRecordsToSyncAndPendingRecordsLeftAlone(t *testing.T) {
	r := newRig(t, "")
	a := r.peer(t, false, nil)
	for i := range 6 {
		a.write("Post", OpCreate, post("p"+string(rune('0'+i)), "server", float64(i)))
	}
	a.start()
	a.drained()
	b := r.peer(t, false, func(c *Config) { c.SyncPageSize = 4; c.MaxRecordsToSync = 5 })
	// b has an unsent local edit of p0: the sync must not overwrite it.
	b.store.Put("Post", post("p0", "mine", 0))
	b.write("Post", OpUpdate, Record{"id": "p0", "title": "mine2"})
	b.net.down.Store(true)
	b.eng.Start()
	ev := b.ev.wait(t, EventNetworkStatus, func(e Event) bool { return e.Data["active"] == false })
	_ = ev
	b.eng.Stop()
	b.net.down.Store(false)
	b.eng.Start()
	b.ev.wait(t, EventSyncQueriesReady, nil)
	if got := b.store.Record("Post", "p0")["title"]; got != "mine2" {
		t.Fatalf("a record with a pending mutation was overwritten by the sync: %v", got)
	}
	if n := b.store.Count("Post"); n != 5 {
		t.Fatalf("maxRecordsToSync 5 synced %d", n)
	}
}
