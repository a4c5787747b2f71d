package syncengine

import (
	"context"
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	jv "github.com/datastore-wasm/datastore-wasm/internal/jsonvalue"
	"github.com/datastore-wasm/datastore-wasm/relation"
)

// Real-time protocol timing (SYNC-PROTOCOL §4).
const (
	// AckTimeout bounds the wait for connection_ack and for each
	// start_ack (CONNECTION_INIT_TIMEOUT, START_ACK_TIMEOUT).
	AckTimeout = 15 * time.Second
	// DefaultConnectionTimeout is the keep-alive timeout when
	// connection_ack gives no connectionTimeoutMs.
	DefaultConnectionTimeout = 300 * time.Second
)

// RealtimeURL derives the WebSocket URL from the GraphQL endpoint as
// Amplify's getRealtimeEndpointUrl does: an AppSync domain
// (<id>.appsync-api.<region>.amazonaws.com/graphql) becomes
// appsync-realtime-api, any other gets /realtime appended; https:// becomes
// wss://. Unlike Amplify v6 (which makes every URL wss://), http:// becomes
// ws://, so a local server without TLS works.
func RealtimeURL(endpoint string) string {
	u := endpoint
	if strings.HasPrefix(u, "https://") && strings.HasSuffix(u, "/graphql") && strings.Contains(u, ".appsync-api.") &&
		(strings.Contains(u, ".amazonaws.com/") || strings.Contains(u, ".amazonaws.com.cn/")) {
		u = strings.Replace(u, ".appsync-api.", ".appsync-realtime-api.", 1)
	} else {
		u += "/realtime"
	}
	if rest, ok := strings.CutPrefix(u, "https://"); ok {
		return "wss://" + rest
	}
	if rest, ok := strings.CutPrefix(u, "http://"); ok {
		return "ws://" + rest
	}
	return u
}

// endpointHost is the host (with port) of a URL.
func endpointHost(endpoint string) string {
	h := endpoint
	if i := strings.Index(h, "://"); i >= 0 {
		h = h[i+3:]
	}
	if i := strings.IndexAny(h, "/?#"); i >= 0 {
		h = h[:i]
	}
	return h
}

// RealtimeHandshake is what opening the socket sends: the URL with the
// header and payload query parameters (standard base64 of the auth header
// JSON, and of {}), and the subprotocols graphql-ws and
// header-<base64url of the same JSON, unpadded>. Both auth styles are
// sent, so servers reading either accept it.
func RealtimeHandshake(endpoint string, auth map[string]any) (url string, subprotocols []string) {
	text := jsonText(auth)
	url = RealtimeURL(endpoint) + "?header=" + base64.StdEncoding.EncodeToString([]byte(text)) + "&payload=e30="
	return url, []string{"graphql-ws", "header-" + base64.RawURLEncoding.EncodeToString([]byte(text))}
}

// realtimeError is a socket failure: the cycle restarts with backoff.
type realtimeError struct{ msg string }

func (e *realtimeError) Error() string { return "real-time connection: " + e.msg }

type subInfo struct {
	model *relation.Model
	field string
}

type remoteEvent struct {
	model *relation.Model
	rec   Record
}

// realtimeClient is one WebSocket with every model's subscriptions.
type realtimeClient struct {
	e       *Engine
	conn    Conn
	subs    map[string]subInfo
	timeout time.Duration
	frames  chan []byte
	readErr chan error
	cancel  context.CancelFunc
	wg      sync.WaitGroup

	mu     sync.Mutex
	queue  []remoteEvent
	notify chan struct{}
	failed error
}

// auth is the header object of the handshake and of each start message.
func (e *Engine) auth(ctx context.Context) (map[string]any, error) {
	h, err := e.headers(ctx)
	if err != nil {
		return nil, err
	}
	out := map[string]any{"host": endpointHost(e.cfg.Endpoint), "x-amz-date": amzDate(e.cfg.Clock.Now())}
	for k, v := range h {
		out[strings.ToLower(k)] = v
	}
	return out, nil
}

// subscribe opens the socket, starts three subscriptions per model and
// waits for every start_ack. Events arriving from then on are queued until
// mergeEvents merges them (after the sync queries).
func (e *Engine) subscribe(parent context.Context) (*realtimeClient, error) {
	auth, err := e.auth(parent)
	if err != nil {
		return nil, err
	}
	url, protocols := RealtimeHandshake(e.cfg.Endpoint, auth)
	conn, err := e.cfg.Dialer.Dial(parent, url, protocols)
	if err != nil {
		return nil, &realtimeError{"dial " + url + ": " + err.Error()}
	}
	ctx, cancel := context.WithCancel(parent)
	rt := &realtimeClient{e: e, conn: conn, subs: map[string]subInfo{}, frames: make(chan []byte, 64), readErr: make(chan error, 1),
		cancel: cancel, notify: make(chan struct{}, 1), timeout: DefaultConnectionTimeout}
	rt.wg.Add(1)
	go rt.read(ctx)
	if err := rt.handshake(ctx, auth); err != nil {
		rt.close()
		return nil, err
	}
	rt.wg.Add(1)
	go rt.pump(ctx)
	return rt, nil
}

