package syncengine_test

import (
	"context"
	"errors"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	. "github.com/datastore-wasm/datastore-wasm/syncengine"
)

// backoffs waits, on clock, for the retries attempts from..to-1 (jitter 0),
// advancing past each.
func backoffs(t *testing.T, clock *fakeClock, from, to int, max time.Duration) {
	t.Helper()
	for attempt := from; attempt < to; attempt++ {
		d := BackoffDelay(attempt, 0, max)
		clock.waitFor(t, func(x time.Duration) bool { return x == d })
		clock.advance(d)
	}
}

// Wake (the browser's online event) ends a mutation's retry wait at once;
// the attempt count stays, so a retry that fails again waits longer.
func TestWakeCutsAMutationsBackoffShort(t *testing.T) {
	r := newRig(t, "")
	clock := newFakeClock()
	a := r.peer(t, false, func(c *Config) {
		c.Clock = clock
		c.Jitter = func() float64 { return 0 }
	})
	a.start()
	a.drained()
	a.net.down.Store(true)
	a.write("Post", OpCreate, post("p", "offline", 1))
	backoffs(t, clock, 0, 3, MaxRetryDelay) // 100, 200, 400 ms
	d := BackoffDelay(3, 0, MaxRetryDelay)
	clock.waitFor(t, func(x time.Duration) bool { return x == d })

	a.eng.Wake() // still down: one retry now, then the next, longer wait
	d = BackoffDelay(4, 0, MaxRetryDelay)
	clock.waitFor(t, func(x time.Duration) bool { return x == d })

	a.net.down.Store(false)
	a.eng.Wake() // back online: sent now, not after the 1.6 s wait
	a.ev.wait(t, EventOutboxMutationProcessed, nil)
	if got := a.store.Record("Post", "p"); got["_version"] != 1.0 {
		t.Fatalf("p after the wake: %v", got)
	}
}

// refusing is a Dialer that fails while refuse is set.
type refusing struct {
	next   Dialer
	refuse atomic.Bool
}

func (d *refusing) Dial(ctx context.Context, url string, protos []string) (Conn, error) {
	if d.refuse.Load() {
		return nil, errors.New("connection refused")
	}
	return d.next.Dial(ctx, url, protos)
}

// Wake ends the wait before a reconnect at once, and the reconnect
// attempts keep counting.
func TestWakeCutsTheReconnectBackoffShort(t *testing.T) {
	r := newRig(t, "")
	clock := newFakeClock()
	d := &refusing{}
	d.refuse.Store(true)
	a := r.peer(t, true, func(c *Config) {
		c.Clock = clock
		c.Jitter = func() float64 { return 0 }
		d.next = c.Dialer
		c.Dialer = d
	})
	a.eng.Start()
	backoffs(t, clock, 0, 3, MaxReconnectDelay)
	wait := BackoffDelay(3, 0, MaxReconnectDelay)
	clock.waitFor(t, func(x time.Duration) bool { return x == wait })

	a.eng.Wake()
	wait = BackoffDelay(4, 0, MaxReconnectDelay)
	clock.waitFor(t, func(x time.Duration) bool { return x == wait })

	d.refuse.Store(false)
	a.eng.Wake()
	a.ev.wait(t, EventSubscriptionsEstablished, nil)
	a.ev.wait(t, EventReady, nil)
}

// A create applied whose answer was lost, refused as a duplicate when
// sent again, was delivered: it emits outboxMutationProcessed with the
// server's record, like any answered mutation.
func TestADuplicateCreateAfterALostAnswerIsProcessed(t *testing.T) {
	r := newRig(t, "")
	clock := newFakeClock()
	var creates atomic.Int32
	a := r.peer(t, false, func(c *Config) {
		real := c.Transport
		c.Clock = clock
		c.Jitter = func() float64 { return 0 }
		c.Transport = scripted(func(req Request) (Response, error) {
			resp, err := real.Do(context.Background(), req)
			if strings.Contains(string(req.Body), "createPost") && creates.Add(1) == 1 {
				return Response{}, errors.New("connection reset") // applied; the answer is lost
			}
			return resp, err
		})
	})
	a.start()
	a.write("Post", OpCreate, post("p", "once", 1))
	backoffs(t, clock, 0, 1, MaxRetryDelay)
	ev := a.ev.wait(t, EventOutboxMutationProcessed, nil)
	rec, _ := ev.Data["element"].(map[string]any)
	if rec["id"] != "p" || rec["_version"] != 1.0 || rec["title"] != "once" {
		t.Fatalf("outboxMutationProcessed carries %v; want the server's p, version 1", ev.Data)
	}
	a.drained()
	if got := a.store.Record("Post", "p"); got["_version"] != 1.0 {
		t.Fatalf("p takes the server's copy: %v", got)
	}
	select {
	case e := <-a.errs:
		t.Fatalf("a delivered create is not an error: %+v", e)
	default:
	}
}

// An update that reaches the outbox after an answer raised its record's
// local version (it was logged before that answer was merged) goes with
// the local version: sent with its own, older one, AUTOMERGE would keep
// the server's rating.
func TestAnUpdateQueuedWithAStaleVersionGoesWithTheLocalOne(t *testing.T) {
	r := newRig(t, "")
	a := r.peer(t, false, nil)
	a.write("Post", OpCreate, post("p", "v1", 1))
	a.start()
	a.drained()
	v1 := a.store.Record("Post", "p")
	after := copyOf(v1)
	after["rating"] = 5.0
	late, err := NewMutation(a.schema, "Post", OpUpdate, v1, after, nil)
	if err != nil {
		t.Fatal(err)
	}
	a.write("Post", OpUpdate, Record{"id": "p", "title": "v2"})
	a.drained()
	if got := a.store.Record("Post", "p"); got["_version"] != 2.0 {
		t.Fatalf("after the first update: %v", got)
	}
	if err := a.eng.Enqueue(t.Context(), late); err != nil {
		t.Fatal(err)
	}
	a.ev.wait(t, EventOutboxMutationProcessed, nil)
	a.drained()
	if got := a.store.Record("Post", "p"); got["_version"] != 3.0 || got["rating"] != 5.0 || got["title"] != "v2" {
		t.Fatalf("the late update must be applied, not merged away: %v", got)
	}
}
