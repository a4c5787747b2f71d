package syncengine

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"time"

	jv "github.com/datastore-wasm/datastore-wasm/internal/jsonvalue"
	"github.com/datastore-wasm/datastore-wasm/relation"
)

// Defaults of DataStore.configure (datastore.ts).
const (
	DefaultSyncPageSize     = 1000
	DefaultMaxRecordsToSync = 10000
	DefaultFullSyncInterval = 24 * time.Hour
	// MaxConflictAttempts: past this many ConflictUnhandled answers to one
	// mutation the conflict is discarded (Amplify's limit).
	MaxConflictAttempts = 10
)

// Conflict is what a conflict handler is given (Amplify's
// SyncConflict).
type Conflict struct {
	Model string
	// Local is the mutation's data as sent; Remote the server's record
	// (the error's data).
	Local, Remote Record
	// Operation is "INSERT", "UPDATE" or "DELETE".
	Operation string
	// Attempts counts the conflicts of this mutation so far (1 first).
	Attempts int
}

// Resolution is a conflict handler's answer: Discard (the server's copy
// is read and merged, the local change dropped), Record (sent instead,
// always with the server's _version: it resolves the conflict against the
// server's current copy), or neither: the default (DefaultConflictHandler).
type Resolution struct {
	Discard bool
	Record  Record
}

// ConflictHandler decides a ConflictUnhandled answer. It may wait (a
// user's handler in JavaScript returns a Promise) but must return when ctx
// ends. An error is reported to the error handler and the mutation is sent
// again unchanged (the next conflict counts as another attempt).
type ConflictHandler func(ctx context.Context, c Conflict) (Resolution, error)

// DefaultConflictHandler is Amplify's: retry the local data with the
// server's _version (the local change wins).
func DefaultConflictHandler(_ context.Context, c Conflict) (Resolution, error) {
	return Resolution{Record: copyRecord(c.Local)}, nil
}

// SyncError is what the error handler is given (Amplify's SyncError).
type SyncError struct {
	Message   string
	ErrorType string
	ErrorInfo any
	// Process is "mutate", "sync" or "subscribe".
	Process string
	// Operation is the outbox operation (mutate) or "" .
	Operation string
	Model     string
	// Local is the mutation's data; Remote the server's record, if any.
	Local, Remote Record
	Cause         error
}

// Config is an engine's configuration and its connections to the world.
type Config struct {
	Schema *relation.Schema
	// Endpoint is the GraphQL URL (https://host/graphql).
	Endpoint string
	// APIKey is sent as x-api-key when set.
	APIKey string
	// Headers, when set, gives extra headers for each request and for the
	// WebSocket's auth header (for example {"Authorization": token}).
	Headers func(ctx context.Context) (map[string]string, error)

	Transport Transport
	// Dialer opens the real-time WebSocket; nil runs without
	// subscriptions (sync queries and the outbox only).
	Dialer   Dialer
	Local    LocalStore
	Outbox   Outbox
	Metadata MetadataStore
	// Clock defaults to SystemClock; Jitter (values in [0,1)) to
	// math/rand.
	Clock  Clock
	Jitter func() float64

	SyncPageSize, MaxRecordsToSync int
	FullSyncInterval               time.Duration
	// SyncExpressions are the per-model predicates of selective sync.
	SyncExpressions map[string]*relation.Predicate
	ConflictHandler ConflictHandler
	// ErrorHandler receives what the server refuses and bad records; nil
	// ignores them.
	ErrorHandler func(SyncError)
	// OnEvent receives the Hub events; it must not block.
	OnEvent func(Event)
}

// Engine runs the sync of one DataStore.
type Engine struct {
	cfg    Config
	client *client
	docs   map[string]*Documents
	order  []*relation.Model
	filter map[string]map[string]any

	// unfiltered lists the models whose subscription filter the server
	// refused (AppSync's "RTF" errors): they subscribe without it and
	// filter on the client (mergeEvents re-checks every event anyway).
	unfilteredMu sync.Mutex
	unfiltered   map[string]bool

	// wake wakes an idle mutation processor; wakeup also ends the backoff
	// waits (Wake).
	wake   chan struct{}
	wakeup wakeup
	// mergeMu serialises merges into the local store.
	mergeMu sync.Mutex
	// held: per model and key, the latest record from the server that
	// was skipped while the local record had queued mutations (hold).
	heldMu sync.Mutex
	held   map[string]Record

	// check: the outbox head that may have reached the server unanswered.
	check deliveryCheck

	mu      sync.Mutex
	cancel  context.CancelFunc
	done    chan struct{}
	readied bool
}

