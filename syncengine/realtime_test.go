package syncengine_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/datastore-wasm/datastore-wasm/relation"
	"github.com/datastore-wasm/datastore-wasm/server"

	. "github.com/datastore-wasm/datastore-wasm/syncengine"
)

func TestSubscriptionsDeliverRemoteChangesAndEventsComeInAmplifysOrder(t *testing.T) {
	r := newRig(t, "")
	b := r.peer(t, true, nil)
	applied := make(chan string, 100)
	b.store.OnApply = func(model string, changes []Change) {
		for _, c := range changes {
			op := "put"
			if c.Delete {
				op = "delete"
			}
			applied <- model + " " + op + " " + c.Record["id"].(string)
		}
	}
	b.eng.Start()
	b.ev.wait(t, EventReady, nil)
	want := "networkStatus subscriptionsEstablished syncQueriesStarted modelSynced modelSynced syncQueriesReady ready"
	if got := strings.Join(b.ev.types()[:7], " "); got != want {
		t.Fatalf("events %s, want %s", got, want)
	}

	a := r.peer(t, false, nil)
	a.write("Post", OpCreate, post("p", "hello", 1))
	a.write("Comment", OpCreate, Record{"id": "c", "postID": "p", "content": "x"})
	a.start()
	a.drained()
	a.write("Comment", OpDelete, Record{"id": "c"})
	a.drained()
	for _, w := range []string{"Post put p", "Comment put c", "Comment delete c"} {
		select {
		case got := <-applied:
			if got != w {
				t.Fatalf("got %q, want %q", got, w)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("no %q from the subscription", w)
		}
	}
	if got := b.store.Record("Post", "p"); got["title"] != "hello" || got["_version"] != 1.0 {
		t.Fatalf("subscribed record %v", got)
	}
}

// dropper is a Dialer whose connections can be cut.
type dropper struct {
	next  Dialer
	dials atomic.Int32
	conns chan Conn
}

func (d *dropper) Dial(ctx context.Context, url string, protos []string) (Conn, error) {
	d.dials.Add(1)
	c, err := d.next.Dial(ctx, url, protos)
	if err == nil {
		d.conns <- c
	}
	return c, err
}

func TestReconnectCatchesUpByDeltaSync(t *testing.T) {
	r := newRig(t, "")
	d := &dropper{conns: make(chan Conn, 10)}
	clock := newFakeClock()
	var b *peer
	b = r.peer(t, true, func(c *Config) {
		c.Clock = clock
		c.Jitter = func() float64 { return 0 }
		d.next = c.Dialer
		c.Dialer = d
	})
	b.eng.Start()
	b.ev.wait(t, EventReady, nil)
	conn := <-d.conns
	b.net.down.Store(true)
	conn.Close() // the socket drops
	b.ev.wait(t, EventNetworkStatus, func(e Event) bool { return e.Data["active"] == false })

	a := r.peer(t, false, nil)
	a.write("Post", OpCreate, post("late", "while away", 1))
	a.start()
	a.drained()

	b.net.down.Store(false)
	clock.waitFor(t, func(d time.Duration) bool { return d == BackoffDelay(0, 0, MaxReconnectDelay) })
	clock.advance(BackoffDelay(0, 0, MaxReconnectDelay))
	ev := b.ev.wait(t, EventModelSynced, func(e Event) bool { return e.Data["model"] == "Post" })
	if ev.Data["isDeltaSync"] != true || b.store.Record("Post", "late") == nil {
		t.Fatalf("after the reconnect a delta sync must bring what was missed: %v", ev.Data)
	}
	if d.dials.Load() != 2 {
		t.Fatalf("dials %d", d.dials.Load())
	}
}

func TestConflictsUnderOptimisticConcurrency(t *testing.T) {
	r := newRig(t, server.OptimisticConcurrency)
	a := r.peer(t, false, nil)
	a.write("Post", OpCreate, post("p", "v1", 1))
	a.start()
	a.drained()

	// b holds version 1 and edits offline while a moves the server on.
	b := r.peer(t, false, nil)
	b.start()
	b.eng.Stop()
	a.write("Post", OpUpdate, Record{"id": "p", "title": "from a"})
	a.drained()
	b.write("Post", OpUpdate, Record{"id": "p", "rating": 9.0})

	// The default handler retries with the server's version: b's field wins.
	b.start()
	b.drained()
	c := r.peer(t, false, nil)
	c.start()
	if got := c.store.Record("Post", "p"); got["rating"] != 9.0 || got["title"] != "from a" || got["_version"] != 3.0 {
		t.Fatalf("after the default conflict handler the server holds %v", got)
	}

	// DISCARD: the local change is dropped and the server's copy merged.
	b.eng.Stop()
	a.write("Post", OpUpdate, Record{"id": "p", "title": "a again"})
	a.drained()
	calls := 0
	d := r.peer(t, false, func(cfg *Config) {
		cfg.ConflictHandler = func(_ context.Context, c Conflict) (Resolution, error) {
			calls++
			if c.Operation != "UPDATE" || c.Remote["title"] != "a again" || c.Attempts != calls {
				t.Errorf("conflict %+v", c)
			}
			return Resolution{Discard: true}, nil
		}
	})
	d.store.Put("Post", Record{"id": "p", "title": "stale", "rating": 1.0, "status": "ACTIVE", "_version": 1.0, "_lastChangedAt": 1.0})
	d.write("Post", OpUpdate, Record{"id": "p", "rating": 100.0})
	d.start()
	d.drained()
	if got := d.store.Record("Post", "p"); calls != 1 || got["title"] != "a again" || got["rating"] != 9.0 {
		t.Fatalf("after DISCARD (%d calls) the local record is %v", calls, got)
	}
	if ops := d.net.mutations(); ops[len(ops)-1] != "getPost" {
		t.Fatalf("DISCARD reads the server's copy with getPost: %v", ops)
	}

	// A merging handler: its record is sent with the server's _version
	// (whatever version it carries), and both fields survive.
	a.write("Post", OpUpdate, Record{"id": "p", "title": "a once more"})
	a.drained()
	var seen Conflict
	f := r.peer(t, false, func(cfg *Config) {
		cfg.ConflictHandler = func(_ context.Context, c Conflict) (Resolution, error) {
			seen = c
			merged := copyOf(c.Remote)
			merged["rating"] = c.Local["rating"]
			merged["_version"] = 1.0 // ignored: the server's is sent
			return Resolution{Record: merged}, nil
		}
	})
	f.store.Put("Post", Record{"id": "p", "title": "stale", "rating": 1.0, "status": "ACTIVE", "_version": 1.0, "_lastChangedAt": 1.0})
	f.write("Post", OpUpdate, Record{"id": "p", "rating": 42.0})
	f.start()
	f.drained()
	if _, has := seen.Local["title"]; has || seen.Local["rating"] != 42.0 || seen.Attempts != 1 {
		t.Fatalf("the handler must get the update as sent (changed fields, key, _version): %+v", seen.Local)
	}
	if got := f.store.Record("Post", "p"); got["title"] != "a once more" || got["rating"] != 42.0 {
		t.Fatalf("after the merging handler the local record is %v", got)
	}

	// A server that keeps refusing: the handler is cut off after 10
	// attempts, and the server's copy is merged (DISCARD).
	calls = 0
	real := f.net.next
	e := r.peer(t, false, func(cfg *Config) {
		cfg.ConflictHandler = func(_ context.Context, c Conflict) (Resolution, error) {
			calls++
			return Resolution{}, nil // the default: the local data with the server's _version
		}
		cfg.Transport = scripted(func(req Request) (Response, error) {
			if strings.Contains(string(req.Body), "updatePost") {
				return Response{Status: 200, Body: `{"data":{"updatePost":null},"errors":[{"path":["updatePost"],"errorType":"ConflictUnhandled","message":"Conflict resolver rejects mutation.",` +
					`"data":{"id":"p","title":"server","rating":1,"status":"ACTIVE","_version":99,"_lastChangedAt":5,"_deleted":null}}]}`}, nil
			}
			return real.Do(context.Background(), req)
		})
	})
	e.store.Put("Post", Record{"id": "p", "title": "stale", "rating": 1.0, "status": "ACTIVE", "_version": 1.0, "_lastChangedAt": 1.0})
	e.write("Post", OpUpdate, Record{"id": "p", "rating": 5.0})
	e.start()
	e.drained()
	if calls != MaxConflictAttempts {
		t.Fatalf("the conflict handler was called %d times, want %d", calls, MaxConflictAttempts)
	}
	if got := e.store.Record("Post", "p"); got["rating"] != 42.0 {
		t.Fatalf("after 10 conflicts the server's copy (getPost) must be merged, local is %v", got)
	}
}

// scripted is a Transport that answers from a function.
type scripted func(req Request) (Response, error)

func (s scripted) Do(_ context.Context, req Request) (Response, error) { return s(req) }

func TestNetworkFailuresAreRetriedWithBackoffAndNothingIsDropped(t *testing.T) {
	r := newRig(t, "")
	clock := newFakeClock()
	real := r.peer(t, false, nil).net.next
	var failures atomic.Int32
	failures.Store(6)
	b := r.peer(t, false, func(c *Config) {
		c.Clock = clock
		c.Jitter = func() float64 { return 0.5 }
		c.Transport = scripted(func(req Request) (Response, error) {
			if strings.Contains(string(req.Body), "mutation") && failures.Add(-1) >= 0 {
				if failures.Load() == 0 {
					return Response{Status: 503, Body: "busy"}, nil
				}
				return Response{}, errors.New("connection refused")
			}
			return real.Do(context.Background(), req)
		})
	})
	b.write("Post", OpCreate, post("p", "kept", 1))
	b.write("Post", OpCreate, post("q", "second", 1))
	b.start()
	for attempt := range 6 {
		want := BackoffDelay(attempt, 0.5, MaxRetryDelay)
		clock.waitFor(t, func(d time.Duration) bool { return d == want })
		clock.advance(want)
	}
	b.drained()
	for _, id := range []string{"p", "q"} {
		if got := b.store.Record("Post", id); got["_version"] != 1.0 {
			t.Fatalf("post %s after the outage: %v", id, got)
		}
	}
	select {
	case e := <-b.errs:
		t.Fatalf("a network failure reached the error handler: %+v", e)
	default:
	}
	if BackoffDelay(0, 0.5, MaxRetryDelay) != 150*time.Millisecond || BackoffDelay(3, 0, MaxRetryDelay) != 800*time.Millisecond || BackoffDelay(20, 0, MaxRetryDelay) != MaxRetryDelay {
		t.Fatal("BackoffDelay is 2^attempt × 100 ms + jitter × 100 ms, capped")
	}
}

func TestServerRefusalsGoToTheErrorHandlerAndBadRecordsChangeNothing(t *testing.T) {
	r := newRig(t, "")
	a := r.peer(t, false, nil)
	a.write("Post", OpCreate, post("p", "t", 1))
	a.start()
	a.drained()
	// A create of an id that exists is refused (ConditionalCheckFailed).
	a.eng.Stop()
	a.write("Post", OpCreate, post("p2", "t", 1))
	ev, _ := NewMutation(a.schema, "Post", OpCreate, nil, post("p", "dup", 1), nil)
	_ = a.eng.Enqueue(context.Background(), ev)
	a.start()
	a.drained()
	select {
	case e := <-a.errs:
		if e.Process != "mutate" || e.Operation != OpCreate || e.Model != "Post" || e.Local["title"] != "dup" || e.Message == "" {
			t.Fatalf("error handler got %+v", e)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the refused create never reached the error handler")
	}

	// A server sending a record the schema refuses.
	page := `{"data":{"syncPosts":{"items":[` +
		`{"id":"good","title":"ok","rating":1,"status":"ACTIVE","createdAt":"2020-01-01T00:00:00.000Z","updatedAt":"2020-01-01T00:00:00.000Z","_version":1,"_lastChangedAt":5,"_deleted":null},` +
		`{"id":"bad","title":null,"rating":"high","status":"ACTIVE","_version":1,"_lastChangedAt":5,"_deleted":null}` +
		`],"nextToken":null,"startedAt":10}}}`
	b := r.peer(t, false, func(c *Config) {
		c.Transport = scripted(func(req Request) (Response, error) {
			if strings.Contains(string(req.Body), "syncPosts") {
				return Response{Status: 200, Body: page}, nil
			}
			return Response{Status: 200, Body: `{"data":{"syncComments":{"items":[],"nextToken":null,"startedAt":10}}}`}, nil
		})
	})
	b.start()
	e := <-b.errs
	if e.ErrorType != "BadRecord" || !strings.Contains(e.Message, "Post record bad") || !strings.Contains(e.Message, "title is required") {
		t.Fatalf("bad record reported as %+v", e)
	}
	if b.store.Record("Post", "bad") != nil || b.store.Record("Post", "good") == nil {
		t.Fatal("the bad record must change nothing, the good one is stored")
	}
	found := false
	b.ev.mu.Lock()
	defer b.ev.mu.Unlock()
	for _, ev := range b.ev.list {
		if ev.Type == EventNonApplicableDataReceived && ev.Data["modelName"] == "Post" {
			found = true
		}
	}
	if !found {
		t.Fatal("no nonApplicableDataReceived event for the bad record")
	}
}

func TestSyncExpressionFiltersSyncAndSubscriptions(t *testing.T) {
	r := newRig(t, "")
	a := r.peer(t, false, nil)
	a.write("Post", OpCreate, post("low", "t", 1))
	a.write("Post", OpCreate, post("high", "t", 9))
	a.start()
	a.drained()
	b := r.peer(t, true, func(c *Config) {
		c.SyncExpressions = map[string]*relation.Predicate{"Post": {Group: "and", Children: []*relation.Predicate{{Field: "rating", Op: "gt", Value: 4.0}}}}
	})
	b.start()
	if b.store.Record("Post", "low") != nil || b.store.Record("Post", "high") == nil {
		t.Fatal("the sync expression must select the posts synced")
	}
}

func TestABadKeyIsReportedAndTheDataStoreStillGetsReady(t *testing.T) {
	r := newRig(t, "")
	b := r.peer(t, false, func(c *Config) { c.APIKey = "wrong" })
	b.write("Post", OpCreate, post("p", "t", 1))
	b.eng.Start()
	b.ev.wait(t, EventReady, nil)
	e := <-b.errs
	if e.Process != "sync" || e.ErrorType != "Unauthorized" {
		t.Fatalf("the refused sync was reported as %+v", e)
	}
	b.drained()
	deadline := time.After(10 * time.Second)
	for {
		select {
		case got := <-b.errs:
			if got.Process != "mutate" {
				continue
			}
			if got.ErrorType != "Unauthorized" || got.Local["id"] != "p" {
				t.Fatalf("the refused mutation was reported as %+v", got)
			}
			return
		case <-deadline:
			t.Fatal("the refused mutation never reached the error handler")
		}
	}
}

// lossy forwards requests but loses the answers of the first n mutations
// (the server got them; the network failed on the way back).
type lossy struct {
	next Transport
	n    atomic.Int32
}

func (l *lossy) Do(ctx context.Context, req Request) (Response, error) {
	resp, err := l.next.Do(ctx, req)
	if strings.Contains(string(req.Body), "mutation") && l.n.Add(-1) >= 0 {
		return Response{}, errors.New("connection reset by peer")
	}
	return resp, err
}

func TestAnAnswerLostOnTheWayBackIsNeitherDroppedNorDoubled(t *testing.T) {
	r := newRig(t, "")
	clock := newFakeClock()
	clock.now = time.Now()
	b := r.peer(t, false, func(c *Config) {
		l := &lossy{next: c.Transport}
		l.n.Store(2)
		c.Transport = l
		c.Clock = clock
		c.Jitter = func() float64 { return 0 }
	})
	b.write("Post", OpCreate, post("p", "once", 1))
	b.start()
	// Both answers are lost; the third try is refused as a duplicate.
	for attempt := range 2 {
		d := BackoffDelay(attempt, 0, MaxRetryDelay)
		clock.waitFor(t, func(x time.Duration) bool { return x == d })
		clock.advance(d)
	}
	b.drained()
	got := b.store.Record("Post", "p")
	if got["_version"] != 1.0 || got["title"] != "once" {
		t.Fatalf("the create whose answer was lost: %v", got)
	}
	for len(b.errs) > 0 {
		if e := <-b.errs; e.Model == "Post" && e.Local["id"] == "p" {
			t.Fatalf("the delivered create reached the error handler: %+v", e)
		}
	}
	c := r.peer(t, false, nil)
	c.start()
	if got := c.store.Record("Post", "p"); got["_version"] != 1.0 {
		t.Fatalf("the server holds %v", got)
	}
}

func TestServerDownInTheMiddleOfDrainingLosesNothing(t *testing.T) {
	r := newRig(t, "")
	clock := newFakeClock()
	clock.now = time.Now()
	var sent atomic.Int32
	var down atomic.Bool
	b := r.peer(t, false, func(c *Config) {
		real := c.Transport
		c.Clock = clock
		c.Jitter = func() float64 { return 0 }
		c.Transport = scripted(func(req Request) (Response, error) {
			if strings.Contains(string(req.Body), "mutation") && sent.Add(1) == 30 {
				down.Store(true)
			}
			if down.Load() {
				return Response{}, errors.New("connection refused")
			}
			return real.Do(context.Background(), req)
		})
	})
	const n = 100
	for i := range n {
		b.write("Post", OpCreate, post(fmt.Sprintf("p%03d", i), "t", float64(i)))
	}
	for i := range n / 2 {
		b.write("Post", OpUpdate, Record{"id": fmt.Sprintf("p%03d", i*2), "title": "updated"})
	}
	b.start()
	for attempt := range 5 {
		d := BackoffDelay(attempt, 0, MaxRetryDelay)
		clock.waitFor(t, func(x time.Duration) bool { return x == d })
		if attempt == 4 {
			down.Store(false)
		}
		clock.advance(d)
	}
	b.drained()
	if len(b.errs) > 0 {
		t.Fatalf("error: %+v", <-b.errs)
	}
	c := r.peer(t, false, nil)
	c.start()
	if c.store.Count("Post") != n {
		t.Fatalf("the server holds %d posts, want %d", c.store.Count("Post"), n)
	}
	for i := range n {
		got := c.store.Record("Post", fmt.Sprintf("p%03d", i))
		if i%2 == 0 && got["title"] != "updated" || got["_version"] != 1.0 {
			t.Fatalf("post %d on the server: %v (each create+update was merged into one create, sent once)", i, got)
		}
	}
}

func TestARefusedConditionalUpdateIsReportedAndTheLocalRecordTakesTheServersCopy(t *testing.T) {
	r := newRig(t, "")
	a := r.peer(t, false, nil)
	a.write("Post", OpCreate, post("p", "a", 1))
	a.start()
	a.drained()
	a.eng.Stop()
	b := r.peer(t, false, nil)
	b.start()
	b.write("Post", OpUpdate, Record{"id": "p", "title": "b"})
	b.ev.wait(t, EventOutboxMutationProcessed, nil)

	// a, still on version 1 with title "a", updates on condition title = "a":
	// true locally, false on the server.
	before := a.store.Record("Post", "p")
	after := copyOf(before)
	after["rating"] = 7.0
	cond := &relation.Predicate{Group: "and", Children: []*relation.Predicate{{Field: "title", Op: "eq", Value: "a"}}}
	ev, err := NewMutation(a.schema, "Post", OpUpdate, before, after, cond)
	if err != nil {
		t.Fatal(err)
	}
	a.store.Put("Post", after)
	if err := a.eng.Enqueue(context.Background(), ev); err != nil {
		t.Fatal(err)
	}
	a.write("Post", OpCreate, post("next", "after the refusal", 1))
	a.start()
	select {
	case e := <-a.errs:
		if e.ErrorType != "ConditionalCheck" || e.Process != "mutate" || e.Operation != OpUpdate || e.Local["rating"] != 7.0 || e.Cause == nil {
			t.Fatalf("error handler got %+v", e)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the refused update never reached the error handler")
	}
	a.ev.wait(t, EventOutboxMutationProcessed, func(e Event) bool { return e.Data["element"].(map[string]any)["id"] == "next" })
	if got := a.store.Record("Post", "p"); got == nil || got["title"] != "b" || got["rating"] != 1.0 || got["_version"] != 2.0 {
		t.Fatalf("after the refusal the local record must be the server's copy, got %v", got)
	}
}

func TestAConflictHandlerThatFailsIsReportedAndTheMutationSentAgain(t *testing.T) {
	r := newRig(t, server.OptimisticConcurrency)
	a := r.peer(t, false, nil)
	a.write("Post", OpCreate, post("p", "v1", 1))
	a.start()
	a.drained()
	a.write("Post", OpUpdate, Record{"id": "p", "title": "v2"})
	a.drained()
	calls := 0
	b := r.peer(t, false, func(cfg *Config) {
		cfg.ConflictHandler = func(ctx context.Context, c Conflict) (Resolution, error) {
			calls++
			return Resolution{}, errors.New("handler broke")
		}
	})
	b.store.Put("Post", Record{"id": "p", "title": "v1", "rating": 1.0, "status": "ACTIVE", "_version": 1.0, "_lastChangedAt": 1.0})
	b.write("Post", OpUpdate, Record{"id": "p", "rating": 3.0})
	b.start()
	for i := range MaxConflictAttempts {
		select {
		case e := <-b.errs:
			if !strings.Contains(e.Message, "handler broke") || e.Process != "mutate" {
				t.Fatalf("report %d: %+v", i, e)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("only %d reports of the failing handler", i)
		}
	}
	b.drained()
	if calls != MaxConflictAttempts {
		t.Fatalf("handler called %d times, want %d", calls, MaxConflictAttempts)
	}
	if got := b.store.Record("Post", "p"); got["title"] != "v2" || got["rating"] != 1.0 {
		t.Fatalf("after 10 failed attempts the server's copy is kept, local is %v", got)
	}
}
