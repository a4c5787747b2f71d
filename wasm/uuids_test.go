//go:build js && wasm

package main

import (
	"regexp"
	"testing"
)

func TestUUIDPool(t *testing.T) {
	p := newUUIDPool()
	if p == nil {
		t.Skip("no crypto.getRandomValues here")
	}
	v4 := regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)
	seen := map[string]bool{}
	for i := 0; i < 1000; i++ { // several refills of the pool
		id := p.UUID()
		if !v4.MatchString(id) {
			t.Fatalf("%q is not a version 4 UUID", id)
		}
		if seen[id] {
			t.Fatalf("%q came twice", id)
		}
		seen[id] = true
	}
}
