package syncengine_test

import (
	"sync"
	"testing"
	"time"

	. "github.com/datastore-wasm/datastore-wasm/syncengine"
)

// fakeClock is a Clock whose time moves only when a test advances it.
type fakeClock struct {
	mu      sync.Mutex
	now     time.Time
	waiters []fakeWaiter
	changed chan struct{}
}

type fakeWaiter struct {
	at time.Time
	d  time.Duration
	ch chan time.Time
}

func newFakeClock() *fakeClock {
	return &fakeClock{now: time.UnixMilli(1_700_000_000_000), changed: make(chan struct{}, 1)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) After(d time.Duration) <-chan time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	ch := make(chan time.Time, 1)
	c.waiters = append(c.waiters, fakeWaiter{at: c.now.Add(d), d: d, ch: ch})
	select {
	case c.changed <- struct{}{}:
	default:
	}
	return ch
}

// waitFor blocks until a timer of duration d exists (or fails after 10 s
// of real time: the engine never scheduled it).
func (c *fakeClock) waitFor(t *testing.T, pred func(time.Duration) bool) time.Duration {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		c.mu.Lock()
		for _, w := range c.waiters {
			if pred(w.d) {
				c.mu.Unlock()
				return w.d
			}
		}
		c.mu.Unlock()
		select {
		case <-c.changed:
		case <-time.After(50 * time.Millisecond):
		}
	}
	t.Fatal("the engine scheduled no matching timer")
	return 0
}

// advance moves time on by d and fires the timers due.
func (c *fakeClock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
	kept := c.waiters[:0]
	for _, w := range c.waiters {
		if !w.at.After(c.now) {
			w.ch <- c.now
			continue
		}
		kept = append(kept, w)
	}
	c.waiters = kept
}

// events records Hub events.
type events struct {
	mu   sync.Mutex
	list []Event
	ch   chan Event
}

func newEvents() *events { return &events{ch: make(chan Event, 10000)} }

func (e *events) on(ev Event) {
	e.mu.Lock()
	e.list = append(e.list, ev)
	e.mu.Unlock()
	e.ch <- ev
}

// wait returns the next event of type typ for which ok holds.
func (e *events) wait(t *testing.T, typ string, ok func(Event) bool) Event {
	t.Helper()
	timeout := time.After(20 * time.Second)
	for {
		select {
		case ev := <-e.ch:
			if ev.Type == typ && (ok == nil || ok(ev)) {
				return ev
			}
		case <-timeout:
			t.Fatalf("no %s event within 20 s", typ)
		}
	}
}

func (e *events) types() []string {
	e.mu.Lock()
	defer e.mu.Unlock()
	var out []string
	for _, ev := range e.list {
		out = append(out, ev.Type)
	}
	return out
}
