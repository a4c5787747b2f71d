module github.com/datastore-wasm/datastore-wasm

go 1.26.8

require (
	github.com/agnivade/levenshtein v1.2.2 // indirect
	github.com/hack-pad/go-indexeddb v0.3.2 // indirect
	github.com/hack-pad/safejs v0.1.0 // indirect
	github.com/vektah/gqlparser/v2 v2.5.64 // indirect
)
