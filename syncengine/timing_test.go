package syncengine_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/datastore-wasm/datastore-wasm/relation"
	. "github.com/datastore-wasm/datastore-wasm/syncengine"
)

func TestEventsDuringTheSyncQueriesAreBufferedAndMergedAfter(t *testing.T) {
	r := newRig(t, "")
	a := r.peer(t, false, nil)
	a.write("Post", OpCreate, post("old", "before", 1))
	a.start()
	a.drained()

	gate := make(chan struct{})
	held := make(chan struct{}, 1)
	var b *peer
	b = r.peer(t, true, func(c *Config) {
		real := c.Transport
		c.Transport = scripted(func(req Request) (Response, error) {
			resp, err := real.Do(context.Background(), req)
			if strings.Contains(string(req.Body), "syncPosts") {
				select {
				case held <- struct{}{}:
					<-gate // the first page is held until a's write is out
				default:
				}
			}
			return resp, err
		})
	})
	merged := make(chan string, 10)
	b.store.OnApply = func(model string, changes []Change) {
		for _, c := range changes {
			if c.Record["id"] == "during" {
				merged <- strings.Join(b.ev.types(), " ")
			}
		}
	}
	b.eng.Start()
	<-held
	a.write("Post", OpCreate, post("during", "while syncing", 2))
	a.drained()
	close(gate)
	select {
	case seen := <-merged:
		if !strings.Contains(seen, EventSyncQueriesReady) {
			t.Fatalf("the subscription event was merged before the sync queries ended (events so far: %s)", seen)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the event received during the sync was never merged")
	}
}

func TestSubscriptionsCarryTheSyncExpression(t *testing.T) {
	r := newRig(t, "")
	b := r.peer(t, true, func(c *Config) {
		c.SyncExpressions = map[string]*relation.Predicate{"Post": {Group: "and", Children: []*relation.Predicate{{Field: "rating", Op: "gt", Value: 4.0}}}}
	})
	got := make(chan string, 10)
	b.store.OnApply = func(model string, changes []Change) {
		for _, c := range changes {
			got <- c.Record["id"].(string)
		}
	}
	b.start()
	a := r.peer(t, false, nil)
	a.write("Post", OpCreate, post("low", "t", 1))
	a.write("Post", OpCreate, post("high", "t", 9))
	a.start()
	a.drained()
	select {
	case id := <-got:
		if id != "high" {
			t.Fatalf("the filtered subscription delivered %s", id)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the matching post never arrived")
	}
}

func TestFullSyncEveryFullSyncInterval(t *testing.T) {
	r := newRig(t, "")
	clock := newFakeClock()
	clock.now = time.Now() // the server stamps startedAt with the real time
	b := r.peer(t, false, func(c *Config) { c.Clock = clock; c.FullSyncInterval = time.Hour })
	b.eng.Start()
	ev := b.ev.wait(t, EventModelSynced, nil)
	if ev.Data["isFullSync"] != true {
		t.Fatalf("first sync %v", ev.Data)
	}
	b.ev.wait(t, EventSyncQueriesReady, nil)
	wait := clock.waitFor(t, func(d time.Duration) bool { return d > 50*time.Minute })
	clock.advance(wait)
	// The model whose interval ended first syncs in full (the others, due
	// a little later, may sync a delta in this round: models sync side by
	// side, so which was first is not fixed).
	b.ev.wait(t, EventModelSynced, func(e Event) bool { return e.Data["isFullSync"] == true })
}

// silentConn acknowledges the connection and every start, then says
// nothing: no keep-alive.
type silentConn struct {
	in     chan []byte
	closed chan struct{}
}

func (c *silentConn) Read(ctx context.Context) ([]byte, error) {
	select {
	case f := <-c.in:
		return f, nil
	case <-c.closed:
		return nil, errors.New("closed")
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

func (c *silentConn) Write(_ context.Context, frame []byte) error {
	s := string(frame)
	switch {
	case strings.Contains(s, `"connection_init"`):
		c.in <- []byte(`{"type":"connection_ack","payload":{"connectionTimeoutMs":1000}}`)
	case strings.Contains(s, `"start"`):
		id := s[strings.Index(s, `"id":"`)+6:]
		c.in <- []byte(`{"type":"start_ack","id":"` + id[:strings.Index(id, `"`)] + `"}`)
	}
	return nil
}

func (c *silentConn) Close() error {
	select {
	case <-c.closed:
	default:
		close(c.closed)
	}
	return nil
}

type silentDialer struct{ dials chan *silentConn }

func (d silentDialer) Dial(context.Context, string, []string) (Conn, error) {
	c := &silentConn{in: make(chan []byte, 16), closed: make(chan struct{})}
	d.dials <- c
	return c, nil
}

func TestKeepAliveTimeoutReconnects(t *testing.T) {
	r := newRig(t, "")
	clock := newFakeClock()
	d := silentDialer{dials: make(chan *silentConn, 4)}
	b := r.peer(t, false, func(c *Config) { c.Clock = clock; c.Dialer = d; c.Jitter = func() float64 { return 0 } })
	b.eng.Start()
	b.ev.wait(t, EventReady, nil)
	<-d.dials
	clock.waitFor(t, func(d time.Duration) bool { return d == time.Second })
	clock.advance(time.Second)
	b.ev.wait(t, EventNetworkStatus, func(e Event) bool { return e.Data["active"] == false })
	clock.waitFor(t, func(d time.Duration) bool { return d == BackoffDelay(0, 0, MaxReconnectDelay) })
	clock.advance(BackoffDelay(0, 0, MaxReconnectDelay))
	select {
	case <-d.dials:
	case <-time.After(10 * time.Second):
		t.Fatal("no reconnect after the keep-alive timeout")
	}
	b.ev.wait(t, EventSubscriptionsEstablished, nil)
}

// pickyConn refuses every subscription that carries a filter, as AppSync
// does with filters it cannot apply.
type pickyConn struct {
	silentConn
	filtered atomic.Int32
}

func (c *pickyConn) Write(ctx context.Context, frame []byte) error {
	s := string(frame)
	if strings.Contains(s, `"start"`) && strings.Contains(s, `filter: $filter`) {
		c.filtered.Add(1)
		id := s[strings.Index(s, `"id":"`)+6:]
		c.in <- []byte(`{"type":"error","id":"` + id[:strings.Index(id, `"`)] + `","payload":{"errors":[{"message":"Filters combination exceed maximum limit"}]}}`)
		return nil
	}
	return c.silentConn.Write(ctx, frame)
}

type pickyDialer struct{ dials chan *pickyConn }

func (d pickyDialer) Dial(context.Context, string, []string) (Conn, error) {
	c := &pickyConn{silentConn: silentConn{in: make(chan []byte, 16), closed: make(chan struct{})}}
	d.dials <- c
	return c, nil
}

func TestARefusedSubscriptionFilterFallsBackToClientSideFiltering(t *testing.T) {
	r := newRig(t, "")
	clock := newFakeClock()
	d := pickyDialer{dials: make(chan *pickyConn, 4)}
	b := r.peer(t, false, func(c *Config) {
		c.Clock = clock
		c.Dialer = d
		c.Jitter = func() float64 { return 0 }
		c.SyncExpressions = map[string]*relation.Predicate{"Post": {Group: "and", Children: []*relation.Predicate{{Field: "rating", Op: "gt", Value: 4.0}}}}
	})
	b.eng.Start()
	first := <-d.dials
	b.ev.wait(t, EventNetworkStatus, func(e Event) bool { return e.Data["active"] == false })
	if first.filtered.Load() == 0 {
		t.Fatal("the first subscriptions must carry the filter")
	}
	clock.waitFor(t, func(x time.Duration) bool { return x == BackoffDelay(0, 0, MaxReconnectDelay) })
	clock.advance(BackoffDelay(0, 0, MaxReconnectDelay))
	second := <-d.dials
	b.ev.wait(t, EventSubscriptionsEstablished, nil)
	if second.filtered.Load() != 0 {
		t.Fatal("after the refusal the subscriptions go without the filter")
	}
}

// watchedStore signals each Get of version 3 of a record while armed (the
// merge of a subscription event reads the local record after its pending
// check, with the server's record as the key).
type watchedStore struct {
	*MemoryStore
	armed atomic.Bool
	id    string
	got   chan struct{}
}

func (w *watchedStore) Get(ctx context.Context, model string, keys []Record) ([]Record, error) {
	out, err := w.MemoryStore.Get(ctx, model, keys)
	for _, k := range keys {
		if w.armed.Load() && k["id"] == w.id && k["_version"] == 3.0 {
			w.got <- struct{}{}
		}
	}
	return out, err
}

// A newer version of a record that arrives by subscription while the
// record's own mutation is in flight is skipped then (the local change is
// not overwritten before its answer) and merged after the answer, which is
// older: the local record ends on the newer version, not on the answer's.
func TestAVersionArrivingWhileItsMutationIsInFlightIsMergedAfterTheAnswer(t *testing.T) {
	r := newRig(t, "")
	seed := r.peer(t, false, nil)
	seed.write("Post", OpCreate, post("p", "v1", 1))
	seed.start()
	seed.drained()

	answered := make(chan struct{})
	gate := make(chan struct{})
	var watched *watchedStore
	a := r.peer(t, true, func(c *Config) {
		c.Clock = newFakeClock() // no timer may be needed: nothing here waits on time
		watched = &watchedStore{MemoryStore: c.Local.(*MemoryStore), id: "p", got: make(chan struct{}, 10)}
		c.Local = watched
		real := c.Transport
		c.Transport = scripted(func(req Request) (Response, error) {
			resp, err := real.Do(context.Background(), req)
			if strings.Contains(string(req.Body), "updatePost") {
				close(answered)
				<-gate // the server took it (version 2); the answer is late
			}
			return resp, err
		})
	})
	a.store = watched.MemoryStore
	b := r.peer(t, true, nil)
	bGot := make(chan float64, 10)
	b.store.OnApply = func(_ string, changes []Change) {
		for _, c := range changes {
			if c.Record["id"] == "p" {
				bGot <- c.Record["_version"].(float64)
			}
		}
	}
	a.start()
	b.start()
	waitVersion := func(want float64) {
		t.Helper()
		for {
			select {
			case v := <-bGot:
				if v == want {
					return
				}
			case <-time.After(10 * time.Second):
				t.Fatalf("b never got version %v", want)
			}
		}
	}
	waitVersion(1)

	a.write("Post", OpUpdate, Record{"id": "p", "title": "from a"})
	<-answered
	waitVersion(2) // b has a's change
	watched.armed.Store(true)
	b.write("Post", OpUpdate, Record{"id": "p", "rating": 9.0})
	b.drained()
	select {
	case <-watched.got: // a is merging b's version 3 while its own answer is held
	case <-time.After(10 * time.Second):
		t.Fatal("a never received b's version by subscription")
	}
	watched.armed.Store(false)
	if got := a.store.Record("Post", "p"); got["title"] != "from a" || got["_version"] != 1.0 {
		t.Fatalf("while a's mutation is in flight its local record must stay as a wrote it, got %v", got)
	}
	close(gate)
	a.ev.wait(t, EventOutboxMutationProcessed, nil)
	a.drained() // the status after the answer's merge
	if got := a.store.Record("Post", "p"); got["_version"] != 3.0 || got["title"] != "from a" || got["rating"] != 9.0 {
		t.Fatalf("after the answer (version 2) a must hold b's version 3, got %v", got)
	}
}

// A model's first sync page is asked for while the models it belongs to
// sync, and its records are merged only once they have synced: the
// comments' request goes out while the posts' answer is held, and no
// comment is merged before the posts' modelSynced.
func TestAChildsFirstPageIsAskedWhileItsParentsSync(t *testing.T) {
	r := newRig(t, "")
	a := r.peer(t, false, nil)
	a.write("Post", OpCreate, post("p", "parent", 1))
	a.write("Comment", OpCreate, Record{"id": "c", "postID": "p", "content": "child"})
	a.start()
	a.drained()

	gate := make(chan struct{})
	var opened sync.Once
	open := func() { opened.Do(func() { close(gate) }) }
	asked := make(chan struct{})
	var once sync.Once
	b := r.peer(t, false, func(c *Config) {
		real := c.Transport
		c.Transport = scripted(func(req Request) (Response, error) {
			body := string(req.Body)
			if strings.Contains(body, "syncComments") {
				once.Do(func() { close(asked) })
			}
			if strings.Contains(body, "syncPosts") {
				<-gate // the posts' pages wait until the comments' page was asked for
			}
			return real.Do(context.Background(), req)
		})
	})
	var mu sync.Mutex
	var order []string
	b.store.OnApply = func(model string, changes []Change) {
		mu.Lock()
		defer mu.Unlock()
		order = append(order, "merge "+model)
	}
	t.Cleanup(open) // before the engine stops (cleanups run last first)
	b.eng.Start()
	select {
	case <-asked:
	case <-time.After(10 * time.Second):
		t.Fatal("the comments' first page was not asked for while the posts' was held")
	}
	mu.Lock()
	if len(order) != 0 {
		t.Fatalf("merged before the posts' page came: %v", order)
	}
	mu.Unlock()
	open()
	b.ev.wait(t, EventSyncQueriesReady, nil)
	mu.Lock()
	defer mu.Unlock()
	if strings.Join(order, ", ") != "merge Post, merge Comment" {
		t.Fatalf("merges in the order %v, want the post's first", order)
	}
	if b.store.Record("Comment", "c") == nil || b.store.Record("Post", "p") == nil {
		t.Fatal("the synced records are not in the store")
	}
	var synced []string
	b.ev.mu.Lock()
	defer b.ev.mu.Unlock()
	for _, e := range b.ev.list {
		if e.Type == EventModelSynced {
			synced = append(synced, e.Data["model"].(string))
		}
	}
	if strings.Join(synced, " ") != "Post Comment" {
		t.Fatalf("modelSynced for %v, want Post then Comment", synced)
	}
}

// Models that belong to each other sync without waiting on each other for
// ever: SyncOrder breaks the cycle, and the one it lists first does not
// wait for the other.
func TestBelongsToCyclesDoNotStallTheSync(t *testing.T) {
	schema, err := relation.ParseSDL(`
type Author @model {
  id: ID!
  favouriteID: ID @index(name: "byFavourite")
  favourite: Book @belongsTo(fields: ["favouriteID"])
  books: [Book] @hasMany(indexName: "byAuthor", fields: ["id"])
}
type Book @model {
  id: ID!
  authorID: ID @index(name: "byAuthor")
  author: Author @belongsTo(fields: ["authorID"])
  fans: [Author] @hasMany(indexName: "byFavourite", fields: ["id"])
}`)
	if err != nil {
		t.Fatal(err)
	}
	store := NewMemoryStore(schema)
	ev := newEvents()
	eng, err := New(Config{Schema: schema, Endpoint: "http://127.0.0.1:1/graphql", Local: store, Outbox: NewMemoryOutbox(schema), Metadata: store, OnEvent: ev.on,
		Transport: scripted(func(req Request) (Response, error) {
			field := "syncAuthors"
			if strings.Contains(string(req.Body), "syncBooks") {
				field = "syncBooks"
			}
			return Response{Status: 200, Body: `{"data":{"` + field + `":{"items":[],"nextToken":null,"startedAt":1}}}`}, nil
		})})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(eng.Stop)
	eng.Start()
	ev.wait(t, EventSyncQueriesReady, nil)
}