func (rt *realtimeClient) read(ctx context.Context) {
	defer rt.wg.Done()
	for {
		frame, err := rt.conn.Read(ctx)
		if err != nil {
			rt.readErr <- err
			return
		}
		select {
		case rt.frames <- frame:
		case <-ctx.Done():
			return
		}
	}
}

// next returns the next message, failing after timeout without one.
func (rt *realtimeClient) next(ctx context.Context, timeout time.Duration, waiting string) (map[string]any, error) {
	timer := rt.e.cfg.Clock.After(timeout)
	for {
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case err := <-rt.readErr:
			return nil, &realtimeError{"closed: " + err.Error()}
		case <-timer:
			return nil, &realtimeError{fmt.Sprintf("no %s within %v", waiting, timeout)}
		case frame := <-rt.frames:
			msg, err := jv.ParseObject(frame)
			if err != nil || msg == nil {
				continue // not a protocol message; AppSync sends none
			}
			return msg, nil
		}
	}
}

func (rt *realtimeClient) write(ctx context.Context, msg map[string]any) error {
	if err := rt.conn.Write(ctx, jv.Append(nil, msg)); err != nil {
		return &realtimeError{"write: " + err.Error()}
	}
	return nil
}

func (rt *realtimeClient) handshake(ctx context.Context, auth map[string]any) error {
	if err := rt.write(ctx, map[string]any{"type": "connection_init"}); err != nil {
		return err
	}
	for acked := false; !acked; {
		msg, err := rt.next(ctx, AckTimeout, "connection_ack")
		if err != nil {
			return err
		}
		switch msg["type"] {
		case "connection_ack":
			acked = true
			if p, ok := msg["payload"].(map[string]any); ok {
				if ms, ok := p["connectionTimeoutMs"].(float64); ok && ms > 0 {
					rt.timeout = time.Duration(ms) * time.Millisecond
				}
			}
		case "connection_error":
			return fmt.Errorf("the real-time endpoint refused the connection: %s", string(jv.Append(nil, msg["payload"])))
		}
	}
	startAuth := copyAny(auth)
	startAuth["x-amz-user-agent"] = UserAgent
	n := 0
	for _, m := range rt.e.order {
		filter := rt.e.filter[m.Name]
		rt.e.unfilteredMu.Lock()
		if rt.e.unfiltered[m.Name] {
			filter = nil
		}
		rt.e.unfilteredMu.Unlock()
		for _, s := range rt.e.docs[m.Name].Subscriptions(filter != nil) {
			n++
			id := m.Name + "-" + s.Field + "-" + strconv.Itoa(n)
			rt.subs[id] = subInfo{model: m, field: s.Field}
			vars := map[string]any{}
			if filter != nil {
				vars["filter"] = filter
			}
			data := string(jv.Append(nil, map[string]any{"query": s.Query, "variables": vars}))
			if err := rt.write(ctx, map[string]any{"id": id, "type": "start",
				"payload": map[string]any{"data": data, "extensions": map[string]any{"authorization": startAuth}}}); err != nil {
				return err
			}
		}
	}
	acks := map[string]bool{}
	for len(acks) < len(rt.subs) {
		msg, err := rt.next(ctx, AckTimeout, "start_ack")
		if err != nil {
			return err
		}
		id, _ := msg["id"].(string)
		switch msg["type"] {
		case "start_ack":
			if _, ok := rt.subs[id]; ok {
				acks[id] = true
			}
		case "error":
			text := string(jv.Append(nil, msg["payload"]))
			if info, ok := rt.subs[id]; ok && refusesFilter(text) {
				rt.e.unfilteredMu.Lock()
				rt.e.unfiltered[info.model.Name] = true
				rt.e.unfilteredMu.Unlock()
				return &realtimeError{"the server refused the filter of " + id + "; subscribing again without it"}
			}
			return fmt.Errorf("the server refused subscription %s: %s", id, text)
		case "data":
			rt.handle(msg)
		}
	}
	return nil
}

