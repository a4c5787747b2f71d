//go:build js && wasm

package main

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"syscall/js"

	"github.com/datastore-wasm/datastore-wasm/syncengine"
)

// socketDialer is the sync engine's Dialer over the browser's WebSocket.
type socketDialer struct{}

// socketConn is an open browser WebSocket. Frames arrive in JavaScript
// callbacks and wait in queue until Read takes them.
type socketConn struct {
	ws    js.Value
	funcs []js.Func

	mu     sync.Mutex
	queue  [][]byte
	closed error
	notify chan struct{} // a frame arrived or the socket closed
	opened chan struct{}
}

// Dial implements syncengine.Dialer.
func (socketDialer) Dial(ctx context.Context, url string, subprotocols []string) (syncengine.Conn, error) {
	protos := make([]any, len(subprotocols))
	for i, p := range subprotocols {
		protos[i] = p
	}
	var ws js.Value
	if err := jsCall(func() { ws = js.Global().Get("WebSocket").New(url, js.ValueOf(protos)) }); err != nil {
		return nil, err
	}
	c := &socketConn{ws: ws, notify: make(chan struct{}, 1), opened: make(chan struct{})}
	on := func(event string, fn func(js.Value)) {
		f := js.FuncOf(func(_ js.Value, a []js.Value) any { fn(arg(a)); return nil })
		c.funcs = append(c.funcs, f)
		ws.Set(event, f)
	}
	var openOnce sync.Once
	on("onopen", func(js.Value) { openOnce.Do(func() { close(c.opened) }) })
	on("onmessage", func(ev js.Value) {
		data := ev.Get("data")
		if data.Type() != js.TypeString {
			return // the protocol uses text frames only
		}
		c.mu.Lock()
		c.queue = append(c.queue, []byte(data.String()))
		c.mu.Unlock()
		c.wake()
	})
	on("onclose", func(ev js.Value) {
		c.fail(fmt.Errorf("the WebSocket closed (code %d)", ev.Get("code").Int()))
		openOnce.Do(func() { close(c.opened) })
	})
	on("onerror", func(js.Value) {
		c.fail(errors.New("the WebSocket failed (the server is unreachable or refused it)"))
		openOnce.Do(func() { close(c.opened) })
	})
	select {
	case <-c.opened:
	case <-ctx.Done():
		c.Close()
		return nil, ctx.Err()
	}
	c.mu.Lock()
	err := c.closed
	c.mu.Unlock()
	if err != nil {
		c.Close()
		return nil, err
	}
	if got := ws.Get("protocol").String(); got != "graphql-ws" {
		c.Close()
		return nil, fmt.Errorf("the real-time server picked the subprotocol %q; it must be graphql-ws", got)
	}
	return c, nil
}

func (c *socketConn) wake() {
	select {
	case c.notify <- struct{}{}:
	default:
	}
}

func (c *socketConn) fail(err error) {
	c.mu.Lock()
	if c.closed == nil {
		c.closed = err
	}
	c.mu.Unlock()
	c.wake()
}

// Read implements syncengine.Conn: queued frames first, then the close.
func (c *socketConn) Read(ctx context.Context) ([]byte, error) {
	for {
		c.mu.Lock()
		if len(c.queue) > 0 {
			f := c.queue[0]
			c.queue = c.queue[1:]
			c.mu.Unlock()
			return f, nil
		}
		err := c.closed
		c.mu.Unlock()
		if err != nil {
			return nil, err
		}
		select {
		case <-c.notify:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
}

// Write implements syncengine.Conn.
func (c *socketConn) Write(_ context.Context, frame []byte) error {
	c.mu.Lock()
	err := c.closed
	c.mu.Unlock()
	if err != nil {
		return err
	}
	if c.ws.Get("readyState").Int() != 1 {
		return errors.New("the WebSocket is not open")
	}
	return jsCall(func() { c.ws.Call("send", string(frame)) })
}

// Close implements syncengine.Conn. The handlers are detached before their
// functions are released, so no late event calls a released function.
func (c *socketConn) Close() error {
	c.fail(errors.New("the WebSocket was closed"))
	for _, event := range []string{"onopen", "onmessage", "onclose", "onerror"} {
		c.ws.Set(event, js.Null())
	}
	_ = jsCall(func() { c.ws.Call("close") })
	for _, f := range c.funcs {
		f.Release()
	}
	c.funcs = nil
	return nil
}

// jsCall runs fn, turning a JavaScript exception into an error.
func jsCall(fn func()) (err error) {
	defer func() {
		if r := recover(); r != nil {
			if je, ok := r.(js.Error); ok {
				err = errors.New(je.Value.Get("message").String())
				return
			}
			err = fmt.Errorf("%v", r)
		}
	}()
	fn()
	return nil
}
