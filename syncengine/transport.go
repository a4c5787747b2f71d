package syncengine

import (
	"context"
	"time"
)

// Request is one GraphQL HTTP request: POST URL with Header and the JSON
// Body {"query", "variables"}.
type Request struct {
	URL    string
	Header map[string]string
	Body   []byte
}

// Response is the HTTP status and body of a request's answer. Body is a
// string because the engine parses it in place: the parsed records' strings
// share its bytes instead of a copy each.
type Response struct {
	Status int
	Body   string
}

// Transport sends one GraphQL request. An error means no answer arrived
// (the network failed, the server is down); the engine retries those and
// answers with status >= 500 or 429 forever, with backoff.
type Transport interface {
	Do(ctx context.Context, req Request) (Response, error)
}

// Dialer opens WebSocket connections for the real-time client.
type Dialer interface {
	// Dial connects to url offering subprotocols; the server must pick
	// "graphql-ws".
	Dial(ctx context.Context, url string, subprotocols []string) (Conn, error)
}

// Conn is an open WebSocket carrying text frames.
type Conn interface {
	// Read returns the next text frame; an error means the socket closed.
	Read(ctx context.Context) ([]byte, error)
	Write(ctx context.Context, frame []byte) error
	Close() error
}

// Clock is the engine's time: Now and timers. Tests pass a fake one so
// backoff and keep-alive timeouts need no sleeping.
type Clock interface {
	Now() time.Time
	// After returns a channel that receives once d has passed.
	After(d time.Duration) <-chan time.Time
}

// SystemClock is the real clock.
type SystemClock struct{}

// Now implements Clock.
func (SystemClock) Now() time.Time { return time.Now() }

// After implements Clock.
func (SystemClock) After(d time.Duration) <-chan time.Time { return time.After(d) }
