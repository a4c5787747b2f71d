package server

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/coder/websocket"
	"github.com/datastore-wasm/datastore-wasm/server/storage"
	"github.com/vektah/gqlparser/v2/ast"
)

// AppSync's real-time protocol (SYNC-PROTOCOL §4) on /graphql/realtime:
// subprotocol graphql-ws, auth in the `header` query parameter or a
// `header-<base64url>` subprotocol, then connection_init / connection_ack,
// ka, start / start_ack / data / error / complete / stop.

// connectionTimeoutMs is what connection_ack announces: a client that hears
// nothing (no ka, no data) for this long reconnects.
const connectionTimeoutMs = 300000

// wsMessage is one protocol message, both ways.
type wsMessage struct {
	ID      string          `json:"id,omitempty"`
	Type    string          `json:"type"`
	Payload json.RawMessage `json:"payload,omitempty"`
}

// wsConn is one client socket.
type wsConn struct {
	srv    *Server
	ws     *websocket.Conn
	ctx    context.Context
	cancel context.CancelFunc
	// authorized: the handshake carried the right API key.
	authorized bool

	out    chan outMsg
	events chan storage.Change

	mu   sync.Mutex
	init bool
	subs map[string]*subscription
}

// subscription is one started subscription of a socket.
type subscription struct {
	conn   *wsConn
	id     string
	field  *ast.Field
	kind   rootKind
	model  string
	filter map[string]any
	doc    *ast.QueryDocument
	vars   map[string]any
}

// handshakeKey reads the API key from the `header` query parameter (older
// clients) or the `header-…` subprotocol (aws-amplify >= 6.6).
func handshakeKey(r *http.Request) string {
	decode := func(s string) map[string]any {
		for _, enc := range []*base64.Encoding{base64.RawURLEncoding, base64.URLEncoding, base64.StdEncoding, base64.RawStdEncoding} {
			if b, err := enc.DecodeString(s); err == nil {
				var m map[string]any
				if json.Unmarshal(b, &m) == nil {
					return m
				}
			}
		}
		return nil
	}
	var headers []map[string]any
	if h := r.URL.Query().Get("header"); h != "" {
		headers = append(headers, decode(h))
	}
	for _, list := range r.Header.Values("Sec-WebSocket-Protocol") {
		for _, p := range strings.Split(list, ",") {
			if p = strings.TrimSpace(p); strings.HasPrefix(p, "header-") {
				headers = append(headers, decode(strings.TrimPrefix(p, "header-")))
			}
		}
	}
	for _, h := range headers {
		if k, ok := h["x-api-key"].(string); ok {
			return k
		}
	}
	return ""
}

func (s *Server) serveRealtime(w http.ResponseWriter, r *http.Request) {
	ws, err := websocket.Accept(w, r, &websocket.AcceptOptions{
		Subprotocols: []string{"graphql-ws"},
		// Browser apps on any origin connect; the API key is the guard.
		InsecureSkipVerify: true,
	})
	if err != nil {
		return
	}
	ws.SetReadLimit(s.cfg.MaxBodyBytes)
	ctx, cancel := context.WithCancel(context.Background())
	c := &wsConn{srv: s, ws: ws, ctx: ctx, cancel: cancel, authorized: s.authorized(handshakeKey(r)),
		out: make(chan outMsg, 256), events: make(chan storage.Change, 4096), subs: map[string]*subscription{}}
	defer c.close()
	go c.writer()
	go c.deliver()
	initTimer := time.AfterFunc(s.cfg.InitTimeout, func() {
		c.mu.Lock()
		done := c.init
		c.mu.Unlock()
		if !done {
			c.send(wsMessage{Type: "connection_error", Payload: errorsPayload("BadRequestException", "connection_init was not sent in time", 400)})
			c.closeSoon(websocket.StatusPolicyViolation, "connection_init timeout")
		}
	})
	defer initTimer.Stop()
	for {
		_, data, err := ws.Read(ctx)
		if err != nil {
			return
		}
		if !c.handle(data) {
			return
		}
	}
}

func errorsPayload(errorType, message string, code int) json.RawMessage {
	e := map[string]any{"errorType": errorType, "message": message}
	if code != 0 {
		e["errorCode"] = code
	}
	b, _ := json.Marshal(map[string]any{"errors": []any{e}})
	return b
}

func (c *wsConn) send(m wsMessage) {
	b, _ := json.Marshal(m)
	c.enqueue(outMsg{data: b})
}

// outMsg is a frame for the writer, or (close set) the order to close.
type outMsg struct {
	data   []byte
	close  bool
	code   websocket.StatusCode
	reason string
}

