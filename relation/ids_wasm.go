//go:build js && wasm

package relation

import (
	"encoding/binary"
	"fmt"
	"math/rand/v2"
)

// uuidV4 is a random (version 4) UUID, for a wasm host without
// crypto.getRandomValues (the bridge draws from it where there is one). Not
// github.com/google/uuid: it adds 51 KB brotli to the wasm (measured
// 2026-12-01, docs/design.md) for what is a fallback there.
func uuidV4() string {
	var b [16]byte
	binary.LittleEndian.PutUint64(b[:8], rand.Uint64())
	binary.LittleEndian.PutUint64(b[8:], rand.Uint64())
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}
