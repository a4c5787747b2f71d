package relation

import (
	"encoding/binary"
	"math/rand/v2"
	"sync"
	"time"
)

// IDSource makes the ids of models whose key the DataStore manages.
type IDSource interface {
	NewID(m *Model) string
}

// IDs generates UUID v4 ids for syncable models and monotonic ULIDs for
// local-only ones (syncable: false), as Amplify does (SPEC 2.1). UUID, when
// set, supplies the UUIDs (in the browser, wasm/uuids.go: v4 UUIDs from
// crypto.getRandomValues, drawn 4 KB at a time); otherwise they come from
// uuidV4: github.com/google/uuid natively (ids_uuid.go), a few lines over
// math/rand/v2 in the wasm build (ids_wasm.go), where google/uuid would
// add 51 KB brotli for a fallback (docs/design.md).
type IDs struct {
	UUID func() string

	mu       sync.Mutex
	lastTime int64
	lastRand [10]byte
}

// NewID returns a fresh id for a record of m.
func (g *IDs) NewID(m *Model) string {
	if m.Syncable {
		if g.UUID != nil {
			return g.UUID()
		}
		return uuidV4()
	}
	return g.ulid(time.Now().UnixMilli())
}

const crockford = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

// ulid makes a ULID that sorts after every earlier one of this source, even
// within one millisecond.
func (g *IDs) ulid(ms int64) string {
	g.mu.Lock()
	defer g.mu.Unlock()
	if ms <= g.lastTime {
		ms = g.lastTime
		for i := len(g.lastRand) - 1; i >= 0; i-- {
			g.lastRand[i]++
			if g.lastRand[i] != 0 {
				break
			}
		}
	} else {
		binary.LittleEndian.PutUint64(g.lastRand[:8], rand.Uint64())
		binary.LittleEndian.PutUint16(g.lastRand[8:], uint16(rand.Uint32()))
	}
	g.lastTime = ms
	var out [26]byte
	t := uint64(ms)
	for i := 9; i >= 0; i-- {
		out[i] = crockford[t&31]
		t >>= 5
	}
	// 80 random bits as 16 base-32 digits.
	var bits uint64
	nbits := 0
	j := 10
	for _, b := range g.lastRand {
		bits = bits<<8 | uint64(b)
		nbits += 8
		for nbits >= 5 {
			nbits -= 5
			out[j] = crockford[(bits>>uint(nbits))&31]
			j++
		}
	}
	return string(out[:])
}