// amzDate writes t as YYYYMMDDTHHMMSSZ (UTC) without time.Format, which
// the wasm does not link otherwise.
func amzDate(t time.Time) string {
	t = t.UTC()
	y, mo, d := t.Date()
	h, mi, sec := t.Clock()
	b := make([]byte, 0, 16)
	pad := func(n, width int) {
		s := strconv.Itoa(n)
		for range width - len(s) {
			b = append(b, '0')
		}
		b = append(b, s...)
	}
	pad(y, 4)
	pad(int(mo), 2)
	pad(d, 2)
	b = append(b, 'T')
	pad(h, 2)
	pad(mi, 2)
	pad(sec, 2)
	return string(append(b, 'Z'))
}

// refusesFilter reports whether a subscription error is one of AppSync's
// refusals of a subscription filter (the messages Amplify's subscription
// processor matches to resubscribe without it).
func refusesFilter(text string) bool {
	for _, m := range []string{"UnknownArgument: Unknown field argument filter",
		"Filters exceed maximum attributes limit", "Filters combination exceed maximum limit",
		"filter uses same fieldName multiple time", "The variables input contains a field name 'not'",
		"The variables input contains a field that is not defined for input object type"} {
		if strings.Contains(text, m) {
			return true
		}
	}
	return false
}

func copyAny(m map[string]any) map[string]any {
	out := make(map[string]any, len(m)+1)
	for k, v := range m {
		out[k] = v
	}
	return out
}

// pump reads messages until the socket fails or goes quiet for longer
// than the keep-alive timeout, queueing data events.
func (rt *realtimeClient) pump(ctx context.Context) {
	defer rt.wg.Done()
	for {
		msg, err := rt.next(ctx, rt.timeout, "keep-alive")
		if err != nil {
			rt.fail(err)
			return
		}
		switch msg["type"] {
		case "data":
			rt.handle(msg)
		case "error":
			id, _ := msg["id"].(string)
			if _, known := rt.subs[id]; known {
				rt.fail(fmt.Errorf("subscription %s failed: %s", id, string(jv.Append(nil, msg["payload"]))))
				return
			}
			// AppSync sometimes sends an error without an id: ignored.
		}
	}
}

func (rt *realtimeClient) fail(err error) {
	rt.mu.Lock()
	if rt.failed == nil {
		rt.failed = err
	}
	rt.mu.Unlock()
	rt.signal()
}

func (rt *realtimeClient) signal() {
	select {
	case rt.notify <- struct{}{}:
	default:
	}
}

// handle queues a data message's record.
func (rt *realtimeClient) handle(msg map[string]any) {
	id, _ := msg["id"].(string)
	info, ok := rt.subs[id]
	if !ok {
		return
	}
	payload, _ := msg["payload"].(map[string]any)
	if errs, ok := payload["errors"].([]any); ok && len(errs) > 0 {
		rt.e.report(SyncError{Message: string(jv.Append(nil, errs)), ErrorType: "Unknown", Process: "subscribe", Model: info.model.Name})
		return
	}
	data, _ := payload["data"].(map[string]any)
	rec, _ := data[info.field].(map[string]any)
	if rec == nil {
		return
	}
	rt.mu.Lock()
	rt.queue = append(rt.queue, remoteEvent{model: info.model, rec: rec})
	rt.mu.Unlock()
	rt.signal()
}

// mergeEvents merges queued events in arrival order until ctx ends or the
// socket fails (then the cycle restarts and a delta sync catches up).
func (rt *realtimeClient) mergeEvents(ctx context.Context) error {
	for {
		rt.mu.Lock()
		batch, failed := rt.queue, rt.failed
		rt.queue = nil
		rt.mu.Unlock()
		for _, ev := range batch {
			if p := rt.e.cfg.SyncExpressions[ev.model.Name]; p != nil {
				if local, err := LocalForm(rt.e.cfg.Schema, ev.model, ev.rec); err == nil && !p.Matches(local) {
					continue
				}
			}
			if err := rt.e.mergeOne(ctx, ev.model, ev.rec, "subscribe"); err != nil {
				return err
			}
		}
		if failed != nil {
			return failed
		}
		select {
		case <-ctx.Done():
			return nil
		case <-rt.notify:
		}
	}
}

// close stops every subscription and closes the socket.
func (rt *realtimeClient) close() {
	// WithCancel and a timer rather than WithTimeout: a timerCtx would link time's formatting
	// into the wasm (issue 14).
	stopCtx, cancel := context.WithCancel(context.Background())
	timer := time.AfterFunc(time.Second, cancel)
	rt.mu.Lock()
	failed := rt.failed != nil
	rt.mu.Unlock()
	if !failed {
		for id := range rt.subs {
			if rt.conn.Write(stopCtx, jv.Append(nil, map[string]any{"id": id, "type": "stop"})) != nil {
				break
			}
		}
	}
	timer.Stop()
	cancel()
	rt.cancel()
	_ = rt.conn.Close()
	rt.wg.Wait()
}
