//go:build js && wasm

package main

import (
	"context"
	"errors"
	"syscall/js"
)

// awaitPromise waits for p from a goroutine (never from a callback). When
// ctx ends first, abort is called (may be nil) and the Promise's callbacks
// are released once it settles, since a released function must not be
// called.
func awaitPromise(ctx context.Context, p js.Value, abort func()) (js.Value, error) {
	type settled struct {
		v   js.Value
		err error
	}
	ch := make(chan settled, 1)
	onOK := js.FuncOf(func(_ js.Value, a []js.Value) any {
		ch <- settled{v: arg(a)}
		return nil
	})
	onErr := js.FuncOf(func(_ js.Value, a []js.Value) any {
		ch <- settled{err: jsErrorText(arg(a))}
		return nil
	})
	release := func() { onOK.Release(); onErr.Release() }
	p.Call("then", onOK, onErr)
	select {
	case s := <-ch:
		release()
		return s.v, s.err
	case <-ctx.Done():
		if abort != nil {
			abort()
		}
		go func() { <-ch; release() }()
		return js.Undefined(), ctx.Err()
	}
}

func arg(a []js.Value) js.Value {
	if len(a) == 0 {
		return js.Undefined()
	}
	return a[0]
}

// jsErrorText turns a rejection reason into a Go error.
func jsErrorText(v js.Value) error {
	if v.Type() == js.TypeObject && v.Get("message").Type() == js.TypeString {
		return errors.New(v.Get("message").String())
	}
	return errors.New(js.Global().Get("String").Invoke(v).String())
}