// New checks cfg and returns a stopped engine.
func New(cfg Config) (*Engine, error) {
	if cfg.Schema == nil {
		return nil, errors.New("syncengine: Config.Schema is required")
	}
	if cfg.Endpoint == "" {
		return nil, errors.New("syncengine: Config.Endpoint is required (the GraphQL URL)")
	}
	if cfg.Transport == nil || cfg.Local == nil || cfg.Outbox == nil || cfg.Metadata == nil {
		return nil, errors.New("syncengine: Config needs a Transport, a LocalStore, an Outbox and a MetadataStore")
	}
	for name, p := range cfg.SyncExpressions {
		m := cfg.Schema.Model(name)
		if m == nil {
			return nil, fmt.Errorf("syncengine: a sync expression is given for model %s, which the schema does not have", name)
		}
		if err := relation.ValidatePredicate(m, p); err != nil {
			return nil, fmt.Errorf("syncengine: the sync expression of %s: %w", name, err)
		}
	}
	if cfg.Clock == nil {
		cfg.Clock = SystemClock{}
	}
	if cfg.Jitter == nil {
		cfg.Jitter = rand.Float64
	}
	if cfg.SyncPageSize <= 0 {
		cfg.SyncPageSize = DefaultSyncPageSize
	}
	if cfg.MaxRecordsToSync <= 0 {
		cfg.MaxRecordsToSync = DefaultMaxRecordsToSync
	}
	if cfg.FullSyncInterval <= 0 {
		cfg.FullSyncInterval = DefaultFullSyncInterval
	}
	if cfg.ConflictHandler == nil {
		cfg.ConflictHandler = DefaultConflictHandler
	}
	e := &Engine{cfg: cfg, docs: map[string]*Documents{}, filter: map[string]map[string]any{}, unfiltered: map[string]bool{}, wake: make(chan struct{}, 1)}
	e.client = &client{endpoint: cfg.Endpoint, t: cfg.Transport, headers: e.headers}
	for _, m := range SyncOrder(cfg.Schema) {
		e.order = append(e.order, m)
		e.docs[m.Name] = BuildDocuments(cfg.Schema, m)
		if p := cfg.SyncExpressions[m.Name]; p != nil {
			e.filter[m.Name] = GraphQLFilter(p)
		}
	}
	return e, nil
}

func (e *Engine) headers(ctx context.Context) (map[string]string, error) {
	h := map[string]string{}
	if e.cfg.APIKey != "" {
		h["x-api-key"] = e.cfg.APIKey
	}
	if e.cfg.Headers != nil {
		extra, err := e.cfg.Headers(ctx)
		if err != nil {
			return nil, err
		}
		for k, v := range extra {
			h[k] = v
		}
	}
	return h, nil
}

// SyncOrder lists the syncable models parents first: each model after the
// targets of its belongs-to relations (Amplify's modelTopologicalOrdering),
// otherwise in schema order.
func SyncOrder(s *relation.Schema) []*relation.Model {
	var out []*relation.Model
	state := map[string]int{}
	var visit func(m *relation.Model)
	visit = func(m *relation.Model) {
		if state[m.Name] != 0 {
			return
		}
		state[m.Name] = 1
		for _, parent := range syncParents(m) {
			visit(parent)
		}
		state[m.Name] = 2
		out = append(out, m)
	}
	for _, m := range s.Models {
		if m.Syncable {
			visit(m)
		}
	}
	return out
}

// syncParents lists the syncable models m belongs to (other than itself):
// m's records are merged after theirs.
func syncParents(m *relation.Model) []*relation.Model {
	var out []*relation.Model
	for _, r := range m.Relations {
		if r.Kind == relation.BelongsTo && r.Target != m && r.Target.Syncable {
			out = append(out, r.Target)
		}
	}
	return out
}

// Documents returns the GraphQL documents of model, or nil.
func (e *Engine) Documents(model string) *Documents { return e.docs[model] }

//go:noinline
func (e *Engine) emit(typ string, data map[string]any) {
	if e.cfg.OnEvent != nil {
		e.cfg.OnEvent(Event{Type: typ, Data: data})
	}
}

//go:noinline
func (e *Engine) report(se SyncError) {
	if e.cfg.ErrorHandler != nil {
		e.cfg.ErrorHandler(se)
	}
}

func (e *Engine) nowMs() int64 { return e.cfg.Clock.Now().UnixMilli() }

// Start starts syncing in the background: subscriptions, sync queries,
// then the outbox and the subscription events, restarting with backoff
// after a network failure. It returns at once; Stop ends it.
func (e *Engine) Start() {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.cancel != nil {
		return
	}
	ctx, cancel := context.WithCancel(context.Background())
	e.cancel, e.done = cancel, make(chan struct{})
	go e.loop(ctx, e.done)
}

// Stop stops syncing and waits until every goroutine of the engine has
// returned. The outbox keeps what was not sent.
func (e *Engine) Stop() {
	e.mu.Lock()
	cancel, done := e.cancel, e.done
	e.cancel, e.done = nil, nil
	e.mu.Unlock()
	if cancel == nil {
		return
	}
	cancel()
	<-done
}

