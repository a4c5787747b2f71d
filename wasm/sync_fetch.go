//go:build js && wasm

package main

import (
	"context"
	"syscall/js"

	"github.com/datastore-wasm/datastore-wasm/syncengine"
)

// fetchTransport is the sync engine's Transport over the browser's fetch:
// one POST per GraphQL request, aborted when its context ends. It keeps
// net/http out of the wasm.
type fetchTransport struct{}

// Do implements syncengine.Transport. A fetch that rejects (offline, the
// server down, CORS) is a transport error, which the engine retries.
func (fetchTransport) Do(ctx context.Context, req syncengine.Request) (syncengine.Response, error) {
	global := js.Global()
	ac := global.Get("AbortController").New()
	headers := global.Get("Object").New()
	headers.Set("content-type", "application/json")
	for k, v := range req.Header {
		headers.Set(k, v)
	}
	init := global.Get("Object").New()
	init.Set("method", "POST")
	init.Set("headers", headers)
	init.Set("body", string(req.Body))
	init.Set("signal", ac.Get("signal"))
	init.Set("cache", "no-store")
	abort := func() { ac.Call("abort") }
	resp, err := awaitPromise(ctx, global.Call("fetch", req.URL, init), abort)
	if err != nil {
		return syncengine.Response{}, err
	}
	body, err := awaitPromise(ctx, resp.Call("text"), abort)
	if err != nil {
		return syncengine.Response{}, err
	}
	return syncengine.Response{Status: resp.Get("status").Int(), Body: body.String()}, nil
}
