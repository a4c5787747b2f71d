module github.com/datastore-wasm/datastore-wasm

go 1.26.8

require (
	github.com/google/uuid v1.6.0
	github.com/vektah/gqlparser/v2 v2.5.60
)

require github.com/agnivade/levenshtein v1.2.2 // indirect
