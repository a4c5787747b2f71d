package syncengine

import (
	"context"
	"sync"
	"time"
)

// Backoff delays (Amplify's jitteredBackoff: 2^attempt × 100 ms plus up to
// 100 ms of jitter), capped.
const (
	backoffBase   = 100 * time.Millisecond
	backoffJitter = 100 * time.Millisecond
	// MaxRetryDelay caps the delay between retries of a mutation or sync
	// query (Amplify gives up past 5 minutes; the engine keeps retrying
	// every 5 minutes instead of dropping a mutation).
	MaxRetryDelay = 5 * time.Minute
	// MaxReconnectDelay caps the delay between reconnects
	// (RECONNECT_INTERVAL).
	MaxReconnectDelay = 60 * time.Second
)

// BackoffDelay is the delay before retry number attempt (0 first): 2^attempt
// × 100 ms + jitter × 100 ms, at most max. jitter is in [0, 1).
//
//go:noinline
func BackoffDelay(attempt int, jitter float64, max time.Duration) time.Duration {
	if attempt > 30 {
		return max
	}
	d := backoffBase<<attempt + time.Duration(jitter*float64(backoffJitter))
	if d > max || d <= 0 {
		return max
	}
	return d
}

// sleep waits d on the clock, or until ctx ends.
func sleep(ctx context.Context, c Clock, d time.Duration) error {
	select {
	case <-c.After(d):
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// wakeup is a broadcast: each fire ends every wait taken before it.
type wakeup struct {
	mu sync.Mutex
	ch chan struct{}
}

// wait returns a channel closed by the next fire.
func (w *wakeup) wait() <-chan struct{} {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.ch == nil {
		w.ch = make(chan struct{})
	}
	return w.ch
}

// fire ends the waits taken so far.
func (w *wakeup) fire() {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.ch != nil {
		close(w.ch)
		w.ch = nil
	}
}

// backoff waits d on the clock before a retry (a mutation's, a sync
// query's, a reconnect's), or less: until Wake (the browser went online)
// or ctx ends. A wait cut short by Wake does not reset the caller's
// attempt count, so failures after it still back off further.
func (e *Engine) backoff(ctx context.Context, d time.Duration) error {
	woken := e.wakeup.wait()
	select {
	case <-e.cfg.Clock.After(d):
		return nil
	case <-woken:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
