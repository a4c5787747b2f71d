// Package server is datastore-server: a GraphQL server that speaks AppSync's
// DataStore protocol (SYNC-PROTOCOL.md) for a schema read by relation/, so
// that Amplify's own client, and ours, sync with it unchanged. Queries and
// mutations are served on /graphql, subscriptions on /graphql/realtime
// (AppSync's WebSocket protocol); state lives in a storage.Store (SQLite or
// PostgreSQL).
package server

import (
	"context"
	"fmt"
	"log"
	"runtime/debug"
	"sync"
	"time"

	"github.com/datastore-wasm/datastore-wasm/relation"
	"github.com/datastore-wasm/datastore-wasm/server/storage"
)

// Conflict handlers (AppSync's ConflictHandler without LAMBDA).
const (
	Automerge             = "AUTOMERGE"
	OptimisticConcurrency = "OPTIMISTIC_CONCURRENCY"
)

// Config is what a Server is made of. Zero durations and limits take the
// defaults of AppSync's transformer and of this server.
type Config struct {
	Schema *relation.Schema
	Store  storage.Store
	// APIKey every request must carry (x-api-key); "" accepts any.
	APIKey string
	// Conflict is the handler of every model without one in
	// ModelConflict; "" is AUTOMERGE.
	Conflict      string
	ModelConflict map[string]string
	// TombstoneTTL: how long a deleted record is kept (default 30 days).
	TombstoneTTL time.Duration
	// ChangeLogTTL: how far back delta sync reaches (default 30 minutes).
	ChangeLogTTL time.Duration
	// AllowOrigin is the CORS Access-Control-Allow-Origin ("" sends none).
	AllowOrigin string
	// MaxBodyBytes, MaxDepth and MaxFields limit a request (1 MiB, 15
	// levels, 2,000 fields).
	MaxBodyBytes        int64
	MaxDepth, MaxFields int
	// KeepAlive is the WebSocket ka interval (default 30 s); InitTimeout
	// how long a socket may wait before connection_init (default 15 s).
	KeepAlive, InitTimeout time.Duration
	Log                    *log.Logger
	// Now is the clock (tests); nil is time.Now.
	Now func() time.Time
}

// Server serves the generated API.
type Server struct {
	cfg   Config
	api   *api
	intro *introspection
	store storage.Store
	log   *log.Logger

	subsMu sync.Mutex
	subs   map[*subscription]struct{}

	stop context.CancelFunc
	done chan struct{}
}

// New checks cfg, generates the API and starts the purger and the event
// fan-out; Close stops them (the Store stays open: its owner closes it).
func New(cfg Config) (*Server, error) {
	if cfg.Schema == nil || cfg.Store == nil {
		return nil, fmt.Errorf("server: Config needs a Schema and a Store")
	}
	for _, c := range append([]string{cfg.Conflict}, values(cfg.ModelConflict)...) {
		if c != "" && c != Automerge && c != OptimisticConcurrency {
			return nil, fmt.Errorf("server: conflict handler %q is not AUTOMERGE or OPTIMISTIC_CONCURRENCY (LAMBDA is not supported)", c)
		}
	}
	for m := range cfg.ModelConflict {
		if cfg.Schema.Model(m) == nil {
			return nil, fmt.Errorf("server: a conflict handler is set for model %s, which the schema does not have", m)
		}
	}
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	def(&cfg.TombstoneTTL, 30*24*time.Hour)
	def(&cfg.ChangeLogTTL, 30*time.Minute)
	def(&cfg.KeepAlive, 30*time.Second)
	def(&cfg.InitTimeout, 15*time.Second)
	if cfg.MaxBodyBytes <= 0 {
		cfg.MaxBodyBytes = 1 << 20
	}
	if cfg.MaxDepth <= 0 {
		cfg.MaxDepth = 15
	}
	if cfg.MaxFields <= 0 {
		cfg.MaxFields = 2000
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Log == nil {
		cfg.Log = log.Default()
	}
	a, err := newAPI(cfg.Schema)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(context.Background())
	s := &Server{cfg: cfg, api: a, intro: &introspection{a.gql}, store: cfg.Store, log: cfg.Log,
		subs: map[*subscription]struct{}{}, stop: cancel, done: make(chan struct{})}
	s.store.Subscribe(ctx, s.dispatch)
	go s.purgeLoop(ctx)
	return s, nil
}

func values(m map[string]string) []string {
	var out []string
	for _, v := range m {
		out = append(out, v)
	}
	return out
}

// Close stops the background work and ends every subscription.
func (s *Server) Close() {
	s.stop()
	<-s.done
	s.subsMu.Lock()
	for sub := range s.subs {
		sub.conn.cancel()
	}
	s.subsMu.Unlock()
}

// SDL returns the generated API's schema text.
func (s *Server) SDL() string { return s.api.sdl }

func (s *Server) now() int64 { return s.cfg.Now().UnixMilli() }

func (s *Server) conflictHandler(model string) string {
	if c := s.cfg.ModelConflict[model]; c != "" {
		return c
	}
	if s.cfg.Conflict != "" {
		return s.cfg.Conflict
	}
	return Automerge
}

// purgeLoop removes expired tombstones and change-log entries.
func (s *Server) purgeLoop(ctx context.Context) {
	defer close(s.done)
	every := min(s.cfg.TombstoneTTL, s.cfg.ChangeLogTTL) / 2
	every = max(min(every, time.Minute), 100*time.Millisecond)
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			now := s.now()
			if err := s.store.Purge(ctx, now, now-s.cfg.ChangeLogTTL.Milliseconds()); err != nil && ctx.Err() == nil {
				s.log.Printf("datastore-server: purge: %v", err)
			}
		}
	}
}

// recovered logs a panic and turns it into an error for the response.
func (s *Server) recovered(r any) error {
	s.log.Printf("datastore-server: panic: %v\n%s", r, debug.Stack())
	return &fieldError{errorType: "InternalFailure", message: "An internal error occurred; the server logged it."}
}
