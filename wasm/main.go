//go:build js && wasm

// Command wasm is the bridge between the JavaScript module and the engine:
// it exports the functions of globalThis.__datastoreWasm, converts values
// (JSON strings both ways: one crossing per call, the cheapest conversion
// measured), turns long operations into Promises, and turns errors and
// panics into rejected Promises. It holds no DataStore logic of its own.
// The calls of a save's path are WebAssembly exports as well (direct.go):
// no scheduler round trip, text through Go's memory.
package main

import (
	"runtime/debug"
	"syscall/js"
)

func main() {
	// The heap is small and every operation allocates a little: collecting
	// at 4x the live heap instead of 2x halves the collections for a few
	// hundred KB more memory.
	debug.SetGCPercent(400)
	b := newBridge()
	direct = b
	exports := js.Global().Get("Object").New()
	for name, fn := range b.exports() {
		exports.Set(name, js.FuncOf(fn))
	}
	for name, fn := range b.syncExports() {
		exports.Set(name, js.FuncOf(fn))
	}
	js.Global().Set("__datastoreWasm", exports)
	if ready := js.Global().Get("__datastoreWasmReady"); ready.Type() == js.TypeFunction {
		ready.Invoke()
	}
	select {}
}