// Enqueue queues a local mutation (merged with those queued for the same
// record), emits outboxMutationEnqueued and outboxStatus, and wakes the
// mutation processor.
func (e *Engine) Enqueue(ctx context.Context, ev MutationEvent) error {
	if e.docs[ev.Model] == nil {
		return fmt.Errorf("syncengine: model %s is not synced (not in the schema, or syncable: false)", ev.Model)
	}
	if err := e.cfg.Outbox.Enqueue(ctx, ev); err != nil {
		return err
	}
	e.emit(EventOutboxMutationEnqueued, map[string]any{"model": ev.Model, "element": ev.Data})
	e.emit(EventOutboxStatus, map[string]any{"isEmpty": false})
	e.wakeOutbox()
	return nil
}

// Wake tells the engine to try now (the browser went online, or another
// tab queued entries): an idle mutation processor looks at the outbox
// again, and a backoff wait in progress (a mutation's retry, a sync
// query's, the reconnect after a failed cycle) ends at once. The attempt
// counts stay, so a retry that fails again waits longer, with jitter, as
// before.
func (e *Engine) Wake() {
	e.wakeOutbox()
	e.wakeup.fire()
}

// wakeOutbox wakes the mutation processor when it waits for entries.
func (e *Engine) wakeOutbox() {
	select {
	case e.wake <- struct{}{}:
	default:
	}
}

// ForgetMetadata clears lastSync of every model (DataStore.clear): the
// next start runs a full sync.
func (e *Engine) ForgetMetadata(ctx context.Context) error {
	for _, m := range e.order {
		if err := e.cfg.Metadata.PutMetadata(ctx, ModelMetadata{Model: m.Name}); err != nil {
			return err
		}
	}
	return nil
}

func (e *Engine) loop(ctx context.Context, done chan struct{}) {
	defer close(done)
	attempt := 0
	for {
		reachedReady, err := e.cycle(ctx)
		if ctx.Err() != nil {
			return
		}
		e.emit(EventNetworkStatus, map[string]any{"active": false})
		if err != nil && !Retryable(err) {
			var rte *realtimeError
			if !errors.As(err, &rte) {
				e.report(SyncError{Message: err.Error(), Process: "sync", Cause: err})
			}
		}
		if reachedReady {
			attempt = 0
		}
		if e.backoff(ctx, BackoffDelay(attempt, e.cfg.Jitter(), MaxReconnectDelay)) != nil {
			return
		}
		attempt++
	}
}

// cycle is one online period: subscribe, sync, then drain the outbox and
// merge subscription events until something fails or ctx ends.
func (e *Engine) cycle(parent context.Context) (reachedReady bool, err error) {
	ctx, cancel := context.WithCancel(parent)
	defer cancel()
	e.emit(EventNetworkStatus, map[string]any{"active": true})
	var rt *realtimeClient
	if e.cfg.Dialer != nil {
		rt, err = e.subscribe(ctx)
		if err != nil {
			return false, err
		}
		defer rt.close()
		e.emit(EventSubscriptionsEstablished, nil)
	}
	if err := e.syncAll(ctx); err != nil {
		return false, err
	}
	e.mu.Lock()
	first := !e.readied
	e.readied = true
	e.mu.Unlock()
	if first {
		e.emit(EventReady, nil)
	}
	errs := make(chan error, 3)
	var wg sync.WaitGroup
	run := func(fn func(context.Context) error) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := fn(ctx); err != nil {
				errs <- err
				cancel()
			}
		}()
	}
	run(e.processMutations)
	run(e.fullSyncTimer)
	if rt != nil {
		run(rt.mergeEvents)
	}
	wg.Wait()
	select {
	case err = <-errs:
	default:
		err = ctx.Err()
	}
	return true, err
}

// fullSyncTimer runs the sync queries again when the next model's full
// sync is due.
func (e *Engine) fullSyncTimer(ctx context.Context) error {
	for {
		next := int64(-1)
		for _, m := range e.order {
			md, err := e.cfg.Metadata.GetMetadata(ctx, m.Name)
			if err != nil {
				return err
			}
			due := md.LastFullSync + e.cfg.FullSyncInterval.Milliseconds()
			if next < 0 || due < next {
				next = due
			}
		}
		if next < 0 {
			<-ctx.Done()
			return nil
		}
		wait := time.Duration(next-e.nowMs()) * time.Millisecond
		if wait < 0 {
			wait = 0
		}
		if err := sleep(ctx, e.cfg.Clock, wait+time.Millisecond); err != nil {
			return nil
		}
		if err := e.syncAll(ctx); err != nil {
			return err
		}
	}
}

func jsonText(v any) string {
	if v == nil {
		return ""
	}
	b, ok := jv.AppendCanonical(nil, v)
	if !ok { // NaN or an infinity: no canonical text, but still one text per value
		b = jv.Append(nil, v)
	}
	return string(b)
}
