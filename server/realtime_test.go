package server

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/datastore-wasm/datastore-wasm/server/storage"
)

type wsClient struct {
	t  *testing.T
	ws *websocket.Conn
}

// dial opens the real-time socket as aws-amplify >= 6.6 does: auth in a
// header-<base64url> subprotocol (or, with query, in ?header=).
func dialRealtime(t *testing.T, base, key string, query bool) *wsClient {
	t.Helper()
	hdr, _ := json.Marshal(map[string]string{"host": "127.0.0.1", "x-amz-date": "20261201T000000Z", "x-api-key": key})
	url := "ws" + strings.TrimPrefix(base, "http") + "/graphql/realtime"
	protos := []string{"graphql-ws"}
	if query {
		url += "?header=" + base64.StdEncoding.EncodeToString(hdr) + "&payload=e30="
	} else {
		protos = append(protos, "header-"+base64.RawURLEncoding.EncodeToString(hdr))
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	ws, resp, err := websocket.Dial(ctx, url, &websocket.DialOptions{Subprotocols: protos})
	if err != nil {
		t.Fatal(err)
	}
	if got := resp.Header.Get("Sec-WebSocket-Protocol"); got != "graphql-ws" {
		t.Fatalf("the server answered subprotocol %q, want graphql-ws", got)
	}
	c := &wsClient{t, ws}
	t.Cleanup(func() { ws.CloseNow() })
	return c
}

func (c *wsClient) send(m any) {
	c.t.Helper()
	b, _ := json.Marshal(m)
	if err := c.ws.Write(context.Background(), websocket.MessageText, b); err != nil {
		c.t.Fatal(err)
	}
}

// next reads the next message that is not a ka.
func (c *wsClient) next() map[string]any {
	c.t.Helper()
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		_, b, err := c.ws.Read(ctx)
		cancel()
		if err != nil {
			c.t.Fatalf("reading the socket: %v", err)
		}
		var m map[string]any
		json.Unmarshal(b, &m)
		if m["type"] != "ka" {
			return m
		}
	}
}

func (c *wsClient) init() {
	c.t.Helper()
	c.send(map[string]any{"type": "connection_init"})
	ack := c.next()
	p, _ := ack["payload"].(map[string]any)
	if ack["type"] != "connection_ack" || p["connectionTimeoutMs"] != float64(300000) {
		c.t.Fatalf("connection_ack: %v", ack)
	}
}

func (c *wsClient) start(id, query string, vars map[string]any, key string) {
	c.t.Helper()
	data, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	c.send(map[string]any{"id": id, "type": "start", "payload": map[string]any{
		"data": string(data), "extensions": map[string]any{"authorization": map[string]any{"host": "127.0.0.1", "x-api-key": key}}}})
}

const onCreatePost = `subscription operation { onCreatePost { id title rating _version _lastChangedAt _deleted } }`

func TestRealtimeDeliversFilteredEvents(t *testing.T) {
	eachStore(t, func(t *testing.T, open storeOpener) {
		h := newHarness(t, open(t), nil)
		c := dialRealtime(t, h.http.URL, h.key, false)
		c.init()
		c.start("s1", onCreatePost, nil, h.key)
		if m := c.next(); m["type"] != "start_ack" || m["id"] != "s1" {
			t.Fatalf("start_ack: %v", m)
		}
		c.start("s2", `subscription operation($filter: ModelSubscriptionPostFilterInput) { onCreatePost(filter: $filter) { id } }`,
			map[string]any{"filter": map[string]any{"rating": map[string]any{"gt": 3}}}, h.key)
		if m := c.next(); m["type"] != "start_ack" {
			t.Fatalf("start_ack: %v", m)
		}
		c.start("s3", `subscription operation { onDeleteComment { id post { id _deleted } } }`, nil, h.key)
		c.next()
		h.must(createPost, map[string]any{"input": post("low", "t", 1)}, "createPost")
		h.must(createPost, map[string]any{"input": post("high", "t", 5)}, "createPost")
		var got []string
		for range 3 {
			m := c.next()
			if m["type"] != "data" {
				t.Fatalf("want data, got %v", m)
			}
			d := m["payload"].(map[string]any)["data"].(map[string]any)["onCreatePost"].(map[string]any)
			got = append(got, m["id"].(string)+":"+d["id"].(string))
		}
		if strings.Join(got, " ") != "s1:low s1:high s2:high" {
			t.Fatalf("events: %v", got)
		}
		h.must(createComment, map[string]any{"input": map[string]any{"id": "c1", "postID": "high", "content": "x"}}, "createComment")
		h.must(deleteComment, map[string]any{"input": map[string]any{"id": "c1", "_version": 1}}, "deleteComment")
		m := c.next()
		d := m["payload"].(map[string]any)["data"].(map[string]any)["onDeleteComment"].(map[string]any)
		if m["id"] != "s3" || d["post"].(map[string]any)["id"] != "high" {
			t.Fatalf("onDeleteComment: %v", m)
		}
		c.send(map[string]any{"id": "s1", "type": "stop"})
		if m := c.next(); m["type"] != "complete" || m["id"] != "s1" {
			t.Fatalf("complete: %v", m)
		}
		h.must(createPost, map[string]any{"input": post("after", "t", 9)}, "createPost")
		if m := c.next(); m["id"] != "s2" {
			t.Fatalf("a stopped subscription still delivers: %v", m)
		}
	})
}

func TestRealtimeQueryParameterAuth(t *testing.T) {
	h := newHarness(t, sqliteStore(t), nil)
	c := dialRealtime(t, h.http.URL, h.key, true)
	c.init()
}

func TestRealtimeRejectsBadClients(t *testing.T) {
	h := newHarness(t, sqliteStore(t), func(c *Config) { c.InitTimeout = time.Second })
	bad := dialRealtime(t, h.http.URL, "wrong", false)
	bad.send(map[string]any{"type": "connection_init"})
	if m := bad.next(); m["type"] != "connection_error" || !strings.Contains(toJSON(m), "UnauthorizedException") {
		t.Fatalf("bad key: %v", m)
	}
	c := dialRealtime(t, h.http.URL, h.key, false)
	c.start("early", onCreatePost, nil, h.key)
	if m := c.next(); m["type"] != "error" {
		t.Fatalf("start before connection_init: %v", m)
	}
	c.send(map[string]any{"nonsense": true})
	if m := c.next(); m["type"] != "error" {
		t.Fatalf("a message without type: %v", m)
	}
	c.init()
	c.start("q", `subscription { onCreatePost { id nope } }`, nil, h.key)
	if m := c.next(); m["type"] != "error" || m["id"] != "q" {
		t.Fatalf("invalid subscription: %v", m)
	}
	c.start("k", onCreatePost, nil, "wrong")
	if m := c.next(); m["type"] != "error" || !strings.Contains(toJSON(m), "Unauthorized") {
		t.Fatalf("start with a wrong key: %v", m)
	}
	// A client that never sends connection_init is dropped.
	silent := dialRealtime(t, h.http.URL, h.key, false)
	if m := silent.next(); m["type"] != "connection_error" {
		t.Fatalf("silent client: %v", m)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if _, _, err := silent.ws.Read(ctx); err == nil {
		t.Fatal("the silent client's socket stays open")
	}
	// The others are still served.
	h.must(createPost, map[string]any{"input": post("p", "t", 1)}, "createPost")
}

func sqliteStore(t *testing.T) storage.Store {
	s, err := storage.OpenSQLite(context.Background(), filepath.Join(t.TempDir(), "test.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func toJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}