func (c *wsConn) enqueue(m outMsg) {
	select {
	case c.out <- m:
	case <-c.ctx.Done():
	default:
		// A client that reads nothing any more: drop it rather than the server's memory.
		c.srv.log.Printf("datastore-server: realtime: a client is not reading; closing it")
		c.cancel()
	}
}

func (c *wsConn) writer() {
	for {
		select {
		case <-c.ctx.Done():
			return
		case m := <-c.out:
			if m.close {
				c.ws.Close(m.code, m.reason)
				c.cancel()
				return
			}
			wctx, cancel := context.WithTimeout(c.ctx, 10*time.Second)
			err := c.ws.Write(wctx, websocket.MessageText, m.data)
			cancel()
			if err != nil {
				c.cancel()
				return
			}
		}
	}
}

// closeSoon closes the socket after the messages queued before it.
func (c *wsConn) closeSoon(code websocket.StatusCode, reason string) {
	c.enqueue(outMsg{close: true, code: code, reason: reason})
}

func (c *wsConn) close() {
	c.cancel()
	c.srv.subsMu.Lock()
	c.mu.Lock()
	for _, sub := range c.subs {
		delete(c.srv.subs, sub)
	}
	c.subs = map[string]*subscription{}
	c.mu.Unlock()
	c.srv.subsMu.Unlock()
	c.ws.CloseNow()
}

func (c *wsConn) keepAlive() {
	t := time.NewTicker(c.srv.cfg.KeepAlive)
	defer t.Stop()
	for {
		select {
		case <-c.ctx.Done():
			return
		case <-t.C:
			c.send(wsMessage{Type: "ka"})
		}
	}
}

// handle processes one client message; false ends the connection.
func (c *wsConn) handle(data []byte) (ok bool) {
	defer func() {
		if r := recover(); r != nil {
			err := c.srv.recovered(r)
			c.send(wsMessage{Type: "error", Payload: errorsPayload("InternalFailure", err.Error(), 500)})
			ok = true
		}
	}()
	var m wsMessage
	if err := json.Unmarshal(data, &m); err != nil || m.Type == "" {
		c.send(wsMessage{Type: "error", Payload: errorsPayload("BadRequestException", "Every message must be a JSON object with a type.", 400)})
		return true
	}
	switch m.Type {
	case "connection_init":
		if !c.authorized {
			c.send(wsMessage{Type: "connection_error", Payload: errorsPayload("UnauthorizedException", "You are not authorized to make this call.", 401)})
			c.closeSoon(websocket.StatusPolicyViolation, "unauthorized")
			return true
		}
		c.mu.Lock()
		first := !c.init
		c.init = true
		c.mu.Unlock()
		c.send(wsMessage{Type: "connection_ack", Payload: json.RawMessage(`{"connectionTimeoutMs":300000}`)})
		c.send(wsMessage{Type: "ka"})
		if first {
			go c.keepAlive()
		}
	case "start":
		c.start(m)
	case "stop":
		c.stop(m.ID)
		c.send(wsMessage{ID: m.ID, Type: "complete"})
	case "ka", "connection_terminate":
		if m.Type == "connection_terminate" {
			return false
		}
	default:
		c.send(wsMessage{ID: m.ID, Type: "error", Payload: errorsPayload("UnsupportedOperation", "Unknown message type "+m.Type+".", 400)})
	}
	return true
}

func (c *wsConn) startError(id, errorType, message string) {
	c.send(wsMessage{ID: id, Type: "error", Payload: errorsPayload(errorType, message, 400)})
}

