package relation

import (
	"fmt"

	jv "github.com/datastore-wasm/datastore-wasm/internal/jsonvalue"
)

// Nesting limits. Every nested input is bounded where it enters, before
// anything recursive reads it: a Go stack overflow in the wasm instance is
// fatal (no recover catches it) and ends every DataStore on the page. The
// limits are far above real use and far below what overflows.
const (
	// MaxSchemaNesting bounds the brackets ([ ], { }, ( )) of a schema's
	// text: list types and directive arguments nest a few levels in real
	// schemas.
	MaxSchemaNesting = 100
	// MaxPredicateDepth bounds the groups (and, or, not) and relation steps
	// nested in one predicate.
	MaxPredicateDepth = 200
	// MaxValueDepth bounds the objects and arrays nested in a field's
	// value (AWSJSON, non-model values, lists).
	MaxValueDepth = jv.MaxDepth
)

// checkNesting refuses a schema text (SDL, or introspection JSON) whose
// brackets nest deeper than MaxSchemaNesting. It skips strings (and, in
// SDL, block strings and comments), so it counts only the structure the
// parser would recurse into.
func checkNesting(text string, sdl bool) error {
	depth, line, col := 0, 1, 0
	for i := 0; i < len(text); i++ {
		c := text[i]
		col++
		switch {
		case c == '\n':
			line, col = line+1, 0
		case c == '#' && sdl:
			for i+1 < len(text) && text[i+1] != '\n' {
				i++
			}
		case c == '"':
			end := `"`
			if sdl && len(text) >= i+3 && text[i:i+3] == `"""` {
				end, i = `"""`, i+2
			}
			for i++; i < len(text); i++ {
				if text[i] == '\\' && end == `"` {
					i++
					continue
				}
				if text[i] == '\n' {
					line, col = line+1, 0
				}
				if len(text)-i >= len(end) && text[i:i+len(end)] == end {
					i += len(end) - 1
					break
				}
			}
		case c == '[' || c == '{' || c == '(':
			depth++
			if depth > MaxSchemaNesting {
				return &SchemaError{Line: line, Col: col, Msg: fmt.Sprintf("brackets nest more than %d levels deep here; datastore-wasm reads schemas nested up to %d levels (list types and directive arguments need a few)", MaxSchemaNesting, MaxSchemaNesting)}
			}
		case c == ']' || c == '}' || c == ')':
			depth--
		}
	}
	return nil
}
