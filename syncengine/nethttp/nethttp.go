// Package nethttp connects syncengine to the network natively: a
// Transport over net/http and a Dialer over github.com/coder/websocket.
// The browser does not use it (its wasm reaches the network through fetch
// and WebSocket), so syncengine itself links neither.
package nethttp

import (
	"bytes"
	"context"
	"io"
	"net/http"

	"github.com/coder/websocket"

	"github.com/datastore-wasm/datastore-wasm/syncengine"
)

// Transport sends GraphQL requests with an http.Client.
type Transport struct {
	// Client defaults to http.DefaultClient.
	Client *http.Client
}

// Do implements syncengine.Transport.
func (t Transport) Do(ctx context.Context, req syncengine.Request) (syncengine.Response, error) {
	hr, err := http.NewRequestWithContext(ctx, http.MethodPost, req.URL, bytes.NewReader(req.Body))
	if err != nil {
		return syncengine.Response{}, err
	}
	for k, v := range req.Header {
		hr.Header.Set(k, v)
	}
	c := t.Client
	if c == nil {
		c = http.DefaultClient
	}
	resp, err := c.Do(hr)
	if err != nil {
		return syncengine.Response{}, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return syncengine.Response{}, err
	}
	return syncengine.Response{Status: resp.StatusCode, Body: string(body)}, nil
}

// Dialer opens WebSockets with github.com/coder/websocket.
type Dialer struct {
	// Client is the HTTP client of the handshake (nil: the default).
	Client *http.Client
}

// Dial implements syncengine.Dialer.
func (d Dialer) Dial(ctx context.Context, url string, subprotocols []string) (syncengine.Conn, error) {
	ws, _, err := websocket.Dial(ctx, url, &websocket.DialOptions{Subprotocols: subprotocols, HTTPClient: d.Client})
	if err != nil {
		return nil, err
	}
	ws.SetReadLimit(16 << 20)
	return conn{ws}, nil
}

type conn struct{ ws *websocket.Conn }

func (c conn) Read(ctx context.Context) ([]byte, error) {
	for {
		typ, data, err := c.ws.Read(ctx)
		if err != nil {
			return nil, err
		}
		if typ == websocket.MessageText {
			return data, nil
		}
	}
}

func (c conn) Write(ctx context.Context, frame []byte) error {
	return c.ws.Write(ctx, websocket.MessageText, frame)
}

func (c conn) Close() error { return c.ws.Close(websocket.StatusNormalClosure, "") }