func (c *wsConn) start(m wsMessage) {
	c.mu.Lock()
	inited := c.init
	_, dup := c.subs[m.ID]
	c.mu.Unlock()
	switch {
	case !inited:
		c.startError(m.ID, "BadRequestException", "Send connection_init before start.")
		return
	case m.ID == "":
		c.startError("", "BadRequestException", "A start message needs an id.")
		return
	case dup:
		c.startError(m.ID, "BadRequestException", "A subscription with id "+m.ID+" is already started.")
		return
	}
	var p struct {
		Data       string `json:"data"`
		Extensions struct {
			Authorization map[string]any `json:"authorization"`
		} `json:"extensions"`
	}
	if err := json.Unmarshal(m.Payload, &p); err != nil {
		c.startError(m.ID, "BadRequestException", "payload must be {data: <JSON string>, extensions: {authorization}}.")
		return
	}
	if key, ok := p.Extensions.Authorization["x-api-key"].(string); ok && !c.srv.authorized(key) {
		c.send(wsMessage{ID: m.ID, Type: "error", Payload: errorsPayload("UnauthorizedException", "You are not authorized to make this call.", 401)})
		return
	}
	var req request
	d := json.NewDecoder(strings.NewReader(p.Data))
	d.UseNumber()
	if err := d.Decode(&req); err != nil {
		c.startError(m.ID, "BadRequestException", "payload.data must be a JSON string of {query, variables}.")
		return
	}
	vars, err := decodeVariables(req.Variables)
	if err != nil {
		c.startError(m.ID, "BadRequestException", err.Error())
		return
	}
	doc, op, vars, errs := c.srv.prepare(req.Query, req.OperationName, vars)
	if errs != nil {
		b, _ := json.Marshal(map[string]any{"errors": errs})
		c.send(wsMessage{ID: m.ID, Type: "error", Payload: b})
		return
	}
	ex := &execution{ctx: c.ctx, srv: c.srv, doc: doc, vars: vars}
	fields := ex.collect(op.SelectionSet, "Subscription", nil)
	if op.Operation != ast.Subscription || len(fields) != 1 {
		c.startError(m.ID, "BadRequestException", "Start one subscription field per start message (for example onCreatePost).")
		return
	}
	f := fields[0]
	rf, ok := c.srv.api.roots[f.Name]
	if !ok {
		c.startError(m.ID, "BadRequestException", "Unknown subscription "+f.Name+".")
		return
	}
	filter, _ := f.ArgumentMap(vars)["filter"].(map[string]any)
	sub := &subscription{conn: c, id: m.ID, field: f, kind: rf.kind, model: rf.model.Name, filter: filter, doc: doc, vars: vars}
	c.srv.subsMu.Lock()
	c.mu.Lock()
	c.subs[m.ID] = sub
	c.mu.Unlock()
	c.srv.subs[sub] = struct{}{}
	c.srv.subsMu.Unlock()
	c.send(wsMessage{ID: m.ID, Type: "start_ack"})
}

func (c *wsConn) stop(id string) {
	c.srv.subsMu.Lock()
	c.mu.Lock()
	if sub := c.subs[id]; sub != nil {
		delete(c.subs, id)
		delete(c.srv.subs, sub)
	}
	c.mu.Unlock()
	c.srv.subsMu.Unlock()
}

var opKinds = map[string]rootKind{"create": rootOnCreate, "update": rootOnUpdate, "delete": rootOnDelete}

// dispatch hands a committed change to every socket with a subscription
// for it; each socket renders and sends its events in commit order.
func (s *Server) dispatch(ch storage.Change) {
	kind := opKinds[ch.Op]
	s.subsMu.Lock()
	conns := map[*wsConn]bool{}
	for sub := range s.subs {
		if sub.model == ch.Model && sub.kind == kind {
			conns[sub.conn] = true
		}
	}
	s.subsMu.Unlock()
	for c := range conns {
		select {
		case c.events <- ch:
		default:
			s.log.Printf("datastore-server: realtime: a client is %d events behind; closing it", cap(c.events))
			c.cancel()
		}
	}
}

// deliver renders each event for the socket's matching subscriptions.
func (c *wsConn) deliver() {
	for {
		select {
		case <-c.ctx.Done():
			return
		case ch := <-c.events:
			c.render(ch)
		}
	}
}

func (c *wsConn) render(ch storage.Change) {
	m := c.srv.cfg.Schema.Model(ch.Model)
	if m == nil {
		return
	}
	it, err := decodeItem(m, ch.Data)
	if err != nil {
		c.srv.log.Printf("datastore-server: realtime: %v", err)
		return
	}
	kind := opKinds[ch.Op]
	c.mu.Lock()
	var subs []*subscription
	for _, sub := range c.subs {
		if sub.model == ch.Model && sub.kind == kind && (sub.filter == nil || matches(sub.filter, it.data)) {
			subs = append(subs, sub)
		}
	}
	c.mu.Unlock()
	for _, sub := range subs {
		ex := &execution{ctx: c.ctx, srv: c.srv, doc: sub.doc, vars: sub.vars}
		key := sub.field.Alias
		if key == "" {
			key = sub.field.Name
		}
		data := &orderedMap{}
		data.set(key, ex.complete(it, sub.field, []any{key}))
		payload, err := json.Marshal(response{Data: data, Errors: ex.errors})
		if err != nil {
			if !errors.Is(err, context.Canceled) {
				c.srv.log.Printf("datastore-server: realtime: %v", err)
			}
			continue
		}
		c.send(wsMessage{ID: sub.id, Type: "data", Payload: payload})
	}
}
