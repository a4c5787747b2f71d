//go:build !(js && wasm)

package relation

import "github.com/google/uuid"

// uuidV4 is a random (version 4) UUID from github.com/google/uuid.
func uuidV4() string { return uuid.NewString() }
