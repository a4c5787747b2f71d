//go:build js && wasm

package main

import (
	"encoding/hex"
	"sync"
	"syscall/js"
)

// uuidPool makes version 4 UUIDs from the browser's secure random source,
// fetched 4 KB at a time: crypto.getRandomValues once per 256 ids. Calling
// crypto.randomUUID for each id cost 16 µs of crossing into JavaScript a
// record (the profile of a batch of saves); this costs well under 1 µs.
type uuidPool struct {
	mu     sync.Mutex
	crypto js.Value
	array  js.Value // a Uint8Array of len(buf)
	buf    [4096]byte
	next   int
}

// newUUIDPool returns nil when there is no crypto.getRandomValues.
func newUUIDPool() *uuidPool {
	crypto := js.Global().Get("crypto")
	if crypto.Type() != js.TypeObject || crypto.Get("getRandomValues").Type() != js.TypeFunction {
		return nil
	}
	p := &uuidPool{crypto: crypto}
	p.array = js.Global().Get("Uint8Array").New(len(p.buf))
	p.next = len(p.buf)
	return p
}

// UUID returns a fresh random UUID (RFC 9562 version 4).
func (p *uuidPool) UUID() string {
	p.mu.Lock()
	if p.next+16 > len(p.buf) {
		p.crypto.Call("getRandomValues", p.array)
		js.CopyBytesToGo(p.buf[:], p.array)
		p.next = 0
	}
	var b [16]byte
	copy(b[:], p.buf[p.next:p.next+16])
	p.next += 16
	p.mu.Unlock()
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	var s [36]byte
	hex.Encode(s[0:8], b[0:4])
	s[8] = '-'
	hex.Encode(s[9:13], b[4:6])
	s[13] = '-'
	hex.Encode(s[14:18], b[6:8])
	s[18] = '-'
	hex.Encode(s[19:23], b[8:10])
	s[23] = '-'
	hex.Encode(s[24:], b[10:16])
	return string(s[:])
}
